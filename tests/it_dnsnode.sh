#!/bin/sh
# Integration: GSSAPI bind from the keytab (SSF >= 56), write a dnsNode,
# read back the bytes the codec produced; against a real KDC + slapd.
: "${top_builddir:=.}" "${top_srcdir:=.}"
exec "$top_srcdir/tests/with-testenv.sh" "$top_builddir/tests/it_dnsnode"
