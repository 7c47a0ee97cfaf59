#!/bin/bash
# it_samba_two_dc.sh - vmgroupd against two replicating Samba AD DCs
# (tests/samba-env.sh join: dc2 joined to dc1, each in a network namespace
# of its own, linked by a veth pair):
#  * the DCs are found through DNS SRV records only (uri = auto): both are
#    in _ldap._tcp.dc._msdcs.<domain>, and a pass finds its DC there;
#  * a write through dc1 is answered by dc2's DNS after replication;
#  * dc1 stopped: the pass fails over to dc2, found through DNS (dc2's own
#    server answers it), writes there, and dc2's DNS answers at once.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
if [ -z "${VMG_SAMBA_DIR:-}" ]; then
	VMG_SAMBA_STEPS="schema delegate join" \
	    exec "$top_srcdir/tests/with-samba.sh" bash "$0" "$@"
fi
. "$top_srcdir/tests/lib-samba.sh"
. "$top_srcdir/tests/lib-proc.sh"

DOMAIN=$(echo "$VMG_SAMBA_REALM" | tr 'A-Z' 'a-z')
ask2() { $N dig +short +norecurse @"$VMG_SAMBA_IP2" "$1" "$2" | sort | tr '\n' ' '; }
# vmgroupd's resolver: both DCs' DNS servers, quick to give up on one
printf 'nameserver %s\nnameserver %s\noptions timeout:1 attempts:1\n' \
	"$VMG_SAMBA_IP" "$VMG_SAMBA_IP2" >"$W/resolv.conf"
pass_dns() { # host: vmgroupd --once seeing only the DCs' DNS
	$N unshare --mount sh -c 'mount --bind "$1" /etc/resolv.conf &&
	    exec "$2" --once --allow-root -f "$3"' sh "$W/resolv.conf" \
	    "$VMGROUPD" "$W/$1.conf" >>"$W/$1.log" 2>&1
}

srv=$(ask _ldap._tcp.dc._msdcs.$DOMAIN SRV)
check "both DCs in _ldap._tcp.dc._msdcs.$DOMAIN" sh -c \
	"echo '$srv' | grep -q 'dc1.$DOMAIN.' && echo '$srv' | grep -q 'dc2.$DOMAIN.'"

# --- a write through dc1, answered by dc2 after replication
conf hv1 no
sed -i "s#^uri = .*#uri = ldap://dc1.$DOMAIN#" "$W/hv1.conf"
reg hv1 -n r1 -i repl -a 192.0.2.81
reg hv1 -n r2 -i repl -a 192.0.2.82
check "a pass through dc1" pass_dns hv1
check "bound to dc1" grep -q "connected to ldap://dc1.$DOMAIN " "$W/hv1.log"
on_dc2() { [ "$(ask2 hv1-repl-vm.$Z A)" = "192.0.2.81 192.0.2.82 " ]; }
check "dc2's DNS answers the group after replication" wait_for 120 on_dc2
check "and the PTR" wait_for 60 sh -c \
	"[ \"\$($N dig +short +norecurse @$VMG_SAMBA_IP2 -x 192.0.2.81)\" = 'r1.$Z.' ]"

# --- dc1 stopped: the DCs from DNS, dc2 answers
conf hv2 no
sed -i "s#^uri = .*#uri = auto#" "$W/hv2.conf"
reg hv2 -n f1 -i fail -a 192.0.2.91
check "uri = auto: a pass while both DCs run" pass_dns hv2
bash "$top_srcdir/tests/samba-env.sh" halt "$VMG_SAMBA_DIR"
dc1_down() { ! $N ldapsearch -x -H "ldap://$VMG_SAMBA_IP" -b "" -s base \
	>/dev/null 2>&1; }
check "dc1 stopped" dc1_down
reg hv2 -n f2 -i fail -a 192.0.2.92 -t $((T + 2))
check "a pass with dc1 down" pass_dns hv2
check "it failed over to dc2, found through DNS" grep -q \
	"connected to ldap://dc2.$DOMAIN:389 " "$W/hv2.log"
check "dc2's DNS answers the new VM at once" test \
	"$(ask2 hv2-fail-vm.$Z A)" = "192.0.2.91 192.0.2.92 "
check "nothing left in the spool" test -z "$(ls -A "$W/hv2/spool/new")"

echo "$fails failure(s)"
[ $fails -eq 0 ] || { tail -n 20 "$W/hv1.log"; tail -n 20 "$W/hv2.log"; }
[ $fails -eq 0 ]
