# installed-files.sh — the one list of the files scripts/install-extras.sh
# installs (all 0644), read by it to install them and by
# scripts/uninstall.sh to remove them. Sourced, from the checkout's top.
# extras_paths sets the paths both take; each extras_ function calls
# CALLBACK SOURCE DESTINATION once a file, in install order.

# extras_paths DESTDIR PREFIX MANDIR SYSCONFDIR: the Makefile's paths, the
# first arguments of both scripts.
extras_paths() {
	DESTDIR=${1:-}
	PREFIX=${2:-/usr/local}
	MANDIR=${3:-$PREFIX/share/man}
	SYSCONFDIR=${4:-/etc}
}

# extras_docs CALLBACK: the man pages and the doc dir (contrib/*, README.md).
extras_docs() {
	for page in man/*.[1-8]; do
		[ -f "$page" ] || continue
		"$1" "$page" "$DESTDIR$MANDIR/man${page##*.}/${page##*/}"
	done
	for f in contrib/* README.md; do
		[ -f "$f" ] || continue
		"$1" "$f" "$DESTDIR$PREFIX/share/doc/scimbridge/${f##*/}"
	done
}

# extras_system CALLBACK: the pam-auth-update profiles, where pam-auth-update
# looks for them; the daemon's unit, where systemd looks for units of
# locally installed software; the example config.
extras_system() {
	"$1" contrib/pam-configs-scim "$DESTDIR/usr/share/pam-configs/scim"
	"$1" contrib/pam-configs-scim-auth "$DESTDIR/usr/share/pam-configs/scim-auth"
	if [ -f contrib/scimbridged.service ]; then
		"$1" contrib/scimbridged.service "$DESTDIR$PREFIX/lib/systemd/system/scimbridged.service"
	fi
	"$1" contrib/scimbridge.conf.example "$DESTDIR$SYSCONFDIR/scimbridge/scimbridge.conf.example"
}
