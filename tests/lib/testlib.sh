# Shared helpers for shell test suites. Source it; call t_ok/t_fail/t_check,
# then t_done at the end. Results go to $T_RESULTS (one line per case) so that
# tests/run.sh can print one summary for every suite.
T_NAME=${T_NAME:-$(basename "$0" .sh)}
T_PASS=0
T_FAIL=0
T_SKIP=0
T_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T_RESULTS=${T_RESULTS:-/dev/null}

t_ok() { T_PASS=$((T_PASS + 1)); echo "ok - $T_NAME: $*"; echo "pass $T_NAME: $*" >>"$T_RESULTS"; }
t_fail() { T_FAIL=$((T_FAIL + 1)); echo "not ok - $T_NAME: $*"; echo "fail $T_NAME: $*" >>"$T_RESULTS"; }
t_skip() { T_SKIP=$((T_SKIP + 1)); echo "skip - $T_NAME: $*"; echo "skip $T_NAME: $*" >>"$T_RESULTS"; }
# t_check "description" command args... : passes when the command exits 0.
t_check() { d=$1; shift; if "$@"; then t_ok "$d"; else t_fail "$d"; fi; }
# t_eq "description" expected actual
t_eq() {
	if [ "$2" = "$3" ]; then t_ok "$1"; else t_fail "$1 (expected '$2', got '$3')"; fi
}
t_done() { echo "$T_NAME: $T_PASS passed, $T_FAIL failed, $T_SKIP skipped"; [ "$T_FAIL" -eq 0 ]; }
# A scratch directory removed at exit.
t_tmpdir() { T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/scimtest.XXXXXX"); trap 't_cleanup' EXIT; }
t_cleanup() { [ -n "${T_CLEANUP_HOOK:-}" ] && eval "$T_CLEANUP_HOOK"; [ -n "${T_TMP:-}" ] && rm -rf "$T_TMP"; }
# t_wait_log FILE ERE N SECONDS [PID]: true once FILE has N lines matching
# ERE (case-insensitive), polled every 0.1 s for at most SECONDS; false at
# once if PID, when given, has ended.
t_wait_log() {
	for _ in $(seq $(($4 * 10))); do
		[ "$(grep -ciE "$2" "$1" 2>/dev/null)" -ge "$3" ] && return 0
		[ -n "${5:-}" ] && ! kill -0 "$5" 2>/dev/null && return 1
		sleep 0.1
	done
	return 1
}
