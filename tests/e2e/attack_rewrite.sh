#!/bin/bash
# Issue 14, "any user can make the daemon rewrite the whole cache at will":
# nobody asks the daemon, over its socket from 16 connections, for names the
# cache cannot hold — case variants of existing users (the tenant matches
# userName case-insensitively), users of another domain, reserved names —
# for a bounded time. The cache must not be rewritten once (its generation,
# from `scimbridge status`, and its inode stay), root's account check of a
# user Okta has just deactivated must stay right and answered within
# timeout + 0.5 s all along, and a real change (a new tenant user) must
# still cost exactly one write. Prints the daemon's VmRSS before and after.
. "$(dirname "$0")/../lib/e2e.sh"
e2e_enter e2e/attack_rewrite "$@"
e2e_setup
USERS=${ATTACK_USERS:-5000}
SECONDS_ATTACK=${ATTACK_SECONDS:-8}
TIMEOUT=3

tenant_start --dataset "$USERS" || exit 1
chmod 755 "$T_TMP"
C=$T_TMP/scimbridge.conf
tenant_conf "$C" workspace-one "refresh_interval = 3600" "negative_ttl = 60" "timeout = $TIMEOUT"
chmod 644 "$C"
e2e_host "$C"
for i in 1 2 3 4 5; do okta create-user "far$i" --domain other.example.com >/dev/null; done

daemon_start "$C"
t_wait_log "$T_TMP/daemon.log" 'sync: [0-9]* users' 1 120 "$DPID"
t_check "scimbridged synced $USERS users and listens" test -S "$TENANT_DIR/socket"

gen() { "$SB" -c "$C" status 2>/dev/null | sed -n 's/^generation: *\([0-9]*\).*/\1/p'; }
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$DPID/status"; }
acct() { pamtester scimtest "$1" acct_mgmt 2>&1; }

# The victim: deactivated in Okta after the sync; the first live check
# learns it and writes that once (a real change).
okta deactivate u000003 >/dev/null
r=$(acct u000003)
t_check "root's live check: deactivated u000003 refused ($r)" grep -qi expired <<<"$r"
g0=$(gen)
ino0=$(stat -c %i "$TENANT_DIR/cache")
rss0=$(rss)

cat >"$T_TMP/attack.py" <<'PY'
import random, socket, struct, sys, threading, time
sock, seconds, users = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
names = ["far%d" % i for i in range(1, 6)] + ["root", "daemon", "docker", "admin"]
stop = time.monotonic() + seconds
count = [0] * 16
def variant(rng):
    if rng.random() < 0.3:
        return rng.choice(names)
    n = "u%06d" % rng.randint(1, users)
    while True:  # a case variant of an existing user, never the name itself
        v = "".join(c.upper() if rng.random() < 0.5 else c for c in n)
        if v != n:
            return v
def worker(k):
    rng = random.Random(k)
    while time.monotonic() < stop:
        key = variant(rng).encode()
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(5)
            s.connect(sock)
            s.sendall(struct.pack(">IHH", 0x53434231, 1, len(key)) + key)
            s.recv(8 + 4096)
            s.close()
            count[k] += 1
        except OSError:
            time.sleep(0.01)
ts = [threading.Thread(target=worker, args=(k,)) for k in range(16)]
for t in ts: t.start()
for t in ts: t.join()
print(sum(count))
PY
chmod 644 "$T_TMP/attack.py"
timeout $((SECONDS_ATTACK + 30)) setpriv --reuid=nobody --regid=nogroup --clear-groups \
	/usr/bin/python3 "$T_TMP/attack.py" "$TENANT_DIR/socket" "$SECONDS_ATTACK" "$USERS" \
	>"$T_TMP/attack.out" 2>&1 &
APID=$!

# Root's decisions while the attack runs: right, and within timeout + 0.5 s.
slow=0 wrong=0 n=0 worst=0
while kill -0 "$APID" 2>/dev/null && [ "$n" -lt 40 ]; do
	t0=$(date +%s%N)
	r=$(acct u000003)
	ms=$((($(date +%s%N) - t0) / 1000000))
	n=$((n + 1))
	[ "$ms" -gt "$worst" ] && worst=$ms
	[ "$ms" -gt $((TIMEOUT * 1000 + 500)) ] && slow=$((slow + 1))
	grep -qi expired <<<"$r" || wrong=$((wrong + 1))
	sleep 0.2
done
wait "$APID"
sent=$(tail -1 "$T_TMP/attack.out")
g1=$(gen)
ino1=$(stat -c %i "$TENANT_DIR/cache")
rss1=$(rss)
echo "# nobody sent $sent lookups in ${SECONDS_ATTACK} s; cache generation $g0 -> $g1;" \
	"root's checks: $n, worst ${worst} ms; daemon VmRSS ${rss0} kB -> ${rss1} kB"
t_check "the attack ran as nobody ($sent lookups answered)" test "${sent:-0}" -gt 100 2>/dev/null
t_eq "no cache write during the attack (generation $g0 -> $g1)" "$g0" "$g1"
t_eq "… the cache file is the same inode" "$ino0" "$ino1"
t_check "root's live checks during the attack: $n, all refused the deactivated user" test "$n" -gt 0 -a "$wrong" -eq 0
t_eq "… each answered within timeout + 0.5 s (worst ${worst} ms)" 0 "$slow"
t_check "… nothing in the log but what was asked: no 'new tenant user' line" \
	bash -c "! grep -q 'new tenant user added' '$T_TMP/daemon.log'"

# A real change still costs exactly one write. Asked over the protocol with
# a long timeout: on a large tenant the write outlasts the NSS module's
# 300 ms, which would then answer from the cache before it is written.
ask() {
	/usr/bin/python3 -c '
import socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.settimeout(30); s.connect(sys.argv[1])
k = sys.argv[2].encode(); s.sendall(struct.pack(">IHH", 0x53434231, 1, len(k)) + k)
print(struct.unpack(">IHH", s.recv(8))[1])' "$TENANT_DIR/socket" "$1"
}
okta create-user newcomer >/dev/null
t_eq "a new tenant user: the daemon answers FOUND" 0 "$(ask newcomer)"
r=$(getent passwd newcomer)
t_check "a new tenant user resolves on a miss ($r)" grep -q '^newcomer:[*]:' <<<"$r"
g2=$(gen)
t_eq "… with exactly one cache write" $((g1 + 1)) "$g2"
ask NEWCOMER >/dev/null
ask far2 >/dev/null
t_eq "… and a case variant or another domain's user after it writes nothing" "$g2" "$(gen)"

# The daemon stops cleanly, and a sanitizer build (SCIMBRIDGED=…) reports
# nothing: no leak from the answers merged and dropped, no use after free.
kill "$DPID"
for _ in $(seq 100); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.1; done
t_check "the daemon stopped within 10 s of SIGTERM" bash -c "! kill -0 $DPID 2>/dev/null"
wait "$DPID" 2>/dev/null
t_check "no sanitizer report from the daemon" \
	bash -c "! grep -h -A20 -E 'Sanitizer|runtime error' '$T_TMP/daemon.log'"
t_done
