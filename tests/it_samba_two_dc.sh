#!/bin/bash
# it_samba_two_dc.sh - vmgroupd against two replicating Samba AD DCs
# (tests/samba-env.sh join: dc2 joined to dc1, each in a network namespace
# of its own, linked by a veth pair):
#  * the DCs are found through DNS SRV records only (uri = auto): both are
#    in _ldap._tcp.dc._msdcs.<domain>, a pass finds its DC there, and
#    passes spread over both (RFC 2782's weighted draw, each pass anew);
#  * a write through dc1 is answered by dc2's DNS after replication;
#  * dc1 stopped: the pass fails over to dc2, found through DNS (dc2's own
#    server answers it), writes there, and dc2's DNS answers at once;
#  * dc1 halted in the middle of a 500-VM storm (the daemon lists dc1
#    first, then dc2): it goes on through dc2, nothing lost; dc1 back and
#    replicated: the conflict copies of the names both DCs created are
#    deleted by the next full pass, none left on either DC.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
if [ -z "${VMG_SAMBA_DIR:-}" ]; then
	VMG_SAMBA_STEPS="schema delegate join" \
	    exec "$top_srcdir/tests/with-samba.sh" bash "$0" "$@"
fi
. "$top_srcdir/tests/lib-samba.sh"
. "$top_srcdir/tests/lib-proc.sh"
. "$top_srcdir/tests/lib-twodc.sh"

ask2() { $N dig +short +norecurse @"$VMG_SAMBA_IP2" "$1" "$2" | sort | tr '\n' ' '; }

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
# replication made to happen (dc1 -> dc2), not awaited from Samba's own
# schedule: under load its notification came later than any fixed wait
check "replication dc1 -> dc2" wait_for 120 pull2
check "dc2's DNS answers the group after replication" wait_for 60 on_dc2
check "and the PTR" wait_for 60 sh -c \
	"[ \"\$($N dig +short +norecurse @$VMG_SAMBA_IP2 -x 192.0.2.81)\" = 'r1.$Z.' ]"

# --- dc1 stopped: the DCs from DNS, dc2 answers
conf hv2 no
sed -i "s#^uri = .*#uri = auto#" "$W/hv2.conf"
reg hv2 -n f1 -i fail -a 192.0.2.91
check "uri = auto: a pass while both DCs run" pass_dns hv2
# DCs of equal weight: each pass draws which it tries first (RFC 2782),
# so passes started one after the other do not all take the same one
# (libldap's draw did, for a day at a time)
check "uri = auto: passes spread over both DCs" until_both "$W/hv2.draw" \
	"(ldap://dc1.$DOMAIN:389 first)" "(ldap://dc2.$DOMAIN:389 first)" \
	pass_dns hv2 draw
# what the failover rests on: dc2's own DNS lists both DCs (the _msdcs
# zone replicated by pull2 above, not awaited from Samba's schedule)
srv2() { s=$(ask2 _ldap._tcp.dc._msdcs.$DOMAIN SRV) &&
	case $s in *dc1.$DOMAIN.*) ;; *) return 1 ;; esac &&
	case $s in *dc2.$DOMAIN.*) ;; *) return 1 ;; esac; }
check "dc2's DNS lists both DCs" wait_for 60 srv2
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

# --- dc1 halted in the middle of a 500-VM storm: the daemon fails over to
# dc2 and nothing is lost; dc1 back: once replication meets the names both
# DCs created, the copies AD renamed ("<name>\nCNF:<GUID>") are the
# daemon's to delete at its next full pass, and none is left on either DC
bash "$top_srcdir/tests/samba-env.sh" restart "$VMG_SAMBA_DIR" ||
	bad "dc1 started again"
check "dc1 answers again" wait_for 120 dc1_up
# the storm's daemon lists dc1 first: with uri = auto, which of two DCs of
# equal weight it tries first is a draw
conf hs no
sed -i "s#^uri = .*#uri = ldap://dc1.$DOMAIN ldap://dc2.$DOMAIN#" "$W/hs.conf"
for i in $(seq 1 500); do
	"$VMGROUP" register -s "$W/hs/spool" -t "$T" -H hs -S dhcp -n "s$i" \
	    -i "img$((i % 4))" -a "2001:db8::5:$(printf %x "$i")" >/dev/null ||
	    bad "register s$i"
done
$N unshare --mount sh -c 'mount --bind "$1" /etc/resolv.conf &&
    exec "$2" -d --allow-root -f "$3"' sh "$W/resolv.conf" "$VMGROUPD" \
    "$W/hs.conf" >"$W/hs.log" 2>&1 &
dpid=$!
trap 'kill -TERM $dpid 2>/dev/null; wait_gone $dpid' EXIT
created() { [ "$(grep -c '^created' "$W/hs.log")" -ge "$1" ]; }
check "the storm writes through dc1" wait_for 300 created 150
check "through dc1" grep -q "connected to ldap://dc1.$DOMAIN " "$W/hs.log"
bash "$top_srcdir/tests/samba-env.sh" halt "$VMG_SAMBA_DIR"
drained() { [ -z "$(ls -A "$W/hs/spool/new")" ]; }
check "dc1 halted mid-storm: the spool drains through dc2" wait_for 600 drained
check "the daemon failed over to dc2" grep -q \
	"connected to ldap://dc2.$DOMAIN " "$W/hs.log"
check "nothing quarantined" test -z "$(ls -A "$W/hs/spool/quarantine" 2>/dev/null)"
kill -TERM $dpid
wait_gone $dpid
trap - EXIT
ptrs() { # DC address: PTR nodes of hs under the IPv6 reverse zone, live
	LDAPTLS_REQCERT=never $N ldapsearch -x -LLL -H "ldaps://$1" \
	    -D "Administrator@$VMG_SAMBA_REALM" -w "$VMG_SAMBA_ADMIN_PW" \
	    -b "DC=$VMG_SAMBA_REVZONE6,CN=MicrosoftDNS,DC=DomainDnsZones,$VMG_SAMBA_BASE" \
	    '(&(objectClass=dnsNode)(!(dNSTombstoned=TRUE))(!(name=*CNF:*)))' dn \
	    2>/dev/null | grep -c '^dn'
}
check "dc2 holds a PTR for each of the 500 VMs" test "$(ptrs "$VMG_SAMBA_IP2")" -ge 500
bash "$top_srcdir/tests/samba-env.sh" restart "$VMG_SAMBA_DIR" ||
	bad "dc1 started again"
check "dc1 answers again" wait_for 120 dc1_up
check "replication dc2 -> dc1 and dc1 -> dc2" replicate
before1=$(cnf "$VMG_SAMBA_IP") before2=$(cnf "$VMG_SAMBA_IP2")
echo "conflict copies before the full pass: dc1 $before1, dc2 $before2"
check "the failover left conflict copies (names created on both DCs)" \
	test "$before1" -gt 0
both_pass() { pass_dns hs && pass_dns hv2; }
check "a full pass of each host after dc1 came back" both_pass
check "replication again" replicate
check "no conflict copy left on either DC" test \
	"$(cnf "$VMG_SAMBA_IP") $(cnf "$VMG_SAMBA_IP2")" = "0 0"
check "each deleted by its host's pass" test \
	"$(cat "$W/hs.log" "$W/hv2.log" | grep -c 'replication-conflict copy')" -ge "$before1"
check "dc1 holds a PTR for each of the 500 VMs" test "$(ptrs "$VMG_SAMBA_IP")" -ge 500
check "and dc2" test "$(ptrs "$VMG_SAMBA_IP2")" -ge 500
pname() { $N dig +short +norecurse @"$1" -x "2001:db8::5:$(printf %x "$2")"; }
check "both DCs' DNS answer the PTRs of VMs created before and after the halt" \
	test "$(pname "$VMG_SAMBA_IP" 1)$(pname "$VMG_SAMBA_IP2" 1)$(pname "$VMG_SAMBA_IP" 500)$(pname "$VMG_SAMBA_IP2" 500)" = \
	"s1.$Z.s1.$Z.s500.$Z.s500.$Z."

echo "$fails failure(s)"
[ $fails -eq 0 ] || { tail -n 20 "$W/hv1.log"; tail -n 20 "$W/hv2.log";
	tail -n 20 "$W/hs.log"; grep -v '^  ' "$W/repl.log" 2>/dev/null | tail -n 20; }
[ $fails -eq 0 ]
