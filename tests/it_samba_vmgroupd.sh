#!/bin/bash
# it_samba_vmgroupd.sh - vmgroupd against a real AD: a Samba AD DC in a
# network namespace, the vmGroup schema imported, a service account that is
# not in DnsAdmins.  Checked through Samba's own DNS server with dig, and
# every dnsRecord value decoded and repacked by Samba's own NDR code.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
if [ -z "${VMG_SAMBA_DIR:-}" ]; then
	exec "$top_srcdir/tests/with-samba.sh" bash "$0" "$@"
fi
. "$top_srcdir/tests/lib-samba.sh"

conf hv1 no
G1=hv1-debian-12-vm
G2=hv1-rocky-9-vm
reg hv1 -n web1 -i debian-12 -a 192.0.2.10 -a 2001:db8::10 -l 3600
reg hv1 -n web2 -i debian-12 -a 192.0.2.11 -l 3600
reg hv1 -n db1 -i rocky-9 -a 192.0.2.20
check "vmgroupd pass against Samba AD (GSSAPI, keytab, SSF >= 56)" pass hv1
check "bound with a security layer" grep -q "SASL SSF [0-9]" "$W/hv1.log"
expect "group A answers are exactly its addresses" $G1.$Z A 192.0.2.10 192.0.2.11
expect "group AAAA answers are exactly its addresses" $G1.$Z AAAA 2001:db8::10
expect "second group" $G2.$Z A 192.0.2.20
expect "SRV host -> groups" _vmgroup._tcp.hv1.$Z SRV \
	"0 0 0 $G1.$Z." "0 0 0 $G2.$Z."
expect "SRV group -> VMs" _vm._tcp.$G1.$Z SRV "0 0 0 web1.$Z." "0 0 0 web2.$Z."
expect "PTR IPv4" 10.2.0.192.in-addr.arpa PTR "web1.$Z."
expect "PTR IPv6" \
	0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa \
	PTR "web1.$Z."

# --- special-purpose addresses: quarantined with their reason; the group's
# answers stay exactly its VMs' addresses
i=0
for a in 0.0.0.0 255.255.255.255 127.0.0.1 224.0.0.1 fe80::1 :: ff02::1; do
	i=$((i + 1))
	printf '{"version":1,"op":"register","host":"hv1","vm":"sp%s","image":"debian-12","addresses":["%s"],"source":"dhcp","time":%s}\n' \
		"$i" "$a" "$T" >"$W/hv1/spool/new/special$i.json"
done
check "pass with special-purpose addresses" pass hv1
check "each quarantined with its reason" test "$(grep -l \
	'is a special-purpose address' "$W"/hv1/spool/quarantine/special*.reason |
	wc -l)" -eq 7
expect "group A answers unchanged" $G1.$Z A 192.0.2.10 192.0.2.11
expect "group AAAA answers unchanged" $G1.$Z AAAA 2001:db8::10
expect "group SRV unchanged" _vm._tcp.$G1.$Z SRV "0 0 0 web1.$Z." "0 0 0 web2.$Z."
check "vmGroupAddress holds only the VMs' addresses" test "$($N "$VMGROUP" \
	query -f "$W/hv1.conf" group $G1 | sed -n 's/^ *vmGroupAddress: //p' |
	tr ', ' '\n\n' | sed '/^$/d' | sort | tr '\n' ' ')" = \
	"192.0.2.10 192.0.2.11 2001:db8::10 "

# --- query and block through the same account, on AD
check "query ip on AD" sh -c "$N $(printf '%q ' "$VMGROUP" query -f "$W/hv1.conf" \
	ip 192.0.2.11) | grep -qx 'group $G1'"
check "block on AD (the delegation allows it)" $N "$VMGROUP" block \
	-f "$W/hv1.conf" -r "test block" $G1
check "the blocked group is found by filter" sh -c "$N $(printf '%q ' \
	"$VMGROUP" query -f "$W/hv1.conf" group $G1) | grep -q 'vmGroupBlocked: TRUE'"
# AD's GeneralizedTime ("...0Z") in RFC 3339, and who blocked, in query --json
blocked_json() {
	$N "$VMGROUP" query -f "$W/hv1.conf" --json group $G1 |
	    /usr/bin/python3 -c 'import json, re, sys
g = json.load(sys.stdin)["groups"][0]
t = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
sys.exit(0 if g["blocked"] is True and g["block_reason"] == "test block"
    and re.fullmatch(t, g["blocked_at"] or "") and re.fullmatch(t, g["last_update"] or "")
    and g["blocked_by"].startswith(sys.argv[1] + " ") else 1)' "$(id -un)"
}
check "query --json on AD: blocked, since when (RFC 3339), by whom" blocked_json
check "unblock on AD" $N "$VMGROUP" unblock -f "$W/hv1.conf" $G1

# --- every value decodes with Samba's own NDR and repacks byte-identical;
# serial = the zone's SOA serial, TTL = the configured one
soa_serial=$(ask "$Z" SOA | awk '{print $3}')
dump() { # every dnsRecord value of the nodes hv1 owns, base64, one a line
	/usr/bin/python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["nodes"]))' \
	    "$W/hv1/state/owned.json" | while read -r dn; do
		admin -b "$dn" -s base dnsRecord | sed -n 's/^dnsRecord:: //p'
	done
}
dump >"$W/values"
ndr_check() {
	/usr/bin/python3 - "$W/values" "$soa_serial" 300 <<'PY'
import base64, sys
from samba.ndr import ndr_pack, ndr_unpack
from samba.dcerpc import dnsp
vals = [l.strip() for l in open(sys.argv[1]) if l.strip()]
serial, ttl = int(sys.argv[2]), int(sys.argv[3])
bad = 0
for v in vals:
    raw = base64.b64decode(v)
    r = ndr_unpack(dnsp.DnssrvRpcRecord, raw)
    if ndr_pack(r) != raw:
        print("repack differs:", v); bad += 1
    if r.wType != 0 and (r.dwSerial != serial or r.dwTtlSeconds != ttl):
        print("serial/ttl:", r.wType, r.dwSerial, r.dwTtlSeconds); bad += 1
print(len(vals), "values checked")
sys.exit(1 if bad or len(vals) < 10 else 0)
PY
}
check "every value repacks byte-identical with Samba's NDR; serial $soa_serial, TTL 300" ndr_check

# --- release: the VM leaves its group's answer; an emptied group's name
# answers NXDOMAIN once tombstoned
rel hv1 web2
rel hv1 db1
check "release pass" pass hv1
expect "released VM gone from the group's answer" $G1.$Z A 192.0.2.10
expect "and from the SRV" _vm._tcp.$G1.$Z SRV "0 0 0 web1.$Z."
check "emptied group name answers NXDOMAIN" test "$(status $G2.$Z A)" = NXDOMAIN
check "its node is tombstoned" test \
	"$(attr "DC=$G2,$VMG_SAMBA_ZONE_DN" dNSTombstoned)" = "TRUE "
expect "host SRV keeps the remaining group" _vmgroup._tcp.hv1.$Z SRV "0 0 0 $G1.$Z."

# --- a node the Administrator created (the DC's own name) is never touched
conf hv1 yes
before=$(ask dc1.$Z A)
reg hv1 -n dc1 -i evil -a 192.0.2.66
check "pass with a VM calling itself dc1" pass hv1
check "dc1 still answers with the DC's address" test "$(ask dc1.$Z A)" = "$before"
check "refusal logged" grep -q "registration of VM dc1 refused" "$W/hv1.log"
check "registration quarantined" grep -q "does not own" "$W"/hv1/spool/quarantine/*.reason
check "nothing written for it" test "$(status hv1-evil-vm.$Z A)" = NXDOMAIN
expect "the VM's own A record, when configured" web1.$Z A 192.0.2.10

# --- a second host's daemon: its own groups; neither touches the other's
conf hv2 no
reg hv2 -n app1 -i debian-12 -a 192.0.2.30
check "second host's pass" pass hv2
check "first host's pass afterwards" pass hv1
expect "hv2's group" hv2-debian-12-vm.$Z A 192.0.2.30
expect "hv2's host SRV" _vmgroup._tcp.hv2.$Z SRV "0 0 0 hv2-debian-12-vm.$Z."
expect "hv1's group unchanged by hv2" $G1.$Z A 192.0.2.10
expect "hv1's host SRV unchanged by hv2" _vmgroup._tcp.hv1.$Z SRV "0 0 0 $G1.$Z."
check "hv1 does not own hv2's nodes" sh -c "! grep -q hv2 '$W/hv1/state/owned.json'"
check "hv2 does not own hv1's nodes" sh -c "! grep -q hv1 '$W/hv2/state/owned.json'"
rel hv2 app1
check "second host releases its VM" pass hv2
check "its group goes" test "$(status hv2-debian-12-vm.$Z A)" = NXDOMAIN
expect "hv1's group still there" $G1.$Z A 192.0.2.10

# --- ownership kept in the directory (doc/fleet.md): each node holds an
# owner value, served over DNS; the node's security descriptor owner is
# the service account
R4DN="DC=$VMG_SAMBA_REVZONE4,CN=MicrosoftDNS,DC=DomainDnsZones,$VMG_SAMBA_BASE"
check "the PTR node's owner value names hv1 (TXT over DNS)" sh -c \
	"$N dig +short +norecurse @$VMG_SAMBA_IP 10.2.0.192.in-addr.arpa TXT |
	grep -q -x '\"vmgroup=1 host=hv1\" \"t=$T\"'"
sd_owner() { # dn -> the owner SID of its security descriptor
	LDAPTLS_REQCERT=never $N ldapsearch -x -LLL -o ldif-wrap=no \
	    -H "ldaps://$VMG_SAMBA_IP" -D "Administrator@$VMG_SAMBA_REALM" \
	    -w "$VMG_SAMBA_ADMIN_PW" -E '!1.2.840.113556.1.4.801=::MAMCAQE=' \
	    -b "$1" -s base nTSecurityDescriptor 2>/dev/null |
	    sed -n 's/^nTSecurityDescriptor:: //p' | base64 -d |
	    /usr/bin/python3 -c 'import sys
from samba.ndr import ndr_unpack
from samba.dcerpc import security
print(ndr_unpack(security.descriptor, sys.stdin.buffer.read()).owner_sid)'
}
check "the PTR node's SD owner is the service account" \
	test "$(sd_owner "DC=10,$R4DN")" = "$VMG_SAMBA_SVC_SID"
# hv1 rebuilt: its state folder gone, its VM queued again
rm -rf "$W/hv1/state"
refused=$(grep -c "does not own" "$W/hv1.log")
reg hv1 -n web1 -i debian-12 -a 192.0.2.10 -a 2001:db8::10 -l 3600 -t $((T + 7))
check "rebuilt hv1: its pass refuses nothing (--once exits 0)" pass hv1
check "no node refused" test "$(grep -c "does not own" "$W/hv1.log")" = "$refused"
check "its nodes and group object taken back from the directory" sh -c \
	"grep -q 'taking DC=10,DC=$VMG_SAMBA_REVZONE4.* into the ownership' '$W/hv1.log' &&
	grep -q 'taking CN=$G1,.* into the ownership' '$W/hv1.log'"
expect "its group answers as before" $G1.$Z A 192.0.2.10
# web1 moves to hv2 before hv1 releases it
reg hv2 -n web1 -i debian-12 -a 192.0.2.10 -t $((T + 20))
check "hv2 registers web1 later: its pass takes the PTR over" pass hv2
check "hv2's log says so" grep -q "taking over DC=10,DC=$VMG_SAMBA_REVZONE4.* from host hv1" "$W/hv2.log"
check "the PTR's owner value names hv2" sh -c \
	"$N dig +short +norecurse @$VMG_SAMBA_IP 10.2.0.192.in-addr.arpa TXT |
	grep -q -x '\"vmgroup=1 host=hv2\" \"t=$((T + 20))\"'"
expect "hv2's group answers web1's address" hv2-debian-12-vm.$Z A 192.0.2.10
if pass hv1; then bad "hv1, holding an older registration: --once exits 1"
else ok "hv1, holding an older registration: --once exits 1"; fi
"$VMGROUP" release -s "$W/hv1/spool" -t $((T + 15)) -H hv1 -S dhcp -n web1 \
	>/dev/null || bad "late release on hv1"
check "hv1's late release: --once exits 0" pass hv1
expect "dig -x still answers web1 (hv2's PTR)" 10.2.0.192.in-addr.arpa PTR "web1.$Z."
check "hv1's group without web1" test "$(status $G1.$Z A)" = NXDOMAIN
# an Administrator's node holding an owner value naming hv1 stays foreign
. "$top_srcdir/tests/lib-dnsrec.sh"
SOA_SERIAL=1
printf 'dn: DC=77,%s\nchangetype: add\nobjectClass: top\nobjectClass: dnsNode\ndnsRecord:: %s\ndnsRecord:: %s\n' \
	"$R4DN" "$(rec_ptr mail.$Z)" "$(rec_owner hv1 1)" | admin_modify ||
	bad "the Administrator's node 77"
reg hv1 -n forger -i debian-12 -a 192.0.2.77 -t $((T + 30))
if pass hv1; then bad "a forged owner value: --once exits 1"
else ok "a forged owner value: --once exits 1"; fi
expect "the Administrator's PTR untouched" 77.2.0.192.in-addr.arpa PTR "mail.$Z."

# --- a running daemon's passes between full reconciles patch the group
# (only what the event touched is written): a VM joins and one leaves
. "$top_srcdir/tests/lib-proc.sh"
conf hv3 no
for i in 1 2 3; do reg hv3 -n "p$i" -i web -a "192.0.2.4$i"; done
hv3_empty() { [ -z "$(ls -A "$W/hv3/spool/new")" ]; }
hv3_patched() { [ "$(grep -c 'updated group object.*member' "$W/hv3.log")" -ge "$1" ]; }
$N "$VMGROUPD" -d -v --allow-root -f "$W/hv3.conf" >>"$W/hv3.log" 2>&1 &
dpid=$!
trap 'kill -TERM $dpid 2>/dev/null; wait_gone $dpid' EXIT
check "hv3's daemon wrote its first VMs" wait_for 60 hv3_empty
"$VMGROUP" register -s "$W/hv3/spool" -t $((T + 5)) -H hv3 -S dhcp -n p4 \
	-i web -a 192.0.2.44 >/dev/null || bad "register p4"
check "a VM joined: the group object patched" wait_for 60 hv3_patched 1
"$VMGROUP" release -s "$W/hv3/spool" -t $((T + 6)) -H hv3 -S dhcp -n p2 \
	>/dev/null || bad "release p2"
check "a VM left: the group object patched" wait_for 60 hv3_patched 2
expect "the patched group answers its members' addresses" hv3-web-vm.$Z A \
	192.0.2.41 192.0.2.43 192.0.2.44
expect "the patched SRV node its members" _vm._tcp.hv3-web-vm.$Z SRV \
	"0 0 0 p1.$Z." "0 0 0 p3.$Z." "0 0 0 p4.$Z."
check "the object's members" test "$(attr "CN=hv3-web-vm,$VMG_SAMBA_OU_DN" \
	vmGroupMember)" = "p1 p3 p4 "
check "built from what they touched" grep -q "built from those and one member" \
	"$W/hv3.log"
check "no patch needed a full reconcile" sh -c \
	"! grep -q 'full reconcile follows' '$W/hv3.log'"
kill -TERM $dpid
wait_gone $dpid
trap - EXIT

# --- DCs found through DNS SRV records only (uri = auto): no address in
# the configuration; the resolver asks the DC's DNS (a resolv.conf of ours,
# bound over /etc/resolv.conf in a mount namespace of ours)
echo "nameserver $VMG_SAMBA_IP" >"$W/resolv.conf"
conf hv4 no
sed -i "s#^uri = .*#uri = auto#" "$W/hv4.conf"
pass_dns() { # conf: vmgroupd --once seeing only the DC's DNS
	$N unshare --mount sh -c 'mount --bind "$1" /etc/resolv.conf &&
	    exec "$2" --once --allow-root -f "$3"' sh "$W/resolv.conf" \
	    "$VMGROUPD" "$1" >>"$W/hv4.log" 2>&1
}
DOMAIN=$(echo "$VMG_SAMBA_REALM" | tr 'A-Z' 'a-z')
reg hv4 -n s1 -i srv -a 192.0.2.70
check "uri = auto: a pass with the DCs from DNS" pass_dns "$W/hv4.conf"
check "the DC named by _ldap._tcp.dc._msdcs.$DOMAIN" grep -q \
	"connected to ldap://dc1.$DOMAIN:389 " "$W/hv4.log"
expect "and what it wrote answers" hv4-srv-vm.$Z A 192.0.2.70
# a site of no DC: its SRV name is unknown, the domain's DCs answer
sed -i "s/^\[directory\]$/[directory]\nsite = nosuch/" "$W/hv4.conf"
reg hv4 -n s2 -i srv -a 192.0.2.71 -t $((T + 2))
check "a site without DCs: the domain's DCs" pass_dns "$W/hv4.conf"
expect "its write answers" hv4-srv-vm.$Z A 192.0.2.70 192.0.2.71
# a domain without DCs in DNS: said, the event kept
sed -i "s/^site = nosuch$/domain = nosuch.$DOMAIN/" "$W/hv4.conf"
reg hv4 -n s3 -i srv -a 192.0.2.72 -t $((T + 3))
if pass_dns "$W/hv4.conf"; then bad "no DC in DNS: the pass fails"
else ok "no DC in DNS: the pass fails"; fi
check "saying so" grep -q "no domain controller found: no SRV records of \
_ldap._tcp.dc._msdcs.nosuch.$DOMAIN" "$W/hv4.log"
check "the event stays in the spool" test -n "$(ls -A "$W/hv4/spool/new")"

echo "$fails failure(s)"
[ $fails -eq 0 ] || { tail -n 30 "$W/hv1.log"; tail -n 10 "$W/hv2.log";
	tail -n 20 "$W/hv3.log"; }
[ $fails -eq 0 ]
