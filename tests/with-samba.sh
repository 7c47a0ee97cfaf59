#!/bin/sh
# with-samba.sh CMD [ARGS...] - run CMD with a Samba AD DC (tests/samba-env.sh)
# started in a fresh folder and network namespace, the vmGroup schema
# imported and the delegation applied, its env.sh sourced; stop the DC and
# delete the namespace however CMD ends; exit with CMD's status.
# Without Samba or without root (network namespaces): skip (77), but under
# CI=true that is a failure (1).
here=$(cd "$(dirname "$0")" && pwd)
PATH=$PATH:/usr/sbin:/sbin
why=
for p in samba samba-tool ip dig; do
	command -v "$p" >/dev/null 2>&1 || why="$why $p"
done
[ -n "$why" ] && why="missing:$why"
[ "$(id -u)" -eq 0 ] || why="$why not root (network namespaces)"
if [ -n "$why" ]; then
	echo "with-samba: $why (run scripts/install-deps.sh, as root)" >&2
	[ "${CI:-}" = true ] && exit 1
	exit 77
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/vmg-samba.XXXXXX") || exit 1
cleanup() {
	bash "$here/samba-env.sh" stop "$dir" >/dev/null 2>&1
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
for step in start ${VMG_SAMBA_STEPS-schema delegate}; do
	if ! bash "$here/samba-env.sh" "$step" "$dir"; then
		echo "with-samba: $step failed" >&2
		exit 1
	fi
done
. "$dir/env.sh"
"$@"
exit $?
