#!/bin/sh
# Replay the DHCP fuzz corpus through the target under the normal compiler.
: "${top_builddir:=.}" "${top_srcdir:=.}"
exec "$top_builddir/tests/fuzz/replay_dhcp" "$top_srcdir/tests/fuzz/corpus/dhcp"
