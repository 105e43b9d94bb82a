#!/bin/bash
# A real sshd on a loopback port, inside a private mount namespace: UsePAM
# with pam_scim in the account stack, our nsswitch, and `scimbridge keys` as
# AuthorizedKeysCommand (run as nobody). A tenant user logs in with an SSH
# key published in the tenant; Okta deactivates them and the next login is
# refused with no sync in between; reactivation lets them in again.
if [ "$(id -u)" -ne 0 ] || ! command -v sshd >/dev/null && ! [ -x /usr/sbin/sshd ]; then
	echo "skip - needs root and sshd"
	echo "e2e/sshd_login: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
if [ -z "${SB_IN_NS:-}" ]; then
	exec unshare -m env SB_IN_NS=1 bash "$0" "$@"
fi
. "$(dirname "$0")/../lib/e2e.sh"
e2e_setup
chmod 755 "$T_TMP"

tenant_start --dataset small || exit 1
# sshd wants AuthorizedKeysCommand in a root-owned tree nobody else can write:
# a tmpfs over /mnt, private to this namespace.
mount -t tmpfs -o mode=0755 tmpfs /mnt || exit 1
K=/mnt/scimbridge
mkdir -m 0755 "$K"
install -m 0755 cli/scimbridge "$K/scimbridge"
C=$K/scimbridge.conf
tenant_conf "$C" workspace-one "refresh_interval = 3600" "timeout = 3"
chmod 644 "$C"
e2e_host "$C" sshd

ssh-keygen -q -t ed25519 -N '' -f "$T_TMP/key" -C alice@test || exit 1
ssh-keygen -q -t ed25519 -N '' -f "$T_TMP/hostkey" || exit 1
okta set-attr alice urn:scim:schemas:extension:custom:1.0:sshPublicKey "$(cat "$T_TMP/key.pub")"
t_check "sync" cli/scimbridge -c "$C" sync
r=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$K/scimbridge" -c "$C" keys alice)
t_check "scimbridge keys alice, run as nobody, prints the tenant's key" grep -qF "$(cut -d' ' -f2 "$T_TMP/key.pub")" <<<"$r"

daemon_start "$C"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# the host's /run is left as it was: sshd gets a tmpfs private to this namespace
e2e_sshd_keys "$PORT" "$K/scimbridge -c $C keys %u" || exit 1
daemon_wait_socket "$TENANT_DIR/socket"

login() { e2e_ssh_key_login "$PORT" alice; }
r=$(login)
t_check "alice logs in with the key from the tenant ($r)" grep -q 'logged in as alice' <<<"$r"
okta deactivate alice
r=$(login)
t_check "Okta deactivates alice: the next ssh login is refused, no sync in between ($r)" \
	bash -c "! grep -q 'logged in' <<<'$r'"
t_check "sshd logged the PAM account refusal" grep -qiE 'account.*(expired|deactivated)|Failed|not allowed' "$T_TMP/sshd.log"
okta reactivate alice
r=$(login)
t_check "reactivated: alice logs in again ($r)" grep -q 'logged in as alice' <<<"$r"
r=$(ssh -i "$T_TMP/key" -p "$PORT" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
	-o BatchMode=yes -o LogLevel=ERROR bob@127.0.0.1 true 2>&1)
t_check "bob has no key in the tenant: refused ($r)" grep -qi 'denied' <<<"$r"
[ "$T_FAIL" -gt 0 ] && tail -30 "$T_TMP/sshd.log"
t_done
