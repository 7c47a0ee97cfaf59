#!/bin/sh
# cli_plan.sh - vmgroup register/release/plan end to end on a private spool:
# the hook-facing command refuses bad input and queues nothing for it, and
# plan prints the names and record bytes the model derives.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
VMGROUP=$top_builddir/vmgroup
spool=$(mktemp -d "${TMPDIR:-/tmp}/vmg-cli.XXXXXX") || exit 1
trap 'rm -rf "$spool"' EXIT
fails=0
ok() { echo "ok: $1"; }
bad() { echo "FAILED: $1"; fails=$((fails + 1)); }
expect_line() { # file line description
	if grep -qxF -- "$2" "$1"; then ok "$3"; else bad "$3: no line '$2'"; cat "$1"; fi
}
count_new() { find "$spool/new" -name '*.json' 2>/dev/null | wc -l; }

T=1764000000
"$VMGROUP" register -s "$spool" -t $T -H hv1 -n web1 -i debian-12 \
	-a 192.0.2.10 -a 2001:db8::10 -S dhcp -l 3600 >/dev/null || bad "register web1"
"$VMGROUP" register -s "$spool" -t $T -H hv1 -n WEB2 -i Debian-12 \
	-a 192.0.2.11 >/dev/null || bad "register WEB2 (case-folded)"
"$VMGROUP" register -s "$spool" -t $T -H hv1 -n db1 -i rocky-9 \
	-a 192.0.2.20 >/dev/null || bad "register db1"
[ "$(count_new)" -eq 3 ] && ok "three files queued" || bad "three files queued"

# refusals: the exit status, a reason naming the field, nothing queued
for args in "-n dc1.example.test" "-n _ldap" "-n wpad" "-n -x" \
	"-n $(printf 'a%.0s' $(seq 64))" "-n vm1 -a 300.1.1.1" "-n vm1 -l soon" \
	"-n a/b" "-n a\"b"; do
	# shellcheck disable=SC2086
	if "$VMGROUP" register -s "$spool" -t $T -H hv1 -a 192.0.2.99 $args \
	    >/dev/null 2>"$spool/err"; then
		bad "refuse $args"
	elif ! grep -q . "$spool/err"; then
		bad "refuse $args: no message"
	else
		ok "refuse $args: $(head -n 1 "$spool/err")"
	fi
done
[ "$(count_new)" -eq 3 ] && ok "nothing queued by refusals" || bad "refusals queued files"
"$VMGROUP" register -s "$spool" -H hv1 -n "$(printf 'a\nb')" -a 192.0.2.9 \
	>/dev/null 2>"$spool/err"
[ $? -eq 1 ] && grep -q 'a\\x0ab.*control characters' "$spool/err" &&
	ok "a control character is refused by name, not as an escape" ||
	{ bad "control character"; cat "$spool/err"; }

"$VMGROUP" release -s "$spool" -t $((T + 1)) -H hv1 -n db1 >/dev/null || bad "release db1"
"$VMGROUP" plan -s "$spool" -H hv1 -z example.test -r 2.0.192.in-addr.arpa \
	--now $((T + 10)) --hex >"$spool/plan" 2>&1 || bad "plan exit status"
expect_line "$spool/plan" "group hv1-debian-12-vm.example.test" "group name"
expect_line "$spool/plan" "  members web1 web2" "members, case-folded"
expect_line "$spool/plan" "  addresses 192.0.2.10 192.0.2.11 2001:db8::10" "addresses"
expect_line "$spool/plan" "  A 192.0.2.10  ttl 300" "A record"
# MS-DNSP bytes: length 4, type 1, version 5, rank F0, serial 1, TTL 300 (BE)
expect_line "$spool/plan" "    0400010005f00000010000000000012c0000000000000000c000020a" "A bytes"
expect_line "$spool/plan" "  SRV 0 0 0 hv1-debian-12-vm.example.test  ttl 300" "host SRV"
expect_line "$spool/plan" "  PTR web2.example.test  ttl 300" "PTR"
if grep -q rocky "$spool/plan"; then bad "released db1 still planned"; else ok "release"; fi

# expiry: web1's lease ends at T+3600
"$VMGROUP" plan -s "$spool" -H hv1 -z example.test --now $((T + 3600)) \
	>"$spool/plan2" 2>&1 || bad "plan 2 exit status"
expect_line "$spool/plan2" "  members web2" "expired lease leaves the group"

"$VMGROUP" --help >/dev/null && ok "--help" || bad "--help"
"$VMGROUP" plan --help | grep -q -- '--reverse-zone' && ok "plan --help" || bad "plan --help"
[ $fails -eq 0 ]
