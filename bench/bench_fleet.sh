#!/bin/bash
# Issue 16's relay end to end on a 100,000-user / 10,000-group cache
# (mkcache), through a real nginx on a spare loopback port (plain http):
# publish generation 1 (the snapshot), a subscriber installs it; B = one user
# deactivated, publish generation 2 (a delta), the subscriber installs it;
# then one more poll (304). Prints sizes, bytes downloaded and times as
# measured; asserts only that the caches are byte-identical.
set -u
cd "$(dirname "$0")/.." || exit 1
N=${BENCH_FLEET_USERS:-100000} M=${BENCH_FLEET_GROUPS:-10000}
command -v nginx >/dev/null || { echo "bench_fleet: nginx not installed (skipped)"; exit 0; }
. tests/lib/relay.sh
T=$(mktemp -d /tmp/sbfleet.XXXXXX)
NGPID=""
trap '[ -n "$NGPID" ] && kill "$NGPID" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
chmod 755 "$T"
mkdir -p "$T/sub"
cli/scimbridge keygen -o "$T/key" >"$T/keygen" 2>/dev/null || exit 1
PK=$(sed -n 's/^relay_public_key = //p' "$T/keygen")
NG=$T/ng PUB=$T/pub PORT=$(spare_port)
relay_nginx_start --plain --connections 64 || { echo "bench_fleet: nginx did not start"; exit 1; }
printf 'role = publisher\nurl = https://unused.example.com\nbearer_token_file = /unused\npublish_dir = %s/pub\nsigning_key_file = %s/key\n' "$T" "$T" >"$T/pub.conf"
printf 'role = subscriber\nrelay_url = http://127.0.0.1:%s/\nrelay_public_key = %s\ncache_path = %s/sub/cache\nsocket_path = %s/sub/sock\ntimeout = 60\n' "$PORT" "$PK" "$T" "$T" >"$T/sub.conf"

tests/bin/mkcache "$T/A" "$N" "$M" >/dev/null || exit 1
tests/bin/mkcache -V inactive "$T/B" "$N" "$M" >/dev/null || exit 1
echo "-- $N users, $M groups: cache $(stat -c %s "$T/A") bytes"
echo "publish A:   $(tests/bin/relaypublish "$T/pub.conf" "$T/A")"
s=$(date +%s.%N)
out=$(cli/scimbridge -c "$T/sub.conf" sync 2>&1) || { echo "$out"; exit 1; }
echo "subscribe A: $(grep "^relay:" <<<"$out"); $(echo "$(date +%s.%N) - $s" | bc) s"
cmp -s "$T/A" "$T/sub/cache" || { echo "bench_fleet: the subscriber's cache is not A"; exit 1; }
echo "publish B:   $(tests/bin/relaypublish "$T/pub.conf" "$T/B")  (B = one user deactivated)"
s=$(date +%s.%N)
out=$(cli/scimbridge -c "$T/sub.conf" sync 2>&1) || { echo "$out"; exit 1; }
echo "subscribe B: $(grep "^relay:" <<<"$out"); $(echo "$(date +%s.%N) - $s" | bc) s"
cmp -s "$T/B" "$T/sub/cache" || { echo "bench_fleet: the subscriber's cache is not B"; exit 1; }
s=$(date +%s.%N)
out=$(cli/scimbridge -c "$T/sub.conf" sync 2>&1) || { echo "$out"; exit 1; }
echo "poll again:  $(grep "^relay:" <<<"$out"); $(echo "$(date +%s.%N) - $s" | bc) s"
echo "nginx access log:"
sed 's/^[^"]*"//' "$T/ng/access.log" | cut -d'"' -f1-2
