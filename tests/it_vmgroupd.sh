#!/bin/bash
# it_vmgroupd.sh - vmgroupd against the real KDC + slapd of tests/testenv.sh:
# what it writes, byte for byte (expected values built in the shell by
# tests/lib-dnsrec.sh, independently of the C codec), for register, release,
# tombstone and revival, IPv6 and PTR, vmGroup objects, a foreign node,
# expiry, drift repair, host-wide grouping.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
if [ -z "${VMG_TEST_DIR:-}" ]; then
	exec "$top_srcdir/tests/with-testenv.sh" bash "$0" "$@"
fi
. "$top_srcdir/tests/lib-it.sh"

P6_11=1.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0
V6_11=20010db8000000000000000000000011
G1=hv1-debian-12-vm
G2=hv1-rocky-9-vm
OU=$VMG_TEST_OU_DN

# --- register: groups, SRV, PTR, vmGroup objects, byte for byte
write_conf image no
reg -n web1 -i debian-12 -a 192.0.2.10 -l 3600
reg -n WEB2 -i debian-12 -a 192.0.2.11 -a 2001:db8::11 -l 3600
reg -n db1 -i rocky-9 -a 192.0.2.20
check "first pass succeeds" pass
check "spool emptied after the pass" test -z "$(ls -A "$SPOOL/new")"
expect_node $G1 $Z "group A/AAAA = the group's addresses" \
	"$(rec_a 192.0.2.10)" "$(rec_a 192.0.2.11)" "$(rec_aaaa $V6_11)"
expect_node $G2 $Z "second image, second group" "$(rec_a 192.0.2.20)"
expect_node _vmgroup._tcp.hv1 $Z "SRV host -> groups" \
	"$(rec_srv $G1.$Z)" "$(rec_srv $G2.$Z)"
expect_node _vm._tcp.$G1 $Z "SRV group -> VMs" \
	"$(rec_srv web1.$Z)" "$(rec_srv web2.$Z)"
expect_node 10 $R4 "PTR IPv4" "$(rec_ptr web1.$Z)"
expect_node $P6_11 $R6 "PTR IPv6" "$(rec_ptr web2.$Z)"
expect_node web1 $Z "no VM records unless configured"
check "vmGroup members" test "$(attr "CN=$G1,$OU" vmGroupMember)" = "web1 web2 "
check "vmGroup addresses" test "$(attr "CN=$G1,$OU" vmGroupAddress)" = \
	"192.0.2.10 192.0.2.11 2001:db8::11 "
check "vmGroup host, image, DNS name" test \
	"$(attr "CN=$G1,$OU" vmGroupHost)$(attr "CN=$G1,$OU" vmGroupImage)$(attr "CN=$G1,$OU" vmGroupDNSName)" = \
	"hv1 debian-12 $G1.$Z "
check "nodes created by the service account" test \
	"$(admin -b "$(node_dn $G1 $Z)" -s base creatorsName | sed -n 's/^creatorsName: //p' | tr A-Z a-z)" = \
	"$(echo "$VMG_TEST_SVC_DN" | tr A-Z a-z)"

# --- a second pass with nothing new changes nothing
before=$(admin -b "$(node_dn $G1 $Z)" -s base modifyTimestamp entryCSN)
check "idempotent pass" pass
check "no write without a change" test \
	"$(admin -b "$(node_dn $G1 $Z)" -s base modifyTimestamp entryCSN)" = "$before"

# --- query and block, as a firewall or an administrator would
q() { "$VMGROUP" query -f "$CONF" "$@" 2>&1; }
ME=$(id -un)

# status --json: what vmgroupd owns, decoded, as one document
sj=$("$VMGROUP" status -f "$CONF" --json)
check "status --json: exit 0" test $? -eq 0
check "status --json: schema, host, zone, directory" json_is "$sj" \
	"d['schema'] == 'vmgroup.status/1' and d['host'] == 'hv1' and d['zone'] == '$Z'
	 and d['directory'] == '$VMG_TEST_LDAP_URI'
	 and sorted(d) == ['directory', 'groups', 'host', 'last_pass', 'nodes', 'schema', 'zone']"
check "status --json: the last pass in sync, nothing missing, recent" json_is "$sj" \
	"d['last_pass']['in_sync'] is True and d['last_pass']['missing'] == []
	 and -120 < since(d['last_pass']['time']) < 600"
check "status --json: the groups vmgroupd owns, as query has them" json_is "$sj" \
	"sorted(g['name'] for g in d['groups']) == ['$G1', '$G2']
	 and all(g['state'] == 'present' and g['error'] is None for g in d['groups'])
	 and group('$G1')['members'] == ['web1', 'web2'] and group('$G1')['blocked'] is False
	 and group('$G2')['dns_name'] == '$G2.$Z'"
check "status --json: a group node's records decoded (its owner TXT aside)" json_is "$sj" \
	"node('$G1.$Z')['state'] == 'present' and node('$G1.$Z')['error'] is None
	 and sorted((r['type'], r['data'], r['ttl']) for r in node('$G1.$Z')['records']
	 if r['type'] != 'TXT') == [('A', '192.0.2.10', 300), ('A', '192.0.2.11', 300),
	 ('AAAA', '2001:db8::11', 300)]
	 and all(r['name'] == '$G1.$Z' and r['serial'] == $SOA_SERIAL
	 for r in node('$G1.$Z')['records'])
	 and [r['data'].split(' ')[:2] for r in node('$G1.$Z')['records']
	 if r['type'] == 'TXT'] == [['\"vmgroup=1', 'host=hv1\"']]"
check "status --json: SRV and PTR nodes" json_is "$sj" \
	"sorted(r['data'] for r in node('_vmgroup._tcp.hv1.$Z')['records'] if r['type'] == 'SRV')
	 == ['0 0 0 $G1.$Z', '0 0 0 $G2.$Z']
	 and [(r['type'], r['data']) for r in node('10.$R4')['records'] if r['type'] != 'TXT']
	 == [('PTR', 'web1.$Z')]"
qj=$("$VMGROUP" query -f "$CONF" --json host hv1)
check "query --json: exit 0 when found" test $? -eq 0
check "query --json: schema, the query, the host's two groups" json_is "$qj" \
	"d['schema'] == 'vmgroup.query/1' and d['query'] == {'kind': 'host', 'value': 'hv1'}
	 and sorted(g['name'] for g in d['groups']) == ['$G1', '$G2']"
check "query --json: a group's fields as registered" json_is "$qj" \
	"group('$G1') == dict(group('$G1'), host='hv1', image='debian-12',
	 dns_name='$G1.$Z', members=['web1', 'web2'],
	 addresses=['192.0.2.10', '192.0.2.11', '2001:db8::11'], blocked=False,
	 block_reason=None, blocked_at=None, blocked_by=None)
	 and group('$G2')['members'] == ['db1'] and group('$G2')['addresses'] == ['192.0.2.20']"
check "query --json: every key of the schema, nothing else" json_is "$qj" \
	"sorted(d) == ['groups', 'query', 'schema'] and all(sorted(g) == sorted(['name',
	 'host', 'image', 'dns_name', 'members', 'addresses', 'blocked', 'block_reason',
	 'blocked_at', 'blocked_by', 'last_update']) for g in d['groups'])"
check "query --json: last_update is vmgroupd's, RFC 3339 UTC, recent" json_is "$qj" \
	"re.fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ', group('$G1')['last_update'])
	 and -120 < since(group('$G1')['last_update']) < 600"
check "query --json ip: IPv6 written any way, the value as checked" json_is \
	"$("$VMGROUP" query -f "$CONF" --json ip 2001:DB8:0::11)" \
	"d['query'] == {'kind': 'ip', 'value': '2001:db8::11'} and [g['name'] for g in d['groups']] == ['$G1']"
qj=$("$VMGROUP" query -f "$CONF" --json group nosuch)
check "query --json: nothing found is exit 3" test $? -eq 3
check "query --json: ... and still one document, groups empty" json_is "$qj" \
	"d['schema'] == 'vmgroup.query/1' and d['groups'] == []"
check "query host: the host's groups" sh -c "$(printf '%q ' "$VMGROUP" query \
	-f "$CONF" host hv1) | grep -c '^group ' | grep -qx 2"
check "query ip: the group of an address" test "$(q ip 192.0.2.11 | head -n 1)" \
	= "group $G1"
check "query ip: IPv6 written any way" test "$(q ip 2001:DB8:0::11 | head -n 1)" \
	= "group $G1"
check "query vm: the group of a VM" test "$(q vm web2 | head -n 1)" = "group $G1"
"$VMGROUP" query -f "$CONF" group nosuch >/dev/null 2>&1
check "query: nothing found is exit 3" test $? -eq 3
"$VMGROUP" query -f "$CONF" host 'a*)(cn=*' >/dev/null 2>&1
check "query: a hostile value is refused before any filter" test $? -eq 2
check "block with a reason" sh -c "$(printf '%q ' "$VMGROUP" block -f "$CONF" \
	-r 'worm outbreak' $G1) | grep -qx '$G1 blocked'"
check "the directory says blocked" test "$(attr "CN=$G1,$OU" vmGroupBlocked)" = "TRUE "
check "with the reason" test "$(attr "CN=$G1,$OU" vmGroupBlockReason)" = "worm outbreak "
check "and the time" test -n "$(attr "CN=$G1,$OU" vmGroupBlockTime)"
check "and who: the login on this host" test \
	"$(attr "CN=$G1,$OU" vmGroupBlockedBy)" = "$(whoami_on "$ME") "
qj=$("$VMGROUP" query -f "$CONF" --json vm web1)
check "query --json shows the block: flag, reason, time, who" json_is "$qj" \
	"[g['name'] for g in d['groups']] == ['$G1'] and group('$G1')['blocked'] is True
	 and group('$G1')['block_reason'] == 'worm outbreak'
	 and group('$G1')['blocked_by'] == '$(whoami_on "$ME")'
	 and -120 < since(group('$G1')['blocked_at']) < 600"
check "the plain query shows who" sh -c "$(printf '%q ' "$VMGROUP" query -f "$CONF" \
	group $G1) | grep -qx '  vmGroupBlockedBy: $(whoami_on "$ME")'"
SUDO_USER=alice "$VMGROUP" block -f "$CONF" -r 'worm outbreak' $G1 >/dev/null
check "through sudo: the user who ran sudo, as whom" test \
	"$(attr "CN=$G1,$OU" vmGroupBlockedBy)" = "$(whoami_on "alice (via sudo as $ME)") "
SUDO_USER='x y' "$VMGROUP" block -f "$CONF" -r 'worm outbreak' $G1 >/dev/null
check "a SUDO_USER that is no user name is not taken" test \
	"$(attr "CN=$G1,$OU" vmGroupBlockedBy)" = "$(whoami_on "$ME") "
"$VMGROUP" block -f "$CONF" -r 'worm outbreak' \
	--by 'nac-engine for ticket #42 (Zoë)' $G1 >/dev/null
check "--by: a NAC system blocking on behalf of someone (UTF-8: base64)" test \
	"$(admin -b "CN=$G1,$OU" -s base vmGroupBlockedBy |
	sed -n 's/^vmGroupBlockedBy:: //p' | base64 -d)" = "nac-engine for ticket #42 (Zoë)"
check "query --json: --by's text as UTF-8" json_is \
	"$("$VMGROUP" query -f "$CONF" --json group $G1)" \
	"group('$G1')['blocked_by'] == 'nac-engine for ticket #42 (Zo\u00eb)'"
check "policy engines find it by filter" test "$(admin -b "$OU" \
	'(&(objectClass=vmGroup)(vmGroupBlocked=TRUE))' dn | grep -c '^dn: ')" -eq 1
check "query shows it" sh -c "$(printf '%q ' "$VMGROUP" query -f "$CONF" \
	group $G1) | grep -q 'vmGroupBlocked: TRUE'"
# the enforcer: blocked addresses into nftables sets, in a namespace of ours
enf_ns=vmg-enf-$$
enforced() { # family set -> the set's elements, one line
	ip netns exec "$enf_ns" nft list set bridge vmgroup "$1" 2>/dev/null |
	    sed -n 's/.*elements = { \(.*\) }.*/\1/p'
}
if [ "$(id -u)" -eq 0 ] && ip netns add "$enf_ns" 2>/dev/null; then
	trap 'ip netns del "$enf_ns" 2>/dev/null' EXIT
	check "enforce into a namespace" "$VMGROUP" enforce -f "$CONF" \
		--family bridge --netns "$enf_ns"
	check "blocked4 holds the group's IPv4 addresses" test \
		"$(enforced blocked4)" = "192.0.2.10, 192.0.2.11"
	check "blocked6 holds its IPv6 address" test \
		"$(enforced blocked6)" = "2001:db8::11"
	check "enforce --print shows the same batch" sh -c \
		"$(printf '%q ' "$VMGROUP" enforce -f "$CONF" --family bridge --print) |
		grep -qx 'add element bridge vmgroup blocked4 { 192.0.2.10, 192.0.2.11 }'"
	"$VMGROUP" unblock -f "$CONF" $G1 >/dev/null
	check "enforce after unblock" "$VMGROUP" enforce -f "$CONF" \
		--family bridge --netns "$enf_ns"
	check "the sets are empty again" test -z "$(enforced blocked4)$(enforced blocked6)"
	"$VMGROUP" block -f "$CONF" -r 'worm outbreak' $G1 >/dev/null
	ip netns del "$enf_ns"
	trap - EXIT
else
	[ "${CI:-}" != true ] || bad "the enforcer test needs root (network namespaces)"
	echo "note: enforcer test skipped (not root)"
fi
check "vmgroupd's next pass keeps the block" pass
check "still blocked" test "$(attr "CN=$G1,$OU" vmGroupBlocked)" = "TRUE "
check "status --json shows the block" json_is "$("$VMGROUP" status -f "$CONF" --json)" \
	"group('$G1')['blocked'] is True and group('$G1')['block_reason'] == 'worm outbreak'
	 and group('$G1')['blocked_by'] == '$(whoami_on "$ME")' and group('$G2')['blocked'] is False"
check "unblock" "$VMGROUP" unblock -f "$CONF" $G1
check "unblocked, reason cleared" test \
	"$(attr "CN=$G1,$OU" vmGroupBlocked)$(attr "CN=$G1,$OU" vmGroupBlockReason)" = "FALSE "
check "the directory says who unblocked it" test \
	"$(attr "CN=$G1,$OU" vmGroupBlockedBy)" = "$(whoami_on "$ME") "
check "query --json: unblocked, no reason or time, who unblocked" json_is \
	"$("$VMGROUP" query -f "$CONF" --json group $G1)" \
	"group('$G1')['blocked'] is False and group('$G1')['block_reason'] is None
	 and group('$G1')['blocked_at'] is None and group('$G1')['blocked_by'] == '$(whoami_on "$ME")'"

# block --host: exactly that host's groups (another host's object, added
# by hand, and a host whose name hv1 begins are left alone)
for h in hv2 hv10; do
	printf 'dn: CN=%s-debian-12-vm,%s\nchangetype: add\nobjectClass: vmGroup\nvmGroupHost: %s\nvmGroupDNSName: %s-debian-12-vm.%s\nvmGroupMember: x1\nvmGroupAddress: 192.0.2.200\n\n' \
		$h "$OU" $h $h $Z
done | ldapmodify -x -H "$VMG_TEST_LDAP_URI" -D "$VMG_TEST_ADMIN_DN" \
	-w "$VMG_TEST_ADMIN_PW" >/dev/null || bad "adding other hosts' groups by hand"
out=$("$VMGROUP" block -f "$CONF" --host hv1 -r 'host quarantine' 2>&1)
check "block --host: exit 0, each group of the host printed" test \
	"$?:$(echo "$out" | sort | tr '\n' ' ')" = "0:$G1 blocked $G2 blocked "
check "block --host: the host's groups blocked, with the reason and who" test \
	"$(attr "CN=$G1,$OU" vmGroupBlocked)$(attr "CN=$G2,$OU" vmGroupBlocked)$(attr "CN=$G2,$OU" vmGroupBlockReason)$(attr "CN=$G2,$OU" vmGroupBlockedBy)" = \
	"TRUE TRUE host quarantine $(whoami_on "$ME") "
check "block --host: no other host's group" test \
	"$(admin -b "$OU" '(&(objectClass=vmGroup)(vmGroupBlocked=TRUE))' vmGroupHost |
	sed -n 's/^vmGroupHost: //p' | sort | tr '\n' ' ')" = "hv1 hv1 "
check "query --json host hv2: not blocked" json_is \
	"$("$VMGROUP" query -f "$CONF" --json host hv2)" \
	"[(g['name'], g['blocked'], g['image']) for g in d['groups']] == [('hv2-debian-12-vm', False, None)]"
out=$("$VMGROUP" unblock -f "$CONF" -H hv1 --by nac-engine 2>&1)
check "unblock -H: each group of the host printed" test \
	"$?:$(echo "$out" | sort | tr '\n' ' ')" = "0:$G1 unblocked $G2 unblocked "
check "unblock -H: both unblocked, by whom --by says" test \
	"$(attr "CN=$G1,$OU" vmGroupBlocked)$(attr "CN=$G2,$OU" vmGroupBlocked)$(attr "CN=$G2,$OU" vmGroupBlockedBy)" = \
	"FALSE FALSE nac-engine "
out=$("$VMGROUP" block -f "$CONF" --host hv9 2>&1)
check "block --host of a host without groups: exit 1, said" test \
	"$?:$out" = "1:vmgroup block: host hv9 has no vmGroup object under $OU"
for h in hv2 hv10; do
	ldapdelete -x -H "$VMG_TEST_LDAP_URI" -D "$VMG_TEST_ADMIN_DN" \
		-w "$VMG_TEST_ADMIN_PW" "CN=$h-debian-12-vm,$OU" || bad "deleting $h's group"
done
"$VMGROUP" block -f "$CONF" nosuch-group >/dev/null 2>&1
check "block of an unknown group fails" test $? -eq 1

# --- release: addresses leave; an emptied group is tombstoned, its object goes
rel web2
rel db1
check "release pass" pass
expect_node $G1 $Z "released VM leaves the group" "$(rec_a 192.0.2.10)"
expect_node _vm._tcp.$G1 $Z "released VM leaves the SRV" "$(rec_srv web1.$Z)"
expect_node _vmgroup._tcp.hv1 $Z "emptied group leaves the host SRV" \
	"$(rec_srv $G1.$Z)"
check "emptied group node tombstoned" tombstoned $G2 $Z
check "its SRV node tombstoned" tombstoned _vm._tcp.$G2 $Z
check "its PTR tombstoned" tombstoned 20 $R4
check "IPv6 PTR of the released VM tombstoned" tombstoned $P6_11 $R6
check "emptied group's vmGroup object deleted" test -z \
	"$(admin -b "CN=$G2,$OU" -s base dn)"
check "vmGroup of the remaining group updated" \
	test "$(attr "CN=$G1,$OU" vmGroupMember)" = "web1 "

# --- revival of a tombstoned node
T=$((T + 10))
reg -n db1 -i rocky-9 -a 192.0.2.21
check "revival pass" pass
expect_node $G2 $Z "tombstoned group node revived" "$(rec_a 192.0.2.21)"
check "revived node not tombstoned" test \
	"$(attr "$(node_dn $G2 $Z)" dNSTombstoned)" = "FALSE "

# --- drift: a value of ours removed by hand comes back; a value added by
# hand to a node of ours goes
dn=$(node_dn $G1 $Z)
printf 'dn: %s\nchangetype: modify\ndelete: dnsRecord\ndnsRecord:: %s\n' \
	"$dn" "$(rec_a 192.0.2.10)" | ldapmodify -x -H "$VMG_TEST_LDAP_URI" \
	-D "$VMG_TEST_ADMIN_DN" -w "$VMG_TEST_ADMIN_PW" >/dev/null ||
	bad "deleting a record by hand"
printf 'dn: %s\nchangetype: modify\nadd: dnsRecord\ndnsRecord:: %s\n' \
	"$dn" "$(rec_a 192.0.2.99)" | ldapmodify -x -H "$VMG_TEST_LDAP_URI" \
	-D "$VMG_TEST_ADMIN_DN" -w "$VMG_TEST_ADMIN_PW" >/dev/null ||
	bad "adding a record by hand"
check "reconcile pass" pass
expect_node $G1 $Z "drift repaired" "$(rec_a 192.0.2.10)"

# --- a VM calling itself like a foreign node: refused, quarantined, the
# foreign node untouched even though the account may write it
write_conf image yes
seed=$(values dc1 $Z)
reg -n dc1 -i evil -a 192.0.2.66
check "pass with a foreign name" pass
check "foreign node untouched" test "$(values dc1 $Z)" = "$seed"
check "foreign node keeps its creator" test "$(admin -b "$(node_dn dc1 $Z)" \
	-s base creatorsName | sed -n 's/^creatorsName: //p')" = "$VMG_TEST_ADMIN_DN"
check "refused registration quarantined with a reason" grep -q "does not own" \
	"$SPOOL"/quarantine/*.reason
check "nothing written for the refused VM" test -z "$(values hv1-evil-vm $Z)"
check "refusal logged" grep -q "registration of VM dc1 refused" "$W/log"
expect_node web1 $Z "VM records when configured" "$(rec_a 192.0.2.10)"

# --- a malformed spool file is quarantined, the daemon goes on
printf '{"version":1,"op":"register"' >"$SPOOL/new/broken.json"
check "pass with a broken file" pass
check "broken file quarantined" test -f "$SPOOL/quarantine/broken.json"
check "its reason" grep -q "ends too early" "$SPOOL/quarantine/broken.json.reason"

# --- expiry without a release
write_conf image no
"$VMGROUP" register -s "$SPOOL" -H hv1 -S dhcp -n tmp1 -i short \
	-a 192.0.2.30 -t $(($(date +%s) - 10)) -l 12 >/dev/null
check "lease pass" pass
expect_node hv1-short-vm $Z "leased VM present" "$(rec_a 192.0.2.30)"
sleep 3
check "expiry pass" pass
check "expired lease tombstones its group" tombstoned hv1-short-vm $Z

# --- configuration checks an administrator runs
check "vmgroupd -t accepts the configuration" sh -c \
	"'$VMGROUPD' -t -f '$CONF' | grep -q 'configuration OK'"
chmod 0644 "$VMG_TEST_KEYTAB"
check "a world-readable keytab is refused" sh -c \
	"! '$VMGROUPD' -t -f '$CONF' 2>&1 | grep -q OK && \
	'$VMGROUPD' -t -f '$CONF' 2>&1 | grep -q 'lets others read'"
check "and no pass runs with it" sh -c "! '$VMGROUPD' --once --allow-root -f '$CONF' 2>/dev/null"
chmod 0600 "$VMG_TEST_KEYTAB"
chmod 0777 "$SPOOL"
check "a world-writable spool is refused" sh -c \
	"'$VMGROUPD' -t -f '$CONF' 2>&1 | grep -q 'world-writable'"
chmod 0750 "$SPOOL"
check "root is refused without --allow-root" sh -c \
	"[ \"\$(id -u)\" -ne 0 ] || ! '$VMGROUPD' --once -f '$CONF' 2>/dev/null"
printf '[daemon]\nspool = %s\nbogus = 1\n' "$SPOOL" >"$W/bad.conf"
check "a bad setting is named with its line" sh -c \
	"'$VMGROUPD' -t -f '$W/bad.conf' 2>&1 | grep -q 'bad.conf:3: unknown setting'"

# --- failover: the first URI is dead, the second answers
dead=ldap://127.0.0.1:1
sed -i "s|^uri = .*|uri = $dead $VMG_TEST_LDAP_URI|" "$CONF"
reg -n fo1 -i debian-12 -a 192.0.2.40
check "pass with a dead first DC" pass
check "it failed over to the second URI" grep -q \
	"connected to $VMG_TEST_LDAP_URI" "$W/log"
expect_node $G1 $Z "written through the second DC" \
	"$(rec_a 192.0.2.10)" "$(rec_a 192.0.2.40)"

# --- aging: records carry the hour they were written
printf '[directory]\nuri = %s\n' "$VMG_TEST_LDAP_URI" >/dev/null
sed -i "s|^uri = .*|uri = $VMG_TEST_LDAP_URI|; s|^ttl = 300|ttl = 300\naging = yes|" "$CONF"
reg -n age1 -i aged -a 192.0.2.41
check "aging pass" pass
hours=$(( $(date +%s) / 3600 + 3234576 ))
expect_node hv1-aged-vm $Z "aging time stamp: hours since 1601" \
	"$(record 1 300 "$(ipv4 192.0.2.41)" "$SOA_SERIAL" "$hours")"

# --- host-wide grouping: one group for all
write_conf host no
check "host-wide pass" pass
expect_node hv1-all-vm $Z "host-wide group holds every VM" \
	"$(rec_a 192.0.2.10)" "$(rec_a 192.0.2.21)" "$(rec_a 192.0.2.40)" \
	"$(rec_a 192.0.2.41)"
check "per-image groups gone in host mode" tombstoned $G1 $Z
expect_node _vmgroup._tcp.hv1 $Z "host SRV -> the one group" \
	"$(rec_srv hv1-all-vm.$Z)"

echo "$fails failure(s)"
[ $fails -eq 0 ] || { echo "--- vmgroupd log"; tail -n 40 "$W/log"; }
[ $fails -eq 0 ]
