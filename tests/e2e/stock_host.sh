#!/bin/bash
# A stock Debian host, as an admin deploys it (issue 13), with nothing on the
# real host changed: in a private mount namespace, overlays over /etc, /usr
# and /var (upper dirs in a temp dir; /lib is usr/lib, so the module dir and
# /usr/local land there too) and a tmpfs over /run. The project's own `make
# install` with default paths; `pam-auth-update --enable scim` over the
# host's stock /etc/pam.d (changed by nothing else); a config at the default
# path pointing at the local tenant; `scim` added to nsswitch.conf;
# `scimbridge sync` and the installed scimbridged. The stock sshd, login and
# su services are asked through pamtester: an active directory user passes,
# one deactivated in the tenant gets PAM_ACCT_EXPIRED, root passes; a real
# ssh login with a key from the tenant works through the stock sshd_config
# and the contrib drop-in. Then `make uninstall` in the same namespace: root
# and a local user still pass every service and `su` works.
. "$(dirname "$0")/../lib/e2e.sh"
e2e_need e2e/stock_host pamtester pam-auth-update /usr/sbin/sshd ssh useradd
e2e_enter e2e/stock_host "$@"
e2e_setup
. "$T_ROOT/tests/lib/stock.sh"
chmod 755 "$T_TMP"
export DEBIAN_FRONTEND=noninteractive
unset SCIMBRIDGE_CONF LD_LIBRARY_PATH LD_PRELOAD

# The overlays. Everything below writes only to their upper dirs and /run.
stock_overlay
MA=$(cc -print-multiarch)
t_check "overlays: /usr/local and /lib/$MA are under the /usr overlay" \
	sh -c "touch /usr/local/.probe /lib/$MA/.probe && test -e '$T_TMP/ov/usr/upper/local/.probe' &&
		test -e '$T_TMP/ov/usr/upper/lib/$MA/.probe' && rm /usr/local/.probe /lib/$MA/.probe"

# pamtester SERVICE USER acct_mgmt, its message on one line.
acct() { pamtester "$1" "$2" acct_mgmt 2>&1 | tr '\n' ' '; }
# every_service USER EXPECT WHAT: sshd, login and su all answer EXPECT.
every_service() {
	local s r
	for s in sshd login su; do
		r=$(acct "$s" "$1")
		t_check "$3: pamtester $s $1 acct_mgmt ($r)" grep -q "$2" <<<"$r"
	done
}

useradd -M -s /bin/bash scimlocal || t_fail "useradd scimlocal (in the overlay's /etc/passwd)"
every_service root 'account management done' "stock host before install"

# --- install with the default paths, as the README says ---
stock_install
t_ok "make install (default paths, no DESTDIR)"
t_check "pam_scim.so in /lib/$MA/security" test -f "/lib/$MA/security/pam_scim.so"
t_check "man -k scim finds scimbridge(1) after install" sh -c "man -k scim 2>/dev/null | grep -q '^scimbridge (1)'"

stock_pam_enable scim
t_check "pam-auth-update --enable scim puts pam_scim in common-account" \
	grep -q 'pam_scim.so' /etc/pam.d/common-account
t_check "after pam_unix, pam_deny and pam_permit (the Additional block)" sh -c \
	"grep -E '^account' /etc/pam.d/common-account | awk '{print \$NF}' | tr '\n' ' ' |
		grep -q '^pam_unix.so pam_deny.so pam_permit.so pam_scim.so \$'"

tenant_start --dataset small || { t_fail "tenant_start"; t_done; exit 1; }
stock_conf
ssh-keygen -q -t ed25519 -N '' -f "$T_TMP/key" -C alice@test || exit 1
okta set-attr alice urn:scim:schemas:extension:custom:1.0:sshPublicKey "$(cat "$T_TMP/key.pub")"
# bob is deactivated the way Okta does it (PATCH active=false) before the
# sync, so the cache and the daemon's live check agree on him.
okta deactivate bob

t_check "scimbridge sync (installed CLI, default config)" scimbridge sync
r=$(getent passwd alice)
t_check "getent passwd alice through the installed module: password field * ($r)" \
	grep -qE '^alice:[*]:[0-9]+:[0-9]+:' <<<"$r"
stock_daemon_start
t_check "the installed scimbridged answers on /run/scimbridge/socket" \
	t_wait_log "$T_TMP/daemon.log" 'listening|ready|socket' 1 20 "$DPID"
daemon_wait_socket /run/scimbridge/socket 10

every_service alice 'account management done' "active directory user"
every_service root 'account management done' "root, profile enabled"
every_service scimlocal 'account management done' "local user, profile enabled"
every_service bob 'User account has expired' "bob deactivated in the tenant (PAM_ACCT_EXPIRED)"

# --- a real ssh login: the stock sshd_config, the contrib drop-in ---
install -m 0644 /usr/local/share/doc/scimbridge/sshd_config.snippet /etc/ssh/sshd_config.d/scimbridge.conf
stock_sshd_start
login() {
	ssh -i "$T_TMP/key" -p "$PORT" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o BatchMode=yes -o ConnectTimeout=10 -o LogLevel=ERROR "$1@127.0.0.1" \
		'echo "logged in as $(id -un)"' 2>&1 | tr '\n' ' '
}
r=$(login alice)
t_check "alice logs in over ssh with her tenant key ($r)" grep -q 'logged in as alice' <<<"$r"
okta deactivate alice
r=$(login alice)
t_check "deactivated: the next ssh login is refused ($r)" bash -c "! grep -q 'logged in' <<<'$r'"
t_check "by the PAM account phase (sshd.log)" grep -q 'by PAM account configuration' "$T_TMP/sshd.log"
okta reactivate alice
kill "$SPID" 2>/dev/null
wait "$SPID" 2>/dev/null

# --- the contrib snippet, as a hand-written common-account ---
cp /etc/pam.d/common-account "$T_TMP/common-account.pam-auth-update"
grep -v '^#' /usr/local/share/doc/scimbridge/pam-account.snippet >/etc/pam.d/common-account
every_service alice 'account management done' "contrib/pam-account.snippet, active user"
every_service bob 'User account has expired' "contrib/pam-account.snippet, deactivated user"
every_service root 'account management done' "contrib/pam-account.snippet, root"
make -s uninstall >"$T_TMP/uninstall.log" 2>&1
t_eq "make uninstall refuses while a hand-written stack names pam_scim.so" 2 "$?"
t_check "and leaves pam_scim.so in place" test -f "/lib/$MA/security/pam_scim.so"
every_service root 'account management done' "after the refused uninstall, root"
cp "$T_TMP/common-account.pam-auth-update" /etc/pam.d/common-account
daemon_stop

# --- uninstall in the same namespace ---
if ! make -s uninstall >"$T_TMP/uninstall.log" 2>&1; then
	cat "$T_TMP/uninstall.log"
	t_fail "make uninstall"
else
	t_ok "make uninstall"
fi
t_check "pam_scim.so is gone" test ! -e "/lib/$MA/security/pam_scim.so"
t_check "no PAM file names pam_scim.so" sh -c "! grep -rqs pam_scim /etc/pam.d"
every_service root 'account management done' "after uninstall, root"
every_service scimlocal 'account management done' "after uninstall, local user"
t_check "after uninstall, su -c true scimlocal (as root)" su -c true scimlocal
t_check "after uninstall, man -k scim finds no scimbridge page" sh -c "! man -k scim 2>/dev/null | grep -q '^scimbridge'"
t_check "the admin's config and secret stay" test -f /etc/scimbridge/scimbridge.conf -a -f /etc/scimbridge/client_secret
[ "$T_FAIL" -gt 0 ] && { tail -20 "$T_TMP/daemon.log" "$T_TMP/sshd.log"; cat "$T_TMP/uninstall.log"; }
t_done
