#!/bin/bash
# it_vmgroupd_loop.sh - the daemon's loop never spins, never floods its log
# and stops when asked, against the real KDC + slapd of tests/testenv.sh:
#  * the directory unreachable from the start (a closed loopback port), and
#    the KDC unreachable (a krb5.conf naming a closed port): a few wake-ups
#    a second at most, no measurable CPU, and retries at least as far apart
#    as the log says;
#  * slapd stopped with SIGSTOP (every attempt ends in the timeout): the
#    backoff counts from the END of an attempt;
#  * the spool folder removed while running: one log line, not one per
#    try, no spinning when a full reconcile falls due; found again when it
#    comes back;
#  * tickets shorter than renew_margin: one warning, and no new ticket or
#    bind on every pass;
#  * vmgroupd --once stops on SIGTERM, blocked on the directory or between
#    two writes, exits non-zero and leaves the spool files for the next pass;
#    so does the daemon between two writes (and exits 0).
# Nothing here races the clock: rates are measured over a window whose
# length is measured too, and bounds are generous (a slow, loaded machine
# wakes the daemon less, not more).
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
if [ -z "${VMG_TEST_DIR:-}" ]; then
	exec "$top_srcdir/tests/with-testenv.sh" bash "$0" "$@"
fi
. "$top_srcdir/tests/lib-it.sh"
. "$top_srcdir/tests/lib-proc.sh"
SLAPD_PID=$(cat "$VMG_TEST_DIR/slapd.pid")
HZ=$(getconf CLK_TCK)
MAX_WAKE=5	# wake-ups a second, on average over a window
dpid=

cleanup() {
	kill -CONT "$SLAPD_PID" 2>/dev/null
	[ -z "$dpid" ] || { kill -TERM "$dpid" 2>/dev/null; wait "$dpid"; }
}
trap cleanup EXIT


start_daemon() { # log [env...]
	local log=$1
	shift
	env "$@" "$VMGROUPD" -d --allow-root -f "$CONF" >>"$log" 2>&1 &
	dpid=$!
	wait_for 20 grep -q "directory URI" "$log"
}
stop_daemon() {
	kill -TERM "$dpid" 2>/dev/null
	wait "$dpid" 2>/dev/null
	dpid=
}

# A TCP and UDP port on 127.0.0.1 nobody listens on.
closed_port() {
	local p i
	for i in $(seq 50); do
		p=$((20000 + RANDOM % 40000))
		if [ -z "$(ss -Hltn "sport = :$p")" ] &&
		    [ -z "$(ss -Hlun "sport = :$p")" ]; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# True once pid is gone or a zombie, polling for at most $2 seconds.
gone_by() {
	local end=$(($(date +%s) + $2)) state
	for (( ; ; )); do
		state=$(ps -o stat= -p "$1" 2>/dev/null || true)
		case $state in
		"" | Z*) return 0 ;;
		esac
		[ "$(date +%s)" -lt $end ] || return 1
		sleep 0.1
	done
}

count() { values "$1" "$Z" | wc -w; }
count_is() { [ "$(count "$1")" -eq "$2" ]; }
retries_over() { [ "$(lines "$1" "retrying in")" -gt "$2" ]; }

vol() { awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$1/status"; }
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
lines() { grep -c "$2" "$1" || true; }

# window SECONDS PID LOG: watch the daemon for a while.  Sets w_ms (the
# window, measured), w_wake (voluntary context switches: one per wake-up
# at least), w_ticks (CPU, clock ticks) and $W/window.log (the log lines
# written within the window, and only those).
window() {
	local t0 t1 v0 v1 c0 c1 o0
	t0=$(date +%s%N)
	v0=$(vol "$2") c0=$(ticks "$2") o0=$(stat -c %s "$3")
	sleep "$1"
	v1=$(vol "$2") c1=$(ticks "$2")
	tail -c +$((o0 + 1)) "$3" >"$W/window.log"
	t1=$(date +%s%N)
	w_ms=$(((t1 - t0) / 1000000))
	w_wake=$((v1 - v0))
	w_ticks=$((c1 - c0))
}

few_wakeups() { [ $((w_wake * 1000)) -le $((MAX_WAKE * w_ms)) ]; }
# CPU at most 1 % of the window, plus one tick
no_cpu() { [ $((w_ticks * 1000 * 100 / HZ)) -le $((w_ms + 1000 * 100 / HZ)) ]; }
rate() { echo "$w_wake wake-ups, $w_ticks CPU ticks in $w_ms ms"; }

# The attempts logged in the window came at least the logged delays apart
# (plus $1 s per attempt, the least an attempt takes): t(n) - t(1) >=
# sum over i < n of (delay(i) + $1), and t(n) - t(1) <= the window.
spaced_as_logged() {
	local least=$1 want
	want=$(sed -n 's/.*retrying in \([0-9.]*\) s.*/\1/p' "$W/window.log" |
	    awk -v least="$least" '{ if (NR > 1) s += prev + least; prev = $1 }
	    END { printf "%d", s * 1000 }')
	echo "    $(lines "$W/window.log" "retrying in") attempts in the window:" \
	    "the logged delays add up to ${want} ms, the window is ${w_ms} ms"
	[ "$want" -le "$w_ms" ]
}

away_test() { # what log [env...]: the daemon while something is away
	local what=$1 log=$2
	shift 2
	start_daemon "$log" "$@" || bad "$what: the daemon did not start"
	check "$what: the daemon says it retries" wait_for 30 retries_over \
		"$log" 1
	window 12 "$dpid" "$log"
	check "$what: at most $MAX_WAKE wake-ups a second ($(rate))" few_wakeups
	check "$what: no measurable CPU ($(rate))" no_cpu
	check "$what: retries as far apart as the log says" spaced_as_logged 0
	check "$what: still retrying" wait_for 30 retries_over "$log" \
		"$(lines "$log" "retrying in")"
	check "$what: still running" kill -0 "$dpid"
	stop_daemon
}

# --- the directory unreachable from the start
port=$(closed_port) || bad "no closed port"
write_conf image no "backoff_max = 4
rescan_interval = 1
reconcile_interval = 10"
sed -i "s|^uri = .*|uri = ldap://127.0.0.1:$port|" "$CONF"
reg -n u1 -i unreach -a 198.51.100.1
away_test "directory away" "$W/a.log"
check "directory away: the log names the problem" \
	grep -q "directory unreachable: .*Can't contact LDAP server" "$W/a.log"
check "directory away: the event is kept" test -n "$(ls -A "$SPOOL/new")"

# --- the KDC unreachable (the directory is there)
write_conf image no "backoff_max = 4
rescan_interval = 1
reconcile_interval = 10"
sed "s/127\.0\.0\.1:$VMG_TEST_KDC_PORT/127.0.0.1:$port/g" "$KRB5_CONFIG" \
	>"$W/krb5-nokdc.conf"
away_test "KDC away" "$W/b.log" KRB5_CONFIG="$W/krb5-nokdc.conf"
check "KDC away: the log names the problem" \
	grep -q "Cannot contact any KDC" "$W/b.log"

# --- slapd hung (SIGSTOP): each attempt ends in the 2 s timeout; the next
# one starts a backoff after that end, not after its start
write_conf image no "backoff_max = 4
rescan_interval = 1"
sed -i "s/^timeout = .*/timeout = 2/" "$CONF"
start_daemon "$W/c.log" || bad "daemon did not start"
check "the first pass writes the waiting event" wait_for 30 count_is \
	hv1-unreach-vm 1
kill -STOP "$SLAPD_PID"
reg -n h1 -i hung -a 198.51.100.2
check "slapd hung: attempts fail" wait_for 60 retries_over "$W/c.log" 1
window 20 "$dpid" "$W/c.log"
check "slapd hung: backoff counted from the end of each 2 s attempt" \
	spaced_as_logged 1.9
check "slapd hung: at most $MAX_WAKE wake-ups a second ($(rate))" few_wakeups
kill -CONT "$SLAPD_PID"
check "slapd back: the event is written" wait_for 60 count_is hv1-hung-vm 1
back_said() { lines "$W/c.log" \
	"holds the desired state again, after [0-9]* failed attempt"; }
back_any() { [ "$(back_said)" -ge 1 ]; }
check "slapd back: said" wait_for 30 back_any
check "slapd back: said once" test "$(back_said)" -eq 1
stop_daemon

# --- the spool folder removed while running; a full reconcile falls due
write_conf image no "backoff_max = 4
rescan_interval = 4
reconcile_interval = 10"
start_daemon "$W/d.log" || bad "daemon did not start"
rm -rf "$SPOOL"
check "spool gone: said" wait_for 30 grep -q "cannot list spool" "$W/d.log"
window 14 "$dpid" "$W/d.log"
check "spool gone: said once in $w_ms ms, not on every try" \
	test "$(lines "$W/d.log" "cannot list spool")" -eq 1
check "spool gone: at most $MAX_WAKE wake-ups a second ($(rate))" few_wakeups
check "spool gone: no measurable CPU ($(rate))" no_cpu
check "spool gone: at most 3 log lines in the window" \
	test "$(wc -l <"$W/window.log")" -le 3
reg -n back1 -i back -a 198.51.100.3	# makes the spool again
check "spool back: said" wait_for 30 grep -q "can be listed again" "$W/d.log"
check "spool back: its event is written" wait_for 30 count_is hv1-back-vm 1
check "spool back: watched again" wait_for 30 grep -q "watching .* again" \
	"$W/d.log"
reg -n back2 -i back -a 198.51.100.4
check "spool back: a new event is written" wait_for 30 count_is \
	hv1-back-vm 2
stop_daemon

# --- renew_margin longer than the tickets (10 h here): one warning, one
# ticket and one bind for several passes
write_conf image no "renew_margin = 86400
rescan_interval = 1"
start_daemon "$W/e.log" || bad "daemon did not start"
for i in 1 2 3; do
	reg -n r$i -i renew -a 198.51.100.$((10 + i))
	check "margin: pass $i writes its event" wait_for 30 count_is \
		hv1-renew-vm "$i"
done
check "margin: clamped, said once" \
	test "$(lines "$W/e.log" "renew_margin = 86400 s, but")" -eq 1
check "margin: one ticket for every pass" \
	test "$(lines "$W/e.log" "got a Kerberos ticket")" -eq 1
check "margin: one bind for every pass" \
	test "$(lines "$W/e.log" "connected to")" -eq 1
stop_daemon

# --- vmgroupd --once, blocked on a hung directory (60 s timeout): SIGTERM
write_conf image no ""
sed -i "s/^timeout = .*/timeout = 60/" "$CONF"
for i in 1 2 3; do reg -n o$i -i once -a 198.51.100.$((20 + i)); done
kill -STOP "$SLAPD_PID"
"$VMGROUPD" --once --allow-root -f "$CONF" >>"$W/f.log" 2>&1 &
opid=$!
bound() { ss -Htnp state established "( dport = :$VMG_TEST_LDAP_PORT )" |
	grep -q "pid=$opid,"; }
check "--once: connected to the hung directory" wait_for 30 bound
kill -TERM "$opid"
check "--once: SIGTERM stops it within 10 s (timeout 60 s)" gone_by "$opid" 10
wait "$opid"
rc=$?
check "--once: stopped, exit status $rc (not 0)" test "$rc" -ne 0
check "--once: it says so" grep -q "stopped by" "$W/f.log"
check "--once: the spool keeps the 3 events" \
	test "$(ls "$SPOOL/new" | wc -l)" -eq 3
kill -CONT "$SLAPD_PID"
check "--once: the next pass writes them" pass
check "--once: all 3" count_is hv1-once-vm 3

# --- between two writes: every write(2) slowed down to 50 ms by strace
# (each LDAP request is one, each log line another), so a pass over 100
# new VMs (200 nodes or so) takes 20 s at least; SIGTERM after its first
# write, to the daemon, then to --once: at most the writes in flight then
# (32) are still taken in
write_conf image yes ""
for i in $(seq 1 100); do reg -n m$i -i mid -a "2001:db8::5:$i"; done
slowly() { # log args...: vmgroupd under strace, every write slowed down
	local log=$1
	shift
	# LeakSanitizer cannot run under ptrace: the ASan build checks
	# leaks everywhere else
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	    strace -f -qq -o /dev/null -e trace=write \
	    -e inject=write:delay_exit=50000 \
	    "$VMGROUPD" --allow-root -f "$CONF" "$@" >>"$log" 2>&1 &
	spid=$!
}
interrupt() { # what log: SIGTERM after the first write
	local what=$1 log=$2 vpid n
	check "$what: the first node is written" wait_for 60 grep -q \
		"^created " "$log"
	vpid=$(cat "/proc/$spid/task/$spid/children" 2>/dev/null)
	kill -TERM "${vpid:-none}"
	check "$what: SIGTERM stops it within 15 s" gone_by "${vpid:-$spid}" 15
	wait "$spid"
	rc=$?
	n=$(lines "$log" "^created ")
	check "$what: stopped between writes ($n nodes of 200 or so)" \
		test "$n" -lt 150
	check "$what: it says so" grep -q "pass stopped by a signal" "$log"
	check "$what: the spool keeps the 100 events" \
		test "$(ls "$SPOOL/new" | wc -l)" -eq 100
}
if command -v strace >/dev/null 2>&1; then
	slowly "$W/h.log" -d
	interrupt "daemon, writing" "$W/h.log"
	check "daemon, writing: a clean stop (exit status $rc)" test "$rc" -eq 0
	check "daemon, writing: it said so" grep -q "^stopping" "$W/h.log"
	slowly "$W/g.log" --once
	interrupt "--once, writing" "$W/g.log"
	check "--once, writing: exit status $rc (not 0)" test "$rc" -ne 0
	check "--once, writing: SIGTERM named" grep -q "stopped by SIGTERM" \
		"$W/g.log"
elif [ "${CI:-}" = true ]; then
	bad "strace is missing (scripts/install-deps.sh)"
else
	echo "skip: SIGTERM between two writes (no strace)"
fi
check "the next pass writes everything" pass
check "all 100 VMs in their group" count_is hv1-mid-vm 100
check "spool empty" test -z "$(ls -A "$SPOOL/new")"

echo "$fails failure(s)"
if [ $fails -ne 0 ]; then
	for f in a b c d e f h g; do
		[ -s "$W/$f.log" ] || continue
		echo "--- $f.log"
		tail -n 30 "$W/$f.log"
	done
fi
[ $fails -eq 0 ]
