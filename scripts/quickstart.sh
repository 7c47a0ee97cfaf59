#!/bin/sh
# quickstart.sh - README command (1): install what vmgroup needs, build it,
# and run it on sample registrations (scripts/demo.sh).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/install-deps.sh
[ -x configure ] || autoreconf -fi
[ -f Makefile ] || ./configure -q
make -s -j2
DEMO_HEX=1 scripts/demo.sh "$top/vmgroup"
