#!/bin/bash
# it_vmgroupd_data.sh - what vmgroupd keeps and refuses, against the real
# KDC + slapd of tests/testenv.sh:
#  * a late register stamped before a release does not bring the VM back,
#    in the running daemon and after a restart (release records);
#  * quarantine never overwrites; odd spool names are quarantined under a
#    plain name and logged once each;
#  * a reload with an unsafe keytab, a new spool or a new state folder is
#    refused and the running daemon goes on;
#  * one daemon per state folder and per spool, also once the spool is
#    made again (taken again, or, if another daemon took it, stopping);
#  * many VMs tracked, one event a pass: one journal line written a pass,
#    the snapshot not rewritten;
#  * a full state folder (a small tmpfs in a mount namespace of ours):
#    the log names the cause, the event stays in the spool, and it is
#    written once there is room.
# Every wait polls for an outcome, with a bound; nothing sleeps for a race.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
if [ -z "${VMG_TEST_DIR:-}" ]; then
	exec "$top_srcdir/tests/with-testenv.sh" bash "$0" "$@"
fi
. "$top_srcdir/tests/lib-it.sh"
. "$top_srcdir/tests/lib-proc.sh"
dpid=
fpid=
bpid=

stop_pid() { # pid: TERM, then wait (KILL after 5 s)
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null
	wait_gone "$1"
	wait "$1" 2>/dev/null
}
cleanup() {
	kill -CONT $dpid $bpid 2>/dev/null
	stop_pid "$dpid"
	stop_pid "$bpid"
	stop_pid "$fpid"
	chmod 0600 "$VMG_TEST_KEYTAB" 2>/dev/null
}
trap cleanup EXIT

starts() { grep -c "directory URI" "$W/log" 2>/dev/null || true; }
started_since() { [ "$(starts)" -gt "$1" ]; }
start_daemon() {
	local n
	n=$(starts)
	"$VMGROUPD" -d --allow-root -f "$CONF" >>"$W/log" 2>&1 &
	dpid=$!
	wait_for 20 started_since "${n:-0}"
}
stop_daemon() { stop_pid "$dpid"; dpid=; }
alive() { kill -0 "$dpid" 2>/dev/null; }
spool_empty() { [ -z "$(ls -A "$SPOOL/new")" ]; }
logged() { grep -q -- "$1" "$W/log"; }
count_logged() { grep -c -F -- "$1" "$W/log"; }
# Queue a file the way doc/spool.md says: tmp/, then a rename into new/.
drop() { # name content
	printf '%s' "$2" >"$SPOOL/tmp/x.$$" && mv "$SPOOL/tmp/x.$$" "$SPOOL/new/$1"
}
at() { # time op vm [register options]
	local t=$1 op=$2 vm=$3
	shift 3
	"$VMGROUP" "$op" -s "$SPOOL" -t "$t" -H hv1 -S dhcp -n "$vm" "$@" \
	    >/dev/null || bad "$op $vm at $t"
}
has_a() { [ "$(values "$1" "$Z")" = "$(rec_a "$2") " ]; }

G=hv1-late-vm
# the VM and everything it led to are gone from the directory
late_gone() {
	tombstoned $G "$Z" && tombstoned "_vm._tcp.$G" "$Z" &&
	    tombstoned late1 "$Z" && tombstoned 50 "$R4" &&
	    [ -z "$(admin -b "CN=$G,$VMG_TEST_OU_DN" -s base dn)" ] &&
	    ! values _vmgroup._tcp.hv1 "$Z" | grep -q -F -- "$(rec_srv "$G.$Z")"
}

write_conf image yes "backoff_max = 2
rescan_interval = 1"

# --- a late register after a release, in the running daemon
start_daemon || bad "daemon did not start"
at "$T" register late1 -i late -a 192.0.2.50
check "registered" wait_for 20 has_a $G 192.0.2.50
at $((T + 100)) release late1
check "released: the group is tombstoned" wait_for 20 tombstoned $G "$Z"
at $((T + 50)) register late1 -i late -a 192.0.2.50
check "the late register was read" wait_for 20 spool_empty
check "a late register older than the release does not bring the VM back" \
	late_gone

# --- quarantine never overwrites
drop ab.json 'first'
# the reason is written before the file is moved: wait for the move too,
# or the next drop of that name lands on the first file still in new/
quarantined() { [ -f "$SPOOL/quarantine/$1.reason" ] && [ -f "$SPOOL/quarantine/$1" ] &&
	[ ! -e "$SPOOL/new/$1" ]; }
check "refused file quarantined" wait_for 20 quarantined ab.json
drop ab.json 'second'
check "a second file of that name quarantined beside it" \
	wait_for 20 test -f "$SPOOL/quarantine/ab.json~1.reason"
drop ab.json.reason 'third'
check "a file named like a reason quarantined beside it" \
	wait_for 20 test -f "$SPOOL/quarantine/ab.json.reason~1.reason"
check "the first file is intact" test "$(cat "$SPOOL/quarantine/ab.json")" = first
check "the second file is intact" test "$(cat "$SPOOL/quarantine/ab.json~1")" = second
check "the third file is intact" \
	test "$(cat "$SPOOL/quarantine/ab.json.reason~1")" = third
check "the first file's reason is still its reason" grep -q "JSON object" \
	"$SPOOL/quarantine/ab.json.reason"

# --- odd names in new/: quarantined under a plain name, logged once each
long=$(printf 'x%.0s' $(seq 241))
drop "$(printf 'nl\nname.json')" '{}'
drop "$(printf 'esc\033[31m.json')" '{}'
drop "$(printf 'caf\303\251.json')" '{}'
drop "$long.json" '{}'
at "$T" register odd1 -i late2 -a 198.51.100.1	# a pass, whatever wakes it
quoted_long="\"$(printf 'x%.0s' $(seq 40))...\""
odd_quoted=('"nl\x0aname.json"' '"esc\x1b[31m.json"' '"caf\xc3\xa9.json"'
	"$quoted_long")
all_odd_logged() {
	local q
	for q in "${odd_quoted[@]}"; do
		grep -q -F -- "spool file $q quarantined as badname-" "$W/log" ||
			return 1
	done
}
check "odd names logged, quoted" wait_for 20 all_odd_logged
check "and moved out of new/" wait_for 20 spool_empty
check "into quarantine under plain names" test \
	"$(ls "$SPOOL/quarantine" | grep -c '^badname-.*\.json$')" -eq 4
check "each reason quotes the old name" grep -q -F '"nl\x0aname.json"' \
	"$SPOOL"/quarantine/badname-*.reason
check "the pass wrote its event" wait_for 20 has_a hv1-late2-vm 198.51.100.1
at "$T" register odd2 -i late3 -a 198.51.100.2
check "another pass" wait_for 20 has_a hv1-late3-vm 198.51.100.2
for q in "${odd_quoted[@]}"; do
	check "logged once: $q" test "$(count_logged "spool file $q")" -eq 1
done

# --- a reload with a keytab that became unsafe keeps the running daemon
chmod 0644 "$VMG_TEST_KEYTAB"
kill -HUP "$dpid"
check "reload with a world-readable keytab refused" wait_for 20 logged \
	"reload refused, keeping the running configuration: keytab .*lets others read"
check "the daemon is still running" alive
# its ticket came from the keytab without the SPAKE and PKINIT preauth
# modules, which would map OpenSSL's libcrypto (~1.5 MiB) for nothing
check "no SPAKE or PKINIT module loaded, no libcrypto mapped" sh -c \
	'! grep -q -e "/spake\.so" -e "/pkinit\.so" -e "libcrypto" "/proc/$1/maps"' \
	sh "$dpid"
chmod 0600 "$VMG_TEST_KEYTAB"
at "$T" register k1 -i keytab -a 198.51.100.3
check "and still writes" wait_for 20 has_a hv1-keytab-vm 198.51.100.3

# --- a reload that moves the spool or the state folder is refused
cp "$CONF" "$W/conf.saved"
sed -i "s|^spool = .*|spool = $W/spool3|" "$CONF"
kill -HUP "$dpid"
check "reload with another spool refused, saying why" wait_for 20 logged \
	"reload refused, keeping the running configuration: spool changed from $SPOOL to $W/spool3"
check "the other spool was not even made" test ! -e "$W/spool3"
cp "$W/conf.saved" "$CONF"
sed -i "s|^state_dir = .*|state_dir = $W/state3|" "$CONF"
kill -HUP "$dpid"
check "reload with another state folder refused" wait_for 20 logged \
	"reload refused, keeping the running configuration: state_dir changed from"
cp "$W/conf.saved" "$CONF"
check "the daemon is still running" alive
at "$T" register s1 -i spool -a 198.51.100.4
check "and serves the old spool" wait_for 20 has_a hv1-spool-vm 198.51.100.4

# --- one daemon per state folder
sed "s|^spool = .*|spool = $W/spool2|" "$CONF" >"$W/conf2"
before=$(md5sum <"$W/state/registrations.json")
timeout 10 "$VMGROUPD" -d --allow-root -f "$W/conf2" >"$W/second.out" 2>&1
check "a second daemon on the same state folder is refused" test $? -eq 1
check "saying so" grep -q "another vmgroupd already serves state folder" \
	"$W/second.out"
check "before it loaded the state or asked the KDC" sh -c \
	'! grep -q -e "loaded .* registration" -e "ticket" "$1"' sh \
	"$W/second.out"
check "the state was not touched" test \
	"$(md5sum <"$W/state/registrations.json")" = "$before"

# --- the spool made again: the lock is taken again, a second daemon refused
mv "$SPOOL" "$W/spool.old"
"$VMGROUPD" -t -f "$CONF" >/dev/null 2>&1 || bad "spool made again"
at "$T" register r1 -i remade -a 198.51.100.5
check "the new spool is served" wait_for 20 has_a hv1-remade-vm 198.51.100.5
check "its lock was taken again" logged "spool $SPOOL was gone .*locked it again"
sed "s|^state_dir = .*|state_dir = $W/state2|" "$CONF" >"$W/conf2"
timeout 10 "$VMGROUPD" -d --allow-root -f "$W/conf2" >"$W/second.out" 2>&1
check "a second daemon on the spool made again is refused" test $? -eq 1
check "saying so" grep -q "another vmgroupd already serves spool" \
	"$W/second.out"
rm -rf "$W/spool.old"

# --- the spool made again and taken by another daemon first: this one
# stops (two must not serve one spool).  SIGSTOP holds each daemon still
# while the other acts, so the order is certain.
kill -STOP "$dpid"
mv "$SPOOL" "$W/spool.old"
"$VMGROUPD" -t -f "$CONF" >/dev/null 2>&1 || bad "spool made again"
sed "s|^state_dir = .*|state_dir = $W/state4|; s|^host = .*|host = hv4|" \
	"$CONF" >"$W/conf4"
"$VMGROUPD" -d --allow-root -f "$W/conf4" >"$W/b.log" 2>&1 &
bpid=$!
check "another daemon takes the spool made again" \
	wait_for 20 grep -q "directory URI" "$W/b.log"
kill -STOP "$bpid"
kill -CONT "$dpid"
at "$T" register r2 -i remade -a 198.51.100.6	# a pass of the first
check "the first daemon stops, saying why" wait_for 20 logged \
	"spool $SPOOL was made again while vmgroupd ran, and another vmgroupd serves it now; stopping"
wait "$dpid"
check "with status 1" test $? -eq 1
dpid=
kill -CONT "$bpid"
stop_pid "$bpid"
bpid=
rm -rf "$W/spool.old"
stop_daemon

# --- a late register after a release, after a restart
at $((T + 60)) register late1 -i late -a 192.0.2.50
check "pass after the restart" pass
check "the release record was loaded" logged "[1-9][0-9]* release records\? "
check "the late register does not bring the VM back after a restart" late_gone
check "nor did it stay in the spool" spool_empty

# --- many VMs tracked, one event a pass: the state folder gets that event
# as one journal line, not the whole registrations file again
many_tracked() {
	local st=$W/statem sp=$W/spoolm cf=$W/conf-many i k name line size \
	    snap grew=ok n=1000
	sed "s|^spool = .*|spool = $sp|; s|^state_dir = .*|state_dir = $st|;
	    s|^host = .*|host = hv4|; s|^vm_records = .*|vm_records = no|" \
	    "$CONF" >"$cf"
	"$VMGROUPD" -t -f "$cf" >/dev/null 2>&1 || bad "many: spool"
	ev() { # i time: the canonical register line of VM m<i>
		printf '{"version":1,"op":"register","host":"hv4","vm":"m%d","image":"img%d","addresses":["2001:db8:4::%x"],"source":"dhcp","time":%d,"expires":%d}\n' \
		    "$1" $(($1 % 4)) $(($1 + 1)) "$2" $(($2 + 86400))
	}
	for ((i = 0; i < n; i++)); do
		name=$(printf '%020d-%d-%08x.json' $((T * 1000000000 + i)) $$ "$i")
		ev "$i" "$T" >"$sp/tmp/$name" && mv "$sp/tmp/$name" "$sp/new/$name"
	done
	"$VMGROUPD" --once --allow-root -f "$cf" >>"$W/log" 2>&1
	check "many: $n VMs in one pass" test -z "$(ls -A "$sp/new")"
	check "many: they are in the snapshot" test \
		"$(grep -c '"op":"register"' "$st/registrations.json")" -eq $n
	snap=$(md5sum <"$st/registrations.json")
	for k in 1 2 3 4 5; do
		size=$(stat -c %s "$st/registrations.journal" 2>/dev/null || echo 0)
		line=$(ev $((k * 7)) $((T + k)))
		printf '%s\n' "$line" >"$sp/tmp/one$k" && mv "$sp/tmp/one$k" "$sp/new/one$k"
		"$VMGROUPD" --once --allow-root -f "$cf" >>"$W/log" 2>&1
		[ "$(stat -c %s "$st/registrations.journal")" -eq \
		    $((size + ${#line} + 1)) ] || grew="pass $k: $size -> $(stat -c %s "$st/registrations.journal")"
	done
	check "many: each one-event pass adds its event's line to the journal, nothing more ($grew)" \
		test "$grew" = ok
	check "many: the snapshot was not rewritten" test \
		"$(md5sum <"$st/registrations.json")" = "$snap"
	check "many: the spool emptied" test -z "$(ls -A "$sp/new")"
	check "many: the last event is kept" grep -qF "$line" "$st/registrations.journal"
}
many_tracked

# --- a full state folder: a tmpfs of ours in a private mount namespace
full_disk() {
	local st=$W/statef sp=$W/spoolf cf=$W/conf-full i
	mkdir -p "$st"
	sed "s|^spool = .*|spool = $sp|; s|^state_dir = .*|state_dir = $st|;
	    s|^host = .*|host = hv3|; s|^vm_records = .*|vm_records = no|" \
	    "$CONF" >"$cf"
	"$VMGROUPD" -t -f "$cf" >/dev/null 2>&1 || bad "full-disk spool"
	: >"$W/log-full"
	unshare -m --propagation private sh -c '
		mount -t tmpfs -o size=256k,mode=0750 vmg-full "$1" || exit 97
		dd if=/dev/zero of="$1/filler" bs=4k >/dev/null 2>&1
		exec "$2" -d --allow-root -f "$3"' sh "$st" "$VMGROUPD" "$cf" \
	    >>"$W/log-full" 2>&1 &
	fpid=$!
	"$VMGROUP" register -s "$sp" -t "$T" -H hv3 -S dhcp -n full1 -i disk \
	    -a 198.51.100.9 >/dev/null || bad "register full1"
	check "a full state folder is logged with its cause" wait_for 20 grep -q \
		"owned.json.*No space left on device" "$W/log-full"
	check "not as a change under us" sh -c "! grep -q 'changed under us' '$W/log-full'"
	check "the event stays in the spool" test -n "$(ls -A "$sp/new")"
	check "the daemon keeps running" kill -0 "$fpid"
	nsenter -t "$fpid" -m rm -f "$st/filler" || bad "free the tmpfs"
	check "written once there is room" wait_for 30 has_a hv3-disk-vm 198.51.100.9
	check "and the spool emptied" wait_for 20 sh -c "[ -z \"\$(ls -A '$sp/new')\" ]"
	# full again; VMs join a group that exists: the directory takes them,
	# the registrations cannot be saved (30 journal lines are more than
	# the room left in the journal's last page)
	nsenter -t "$fpid" -m dd if=/dev/zero of="$st/filler" bs=4k \
	    >/dev/null 2>&1
	for i in $(seq 2 31); do
		"$VMGROUP" register -s "$sp" -t "$T" -H hv3 -S dhcp -n full$i \
		    -i disk -a 198.51.100.$((8 + i)) >/dev/null || bad "register full$i"
	done
	check "registrations that cannot be saved are logged with the cause" \
		wait_for 20 grep -q \
		"saving registrations: .*registrations\.j.*No space left on device" \
		"$W/log-full"
	check "their event stays in the spool" test -n "$(ls -A "$sp/new")"
	check "the daemon keeps running" kill -0 "$fpid"
	nsenter -t "$fpid" -m rm -f "$st/filler" || bad "free the tmpfs"
	check "saved once there is room" wait_for 20 sh -c "[ -z \"\$(ls -A '$sp/new')\" ]"
	check "and kept" nsenter -t "$fpid" -m sh -c "cat '$st/registrations.json' \
		'$st/registrations.journal' 2>/dev/null | grep -q '\"vm\":\"full31\"'"
	stop_pid "$fpid"	# the tmpfs goes with its namespace
	fpid=
}
if [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
	full_disk
else
	[ "${CI:-}" != true ] || bad "the full-disk test needs root (a mount namespace)"
	echo "note: full-disk test skipped (not root)"
fi

echo "$fails failure(s)"
[ $fails -eq 0 ] || { echo "--- vmgroupd log"; tail -n 60 "$W/log"; \
	[ ! -f "$W/log-full" ] || { echo "--- full-disk log"; tail -n 30 "$W/log-full"; }; }
[ $fails -eq 0 ]
