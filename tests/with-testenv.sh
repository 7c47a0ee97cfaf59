#!/bin/sh
# with-testenv.sh CMD [ARGS...] - run CMD with a private KDC + slapd
# (tests/testenv.sh) started in a fresh folder and its env.sh sourced; stop
# the servers and remove the folder however CMD ends; exit with CMD's
# status.  Without the servers' programs: skip (77), but under CI=true that
# is a failure (1).
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -eq 0 ]; then
	echo "usage: with-testenv.sh CMD [ARGS...]" >&2
	exit 2
fi
if ! missing=$(bash "$here/testenv.sh" check); then
	echo "with-testenv: $missing (run scripts/install-deps.sh)" >&2
	if [ "${CI:-}" = true ]; then
		echo "with-testenv: CI=true: a missing dependency is a failure" >&2
		exit 1
	fi
	exit 77
fi
PATH=$PATH:/usr/sbin:/sbin
dir=$(mktemp -d "${TMPDIR:-/tmp}/vmg-testenv.XXXXXX") || exit 1
cleanup() {
	bash "$here/testenv.sh" stop "$dir" >/dev/null 2>&1
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if ! bash "$here/testenv.sh" start "$dir"; then
	echo "with-testenv: could not start the test servers" >&2
	exit 1
fi
. "$dir/env.sh"
"$@"
rc=$?
exit $rc
