#!/bin/sh
# Integration: GSSAPI bind from the keytab (SSF >= 56), write a dnsNode,
# read back the bytes the codec produced; against a real KDC + slapd.
#   tests/it_dnsnode.sh [BINARY]   (default $IT_DNSNODE, else
#                                   $top_builddir/tests/it_dnsnode)
: "${top_builddir:=.}" "${top_srcdir:=.}"
bin=${1:-${IT_DNSNODE:-$top_builddir/tests/it_dnsnode}}
if [ ! -x "$bin" ]; then
	echo "it_dnsnode.sh: $bin: not built" >&2
	exit 1
fi
exec "$top_srcdir/tests/with-testenv.sh" "$bin"
