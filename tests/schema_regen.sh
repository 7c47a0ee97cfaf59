#!/bin/sh
# schema_regen.sh - the committed schema files are exactly what
# schema/generate.sh makes from schema/vmgroup.def.
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
# every attribute of the class is declared, every OID is distinct
oids=$(grep -o "attributeID: .*\|governsID: .*" "$tmp/vmgroup-ad.ldif" | awk '{print $2}')
if [ "$(echo "$oids" | sort | uniq -d)" = "" ] && [ "$(echo "$oids" | wc -l)" -eq 10 ]; then
	echo "ok: ten distinct OIDs"
else
	echo "FAILED: OIDs are not ten distinct ones"; rc=1
fi
for a in $(sed -n 's/^\(mustContain\|mayContain\): //p' "$tmp/vmgroup-ad.ldif"); do
	[ "$a" = description ] && continue
	grep -q "^lDAPDisplayName: $a\$" "$tmp/vmgroup-ad.ldif" ||
		{ echo "FAILED: class names undeclared attribute $a"; rc=1; }
done
exit $rc
