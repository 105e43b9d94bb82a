#!/bin/sh
# Installs what `make check` and `make demo` need on a fresh Debian 12 machine.
# Idempotent: installs only what is missing, and runs `npm ci` in tests/tenant
# only when node_modules does not match the lockfile. Extra package lists can
# be passed as arguments (bench/bench.mk passes the peers it measures).
set -eu
cd "$(dirname "$0")/.."

PKGS="build-essential pkg-config clang libclang-rt-14-dev llvm
libcurl4-openssl-dev libcjson-dev libzstd-dev libsodium-dev libpam0g-dev libcmocka-dev
libnss-wrapper libpam-wrapper libpamtest0-dev pamtester
openssh-server openssh-client openssl valgrind strace util-linux
cppcheck clang-format procps psmisc python3 bc curl time man-db zstd
libsodium-dev libzstd-dev minisign libcjose-dev libjansson-dev nginx-light wrk
libqrencode-dev chromium libnss3-tools $*"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if [ -n "$missing" ]; then
	echo "deps: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# nscd for tests/e2e/nscd.sh, unpacked into tests/run/nscd and never
# installed: an installed nscd would start host-wide and answer every other
# suite's lookups from its own cache.
if ! [ -x tests/run/nscd/usr/sbin/nscd ]; then
	echo "deps: unpacking nscd into tests/run/nscd (not installed)"
	tmp=$(mktemp -d)
	if (cd "$tmp" && apt-get download nscd >/dev/null 2>&1) ||
		{ ${SUDO:-} apt-get update -qq && (cd "$tmp" && apt-get download nscd >/dev/null); }; then
		mkdir -p tests/run/nscd
		dpkg-deb -x "$tmp"/nscd_*.deb tests/run/nscd
	else
		echo "deps: could not download nscd; tests/e2e/nscd.sh will be skipped"
	fi
	rm -rf "$tmp"
fi

if [ -f tests/tenant/package-lock.json ]; then
	stamp=tests/tenant/node_modules/.lock-stamp
	if ! [ -f "$stamp" ] || ! cmp -s tests/tenant/package-lock.json "$stamp"; then
		echo "deps: npm ci in tests/tenant"
		(cd tests/tenant && npm ci --no-audit --no-fund --loglevel=error)
		cp tests/tenant/package-lock.json "$stamp"
	fi
fi
echo "deps: ok"
