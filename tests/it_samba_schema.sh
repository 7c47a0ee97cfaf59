#!/bin/bash
# it_samba_schema.sh - the AD schema extension and the delegation of
# doc/ad-admin.md, proven on a real AD (Samba AD DC in a network namespace):
# the LDIF imports over LDAP as Administrator the way ldifde does, and the
# service account (keytab, GSSAPI) can create, modify and delete vmGroup
# objects in the OU and nothing outside its delegation.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
if [ -z "${VMG_SAMBA_DIR:-}" ]; then
	VMG_SAMBA_STEPS="" exec "$top_srcdir/tests/with-samba.sh" bash "$0" "$@"
fi
fails=0
ok() { echo "ok: $1"; }
bad() { echo "FAILED: $1"; fails=$((fails + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
N="ip netns exec $VMG_SAMBA_NS"
SNC="CN=Schema,CN=Configuration,$VMG_SAMBA_BASE"
OU=$VMG_SAMBA_OU_DN
env_sh=$top_srcdir/tests/samba-env.sh

admin() { LDAPTLS_REQCERT=never $N ldapsearch -x -LLL -o ldif-wrap=no \
	-H "ldaps://$VMG_SAMBA_IP" -D "Administrator@$VMG_SAMBA_REALM" \
	-w "$VMG_SAMBA_ADMIN_PW" "$@" 2>/dev/null; }
svc_modify() { # ldapmodify as the service account; prints the result code
	$N ldapmodify -Q -Y GSSAPI -H "$VMG_SAMBA_URI" >/dev/null 2>&1
	echo $?
}
first() { sed -n "s/^$1::\\? //p" | head -n 1; }

# --- import, as ldifde would
check "the AD LDIF imports over LDAP as Administrator" bash "$env_sh" schema \
	"$VMG_SAMBA_DIR"
ad=$top_srcdir/schema/vmgroup-ad.ldif
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
check "the OU exists" test -n "$(admin -b "$OU" -s base dn)"
check "importing it again is refused (schema objects are never replaced)" \
	sh -c "! LDAPTLS_REQCERT=never $N ldapmodify -x -H ldaps://$VMG_SAMBA_IP \
	-D Administrator@$VMG_SAMBA_REALM -w '$VMG_SAMBA_ADMIN_PW' \
	-f '$VMG_SAMBA_DIR/vmgroup-ad.ldif' >/dev/null 2>&1"

# --- the delegation, then the service account with its keytab
check "the delegation applies" bash "$env_sh" delegate "$VMG_SAMBA_DIR"
check "kinit from the keytab" $N kinit -k -t "$VMG_SAMBA_KEYTAB" "$VMG_SAMBA_PRINCIPAL"
G="CN=hv1-debian-12-vm,$OU"
rc=$(printf 'dn: %s\nchangetype: add\nobjectClass: vmGroup\nvmGroupHost: hv1\nvmGroupDNSName: hv1-debian-12-vm.%s\nvmGroupImage: debian-12\nvmGroupMember: web1\nvmGroupAddress: 192.0.2.10\nvmGroupLastUpdate: 20261125120000.0Z\n' \
	"$G" "$VMG_SAMBA_ZONE" | svc_modify)
check "the service account creates a vmGroup object" test "$rc" = 0
rc=$(printf 'dn: %s\nchangetype: modify\nreplace: vmGroupMember\nvmGroupMember: web1\nvmGroupMember: web2\n-\nreplace: vmGroupBlocked\nvmGroupBlocked: TRUE\n' \
	"$G" | svc_modify)
check "and modifies it" test "$rc" = 0
check "policy engines find blocked groups by filter" test "$($N ldapsearch -Q \
	-Y GSSAPI -LLL -H "$VMG_SAMBA_URI" -b "$OU" '(&(objectClass=vmGroup)(vmGroupBlocked=TRUE)(vmGroupMember=web2))' \
	dn 2>/dev/null | grep -c '^dn: ')" = 1
rc=$(printf 'dn: %s\nchangetype: modify\nreplace: description\ndescription: x\n' \
	"$OU" | svc_modify)
check "it cannot modify the OU itself (50)" test "$rc" = 50
rc=$(printf 'dn: CN=x1,%s\nchangetype: add\nobjectClass: container\n' "$OU" |
	svc_modify)
check "it cannot create other kinds of objects in the OU (50)" test "$rc" = 50
rc=$(printf 'dn: CN=x2,CN=Users,%s\nchangetype: add\nobjectClass: container\n' \
	"$VMG_SAMBA_BASE" | svc_modify)
check "it cannot create objects outside the OU (50)" test "$rc" = 50
rc=$(printf 'dn: DC=dc1,%s\nchangetype: modify\nreplace: dNSTombstoned\ndNSTombstoned: TRUE\n' \
	"$VMG_SAMBA_ZONE_DN" | svc_modify)
check "it cannot modify the DC's own DNS node (not in DnsAdmins) (50)" test "$rc" = 50
rc=$(printf 'dn: %s\nchangetype: delete\n' "$G" | svc_modify)
check "it deletes its vmGroup object" test "$rc" = 0

echo "$fails failure(s)"
[ $fails -eq 0 ]
