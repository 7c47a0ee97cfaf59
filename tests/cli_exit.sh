#!/bin/sh
# cli_exit.sh - the exit status of every vmgroup command, as the EXIT STATUS
# tables of man/vmgroup.1 state them, for every case that needs no
# directory (query's 3 and block's 1 for an unknown group are in
# tests/it_vmgroupd.sh, against the test slapd).
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
VMGROUP=$top_builddir/vmgroup
w=$(mktemp -d "${TMPDIR:-/tmp}/vmg-exit.XXXXXX") || exit 1
trap 'rm -rf "$w"' EXIT
fails=0
ok() { echo "ok: $1"; }
bad() { echo "FAILED: $1"; fails=$((fails + 1)); }
exits() { # code description vmgroup-args...
	want=$1 what=$2
	shift 2
	"$VMGROUP" "$@" >"$w/out" 2>"$w/err" </dev/null
	got=$?
	if [ "$got" -ne "$want" ]; then
		bad "$what: exit $got, documented $want ($(head -n 1 "$w/err"))"
	elif [ "$want" -ne 0 ] && ! grep -q . "$w/err"; then
		bad "$what: exit $got but no message"
	else
		ok "$what: $want"
	fi
}
spool=$w/spool
S="-s $spool -t 1764000000 -H hv1 -a 192.0.2.10"

# the documentation itself: one table per command, and the old claim gone
man=$top_srcdir/man/vmgroup.1
for c in 'register ", " release' plan status query 'block ", " unblock' enforce; do
	if grep -q "^\.BR $c :\$" "$man"; then ok "man page: a table for $c"
	else bad "man page: a table for $c"; fi
done
if grep -q 'or a value that is$' "$man" || grep -q 'no DNS label or address), 3' "$man"; then
	bad "man page still says 2 for any value that is no DNS label"
else
	ok "man page no longer says 2 for every value that is no DNS label"
fi

# vmgroup itself
exits 0 "--help" --help
exits 0 "--version" -V
exits 2 "no command"
exits 2 "an unknown command" frobnicate

# register, release
# shellcheck disable=SC2086
{
exits 0 "register: queued" register $S -n web1
exits 0 "release: queued" release -s "$spool" -H hv1 -n web1
exits 0 "register --help" register --help
exits 1 "register: a VM name that is no DNS label" register $S -n bad_name
exits 1 "register: a host name that is no DNS label" register -s "$spool" -H hv1.x -n web1 -a 192.0.2.10
exits 1 "release: a VM name that is no DNS label" release -s "$spool" -H hv1 -n a.b
exits 1 "register: a reserved name" register $S -n _ldap
exits 1 "register: -n missing" register $S
exits 1 "register: -H missing" register -s "$spool" -n web1 -a 192.0.2.10
exits 1 "register: no valid address" register $S -n web1 -a 300.1.1.1
exits 1 "register: a bad MAC" register $S -n web1 -m zz
exits 1 "register: a bad source" register $S -n web1 -S carrier-pigeon
exits 1 "register: both --lease and --expires" register $S -n web1 -l 60 -e 1764000060
exits 1 "register: a control character" register $S -n "$(printf 'a\tb')"
exits 1 "register: a quote" register $S -n 'a"b'
: >"$w/file"
exits 1 "register: the spool cannot be created" register -s "$w/file/spool" -t 1764000000 -H hv1 -a 192.0.2.10 -n web1
exits 2 "register: an unknown option" register $S -n web1 --bogus
exits 2 "register: a missing option argument" register $S -n
exits 2 "register: an extra operand" register $S -n web1 extra
exits 2 "register: --lease that is no whole number" register $S -n web1 -l soon
exits 2 "register: --expires that is no whole number" register $S -n web1 -e tomorrow
exits 2 "register: --time that is no whole number" register -s "$spool" -t now -H hv1 -n web1 -a 192.0.2.10
}

# plan
P="-s $spool -H hv1 -z example.test"
# shellcheck disable=SC2086
{
exits 0 "plan: printed" plan $P
exits 0 "plan --help" plan --help
exits 2 "plan: -z missing" plan -s "$spool" -H hv1
exits 2 "plan: --host that is no DNS label" plan -s "$spool" -H hv_1 -z example.test
exits 2 "plan: --zone that is no zone" plan -s "$spool" -H hv1 -z 'exa mple.test'
exits 2 "plan: --reverse-zone that is no zone" plan $P -r '2.0.192..in-addr.arpa'
exits 2 "plan: --host-group that is no DNS label" plan $P --host-group a.b
exits 2 "plan: a bad --grouping" plan $P -g vm
exits 2 "plan: a bad --ttl" plan $P --ttl -1
exits 2 "plan: an extra operand" plan $P extra
exits 1 "plan: the spool cannot be listed" plan -s "$w/nonexistent" -H hv1 -z example.test
printf '{"version":' >"$spool/new/00-broken.json"
exits 1 "plan: a spool file that is no valid event" plan $P
grep -q '^# host hv1' "$w/out" && ok "plan: the others' plan is still printed" ||
	bad "plan: the others' plan is still printed"
}

# status, query, block, unblock, enforce: up to the directory
cat >"$w/vmgroupd.conf" <<EOF
[directory]
uri = ldap://127.0.0.1:9
principal = svc-vmgroup@EXAMPLE.TEST
keytab = $w/vmgroupd.keytab
base = DC=example,DC=test
groups_ou = OU=VM Groups,DC=example,DC=test
[dns]
zone = example.test
[groups]
host = hv1
[daemon]
spool = $spool
state_dir = $w/state
EOF
printf '\005\002' >"$w/vmgroupd.keytab"
chmod 0644 "$w/vmgroupd.keytab"	# refused: no ticket, nothing contacted
F="-f $w/vmgroupd.conf"
N="-f $w/nonexistent.conf"
# shellcheck disable=SC2086
{
exits 0 "status --help" status --help
exits 2 "status: an unknown option" status --bogus
exits 2 "status: an operand" status extra
exits 1 "status: no configuration" status $N
exits 1 "status: a keytab that is refused" status $F
grep -q 'mode 0644 lets others read it' "$w/err" && ok "status: says why" ||
	bad "status: says why"

exits 0 "query --help" query --help
exits 2 "query: no value" query $F host
exits 2 "query: not host, group, ip or vm" query $F owner hv1
exits 2 "query: a host that is no DNS label" query $F host 'hv1)(cn=*'
exits 2 "query: a group that is no DNS label" query $F group a.b
exits 2 "query: a VM that is no DNS label" query $F vm _x
exits 2 "query: no IPv4 or IPv6 address" query $F ip 192.0.2.300
exits 1 "query: no configuration" query $N host hv1
exits 1 "query: a keytab that is refused" query $F host hv1

exits 0 "block --help" block --help
exits 2 "block: no group" block $F
exits 2 "unblock: two groups" unblock $F g1 g2
exits 2 "block: a group that is no DNS label" block $F 'g*'
exits 2 "block: a reason that is no printable text" block $F -r "$(printf 'a\033b')" g1
exits 1 "block: no configuration" block $N g1
exits 1 "unblock: a keytab that is refused" unblock $F g1
exits 2 "block: a group and --host" block $F --host hv1 g1
exits 2 "unblock: a group and -H" unblock $F -H hv1 g1
exits 2 "block: --host that is no DNS label" block $F --host 'hv1)(cn=*'
exits 2 "unblock: a reason (block only)" unblock $F -r why g1
exits 2 "block: --by that is empty" block $F --by '' g1
exits 2 "block: --by with a control character" block $F --by "$(printf 'nac\nx')" g1
exits 2 "block: --by that is no UTF-8" block $F --by "$(printf 'nac\377')" g1
exits 2 "block: --by over 256 characters" block $F -b "$(printf '%0257d' 0)" g1
exits 1 "block: --by of 256 characters is taken (then the keytab is refused)" \
	block $F -b "$(printf '%0256d' 0)" g1
exits 1 "block --host: a keytab that is refused" block $F --host hv1
exits 1 "query --json: a keytab that is refused" query $F --json host hv1
test -s "$w/out" && bad "query --json: nothing on stdout when it fails" ||
	ok "query --json: nothing on stdout when it fails"
exits 1 "status --json: a keytab that is refused" status $F --json
exits 2 "status --json: an operand" status --json extra

exits 0 "enforce --help" enforce --help
exits 2 "enforce: --host that is no DNS label" enforce $F --host a.b
exits 2 "enforce: --interval 0" enforce $F --interval 0
exits 2 "enforce: --interval that is no number" enforce $F --interval often
exits 2 "enforce: an operand" enforce $F extra
exits 1 "enforce: no configuration" enforce $N
exits 1 "enforce: a keytab that is refused" enforce $F --print
exits 2 "enforce: --family that nftables does not know" enforce $F --family arp
exits 2 "enforce: --family with an empty item" enforce $F --family inet,,bridge
exits 2 "enforce: --family twice the same" enforce $F --family inet,inet
exits 2 "enforce: --follow with --print" enforce $F --follow --print
exits 1 "enforce: --install-rules for family ip" enforce $F --install-rules --family ip
exits 1 "enforce --follow: no configuration" enforce $N --follow
}

echo "$fails failure(s)"
[ $fails -eq 0 ]
