#!/bin/sh
# Installs what `make install` does not: man pages, the contrib snippets
# (nsswitch, PAM, pam-auth-update profile, sshd), and the example config.
# Never overwrites an existing /etc/scimbridge/scimbridge.conf.
# Usage: install-extras.sh DESTDIR PREFIX MANDIR SYSCONFDIR
set -eu
cd "$(dirname "$0")/.."
DESTDIR=${1:-}
PREFIX=${2:-/usr/local}
MANDIR=${3:-$PREFIX/share/man}
SYSCONFDIR=${4:-/etc}

for page in man/*.[1-8]; do
	[ -f "$page" ] || continue
	sec=${page##*.}
	install -d "$DESTDIR$MANDIR/man$sec"
	install -m 0644 "$page" "$DESTDIR$MANDIR/man$sec/"
done

doc="$DESTDIR$PREFIX/share/doc/scimbridge"
install -d "$doc"
for f in contrib/*; do
	[ -f "$f" ] || continue
	install -m 0644 "$f" "$doc/"
done
install -m 0644 README.md "$doc/" 2>/dev/null || true

# The pam-auth-update profile lives where pam-auth-update looks for it; it is
# not enabled until the admin runs `pam-auth-update --enable scim` (Default:
# no, so another package's pam-auth-update run does not enable it first).
install -d "$DESTDIR/usr/share/pam-configs"
install -m 0644 contrib/pam-configs-scim "$DESTDIR/usr/share/pam-configs/scim"
# Device sign-in for directory users (auth), enabled on its own:
# `pam-auth-update --enable scim-auth`.
install -m 0644 contrib/pam-configs-scim-auth "$DESTDIR/usr/share/pam-configs/scim-auth"

# The daemon's unit (contrib/scimbridged.service) where systemd looks for
# units of locally installed software.
if [ -f contrib/scimbridged.service ]; then
	install -d "$DESTDIR$PREFIX/lib/systemd/system"
	install -m 0644 contrib/scimbridged.service "$DESTDIR$PREFIX/lib/systemd/system/"
fi

conf="$DESTDIR$SYSCONFDIR/scimbridge"
install -d -m 0755 "$conf"
install -m 0644 contrib/scimbridge.conf.example "$conf/scimbridge.conf.example"
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
