# lib-proc.sh - process helpers of the test fixtures (sourced).

# Wait for a process we started to end; a zombie counts as ended; after
# 5 s it is killed (and waited for, 2 s more).
wait_gone() {
	local pid=$1 i state
	for i in $(seq 100); do
		state=$(ps -o stat= -p "$pid" 2>/dev/null || true)
		case $state in
		"" | Z*) return 0 ;;
		esac
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null || true
	for i in $(seq 40); do
		state=$(ps -o stat= -p "$pid" 2>/dev/null || true)
		case $state in
		"" | Z*) return 0 ;;
		esac
		sleep 0.05
	done
}
