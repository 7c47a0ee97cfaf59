# lib-it.sh - set-up and helpers of the vmgroupd integration tests against
# the KDC + slapd of tests/with-testenv.sh (VMG_TEST_* variables).

. "$top_srcdir/tests/lib-dnsrec.sh"
SOA_SERIAL=$VMG_TEST_SOA_SERIAL
VMGROUP=$top_builddir/vmgroup
VMGROUPD=$top_builddir/vmgroupd
W=$VMG_TEST_DIR/it
SPOOL=$W/spool
CONF=$W/vmgroupd.conf
Z=$VMG_TEST_ZONE
R4=$VMG_TEST_REVZONE4
R6=$VMG_TEST_REVZONE6
T=$(date +%s)
fails=0
mkdir -p "$W" && chmod 0750 "$W"

ok() { echo "ok: $1"; }
bad() { echo "FAILED: $1"; fails=$((fails + 1)); }
check() { # description command...
	local what=$1
	shift
	if "$@"; then ok "$what"; else bad "$what"; fi
}

write_conf() { # grouping vm_records [extra [daemon] settings]
	cat >"$CONF" <<EOF
[directory]
uri = $VMG_TEST_LDAP_URI
principal = $VMG_TEST_PRINCIPAL
keytab = $VMG_TEST_KEYTAB
base = $VMG_TEST_BASE
groups_ou = $VMG_TEST_OU_DN
timeout = 10

[dns]
zone = $Z
reverse_zones = $R4 $R6
ttl = 300
vm_records = ${2:-no}

[groups]
host = hv1
grouping = ${1:-image}

[daemon]
spool = $SPOOL
state_dir = $W/state
${3:-}
EOF
}

reg() { "$VMGROUP" register -s "$SPOOL" -t "$T" -H hv1 -S dhcp "$@" >/dev/null ||
	bad "register $*"; }
rel() { "$VMGROUP" release -s "$SPOOL" -t $((T + 1)) -H hv1 -S dhcp -n "$1" \
	>/dev/null || bad "release $1"; }
pass() { "$VMGROUPD" --once --allow-root -f "$CONF" >>"$W/log" 2>&1; }
# The state files (snapshot and journal) hold a line matching $1.
state_has() { cat "$W/state/registrations.json" "$W/state/registrations.journal" \
	2>/dev/null | grep -q -- "$1"; }

admin() { ldapsearch -x -LLL -o ldif-wrap=no -H "$VMG_TEST_LDAP_URI" \
	-D "$VMG_TEST_ADMIN_DN" -w "$VMG_TEST_ADMIN_PW" "$@" 2>/dev/null; }
node_dn() { echo "DC=$1,DC=$2,CN=MicrosoftDNS,DC=DomainDnsZones,$VMG_TEST_BASE"; }
# Every dnsRecord value of a node, base64, sorted, one line.
all_values() { admin -b "$(node_dn "$1" "$2")" -s base dnsRecord |
	sed -n 's/^dnsRecord:: //p' | sort | tr '\n' ' '; }
# 0 if the base64 value $1 is an owner value (sync/ownrec.h): type TXT,
# its first string "vmgroup=1 host=...".
is_owner() {
	[ "$(printf %s "$1" | base64 -d | od -An -tx1 -j2 -N2 | tr -d ' ')" = 1000 ] &&
	    printf %s "$1" | base64 -d | tail -c +26 | head -c 15 |
	    grep -q -F 'vmgroup=1 host='
}
# The values of a node but its owner value, as all_values.
values() {
	local v
	for v in $(all_values "$1" "$2"); do
		is_owner "$v" || printf '%s ' "$v"
	done
}
# The hosts the node's owner values name, sorted, one line ("hv1 ").
owners() {
	local v
	for v in $(all_values "$1" "$2"); do
		is_owner "$v" && printf %s "$v" | base64 -d | tail -c +26 |
		    sed -n 's/^vmgroup=1 host=\([a-z0-9-]*\).*/\1/p'
	done | sort | tr '\n' ' '
}
attr() { # dn attr -> values, sorted, one line
	admin -b "$1" -s base "$2" | sed -n "s/^$2: //p" | sort | tr '\n' ' '; }
sorted() { [ $# -eq 0 ] || printf '%s\n' "$@" | sort | tr '\n' ' '; }
expect_node() { # name zone description value...
	local name=$1 zone=$2 what=$3 got want owner
	shift 3
	got=$(values "$name" "$zone")
	want=$(sorted "$@")
	owner=$(owners "$name" "$zone")
	# a node of ours holding records holds one owner value, this host's
	# (OWNER, default hv1); OWNER= for a node not ours: none
	local want_owner=${OWNER-hv1}
	[ -z "$want_owner" ] || want_owner="$want_owner "
	[ $# -eq 0 ] || [ "$owner" = "$want_owner" ] ||
	    got="$got (owner values: [$owner])"
	if [ "$got" = "$want" ]; then
		ok "$what"
	else
		bad "$what: $name.$zone holds [$got], want [$want]"
	fi
}
tombstoned() { # name zone: one type-0 value and dNSTombstoned TRUE
	local v
	v=$(all_values "$1" "$2")
	[ "$(attr "$(node_dn "$1" "$2")" dNSTombstoned)" = "TRUE " ] || return 1
	[ "$(echo $v | wc -w)" -eq 1 ] || return 1
	[ "$(echo $v | base64 -d | od -An -tx1 -j2 -N2 | tr -d ' ')" = 0000 ]
}
# json_is DOC EXPR: DOC parses as one JSON document (python3's json) and
# the Python expression EXPR over it (d) holds; else the document is shown.
# group(NAME) and node(NAME) pick one of d's groups or nodes by name;
# since(T) is the seconds since an RFC 3339 UTC time.
json_is() {
	printf '%s' "$1" | python3 -c 'import calendar, json, re, sys, time
d = json.load(sys.stdin)
def group(name):
    return [g for g in d["groups"] if g["name"] == name][0]
def node(name):
    return [n for n in d["nodes"] if n["name"] == name][0]
def since(t):  # seconds since an RFC 3339 UTC time
    return time.time() - calendar.timegm(time.strptime(t, "%Y-%m-%dT%H:%M:%SZ"))
try:
    ok = eval("(" + sys.argv[1] + "\n)")
except (KeyError, IndexError, TypeError, ValueError) as e:
    print("json_is: %r" % e, file=sys.stderr)
    ok = False
if not ok:
    print(json.dumps(d, indent=1)[:3000], file=sys.stderr)
sys.exit(0 if ok else 1)' "$2"
}
# The vmGroupBlockedBy that block writes without --by, as cli_block.c
# composes it: WHO, the first label of the host name (gethostname, as
# uname -n says it; lower case), unless that is no DNS label
whoami_on() {
	local h
	h=$(uname -n | cut -d. -f1 | tr A-Z a-z)
	if printf '%s' "$h" | grep -Eqx '[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?' &&
	    [ "$h" != localhost ]; then
		echo "$1 on $h"
	else
		echo "$1"
	fi
}

# The enforcer's tests (lib-proc.sh sourced too): root and nft, or skip
# (77; a failure under CI=true); network namespace $1 made, and deleted at
# exit after the processes $epid and $npid (when set) are ended.
epid=
npid=
enf_ns() {
	if [ "$(id -u)" -ne 0 ] || ! command -v nft >/dev/null; then
		echo "note: needs root and nft (network namespaces)"
		[ "${CI:-}" != true ] || { echo "FAILED: CI=true: root and nft are required"; exit 1; }
		exit 77
	fi
	ENF_NS=$1
	trap enf_cleanup EXIT
	ip netns add "$1" || { echo "FAILED: ip netns add $1"; exit 1; }
}
enf_cleanup() {
	local p
	for p in $epid $npid; do
		kill -TERM "$p" 2>/dev/null
		wait_gone "$p"
	done
	ip netns del "$ENF_NS" 2>/dev/null
}
