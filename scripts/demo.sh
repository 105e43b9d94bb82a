#!/bin/bash
# `make demo`: the whole story on one machine in under a minute, leaving
# the host untouched. Starts the local tenant (small data set), writes a
# config, runs `scimbridge check` and `scimbridge sync`, then in a sandbox
# (root: a private mount namespace with our nsswitch.conf and PAM service
# bind-mounted; otherwise nss_wrapper/pam_wrapper) shows alice resolving
# and allowed by PAM, deactivates her the way Okta does, and shows PAM
# refusing her.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
. tests/lib/testlib.sh
T_ROOT=$ROOT
. tests/lib/tenant.sh
SB=$ROOT/cli/scimbridge
DAEMON=$ROOT/daemon/scimbridged
t_tmpdir
chmod 755 "$T_TMP"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

say "Starting the local Workspace ONE tenant (small data set)"
tenant_start --dataset small || { echo "demo: the tenant did not start"; exit 1; }
echo "tenant at $TENANT_URL, Okta directory domain $TENANT_DOMAIN"
CONF=$T_TMP/scimbridge.conf
tenant_conf "$CONF" workspace-one
sed -i '/^\(cache_path\|socket_path\|ssh_keys_attribute\)[[:space:]]*=/d' "$CONF"
cat >>"$CONF" <<EOC
cache_path = $T_TMP/cache
socket_path = $T_TMP/socket
ssh_keys_attribute = urn:scim:schemas:extension:custom:1.0:sshPublicKey
# The demo may run without a daemon (not root): PAM then decides from the
# cache instead of refusing (the default, daemon_down = deny).
daemon_down = cache
EOC
chmod 644 "$CONF"
echo "config: $CONF"; sed 's/^/    /' "$CONF"

say "scimbridge check — like Okta's 'Test API Credentials'"
run "$SB" -c "$CONF" check || { echo "demo: check failed"; exit 1; }
say "scimbridge sync — one full sync, no daemon needed"
run "$SB" -c "$CONF" sync || { echo "demo: sync failed"; exit 1; }

daemon_pid=
if [ -x "$DAEMON" ]; then
	say "Starting scimbridged (foreground, logs to $T_TMP/daemon.log)"
	"$DAEMON" -f -c "$CONF" >"$T_TMP/daemon.log" 2>&1 &
	daemon_pid=$!
	for _ in $(seq 1 50); do [ -S "$T_TMP/socket" ] && break; sleep 0.1; done
	[ -S "$T_TMP/socket" ] && echo "daemon answering on $T_TMP/socket" ||
		{ echo "daemon did not open its socket; continuing with the cache alone"; }
fi
T_CLEANUP_HOOK="[ -n \"$daemon_pid\" ] && kill $daemon_pid 2>/dev/null; ${T_CLEANUP_HOOK:-:}"

cat >"$T_TMP/nsswitch.conf" <<EOF2
passwd:         files scim
group:          files scim
shadow:         files
hosts:          files dns
EOF2
cat >"$T_TMP/scimdemo.pam" <<EOF2
auth     required  pam_permit.so
account  [success=ok new_authtok_reqd=ok user_unknown=ignore default=bad] $ROOT/pam_module/pam_scim.so
account  required  pam_permit.so
EOF2

# The commands shown inside the sandbox (as root they run in a private
# mount namespace; the host's /etc is not changed).
cat >"$T_TMP/show.sh" <<'EOF2'
run() { printf '$ %s\n' "$*"; "$@"; }
pam_account() {
	printf '$ pamtester scimdemo %s acct_mgmt\n' "$1"
	out=$(pamtester scimdemo "$1" acct_mgmt 2>&1); echo "$out"
}
case "$1" in
resolve)
	run getent passwd alice
	run id alice
	run getent group engineers
	run getent passwd root | cut -d: -f1,3
	;;
pam) pam_account alice ;;
esac
EOF2

sandbox() {
	if [ "$(id -u)" -eq 0 ]; then
		mkdir -p "$T_TMP/pam.d"
		cp -a /etc/pam.d/. "$T_TMP/pam.d/"
		cp "$T_TMP/scimdemo.pam" "$T_TMP/pam.d/scimdemo"
		unshare -m --propagation private sh -c '
			mount --bind "$1/nsswitch.conf" /etc/nsswitch.conf &&
			mount --bind "$1/pam.d" /etc/pam.d &&
			exec env LD_LIBRARY_PATH="$2/nss_module" SCIMBRIDGE_CONF="$1/scimbridge.conf" \
				bash "$1/show.sh" "$3"' sh "$T_TMP" "$ROOT" "$1"
	else
		mkdir -p "$T_TMP/pamw"; cp "$T_TMP/scimdemo.pam" "$T_TMP/pamw/scimdemo"
		printf 'account required pam_deny.so\n' >"$T_TMP/pamw/other"
		getent passwd >"$T_TMP/passwd"; getent group >"$T_TMP/group"
		env LD_PRELOAD="libnss_wrapper.so libpam_wrapper.so" \
			NSS_WRAPPER_PASSWD="$T_TMP/passwd" NSS_WRAPPER_GROUP="$T_TMP/group" \
			NSS_WRAPPER_MODULE_SO_PATH="$ROOT/nss_module/libnss_scim.so.2" \
			NSS_WRAPPER_MODULE_FN_PREFIX=scim PAM_WRAPPER=1 \
			PAM_WRAPPER_SERVICE_DIR="$T_TMP/pamw" SCIMBRIDGE_CONF="$T_TMP/scimbridge.conf" \
			bash "$T_TMP/show.sh" "$1"
	fi
}

if [ "$(id -u)" -eq 0 ]; then
	say "Sandbox: a private mount namespace with 'passwd: files scim' and a PAM service 'scimdemo'"
else
	say "Sandbox: nss_wrapper + pam_wrapper (not root)"
fi
say "alice, bob and the groups resolve through libnss_scim.so.2 (root stays local)"
sandbox resolve
say "PAM account decision for alice (active in Okta): expect success"
sandbox pam

say "Okta deactivates alice (PATCH active=false, as Okta does on unassignment)"
run okta deactivate alice
if [ -n "$daemon_pid" ] && [ -S "$T_TMP/socket" ]; then
	say "PAM account decision again — the daemon checks the tenant live, no re-sync needed"
else
	say "No daemon: re-syncing, so the decision below is the cached state after a sync (daemon_down = cache)"
	"$SB" -c "$CONF" sync >/dev/null || echo "demo: re-sync failed"
fi
sandbox pam
say "What the cache says about alice now"
run "$SB" -c "$CONF" lookup alice
say "Done: the tenant is stopped and $T_TMP removed; the host was not changed"
exit 0
