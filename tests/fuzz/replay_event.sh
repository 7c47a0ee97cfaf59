#!/bin/sh
# Replay the event fuzz corpus through the target under the normal compiler.
: "${top_builddir:=.}" "${top_srcdir:=.}"
exec "$top_builddir/tests/fuzz/replay_event" "$top_srcdir/tests/fuzz/corpus/event"
