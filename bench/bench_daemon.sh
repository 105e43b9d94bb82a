#!/bin/bash
# The daemon's memory on the large data set (100,000 users, 10,000 groups,
# page_size 1000): resident (VmRSS) and peak (VmHWM) after its first full
# sync and after a second one asked for with SIGHUP. Between syncs it keeps
# the tenant's users and groups as read, for incremental syncs and miss
# lookups. Prints figures; asserts none.
. "$(dirname "$0")/../tests/lib/testlib.sh"
T_ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$T_ROOT/tests/lib/tenant.sh"
. "$T_ROOT/tests/lib/daemon.sh"
DATASET=${BENCH_DATASET:-large}
t_tmpdir
tenant_start --dataset "$DATASET" || { echo "bench_daemon: tenant did not start"; exit 1; }
C=$T_TMP/c.conf
tenant_conf "$C" workspace-one "refresh_interval = 3600"
sed -i '/^\(cache_path\|page_size\)[[:space:]]*=/d' "$C"
printf 'cache_path = %s/cache\npage_size = 1000\n' "$T_TMP" >>"$C"

daemon_start "$C"
P=$DPID
# after_sync N: waits (5 minutes at most) for the daemon's Nth finished sync
after_sync() { t_wait_log "$T_TMP/daemon.log" 'info: sync: |sync failed' "$1" 300 "$P"; }
mem() {
	awk '/^VmRSS/ { r = $2 } /^VmHWM/ { h = $2 }
		END { printf "%.1f MB resident, peak so far %.1f MB", r / 1024, h / 1024 }' "/proc/$P/status"
}

echo "== bench_daemon ($DATASET data set, page_size 1000)"
after_sync 1 || { echo "bench_daemon: no first sync"; cat "$T_TMP/daemon.log"; exit 1; }
sleep 1
printf '%-28s %s\n' "after the first full sync:" "$(mem)"
kill -HUP "$P"
after_sync 2 || { echo "bench_daemon: no second sync"; cat "$T_TMP/daemon.log"; exit 1; }
sleep 1
printf '%-28s %s\n' "after a second full sync:" "$(mem)"
grep -E 'sync: |sync failed' "$T_TMP/daemon.log" | sed 's/^/  /'
kill "$P"
wait "$P" 2>/dev/null
exit 0
