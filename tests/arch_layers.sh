#!/bin/sh
# arch_layers.sh - doc/architecture.md stays true: every module of sync/ is
# in its layer table and its list of rooms, every #include "x.h" in sync/
# goes to the same layer or one below, and the command line keeps away
# from the daemon's pass and state.
set -u
: "${top_srcdir:=.}"
doc=$top_srcdir/doc/architecture.md
src=$top_srcdir/sync
rc=0
w=$(mktemp -d "${TMPDIR:-/tmp}/vmg-arch.XXXXXX") || exit 1
trap 'rm -rf "$w"' EXIT

# "| 2 logic | dnsrec, dn |" -> "dnsrec 2" lines
sed -n 's/^| \([0-9]\) [a-z]* | \(.*\) |$/\1 \2/p' "$doc" |
while read -r n mods; do
	for m in $(echo "$mods" | tr ',' ' '); do echo "$m $n"; done
done >"$w/layers"
[ -s "$w/layers" ] || { echo "FAILED: no layer table in $doc"; exit 1; }
layer() { awk -v m="$1" '$1 == m { print $2 }' "$w/layers"; }

for f in "$src"/*.c "$src"/*.h; do
	m=$(basename "$f"); m=${m%.*}
	l=$(layer "$m")
	if [ -z "$l" ]; then
		echo "FAILED: sync/$m is in no layer of doc/architecture.md"
		rc=1
		continue
	fi
	grep -q "^- \*\*$m\(\.h\)\?\*\* - " "$doc" ||
		{ echo "FAILED: sync/$m has no line among the rooms of doc/architecture.md"; rc=1; }
	for i in $(sed -n 's/^#include "\([a-z_0-9]*\)\.h"$/\1/p' "$f"); do
		[ "$i" = config ] || [ "$i" = "$m" ] && continue
		li=$(layer "$i")
		if [ -z "$li" ] || [ "$li" -gt "$l" ]; then
			echo "FAILED: $(basename "$f") (layer $l) includes $i.h (layer ${li:-none})"
			rc=1
		fi
	done
done
for f in "$src"/vmgroup.c "$src"/vmgroup_cli.h "$src"/cli_*.[ch]; do
	for i in daemon sync state claim spoolscan lock; do
		grep -q "^#include \"$i\\.h\"" "$f" &&
			{ echo "FAILED: $(basename "$f"): the command line includes $i.h"; rc=1; }
	done
done
# Only the directory module speaks LDAP (dn.c escapes DNs and filters
# through libldap, by design; it talks to no server).
for f in "$src"/*.c "$src"/*.h; do
	case $(basename "$f") in dir.c | dirdc.c | dirnode.c | dirown.c | dirwatch.c | dirpriv.h | dn.c | dn.h) continue ;; esac
	if grep -q 'ldap\.h\|lber\.h\|ldap_\|LDAP_\|LDAPMod\|berval' "$f"; then
		echo "FAILED: $(basename "$f") speaks LDAP (only dir.c, dirdc.c, dirnode.c, dirown.c and dirwatch.c may)"
		rc=1
	fi
done
[ $rc -eq 0 ] && echo "ok: doc/architecture.md's layers hold for sync/"
exit $rc
