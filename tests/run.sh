#!/bin/bash
# Runs every test suite and prints one summary line at the end:
#   unit tests (cmocka), the same under ASan+UBSan, integration suites
#   (tests/integration/*.sh, no root), end-to-end suites (tests/e2e/*.sh, root
#   and mount namespaces), and a short libFuzzer run of every fuzz target.
# Usage: tests/run.sh [PATTERN]  (only suites whose label or path contains
# PATTERN; exit 2 when none does)
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PATTERN=${1:-}
export T_RESULTS=$(mktemp /tmp/scimbridge-results.XXXXXX)
LOGDIR=${LOGDIR:-$ROOT/tests/run/logs}
mkdir -p "$LOGDIR"
SUITE_TIMEOUT=${SUITE_TIMEOUT:-600}
failed_suites=""

selected=0
# want LABEL [PATH]: the suite runs when PATTERN is in its printed label (or
# its path); every suite that runs is counted, so a PATTERN that selects
# nothing fails instead of passing on zero checks.
want() {
	if [ -z "$PATTERN" ] || [[ "$1" == *$PATTERN* ]] || [[ "${2:-}" == *$PATTERN* ]]; then
		selected=$((selected + 1))
		return 0
	fi
	return 1
}

# cmocka binaries: count the cases from cmocka's own summary lines.
run_cmocka() {
	local bin=$1 label=$2 log out p f
	log="$LOGDIR/$(echo "$label" | tr / _).log"
	timeout "$SUITE_TIMEOUT" "$bin" >"$log" 2>&1
	local rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	p=${p:-0}; f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	for _ in $(seq 1 "$p"); do echo "pass $label" >>"$T_RESULTS"; done
	for _ in $(seq 1 "$f"); do echo "fail $label" >>"$T_RESULTS"; done
	printf '%-40s %3s passed, %s failed\n' "$label" "$p" "$f"
	if [ "$f" -ne 0 ]; then failed_suites="$failed_suites $label"; sed 's/^/    /' "$log" | tail -40; fi
}

# run_shell SCRIPT [LABEL]: LABEL defaults to the script's path.
run_shell() {
	local script=$1 label=${2:-} log rc before after
	[ -n "$label" ] || label=$(echo "$script" | sed 's|^tests/||; s|\.sh$||')
	log="$LOGDIR/$(echo "$label" | tr / _).log"
	before=$(grep -c '^fail' "$T_RESULTS")
	T_NAME=$label timeout "$SUITE_TIMEOUT" bash "$script" >"$log" 2>&1
	rc=$?
	after=$(grep -c '^fail' "$T_RESULTS")
	if [ "$rc" -ne 0 ] && [ "$after" -eq "$before" ]; then
		echo "fail $label: exited $rc" >>"$T_RESULTS"
	fi
	tail -1 "$log" | sed 's/^/  /'
	if [ "$rc" -ne 0 ]; then
		failed_suites="$failed_suites $label"
		grep -E '^(not ok|skip)' "$log" | sed 's/^/    /'
		tail -30 "$log" | sed 's/^/    | /'
	fi
}

echo "== unit tests"
for bin in tests/bin/test_*; do
	[ -x "$bin" ] || continue
	want "unit/$(basename "$bin")" "$bin" && run_cmocka "$bin" "unit/$(basename "$bin")"
done
echo "== unit tests under ASan+UBSan"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for bin in build/asan/tests/bin/test_*; do
	[ -x "$bin" ] || continue
	want "asan/unit/$(basename "$bin")" && run_cmocka "$bin" "asan/unit/$(basename "$bin")"
done
unset ASAN_OPTIONS UBSAN_OPTIONS
echo "== integration suites"
for s in tests/integration/*.sh; do
	[ -f "$s" ] || continue
	want "$(echo "$s" | sed 's|^tests/||; s|\.sh$||')" "$s" && run_shell "$s"
done
# The sync paths once more with the CLI's ASan+UBSan build: a sanitizer
# report changes the CLI's exit status and output, which the suites check.
for s in cli_sync faults_sync faults_baddata; do
	if want "asan/integration/$s" && [ -x build/asan/cli/scimbridge ]; then
		ASAN_OPTIONS=detect_leaks=1 SCIMBRIDGE_CLI=$ROOT/build/asan/cli/scimbridge \
			run_shell "tests/integration/$s.sh" "asan/integration/$s"
	fi
done
echo "== end-to-end suites"
for s in tests/e2e/*.sh; do
	[ -f "$s" ] || continue
	want "$(echo "$s" | sed 's|^tests/||; s|\.sh$||')" "$s" && run_shell "$s"
done
# The daemon's paths (live checks, misses, syncs, bad requests) once more
# with its ASan+UBSan build and its TSan build; each must exit without a
# report.
for san in asan tsan; do
	for e in login_e2e daemon_policy; do
		if want "$san/e2e/$e" && [ -x "build/$san/daemon/scimbridged" ]; then
			echo "== end-to-end with the $san daemon"
			SCIMBRIDGED=$ROOT/build/$san/daemon/scimbridged \
				run_shell "tests/e2e/$e.sh" "$san/e2e/$e"
		fi
	done
done
echo "== fuzz smoke (${FUZZ_SMOKE_SECONDS:=5}s each)"
for f in tests/fuzz/bin/fuzz_*; do
	[ -x "$f" ] || continue
	name=$(basename "$f")
	want "fuzz/$name" "$f" || continue
	corpus="tests/fuzz/corpus/${name#fuzz_}"
	work=$(mktemp -d)
	[ -d "$corpus" ] && cp -r "$corpus"/. "$work"/ 2>/dev/null
	if "$f" -max_total_time="$FUZZ_SMOKE_SECONDS" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$LOGDIR/" \
		"$work" >"$LOGDIR/$name.log" 2>&1; then
		echo "pass fuzz/$name" >>"$T_RESULTS"; echo "  fuzz/$name: ok ($(grep -c . "$LOGDIR/$name.log") log lines)"
	else
		echo "fail fuzz/$name" >>"$T_RESULTS"; failed_suites="$failed_suites fuzz/$name"
		tail -30 "$LOGDIR/$name.log" | sed 's/^/    /'
	fi
	rm -rf "$work"
done

pass=$(grep -c '^pass' "$T_RESULTS")
fail=$(grep -c '^fail' "$T_RESULTS")
skip=$(grep -c '^skip' "$T_RESULTS")
if [ -n "$failed_suites" ]; then
	echo "failed suites:$failed_suites"
	grep '^fail' "$T_RESULTS" | sed 's/^/  /'
fi
rm -f "$T_RESULTS"
if [ "$selected" -eq 0 ]; then
	echo "tests/run.sh: no suite matches '$PATTERN' (labels: unit/…, asan/unit/…, integration/…, e2e/…, fuzz/…)" >&2
	exit 2
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
