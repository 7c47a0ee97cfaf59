#!/bin/sh
# demo.sh - the main job on an embedded default: a throwaway MIT KDC and an
# AD-like OpenLDAP slapd on loopback (tests/testenv.sh), sample VM
# registrations in a throwaway spool, one vmgroupd pass over Kerberos LDAP,
# and the names and records it wrote, read back from the directory.
#
# usage: scripts/demo.sh [BUILDDIR]     (default: the source tree)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top}
VMGROUP=$build/vmgroup
VMGROUPD=$build/vmgroupd
for b in "$VMGROUP" "$VMGROUPD"; do
	[ -x "$b" ] || { echo "demo: $b not built (run make)" >&2; exit 1; }
done
PATH=$PATH:/usr/sbin:/sbin

work=$(mktemp -d "${TMPDIR:-/tmp}/vmgroup-demo.XXXXXX")
mkdir "$work/env"
cleanup() {
	bash "$top/tests/testenv.sh" stop "$work/env" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

echo "== a private KDC (EXAMPLE.TEST) and an AD-like slapd on loopback"
bash "$top/tests/testenv.sh" start "$work/env"
. "$work/env/env.sh"
echo "   $VMG_TEST_LDAP_URI, zone $VMG_TEST_ZONE, service account $VMG_TEST_PRINCIPAL"

cat >"$work/vmgroupd.conf" <<CONF
[directory]
uri = $VMG_TEST_LDAP_URI
principal = $VMG_TEST_PRINCIPAL
keytab = $VMG_TEST_KEYTAB
base = $VMG_TEST_BASE
groups_ou = $VMG_TEST_OU_DN

[dns]
zone = $VMG_TEST_ZONE
reverse_zones = $VMG_TEST_REVZONE4 $VMG_TEST_REVZONE6

[groups]
host = hv1

[daemon]
spool = $work/spool
state_dir = $work/state
CONF

spool=$work/spool
now=$(date +%s)
reg() { "$VMGROUP" register -s "$spool" -t "$now" "$@" >/dev/null; }
echo
echo "== sample registrations on host hv1 (as a DHCP hook would queue them)"
reg -H hv1 -n web1 -i debian-12 -a 192.0.2.10 -a 2001:db8::10 \
	-m 52:54:00:00:00:10 -S dhcp -l 3600
reg -H hv1 -n web2 -i debian-12 -a 192.0.2.11 -m 52:54:00:00:00:11 -S dhcp -l 3600
reg -H hv1 -n build1 -i debian-12 -a 192.0.2.12 -S dhcp -l 3600
reg -H hv1 -n db1 -i rocky-9 -a 192.0.2.20 -a 2001:db8::20 -S static
"$VMGROUP" release -s "$spool" -t $((now + 1)) -H hv1 -n build1 -S dhcp >/dev/null
echo "   web1, web2, build1 (debian-12; build1 then released), db1 (rocky-9)"
if "$VMGROUP" register -s "$spool" -H hv1 -n dc1.example.test -a 192.0.2.66 \
    2>"$work/refused"; then
	echo "demo: a dotted VM name was accepted" >&2
	exit 1
fi
echo "   a VM calling itself dc1.example.test: $(cat "$work/refused")"

echo
echo "== vmgroupd: one pass (SASL GSSAPI from the keytab)"
allow=
[ "$(id -u)" -ne 0 ] || allow=--allow-root
"$VMGROUPD" --once $allow -f "$work/vmgroupd.conf" 2>&1 | sed 's/^/   /'

echo
echo "== read back from the directory (vmgroup status)"
"$VMGROUP" status -f "$work/vmgroupd.conf"
