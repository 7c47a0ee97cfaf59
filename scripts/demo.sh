#!/bin/sh
# demo.sh - queue sample VM registrations in a throwaway spool and print the
# group names and DNS records vmgroup derives from them (vmgroup plan).
#
# usage: scripts/demo.sh [PATH-TO-vmgroup]
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
VMGROUP=${1:-${VMGROUP:-$top/vmgroup}}
[ -x "$VMGROUP" ] || { echo "demo: $VMGROUP not built (run make)" >&2; exit 1; }

spool=$(mktemp -d "${TMPDIR:-/tmp}/vmgroup-demo.XXXXXX")
trap 'rm -rf "$spool"' EXIT INT TERM
now=$(date +%s)

reg() { "$VMGROUP" register -s "$spool" -t "$now" "$@" >/dev/null; }

echo "== sample registrations (spool $spool)"
reg -H hv1 -n web1 -i debian-12 -a 192.0.2.10 -a 2001:db8::10 \
	-m 52:54:00:00:00:10 -S dhcp -l 3600
reg -H hv1 -n web2 -i debian-12 -a 192.0.2.11 -m 52:54:00:00:00:11 -S dhcp -l 3600
reg -H hv1 -n build1 -i debian-12 -a 192.0.2.12 -S dhcp -l 3600
reg -H hv1 -n db1 -i rocky-9 -a 192.0.2.20 -a 2001:db8::20 -S static
reg -H hv2 -n app1 -i debian-12 -a 192.0.2.30 -S libvirt
"$VMGROUP" release -s "$spool" -t $((now + 1)) -H hv1 -n build1 >/dev/null
ls "$spool/new" | sed 's/^/  /'
echo "  (hv1: web1, web2, build1 released; db1; hv2: app1)"

for host in hv1 hv2; do
	echo
	echo "== desired state of $host"
	"$VMGROUP" plan -s "$spool" -H "$host" -z example.test \
		-r 2.0.192.in-addr.arpa -r 8.b.d.0.1.0.0.2.ip6.arpa --now "$now" \
		${DEMO_HEX:+--hex}
done
