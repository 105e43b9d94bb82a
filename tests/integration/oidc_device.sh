#!/bin/bash
# Device sign-in's engine room (oidc/, issue 17) against a real OpenID
# provider: oidc-provider (tests/tenant/oidc.js) whose accounts are the local
# tenant's users. tests/bin/oidcprobe runs discovery → device authorization
# → polling at the provider's interval; the provider's test control approves
# or denies the user code (no browser yet); the ID token is verified with
# cjose against the provider's JWKS. Then every refusal, each with its
# reason: denied, expired code, another key, an unknown kid, another
# audience, an expired token, another user, alg none, HS256, a missing
# claim, a mismatched issuer, a stalled provider (bounded by `timeout`).
# No root. OIDCPROBE selects the probe binary (e.g. the ASan build).
. "$(dirname "$0")/../lib/testlib.sh"
. "$T_ROOT/tests/lib/tenant.sh"
. "$T_ROOT/tests/lib/oidc.sh"
P=${OIDCPROBE:-$T_ROOT/tests/bin/oidcprobe}
[ -x "$P" ] || { t_fail "tests/bin/oidcprobe missing (make tests)"; t_done; exit 1; }
tenant_setup
oidc_start --interval 1 || { t_fail "the OpenID provider did not start"; t_done; exit 1; }
C=$T_TMP/conf
mkconf() { tenant_conf "$C" workspace-one "timeout = ${TIMEOUT:-5}" "$@"; }
mkconf "oidc_issuer = $OIDC_ISSUER" "oidc_client_id = $OIDC_CLIENT_ID" "device_login = yes"

# login NAME ACTION [probe args…]: the probe's output in $T_TMP/NAME.out,
# its exit status in $rc. ACTION: approve:USER, deny or none. Waits for the
# user code (30 s at most), runs $AFTER_CODE if set, waits for a first
# pending poll when $AFTER_POLL is set, and for the probe (90 s at most).
login() {
	local name=$1 action=$2 out=$T_TMP/$1.out pid uc
	shift 2
	"$P" -c "$C" login "$@" >"$out" 2>&1 &
	pid=$!
	if t_wait_log "$out" '^USER_CODE ' 1 30 "$pid"; then
		uc=$(sed -n 's/^USER_CODE //p' "$out")
		[ -n "${AFTER_CODE:-}" ] && eval "$AFTER_CODE"
		[ -n "${AFTER_POLL:-}" ] && t_wait_log "$out" '^POLL pending ' 1 30 "$pid"
		case $action in
		approve:*) oidc_ctl /approve "{\"user_code\":\"$uc\",\"user\":\"${action#approve:}\"}" >"$T_TMP/$name.ctl" ;;
		deny) oidc_ctl /deny "{\"user_code\":\"$uc\"}" >"$T_TMP/$name.ctl" ;;
		esac
	fi
	# the probe ends by itself (at the code's expiry at the latest)
	for _ in $(seq 900); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill "$pid" 2>/dev/null
	wait "$pid"
	rc=$?
}
line() { sed -n "s/^$2 //p" "$T_TMP/$1.out" | head -1; }
# refused NAME MODE "reason" [probe args…]: an approved sign-in whose ID
# token the provider signs per MODE must be refused with that reason.
refused() {
	local name=$1 mode=$2 reason=$3
	shift 3
	oidc_ctl /idtoken "{\"mode\":\"$mode\",\"user\":\"bob\"}" >/dev/null || t_fail "$name: control /idtoken"
	login "$name" approve:alice "$@"
	oidc_ctl /reset >/dev/null || t_fail "$name: control /reset"
	t_eq "$name: exit 1" 1 "$rc"
	t_check "$name: refused: '$reason' (got: $(line "$name" REFUSED))" \
		grep -qF "REFUSED ID token refused: $reason" "$T_TMP/$name.out"
	t_check "$name: no USERNAME line" sh -c "! grep -q '^USERNAME' '$T_TMP/$name.out'"
}

# --- discovery
"$P" -c "$C" discover >"$T_TMP/disc.out" 2>&1
t_eq "discover: exit 0" 0 "$?"
t_eq "discover: the issuer" "$OIDC_ISSUER" "$(line disc ISSUER)"
t_eq "discover: device_authorization_endpoint" "$OIDC_ISSUER/device/auth" "$(line disc DEVICE_ENDPOINT)"
t_eq "discover: token_endpoint" "$OIDC_ISSUER/token" "$(line disc TOKEN_ENDPOINT)"
t_eq "discover: jwks_uri" "$OIDC_ISSUER/jwks" "$(line disc JWKS_URI)"
mkconf "oidc_issuer = $OIDC_ISSUER/" "oidc_client_id = $OIDC_CLIENT_ID"
"$P" -c "$C" discover >"$T_TMP/disc2.out" 2>&1
t_eq "discover, oidc_issuer with a trailing '/': exit 1" 1 "$?"
t_check "discover, another issuer: refused, naming both ($(cat "$T_TMP/disc2.out"))" \
	grep -qF "REFUSED provider metadata names issuer '$OIDC_ISSUER', expected oidc_issuer '$OIDC_ISSUER/'" "$T_TMP/disc2.out"
mkconf "oidc_issuer = $OIDC_ISSUER" "oidc_client_id = $OIDC_CLIENT_ID"

# --- a sign-in, RS256
AFTER_POLL=1 login ok approve:alice --expect-user alice
t_eq "sign-in: exit 0" 0 "$rc"
t_eq "sign-in: the verified username is the tenant's userName" alice "$(line ok USERNAME)"
t_check "sign-in: a user code is shown" grep -qE '^USER_CODE [A-Z]{4}-[A-Z]{4}$' "$T_TMP/ok.out"
t_eq "sign-in: verification_uri" "$OIDC_ISSUER/device" "$(line ok VERIFICATION_URI)"
t_eq "sign-in: verification_uri_complete holds the code" \
	"$OIDC_ISSUER/device?user_code=$(line ok USER_CODE)" "$(line ok VERIFICATION_URI_COMPLETE)"
t_eq "sign-in: the provider's interval is used" 1 "$(line ok INTERVAL)"
t_check "sign-in: polled while pending" grep -q '^POLL pending 1$' "$T_TMP/ok.out"
t_eq "sign-in: the JWKS fetched once" 1 "$(line ok JWKS_FETCHES)"

# --- ES256 (the provider's second client signs with its P-256 key)
mkconf "oidc_issuer = $OIDC_ISSUER" "oidc_client_id = $OIDC_CLIENT_ID-es256"
login es approve:carol
t_eq "ES256 sign-in: exit 0" 0 "$rc"
t_eq "ES256 sign-in: username" carol "$(line es USERNAME)"
mkconf "oidc_issuer = $OIDC_ISSUER" "oidc_client_id = $OIDC_CLIENT_ID"

# --- a client the provider does not know: its error, word for word
mkconf "oidc_issuer = $OIDC_ISSUER" "oidc_client_id = nobody"
login unknown-client none
t_eq "unknown client: exit 1" 1 "$rc"
t_check "unknown client: the provider's error ($(line unknown-client ERROR))" \
	grep -q '^ERROR device authorization: provider said: invalid_client' "$T_TMP/unknown-client.out"
mkconf "oidc_issuer = $OIDC_ISSUER" "oidc_client_id = $OIDC_CLIENT_ID"

# --- slow_down: the interval grows by 5 s (RFC 8628 §3.5)
oidc_ctl /slow-down '{"count":1}' >/dev/null
login slow approve:alice
t_eq "slow_down: exit 0 after it" 0 "$rc"
t_check "slow_down: the interval went from 1 to 6 s" grep -q '^POLL slow_down 6$' "$T_TMP/slow.out"
t_eq "slow_down: then signed in" alice "$(line slow USERNAME)"

# --- the user says no
login denied deny
t_eq "denied: exit 1" 1 "$rc"
t_check "denied: says access_denied with the provider's words ($(line denied DENIED))" \
	grep -qF "DENIED token: provider said: access_denied: the user denied the sign-in" "$T_TMP/denied.out"

# --- ID tokens the provider signs wrongly (tests/tenant/oidc.js /idtoken)
refused other-key other-key "the signature does not verify with the provider's key 'provider-rsa-1' (signed by another key)"
refused unknown-kid unknown-kid "signed with key 'stranger-1', which the provider's JWKS does not hold (another key)" --prefetch-jwks
t_eq "unknown kid: the JWKS was fetched again once before refusing" 2 "$(line unknown-kid JWKS_FETCHES)"
refused other-aud other-aud "its audience 'another-client' is not oidc_client_id '$OIDC_CLIENT_ID' (another audience)"
refused expired expired "expired at"
refused alg-none alg-none "algorithm 'none' is not accepted"
refused hs256 hs256 "algorithm 'HS256' is not accepted"
mkconf "oidc_issuer = $OIDC_ISSUER" "oidc_client_id = $OIDC_CLIENT_ID" "oidc_username_claim = nickname"
refused no-claim normal "missing claim 'nickname'"
mkconf "oidc_issuer = $OIDC_ISSUER" "oidc_client_id = $OIDC_CLIENT_ID"
oidc_ctl /idtoken '{"mode":"other-user","user":"bob"}' >/dev/null
login other-user approve:alice --expect-user alice
oidc_ctl /reset >/dev/null
t_eq "another user: exit 1" 1 "$rc"
t_check "another user: refused ($(line other-user REFUSED))" \
	grep -qF "REFUSED ID token names 'bob', not 'alice' (another user)" "$T_TMP/other-user.out"

# --- key rotation: a kid published after the JWKS was cached
# the key rotates after the probe has cached the JWKS
AFTER_CODE="oidc_ctl /idtoken '{\"mode\":\"rotate\"}' >/dev/null" login rotate approve:alice --prefetch-jwks
oidc_ctl /reset >/dev/null
t_eq "rotation: exit 0" 0 "$rc"
t_eq "rotation: signed in with the new key" alice "$(line rotate USERNAME)"
t_eq "rotation: one refresh of the JWKS" 2 "$(line rotate JWKS_FETCHES)"

# --- a stalled provider: bounded by timeout
TIMEOUT=2 mkconf "oidc_issuer = $OIDC_ISSUER" "oidc_client_id = $OIDC_CLIENT_ID"
oidc_ctl /stall '{"seconds":30}' >/dev/null
start=$(date +%s)
timeout 60 "$P" -c "$C" discover >"$T_TMP/stall.out" 2>&1
rc=$?
took=$(($(date +%s) - start))
oidc_ctl /reset >/dev/null
t_eq "stalled provider: exit 1" 1 "$rc"
t_check "stalled provider: a network error ($(cat "$T_TMP/stall.out"))" grep -qE '^ERROR .*openid-configuration: .*timed out' "$T_TMP/stall.out"
t_check "stalled provider: gave up in ${took} s (< 20 s; timeout = 2, stall 30 s)" test "$took" -lt 20
mkconf "oidc_issuer = $OIDC_ISSUER" "oidc_client_id = $OIDC_CLIENT_ID"

# --- an oversized answer is refused, not read whole
oidc_ctl /pad-metadata '{"bytes":100000}' >/dev/null
"$P" -c "$C" discover >"$T_TMP/big.out" 2>&1
rc=$?
oidc_ctl /reset >/dev/null
t_eq "oversized metadata: exit 1" 1 "$rc"
t_check "oversized metadata: refused by size ($(cat "$T_TMP/big.out"))" \
	grep -q '^ERROR .*openid-configuration: answer larger than 65536 bytes' "$T_TMP/big.out"

# --- a code nobody approves runs out (a provider with a 3 s device code)
oidc_start --interval 1 --device-ttl 3 || { t_fail "the OpenID provider did not restart"; t_done; exit 1; }
mkconf "oidc_issuer = $OIDC_ISSUER" "oidc_client_id = $OIDC_CLIENT_ID"
login expired-code none
t_eq "expired code: exit 1" 1 "$rc"
t_eq "expired code: expires_in as the provider said" 3 "$(line expired-code EXPIRES_IN)"
polls=$(oidc_ctl /stats | sed -n 's/.*"polls":\([0-9]*\).*/\1/p')
t_check "expired code: polled at the 1 s interval, not faster ($polls polls in 3 s)" \
	test "${polls:-0}" -ge 1 -a "${polls:-99}" -le 5
t_check "expired code: says expired_token ($(tail -2 "$T_TMP/expired-code.out" | head -1))" \
	grep -q '^EXPIRED token: provider said: expired_token' "$T_TMP/expired-code.out"
t_done
