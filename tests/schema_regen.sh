#!/bin/sh
# schema_regen.sh - the committed schema files and sync/vmgroup_attrs.h are
# exactly what schema/generate.sh makes from schema/vmgroup.def.
: "${top_srcdir:=.}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmg-schema.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
bash "$top_srcdir/schema/generate.sh" "$tmp" || exit 1
rc=0
for f in vmgroup.schema vmgroup.olc.ldif vmgroup-ad.ldif; do
	if diff -u "$top_srcdir/schema/$f" "$tmp/$f"; then
		echo "ok: schema/$f matches schema/vmgroup.def"
	else
		echo "FAILED: schema/$f differs from what vmgroup.def gives (run schema/generate.sh)"
		rc=1
	fi
done
if diff -u "$top_srcdir/sync/vmgroup_attrs.h" "$tmp/vmgroup_attrs.h"; then
	echo "ok: sync/vmgroup_attrs.h matches schema/vmgroup.def"
else
	echo "FAILED: sync/vmgroup_attrs.h differs from what vmgroup.def gives (run schema/generate.sh)"
	rc=1
fi
# every attribute of the class is declared, every OID is distinct
oids=$(grep -o "attributeID: .*\|governsID: .*" "$tmp/vmgroup-ad.ldif" | awk '{print $2}')
want=$(grep -c '^\(attribute\|class\) ' "$top_srcdir/schema/vmgroup.def")
if [ "$(echo "$oids" | sort | uniq -d)" = "" ] && [ "$(echo "$oids" | wc -l)" -eq "$want" ]; then
	echo "ok: $want distinct OIDs, one per attribute and class of vmgroup.def"
else
	echo "FAILED: OIDs are not $want distinct ones"; rc=1
fi
for a in $(sed -n 's/^\(mustContain\|mayContain\): //p' "$tmp/vmgroup-ad.ldif"); do
	[ "$a" = description ] && continue
	grep -q "^lDAPDisplayName: $a\$" "$tmp/vmgroup-ad.ldif" ||
		{ echo "FAILED: class names undeclared attribute $a"; rc=1; }
done
# the cn=config form loads into a configuration database
PATH=$PATH:/usr/sbin:/sbin
if command -v slapadd >/dev/null 2>&1; then
	mkdir "$tmp/slapd.d"
	cat >"$tmp/config.ldif" <<EOF
dn: cn=config
objectClass: olcGlobal
cn: config

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

include: file:///etc/ldap/schema/core.ldif

include: file://$tmp/vmgroup.olc.ldif

EOF
	if slapadd -n0 -F "$tmp/slapd.d" -l "$tmp/config.ldif" >"$tmp/slapadd.log" 2>&1; then
		echo "ok: vmgroup.olc.ldif loads into cn=config (slapadd -n0)"
	else
		echo "FAILED: vmgroup.olc.ldif does not load: $(tail -n 3 "$tmp/slapadd.log")"
		rc=1
	fi
elif [ "${CI:-}" = true ]; then
	echo "FAILED: slapadd missing"; rc=1
fi
exit $rc
