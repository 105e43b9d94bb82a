#!/bin/bash
# `make install DESTDIR=…` lays the artifacts out where a Debian host looks
# for them: the NSS module and the PAM module at the multiarch paths, the
# binaries, the man pages, the contrib files and the example config.
. "$(dirname "$0")/../lib/testlib.sh"
t_tmpdir
D=$T_TMP/root
MA=$(cc -print-multiarch)
if ! make -s -C "$T_ROOT" install DESTDIR="$D" >"$T_TMP/log" 2>&1; then
	cat "$T_TMP/log"; t_fail "make install DESTDIR"; t_done; exit 1
fi
t_ok "make install DESTDIR"
t_check "NSS module at /lib/$MA/libnss_scim.so.2" test -f "$D/lib/$MA/libnss_scim.so.2"
t_check "PAM module at /lib/$MA/security/pam_scim.so" test -f "$D/lib/$MA/security/pam_scim.so"
t_check "daemon in /usr/local/sbin" test -x "$D/usr/local/sbin/scimbridged"
t_check "CLI in /usr/local/bin" test -x "$D/usr/local/bin/scimbridge"
t_eq "modules are 0644" "644 644" \
	"$(stat -c %a "$D/lib/$MA/libnss_scim.so.2" "$D/lib/$MA/security/pam_scim.so" | tr '\n' ' ' | sed 's/ $//')"
t_check "NSS module soname libnss_scim.so.2" \
	sh -c "objdump -p '$D/lib/$MA/libnss_scim.so.2' | grep -q 'SONAME *libnss_scim.so.2'"
for p in man1/scimbridge.1 man5/scimbridge.conf.5 man8/scimbridged.8 man8/pam_scim.8 man8/nss_scim.8; do
	f=$D/usr/local/share/man/$p
	t_check "man page $p installed" test -f "$f"
	t_check "man page $p renders" sh -c "MANWIDTH=80 man -l '$f' 2>/dev/null | grep -q ."
done
t_check "example config in /etc/scimbridge" test -f "$D/etc/scimbridge/scimbridge.conf.example"
t_check "pam-auth-update profile" test -f "$D/usr/share/pam-configs/scim"
t_check "sshd snippet in the doc dir" test -f "$D/usr/local/share/doc/scimbridge/sshd_config.snippet"
t_check "nsswitch snippet in the doc dir" test -f "$D/usr/local/share/doc/scimbridge/nsswitch.conf.snippet"
out=$("$D/usr/local/bin/scimbridge" -c "$D/etc/scimbridge/scimbridge.conf.example" status 2>&1)
t_check "the example config parses (no warning from the installed CLI)" sh -c "! grep -q 'warning' <<EOT
$out
EOT"
if [ -f "$T_ROOT/contrib/scimbridged.service" ]; then
	t_check "systemd unit installed" test -f "$D/usr/local/lib/systemd/system/scimbridged.service"
else
	t_skip "systemd unit (contrib/scimbridged.service not in the tree yet)"
fi
# An existing config survives a re-install.
echo "# mine" >"$D/etc/scimbridge/scimbridge.conf"
make -s -C "$T_ROOT" install DESTDIR="$D" >/dev/null 2>&1
t_eq "re-install keeps the admin's config" "# mine" "$(cat "$D/etc/scimbridge/scimbridge.conf")"

# make uninstall refuses while a PAM stack of that root still names the
# module: removing pam_scim.so under it would fail every login, root's too.
(umask 077 && echo s3cret >"$D/etc/scimbridge/client_secret")
mkdir -p "$D/etc/pam.d"
printf 'account\t[success=ok user_unknown=ignore default=bad]\tpam_scim.so\n' >"$D/etc/pam.d/common-account"
make -s -C "$T_ROOT" uninstall DESTDIR="$D" >"$T_TMP/log" 2>&1
t_eq "make uninstall refuses while common-account names pam_scim.so" 2 "$?"
t_check "it names the file" grep -q "$D/etc/pam.d/common-account" "$T_TMP/log"
t_check "and removed nothing (pam_scim.so still there)" test -f "$D/lib/$MA/security/pam_scim.so"
rm -r "$D/etc/pam.d"
# Then it removes every file install wrote, and only the admin's config and
# secret stay.
if ! make -s -C "$T_ROOT" uninstall DESTDIR="$D" >"$T_TMP/log" 2>&1; then
	cat "$T_TMP/log"; t_fail "make uninstall DESTDIR"
fi
t_eq "make uninstall leaves only the admin's config and secret" \
	"etc/scimbridge/client_secret etc/scimbridge/scimbridge.conf" \
	"$(cd "$D" && find . -type f -o -type l | sed 's|^\./||' | sort | tr '\n' ' ' | sed 's/ $//')"
t_eq "the admin's config is untouched" "# mine" "$(cat "$D/etc/scimbridge/scimbridge.conf")"
t_eq "no directory of ours is left but /etc/scimbridge" "" \
	"$(cd "$D" && find . -depth -type d -name '*scim*' ! -path ./etc/scimbridge)"
# An untouched example config is install's, not the admin's: it goes too.
D2=$T_TMP/root2
make -s -C "$T_ROOT" install DESTDIR="$D2" >/dev/null 2>&1 &&
	make -s -C "$T_ROOT" uninstall DESTDIR="$D2" >"$T_TMP/log" 2>&1
t_eq "install then uninstall into an empty root leaves no file" "" "$(find "$D2" -type f -o -type l)"
t_done
