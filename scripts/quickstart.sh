#!/bin/sh
# quickstart.sh - README command (1): install what vmgroup needs, build it,
# and run it on its embedded default (scripts/demo.sh): a throwaway KDC +
# slapd on loopback, sample registrations, one vmgroupd pass, and the names
# and records read back from the directory.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/install-deps.sh
[ -x configure ] || autoreconf -fi
[ -f Makefile ] || ./configure -q
make -s -j2
scripts/demo.sh "$top"
