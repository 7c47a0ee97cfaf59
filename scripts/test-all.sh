#!/bin/sh
# test-all.sh - the whole test suite, from a fresh clone of Debian 12:
# install what is needed, build, run the unit and integration tests in a
# normal build and in an ASan/UBSan build, `make distcheck`, and a short
# libFuzzer run of every fuzz target.  Ends with "N passed, N failed".
#
# Environment: FUZZ_SECONDS (default 20) per fuzz target; JOBS (default 2);
# CI=true turns every skipped test into a failure.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
JOBS=${JOBS:-2}
passed=0
failed=0
failures=""

note_pass() { passed=$((passed + 1)); echo "PASS: $1"; }
note_fail() { failed=$((failed + 1)); failures="$failures $1"; echo "FAIL: $1"; }
step() { # name command...: one counted step
	name=$1; shift
	if "$@"; then note_pass "$name"; return 0; fi
	note_fail "$name"; return 1
}

# Count the results of one build's `make check` (cmocka cases one by one).
count_checks() {
	dir=$1
	for trs in $(find "$dir/tests" -name '*.trs' | sort); do
		log=${trs%.trs}.log
		res=$(sed -n 's/^:test-result: //p' "$trs" | head -n 1)
		name=${trs#"$dir"/}; name=${name%.trs}
		# cmocka: one summary per group; a program may run several
		p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" |
		    awk '{ n += $1 } END { if (NR) print n }')
		f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" |
		    awk '{ n += $1 } END { if (NR) print n }')
		# shell tests: one "ok: " or "FAILED: " line per check
		if [ -z "$p$f" ] && grep -q '^ok: \|^FAILED: ' "$log"; then
			p=$(grep -c '^ok: ' "$log")
			f=$(grep -c '^FAILED: ' "$log")
			[ "$f" -gt 0 ] || f=
		fi
		if [ -n "$p$f" ]; then
			passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
			[ -z "$f" ] || failures="$failures $dir:$name"
		fi
		case $res in
		PASS) [ -n "$p$f" ] || passed=$((passed + 1)) ;;
		SKIP) if [ "${CI:-}" = true ]; then
				failed=$((failed + 1)); failures="$failures $dir:$name(skipped)"
			else echo "SKIP: $dir:$name"; fi ;;
		*) [ -n "$f" ] || { failed=$((failed + 1)); failures="$failures $dir:$name"; } ;;
		esac
	done
}

build() { # dir configure-args...
	dir=$1; shift
	rm -rf "$dir" && mkdir -p "$dir" &&
	(cd "$dir" && "$top/configure" -q "$@" && make -s -j"$JOBS")
}

check() { # dir
	(cd "$1" && make -s -j"$JOBS" check >/dev/null 2>&1)
	rc=$?
	count_checks "$1"
	[ $rc -eq 0 ] || { echo "--- $1/test-suite.log"; cat "$1/test-suite.log"; }
	return 0
}

fuzz() { # target
	corpus=$(mktemp -d) || return 1
	cp "$top/tests/fuzz/corpus/$1/"* "$corpus/" &&
	"$top/build-fuzz/tests/fuzz/fuzz_$1" -max_total_time="$FUZZ_SECONDS" \
	    -max_len=8192 -print_final_stats=1 \
	    -artifact_prefix="$top/build-fuzz/$1-" "$corpus" \
	    >"$top/build-fuzz/fuzz_$1.log" 2>&1
	rc=$?
	rm -rf "$corpus"
	[ $rc -eq 0 ] || tail -n 40 "$top/build-fuzz/fuzz_$1.log"
	return $rc
}

step install-deps "$top/scripts/install-deps.sh" || { echo "$passed passed, $failed failed"; exit 1; }
step autoreconf autoreconf -fi || { echo "$passed passed, $failed failed"; exit 1; }
if step build-normal build build-normal; then check build-normal; fi
if step build-asan build build-asan --enable-sanitizers; then check build-asan; fi
step distcheck sh -c "cd build-normal && make -s distcheck >distcheck.log 2>&1 || { tail -n 60 distcheck.log; exit 1; }"
if step build-fuzz build build-fuzz CC=clang --enable-fuzzing; then
	step fuzz-event fuzz event
	step fuzz-dnsrec fuzz dnsrec
	step fuzz-dhcp fuzz dhcp
fi

[ -z "$failures" ] || echo "failures:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
