#!/bin/bash
# SSSD 2.8's memory cache (libnss_sss.so.2 reading /var/lib/sss/mc) against
# the reference module and ours, in one run, on the same keys. SSSD is not
# installed: Debian's packages are downloaded and unpacked into bench/out,
# and run in a private mount namespace where overlays make /usr, /etc and
# /var/lib writable views (the host's files are never written). Its domain
# is the proxy provider over our own module (so both serve the same 100,000
# users), and the memory cache is warmed with lookups through the socket.
# A cold lookup costs SSSD's proxy path ~1.5 ms, so KEYS (default 20,000)
# users are warmed and measured, by name and by uid, for all three modules.
# Prints ns per lookup and ratios; asserts nothing. Needs root.
set -u
cd "$(dirname "$0")/.." || exit 1
if [ "$(id -u)" -ne 0 ]; then echo "bench_sssd: needs root (mount namespace)"; exit 0; fi
N=100000 M=10000 KEYS=${KEYS:-20000} ITER=${ITER:-1000000} ROUNDS=${ROUNDS:-3}
ROOT=$PWD/bench/out/sssd
PKGS="sssd-common sssd-proxy libnss-sss libbasicobjects0 libcollection4 libdhash1 libini-config5
libldb2 liblmdb0 libnl-3-200 libnl-route-3-200 libpath-utils1 libref-array1 libsss-certmap0
libsss-idmap0 libsss-nss-idmap0 libtalloc2 libtdb1 libtevent0 libpopt0 libnfsidmap1"

unpack() {
	[ -x "$ROOT/usr/sbin/sssd" ] && return 0
	local d
	d=$(mktemp -d /tmp/sbsssd.XXXXXX) && chmod 755 "$d" || return 1
	# a fresh machine may have no package lists yet
	# shellcheck disable=SC2086 # one word per package
	(cd "$d" && apt-get download $PKGS >/dev/null 2>&1) ||
		{ apt-get update -qq && (cd "$d" && apt-get download $PKGS >/dev/null 2>&1); } ||
		{ rm -rf "$d"; return 1; }
	rm -rf "$ROOT" && mkdir -p "$ROOT"
	for p in "$d"/*.deb; do dpkg-deb -x "$p" "$ROOT" || return 1; done
	# merged /usr: the client library ships in /lib
	cp -a "$ROOT/lib/." "$ROOT/usr/lib/" && rm -rf "$ROOT/lib" "$d"
}

if [ -z "${SB_IN_NS:-}" ]; then
	unpack || { echo "  SSSD: not measured (apt-get download of sssd 2.8 failed)"; exit 0; }
	exec unshare -m env SB_IN_NS=1 bash "$0" "$@"
fi
T=$(mktemp -d /tmp/sbsssd.XXXXXX)
mount --make-rprivate /
cleanup() {
	[ -n "${SSSD_PID:-}" ] && kill "$SSSD_PID" 2>/dev/null && wait "$SSSD_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
mkdir -p "$T/e.up" "$T/e.work" "$T/v.up" "$T/v.work"
cp nss_module/libnss_scim.so.2 "$ROOT/usr/lib/x86_64-linux-gnu/" || exit 1
mount -t overlay overlay -o "lowerdir=$ROOT/usr:/usr" /usr &&
	mount -t overlay overlay -o "lowerdir=/etc,upperdir=$T/e.up,workdir=$T/e.work" /etc &&
	mount -t overlay overlay -o "lowerdir=/var/lib,upperdir=$T/v.up,workdir=$T/v.work" /var/lib &&
	mount -t tmpfs tmpfs /run && mkdir -p /var/lib/sss && mount -t tmpfs tmpfs /var/lib/sss ||
	{ echo "  SSSD: not measured (overlay mounts failed)"; exit 0; }
mkdir -p /var/lib/sss/db /var/lib/sss/mc /var/lib/sss/pipes/private /var/lib/sss/pubconf \
	/run/sssd /etc/sssd/conf.d /etc/scimbridge
tests/bin/mkcache "$T/cache" $N $M || exit 1
printf 'cache_path = %s\nsocket_path = %s/none\n' "$T/cache" "$T" >/etc/scimbridge/scimbridge.conf
cat >/etc/sssd/sssd.conf <<'EOF'
[sssd]
services = nss
domains = scim
[nss]
memcache_timeout = 36000
memcache_size_passwd = 64
[domain/scim]
id_provider = proxy
proxy_lib_name = scim
auth_provider = none
access_provider = permit
chpass_provider = none
entry_cache_timeout = 36000
EOF
chmod 600 /etc/sssd/sssd.conf
/usr/sbin/sssd -i --logger=stderr -d 1 >"$T/sssd.log" 2>&1 &
SSSD_PID=$!
for _ in $(seq 60); do [ -S /var/lib/sss/pipes/nss ] && break; sleep 1; done
for m in ref scim sss; do printf 'passwd: %s\ngroup: %s\n' $m $m >"$T/nss.$m"; done
use() { cp "$T/nss.$1" /etc/nsswitch.conf; }
use sss
if ! getent passwd u000001 >/dev/null; then
	echo "  SSSD: not measured (sssd did not answer; its log:)"
	tail -5 "$T/sssd.log" | sed 's/^/    /'
	exit 0
fi
t0=$(date +%s)
for s in $(seq 1 500 "$KEYS"); do
	e=$((s + 499 > KEYS ? KEYS : s + 499))
	getent passwd $(seq -f 'u%06g' "$s" "$e") >/dev/null
	getent passwd $(seq $((200000 + s)) $((200000 + e))) >/dev/null
done
warm=$(($(date +%s) - t0))
export LD_LIBRARY_PATH=$PWD/nss_module:$PWD/bench/bin
B=bench/bin/nssbench
"$B" pwnam "$KEYS" 1000 | grep -q '1000/1000 found' || { echo "  SSSD: lookups fail"; exit 0; }
ns() { "$B" "$@" | awk '{print $2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }'; }
r_nam="" r_uid="" s_nam="" s_uid="" q_nam="" q_uid=""
for _ in $(seq "$ROUNDS"); do
	use ref
	r_nam=$(min "$r_nam" "$(ns pwnam "$KEYS" "$ITER")")
	r_uid=$(min "$r_uid" "$(ns pwuid "$KEYS" "$ITER")")
	use sss
	q_nam=$(min "$q_nam" "$(ns pwnam "$KEYS" "$ITER")")
	q_uid=$(min "$q_uid" "$(ns pwuid "$KEYS" "$ITER")")
	use scim
	s_nam=$(min "$s_nam" "$(ns pwnam "$KEYS" "$ITER")")
	s_uid=$(min "$s_uid" "$(ns pwuid "$KEYS" "$ITER")")
done
echo "SSSD 2.8 memory cache vs scim, $KEYS keys of $N users (best of $ROUNDS rounds; $ITER iterations per sample)"
printf '  %-34s %8s ns\n' "reference getpwnam_r" "$r_nam"
printf '  %-34s %8s ns   %sx reference\n' "sssd (memory cache) getpwnam_r" "$q_nam" "$(ratio "$q_nam" "$r_nam")"
printf '  %-34s %8s ns   %sx reference\n' "scim getpwnam_r" "$s_nam" "$(ratio "$s_nam" "$r_nam")"
printf '  %-34s %8s ns\n' "reference getpwuid_r" "$r_uid"
printf '  %-34s %8s ns   %sx reference\n' "sssd (memory cache) getpwuid_r" "$q_uid" "$(ratio "$q_uid" "$r_uid")"
printf '  %-34s %8s ns   %sx reference\n' "scim getpwuid_r" "$s_uid" "$(ratio "$s_uid" "$r_uid")"
echo "  (warming SSSD's cache with $((2 * KEYS)) lookups through its socket took ${warm} s;"
echo "   getgrouplist through SSSD's proxy provider costs ~0.3 s a user to warm: not measured)"
