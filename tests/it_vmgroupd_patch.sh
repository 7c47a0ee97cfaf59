#!/bin/bash
# it_vmgroupd_patch.sh - passes between full reconciles patch a group
# rather than rebuild it (scope.h), against the real KDC + slapd of
# tests/testenv.sh:
#  * one event at a time to a running daemon: a VM joins, leaves, moves to
#    another image, changes its address, shares an address with another VM
#    (the address stays while either holds it), a group empties, a new one
#    appears;
#  * each of those passes is built from the VMs it touched and one member
#    of each group (the log says so), and patches the group objects; a
#    patch a hand edit spoiled is followed by a full reconcile at once;
#  * after them the directory holds exactly what a full reconcile wants:
#    the expected records, and a --once full pass finds nothing to change;
#  * with aging (records stamped with their hour) groups are rebuilt.
# Every wait polls for an outcome, with a bound; nothing sleeps for a race.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
if [ -z "${VMG_TEST_DIR:-}" ]; then
	exec "$top_srcdir/tests/with-testenv.sh" bash "$0" "$@"
fi
. "$top_srcdir/tests/lib-it.sh"
. "$top_srcdir/tests/lib-proc.sh"
dpid=

cleanup() {
	[ -z "$dpid" ] && return
	kill -TERM "$dpid" 2>/dev/null
	wait_gone "$dpid"
	wait "$dpid" 2>/dev/null
}
trap cleanup EXIT

spool_empty() { [ -z "$(ls -A "$SPOOL/new")" ]; }
passes() { grep -c "pass done" "$W/log" 2>/dev/null || true; }
passes_since() { [ "$(passes)" -gt "$1" ] && spool_empty; }
t=$T
# One event, then wait until the daemon's pass wrote it.
ev() { # op vm [register options]
	local op=$1 vm=$2 n
	shift 2
	n=$(passes)
	t=$((t + 1))
	"$VMGROUP" "$op" -s "$SPOOL" -t "$t" -H hv1 -S dhcp -n "$vm" "$@" \
	    >/dev/null || bad "$op $vm"
	wait_for 20 passes_since "$n" || bad "no pass wrote $op $vm"
}
gdn() { echo "CN=hv1-$1-vm,$VMG_TEST_OU_DN"; }
# 2001:db8::a:X (X hex) as the 32 hex digits rec_aaaa takes
v6hex() { printf '20010db8000000000000000000%02x%04x' 10 "$((16#$1))"; }

write_conf image no "rescan_interval = 1
reconcile_interval = 3600"
mkdir -p "$SPOOL" && chmod 0750 "$SPOOL"
# 30 VMs in images alpha and beta; gamma with two
for i in $(seq 1 15); do
	reg -n "a$i" -a "192.0.2.$i" -a "2001:db8::a:$i" -i alpha
	reg -n "b$i" -a "198.51.100.$i" -i beta
done
reg -n c1 -a 203.0.113.1 -i gamma
reg -n c2 -a 203.0.113.2 -i gamma
"$VMGROUPD" -d -v --allow-root -f "$CONF" >>"$W/log" 2>&1 &
dpid=$!
check "the daemon wrote the first 32 VMs" wait_for 30 spool_empty
first_pass() { [ "$(passes)" -ge 1 ]; }
wait_for 30 first_pass || bad "no first pass"
start=$(wc -l <"$W/log")

ev register w1 -a 192.0.2.200 -i alpha		# the first: a walk
ev register n1 -a 192.0.2.101 -i alpha		# joins alpha
ev release a3					# leaves alpha
ev register a4 -a 192.0.2.4 -a 2001:db8::a:4 -i beta	# moves to beta
ev register a5 -a 192.0.2.105 -i alpha		# new address, v6 dropped
ev register s6 -a 192.0.2.6 -i alpha		# shares a6's address
ev release s6					# a6 still holds it
ev register s7 -a 192.0.2.7 -i alpha		# shares a7's address
ev release a7					# s7 still holds it
# by hand, a8's address leaves alpha's node: the patch that deletes it
# finds it gone, and a full reconcile follows at once
ldapmodify -x -H "$VMG_TEST_LDAP_URI" -D "$VMG_TEST_ADMIN_DN" \
	-w "$VMG_TEST_ADMIN_PW" >/dev/null 2>&1 <<LDIF || bad "hand edit"
dn: $(node_dn hv1-alpha-vm "$Z")
changetype: modify
delete: dnsRecord
dnsRecord:: $(rec_a 192.0.2.8)
LDIF
ev release a8
ev release c1
ev release c2					# gamma empties
ev register d1 -a 203.0.113.9 -i delta		# a new group
ev register b2 -a 198.51.100.102 -i beta	# beta: a new address

log_new() { tail -n +"$((start + 1))" "$W/log"; }
# a walk of every registration only where the pass must find who else
# holds an address (s6, s7, a7), a group's known member left (c1, c2), a
# group is new (delta), and the first scoped pass (w1: nothing known yet)
check "join, leave, move, new address: built from what they touched" \
	[ "$(log_new | grep -c 'built from those and one member')" -ge 5 ]
check "group objects patched" \
	[ "$(log_new | grep -c 'updated group object.*member')" -ge 8 ]
check "the patch a hand edit spoiled fell back to a full reconcile" \
	[ "$(log_new | grep -c 'full reconcile follows')" -eq 1 ]
[ "$fails" -eq 0 ] || log_new | grep -E 'pass scoped|full reconcile|pass done'

# the expected final state
a_addrs=
for i in 1 2 4 5 6 7 9 10 11 12 13 14 15; do
	case $i in
	4) ;;
	5) a_addrs="$a_addrs 192.0.2.105" ;;
	7) a_addrs="$a_addrs 192.0.2.7" ;;
	*) a_addrs="$a_addrs 192.0.2.$i 2001:db8::a:$i" ;;
	esac
done
a_addrs="$a_addrs 192.0.2.101 192.0.2.200"
want=()
for a in $a_addrs; do
	case $a in
	*:*) want+=("$(rec_aaaa "$(v6hex "${a##*:}")")") ;;
	*) want+=("$(rec_a "$a")") ;;
	esac
done
expect_node hv1-alpha-vm "$Z" "alpha: its members' addresses, a shared one kept" \
	"${want[@]}"
want=()
for v in a1 a2 a5 a6 a9 a10 a11 a12 a13 a14 a15 n1 s7 w1; do
	want+=("$(rec_srv "$v.$Z")")
done
expect_node _vm._tcp.hv1-alpha-vm "$Z" "alpha's SRV: its members" "${want[@]}"
want=("$(rec_a 192.0.2.4)" "$(rec_aaaa "$(v6hex 4)")" "$(rec_a 198.51.100.102)")
for i in 1 $(seq 3 15); do want+=("$(rec_a "198.51.100.$i")"); done
expect_node hv1-beta-vm "$Z" "beta: its members, the one that moved in" \
	"${want[@]}"
check "gamma's node is tombstoned" tombstoned hv1-gamma-vm "$Z"
check "gamma's object is gone" [ -z "$(admin -b "$(gdn gamma)" -s base dn)" ]
expect_node hv1-delta-vm "$Z" "delta: the new group" "$(rec_a 203.0.113.9)"
expect_node _vmgroup._tcp.hv1 "$Z" "the host's SRV: alpha, beta, delta" \
	"$(rec_srv "hv1-alpha-vm.$Z")" "$(rec_srv "hv1-beta-vm.$Z")" \
	"$(rec_srv "hv1-delta-vm.$Z")"
check "alpha's object: its members" [ "$(attr "$(gdn alpha)" vmGroupMember)" = \
	"$(sorted a1 a2 a5 a6 a9 a10 a11 a12 a13 a14 a15 n1 s7 w1)" ]
check "alpha's object: its addresses" [ "$(attr "$(gdn alpha)" vmGroupAddress)" = \
	"$(sorted $a_addrs)" ]
check "beta's object: a4 moved in" \
	grep -qw a4 <<<"$(attr "$(gdn beta)" vmGroupMember)"
check "alpha's object: no address of gamma's" \
	[ "$(attr "$(gdn gamma)" vmGroupAddress)" = "" ]
check "a4's PTR still points at it" [ "$(values 4 "$R4")" = "$(rec_ptr "a4.$Z") " ]
check "a7's address is s7's now" [ "$(values 7 "$R4")" = "$(rec_ptr "s7.$Z") " ]

# what a full reconcile would write: nothing
dump() {
	admin -b "DC=$Z,CN=MicrosoftDNS,DC=DomainDnsZones,$VMG_TEST_BASE" \
	    '(objectClass=dnsNode)' dnsRecord dNSTombstoned | sort
	admin -b "$VMG_TEST_OU_DN" '(objectClass=vmGroup)' vmGroupMember \
	    vmGroupAddress | sort
}
kill -TERM "$dpid"
wait_gone "$dpid"
wait "$dpid" 2>/dev/null
dpid=
before=$(dump)
start=$(wc -l <"$W/log")
check "a full reconcile (--once) succeeds" pass
check "and finds nothing to change" \
	[ "$(log_new | grep -cE '^(created|updated|tombstoned|revived) ')" -eq 0 ]
check "the directory is as the patches left it" [ "$(dump)" = "$before" ]

# with aging each record carries the hour it was written: a patch could not
# find an older hour's records, so groups are rebuilt, never patched
sed -i 's/^ttl = 300$/ttl = 300\naging = yes/' "$CONF"
grep -q '^aging = yes' "$CONF" || bad "aging not set"
"$VMGROUPD" -d -v --allow-root -f "$CONF" >>"$W/log" 2>&1 &
dpid=$!
wait_for 30 spool_empty
start=$(wc -l <"$W/log")
ev release a1
ev release a2
# the IPv4 addresses the group node answers (the last 4 bytes of A values)
a_answers() {
	local v
	for v in $(values hv1-alpha-vm "$Z"); do
		echo "$v" | base64 -d | od -An -tu1 | tr -s ' \n' ' ' |
		    awk '$3 == 1 { print $(NF-3) "." $(NF-2) "." $(NF-1) "." $NF }'
	done | sort | tr '\n' ' '
}
want4=$(for a in $a_addrs; do case $a in *:*) ;; *) echo "$a" ;; esac; done |
	grep -v -x -e 192.0.2.1 -e 192.0.2.2 | sort | tr '\n' ' ')
check "aging: alpha answers its members' addresses, once each" \
	[ "$(a_answers)" = "$want4" ]
check "aging: the group was rebuilt, not patched" \
	[ "$(log_new | grep -c 'updated group object.*member')" -eq 0 ]

echo "$fails failed"
[ "$fails" -eq 0 ]
