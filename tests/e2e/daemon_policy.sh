#!/bin/bash
# What the daemon decides, and says, when things are not fine — as root in a
# private mount namespace, against the local tenant, with pamtester and
# `scimbridge check-user`:
#   a daemon that does not run is not an unreachable tenant (daemon_down);
#   a stalled tenant is marked offline after one slow login, and the next
#   logins are decided from the cache at once, until a probe sees it back;
#   allowed_groups is checked live: a user removed from a group in the
#   tenant is refused at the next login, with no sync;
#   check-user says what NSS and PAM say and why, with documented exit codes;
#   `scimbridge sync` asks a running daemon; `status` reports the last
#   failure, the counts after a daemon sync, and the tenant's state;
#   foreground logs carry timestamps, allowed logins are not logged at info.
. "$(dirname "$0")/../lib/e2e.sh"
e2e_enter e2e/daemon_policy "$@"
e2e_setup
TIMEOUT=4

tenant_start --dataset small || exit 1
C=$T_TMP/scimbridge.conf
tenant_conf "$C" workspace-one "refresh_interval = 3600" "timeout = $TIMEOUT"
# the same, for a service that lets only `research` in (nested: engineers)
CG=$T_TMP/groups.conf
tenant_conf "$CG" workspace-one "refresh_interval = 3600" "timeout = $TIMEOUT" \
	"allowed_groups = research"
CC=$T_TMP/cachedown.conf
tenant_conf "$CC" workspace-one "refresh_interval = 3600" "timeout = $TIMEOUT" \
	"daemon_down = cache"
e2e_host "$C"
# another service of the same stack, with its own config
pam_service() {
	{
		echo "auth     required pam_permit.so"
		echo "account  [success=ok user_unknown=ignore default=bad] $T_ROOT/pam_module/pam_scim.so config=$2"
		echo "account  required pam_permit.so"
	} >"/etc/pam.d/$1"
}
pam_service scimgroups "$CG"
pam_service scimcached "$CC"
acct() { pamtester "${2:-scimtest}" "$1" acct_mgmt 2>&1; }
allowed() { grep -q 'management done' <<<"$1"; }
# seconds a command takes, to the millisecond
timed() { local t0 t1; t0=$(date +%s%N); "$@" >"$T_TMP/timed.out" 2>&1; t1=$(date +%s%N); echo "$(( (t1 - t0) / 1000000 ))"; }

t_check "scimbridge sync, no daemon" "$SB" -c "$C" sync

# --- no daemon -------------------------------------------------------------
r=$(acct alice)
t_check "daemon not running, daemon_down = deny (default): alice refused ($r)" bash -c "! grep -q 'management done' <<<'$r'"
r=$(acct alice scimcached)
t_check "daemon not running, daemon_down = cache: alice allowed from the cache ($r)" allowed "$r"
out=$("$SB" -c "$C" check-user alice); rc=$?
t_eq "check-user, daemon down and daemon_down = deny: exit 3 (cannot decide)" 3 "$rc"
t_check "… and says the daemon is not running, not that the tenant is unreachable" \
	bash -c "grep -q '^pam (live): *cannot decide.*daemon not running.*daemon_down = deny' <<<'$out' && ! grep -q 'directory unreachable' <<<'$out'"
out=$("$SB" -c "$CC" check-user alice); rc=$?
t_eq "check-user, daemon_down = cache: exit 0" 0 "$rc"
t_check "… decided from the cache because the daemon is not running ($(grep '^pam (live)' <<<"$out"))" \
	grep -q '^pam (live): *allowed.*cached: daemon not running' <<<"$out"
s=$("$SB" -c "$C" status)
t_check "status: the daemon is not running" grep -q '^daemon: *not running' <<<"$s"

# --- the daemon --------------------------------------------------------------
rm -f "$TENANT_DIR/cache.status"
daemon_start "$C"
t_check "scimbridged did its first sync" t_wait_log "$T_TMP/daemon.log" 'sync: [0-9]+ users' 1 30 $DPID
t_check "foreground log lines start with a UTC timestamp ($(head -1 "$T_TMP/daemon.log"))" \
	grep -qE '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z scimbridged: ' "$T_TMP/daemon.log"
t_check "the status record after a daemon sync has the counts ($(grep -E '^(users|groups)=' "$TENANT_DIR/cache.status" | tr '\n' ' '))" \
	bash -c "grep -qE '^users=[1-9]' '$TENANT_DIR/cache.status' && grep -qE '^groups=[1-9]' '$TENANT_DIR/cache.status'"

out=$("$SB" -c "$C" sync); rc=$?
t_eq "scimbridge sync with the daemon running: exit 0" 0 "$rc"
t_check "… the daemon did the sync ($out)" grep -q '^sync by the daemon on .*: done: daemon sync: [1-9][0-9]* users' <<<"$out"
t_check "… and the daemon logged a second sync" t_wait_log "$T_TMP/daemon.log" 'sync: [0-9]+ users' 2 5

r=$(acct alice)
t_check "pamtester: alice allowed ($r)" allowed "$r"
t_check "an allowed login is not logged at info level" bash -c "! grep -q 'account check alice: allowed' '$T_TMP/daemon.log'"
okta deactivate dave >/dev/null 2>&1
r=$(acct dave)
t_check "dave (deactivated) refused ($r)" grep -qi expired <<<"$r"
t_check "… and the daemon logs the decision and its reason" grep -q 'account check dave: refused: deactivated' "$T_TMP/daemon.log"

# --- allowed_groups, live ----------------------------------------------------
r=$(acct alice scimgroups)
t_check "allowed_groups = research: alice (engineers, nested in research) allowed ($r)" allowed "$r"
r=$(acct carol scimgroups)
t_check "… carol (research) allowed ($r)" allowed "$r"
okta remove-member engineers alice >/dev/null
okta remove-member research carol >/dev/null
r=$(acct alice scimgroups)
t_check "alice removed from engineers in the tenant: refused at the next login, no sync ($r)" grep -qi 'permission denied' <<<"$r"
r=$(acct carol scimgroups)
t_check "carol removed from research: refused at the next login ($r)" grep -qi 'permission denied' <<<"$r"
t_check "… the daemon says why" grep -q 'account check carol: refused: not in allowed_groups (research)' "$T_TMP/daemon.log"
out=$("$SB" -c "$CG" check-user carol); rc=$?
t_eq "check-user carol: exit 1 (refused)" 1 "$rc"
t_check "… live: not in allowed_groups; the cache still has the old membership ($(grep '^pam' <<<"$out" | tr '\n' ' '))" \
	bash -c "grep -q '^pam (live): *refused (PAM_PERM_DENIED): not in allowed_groups (research)' <<<'$out' && grep -q '^pam (cache): *allowed' <<<'$out'"
t_check "… and what NSS says" grep -q '^nss passwd: *carol:[*]:[0-9]*:' <<<"$out"
# A tenant that refuses the group filter (HTTP 400): membership from the
# cache (which still has alice in engineers), the active state still live.
tenant_fault '{"match":"filter=members","kind":"400","times":0}'
r=$(acct alice scimgroups)
t_check "group filter refused by the tenant: membership from the cache, allowed ($r)" allowed "$r"
t_check "… and the daemon says so" grep -q 'account check alice: groups from the cache: .*400' "$T_TMP/daemon.log"
out=$("$SB" -c "$CG" check-user alice | grep '^pam (live)')
t_check "… a live decision, not the cached fallback of an unreachable tenant ($out)" \
	grep -q 'allowed (PAM_SUCCESS): active, in allowed group research (live)$' <<<"$out"
okta deactivate bob >/dev/null
r=$(acct bob scimgroups)
t_check "… while the active state is still read live: bob, deactivated, refused ($r)" grep -qi expired <<<"$r"
okta reactivate bob >/dev/null
s=$("$SB" -c "$C" status)
t_check "… and a refused filter is not an offline tenant" grep -q '^tenant: *online' <<<"$s"
tenant_reset_faults
okta add-member engineers alice >/dev/null
r=$(acct alice scimgroups)
t_check "alice back in engineers: allowed again ($r)" allowed "$r"
r=$(acct bob scimgroups)
t_check "bob (engineers) still allowed ($r)" allowed "$r"

out=$("$SB" -c "$C" check-user alice); rc=$?
t_eq "check-user alice: exit 0" 0 "$rc"
t_check "… live and cached both allowed" bash -c "grep -q '^pam (live): *allowed' <<<'$out' && grep -q '^pam (cache): *allowed' <<<'$out'"
"$SB" -c "$C" check-user nosuchuser >/dev/null; rc=$?
t_eq "check-user nosuchuser: exit 2 (not a directory user)" 2 "$rc"
"$SB" -c "$C" check-user dave >/dev/null; rc=$?
t_eq "check-user dave (deactivated): exit 1" 1 "$rc"
chmod 755 "$T_TMP"
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$SB" -c "$C" check-user alice 2>&1)
t_check "check-user as nobody: from the cache only, live checks are for root ($(grep '^pam (live)' <<<"$out"))" \
	grep -q '^pam (live): *not asked: live checks are for root' <<<"$out"

# --- a stalled tenant: offline mode -----------------------------------------
tenant_fault '{"match":"/scim/Users","kind":"stall","times":0,"delay_ms":60000}'
ms1=$(timed acct bob); r1=$(cat "$T_TMP/timed.out")
ms2=$(timed acct bob); r2=$(cat "$T_TMP/timed.out")
ms3=$(timed acct alice); r3=$(cat "$T_TMP/timed.out")
echo "account decisions with the tenant stalled (timeout $TIMEOUT s): first ${ms1} ms, second ${ms2} ms, third ${ms3} ms"
t_check "first decision in the stall pays the timeout, then allowed from the cache (${ms1} ms; $r1)" \
	bash -c "[ $ms1 -ge $((TIMEOUT * 1000 - 500)) ] && grep -q 'management done' <<<'$r1'"
t_check "second decision in the stall well under the timeout: ${ms2} ms < $((TIMEOUT * 500)) ms ($r2)" \
	bash -c "[ $ms2 -lt $((TIMEOUT * 500)) ] && grep -q 'management done' <<<'$r2'"
t_check "third, another user: ${ms3} ms < $((TIMEOUT * 500)) ms ($r3)" \
	bash -c "[ $ms3 -lt $((TIMEOUT * 500)) ] && grep -q 'management done' <<<'$r3'"
t_check "the daemon logged the tenant offline" grep -q 'tenant offline: account check' "$T_TMP/daemon.log"
s=$("$SB" -c "$C" status)
t_check "status: tenant OFFLINE" grep -q '^tenant: *OFFLINE' <<<"$s"
t_check "status: last result FAILED, not ok ($(grep '^last result' <<<"$s"))" grep -q '^last result: *FAILED' <<<"$s"
t_check "status: the last failure is shown" grep -q '^last failure:' <<<"$s"
out=$("$SB" -c "$C" check-user alice)
t_check "check-user during the stall: decided from the cache, tenant offline ($(grep '^pam (live)' <<<"$out"))" \
	grep -q '^pam (live): *allowed.*directory unreachable: tenant offline' <<<"$out"
tenant_reset_faults
t_check "the probe sees the tenant back within 20 s" t_wait_log "$T_TMP/daemon.log" 'tenant back online \(probe\)' 1 20 $DPID
s=$("$SB" -c "$C" status)
t_check "status: tenant online again" grep -q '^tenant: *online' <<<"$s"
okta deactivate bob >/dev/null
r=$(acct bob)
t_check "live checks resume: bob, deactivated, refused ($r)" grep -qi expired <<<"$r"
okta reactivate bob >/dev/null

# --- the daemon dies -----------------------------------------------------------
kill $DPID
wait $DPID 2>/dev/null
r=$(acct alice)
t_check "daemon stopped, daemon_down = deny: refused ($r)" bash -c "! grep -q 'management done' <<<'$r'"
s=$("$SB" -c "$C" status)
t_check "status: daemon not running" grep -q '^daemon: *not running' <<<"$s"
if [ -n "${SCIMBRIDGED:-}" ]; then
	t_check "sanitizers: no report from the daemon" \
		bash -c "! grep -h -A20 -E 'Sanitizer|runtime error' '$T_TMP/daemon.log'"
fi
t_done
