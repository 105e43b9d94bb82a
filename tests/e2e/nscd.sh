#!/bin/bash
# Behind nscd, as root in a private mount namespace: a tmpfs over /run gives
# this test its own /var/run/nscd/socket, and nscd (unpacked by
# scripts/deps.sh into tests/run/nscd, never installed) loads libnss_scim
# through LD_LIBRARY_PATH. Clients run without it, so they cannot load the
# module: every answer they get came through nscd. Checks getent, id and
# initgroups through nscd; that a sync invalidates nscd's copy (a changed
# GECOS shows at once, not after positive-time-to-live); and that a user Okta
# deactivates still resolves but is refused by pam_scim, which never asks
# nscd.
. "$(dirname "$0")/../lib/e2e.sh"
e2e_enter e2e/nscd "$@"
NSCD=$(cd "$(dirname "$0")/../.." && pwd)/tests/run/nscd/usr/sbin/nscd
if ! [ -x "$NSCD" ]; then
	echo "skip - no nscd in tests/run/nscd (scripts/deps.sh unpacks it)"
	echo "e2e/nscd: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
e2e_setup
unset LD_LIBRARY_PATH # only nscd may find the module

tenant_start --dataset small || exit 1
C=$T_TMP/scimbridge.conf
# no daemon runs here: PAM decides from the cache (daemon_down = cache)
tenant_conf "$C" workspace-one "refresh_interval = 3600" "timeout = 2" "daemon_down = cache"
t_check "scimbridge sync from the tenant" "$SB" -c "$C" sync

e2e_nsswitch || exit 1
e2e_pam_service scimtest "$C" || exit 1
mount -t tmpfs tmpfs /run || exit 1
mkdir -p /run/nscd

getent passwd alice >/dev/null
t_eq "without nscd a client cannot load the module (alice unknown)" 2 $?

cat >"$T_TMP/nscd.conf" <<EOF2
	paranoia		no
	enable-cache		passwd	yes
	positive-time-to-live	passwd	600
	negative-time-to-live	passwd	20
	check-files		passwd	yes
	persistent		passwd	no
	shared			passwd	yes
	enable-cache		group	yes
	positive-time-to-live	group	600
	negative-time-to-live	group	20
	check-files		group	yes
	persistent		group	no
	shared			group	yes
	enable-cache		hosts	no
	enable-cache		services	no
	enable-cache		netgroup	no
EOF2
LD_LIBRARY_PATH=$T_ROOT/nss_module SCIMBRIDGE_CONF=$C "$NSCD" -F -f "$T_TMP/nscd.conf" \
	>"$T_TMP/nscd.log" 2>&1 &
NSCD_PID=$!
T_CLEANUP_HOOK="kill $NSCD_PID 2>/dev/null; tenant_stop"
for _ in $(seq 50); do [ -S /run/nscd/socket ] && break; sleep 0.1; done
t_check "nscd is listening on its socket" test -S /run/nscd/socket

line=$(getent passwd alice)
t_check "getent passwd alice through nscd ($line)" \
	grep -q '^alice:[*]:[0-9]*:[0-9]*:Alice Anders:/home/alice:/bin/bash$' <<<"$line"
uid=$(cut -d: -f3 <<<"$line")
t_check "getent passwd $uid through nscd" bash -c "getent passwd $uid | grep -q '^alice:'"
r=$(getent group engineers)
t_check "getent group engineers through nscd ($r)" grep -q 'alice,bob\|bob,alice' <<<"$r"
r=$(id alice 2>&1)
t_check "id alice through nscd shows engineers and nested research ($r)" \
	bash -c "grep -q engineers <<<'$r' && grep -q research <<<'$r'"
getent passwd nosuchuser >/dev/null
t_eq "an unknown name is NOTFOUND through nscd" 2 $?
getent passwd root | grep -q '^root:x:0:0:'
t_eq "root still comes from /etc/passwd" 0 $?

# A change in the tenant: nscd holds alice for 600 s, the sync tells it to
# drop its copy, so the next answer is the new one.
okta set-attr alice displayName "Alice Renamed" >/dev/null
# carol is not in nscd's cache yet: this makes the module in nscd look at
# its mapping just before the sync, so only the writer's superseded flag (not
# the once-a-second stat) can make it see the new file in time.
getent passwd carol >/dev/null
t_check "sync after a displayName change" "$SB" -c "$C" sync
r=$(getent passwd alice)
t_check "nscd answers the new GECOS at once after the sync ($r)" grep -q ':Alice Renamed:' <<<"$r"

okta deactivate alice >/dev/null
t_check "sync after Okta deactivates alice" "$SB" -c "$C" sync
t_check "a deactivated user still resolves through nscd (files keep an owner name)" \
	bash -c "getent passwd alice | grep -q '^alice:'"
out=$(pamtester scimtest alice acct_mgmt 2>&1)
t_check "pam_scim refuses alice all the same: it never asks nscd ($out)" \
	bash -c "! pamtester scimtest alice acct_mgmt >/dev/null 2>&1"
out=$(pamtester scimtest bob acct_mgmt 2>&1)
t_check "bob, still active, passes ($out)" pamtester scimtest bob acct_mgmt
kill "$NSCD_PID" 2>/dev/null
wait "$NSCD_PID" 2>/dev/null
t_done
