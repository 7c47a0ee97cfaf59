#!/bin/bash
# failover_cnf.sh - reproduces issue 12's "failover creates duplicates" on
# the two-DC fixture (not part of make check: it reports, it asserts
# nothing yet; it becomes a test once vmgroupd removes its CNF copies, see
# doc/fleet.md).  Run as root from the source tree, after a build:
#
#   VMG_SAMBA_STEPS="schema delegate join" tests/with-samba.sh \
#       bash tests/manual/failover_cnf.sh [BUILD_DIR]
#
# vmgroupd -d with uri = auto and both DCs' DNS, 500 registrations; dc1
# halted once 150 nodes were created; the spool drained through dc2; dc1
# started again; once replication resumed (180 s at most), the dnsNode
# replication-conflict objects (name "...\nCNF:<GUID>") under
# DC=DomainDnsZones on each DC are counted.
# On 2026-12-01: 222 and 180 CNF objects on dc2 in two runs (0 on dc1).
set -u
top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
top_builddir=${1:-$top_srcdir/build}
. "$top_srcdir/tests/lib-samba.sh"
. "$top_srcdir/tests/lib-proc.sh"
printf 'nameserver %s\nnameserver %s\noptions timeout:1 attempts:1\n' \
	"$VMG_SAMBA_IP" "$VMG_SAMBA_IP2" >"$W/resolv.conf"
conf hs no
sed -i "s#^uri = .*#uri = auto#" "$W/hs.conf"
for i in $(seq 1 500); do
	"$VMGROUP" register -s "$W/hs/spool" -t "$T" -H hs -S dhcp -n "s$i" \
	    -i "img$((i % 4))" -a "2001:db8::5:$(printf %x "$i")" >/dev/null
done
$N unshare --mount sh -c 'mount --bind "$1" /etc/resolv.conf &&
    exec "$2" -d --allow-root -f "$3"' sh "$W/resolv.conf" "$VMGROUPD" \
    "$W/hs.conf" >"$W/hs.log" 2>&1 &
dpid=$!
created() { [ "$(grep -c '^created' "$W/hs.log")" -ge "$1" ]; }
wait_for 120 created 150 || echo "fewer than 150 nodes created in 120 s"
echo "created before the halt: $(grep -c '^created' "$W/hs.log")"
bash "$top_srcdir/tests/samba-env.sh" halt "$VMG_SAMBA_DIR"
drained() { [ -z "$(ls -A "$W/hs/spool/new")" ]; }
wait_for 300 drained && echo "the spool drained through dc2"
kill -TERM "$dpid"
wait_gone "$dpid"
bash "$top_srcdir/tests/samba-env.sh" restart "$VMG_SAMBA_DIR" &&
	echo "dc1 started again"
cnf() { # DC address: its dnsNode conflict objects
	LDAPTLS_REQCERT=never $N ldapsearch -x -LLL -H "ldaps://$1" \
	    -D "Administrator@$VMG_SAMBA_REALM" -w "$VMG_SAMBA_ADMIN_PW" \
	    -b "DC=DomainDnsZones,$VMG_SAMBA_BASE" '(name=*CNF:*)' dn \
	    2>/dev/null | grep -c '^dn:'
}
# replication between the DCs resumes on its own: up to 180 s for it
any_cnf() { [ "$(cnf "$VMG_SAMBA_IP")" -gt 0 ] || [ "$(cnf "$VMG_SAMBA_IP2")" -gt 0 ]; }
wait_for 180 any_cnf || echo "no conflict object within 180 s"
echo "CNF objects on dc1: $(cnf "$VMG_SAMBA_IP")"
echo "CNF objects on dc2: $(cnf "$VMG_SAMBA_IP2")"
