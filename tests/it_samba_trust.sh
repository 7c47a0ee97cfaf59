#!/bin/bash
# it_samba_trust.sh - on a real Samba AD DC, vmgroupd publishes only what is
# true: a VM named like any node of a freshly provisioned zone is refused
# (in any case); a name an admin takes later is withdrawn; a squatted group
# name is never pointed at and converges once the node is removed; a
# blocked group stays blocked through emptying and refilling.  Checked with
# dig against Samba's DNS server and with the Administrator's LDAP view.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
if [ -z "${VMG_SAMBA_DIR:-}" ]; then
	exec "$top_srcdir/tests/with-samba.sh" bash "$0" "$@"
fi
. "$top_srcdir/tests/lib-samba.sh"
OU=$VMG_SAMBA_OU_DN
G=hv1-evil-vm
rc_of() { "$@"; echo $?; }
exists() { [ -n "$(admin -b "$1" -s base dn)" ]; }
absent() { ! exists "$1"; }
ptr_status() { $N dig +norecurse @"$VMG_SAMBA_IP" -x "$1" |
	sed -n 's/.*status: \([A-Z]*\),.*/\1/p'; }

conf hv1 no

# --- 1. every node of the fresh zone, as a VM name (upper case): refused
# at the edge when it is no VM name, quarantined when it names a node
admin -b "$VMG_SAMBA_ZONE_DN" -s one dc | sed -n 's/^dc: //p' >"$W/nodes"
check "the fresh zone has nodes" test -s "$W/nodes"
i=100; queued=0; edge=0
while read -r n; do
	up=$(printf '%s' "$n" | tr a-z A-Z)
	if "$VMGROUP" register -s "$W/hv1/spool" -t "$T" -H hv1 -S dhcp \
	    -n "$up" -i evil -a 192.0.2.$i >/dev/null 2>&1; then
		queued=$((queued + 1)); echo "$n 192.0.2.$i" >>"$W/queued"
	else
		edge=$((edge + 1))
	fi
	i=$((i + 1))
done <"$W/nodes"
echo "# $(wc -l <"$W/nodes") nodes: $queued queued, $edge refused by name rules"
check "the DC's own name is among the queued" grep -q "^dc1 " "$W/queued"
reg hv1 -n good1 -i evil -a 192.0.2.68
check "pass: exit 0 (refused names are not withheld ones)" pass hv1
while read -r n a; do
	check "VM '$n': no PTR for $a" test "$(ptr_status "$a")" = NXDOMAIN
done <"$W/queued"
expect "SRV group -> VMs: only the good VM" _vm._tcp.$G.$Z SRV "0 0 0 good1.$Z."
expect "group A: only the good VM's address" $G.$Z A 192.0.2.68
check "every such registration quarantined" test \
	"$(grep -l "DNS node vmgroupd does not own" "$W"/hv1/spool/quarantine/*.reason | wc -l)" \
	-eq "$queued"
expect "dc1 still answers with the DC's address" dc1.$Z A "$VMG_SAMBA_IP"
check "vmGroup members: only the good VM" test \
	"$(attr "CN=$G,$OU" vmGroupMember)" = "good1 "

# --- 1b. a name an admin takes later: withdrawn, --once exits 1; a
# record deleted by samba-tool leaves a tombstoned node: the name is free
reg hv1 -n later1 -i evil -a 192.0.2.69
check "later1 published" pass hv1
expect "later1's PTR" 69.2.0.192.in-addr.arpa PTR "later1.$Z."
check "admin adds later1" dnstool add "$Z" later1 A 192.0.2.201
check "--once exits 1 while later1 is withheld" test "$(rc_of pass hv1)" -eq 1
check "later1's PTR withdrawn" test "$(status 69.2.0.192.in-addr.arpa PTR)" = NXDOMAIN
expect "SRV no longer names later1" _vm._tcp.$G.$Z SRV "0 0 0 good1.$Z."
expect "later1 answers with the admin's address" later1.$Z A 192.0.2.201
check "withdrawal logged" grep -q "VM later1 withheld" "$W/hv1.log"
check "admin deletes later1's record (Samba tombstones the node)" \
	dnstool delete "$Z" later1 A 192.0.2.201
check "--once exits 0: a tombstoned node names nothing" test "$(rc_of pass hv1)" -eq 0
expect "later1's PTR back" 69.2.0.192.in-addr.arpa PTR "later1.$Z."

# --- 2. a squatted group name
check "admin adds hv1-win-vm" dnstool add "$Z" hv1-win-vm A 192.0.2.1
reg hv1 -n win1 -i win -a 192.0.2.70
check "--once exits 1 with a squatted group" test "$(rc_of pass hv1)" -eq 1
expect "the squatted name answers only the admin's address" hv1-win-vm.$Z A 192.0.2.1
expect "host SRV names only our group" _vmgroup._tcp.hv1.$Z SRV "0 0 0 $G.$Z."
check "no group SRV under the squatted name" test \
	"$(status _vm._tcp.hv1-win-vm.$Z SRV)" = NXDOMAIN
check "no vmGroup object for it" absent "CN=hv1-win-vm,$OU"
expect "win1's own PTR published" 70.2.0.192.in-addr.arpa PTR "win1.$Z."
check "status names the squatted group" sh -c "$N '$VMGROUP' status \
	-f '$W/hv1.conf' | grep -q '^missing hv1-win-vm.$Z'"
remove_node() { printf 'dn: DC=%s,%s\nchangetype: delete\n' "$1" \
	"$VMG_SAMBA_ZONE_DN" | admin_modify; }
check "admin removes the node" remove_node hv1-win-vm
check "--once exits 0 once the name is free" test "$(rc_of pass hv1)" -eq 0
expect "the group converges" hv1-win-vm.$Z A 192.0.2.70
expect "host SRV names it" _vmgroup._tcp.hv1.$Z SRV "0 0 0 $G.$Z." \
	"0 0 0 hv1-win-vm.$Z."
check "its object exists" exists "CN=hv1-win-vm,$OU"

# --- 4. a blocked group stays blocked when it empties and fills again
reg hv1 -n r1 -i rocky-9 -a 192.0.2.80
check "rocky pass" pass hv1
check "block" $N "$VMGROUP" block -f "$W/hv1.conf" -r "test" hv1-rocky-9-vm
rel hv1 r1
check "emptying pass" pass hv1
check "emptied group name answers NXDOMAIN" test "$(status hv1-rocky-9-vm.$Z A)" = NXDOMAIN
check "its object is kept, blocked" test \
	"$(attr "CN=hv1-rocky-9-vm,$OU" vmGroupBlocked)" = "TRUE "
check "without members" test -z "$(attr "CN=hv1-rocky-9-vm,$OU" vmGroupMember)"
"$VMGROUP" register -s "$W/hv1/spool" -t $((T + 5)) -H hv1 -S dhcp -n r2 \
	-i rocky-9 -a 192.0.2.81 >/dev/null || bad "register r2"
check "refill pass" pass hv1
expect "refilled group answers its new VM" hv1-rocky-9-vm.$Z A 192.0.2.81
check "and is still blocked" test \
	"$(attr "CN=hv1-rocky-9-vm,$OU" vmGroupBlocked)" = "TRUE "

echo "$fails failure(s)"
[ $fails -eq 0 ] || tail -n 40 "$W/hv1.log"
[ $fails -eq 0 ]
