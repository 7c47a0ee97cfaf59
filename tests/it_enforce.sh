#!/bin/bash
# it_enforce.sh - vmgroup enforce --follow against the real KDC + slapd of
# tests/testenv.sh (syncprov on), applying nftables in a network namespace
# of ours:
#  * --install-rules: table, sets and drop rules in inet and bridge;
#  * it follows the OU by syncrepl (not by polling: --interval 600), and a
#    block / unblock reaches the sets without any poll or reconnect;
#  * special-purpose addresses an admin wrote into a blocked group never
#    enter a set;
#  * it reconnects with a fresh ticket before the old one ends (the
#    account's tickets cut to 12 s) and goes on following;
#  * slapd away: the sets keep what they hold, the enforcer does not spin,
#    and it follows again when slapd is back;
#  * SIGTERM stops it and leaves the sets;
#  * Type=notify: READY=1 on $NOTIFY_SOCKET; the unit file verifies.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
if [ -z "${VMG_TEST_DIR:-}" ]; then
	exec "$top_srcdir/tests/with-testenv.sh" bash "$0" "$@"
fi
. "$top_srcdir/tests/lib-it.sh"
. "$top_srcdir/tests/lib-proc.sh"
G1=hv1-debian-12-vm
G2=hv1-rocky-9-vm
OU=$VMG_TEST_OU_DN
ns=vmg-enf-$$
enf_ns "$ns"

# elements of family's set, one line ("" when empty)
elems() { ip netns exec "$ns" nft list set "$1" vmgroup "$2" 2>/dev/null |
	tr -d '\n\t' | sed -n 's/.*elements = { \([^}]*\) }.*/\1/p' | tr -s ' '; }
sets_are() { # v4-elements v6-elements: in both families
	[ "$(elems inet blocked4)" = "$1" ] && [ "$(elems bridge blocked4)" = "$1" ] &&
	[ "$(elems inet blocked6)" = "$2" ] && [ "$(elems bridge blocked6)" = "$2" ]; }
said() { grep -c -- "$1" "$W/enf.err"; }
said_more() { [ "$(said "$1")" -gt "$2" ]; }
now_ms() { date +%s%3N; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

write_conf image no
reg -n web1 -i debian-12 -a 192.0.2.10 -a 2001:db8::10 -l 3600
reg -n web2 -i debian-12 -a 192.0.2.11 -l 3600
reg -n db1 -i rocky-9 -a 192.0.2.20
check "vmgroupd writes the groups" pass

# the service manager's end of $NOTIFY_SOCKET: every datagram, one a line
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
while True:
    m = s.recv(4096).decode("utf-8", "replace").replace("\n", " ")
    with open(sys.argv[2], "a") as f:
        f.write(m + "\n")
' "$W/notify.sock" "$W/notify.log" &
npid=$!
check "a notify socket listens" wait_for 10 test -S "$W/notify.sock"
NOTIFY_SOCKET=$W/notify.sock "$VMGROUP" enforce -f "$CONF" --follow \
	--install-rules --netns "$ns" --interval 600 >"$W/enf.out" 2>"$W/enf.err" &
epid=$!
check "Type=notify: it says READY=1" wait_for 30 grep -qs "READY=1" "$W/notify.log"
check "it follows the OU by syncrepl" wait_for 30 grep -q \
	"following $OU by syncrepl refreshAndPersist" "$W/enf.err"
check "the watch connection has TCP keepalive (a DC gone silent is noticed)" \
	wait_for 10 sh -c "ss -tnpo state established | grep 'pid=$epid,' |
	grep -q 'timer:(keepalive'"
check "it said the rules are installed" grep -qx \
	"rules installed in inet,bridge vmgroup" "$W/enf.out"
for fam in inet bridge; do
	t=$(ip netns exec "$ns" nft list table $fam vmgroup 2>/dev/null)
	for r in "ip saddr @blocked4 drop" "ip daddr @blocked4 drop" \
	    "ip6 saddr @blocked6 drop" "ip6 daddr @blocked6 drop" \
	    "hook forward" "hook input" "hook output"; do
		check "$fam table: $r" grep -qF "$r" <<<"$t"
	done
done
check "no blocked group: the sets are empty" wait_for 30 sets_are "" ""

# no poll (--interval 600) and no reconnect (its forced round) between
# the write and the sets: the notification brought the change
n=$(said "following $OU")
t0=$(now_ms)
"$VMGROUP" block -f "$CONF" -r test $G1 >/dev/null
check "block: the sets hold the group's addresses" \
	wait_for 30 sets_are "192.0.2.10, 192.0.2.11" "2001:db8::10"
echo "note: block took $(($(now_ms) - t0)) ms to reach the sets (polled every 0.2 s)"
check "only that group's" test -z "$(elems inet blocked4 | grep 192.0.2.20)"
"$VMGROUP" unblock -f "$CONF" $G1 >/dev/null
check "unblock empties the sets" wait_for 30 sets_are "" ""
check "brought by syncrepl: no reconnect in between" test "$(said "following $OU")" -eq "$n"

# an admin writes special-purpose addresses into a group and blocks it
ldapmodify -x -H "$VMG_TEST_LDAP_URI" -D "$VMG_TEST_ADMIN_DN" \
	-w "$VMG_TEST_ADMIN_PW" >/dev/null 2>&1 <<LDIF
dn: CN=$G2,$OU
changetype: modify
add: vmGroupAddress
vmGroupAddress: 0.0.0.0
vmGroupAddress: 127.0.0.1
vmGroupAddress: 224.0.0.1
vmGroupAddress: 255.255.255.255
vmGroupAddress: 169.254.1.1
vmGroupAddress: ::
vmGroupAddress: ::1
vmGroupAddress: ff02::1
vmGroupAddress: fe80::1
vmGroupAddress: ::ffff:192.0.2.99
-
replace: vmGroupBlocked
vmGroupBlocked: TRUE
LDIF
check "a blocked group's special addresses never enter a set" \
	wait_for 30 sets_are "192.0.2.20" ""
check "and the enforcer says so" wait_for 10 grep -q \
	"10 special-purpose address(es) never put in a set" "$W/enf.err"

"$VMGROUP" block -f "$CONF" $G1 >/dev/null
check "block again" wait_for 30 sets_are \
	"192.0.2.10, 192.0.2.11, 192.0.2.20" "2001:db8::10"

# the account's tickets cut to 12 s: the ticket after the outage below is
# one of those
KRB5_KDC_PROFILE=$VMG_TEST_DIR/kdc.conf kadmin.local -q \
	"modprinc -maxlife 12s $VMG_TEST_PRINCIPAL" >/dev/null 2>&1 ||
	bad "kadmin.local modprinc -maxlife"
# slapd away: the sets stay, no spin, back when slapd is
n=$(said "following $OU")
k=$(said "the sets keep what they hold")
kill -TERM "$(cat "$VMG_TEST_DIR/slapd.pid")"
check "slapd away: it says it keeps the sets" wait_for 30 said_more \
	"the sets keep what they hold" "$k"
c0=$(cpu_ticks "$epid")
sleep 5
c1=$(cpu_ticks "$epid")
check "it does not spin while slapd is away ($((c1 - c0)) ticks in 5 s)" \
	test $((c1 - c0)) -lt 100
check "the sets still hold the blocked addresses" sets_are \
	"192.0.2.10, 192.0.2.11, 192.0.2.20" "2001:db8::10"
bash "$top_srcdir/tests/testenv.sh" restart-slapd "$VMG_TEST_DIR" >/dev/null ||
	bad "slapd restart"
check "slapd back: it follows again" wait_for 60 said_more "following $OU" "$n"
"$VMGROUP" unblock -f "$CONF" $G1 >/dev/null
"$VMGROUP" unblock -f "$CONF" $G2 >/dev/null
check "and applies the changes made since" wait_for 30 sets_are "" ""

# 12-second tickets now: it reconnects before the end, and follows again
n=$(said "following $OU")
check "a fresh ticket before the old one ends" wait_for 30 grep -q \
	"the ticket ends soon: reconnecting with a fresh one" "$W/enf.err"
check "then it follows again" wait_for 30 said_more "following $OU" "$n"
"$VMGROUP" block -f "$CONF" $G1 >/dev/null
check "block again" wait_for 30 sets_are "192.0.2.10, 192.0.2.11" "2001:db8::10"
# a table deleted by hand comes back whole at the next apply
ip netns exec "$ns" nft delete table inet vmgroup
"$VMGROUP" unblock -f "$CONF" $G1 >/dev/null
check "a deleted table comes back at the next change" wait_for 30 sets_are "" ""
check "with its drop rules" sh -c "ip netns exec '$ns' nft list chain inet \
	vmgroup forward | grep -qF 'ip daddr @blocked4 drop'"
"$VMGROUP" block -f "$CONF" $G1 >/dev/null
check "block again" wait_for 30 sets_are "192.0.2.10, 192.0.2.11" "2001:db8::10"

kill -TERM "$epid"
wait "$epid"
check "SIGTERM: a clean stop (exit 0)" test $? -eq 0
epid=
check "it said it stops" grep -q "stopping; the sets stay as they are" "$W/enf.err"
check "the sets stay after the stop" sets_are "192.0.2.10, 192.0.2.11" "2001:db8::10"
check "nothing secret in its output" sh -c "! grep -qi 'password\|$VMG_TEST_ADMIN_PW' '$W/enf.err' '$W/enf.out'"
# the unit as the build made it (make: ExecStart= in its bindir), the
# program's path made the build's own
sed "s|^ExecStart=[^ ]*/vmgroup |ExecStart=$(cd "$top_builddir" && pwd)/vmgroup |" \
	"$top_builddir/scripts/systemd/vmgroup-enforce.service" >"$W/vmgroup-enforce.service"
check "the unit verifies (systemd-analyze verify)" \
	systemd-analyze verify --man=no "$W/vmgroup-enforce.service"
for l in Type=notify User=vmgroup AmbientCapabilities=CAP_NET_ADMIN \
    CapabilityBoundingSet=CAP_NET_ADMIN NoNewPrivileges=yes; do
	check "the unit: $l" grep -qx "$l" "$W/vmgroup-enforce.service"
done
check "the unit runs the enforcer with --follow --install-rules" grep -q \
	"^ExecStart=.*/vmgroup enforce --follow --install-rules" "$W/vmgroup-enforce.service"
echo "--- the enforcer's stderr"; cat "$W/enf.err"
exit $((fails > 0))
