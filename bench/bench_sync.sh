#!/bin/bash
# Issue #3's figures for one full `scimbridge sync` of the large data set
# with page_size 1000: client CPU (user+sys) and peak RSS, HTTP requests
# against pages + 1 token, TLS handshakes, and the cache size against the
# same users and groups as passwd+group text. Prints figures; asserts none.
. "$(dirname "$0")/../tests/lib/testlib.sh"
T_ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$T_ROOT/tests/lib/tenant.sh"
SB=$T_ROOT/cli/scimbridge
DATASET=${BENCH_DATASET:-large}
t_tmpdir
tenant_start --dataset "$DATASET" || { echo "bench_sync: tenant did not start"; exit 1; }
C=$T_TMP/c.conf
tenant_conf "$C" workspace-one
sed -i '/^\(cache_path\|page_size\|enumerate\)[[:space:]]*=/d' "$C"
printf 'cache_path = %s/cache\npage_size = 1000\nenumerate = yes\n' "$T_TMP" >>"$C"

stat_field() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" <<<"$2"; }
before=$(tenant_stats)
/usr/bin/time -f '%U %S %M %e' -o "$T_TMP/time" "$SB" -c "$C" sync >"$T_TMP/out" 2>&1
rc=$?
after=$(tenant_stats)
cat "$T_TMP/out"
[ "$rc" -eq 0 ] || { echo "bench_sync: sync failed (exit $rc)"; exit 1; }
read -r user sys rss wall <"$T_TMP/time"
users=$(sed -n 's/^users: .* \([0-9]*\) read$/\1/p' "$T_TMP/out")
groups=$(sed -n 's/^groups: .* \([0-9]*\) read$/\1/p' "$T_TMP/out")
pages=$(( (users + 999) / 1000 + (groups + 999) / 1000 ))
for k in requests token_requests tls_handshakes; do
	eval "d_$k=\$(( \$(stat_field $k \"\$after\") - \$(stat_field $k \"\$before\") ))"
done
cache_size=$(stat -c %s "$T_TMP/cache")
# The same entries as passwd+group text, through the NSS module.
nssw() {
	LD_PRELOAD=libnss_wrapper.so NSS_WRAPPER_PASSWD=$T_TMP/empty NSS_WRAPPER_GROUP=$T_TMP/empty \
		NSS_WRAPPER_MODULE_SO_PATH=$T_ROOT/nss_module/libnss_scim.so.2 \
		NSS_WRAPPER_MODULE_FN_PREFIX=scim SCIMBRIDGE_CONF=$C getent "$@"
}
: >"$T_TMP/empty"
text_size=$( { nssw passwd; nssw group; } 2>/dev/null | wc -c)

echo "== bench_sync ($DATASET data set: $users users, $groups groups, page_size 1000)"
printf '%-28s %s s wall, %s s user + %s s sys CPU\n' "sync time:" "$wall" "$user" "$sys"
printf '%-28s %s MB\n' "peak RSS:" "$(awk "BEGIN{printf \"%.1f\", $rss/1024}")"
printf '%-28s %s (pages %s + 1 token = %s; the client also reads one page past a full\n%-28s last page of each list, to catch a totalResults smaller than the truth)\n' \
	"HTTP requests:" "$d_requests" "$pages" "$((pages + 1))" ""
printf '%-28s %s\n' "retries:" "$(sed -n 's/.* \([0-9]*\) retries.*/\1/p' "$T_TMP/out")"
printf '%-28s %s\n' "token requests:" "$d_token_requests"
printf '%-28s %s\n' "TLS handshakes:" "$d_tls_handshakes"
printf '%-28s %s bytes\n' "cache file:" "$cache_size"
printf '%-28s %s bytes (getent passwd + group through the module)\n' "passwd+group text:" "$text_size"
