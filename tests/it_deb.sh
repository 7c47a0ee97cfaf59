#!/bin/bash
# it_deb.sh - the Debian package as an admin gets it (issue 15): built
# from this tree with dpkg-buildpackage -us -uc -b, linted (lintian: no
# error, no warning but those debian/vmgroup.lintian-overrides explains),
# its contents checked against the places make install uses, installed
# with dpkg -i (the user vmgroup, the spool and state folders, the units
# not enabled), vmgroupd -t telling what is missing and then accepting
# the configuration written into /etc/vmgroup, a registration queued by a
# hook and written by the installed vmgroupd into the test KDC + slapd,
# and purged, leaving nothing of it behind.
#
# Root.  It changes the machine for its run and puts it back on any exit
# (purge; the user and group removed if it made them).  It refuses to run
# (skip 77; under CI=true a failure) where the package is installed or
# /etc/vmgroup, /var/spool/vmgroup or /var/lib/vmgroup exist: the purge
# would remove an admin's.  The build takes a few minutes
# (DEB_BUILD_OPTIONS, default parallel=2).
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
FOLDERS="/etc/vmgroup /var/spool/vmgroup /var/lib/vmgroup"

refuse() {
	echo "note: $1"
	if [ "${CI:-}" = true ]; then
		echo "FAILED: CI=true: $1"
		exit 1
	fi
	exit 77
}
preflight() {
	local c st f
	[ "$(id -u)" -eq 0 ] || refuse "needs root (dpkg -i, dpkg --purge)"
	for c in dpkg-buildpackage dpkg-deb dpkg-checkbuilddeps dpkg-parsechangelog \
	    dh lintian systemd-sysusers systemd-tmpfiles systemd-analyze \
	    deb-systemd-helper setpriv ldapsearch tar; do
		command -v "$c" >/dev/null ||
		    refuse "$c is missing (scripts/install-deps.sh)"
	done
	dpkg-checkbuilddeps "$top_srcdir/debian/control" >/dev/null 2>&1 ||
	    refuse "unmet build dependencies: $(dpkg-checkbuilddeps \
	    "$top_srcdir/debian/control" 2>&1 | head -n 1)"
	st=$(dpkg-query -W -f='${db:Status-Status}' vmgroup 2>/dev/null)
	case $st in
	'' | not-installed) ;;
	*) refuse "the package vmgroup is on this machine ($st): not touching it" ;;
	esac
	for f in $FOLDERS; do
		[ ! -e "$f" ] || refuse "$f exists: the package's purge would remove it"
	done
}
if [ -z "${VMG_DEB_LOCKED:-}" ]; then
	# one at a time on a machine (two CI runs side by side, a distcheck
	# beside a make check): the second waits for the first's purge, then
	# runs; the lock is a file descriptor, freed when its holder exits
	[ "$(id -u)" -eq 0 ] || refuse "needs root (dpkg -i, dpkg --purge)"
	exec 9>>/run/lock/vmgroup-it_deb.lock || refuse "cannot open /run/lock/vmgroup-it_deb.lock"
	echo "note: waiting for another run of it_deb.sh, if any (flock)"
	flock 9 || refuse "flock /run/lock/vmgroup-it_deb.lock"
	export VMG_DEB_LOCKED=1
fi
preflight
if [ -z "${VMG_TEST_DIR:-}" ]; then
	exec "$top_srcdir/tests/with-testenv.sh" bash "$0" "$@"
fi
. "$top_srcdir/tests/lib-it.sh"

D=$VMG_TEST_DIR/deb
SRC=$D/vmgroup
mkdir -p "$SRC"
had_user=$(getent passwd vmgroup)
had_group=$(getent group vmgroup)
installed=
cleanup() {
	[ -z "$installed" ] || dpkg --purge vmgroup >/dev/null 2>&1
	# preflight: none of them was here before
	rm -rf $FOLDERS
	[ -n "$had_user" ] || ! getent passwd vmgroup >/dev/null || userdel vmgroup
	[ -n "$had_group" ] || ! getent group vmgroup >/dev/null || groupdel vmgroup
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail_out() { # what log: a step the rest depends on failed
	bad "$1"
	echo "--- $2 (last lines)"
	tail -n 40 "$2"
	exit 1
}

# --- the source: in a git work tree the files git knows, as they are in
# it (a fresh clone: HEAD); else (a dist tarball's tree) all of it but
# distcheck's build and install folders
top=$(cd "$top_srcdir" && pwd -P)
gittop=$(git -C "$top" rev-parse --show-toplevel 2>/dev/null)
copy_src() { # into
	mkdir -p "$1"
	if [ -n "$gittop" ] && [ "$(cd "$gittop" && pwd -P)" = "$top" ]; then
		(cd "$top" && git ls-files -z -c -o --exclude-standard |
		    while IFS= read -r -d '' f; do
			[ ! -e "$f" ] || printf '%s\0' "$f"
		    done | tar --null -T - -cf -) | tar -C "$1" -xf -
	else
		tar -C "$top" --exclude=./.git --exclude=./_build --exclude=./_inst \
		    --exclude=./autom4te.cache -cf - . |
		    tar -C "$1" -xf -
	fi
}
copy_src "$SRC"
check "the source copied (debian/ at its top)" test -x "$SRC/debian/rules"
V=$(dpkg-parsechangelog -l "$SRC/debian/changelog" -S Version)
UV=$(sed -n 's/^AC_INIT(\[vmgroup\], \[\([^]]*\)\].*/\1/p' "$SRC/configure.ac")
check "debian/changelog's version $V is configure.ac's ($UV)" test "$V" = "$UV"

# --- build, as the README says
# (an environment of its own: not this make's jobs, nor the test servers')
t0=$(date +%s)
DBO=${DEB_BUILD_OPTIONS:-parallel=2}
(cd "$SRC" && env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$D" LC_ALL=C.UTF-8 \
    CI="${CI:-}" DEB_BUILD_OPTIONS="$DBO" dpkg-buildpackage -us -uc -b) \
    >"$D/build.log" 2>&1 || fail_out "dpkg-buildpackage -us -uc -b" "$D/build.log"
ok "dpkg-buildpackage -us -uc -b builds it ($(($(date +%s) - t0)) s)"
case " $DBO " in
*" nocheck "*) echo "note: DEB_BUILD_OPTIONS has nocheck: no tests in the build" ;;
*) tot=$(sed -n 's/^# TOTAL: *//p' "$D/build.log" | tail -n 1)
	pass=$(sed -n 's/^# PASS: *//p' "$D/build.log" | tail -n 1)
	check "the build ran the offline tests (make check): ${tot:-none}, all passed" \
		test "${tot:-0}" -gt 0 -a "$tot" = "${pass:-}" ;;
esac
ARCH=$(dpkg --print-architecture)
DEB=$D/vmgroup_${V}_$ARCH.deb
check "it made $(basename "$DEB")" test -f "$DEB"

# --- lintian: errors and warnings fail; overrides are in debian/
lintian --fail-on error,warning "$D/vmgroup_${V}_$ARCH.changes" \
	>"$D/lintian.log" 2>&1
lrc=$?
grep -v '^running with root privileges' "$D/lintian.log" | sed 's/^/  lintian: /'
check "lintian: no error and no warning" test $lrc -eq 0

# --- contents
dpkg-deb -c "$DEB" | awk '{ sub(/^\./, "", $6); print $1, $6 }' >"$D/contents"
files() { awk '$1 !~ /^d/ { print $2 }' "$D/contents"; }
holds() { # description path...: the package holds each path
	local what=$1 p missing=
	shift
	for p in "$@"; do
		awk -v p="$p" '$2 == p { f = 1 } END { exit !f }' "$D/contents" ||
		    missing="$missing $p"
	done
	if [ -z "$missing" ]; then ok "the package holds $what"; else
		bad "the package holds $what: missing$missing"; fi
}
holds "vmgroupd in /usr/sbin" /usr/sbin/vmgroupd
holds "vmgroup and vmgroup-capture in /usr/bin" /usr/bin/vmgroup /usr/bin/vmgroup-capture
holds "the man pages" /usr/share/man/man1/vmgroup.1.gz \
	/usr/share/man/man5/vmgroupd.conf.5.gz /usr/share/man/man8/vmgroupd.8.gz \
	/usr/share/man/man8/vmgroup-capture.8.gz
holds "the sample configuration" /etc/vmgroup/vmgroupd.conf
holds "the units" /lib/systemd/system/vmgroupd.service \
	/lib/systemd/system/vmgroup-enforce.service \
	/lib/systemd/system/vmgroup-capture@.service
holds "the sysusers.d and tmpfiles.d files" /usr/lib/sysusers.d/vmgroup.conf \
	/usr/lib/tmpfiles.d/vmgroup.conf
holds "the hooks in /usr/lib/vmgroup/hooks" \
	/usr/lib/vmgroup/hooks/dnsmasq-vmgroup /usr/lib/vmgroup/hooks/kea-vmgroup \
	/usr/lib/vmgroup/hooks/dhcpd-vmgroup /usr/lib/vmgroup/hooks/qemu-vmgroup \
	/usr/lib/vmgroup/hooks/vmgroup-hook-lib.sh
holds "the schema and LDIF files in /usr/share/vmgroup" \
	/usr/share/vmgroup/vmgroup.schema /usr/share/vmgroup/vmgroup.olc.ldif \
	/usr/share/vmgroup/vmgroup-ad.ldif /usr/share/vmgroup/vmgroup-ou-ad.ldif \
	/usr/share/vmgroup/openldap-acl.ldif
holds "the documentation in /usr/share/doc/vmgroup" \
	/usr/share/doc/vmgroup/copyright /usr/share/doc/vmgroup/README.gz \
	/usr/share/doc/vmgroup/ad-admin.md.gz /usr/share/doc/vmgroup/capture.md.gz \
	/usr/share/doc/vmgroup/spool.md.gz /usr/share/doc/vmgroup/json.md.gz
check "no other program in /usr/sbin, nothing in /usr/libexec or /usr/local" \
	test -z "$(files | grep -E '^/usr/(sbin/|libexec/|local/)' | grep -vx /usr/sbin/vmgroupd)"
# the hooks' executable files: all but the library they source
check "the hooks are executable, the library they source is not" test \
	"$(awk '$2 ~ "^/usr/lib/vmgroup/hooks/." && $1 ~ /^-..x/ { print $2 }' \
	"$D/contents" | sed 's|.*/||' | sort | tr '\n' ' ')" = \
	"dhcpd-vmgroup dnsmasq-vmgroup kea-vmgroup qemu-vmgroup "
check "its one conffile: /etc/vmgroup/vmgroupd.conf" \
	test "$(dpkg-deb -I "$DEB" conffiles)" = /etc/vmgroup/vmgroupd.conf
dpkg-deb -x "$DEB" "$D/x"
unit_exec() { sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$D/x/lib/systemd/system/$1"; }
check "the units run /usr/sbin/vmgroupd, /usr/bin/vmgroup, /usr/bin/vmgroup-capture" \
	test "$(unit_exec vmgroupd.service) $(unit_exec vmgroup-enforce.service) $(unit_exec vmgroup-capture@.service)" \
	= "/usr/sbin/vmgroupd /usr/bin/vmgroup /usr/bin/vmgroup-capture"

# make install from source as the README says (its configure line, no
# --with-...: the folders pkg-config systemd names): the same files in the
# same places (no debhelper step adds, drops or moves one but the
# copyright, the changelog, the lintian overrides and the compression of
# man pages and docs)
copy_src "$D/src2"
(cd "$D/src2" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL sh -c 'autoreconf -fi &&
    ./configure --prefix=/usr --sysconfdir=/etc --localstatedir=/var &&
    make -j2 && make install DESTDIR="$1"' sh "$D/inst") \
	>"$D/install.log" 2>&1 ||
	fail_out "the README's configure, make, make install DESTDIR=..." "$D/install.log"
(cd "$D/inst" && find . ! -type d | sed 's/^\.//' | sort) >"$D/inst.list"
files | sed 's/\.gz$//' |
	grep -vxE '/usr/share/doc/vmgroup/(copyright|changelog)|/usr/share/lintian/overrides/vmgroup' |
	sort >"$D/deb.list"
check "make install puts the same files in the same places" \
	diff -u "$D/inst.list" "$D/deb.list"

# --- install
installed=1
dpkg -i "$DEB" >"$D/dpkg-i.log" 2>&1 || fail_out "dpkg -i" "$D/dpkg-i.log"
check "dpkg -i installs it" \
	test "$(dpkg-query -W -f='${db:Status-Status}' vmgroup)" = installed
pw=$(getent passwd vmgroup)
check "the system user vmgroup exists (uid < 1000, home /var/lib/vmgroup, no login)" \
	test "$(echo "$pw" | awk -F: '$3 < 1000 { print $6, $7 }')" = \
	"/var/lib/vmgroup /usr/sbin/nologin"
has() { getent "$1" vmgroup >/dev/null; }
check "so does its group" has group
mode_is() { # want path...
	local want=$1 p got=
	shift
	for p in "$@"; do got="$got$(stat -c '%a %U:%G' "$p" 2>&1) "; done
	[ "$got" = "$(for p in "$@"; do printf '%s ' "$want"; done)" ] ||
	    { echo "  got: $got"; return 1; }
}
S=/var/spool/vmgroup
check "the spool and its folders: 2770 vmgroup:vmgroup" \
	mode_is "2770 vmgroup:vmgroup" $S $S/tmp $S/new $S/quarantine
check "the state folder: 750 vmgroup:vmgroup" mode_is "750 vmgroup:vmgroup" /var/lib/vmgroup
check "the hooks' memory: 2770 vmgroup:vmgroup" mode_is "2770 vmgroup:vmgroup" /var/lib/vmgroup/hooks
check "the capture's: 750 vmgroup:vmgroup" mode_is "750 vmgroup:vmgroup" /var/lib/vmgroup/capture
check "/etc/vmgroup/vmgroupd.conf: 644 root:root" mode_is "644 root:root" /etc/vmgroup/vmgroupd.conf
conffile() { dpkg-query -W -f='${Conffiles}\n' vmgroup |
	grep -q '^ /etc/vmgroup/vmgroupd.conf [0-9a-f]*$'; }
check "dpkg has it as a conffile" conffile
cp /lib/systemd/system/vmgroup-capture@.service "$D/vmgroup-capture@lo.service"
check "the units verify (systemd-analyze verify; the capture as vmgroup-capture@lo)" \
	systemd-analyze verify --man=no /lib/systemd/system/vmgroupd.service \
	/lib/systemd/system/vmgroup-enforce.service "$D/vmgroup-capture@lo.service"
# enabled, a unit would have its link in a .wants folder, and
# deb-systemd-helper's record of it beside its state file
check "no unit enabled: no link in /etc/systemd/system" \
	test -z "$(find /etc/systemd/system -name 'vmgroup*' 2>/dev/null)"
check "... none recorded as enabled (deb-systemd-helper)" test -z "$(find \
	/var/lib/systemd/deb-systemd-helper-enabled -path '*.wants/vmgroup*' 2>/dev/null)"
if [ "$(ps -p 1 -o comm=)" = systemd ]; then
	check "systemd: vmgroupd and vmgroup-enforce are disabled and inactive" test \
		"$(systemctl is-enabled vmgroupd vmgroup-enforce) $(systemctl is-active vmgroupd vmgroup-enforce)" \
		= "$(printf 'disabled\ndisabled') $(printf 'inactive\ninactive')"
else
	echo "note: systemd is not PID 1 here: no unit could start"
fi
check "vmgroupd --version: $V" test "$(/usr/sbin/vmgroupd --version)" = "vmgroupd $V"

# --- vmgroupd -t: what is missing, then the admin's configuration
as_vmgroup() {
	setpriv --reuid=vmgroup --regid=vmgroup --init-groups env -i \
	    PATH=/usr/sbin:/usr/bin:/sbin:/bin LDAPNOINIT=1 \
	    KRB5_CONFIG=/etc/vmgroup/krb5-test.conf "$@"
}
/usr/sbin/vmgroupd -t >"$D/t.out" 2>&1
check "vmgroupd -t with the sample: refused (exit 1)" test $? -eq 1
check "... it says the keytab is missing" grep -qxE \
	"(vmgroupd: )?keytab /etc/vmgroup/vmgroupd.keytab: No such file or directory" "$D/t.out"
cat >/etc/vmgroup/vmgroupd.conf <<EOF
[directory]
uri = $VMG_TEST_LDAP_URI
principal = $VMG_TEST_PRINCIPAL
keytab = /etc/vmgroup/vmgroupd.keytab
base = $VMG_TEST_BASE
groups_ou = $VMG_TEST_OU_DN

[dns]
zone = $Z
reverse_zones = $R4 $R6

[groups]
host = hv1
EOF
install -o vmgroup -g vmgroup -m 0600 "$VMG_TEST_KEYTAB" /etc/vmgroup/vmgroupd.keytab
install -m 0644 "$KRB5_CONFIG" /etc/vmgroup/krb5-test.conf
echo "52:54:00:12:34:56 debian-12" >/etc/vmgroup/images
t_ok() { "$@" /usr/sbin/vmgroupd -t 2>&1 |
	grep -qx '/etc/vmgroup/vmgroupd.conf: configuration OK'; }
check "vmgroupd -t (root): configuration OK" t_ok
check "vmgroupd -t (user vmgroup): configuration OK" t_ok as_vmgroup

# --- a registration: the dnsmasq hook run as a user in group vmgroup (as
# a DHCP server's hook that is not root), then one pass of vmgroupd as
# its unit runs it (user vmgroup), then status
setpriv --reuid=nobody --regid=nogroup --groups="$(getent group vmgroup | cut -d: -f3)" \
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin VMGROUP_HOST=hv1 \
	DNSMASQ_TIME_REMAINING=3600 \
	/usr/lib/vmgroup/hooks/dnsmasq-vmgroup add 52:54:00:12:34:56 192.0.2.10 web1 \
	>"$D/hook.out" 2>&1
check "the hook queued one registration into the installed spool" \
	test "$(find $S/new -name '*.json' | wc -l)" -eq 1
as_vmgroup /usr/sbin/vmgroupd --once >"$D/pass.log" 2>&1
prc=$?
check "vmgroupd --once (user vmgroup): a pass in sync (exit 0)" test $prc -eq 0
[ $prc -eq 0 ] || cat "$D/pass.log"
check "it took the file from the spool" test -z "$(find $S/new -name '*.json')"
check "the directory holds hv1-debian-12-vm with web1" \
	test "$(attr "CN=hv1-debian-12-vm,$VMG_TEST_OU_DN" vmGroupMember)" = "web1 "
check "its state in /var/lib/vmgroup, the user vmgroup's" test -n \
	"$(find /var/lib/vmgroup -maxdepth 1 -name 'registrations.*' -user vmgroup)"
status_shows() { as_vmgroup /usr/bin/vmgroup status >"$D/status.out" 2>&1 &&
	grep -q hv1-debian-12-vm "$D/status.out" || { cat "$D/status.out"; return 1; }; }
check "vmgroup status (user vmgroup) shows the group" status_shows

# --- installed again (an upgrade's path): the admin's configuration and
# keytab kept, without a question (stdin closed)
cp /etc/vmgroup/vmgroupd.conf "$D/conf.before"
dpkg -i "$DEB" </dev/null >"$D/dpkg-i2.log" 2>&1
check "dpkg -i again: installed, no question asked" test $? -eq 0
check "... the admin's vmgroupd.conf kept" cmp -s "$D/conf.before" /etc/vmgroup/vmgroupd.conf
check "... and the keytab" test -s /etc/vmgroup/vmgroupd.keytab
check "... the spool still 2770 vmgroup:vmgroup" mode_is "2770 vmgroup:vmgroup" $S $S/new
check "... vmgroupd -t (user vmgroup): configuration OK" t_ok as_vmgroup

# the admin enables the units (and a capture instance) before a purge:
# the purge takes their links too
systemctl --root=/ enable vmgroupd.service vmgroup-enforce.service \
	vmgroup-capture@lo.service >"$D/enable.log" 2>&1
check "systemctl enable: the units' links made" test \
	"$(find /etc/systemd/system -name 'vmgroup*' -type l | wc -l)" -eq 3

# --- purge: nothing of the package stays
dpkg -L vmgroup >"$D/owned" 2>&1
dpkg --purge vmgroup >"$D/purge.log" 2>&1
check "dpkg --purge vmgroup" test $? -eq 0
installed=
gone() { ! dpkg-query -W -f='${db:Status-Status}\n' vmgroup 2>/dev/null |
	grep -qv '^not-installed$'; }
check "dpkg has no trace of it" gone
check "nor its maintainer scripts" test -z "$(ls /var/lib/dpkg/info/vmgroup.* 2>/dev/null)"
left=
while read -r p; do
	[ "$p" != /. ] || continue
	[ -e "$p" ] || [ -L "$p" ] || continue
	# a folder stays when another package has it too (/usr/bin, ...)
	[ -d "$p" ] && dpkg-query -S "$p" >/dev/null 2>&1 && continue
	left="$left $p"
done <"$D/owned"
check "none of its files or folders is left" test -z "$left"
[ -z "$left" ] || echo "  left:$left"
for f in $FOLDERS; do
	check "$f is gone (the admin's files with it)" test ! -e "$f"
done
check "no unit link left in /etc/systemd" test -z "$(find /etc/systemd -name '*vmgroup*')"
check "no unit state left (deb-systemd-helper)" test -z "$(find \
	/var/lib/systemd/deb-systemd-helper-enabled \
	/var/lib/systemd/deb-systemd-helper-masked -name '*vmgroup*' 2>/dev/null)"
check "the system user stays (Debian keeps system users)" has passwd

echo "$fails failure(s)"
exit $((fails > 0))
