#!/bin/bash
# Issue 14, "readers trust the cache's owner": with a state directory others
# can write, nobody renames a cache of their own over the real one. Every
# reader must refuse it (NSS UNAVAIL, the CLI says why), and must refuse the
# real cache too while its directory is writable. A plain process of
# nobody's may read a cache nobody owns (the test harness and the demo run
# that way); a setuid-root program run by nobody may not: it reads the
# default config, bind-mounted here (in a private mount namespace) to point
# at nobody's cache.
. "$(dirname "$0")/../lib/e2e.sh"
e2e_enter e2e/attack_forged_cache "$@"
e2e_setup
SUCCESS=1 UNAVAIL=-1
chmod 755 "$T_TMP"
# What nobody runs is copied out of the checkout (which may sit under /root).
mkdir -m 755 "$T_TMP/lib"
cp nss_module/libnss_scim.so.2 "$T_TMP/lib/"
cp tests/bin/nssprobe "$T_TMP/probe"
cp tests/bin/nssprobe "$T_TMP/suidprobe"
cp tests/bin/mkcache "$T_TMP/mkcache"
chmod 4755 "$T_TMP/suidprobe"
SO=$T_TMP/lib/libnss_scim.so.2
conf() { printf 'url = https://127.0.0.1:9\ncache_path = %s\nsocket_path = %s/no.sock\n' "$1" "$T_TMP" >"$2"; chmod 644 "$2"; }
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }

S=$T_TMP/state
mkdir -m 755 "$S"
tests/bin/mkcache "$S/cache" 20 5 >/dev/null || exit 1
conf "$S/cache" "$T_TMP/root.conf"
export SCIMBRIDGE_CONF=$T_TMP/root.conf
r=$("$T_TMP/probe" "$SO" pwnam u000007)
t_check "root's cache in a 0755 directory: served ($r)" grep -q "^status=$SUCCESS " <<<"$r"

chmod 777 "$S" # the mistake: a state directory anyone can write
r=$("$T_TMP/probe" "$SO" pwnam u000007)
t_check "the same cache once its directory is 0777: UNAVAIL ($r)" grep -q "^status=$UNAVAIL " <<<"$r"
out=$("$SB" -c "$T_TMP/root.conf" lookup u000007 2>&1)
t_check "… and the CLI says why ($out)" grep -q 'its directory is writable by group or others' <<<"$out"

as_nobody "$T_TMP/mkcache" "$S/forged" 20 5 >/dev/null && as_nobody mv "$S/forged" "$S/cache"
t_eq "nobody renamed a cache of their own over root's" 65534 "$(stat -c %u "$S/cache")"
chmod 755 "$S"
r=$("$T_TMP/probe" "$SO" pwnam u000007)
t_check "nobody's cache, read by root: UNAVAIL even with the directory fixed ($r)" grep -q "^status=$UNAVAIL " <<<"$r"
out=$("$SB" -c "$T_TMP/root.conf" lookup u000007 2>&1)
t_check "… and the CLI says why ($out)" grep -q 'owned by another user than root' <<<"$out"

# nobody's own cache in nobody's own directory.
N=$T_TMP/nobody
mkdir -m 755 "$N"
chown nobody "$N"
as_nobody "$T_TMP/mkcache" "$N/cache" 20 5 >/dev/null
conf "$N/cache" "$T_TMP/nobody.conf"
r=$(SCIMBRIDGE_CONF=$T_TMP/nobody.conf as_nobody "$T_TMP/probe" "$SO" pwnam u000007)
t_check "a plain process of nobody's reads nobody's own cache ($r)" grep -q "^status=$SUCCESS " <<<"$r"
# The setuid program reads /etc/scimbridge/scimbridge.conf: a copy of /etc
# with that file, in this mount namespace only.
cp -a /etc "$T_TMP/etc"
mkdir -p "$T_TMP/etc/scimbridge"
cp "$T_TMP/nobody.conf" "$T_TMP/etc/scimbridge/scimbridge.conf"
mount --bind "$T_TMP/etc" /etc
r=$(env -u SCIMBRIDGE_CONF setpriv --reuid=nobody --regid=nogroup --clear-groups "$T_TMP/suidprobe" "$SO" pwnam u000007)
t_check "a setuid-root program run by nobody refuses nobody's cache ($r)" grep -q "^status=$UNAVAIL " <<<"$r"
r=$(env -u SCIMBRIDGE_CONF setpriv --reuid=nobody --regid=nogroup --clear-groups "$T_TMP/probe" "$SO" pwnam u000007)
t_check "… while the same program, not setuid, reads it through the same config ($r)" grep -q "^status=$SUCCESS " <<<"$r"
umount /etc
t_done
