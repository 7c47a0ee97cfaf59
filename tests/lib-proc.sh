# lib-proc.sh - process helpers of the test fixtures (sourced).

# True once pid is gone or a zombie; $2 polls, 0.05 s apart.
gone_within() {
	local pid=$1 polls=$2 i state
	for i in $(seq "$polls"); do
		state=$(ps -o stat= -p "$pid" 2>/dev/null || true)
		case $state in
		"" | Z*) return 0 ;;
		esac
		sleep 0.05
	done
	return 1
}

# Wait for a process we started to end; a zombie counts as ended; after
# 5 s it is killed (and waited for, 2 s more).
wait_gone() {
	gone_within "$1" 100 && return 0
	kill -KILL "$1" 2>/dev/null || true
	gone_within "$1" 40 || true
}

# Poll for an outcome, bounded: true once command succeeds, false after
# the given seconds.  Tests wait for what they assert, never a fixed sleep.
wait_for() { # seconds command...: poll every 0.2 s
	local end=$(($(date +%s) + $1))
	shift
	while ! "$@"; do
		[ "$(date +%s)" -lt $end ] || return 1
		sleep 0.2
	done
}
# until_both file string1 string2 command...: the command run up to 40
# times until file holds both strings (each run's outcome a draw: all 40
# alike by chance, 2 in 2^40); 1 when a run fails or 40 did not show both
until_both() {
	local f=$1 a=$2 b=$3 i
	shift 3
	for i in $(seq 1 40); do
		"$@" || return 1
		grep -qF -- "$a" "$f" && grep -qF -- "$b" "$f" && return 0
	done
	return 1
}
