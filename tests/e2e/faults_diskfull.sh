#!/bin/bash
# Issue #6: the disk fills up under the cache. In a private mount namespace
# (the host is untouched) cache_path sits on a tiny tmpfs; after a good
# sync the tmpfs is filled to the last byte and the next sync must fail
# with a message that names ENOSPC and the path, leaving the old cache
# whole and no temp file behind. The same for a full sync of the daemon,
# which must go on running and serve the changes once there is space.
if [ "$(id -u)" -ne 0 ]; then
	. "$(dirname "$0")/../lib/testlib.sh"; t_skip "needs root"; t_done; exit 0
fi
if [ -z "${SB_IN_NS:-}" ]; then
	exec unshare -m --propagation private env SB_IN_NS=1 bash "$0" "$@"
fi
. "$(dirname "$0")/../lib/testlib.sh"
. "$T_ROOT/tests/lib/tenant.sh"
. "$T_ROOT/tests/lib/daemon.sh"
tenant_setup --dataset small
FS=$T_TMP/fs
mkdir -p "$FS"
mount -t tmpfs -o size=512k,mode=0755 scimtest "$FS" || { t_fail "mount tmpfs"; t_done; exit 1; }
T_CLEANUP_HOOK="umount '$FS' 2>/dev/null; ${T_CLEANUP_HOOK:-:}"
C=$T_TMP/c.conf
tenant_conf "$C" workspace-one
conf_set "$C" cache_path "$FS/cache"

"$SB" -c "$C" sync >/dev/null 2>&1
t_eq "good sync onto the tmpfs" 0 "$?"
cp "$FS/cache" "$T_TMP/saved"
okta set-attr alice displayName "Alice After The Disk Filled" >/dev/null 2>&1

# Fill every block, then the last few bytes.
dd if=/dev/zero of="$FS/fill" bs=4k >/dev/null 2>&1
head -c 4096 /dev/zero >"$FS/fill2" 2>/dev/null
t_check "tmpfs is full" test "$(df --output=avail -B1 "$FS" | tail -1 | tr -d ' ')" -lt 4096

out=$("$SB" -c "$C" sync 2>&1); rc=$?
echo "$out"
t_eq "sync on a full disk fails (exit 1)" 1 "$rc"
t_check "message names ENOSPC" grep -qiE 'no space left|ENOSPC' <<<"$out"
t_check "message names the path" grep -qF "$FS" <<<"$out"
t_check "old cache byte-identical" cmp -s "$FS/cache" "$T_TMP/saved"
t_check "old cache still answers" "$SB" -c "$C" lookup alice
t_eq "no temp file left on the full disk" "" "$(ls "$FS" | grep -vxE 'cache|cache.status|fill|fill2')"

# Space again: the next sync succeeds and serves the new name.
rm -f "$FS/fill" "$FS/fill2"
"$SB" -c "$C" sync >/dev/null 2>&1
t_eq "sync after space is freed" 0 "$?"
t_check "new data served" sh -c "'$SB' -c '$C' lookup alice | grep -q 'Alice After The Disk Filled'"

# The daemon: a full sync that cannot write keeps the last good cache and
# says why; the first one after space is freed serves what changed.
L=$T_TMP/daemon.log
daemon_start "$C" "$L"
t_check "daemon: first full sync" t_wait_log "$L" 'info: sync: ' 1 10
cp "$FS/cache" "$T_TMP/saved2"
okta set-attr bob displayName "Bob While The Disk Was Full" >/dev/null 2>&1
dd if=/dev/zero of="$FS/fill" bs=4k >/dev/null 2>&1
head -c 4096 /dev/zero >"$FS/fill2" 2>/dev/null
kill -HUP "$DPID"
t_check "daemon: a full sync on a full disk fails and names ENOSPC" \
	t_wait_log "$L" 'sync failed, keeping the last good cache: .*(no space left|ENOSPC)' 1 10
t_check "daemon: old cache byte-identical" cmp -s "$FS/cache" "$T_TMP/saved2"
t_check "daemon: still running" kill -0 "$DPID"
rm -f "$FS/fill" "$FS/fill2"
kill -HUP "$DPID"
t_check "daemon: the next full sync succeeds" t_wait_log "$L" 'info: sync: ' 2 10
t_check "daemon: … and serves what changed meanwhile" \
	sh -c "'$SB' -c '$C' lookup bob | grep -q 'Bob While The Disk Was Full'"
kill "$DPID"; wait "$DPID" 2>/dev/null
t_done
