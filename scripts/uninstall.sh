#!/bin/sh
# `make uninstall`: undoes `make install` (the Makefile's install recipe and
# scripts/install-extras.sh) in the order that cannot lock anyone out.
#  1. Take pam_scim.so out of every PAM stack first: on the running root,
#     `pam-auth-update --remove scim` when the profile is in use. If a PAM
#     file still names pam_scim.so after that (a hand-edited stack, or
#     pam-auth-update refusing local modifications), stop before removing
#     anything: a stack that names a missing module fails every login,
#     root's included ("Module is unknown").
#  2. Remove every file install wrote. Never the admin's scimbridge.conf (it
#     goes only if it is still byte for byte the example install put there),
#     the client secret, or the cache under /var/lib/scimbridge (data, like
#     a package's on remove; its directory goes when empty).
#  3. mandb, so `man -k` forgets the pages.
# On the running root a scimbridged that systemd runs is stopped and its
# unit disabled before the files go.
# Usage: uninstall.sh DESTDIR PREFIX MANDIR SYSCONFDIR LIBDIR PAMDIR SBINDIR BINDIR
set -eu
cd "$(dirname "$0")/.."
. scripts/installed-files.sh
extras_paths "$@"
LIBDIR=${5:?LIBDIR}
PAMDIR=${6:-$LIBDIR/security}
SBINDIR=${7:-$PREFIX/sbin}
BINDIR=${8:-$PREFIX/bin}

# The running root: no DESTDIR, or one that resolves to /. Only there may
# pam-auth-update (which edits /etc/pam.d, never DESTDIR's) and mandb run.
live=no
if [ -z "$DESTDIR" ] || [ "$(cd "$DESTDIR" 2>/dev/null && pwd -P)" = / ]; then
	live=yes
fi
pamd="$DESTDIR$SYSCONFDIR/pam.d"
profile="$DESTDIR/usr/share/pam-configs/scim"

stacks_naming_us() {
	[ -d "$pamd" ] || return 1
	grep -lsE '^[[:space:]]*[^#]*pam_scim\.so' "$pamd"/* 2>/dev/null
}

if stacks_naming_us >/dev/null; then
	if [ "$live" = yes ] && [ -f "$profile" ] && command -v pam-auth-update >/dev/null 2>&1; then
		echo "uninstall: pam-auth-update --remove scim"
		DEBIAN_FRONTEND=noninteractive pam-auth-update --package --remove scim
	fi
	if [ "$live" = yes ] && [ -f "$profile-auth" ] && command -v pam-auth-update >/dev/null 2>&1; then
		echo "uninstall: pam-auth-update --remove scim-auth"
		DEBIAN_FRONTEND=noninteractive pam-auth-update --package --remove scim-auth
	fi
	if files=$(stacks_naming_us); then
		echo "uninstall: pam_scim.so is still in these PAM files; nothing was removed:" >&2
		echo "$files" | sed 's/^/  /' >&2
		if [ "$live" = yes ]; then
			echo "uninstall: take the pam_scim.so lines out (or run pam-auth-update --force --remove scim), then run make uninstall again" >&2
		else
			echo "uninstall: $DESTDIR is not the running root; take pam_scim.so out of its stacks first" >&2
		fi
		exit 1
	fi
fi

# A daemon systemd runs from the unit about to go is stopped and disabled
# first (not exercised by the tests: no systemd runs as PID 1 on the test
# machines).
if [ "$live" = yes ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1 &&
	[ -f "$PREFIX/lib/systemd/system/scimbridged.service" ]; then
	systemctl disable --now scimbridged.service 2>/dev/null || true
fi

rm_f() {
	for f in "$@"; do
		if [ -e "$f" ] || [ -L "$f" ]; then
			rm -f "$f"
			echo "uninstall: removed $f"
		fi
	done
}
# rmdir_empty DIR: a directory install made for us alone, once empty.
rmdir_empty() {
	if [ -d "$1" ] && rmdir "$1" 2>/dev/null; then
		echo "uninstall: removed $1/"
	fi
}

rm_f "$DESTDIR$LIBDIR/libnss_scim.so.2" "$DESTDIR$PAMDIR/pam_scim.so" \
	"$DESTDIR$SBINDIR/scimbridged" "$DESTDIR$BINDIR/scimbridge"

# rm_listed SOURCE DEST: installed-files.sh's callback
rm_listed() { rm_f "$2"; }
extras_docs rm_listed
rmdir_empty "$DESTDIR$PREFIX/share/doc/scimbridge"
extras_system rm_listed

conf="$DESTDIR$SYSCONFDIR/scimbridge"
if [ -f "$conf/scimbridge.conf" ] && cmp -s "$conf/scimbridge.conf" contrib/scimbridge.conf.example; then
	rm_f "$conf/scimbridge.conf"
elif [ -e "$conf/scimbridge.conf" ]; then
	echo "uninstall: kept $conf/scimbridge.conf (the admin's)"
fi
rmdir_empty "$conf"
rmdir_empty "$DESTDIR/var/lib/scimbridge"
[ -d "$DESTDIR/var/lib/scimbridge" ] && echo "uninstall: kept $DESTDIR/var/lib/scimbridge (the cache)"

if [ "$live" = yes ] && command -v mandb >/dev/null 2>&1; then
	# All of man's paths, not just $MANDIR: on Debian /usr/local/man is a
	# link to share/man and whatis reads that path's index, not this one's.
	mandb -q 2>/dev/null || true
fi
# nsswitch.conf is the admin's: glibc skips a module that is gone, but say so.
if grep -qsE '^(passwd|group):.*[[:space:]]scim([[:space:]]|$)' "$DESTDIR$SYSCONFDIR/nsswitch.conf"; then
	echo "uninstall: $SYSCONFDIR/nsswitch.conf still names scim (harmless now; take it out)"
fi
echo "uninstall: done under ${DESTDIR:-/}"
