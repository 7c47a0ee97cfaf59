#!/bin/sh
# Replay the dnsrec fuzz corpus through the target under the normal compiler.
: "${top_builddir:=.}" "${top_srcdir:=.}"
exec "$top_builddir/tests/fuzz/replay_dnsrec" "$top_srcdir/tests/fuzz/corpus/dnsrec"
