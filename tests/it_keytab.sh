#!/bin/bash
# it_keytab.sh - the keytab rule of vmgroupd.conf(5), as vmgroupd -t and a
# real pass (KDC + slapd of tests/testenv.sh) apply it: 0600 and 0640 are
# accepted; a keytab others may read or write, or its group may write, is
# refused with the mode, what it allows and the chmod that fixes it (and
# that chmod does fix it); a symbolic link is followed and the file it
# points to is checked and read.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
if [ -z "${VMG_TEST_DIR:-}" ]; then
	exec "$top_srcdir/tests/with-testenv.sh" bash "$0" "$@"
fi
. "$top_srcdir/tests/lib-it.sh"

K=$W/kt/vmgroupd.keytab
mkdir -p "$W/kt" "$SPOOL" && chmod 0750 "$W/kt" "$SPOOL"
cp "$VMG_TEST_KEYTAB" "$K"
write_conf image no
sed -i "s#^keytab = .*#keytab = $K#" "$CONF"
t() { "$VMGROUPD" -t -f "$CONF" >"$W/t.out" 2>&1; }
says() { grep -qxF -- "vmgroupd: $1" "$W/t.out" || grep -qxF -- "$1" "$W/t.out" ||
	{ echo "  got: $(cat "$W/t.out")"; return 1; }; }

for m in 0600 0640 0400 0440; do
	chmod "$m" "$K"
	check "mode $m is accepted" t
done

refused() { # mode what fix
	chmod "$1" "$K"
	if t; then
		bad "mode $1 is refused"
		return
	fi
	check "mode $1 is refused: $2" says \
		"keytab $K: mode $1 lets $2; fix it with: chmod $3 $K"
	chmod "$3" "$K"
	check "and chmod $3 fixes it" t
}
refused 0660 "its group write it" 0640
refused 0620 "its group write it" 0600
refused 0644 "others read it" 0640
refused 0604 "others read it" 0600
refused 0602 "others write it" 0600
refused 0606 "others read and write it" 0600
refused 0666 "others read and write it and its group write it" 0640
refused 0664 "others read it and its group write it" 0640

# the daemon itself refuses it too, with the same message
chmod 0660 "$K"
reg -n web1 -i debian-12 -a 192.0.2.10
if pass; then bad "a pass with a 0660 keytab fails"; else ok "a pass with a 0660 keytab fails"; fi
check "and logs why" grep -qF "keytab $K: mode 0660 lets its group write it; fix it with: chmod 0640 $K" "$W/log"

# a symbolic link is followed; the file it points to is checked and read
chmod 0600 "$K"
L=$W/kt/link.keytab
ln -s vmgroupd.keytab "$L"
sed -i "s#^keytab = .*#keytab = $L#" "$CONF"
check "a symbolic link to a 0600 keytab is accepted" t
check "a pass reads the keytab through the link (a ticket from the KDC)" pass
check "and wrote the group" test "$(attr "CN=hv1-debian-12-vm,$VMG_TEST_OU_DN" vmGroupMember)" = "web1 "
chmod 0644 "$K"
if t; then bad "a link to a 0644 keytab is refused"; else
	check "a link to a 0644 keytab is refused, naming the link and its target" says \
		"keytab $L (a symbolic link to vmgroupd.keytab): mode 0644 lets others read it; fix it with: chmod 0640 $L"
fi
chmod 0600 "$K"
rm "$K"
if t; then bad "a dangling link is refused"; else
	check "a dangling link is refused, naming its target" says \
		"keytab $L (a symbolic link to vmgroupd.keytab): No such file or directory"
fi
mkdir "$K"
if t; then bad "a link to a folder is refused"; else
	check "a link to a folder is refused" says \
		"keytab $L (a symbolic link to vmgroupd.keytab): not a regular file"
fi

rmdir "$K"
cp "$VMG_TEST_KEYTAB" "$K" && chmod 0600 "$K"
check "the keytab back: accepted" t

# -t: the keytab must hold a key for the principal (nothing contacted)
P=$(sed -n 's/^principal = //p' "$CONF")
sed -i "s#^principal = .*#principal = nosuch@${P#*@}#" "$CONF"
if t; then bad "a keytab without the principal's key is refused"; else
	check "a keytab without the principal's key is refused, naming both" says \
		"keytab $L holds no key for nosuch@${P#*@} (klist -k $L lists the principals it holds)"
fi
sed -i "s#^principal = .*#principal = $P#" "$CONF"
check "the principal back: accepted" t

# -t tells every problem, not only the first: a world-writable spool and a
# keytab without the principal's key, at once
chmod 0777 "$SPOOL"
sed -i "s#^principal = .*#principal = nosuch@${P#*@}#" "$CONF"
if t; then bad "two problems: refused"; else
	check "two problems: the keytab's" grep -qF "keytab $L holds no key for nosuch@" "$W/t.out"
	check "two problems: the spool's" grep -qF "$SPOOL is world-writable" "$W/t.out"
	check "two problems: counted" says "$CONF: 2 problems to fix before vmgroupd can start"
fi
chmod 0750 "$SPOOL"
sed -i "s#^principal = .*#principal = $P#" "$CONF"
check "both fixed: accepted" t

echo "$fails failure(s)"
[ $fails -eq 0 ]
