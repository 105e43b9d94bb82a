#!/bin/bash
# The SCIM client alone (tests/bin/scimprobe) against the local tenant, both
# dialects: complete listings over several pages, one TLS handshake per
# listing, and every fault the tenant can inject — each either recovered
# from (500 once, 429, expired token) or failing with a message that names
# the cause and returning nothing (no partial listing).
# SCIMPROBE selects the probe binary (e.g. build/asan/tests/bin/scimprobe).
. "$(dirname "$0")/../lib/testlib.sh"
. "$T_ROOT/tests/lib/tenant.sh"
P=${SCIMPROBE:-$T_ROOT/tests/bin/scimprobe}
[ -x "$P" ] || { t_fail "tests/bin/scimprobe missing (make tests)"; t_done; exit 1; }
tenant_setup --dataset 25
W=$T_TMP/ws1.conf
S=$T_TMP/scim2.conf
tenant_conf "$W" workspace-one "page_size = 10" "timeout = 2"
tenant_conf "$S" scim2 "page_size = 10" "timeout = 2"
U=/scim/Users

# probe NAME CONF ARGS...: output in $out, exit status in $rc.
probe() {
	local n=$1
	shift
	out=$("$P" -c "$@" 2>&1)
	rc=$?
	printf -- '--- %s\n%s\n' "$n" "$out" | grep -v '^user \|^group ' >&2
}
field() { sed -n "s/^$1 .*$2 \([0-9.]*\).*/\1/p" <<<"$out" | head -1; }
fails_clean() { # NAME PATTERN: failed, the message matches, nothing listed
	t_eq "$1: exit 1" 1 "$rc"
	t_check "$1: message matches '$2'" grep -qiE "^error .*$2" <<<"$out"
	t_check "$1: nothing listed" bash -c '! grep -q "^user " <<<"$1"' _ "$out"
}

for d in ws1 scim2; do
	c=$W
	[ $d = scim2 ] && c=$S
	probe "$d users" "$c" users
	t_eq "$d: listing exits 0" 0 "$rc"
	t_eq "$d: 25 users over 3 pages" "users 25" "$(grep '^users' <<<"$out" | cut -d' ' -f1-2)"
	t_eq "$d: 25 distinct ids" 25 "$(grep '^user ' <<<"$out" | cut -d' ' -f2 | sort -u | wc -l)"
	t_eq "$d: one connection for token + pages" 1 "$(field stats connects)"
	probe "$d groups" "$c" groups
	t_eq "$d: groups listing" "groups 2" "$(grep '^groups' <<<"$out")"
done

tenant_reset_stats
probe handshake "$W" users
t_eq "one TLS handshake for a multi-page listing" 1 \
	"$(tenant_stats | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).tls_handshakes))')"

id=$(grep '^user ' <<<"$out" | head -1 | cut -d' ' -f2)
probe get "$W" get "$id"
t_check "get by id" grep -q "^user $id " <<<"$out"
probe get-missing "$W" get 00000000-0000-0000-0000-000000000000
t_check "get of a missing id: NOTFOUND" grep -q '^error not-found (HTTP 404)' <<<"$out"

tenant_fault '{"match":"'$U'","kind":"500","times":1}'
probe 500-once "$W" users
t_eq "500 once: retried, success" 0 "$rc"
t_eq "500 once: one retry" 1 "$(field stats retries)"
tenant_reset_faults

tenant_fault '{"match":"'$U'","kind":"500","times":100}'
probe 500-always "$W" users
fails_clean "500 always" "GET https://[^ ]*/Users\?startIndex=1&count=10: HTTP 500"
tenant_reset_faults

tenant_fault '{"match":"'$U'","kind":"429","times":1,"retry_after":1}'
probe 429 "$W" users
t_eq "429 Retry-After 1: success" 0 "$rc"
t_check "429 Retry-After 1: waited >= 1 s" awk -v e="$(sed -n 's/^elapsed //p' <<<"$out")" 'BEGIN{exit !(e>=1)}'
tenant_reset_faults

tenant_fault '{"match":"'$U'","kind":"429","times":1,"retry_after":3600}'
probe 429-long "$W" users
fails_clean "429 Retry-After 3600" "HTTP 429: .*Retry-After: 3600 s"
t_check "429 Retry-After 3600: no wait" awk -v e="$(sed -n 's/^elapsed //p' <<<"$out")" 'BEGIN{exit !(e<1)}'
tenant_reset_faults

tenant_fault '{"match":"'$U'","kind":"stall","times":100,"delay_ms":30000}'
probe stall "$W" users
fails_clean "stall" "tim(ed|e)[ -]?out"
t_check "stall: gave up within the budget (3 x timeout = 6 s)" \
	awk -v e="$(sed -n 's/^elapsed //p' <<<"$out")" 'BEGIN{exit !(e<6.5)}'
tenant_reset_faults

tenant_fault '{"match":"'$U'","kind":"close","times":1}'
probe close-once "$W" users
t_eq "connection dropped once: retried, success" 0 "$rc"
tenant_reset_faults

for k in truncate malformed wrong-types duplicate-ids total-more total-less; do
	tenant_fault '{"match":"'$U'","kind":"'$k'","after":1,"times":100}'
	probe "$k" "$W" users
	fails_clean "$k on page 2" "Users"
	tenant_reset_faults
done

tenant_fault '{"match":"'$U'","kind":"expire-token","after":1,"times":1}'
probe expire-token "$W" users
t_eq "token expired mid-listing: success" 0 "$rc"
t_eq "token expired mid-listing: one renewal" 2 "$(field stats token_requests)"
t_check "token expired mid-listing: all 25 users" grep -q '^users 25 ' <<<"$out"
tenant_reset_faults

tenant_fault '{"match":"'$U'","kind":"expire-token","times":100}'
probe expire-always "$W" users
fails_clean "401 after the renewal" "HTTP 401"
tenant_reset_faults

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T_TMP/o.key" -out "$T_TMP/o.pem" \
	-days 1 -subj "/CN=Other CA" >/dev/null 2>&1
B=$T_TMP/badca.conf
tenant_conf "$B" workspace-one "timeout = 2"
sed -i "s|^ca_file = .*|ca_file = $T_TMP/o.pem|" "$B"
probe unknown-ca "$B" users
fails_clean "unknown CA" "curl: SSL certificate problem"
t_eq "unknown CA: not retried" 0 "$(field stats retries)"

N=$T_TMP/dns.conf
tenant_conf "$N" workspace-one "timeout = 2"
sed -i "s|^url = .*|url = https://nonexistent.invalid|" "$N"
probe dns "$N" users
fails_clean "DNS failure" "nonexistent.invalid.*resolve"

printf 'not-the-secret\n' >"$T_TMP/wrong"
chmod 600 "$T_TMP/wrong"
X=$T_TMP/wrong.conf
tenant_conf "$X" workspace-one
sed -i "s|^client_secret_file = .*|client_secret_file = $T_TMP/wrong|" "$X"
probe wrong-secret "$X" users
fails_clean "wrong secret" "oauthtoken\\?grant_type=client_credentials: HTTP 401: invalid client credentials .*client_secret_file"
t_check "wrong secret: the secret is not in the output" bash -c '! grep -qF "$(cat "$1")" <<<"$2"' _ "$TENANT_SECRET_FILE" "$out"

t_done
