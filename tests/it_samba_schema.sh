#!/bin/bash
# it_samba_schema.sh - doc/ad-admin.md's Samba path, followed literally on a
# real AD (a Samba AD DC in a network namespace, provisioned without schema
# updates allowed, as a real DC is): every fenced block marked
# "<!-- samba-test: NAME -->" is cut out of the doc and run as root "on the
# DC" (inside its namespace, dc1.<domain> resolving to it), in order, with
# only the doc's documented example names replaced.  The one stand-in is
# `systemctl restart samba-ad-dc`, carried out by tests/samba-env.sh restart
# (this DC is no systemd unit).  After each step, what it should have done
# is checked: the schema with its fixed schemaIDGUIDs, the restart that
# schema changes need, the account and its keytab, the SID in the ACEs, the
# delegation (the account can create, modify and delete vmGroup objects in
# the OU and nothing else), the policy engine's rights, the SPN, and the
# rollback (ACEs, DNS nodes, OU, SPN, account, schema defunct).
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
if [ -z "${VMG_SAMBA_DIR:-}" ]; then
	VMG_SAMBA_SCHEMA_UPDATES=no VMG_SAMBA_STEPS="" \
		exec "$top_srcdir/tests/with-samba.sh" bash "$0" "$@"
fi
fails=0
ok() { echo "ok: $1"; }
bad() { echo "FAILED: $1"; fails=$((fails + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
not() { ! "$@"; }
N="ip netns exec $VMG_SAMBA_NS"
D=$VMG_SAMBA_DIR
SNC="CN=Schema,CN=Configuration,$VMG_SAMBA_BASE"
OU=$VMG_SAMBA_OU_DN
REALM=$VMG_SAMBA_REALM
doc=$top_srcdir/doc/ad-admin.md
ad=$top_srcdir/schema/vmgroup-ad.ldif
W=$D/doc
mkdir -p "$W/bin" && chmod 0700 "$W"
# The doc's account names are taken by tests/samba-env.sh's own fixture
# account; the doc's steps create theirs under these names.
SVC=svc-doc
NAC=nac-doc
VMGROUP_GUID=$(awk '$1 == "class" { print $4 }' "$top_srcdir/schema/vmgroup.def")

# --- the doc's placeholders (its table) and what this DC has instead
placeholders=(
	"DC=example,DC=test|$VMG_SAMBA_BASE"
	"EXAMPLE.TEST|$REALM"
	"example.test|$VMG_SAMBA_ZONE"
	"svc-vmgroup|$SVC"
	"nac-engine|$NAC"
	"/usr/share/vmgroup|$top_srcdir/schema"
	"/etc/samba/smb.conf|$D/dc/etc/smb.conf"
	"/var/lib/samba/private|$D/dc/private"
)
SPNADDR=198.51.100.53	# the doc's own example; nothing here has it
for p in "${placeholders[@]}" "dc1|" "DC1\$|" "$SPNADDR|"; do
	grep '^| `' "$doc" | grep -qF -- "\`${p%%|*}\`" ||
		bad "the doc's placeholder table lists ${p%%|*}"
done
subst() {
	local p e=()
	for p in "${placeholders[@]}"; do
		e+=(-e "s|${p%%|*}|${p#*|}|g")
	done
	sed "${e[@]}"
}
block() { # NAME -> the doc's block, as written
	awk -v m="<!-- samba-test: $1 -->" '
		$0 == m { want = 1; next }
		want && /^```/ { if (inside) exit; inside = 1; next }
		inside { print }' "$doc"
}

# "the DC": its namespace, its name resolving to it, root's PATH, its
# smb.conf found where samba-tool looks, its krb5.conf, no ldap.conf of ours
printf '%s dc1.%s dc1\n' "$VMG_SAMBA_IP" "$VMG_SAMBA_ZONE" >"$W/hosts"
cat >"$W/bin/systemctl" <<EOF
#!/bin/sh
# stands in for the service manager: this DC is no systemd unit
if [ "\$*" != "restart samba-ad-dc" ]; then
	echo "systemctl (test): only 'restart samba-ad-dc' is known" >&2
	exit 1
fi
exec bash '$top_srcdir/tests/samba-env.sh' restart '$D'
EOF
chmod 0755 "$W/bin/systemctl"
run() { # NAME: run the doc's block NAME; its output in $W/NAME.out
	local name=$1
	block "$name" | subst >"$W/$name.sh"
	if ! [ -s "$W/$name.sh" ]; then
		bad "doc block $name exists"
		return 1
	fi
	ran="$ran $name"
	# the admin's password for kinit's prompt; no terminal to ask on
	printf '%s\n' "$VMG_SAMBA_ADMIN_PW" | (cd "$W" && $N env -i \
	    PATH="$W/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
	    HOME="$W" SMB_CONF_PATH="$D/dc/etc/smb.conf" \
	    KRB5_CONFIG="$D/krb5.conf" KRB5CCNAME="FILE:$W/admin.cc" \
	    LDAPCONF=/dev/null LDAPRC=/dev/null \
	    setsid -w sh -c 'mount --bind "$1" /etc/hosts && exec bash -e "$2"' \
	    _ "$W/hosts" "$W/$name.sh") >"$W/$name.out" 2>&1
	local rc=$?
	if [ $rc -ne 0 ]; then
		bad "doc block $name runs as written (exit $rc)"
		sed 's/^/    /' "$W/$name.out" | tail -n 15
		return 1
	fi
	ok "doc block $name runs as written"
}
ran=

# helpers for the checks (not from the doc)
admin() { LDAPTLS_REQCERT=never $N ldapsearch -x -LLL -o ldif-wrap=no \
	-H "ldaps://$VMG_SAMBA_IP" -D "Administrator@$REALM" \
	-w "$VMG_SAMBA_ADMIN_PW" "$@" 2>/dev/null; }
admin_modify() { # LDIF on stdin; prints the result code and the message
	LDAPTLS_REQCERT=never $N ldapmodify -x -H "ldaps://$VMG_SAMBA_IP" \
	    -D "Administrator@$REALM" -w "$VMG_SAMBA_ADMIN_PW" "$@" 2>&1 >/dev/null
	echo "rc=$?"
}
as() { # KEYTAB PRINCIPAL: a ticket for that account in $W/as.cc
	KRB5CCNAME=FILE:$W/as.cc $N kinit -k -t "$1" "$2"
}
as_modify() { # LDIF on stdin, as the account of the last `as`; result code
	KRB5CCNAME=FILE:$W/as.cc $N ldapmodify -Q -Y GSSAPI -H "$VMG_SAMBA_URI" \
	    >/dev/null 2>&1
	echo $?
}
first() { sed -n "s/^$1::\\? //p" | head -n 1; }
tool() { $N samba-tool "$@" -s "$D/dc/etc/smb.conf" 2>/dev/null; }
sid_of() { tool user show "$1" --attributes=objectSid | sed -n 's/^objectSid: //p'; }
sddl_of() { tool dsacl get --objectdn="$1" | tail -n +2; }
dcpid() { cat "$D/samba.pid"; }
kvno_ok() { KRB5CCNAME=FILE:$W/admin.cc $N kvno "ldap/$SPNADDR@$REALM" >/dev/null 2>&1; }

# --- 1. schema: refused until allowed and samba restarted
sed "s/,DC=X\$/,$VMG_SAMBA_BASE/" "$ad" >"$W/probe.ldif"
out=$(admin_modify -f "$W/probe.ldif")
check "before the doc's step, a schema import is refused (53)" \
	grep -q 'rc=53' <<<"$out"
pid=$(dcpid)
sed -i '/^\[global\]/a dsdb:schema update allowed = yes' "$D/dc/etc/smb.conf"
out=$(admin_modify -f "$W/probe.ldif")
check "the setting alone, without a restart, is not enough (53)" \
	grep -q 'rc=53' <<<"$out"
sed -i '/^dsdb:schema update allowed = yes$/d' "$D/dc/etc/smb.conf"
run schema-enable
check "smb.conf allows schema updates" grep -qx 'dsdb:schema update allowed = yes' \
	"$D/dc/etc/smb.conf"
check "samba was restarted" test "$(dcpid)" != "$pid"
run schema-import
for a in $(sed -n 's/^lDAPDisplayName: //p' "$ad"); do
	want=$(awk -v n="$a" '$1 == "dn:" { cur = $2 } cur ~ "^CN=" n "," &&
		$1 == "schemaIDGUID::" { print $2 }' "$ad")
	got=$(admin -b "CN=$a,$SNC" -s base schemaIDGUID | first schemaIDGUID)
	check "$a is in the schema with its fixed schemaIDGUID" test \
		-n "$got" -a "$got" = "$want"
done
check "vmGroup is a structural class (objectClassCategory 1)" test \
	"$(admin -b "CN=vmGroup,$SNC" -s base objectClassCategory | first objectClassCategory)" = 1
superiors() { admin -b "CN=vmGroup,$SNC" -s base possSuperiors |
	grep -q "^possSuperiors: organizationalUnit"; }
check "vmGroup may live in an organizationalUnit" superiors
check "indexed attributes have searchFlags 1" test \
	"$(admin -b "CN=vmGroupMember,$SNC" -s base searchFlags | first searchFlags)" = 1
run schema-check
nschema=$(grep -c '^\(attribute\|class\) ' "$top_srcdir/schema/vmgroup.def")
check "the doc's check lists the $nschema schema objects" test \
	"$(grep -c '^lDAPDisplayName: vmGroup' "$W/schema-check.out")" = "$nschema"
pid=$(dcpid)
run schema-disable
check "samba was restarted again" test "$(dcpid)" != "$pid"
check "smb.conf no longer allows schema updates" not grep -q \
	'schema update allowed' "$D/dc/etc/smb.conf"
out=$(admin_modify -f "$W/probe.ldif")
check "schema changes are refused again (53, updates not allowed)" \
	grep -q 'updates are not allowed' <<<"$out"

# --- 2. the OU
run ou-create
check "the OU exists" test -n "$(admin -b "$OU" -s base dn)"

# --- 3. the account, its keytab, its rights
run account
check "the keytab is 0600" test "$(stat -c %a "$W/vmgroupd.keytab")" = 600
uac=$(admin -b "CN=$SVC,CN=Users,$VMG_SAMBA_BASE" -s base userAccountControl |
	first userAccountControl)
check "the account's password never expires" test $(( ${uac:-0} & 0x10000 )) -ne 0
check "kinit from the doc's keytab" as "$W/vmgroupd.keytab" "$SVC@$REALM"
G="CN=hv1-debian-12-vm,$OU"
add_group() { printf 'dn: %s\nchangetype: add\nobjectClass: vmGroup\nvmGroupHost: hv1\nvmGroupDNSName: hv1-debian-12-vm.%s\nvmGroupImage: debian-12\nvmGroupMember: web1\nvmGroupAddress: 192.0.2.10\nvmGroupLastUpdate: 20261125120000.0Z\n' \
	"$G" "$VMG_SAMBA_ZONE" | as_modify; }
check "without the delegation it cannot create a vmGroup object (50)" \
	test "$(add_group)" = 50
run delegate
sid=$(sid_of "$SVC")
check "the block printed the account's SID" grep -qx "$SVC is $sid" "$W/delegate.out"
check "the OU's ACL names that SID" grep -qF "(OA;;CCDC;$VMGROUP_GUID;;$sid)" \
	<<<"$(sddl_of "$OU")"
check "the service account creates a vmGroup object" test "$(add_group)" = 0
rc=$(printf 'dn: %s\nchangetype: modify\nreplace: vmGroupMember\nvmGroupMember: web1\nvmGroupMember: web2\n' \
	"$G" | as_modify)
check "and modifies it" test "$rc" = 0
rc=$(printf 'dn: %s\nchangetype: modify\nreplace: description\ndescription: x\n' \
	"$OU" | as_modify)
check "it cannot modify the OU itself (50)" test "$rc" = 50
rc=$(printf 'dn: CN=x1,%s\nchangetype: add\nobjectClass: container\n' "$OU" |
	as_modify)
check "it cannot create other kinds of objects in the OU (50)" test "$rc" = 50
rc=$(printf 'dn: CN=x2,CN=Users,%s\nchangetype: add\nobjectClass: container\n' \
	"$VMG_SAMBA_BASE" | as_modify)
check "it cannot create objects outside the OU (50)" test "$rc" = 50
rc=$(printf 'dn: DC=dc1,%s\nchangetype: modify\nreplace: dNSTombstoned\ndNSTombstoned: TRUE\n' \
	"$VMG_SAMBA_ZONE_DN" | as_modify)
check "it cannot modify the DC's own DNS node (not in DnsAdmins) (50)" test "$rc" = 50
run delegate-zone
check "the zone's ACL lets the account create dnsNodes" grep -qF \
	"(OA;;CC;e0fa1e8c-9b45-11d0-afdd-00c04fd930c9;;$sid)" <<<"$(sddl_of "$VMG_SAMBA_ZONE_DN")"

# a policy engine: its account and keytab are the site's (made here)
tool user create "$NAC" --random-password >/dev/null &&
	tool domain exportkeytab "$W/nac.keytab" --principal="$NAC@$REALM" >/dev/null ||
	bad "creating the policy engine's account"
block_it() { printf 'dn: %s\nchangetype: modify\nreplace: vmGroupBlocked\nvmGroupBlocked: TRUE\n-\nreplace: vmGroupBlockReason\nvmGroupBlockReason: test\n-\nreplace: vmGroupBlockTime\nvmGroupBlockTime: 20261125120000.0Z\n-\nreplace: vmGroupBlockedBy\nvmGroupBlockedBy: alice (via sudo as root) on hv1\n' \
	"$G" | as_modify; }
as "$W/nac.keytab" "$NAC@$REALM" || bad "kinit as the policy engine"
check "without its delegation the engine cannot block (50)" test "$(block_it)" = 50
run delegate-policy
check "the engine blocks a group (flag, reason, time, who: what vmgroup block writes)" \
	test "$(block_it)" = 0
check "vmGroupBlockedBy is in the AD schema and held" test "$(admin -b "$G" -s base \
	vmGroupBlockedBy | first vmGroupBlockedBy)" = "alice (via sudo as root) on hv1"
rc=$(printf 'dn: %s\nchangetype: modify\nreplace: vmGroupMember\nvmGroupMember: evil\n' \
	"$G" | as_modify)
check "but cannot change its members (50)" test "$rc" = 50
as "$W/vmgroupd.keytab" "$SVC@$REALM" || bad "kinit as the service account"
check "policy engines find blocked groups by filter" test "$(KRB5CCNAME=FILE:$W/as.cc \
	$N ldapsearch -Q -Y GSSAPI -LLL -H "$VMG_SAMBA_URI" -b "$OU" \
	'(&(objectClass=vmGroup)(vmGroupBlocked=TRUE)(vmGroupMember=web2))' dn \
	2>/dev/null | grep -c '^dn: ')" = 1
rc=$(printf 'dn: %s\nchangetype: delete\n' "$G" | as_modify)
check "the service account deletes its vmGroup object" test "$rc" = 0

# --- 4. the SPN for an address in uri
check "no ticket for ldap/$SPNADDR before the SPN" not kvno_ok
run spn
check "a ticket for ldap/$SPNADDR after samba-tool spn add" kvno_ok
check "spn list shows it" grep -qx "[[:space:]]*ldap/$SPNADDR" "$W/spn.out"

# --- 5. rollback
tool dns add "$VMG_SAMBA_IP" "$VMG_SAMBA_ZONE" vm-rollback A 192.0.2.99 \
	-U Administrator --password="$VMG_SAMBA_ADMIN_PW" >/dev/null ||
	bad "a node to roll back"
node="DC=vm-rollback,$VMG_SAMBA_ZONE_DN"
printf '{"nodes": ["%s"], "groups": []}\n' "$node" >"$W/owned.json"
check "the node is there" test -n "$(admin -b "$node" -s base dn)"
run rollback-dns
check "the nodes of owned.json are gone" test -z "$(admin -b "$node" -s base dn)"
run rollback-delegation
nac_sid=$(sid_of "$NAC")
check "the OU's ACL no longer names the service account" not grep -qF "$sid" \
	<<<"$(sddl_of "$OU")"
check "nor the policy engine" not grep -qF "$nac_sid" <<<"$(sddl_of "$OU")"
check "nor does the zone's" not grep -qF "$sid" <<<"$(sddl_of "$VMG_SAMBA_ZONE_DN")"
as "$W/vmgroupd.keytab" "$SVC@$REALM" || bad "kinit as the service account"
check "the account can no longer create vmGroup objects (50)" test "$(add_group)" = 50
run rollback-objects
check "the OU is gone" test -z "$(admin -b "$OU" -s base dn)"
check "the SPN is gone" not kvno_ok
check "the account is gone" test -z "$(sid_of "$SVC")"
run rollback-schema
for a in $(sed -n 's/^lDAPDisplayName: //p' "$ad"); do
	check "$a is defunct" test \
		"$(admin -b "CN=$a,$SNC" -s base isDefunct | first isDefunct)" = TRUE
done
check "schema changes are forbidden again" not grep -q \
	'schema update allowed' "$D/dc/etc/smb.conf"
out=$(printf 'dn: CN=x3,CN=Users,%s\nchangetype: add\nobjectClass: vmGroup\nvmGroupHost: h\nvmGroupDNSName: x\n' \
	"$VMG_SAMBA_BASE" | admin_modify)
check "a defunct vmGroup can no longer be created" grep -q 'isDefunct' <<<"$out"

# every marked block of the doc was run
for b in $(sed -n 's/^<!-- samba-test: \(.*\) -->$/\1/p' "$doc"); do
	case " $ran " in
	*" $b "*) ;;
	*) bad "doc block $b is run by this test" ;;
	esac
done

echo "$fails failure(s)"
[ $fails -eq 0 ]
