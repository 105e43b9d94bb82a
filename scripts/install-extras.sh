#!/bin/sh
# Installs what `make install` does not: man pages, the contrib snippets
# (nsswitch, PAM, pam-auth-update profile, sshd), and the example config.
# Never overwrites an existing /etc/scimbridge/scimbridge.conf.
# Usage: install-extras.sh DESTDIR PREFIX MANDIR SYSCONFDIR
set -eu
cd "$(dirname "$0")/.."
. scripts/installed-files.sh
extras_paths "$@"

# put SOURCE DEST: DEST's directory made (0755), the file copied 0644.
put() {
	install -d "${2%/*}"
	install -m 0644 "$1" "$2"
}
extras_docs put
# The pam-auth-update profiles are not enabled until the admin runs
# `pam-auth-update --enable scim` (Default: no, so another package's
# pam-auth-update run does not enable it first); device sign-in for
# directory users (auth) is enabled on its own: `pam-auth-update --enable
# scim-auth`.
extras_system put

conf="$DESTDIR$SYSCONFDIR/scimbridge"
if [ ! -e "$conf/scimbridge.conf" ]; then
	install -m 0644 contrib/scimbridge.conf.example "$conf/scimbridge.conf"
fi
# The daemon's cache directory: world-readable, written by root only.
install -d -m 0755 "$DESTDIR/var/lib/scimbridge"
# `man -k scim` reads mandb's index, which nothing else updates until the
# daily cron job: refresh it for the installed pages (on the running root
# only; scripts/uninstall.sh does the same after removing them).
if [ -z "$DESTDIR" ] && command -v mandb >/dev/null 2>&1; then
	# All of man's paths, not just $MANDIR: on Debian /usr/local/man is a
	# link to share/man and whatis reads that path's index, not this one's.
	mandb -q 2>/dev/null || true
fi
echo "install-extras: man pages, contrib files and $SYSCONFDIR/scimbridge installed under ${DESTDIR:-/}"
