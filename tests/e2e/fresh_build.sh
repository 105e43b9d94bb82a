#!/bin/bash
# `make demo` works on the first run on a machine where the build
# dependencies are not installed yet (issue 13: the Makefile asked
# pkg-config for -lcurl -lcjson when it was parsed, before `deps` installed
# them, so the first link failed). Simulated in a private mount namespace on
# a copy of the tree: an empty directory is bound over the multiarch
# pkgconfig directory and the cjson and curl header directories, and the
# copy's scripts/deps.sh is a wrapper that unmounts them (what apt-get
# install would do) and then runs the real deps.sh (which finds everything
# installed and changes nothing). The same for `make deps tests`, the build
# `make check` starts with.
. "$(dirname "$0")/../lib/e2e.sh"
e2e_enter e2e/fresh_build "$@"
. "$(dirname "$0")/../lib/testlib.sh"
t_tmpdir
MA=$(cc -print-multiarch)
PC=/usr/lib/$MA/pkgconfig
HIDE="$PC /usr/include/cjson /usr/include/$MA/curl"
for d in $HIDE; do
	[ -d "$d" ] || { t_skip "no $d (build deps not installed?)"; t_done; exit 0; }
done
W=$T_TMP/tree
mkdir -p "$W" "$T_TMP/empty"
# The tracked files as they are in the work tree, no build output.
git -C "$T_ROOT" ls-files -z | (cd "$T_ROOT" && tar --null -T - -c) | tar -x -C "$W" ||
	{ t_fail "copy of the tree"; t_done; exit 1; }
mkdir -p "$W/tests/tenant/node_modules" "$W/tests/run/nscd"
mount --bind "$T_ROOT/tests/tenant/node_modules" "$W/tests/tenant/node_modules"
mount --bind "$T_ROOT/tests/run/nscd" "$W/tests/run/nscd"
cp "$W/scripts/deps.sh" "$T_TMP/real-deps.sh"
cat >"$T_TMP/deps.sh" <<EOF
#!/bin/sh
echo "fresh_build: deps: the libraries appear (apt-get install)"
umount $HIDE
exec sh "$T_TMP/real-deps.sh"
EOF
chmod +x "$T_TMP/deps.sh"
mount --bind "$T_TMP/deps.sh" "$W/scripts/deps.sh"
T_CLEANUP_HOOK="umount -l $W/scripts/deps.sh $W/tests/tenant/node_modules $W/tests/run/nscd $HIDE 2>/dev/null"
for d in $HIDE; do mount --bind "$T_TMP/empty" "$d"; done
r=$(pkg-config --libs libcurl libcjson 2>&1)
t_check "before deps, pkg-config knows neither libcurl nor libcjson ($r)" grep -q 'not found' <<<"$r"

make -C "$W" demo >"$T_TMP/demo.log" 2>&1
rc=$?
t_eq "make demo on the first run exits 0" 0 "$rc"
t_check "the build linked (no undefined reference)" sh -c "! grep -q 'undefined reference' '$T_TMP/demo.log'"
t_check "the demo ran to its end" grep -q 'the host was not changed' "$T_TMP/demo.log"
t_check "and showed the deactivated user refused" grep -q 'User account has expired' "$T_TMP/demo.log"

# `make deps tests` in one make (no recursion): pkg-config is asked when the
# link needs it, after deps, not when the Makefile was parsed.
make -C "$W" clean >/dev/null 2>&1
for d in $HIDE; do mount --bind "$T_TMP/empty" "$d"; done
make -C "$W" deps tests >"$T_TMP/tests.log" 2>&1
t_eq "make deps tests, one make from a fresh parse, exits 0" 0 "$?"
t_check "the unit tests were linked with cmocka" test -x "$W/tests/bin/test_cache"
[ "$T_FAIL" -gt 0 ] && grep -hE 'error:|undefined|Error' "$T_TMP/demo.log" "$T_TMP/tests.log" | head -20
t_done
