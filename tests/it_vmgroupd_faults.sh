#!/bin/bash
# it_vmgroupd_faults.sh - vmgroupd under faults, against the real KDC + slapd
# of tests/testenv.sh (with 12-second tickets):
#  * kill -9 in the middle of a burst, restart: converges, no duplicate value,
#    nothing lost;
#  * a burst is coalesced: events queued while the daemon is stopped
#    (SIGSTOP, or not running) take one write of the group node per pass,
#    whatever the machine's speed;
#  * slapd stopped and started again in the middle of a burst: the daemon
#    backs off, keeps the events, and converges when the directory is back;
#  * the Kerberos ticket expires while the daemon runs: it gets a new one
#    from the keytab and goes on.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
if [ -z "${VMG_TEST_DIR:-}" ]; then
	export VMG_TESTENV_TICKET_LIFE=12s
	exec "$top_srcdir/tests/with-testenv.sh" bash "$0" "$@"
fi
. "$top_srcdir/tests/lib-it.sh"
. "$top_srcdir/tests/lib-proc.sh"
dpid=

stop_daemon() {
	[ -n "$dpid" ] || return 0
	kill -TERM "$dpid" 2>/dev/null
	wait "$dpid" 2>/dev/null
	dpid=
}
# the notify listener below ends with the test, whatever happens
stop_all() { stop_daemon; [ -z "${npid:-}" ] || kill "$npid" 2>/dev/null; }
trap stop_all EXIT

starts() { grep -c "directory URI" "$W/log" 2>/dev/null || true; }
started_since() { [ "$(starts)" -gt "$1" ]; }
start_daemon() {
	local n
	n=$(starts)
	"$VMGROUPD" -d --allow-root -f "$CONF" >>"$W/log" 2>&1 &
	dpid=$!
	wait_for 10 started_since "${n:-0}"
}


count() { values "$1" "$Z" | wc -w; }
count_is() { [ "$(count "$1")" -eq "$2" ]; }
spool_empty() { [ -z "$(ls -A "$SPOOL/new")" ]; }

# 198.51.100.0/24 has no reverse zone here: group, SRV and object only.
write_conf image no "backoff_max = 2
renew_margin = 0
rescan_interval = 1"

# --- kill -9 in the middle of a burst
start_daemon || bad "daemon did not start"
for i in $(seq 1 150); do
	reg -n b$i -i burst -a 198.51.100.$i
	if [ "$i" -eq 90 ]; then
		wait_for 10 grep -q "hv1-burst-vm" "$W/log"
		kill -KILL "$dpid"
		wait "$dpid" 2>/dev/null
		dpid=
	fi
done
check "the daemon had written part of the burst" grep -q "hv1-burst-vm" "$W/log"
check "restart after kill -9" pass
check "every registration of the burst is in its group" count_is hv1-burst-vm 150
want=$(for i in $(seq 1 150); do rec_a 198.51.100.$i; echo; done | sort | tr '\n' ' ')
check "the group holds exactly the burst's values" test \
	"$(values hv1-burst-vm "$Z")" = "$want"
check "SRV group -> 150 VMs" count_is _vm._tcp.hv1-burst-vm 150
check "vmGroup object lists 150 members" test "$(admin -b \
	"CN=hv1-burst-vm,$VMG_TEST_OU_DN" -s base vmGroupMember |
	grep -c '^vmGroupMember: ')" -eq 150
check "spool empty" spool_empty
check "passes between full reconciles do not read unchanged nodes again" \
	grep -q "unchanged, [1-9][0-9]* not read again" "$W/log"
# How many writes of node $1 each pass made (the lines a write that
# succeeded logs), one line per pass that made any; a pass ends with its
# report, a failure (retrying ...), a full reconcile that follows at once,
# or where a daemon starts after a kill.
writes_per_pass() {
	awk -v dn="DC=$1,DC=" '
	    /^(created|updated|revived|tombstoned) / && index($0, dn) { n++ }
	    /^pass done|^loaded [0-9]* registration|retrying in|full reconcile follows/ {
		if (n) print n; n = 0 }
	    END { if (n) print n }' "${2:-$W/log}"
}
most_per_pass() { writes_per_pass "$@" | sort -n | tail -n 1; }
check "the burst: one write of the group node per pass at most" \
	test "$(most_per_pass hv1-burst-vm)" -eq 1
[ "$(most_per_pass hv1-burst-vm)" -eq 1 ] ||
	grep -E "hv1-burst-vm|^pass done|retrying|reconcile|loaded" "$W/log" | head -60

# --- systemd readiness, one daemon per spool, reload
python3 - "$W/notify" >"$W/notify.out" 2>&1 <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
try:
    while True:
        m = s.recv(4096).decode()
        print(m.replace("\n", " "), flush=True)
        if "STOPPING=1" in m:
            break
except OSError:
    pass
PY
npid=$!
wait_for 10 test -S "$W/notify" || bad "notify socket"
export NOTIFY_SOCKET=$W/notify
start_daemon || bad "daemon did not start again"
unset NOTIFY_SOCKET
check "READY=1 sent to systemd" wait_for 10 grep -q "READY=1" "$W/notify.out"
second_refused() {
	timeout 5 "$VMGROUPD" -d --allow-root -f "$CONF" >"$W/second.out" 2>&1
	[ $? -eq 1 ] && grep -q "another vmgroupd already serves spool" \
	    "$W/second.out"
}
check "a second daemon on the same spool is refused" second_refused
kill -HUP "$dpid"
check "SIGHUP reloads the configuration" wait_for 10 grep -q \
	"configuration reloaded" "$W/log"
ready_after_reload() {
	awk '/RELOADING=1/ { r = 1; next } r && /READY=1/ { f = 1 }
	    END { exit !f }' "$W/notify.out"
}
check "RELOADING=1 then READY=1 again" wait_for 10 ready_after_reload

# --- a burst queued while the daemon is stopped (SIGSTOP) is coalesced:
# one pass reads it all (a pass already under way when the daemon was
# stopped may see part of it: two passes at most), one write each
start=$(wc -l <"$W/log")
kill -STOP "$dpid"
for i in $(seq 1 150); do reg -n k$i -i coal -a 198.51.100.$i; done
kill -CONT "$dpid"
check "150 events queued while stopped: all written" wait_for 30 count_is \
	hv1-coal-vm 150
tail -n +$((start + 1)) "$W/log" >"$W/coal.log"
check "150 events queued while stopped: $(writes_per_pass hv1-coal-vm \
	"$W/coal.log" | wc -l) pass(es) wrote the group node, once each" \
	test "$(most_per_pass hv1-coal-vm "$W/coal.log")" -eq 1 -a \
	"$(writes_per_pass hv1-coal-vm "$W/coal.log" | wc -l)" -le 2

# --- slapd stopped and started again in the middle of a burst
for i in $(seq 1 10); do reg -n c$i -i second -a 198.51.100.$((150 + i)); done
check "first half written" wait_for 20 count_is hv1-second-vm 10
kill -TERM "$(cat "$VMG_TEST_DIR/slapd.pid")"
check "slapd stopped" wait_for 10 sh -c "! ldapsearch -x -H '$VMG_TEST_LDAP_URI' \
	-b '' -s base >/dev/null 2>&1"
for i in $(seq 11 20); do reg -n c$i -i second -a 198.51.100.$((150 + i)); done
check "the daemon notices and backs off" wait_for 20 grep -q "retrying in" "$W/log"
check "events kept while the directory is away" test -n "$(ls -A "$SPOOL/new")"
check "daemon still running" kill -0 "$dpid"
bash "$top_srcdir/tests/testenv.sh" restart-slapd "$VMG_TEST_DIR" >/dev/null ||
	bad "slapd restart"
check "converges when slapd is back" wait_for 30 count_is hv1-second-vm 20
check "spool emptied after the outage" wait_for 10 spool_empty

# --- the ticket expires under the running daemon (12 s tickets, margin 0)
n=$(grep -c "got a Kerberos ticket" "$W/log")
sleep 13
reg -n late1 -i late -a 198.51.100.240
check "written with a new ticket" wait_for 20 count_is hv1-late-vm 1
check "a new ticket was acquired from the keytab" test \
	"$(grep -c "got a Kerberos ticket" "$W/log")" -gt "$n"
check "daemon still running" kill -0 "$dpid"

# --- a clean stop
kill -TERM "$dpid"
check "SIGTERM stops it cleanly" wait "$dpid"
dpid=
check "it said so" grep -q "stopping" "$W/log"
check "STOPPING=1 sent to systemd" wait_for 10 grep -q "STOPPING=1" \
	"$W/notify.out"
kill "$npid" 2>/dev/null
wait "$npid" 2>/dev/null
npid=

# --- 150 releases queued while no daemon runs: the next pass writes the
# group node once
for i in $(seq 1 150); do rel k$i; done
start=$(wc -l <"$W/log")
check "150 releases: one pass" pass
tail -n +$((start + 1)) "$W/log" >"$W/coal.log"
check "150 releases: the group node written once" \
	test "$(grep -c "DC=hv1-coal-vm,DC=" "$W/coal.log")" -eq 1
check "150 releases: the group node is tombstoned" tombstoned hv1-coal-vm "$Z"

echo "$fails failure(s)"
[ $fails -eq 0 ] || { echo "--- vmgroupd log"; tail -n 60 "$W/log"; }
[ $fails -eq 0 ]
