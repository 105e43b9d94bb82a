#!/bin/bash
# Device sign-in figures (issue 17): the e2e suites that sign in through the
# real OpenID provider measure them as they run; this prints those figures
# (approval → PAM_SUCCESS, with Enter and by polling; daemon and pamtester
# CPU for 20 concurrent sign-ins; a real ssh login approved through the
# provider's control and in headless chromium). It asserts nothing: a
# suite that fails is reported and its figures are whatever it printed.
set -u
cd "$(dirname "$0")/.." || exit 1
make -s tests >/dev/null || { echo "bench_device_login: build failed"; exit 1; }
for s in device_login device_ssh; do
	out=$(T_NAME=bench/$s bash "tests/e2e/$s.sh" 2>&1)
	rc=$?
	grep '^# figure' <<<"$out" | sed "s/^# figure: /$s: /"
	[ "$rc" -eq 0 ] || echo "$s: the suite failed (exit $rc); figures above may be missing"
done
