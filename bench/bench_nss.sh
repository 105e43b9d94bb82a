#!/bin/bash
# NSS lookup cost through glibc's real dispatch, 100,000 users / 10,000
# groups, in one run: our module vs a reference module that answers from
# arithmetic (glibc's own dispatch cost) and vs nss_files on the same users.
# Prints ns per lookup and ratios; asserts nothing. Needs root (a private
# mount namespace for the nsswitch.conf of each run).
set -u
cd "$(dirname "$0")/.." || exit 1
if [ "$(id -u)" -ne 0 ]; then echo "bench_nss: needs root (mount namespace)"; exit 0; fi
if [ -z "${SB_IN_NS:-}" ]; then exec unshare -m env SB_IN_NS=1 bash "$0" "$@"; fi
N=100000 M=10000 ITER=${ITER:-2000000}
T=$(mktemp -d /tmp/sbbench.XXXXXX)
cleanup() { while umount /etc/nsswitch.conf 2>/dev/null; do :; done; rm -rf "$T"; }
trap cleanup EXIT
tests/bin/mkcache -p "$T/passwd" -g "$T/group" "$T/cache" $N $M || exit 1
printf 'cache_path = %s\nsocket_path = %s/none\n' "$T/cache" "$T" >"$T/conf"
export SCIMBRIDGE_CONF=$T/conf LD_LIBRARY_PATH=$PWD/nss_module:$PWD/bench/bin
B=bench/bin/nssbench

use() { printf 'passwd: %s\ngroup: %s\nhosts: files\n' "$1" "$1" >"$T/nss.$1"; mount --bind "$T/nss.$1" /etc/nsswitch.conf; }
ns() { "$B" "$@" | awk '{print $2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

use ref
ref_nam=$(ns pwnam $N $ITER); ref_uid=$(ns pwuid $N $ITER); ref_grp=$(ns grouplist $N $ITER)
use scim
"$B" pwnam $N 1000 | grep -q '1000/1000 found' || { echo "bench_nss: scim lookups fail"; exit 1; }
s_nam=$(ns pwnam $N $ITER); s_uid=$(ns pwuid $N $ITER); s_grp=$(ns grouplist $N $((ITER / 4)))
s_miss=$(ns miss $N $ITER)
# a second reference sample, so drift on a shared machine shows up
use ref
ref_nam2=$(ns pwnam $N $ITER)
mount --bind "$T/passwd" /etc/passwd
mount --bind "$T/group" /etc/group
use files
f_nam=$(ns pwnam $N 300)

echo "NSS lookups, $N users / $M groups, random keys, glibc dispatch ($ITER iterations)"
printf '  %-34s %8s ns   %s\n' "reference getpwnam_r" "$ref_nam" "(second sample: $ref_nam2 ns)"
printf '  %-34s %8s ns   %sx reference\n' "scim getpwnam_r" "$s_nam" "$(ratio "$s_nam" "$ref_nam")"
printf '  %-34s %8s ns   %sx reference\n' "scim getpwuid_r" "$s_uid" "$(ratio "$s_uid" "$ref_uid")"
printf '  %-34s %8s ns   %sx reference getpwnam_r\n' "scim getgrouplist (~10 groups)" "$s_grp" "$(ratio "$s_grp" "$ref_nam")"
printf '  %-34s %8s ns   (reference getgrouplist: %s ns)\n' "scim miss (no daemon)" "$s_miss" "$ref_grp"
printf '  %-34s %8s ns   scim is %sx faster\n' "nss_files getpwnam_r (100k lines)" "$f_nam" "$(ratio "$f_nam" "$s_nam")"
umount /etc/passwd /etc/group
# glibc itself stats /etc/nsswitch.conf on every call and retries nscd's
# socket every 100 lookups; what a module adds is the difference.
calls() { use "$1"; strace -c -f -o "$T/strace.$1" "$B" pwnam $N 100000 >/dev/null
	awk '$NF == "total" { print $(NF-2) }' "$T/strace.$1"; }
sc_ref=$(calls ref); sc_scim=$(calls scim)
echo "  syscalls for 100,000 hits (strace -c): reference module $sc_ref, scim $sc_scim;"
echo "  the difference ($((sc_scim - sc_ref))) is the module's one-time setup (config, open, mmap):"
diff <(awk 'NR > 2 && NF >= 5 && $NF != "total" { print $NF, $4 }' "$T/strace.ref" | sort) \
	<(awk 'NR > 2 && NF >= 5 && $NF != "total" { print $NF, $4 }' "$T/strace.scim" | sort) |
	grep '^[<>]' | sed 's/^</    ref: /; s/^>/    scim:/' | head -20
cache=$(stat -c %s "$T/cache"); text=$(($(stat -c %s "$T/passwd") + $(stat -c %s "$T/group")))
echo "  cache file $cache bytes vs passwd+group text $text bytes: $(ratio "$cache" "$text")x"
echo "  not measured: SSSD's memory cache and libnss-cache (neither set up here yet)"
