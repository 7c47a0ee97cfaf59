#!/bin/bash
# it_enforce_poll.sh - vmgroup enforce --follow where the directory does
# not follow: a slapd without syncprov (tests/testenv.sh,
# VMG_TESTENV_SYNCPROV=no: the root DSE offers nothing), and one with the
# module but no overlay on the database (=module: the root DSE lists the
# control, the search is refused).  Both times it says it falls back to
# polling, polls every --interval seconds, and does not reconnect in a loop.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
if [ -z "${VMG_TEST_DIR:-}" ]; then
	rc=0
	for VMG_TESTENV_SYNCPROV in no module; do
		export VMG_TESTENV_SYNCPROV
		echo "--- slapd with VMG_TESTENV_SYNCPROV=$VMG_TESTENV_SYNCPROV"
		"$top_srcdir/tests/with-testenv.sh" bash "$0" "$@" || rc=1
	done
	exit $rc
fi
. "$top_srcdir/tests/lib-it.sh"
. "$top_srcdir/tests/lib-proc.sh"
G1=hv1-debian-12-vm
ns=vmg-enfp-$$
enf_ns "$ns"
elems() { ip netns exec "$ns" nft list set inet vmgroup blocked4 2>/dev/null |
	tr -d '\n\t' | sed -n 's/.*elements = { \([^}]*\) }.*/\1/p' | tr -s ' '; }
v4_is() { [ "$(elems)" = "$1" ]; }

write_conf image no
reg -n web1 -i debian-12 -a 192.0.2.10 -l 3600
check "vmgroupd writes the group" pass
if [ "$VMG_TESTENV_SYNCPROV" = no ]; then
	check "the root DSE offers no syncrepl" sh -c "! ldapsearch -x -LLL \
		-H '$VMG_TEST_LDAP_URI' -b '' -s base supportedControl |
		grep -q 1.3.6.1.4.1.4203.1.9.1.1"
	why="offers neither change notification nor syncrepl: polling every 2 s"
else
	check "the root DSE lists syncrepl" sh -c "ldapsearch -x -LLL \
		-H '$VMG_TEST_LDAP_URI' -b '' -s base supportedControl |
		grep -q 1.3.6.1.4.1.4203.1.9.1.1"
	why="refused to follow .*: polling every 2 s"
fi
"$VMGROUP" enforce -f "$CONF" --follow --install-rules --family inet \
	--netns "$ns" --interval 2 >"$W/enf.out" 2>"$W/enf.err" &
epid=$!
check "it says it falls back to polling" wait_for 30 grep -q "$why" "$W/enf.err"
check "the set is empty" wait_for 30 v4_is ""
"$VMGROUP" block -f "$CONF" $G1 >/dev/null
check "a poll brings the block" wait_for 30 v4_is "192.0.2.10"
"$VMGROUP" unblock -f "$CONF" $G1 >/dev/null
check "and the unblock" wait_for 30 v4_is ""
check "it connected once: no reconnect loop" test "$(grep -c \
	'keep what they hold' "$W/enf.err")" -eq 0
kill -TERM "$epid"
wait "$epid"
check "SIGTERM: a clean stop" test $? -eq 0
epid=
echo "--- the enforcer's stderr"
cat "$W/enf.err"
exit $((fails > 0))
