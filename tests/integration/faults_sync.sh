#!/bin/bash
# Issue #6, the fault matrix at the sync level. For each fault: a good sync,
# a copy of the cache, the fault injected into the tenant, `scimbridge sync`
# with small pages (so the fault lands in the middle of a paged read), then
# the exit status (failure, or success when the fault is one the client
# must ride out), a message that names the problem, and — after every
# failure — the cache byte-identical to the copy. Then kill -9 at random
# points and two syncs at once: the cache is always whole.
. "$(dirname "$0")/../lib/testlib.sh"
. "$T_ROOT/tests/lib/tenant.sh"
tenant_setup --dataset small
C=$T_TMP/c.conf
tenant_conf "$C" workspace-one
CACHE=$T_TMP/cache
conf_set "$C" cache_path "$CACHE"
conf_set "$C" page_size 2
conf_set "$C" timeout 2
USERS=/SAAS/jersey/manager/api/scim/Users
GROUPS=/SAAS/jersey/manager/api/scim/Groups

good_sync() {
	tenant_reset_faults
	"$SB" -c "$C" sync >/dev/null 2>&1 && cp "$CACHE" "$T_TMP/saved"
}

# expect NAME ok|fail REGEX [CONF]: runs sync (after the caller injected the
# fault) and checks exit status, message, and the cache after a failure.
expect() {
	local name=$1 want=$2 re=$3 conf=${4:-$C} out rc t0 t1
	t0=$(date +%s)
	out=$("$SB" -c "$conf" sync 2>&1); rc=$?
	t1=$(date +%s)
	echo "--- $name (exit $rc, $((t1 - t0)) s)"; echo "$out" | tail -5
	tenant_reset_faults
	if [ "$want" = ok ]; then
		t_eq "$name: sync recovers (exit 0)" 0 "$rc"
		t_check "$name: cache still valid" "$SB" -c "$C" lookup alice >/dev/null
	else
		t_eq "$name: sync fails (exit 1)" 1 "$rc"
		t_check "$name: cache byte-identical to the copy" cmp -s "$CACHE" "$T_TMP/saved"
	fi
	[ -n "$re" ] && t_check "$name: message matches /$re/" grep -qiE "$re" <<<"$out"
	return 0
}

good_sync || { t_fail "initial good sync"; t_done; exit 1; }
t_ok "initial good sync"

# One 500 on the third Users page is retried; a 500 that persists is not.
good_sync; tenant_fault '{"match":"/scim/Users","kind":"500","after":2,"times":1}'
expect "one 500 on page 3" ok '[1-9][0-9]* retries'
good_sync; tenant_fault '{"match":"/scim/Users","kind":"500","after":2,"times":100}'
expect "500 on page 3 of 5, persistent" fail '500'
good_sync; tenant_fault '{"match":"/scim/Groups","kind":"500","after":1,"times":100}'
expect "500 on Groups page 2" fail '500'
good_sync; tenant_fault '{"match":"/scim/Users","kind":"429","after":1,"times":1,"retry_after":1}'
expect "429 with Retry-After" ok '[1-9][0-9]* retries'
good_sync; tenant_fault '{"match":"/scim/Users","kind":"stall","after":1,"times":100,"delay_ms":30000}'
expect "stalled connection (timeout = 2)" fail 'tim(ed)? ?out'
good_sync; tenant_fault '{"match":"/scim/Users","kind":"truncate","after":1,"times":100}'
expect "truncated body" fail 'json|protocol'
good_sync; tenant_fault '{"match":"/scim/Users","kind":"malformed","after":1,"times":100}'
expect "malformed JSON" fail 'json|protocol'
good_sync; tenant_fault '{"match":"/scim/Users","kind":"wrong-types","after":1,"times":100}'
expect "wrong JSON types" fail 'protocol|type'
good_sync; tenant_fault '{"match":"/scim/Groups","kind":"wrong-types","times":100}'
expect "wrong JSON types in Groups" fail 'protocol|type'
good_sync; tenant_fault '{"match":"/scim/Users","kind":"duplicate-ids","after":1,"times":100}'
expect "duplicate ids on a page" fail 'duplicate'
good_sync; tenant_fault '{"match":"/scim/Users","kind":"total-more","times":100}'
expect "totalResults larger than the truth" fail 'total'
good_sync; tenant_fault '{"match":"/scim/Users","kind":"total-less","times":100}'
expect "totalResults smaller than the truth" ok 'more than the tenant.s totalResults said'
good_sync; tenant_fault '{"match":"/scim/Users","kind":"close","after":1,"times":100}'
expect "connection dropped" fail 'network'
good_sync; tenant_fault '{"match":"/scim/Users","kind":"expire-token","after":2,"times":1}'
expect "token expiring mid-sync" ok '[2-9] token'

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T_TMP/o.key" -out "$T_TMP/o.pem" \
	-days 1 -subj "/CN=Other CA" >/dev/null 2>&1
B=$T_TMP/badca.conf; cp "$C" "$B"; conf_set "$B" ca_file "$T_TMP/o.pem"
good_sync; expect "unknown CA" fail 'certificate|SSL|TLS' "$B"
D=$T_TMP/dns.conf; cp "$C" "$D"; conf_set "$D" url "https://tenant.invalid"
good_sync; expect "DNS failure" fail 'resolve' "$D"

# kill -9 at random points of a slowed-down sync: afterwards the cache is
# the old one (byte-identical) or the new one (carol's new name) — never
# missing, never unreadable.
good_sync
killed=0
for i in $(seq 1 10); do
	okta set-attr carol displayName "Carol round $i" >/dev/null 2>&1
	tenant_fault '{"match":"/scim/","kind":"stall","times":1000,"delay_ms":60}'
	"$SB" -c "$C" sync >/dev/null 2>&1 &
	pid=$!
	sleep "0.$((RANDOM % 9 + 1))$((RANDOM % 10))"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	[ $? -eq 137 ] && killed=$((killed + 1))
	tenant_reset_faults
	gecos=$("$SB" -c "$C" lookup carol 2>/dev/null | sed -n 's/^passwd: \([^:]*:\)\{4\}\([^:]*\):.*/\2/p')
	if cmp -s "$CACHE" "$T_TMP/saved"; then
		t_ok "kill -9 #$i: the old cache, byte-identical"
	elif [ "$gecos" = "Carol round $i" ] && "$SB" -c "$C" status >/dev/null 2>&1; then
		t_ok "kill -9 #$i: the new cache, whole"
	else
		t_fail "kill -9 #$i: cache neither the old nor a whole new one (carol: '$gecos')"
	fi
	cp "$CACHE" "$T_TMP/saved" 2>/dev/null
done
echo "syncs killed mid-flight: $killed of 10"
t_check "kill -9: at least one sync was killed mid-flight ($killed)" test "$killed" -ge 1
left=$(find "$T_TMP" -maxdepth 1 -name 'cache?*' ! -name cache.status | wc -l)
echo "temp files left by killed syncs: $left"

# Two syncs at once: both end, and the cache is valid afterwards.
tenant_fault '{"match":"/scim/","kind":"stall","times":1000,"delay_ms":30}'
"$SB" -c "$C" sync >"$T_TMP/s1" 2>&1 & p1=$!
"$SB" -c "$C" sync >"$T_TMP/s2" 2>&1 & p2=$!
( sleep 60; kill -9 $p1 $p2 2>/dev/null ) & watchdog=$!
wait $p1; r1=$?; wait $p2; r2=$?
kill $watchdog 2>/dev/null; wait $watchdog 2>/dev/null
tenant_reset_faults
echo "concurrent syncs exited $r1 and $r2"
t_check "two syncs at once: both end without being killed" test "$r1" -ne 137 -a "$r2" -ne 137
t_check "two syncs at once: at least one succeeds" test "$r1" -eq 0 -o "$r2" -eq 0
t_check "two syncs at once: cache valid" "$SB" -c "$C" lookup alice
t_done
