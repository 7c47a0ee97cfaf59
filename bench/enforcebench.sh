#!/bin/bash
# enforcebench.sh - issue 14: how soon a block reaches the nftables sets of
# `vmgroup enforce --follow`, against the test KDC + slapd (syncrepl) and
# a Samba AD DC (change notification), 100 blocks each (bench/README.md).
#
#   bench/enforcebench.sh [--no-samba] [--blocks N]   (make bench-enforce)
#
# Root (network namespaces).  Fresh servers for each directory; the
# enforcer applies in a namespace of ours; only what we started is
# stopped, by PID.  Not part of make check.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$(cd "$here/.." && pwd)}" "${top_builddir:=.}"
top_builddir=$(cd "$top_builddir" && pwd)
top_srcdir=$(cd "$top_srcdir" && pwd)
export top_srcdir top_builddir
BLOCKS=${BLOCKS:-100}
PY=python3

inner() { # slapd|samba
	local ns=vmg-enfb-$$ rc conf wrap=
	ip netns add "$ns" || exit 1
	if [ "$1" = slapd ]; then
		. "$top_srcdir/tests/lib-it.sh"
		write_conf image no
		reg -n web1 -i debian-12 -a 192.0.2.10 -l 3600
		pass || { echo "enforcebench: vmgroupd pass failed" >&2; ip netns del "$ns"; exit 1; }
		conf=$CONF
	else
		. "$top_srcdir/tests/lib-samba.sh"
		conf hv1 no
		reg hv1 -n web1 -i debian-12 -a 192.0.2.10 -l 3600
		pass hv1 || { echo "enforcebench: vmgroupd pass failed" >&2; ip netns del "$ns"; exit 1; }
		conf=$W/hv1.conf
		wrap="ip netns exec $VMG_SAMBA_NS"
	fi
	$PY "$here/enforcebench.py" --vmgroup "$top_builddir/vmgroup" \
		--conf "$conf" --netns "$ns" --group hv1-debian-12-vm \
		--blocks "$BLOCKS" --label "$1" --wrap "$wrap"
	rc=$?
	ip netns del "$ns"
	exit $rc
}

case ${1:-} in
--in-slapd) inner slapd ;;
--in-samba) inner samba ;;
esac
samba=yes
while [ $# -gt 0 ]; do
	case $1 in
	--no-samba) samba=no ;;
	--blocks) BLOCKS=$2; shift ;;
	*) echo "usage: enforcebench.sh [--no-samba] [--blocks N]" >&2; exit 2 ;;
	esac
	shift
done
export BLOCKS
[ "$(id -u)" -eq 0 ] || { echo "enforcebench: needs root" >&2; exit 1; }
rc=0
"$top_srcdir/tests/with-testenv.sh" bash "$0" --in-slapd || rc=1
if [ $samba = yes ]; then
	"$top_srcdir/tests/with-samba.sh" bash "$0" --in-samba || rc=1
fi
exit $rc
