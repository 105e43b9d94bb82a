#!/bin/bash
# The daemon's relay roles end to end (issue 16), as root in a private mount
# namespace: scimbridged role = publisher syncs from tests/tenant every
# refresh_interval and publishes by itself into the publish_dir a real nginx
# serves; scimbridged role = subscriber (own cache, socket, no tenant
# credential) installs the releases. A user Okta deactivates is refused by
# pamtester on the subscriber after the publisher's next sync (the time from
# the PATCH to the refusal is printed); the subscriber's miss lookups and
# account checks make no tenant request; the relay down: the cached state
# within offline_grace (logged), PAM_AUTHINFO_UNAVAIL past it; status,
# check-user and check speak of the relay.
. "$(dirname "$0")/../lib/e2e.sh"
e2e_enter e2e/relay_daemon "$@"
e2e_setup
. "$T_ROOT/tests/lib/relay.sh"
SBD=${SCIMBRIDGED:-$T_ROOT/daemon/scimbridged}
if ! command -v nginx >/dev/null; then
	t_skip "nginx is not installed (scripts/deps.sh installs nginx-light)"
	t_done
	exit 0
fi
tenant_start --dataset small || exit 1
relay_setup "refresh_interval = 10" || exit 1
S=$T_TMP/subscriber.conf
SUBC=$T_TMP/sub/cache
sub_conf "$S" "https://127.0.0.1:$PORT/" "relay_poll_interval = 30"
e2e_host "$S"

# wait_for SECONDS COMMAND...: polls every 0.2 s; its status
wait_for() {
	local n=$(($1 * 5))
	shift
	for _ in $(seq "$n"); do "$@" && return 0; sleep 0.2; done
	"$@"
}
gen_of() { sed -n 's/^generation //p' "$PUB/release" 2>/dev/null; }
requests() { tenant_stats | sed -n 's/.*"requests": *\([0-9]*\).*/\1/p'; }
start_publisher() {
	"$SBD" -f -c "$P" 2>>"$T_TMP/pubd.log" &
	PDPID=$!
}
start_subscriber() { # [config]
	"$SBD" -f -d -c "${1:-$S}" 2>>"$T_TMP/subd.log" &
	SDPID=$!
}
# says RC PATTERN...: $rc is RC and $r has a line matching each PATTERN
says() {
	local want=$1 p
	shift
	[ "$rc" = "$want" ] || return 1
	for p in "$@"; do grep -q -- "$p" <<<"$r" || return 1; done
}
T_CLEANUP_HOOK='kill $PDPID $SDPID 2>/dev/null; wait $PDPID $SDPID 2>/dev/null; '"$T_CLEANUP_HOOK"

# --- the publisher daemon publishes after its own sync, no `scimbridge sync`
start_publisher
t_check "publisher daemon: generation 1 published after its first sync" wait_for 60 test -s "$PUB/release"
t_check "… logged" wait_for 10 grep -q 'published generation 1 in' "$T_TMP/pubd.log"

# --- the subscriber daemon: no tenant client, installs the release
start_subscriber
t_check "subscriber daemon: generation 1 installed" wait_for 30 test -s "$SUBC"
t_check "… byte-identical to what the publisher published" cmp -s "$PUB.state/base-1" "$SUBC"
t_check "… it says it has no tenant client" grep -q 'subscriber of https://127.0.0.1:.*no tenant client' "$T_TMP/subd.log"
r=$(getent passwd alice)
t_check "getent passwd alice on the subscriber ($r)" grep -q '^alice:' <<<"$r"
out=$("$SB" -c "$S" sync 2>&1)
t_check "scimbridge sync on the subscriber asks its daemon for a relay check ($out)" grep -q 'sync by the daemon on .*: done: relay check: generation 1 verified' <<<"$out"
r=$(pamtester scimtest bob acct_mgmt 2>&1)
t_check "pamtester: bob allowed on the subscriber ($r)" grep -q 'management done' <<<"$r"
t_check "… decided from the relay's generation (the daemon's debug log)" grep -q "account check bob: allowed: active.*from the relay's generation 1" "$T_TMP/subd.log"
r=$("$SB" -c "$S" check-user bob 2>&1)
rc=$?
t_check "check-user bob on the subscriber: exit 0, the daemon's answer from the relay ($(grep '^pam (relay)' <<<"$r"))" \
	says 0 "^pam (relay):  allowed (PAM_SUCCESS): active, from the relay's generation 1 (live)$"
t_check "… the relay's generation and last check" says 0 '^release gen:  1$' '^last check:   .* ([0-9]* s ago)$' '^last result:  ok: generation 1'
r=$("$SB" -c "$S" check 2>&1)
rc=$?
t_check "check beside the subscriber daemon: exit 0, its last check ok ($(grep -E '^(WARN|FAIL|OK       last)' <<<"$r"))" \
	says 0 '^OK       last  check .*: ok: generation 1' '^all checks passed$'
"$SB" -c "$S" status >"$T_TMP/status.out" 2>&1
t_check "status on the subscriber: role=subscriber, relay generation 1 ($(grep -E 'role=|relay_' "$T_TMP/status.out" | tr '\n' ' '))" \
	bash -c "grep -q 'role=subscriber' '$T_TMP/status.out' && grep -q 'relay_generation=1' '$T_TMP/status.out' && grep -q 'relay_last_check=ok' '$T_TMP/status.out' && ! grep -q 'tenant=' '$T_TMP/status.out'"

# --- SIGHUP (systemctl reload) on the subscriber: a relay check now, not
# at the next poll (relay_poll_interval 30 s)
lines=$(grep -c 'GET /release ' "$NG/access.log")
kill -HUP "$SDPID"
t_check "SIGHUP on the subscriber: a relay check within 10 s" \
	wait_for 10 bash -c "[ \$(grep -c 'GET /release ' '$NG/access.log') -gt $lines ]"
t_check "… and it runs on" kill -0 "$SDPID"

# --- no tenant request from the subscriber: the publisher stopped meanwhile
kill "$PDPID"
wait "$PDPID" 2>/dev/null
tenant_reset_stats
before=$(requests)
lines=$(grep -c 'GET /release ' "$NG/access.log")
sleep 1.2 # past the shared check's reuse window: the misses ask the relay
for n in nosuch1 nosuch2 nosuch3 nosuch4 nosuch5; do getent passwd "$n" >/dev/null; done
pamtester scimtest alice acct_mgmt >/dev/null 2>&1
pamtester scimtest nosuch6 acct_mgmt >/dev/null 2>&1
after=$(requests)
t_eq "5 miss lookups and 2 account checks on the subscriber: tenant requests before/after ($before/$after)" "$before" "$after"
polls=$(($(grep -c 'GET /release ' "$NG/access.log") - lines))
t_check "… they were asked of the subscriber daemon, which asked the relay ($polls release requests)" test "$polls" -ge 1

# --- Okta deactivates bob: refused on the subscriber after the publisher's next sync
start_publisher
wait_for 60 bash -c "[ \$(grep -c 'sync: .* read from the tenant' '$T_TMP/pubd.log') -ge 2 ]"
t_check "… while the publisher's sync is counted by the tenant (requests $(requests) > $after)" test "$(requests)" -gt "$after"
g0=$(gen_of)
t0=$(date +%s.%N)
okta deactivate bob >/dev/null
refused() { ! pamtester scimtest bob acct_mgmt >/dev/null 2>&1; }
wait_for 60 refused
t1=$(date +%s.%N)
secs=$(echo "$t1 - $t0" | bc)
echo "# PATCH active=false to a refused login on the subscriber: $secs s (publisher refresh_interval 10 s)"
r=$(pamtester scimtest bob acct_mgmt 2>&1)
t_check "bob refused by pamtester on the subscriber, $secs s after Okta's deactivation ($r)" grep -qi 'expired\|deactivated' <<<"$r"
t_check "… the publisher published generation $((g0 + 1)) or later" bash -c "[ \$(sed -n 's/^generation //p' '$PUB/release') -gt $g0 ]"
r=$("$SB" -c "$S" check-user bob 2>&1)
rc=$?
t_check "check-user bob: exit 1, refused from the relay ($(grep '^pam (relay)' <<<"$r"))" \
	says 1 '^pam (relay):  refused (PAM_ACCT_EXPIRED)'
t_check "… the subscriber logged the refusal from the relay's generation" grep -q "account check bob: refused: deactivated, from the relay's generation" "$T_TMP/subd.log"
t_check "… the subscriber's cache is what the publisher published" wait_for 10 cmp -s "$PUB.state/base-$(gen_of)" "$SUBC"

# --- a login storm: one relay check a second at most
sleep 1.2
lines=$(grep -c 'GET /release ' "$NG/access.log")
s0=$(date +%s.%N)
pids=()
for _ in $(seq 20); do
	timeout 30 pamtester scimtest alice acct_mgmt >/dev/null 2>&1 &
	pids+=($!)
done
wait "${pids[@]}"
s1=$(date +%s.%N)
polls=$(($(grep -c 'GET /release ' "$NG/access.log") - lines))
span=$(echo "($s1 - $s0) + 2" | bc | cut -d. -f1)
t_check "20 concurrent logins: $polls release requests in $(echo "$s1 - $s0" | bc | cut -c1-5) s (at most one a second, +1)" bash -c "[ $polls -ge 1 ] && [ $polls -le $span ]"

# --- the relay down: the cached state within offline_grace, logged
kill "$PDPID"
wait "$PDPID" 2>/dev/null
relay_nginx_stop
sleep 1.2
r=$(pamtester scimtest alice acct_mgmt 2>&1)
t_check "relay down: alice allowed from the cache within offline_grace ($r)" grep -q 'management done' <<<"$r"
r=$(pamtester scimtest bob acct_mgmt 2>&1)
t_check "relay down: bob still refused from the cache ($r)" grep -qi 'expired\|deactivated' <<<"$r"
t_check "… logged: relay unreachable, deciding from the generation within offline_grace" grep -q 'account check alice: relay unreachable (.*): deciding from generation .*offline_grace' "$T_TMP/subd.log"
r=$("$SB" -c "$S" check-user alice 2>&1)
t_check "check-user alice, relay down: the last check failed ($(grep '^last result' <<<"$r"))" grep -q '^last result:  FAILED: relay unreachable' <<<"$r"
t_check "… and the daemon decides from the cache within offline_grace ($(grep '^pam (relay)' <<<"$r"))" grep -q "^pam (relay):  allowed (PAM_SUCCESS): active, from the relay's generation [0-9]*; relay unreachable" <<<"$r"
r=$("$SB" -c "$S" check 2>&1)
rc=$?
t_check "check, relay down: exit 1, FAIL relay names relay_url's line ($(grep '^FAIL' <<<"$r"))" \
	says 1 "^FAIL     relay relay unreachable: https://127.0.0.1:$PORT/release: .* (key 'relay_url', $S:2)$"
r=$("$SB" -c "$S" status 2>&1)
t_check "status on the subscriber: the last check failed ($(grep 'relay_last_check' <<<"$r"))" grep -q 'relay_last_check=relay unreachable' <<<"$r"

# --- past offline_grace (2 s, counted from the last verified release): no decision
kill "$SDPID"
wait "$SDPID" 2>/dev/null
sub_conf "$T_TMP/grace.conf" "https://127.0.0.1:$PORT/" "relay_poll_interval = 30" "offline_grace = 2"
start_subscriber "$T_TMP/grace.conf"
wait_for 10 test -S "$T_TMP/sub/socket"
sleep 3
sed "s|config=$S\$|config=$T_TMP/grace.conf|" /etc/pam.d/scimtest >/etc/pam.d/scimgrace
r=$(pamtester scimgrace alice acct_mgmt 2>&1)
t_check "relay down past offline_grace: alice not allowed ($r)" bash -c "! grep -q 'management done' <<<'$r'"
t_check "… logged: cannot decide, the last verified release older than offline_grace" grep -q 'account check alice: cannot decide: relay unreachable' "$T_TMP/subd.log"

# --- the relay back: checked before the next login, no restart
relay_nginx_start
sleep 1.2
r=$(pamtester scimgrace alice acct_mgmt 2>&1)
t_check "relay back: alice allowed again ($r)" grep -q 'management done' <<<"$r"
t_check "… logged: relay reached again" grep -q 'relay: reached again' "$T_TMP/subd.log"
# --- a publish that fails is logged; the daemon syncs on, the cache stays
sed "s|^publish_dir = .*|publish_dir = /proc/1/nonexistent/pub|; s|^cache_path = .*|cache_path = $T_TMP/badpub/cache|; s|^socket_path = .*|socket_path = $T_TMP/badpub/sock|" "$P" >"$T_TMP/badpub.conf"
mkdir -p "$T_TMP/badpub"
"$SBD" -f -c "$T_TMP/badpub.conf" 2>"$T_TMP/badpubd.log" &
BPID=$!
t_check "publisher whose publish_dir cannot be made: the failure logged" wait_for 60 grep -q 'publish to .* failed: .*the cache is kept' "$T_TMP/badpubd.log"
t_check "… its cache written all the same" test -s "$T_TMP/badpub/cache"
t_check "… and it runs on" kill -0 "$BPID"
kill "$BPID"
wait "$BPID" 2>/dev/null
t_check "no sanitizer report from any daemon" bash -c "! grep -q 'Sanitizer' '$T_TMP/subd.log' '$T_TMP/pubd.log' '$T_TMP/badpubd.log'"
[ "$T_FAIL" -gt 0 ] && tail -30 "$T_TMP/subd.log" && tail -10 "$T_TMP/pubd.log"
t_done
