#!/bin/bash
# Issue 16's relay figures on a 100,000-user / 10,000-group cache (mkcache):
# the snapshot's size and its compress / hash / decompress times, and the
# delta a subscriber holding generation A downloads for B, where B differs
# from A by one renamed user (GECOS of another length), one deactivated user,
# or one added user; for each, which cache sections changed. Checks that the
# files are plain zstd (`zstd -d`, `zstd -d --patch-from`) and give B byte
# for byte; prints the figures and asserts no size or time (docs/relay.md).
set -u
cd "$(dirname "$0")/.." || exit 1
N=${BENCH_RELAY_USERS:-100000} M=${BENCH_RELAY_GROUPS:-10000}
LEVELS=${BENCH_RELAY_LEVELS:-12}
T=$(mktemp -d /tmp/sbrelay.XXXXXX)
trap 'rm -rf "$T"' EXIT
tests/bin/mkcache "$T/A" "$N" "$M" || exit 1
for change in gecos inactive add insert remove group; do
	tests/bin/mkcache -V "$change" "$T/$change" "$N" "$M" || exit 1
	echo "-- $N users, $M groups; B = A with one change: $change"
	# shellcheck disable=SC2086
	tests/bin/relaybench -o "$T" "$T/A" "$T/$change" $LEVELS || exit 1
	zstd -q -d --long=31 -c "$T/snapshot.zst" | cmp -s - "$T/$change" ||
		{ echo "bench_relay: zstd -d of the snapshot is not B"; exit 1; }
	zstd -q -d --long=31 --patch-from="$T/A" -c "$T/delta.zst" | cmp -s - "$T/$change" ||
		{ echo "bench_relay: zstd -d --patch-from of the delta is not B"; exit 1; }
	echo "zstd -d and zstd -d --patch-from=A give B byte for byte"
done
