#!/bin/sh
# with-testenv.sh CMD [ARGS...] - run CMD with a private KDC + slapd
# (tests/testenv.sh) started in a fresh folder and its env.sh sourced; stop
# the servers and remove the folder however CMD ends; exit with CMD's
# status.  Without the servers' programs: skip (77), but under CI=true that
# is a failure (1).
here=$(cd "$(dirname "$0")" && pwd)
missing=
for p in krb5kdc kdb5_util kadmin.local slapd ldapadd; do
	command -v "$p" >/dev/null 2>&1 || [ -x "/usr/sbin/$p" ] ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "with-testenv: missing:$missing (run scripts/install-deps.sh)" >&2
	[ "${CI:-}" = true ] && exit 1
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
