#!/bin/bash
# The relay end to end (issue 16), as root in a private mount namespace: a
# publisher `scimbridge sync`s from tests/tenant and publishes signed
# releases into a directory that a real nginx (Debian's, started here on a
# spare loopback port, TLS with a test CA) serves; a subscriber with no
# tenant credential `scimbridge sync`s from it and installs a cache
# byte-identical to the publisher's; then one user changes and the
# subscriber takes the delta (nginx's access log shows which file it read);
# getent, id and pamtester on the subscriber's cache. Then every bad input
# the subscriber must refuse, each leaving its cache byte-identical and
# saying what was wrong. Publisher crashes between its writes, simulated
# file by file, are repaired by its next run. Last, a real ssh login on the
# subscriber, refused once a deactivation is published. `scimbridge
# check` on the subscriber: each step's line with the values the release
# has, a subscriber behind the relay warned, and each bad release failing
# at its own step, naming the config line, installing nothing.
. "$(dirname "$0")/../lib/e2e.sh"
e2e_enter e2e/relay "$@"
e2e_setup
RS=$T_ROOT/tests/bin/relaysign
if ! command -v nginx >/dev/null; then
	t_skip "nginx is not installed (scripts/deps.sh installs nginx-light)"
	t_done
	exit 0
fi
tenant_start --dataset small || exit 1

. "$T_ROOT/tests/lib/relay.sh"
relay_setup
t_check "nginx listening on 127.0.0.1:$PORT" bash -c "ss -ltnH 'sport = :$PORT' | grep -q ."
"$SB" keygen -o "$T_TMP/other.key" >"$T_TMP/other.out" 2>/dev/null
OTHER_PK=$(sed -n 's/^relay_public_key = //p' "$T_TMP/other.out")
S=$T_TMP/subscriber.conf
SUBC=$T_TMP/sub/cache
sub_conf "$S" "https://127.0.0.1:$PORT/"
e2e_host "$S"

# --- first release: the snapshot
out=$("$SB" -c "$P" sync 2>&1)
t_check "publisher: sync, then generation 1 published ($(tail -1 <<<"$out"))" grep -q 'relay:  generation 1 published' <<<"$out"
t_check "the state is beside publish_dir, not served (no $PUB/state)" bash -c "[ -d '$PUB.state' ] && [ ! -e '$PUB/state' ] && [ \$(stat -c %a '$PUB.state') = 700 ]"
r=$(minisign -Vm "$PUB/release" -P "$PK" 2>&1)
t_check "minisign -Vm release -P <pubkey> verifies the release ($(tail -1 <<<"$r"))" grep -q 'Signature and comment signature verified' <<<"$r"
out=$("$SB" -c "$S" sync 2>&1)
t_eq "subscriber: sync exit 0 ($out)" 0 $?
t_check "… installed generation 1 from the snapshot" grep -q 'generation 1 installed from the snapshot' <<<"$out"
t_check "… a cache byte-identical to the publisher's" cmp -s "$T_TMP/pubcache" "$SUBC"
out=$("$SB" -c "$P" sync 2>&1)
t_check "publisher: the same tenant again publishes nothing ($(tail -1 <<<"$out"))" grep -q 'generation 1 unchanged' <<<"$out"
# The publisher's cache file now carries a new write time; what it published
# as generation 1 is kept in the state.
t_check "… the subscriber's cache is generation 1 as published" cmp -s "$PUB.state/base-1" "$SUBC"
r=$(getent passwd alice)
t_check "getent passwd alice on the subscriber ($r)" grep -q '^alice:[*]:[0-9]*:[0-9]*:Alice Anders:/home/alice:/bin/bash$' <<<"$r"
r=$(id bob)
t_check "id bob on the subscriber shows engineers ($r)" grep -q engineers <<<"$r"
r=$(pamtester scimtest bob acct_mgmt 2>&1)
t_check "pamtester: bob allowed on the subscriber ($r)" grep -q 'management done' <<<"$r"
out=$("$SB" -c "$S" sync 2>&1)
t_check "subscriber: again, nothing new ($out)" grep -q 'generation 1 is current' <<<"$out"
t_check "… answered by a 304 to the conditional GET" bash -c "tail -1 '$NG/access.log' | grep -q '\"GET /release HTTP/1.1\" 304'"
r=$("$SB" -c "$S" status 2>&1)
t_check "status on a subscriber speaks of the relay ($(grep -E 'release gen|last result' <<<"$r" | tr '\n' ' '))" bash -c "grep -q 'release gen: *1' <<<'$r' && grep -q 'last result: *ok' <<<'$r'"
# `scimbridge check` on the subscriber: the relay, never the tenant.
# run_check [CONF]: its output in CK, its status in CKRC; CKRO 0 when the
# cache and the relay state are as they were (check installs nothing).
run_check() {
	cp "$SUBC" "$T_TMP/ck.cache" && cp "$SUBC.relay" "$T_TMP/ck.relay"
	CK=$("$SB" -c "${1:-$S}" check 2>&1)
	CKRC=$?
	cmp -s "$SUBC" "$T_TMP/ck.cache" && cmp -s "$SUBC.relay" "$T_TMP/ck.relay"
	CKRO=$?
}
ck_has() { grep -qx -- "$1" <<<"$CK"; }
KEYID=$(sed -n 's/^directory fleet-//p' "$PUB/release")
vu=$(sed -n 's/^valid-until //p' "$PUB/release")
treq() { tenant_stats | sed -n 's/.*"requests": *\([0-9]*\).*/\1/p'; }
before=$(treq)
run_check
t_eq "check on the subscriber: exit 0 ($(tr '\n' '|' <<<"$CK"))" 0 "$CKRC"
t_check "… the role line: the relay, no tenant credential" ck_has "OK       role  subscriber: reads https://127.0.0.1:$PORT/, never the tenant (no url or secret here)"
t_check "… the key: its id and directory, file:line" ck_has "OK       key   relay_public_key ($S:3): key id $KEYID, directory fleet-$KEYID"
t_check "… the relay answered with the release's size" ck_has "OK       relay https://127.0.0.1:$PORT/release answered, $(stat -c %s "$PUB/release") bytes"
t_check "… the signature verifies with the key" ck_has "OK       signature release.minisig ($(stat -c %s "$PUB/release.minisig") bytes) verifies with key $KEYID"
t_check "… the release: directory and generation 1" ck_has "OK       release directory fleet-$KEYID, generation 1, made .* ([0-9]* s ago)"
t_check "… valid until the release's valid-until" ck_has "OK       valid until $(date -u -d "@$vu" +%Y-%m-%dT%H:%M:%SZ) (in [0-9]* s)"
t_check "… the snapshot: its size, decoded to the cache's size" ck_has "OK       snapshot $(sed -n 's/^snapshot sha256:[0-9a-f]* //p' "$PUB/release") bytes, decodes to the signed cache ($(stat -c %s "$PUB.state/base-1") bytes)"
t_check "… generation 1 installed, as the relay serves" ck_has "OK       cache generation 1 installed ($SUBC), as the relay serves"
t_check "… the last verification result" ck_has "OK       last  check .* ([0-9]* s ago): ok: generation 1 up to date"
t_check "… all checks passed" ck_has "all checks passed"
t_eq "… no tenant request" "$before" "$(treq)"
t_eq "… the cache and the relay state untouched" 0 "$CKRO"
sub_conf "$T_TMP/creds.conf" "https://127.0.0.1:$PORT/" "url = https://tenant.example.com" "client_secret_file = /etc/scimbridge/secret"
run_check "$T_TMP/creds.conf"
t_check "check, a subscriber config with a tenant url and secret: exit 0, a WARN naming each key and line ($(grep '^WARN' <<<"$CK" | tr '\n' '|'))" \
	bash -c '[ "$1" = 0 ] && grep -q "^WARN     role  subscriber: key .url. ($2:9) is never used" <<<"$3" && grep -q "^WARN     role  subscriber: key .client_secret_file. ($2:10) is never used" <<<"$3" && grep -qx "checks passed, with the warnings above" <<<"$3"' _ "$CKRC" "$T_TMP/creds.conf" "$CK"
r=$("$SB" -c "$S" check-user alice 2>&1)
t_check "check-user on the subscriber: the relay's generation and last result ($(grep -E '^(release gen|last result)' <<<"$r" | tr '\n' ' '))" \
	bash -c 'grep -qx "release gen:  1" <<<"$1" && grep -q "^last result:  ok: generation 1" <<<"$1" && grep -q "^release made: .* ([0-9]* s ago)" <<<"$1"' _ "$r"
t_check "… pam (relay) instead of pam (live), allowed ($(grep '^pam (relay)' <<<"$r"))" grep -q '^pam (relay):  allowed (PAM_SUCCESS)' <<<"$r"
rm "$SUBC"
out=$("$SB" -c "$S" sync 2>&1)
t_check "the cache removed: fetched again, not answered 304 ($out)" grep -q 'generation 1 installed from the snapshot' <<<"$out"
t_check "… byte-identical to generation 1 as published" cmp -s "$PUB.state/base-1" "$SUBC"
cp "$PUB/release" "$T_TMP/release.gen1"
cp "$PUB/release.minisig" "$T_TMP/release.minisig.gen1"

# --- one user deactivated in the tenant: a delta
# nginx's ETag and Last-Modified are the mtime in whole seconds: a release
# in the same second as the last must still get a later mtime, or a
# subscriber's conditional GET says 304. The served release is dated an
# hour ahead first, so a publisher that just takes "now" fails here.
touch -d '+1 hour' "$PUB/release"
before=$(stat -c %Y "$PUB/release")
okta deactivate bob >/dev/null
out=$("$SB" -c "$P" sync 2>&1)
t_check "publisher: bob deactivated, generation 2 published with a delta ($(tail -1 <<<"$out"))" grep -q 'generation 2 published.*1 deltas' <<<"$out"
t_check "the new release's mtime is past the last one's ($before -> $(stat -c %Y "$PUB/release"))" \
	test "$(stat -c %Y "$PUB/release")" -gt "$before"
t_eq "release.minisig has the release's mtime" "$(stat -c %Y "$PUB/release")" "$(stat -c %Y "$PUB/release.minisig")"
run_check
t_check "check, the relay ahead of this host: exit 0, warns ($(grep '^WARN' <<<"$CK"))" \
	bash -c '[ "$1" = 0 ] && grep -qx "WARN     cache generation 1 installed, the relay serves 2: installed at the next poll (relay_poll_interval 30 s) or by .scimbridge sync." <<<"$2" && grep -qx "checks passed, with the warnings above" <<<"$2"' _ "$CKRC" "$CK"
t_eq "… the cache and the relay state untouched" 0 "$CKRO"
DELTA=$(sed -n 's/^delta 1 sha256:\([0-9a-f]*\) .*/\1/p' "$PUB/release")
SNAP=$(sed -n 's/^snapshot sha256:\([0-9a-f]*\) .*/\1/p' "$PUB/release")
: >"$NG/access.log.mark"
lines=$(wc -l <"$NG/access.log")
out=$("$SB" -c "$S" sync 2>&1)
t_check "subscriber: generation 2 installed from the delta ($out)" grep -q 'generation 2 installed from the delta' <<<"$out"
new=$(tail -n +$((lines + 1)) "$NG/access.log")
t_check "nginx served the delta ($DELTA) and not the snapshot" bash -c "grep -q 'GET /by-hash/SHA256/$DELTA HTTP/1.1\" 200' <<<'$new' && ! grep -q '$SNAP' <<<'$new'"
t_check "… and the cache is byte-identical to the publisher's again" cmp -s "$T_TMP/pubcache" "$SUBC"
r=$(pamtester scimtest bob acct_mgmt 2>&1)
t_check "pamtester: bob, deactivated in the tenant, refused on the subscriber ($r)" grep -qi 'expired' <<<"$r"
r=$(pamtester scimtest alice acct_mgmt 2>&1)
t_check "pamtester: alice still allowed ($r)" grep -q 'management done' <<<"$r"

# --- bad inputs: each refused, the cache byte-identical, a clear message
cp -a "$PUB" "$T_TMP/pub.good"
cp "$SUBC" "$T_TMP/sub.good"
cp "$SUBC.relay" "$T_TMP/sub.relay.good"
restore() {
	rm -rf "$PUB" && cp -a "$T_TMP/pub.good" "$PUB"
	cp "$T_TMP/sub.relay.good" "$SUBC.relay"
}
# bad NAME PATTERN [conf]: the subscriber's sync fails, says PATTERN, keeps its cache
bad() {
	local name=$1 pat=$2 conf=${3:-$S} out rc
	out=$("$SB" -c "$conf" sync 2>&1)
	rc=$?
	t_check "$name: refused, exit 1, says '$pat' ($out)" bash -c "[ $rc = 1 ] && grep -q -- \"\$1\" <<<'$(printf %s "$out" | tr "'" '"')'" _ "$pat"
	t_check "$name: the cache is byte-identical" cmp -s "$T_TMP/sub.good" "$SUBC"
	restore
}
# bad_check NAME PATTERN [conf]: `check` fails with exit 1, its one FAIL
# line matches PATTERN, and it changed nothing
bad_check() {
	run_check "${3:-$S}"
	t_check "check, $1: exit 1, says '$2' ($(grep '^FAIL' <<<"$CK"))" \
		bash -c '[ "$1" = 1 ] && [ "$(grep -c "^FAIL" <<<"$2")" = 1 ] && grep "^FAIL" <<<"$2" | grep -q -- "$3" && ! grep -q "checks passed" <<<"$2"' _ "$CKRC" "$CK" "$2"
	t_eq "check, $1: the cache and the relay state untouched" 0 "$CKRO"
}
# A newer release to refuse: generation 3 with gen 2's files, signed with KEY.
forge() { # forge KEY [sed on the release] [trusted comment]
	local key=$1 edit=${2:-} tc
	tc=$(sed -n 's/^trusted comment: //p' "$PUB/release.minisig" | sed 's/generation=2/generation=3/')
	sed "s/^generation 2$/generation 3/; $edit" "$T_TMP/pub.good/release" >"$PUB/release"
	"$RS" sign "$key" "$PUB/release" "$PUB/release.minisig" "${3:-$tc}" >/dev/null
}

sed -i 's/^created \([0-9]*\)/created 1\1/' "$PUB/release"
bad "a tampered release" "does not verify"
# (A release the subscriber has seen is answered 304 and its signature not
# read again: the damaged signatures come with a new release.)
forge "$T_TMP/relay.key"
head -c 40 "$T_TMP/pub.good/release.minisig" >"$PUB/release.minisig"
bad "a bad signature" "release.minisig"
forge "$T_TMP/relay.key"
c=$(sed -n 2p "$PUB/release.minisig" | cut -c40)
[ "$c" = A ] && c=B || c=A
sed -i "2s/^\(.\{39\}\)./\1$c/" "$PUB/release.minisig"
bad "a signature altered (valid base64)" "release.minisig: .*verif"
forge "$T_TMP/relay.key"
rm "$PUB/release.minisig"
bad "a missing signature" "HTTP 404"
forge "$T_TMP/other.key"
bad_check "a release signed by another key" "^FAIL     signature release.minisig: signature: made by key [0-9A-F]*, expected key $KEYID: key 'relay_public_key' at $S:3$"
bad "a release signed by another key" "expected key"
sed "s|^relay_public_key = .*|relay_public_key = $OTHER_PK|" "$S" >"$T_TMP/otherkey.conf"
bad_check "relay_public_key not the publisher's" "expected key [0-9A-F]*: key 'relay_public_key' at $T_TMP/otherkey.conf:3$" "$T_TMP/otherkey.conf"
sed 's|^relay_public_key = RW.|relay_public_key = RWA|' "$S" >"$T_TMP/badkey.conf"
bad_check "relay_public_key of the right shape that does not decode" "^FAIL     key   $T_TMP/badkey.conf:3: key 'relay_public_key': public key: " "$T_TMP/badkey.conf"
forge "$T_TMP/relay.key" "s/^directory .*/directory fleet-elsewhere/" \
	"$(sed -n 's/^trusted comment: //p' "$PUB/release.minisig" | sed 's/generation=2/generation=3/; s/directory=[^ ]*/directory=fleet-elsewhere/')"
bad_check "a release of another directory" "^FAIL     release release: of directory 'fleet-elsewhere', this host follows 'fleet-$KEYID': key 'relay_url' at $S:2 serves another fleet"
bad "a release of another directory" "of directory .fleet-elsewhere"
cp "$T_TMP/release.gen1" "$PUB/release"
cp "$T_TMP/release.minisig.gen1" "$PUB/release.minisig"
bad_check "generation 1 replayed after 2" "^FAIL     release release: generation 1 is older than the installed 2 (rollback refused): the relay serves an older release"
bad "generation 1 replayed after 2" "rollback\|below"
now=$(date +%s)
forge "$T_TMP/relay.key" "s/^created .*/created $((now - 200))/; s/^valid-until .*/valid-until $((now - 100))/"
bad_check "a release past valid-until" "^FAIL     valid release: generation 3 expired 1[0-9][0-9] s ago .*is the publisher's daemon running?"
bad "a release past valid-until" "expired"
head -c 1000000 /dev/zero >"$PUB/release"
bad "a release of 1 MB" "larger than 16384 bytes"

# By-hash files: generation 3 (carol renamed) published, its files damaged.
okta set-attr carol displayName "Carol Relay" >/dev/null
"$SB" -c "$P" sync >/dev/null 2>&1
cp -a "$PUB" "$T_TMP/pub.good3"
D3=$(sed -n 's/^delta 2 sha256:\([0-9a-f]*\) .*/\1/p' "$PUB/release")
S3=$(sed -n 's/^snapshot sha256:\([0-9a-f]*\) .*/\1/p' "$PUB/release")
t_check "generation 3 has a delta from 2 and a snapshot" test -n "$D3" -a -n "$S3"
rm -rf "$T_TMP/pub.good" && cp -a "$T_TMP/pub.good3" "$T_TMP/pub.good"
truncate -s -10 "$PUB/by-hash/SHA256/$D3" "$PUB/by-hash/SHA256/$S3"
bad "delta and snapshot truncated" "the signed release says"
printf 'X' | dd of="$PUB/by-hash/SHA256/$S3" bs=1 seek=100 conv=notrunc 2>/dev/null
rm "$PUB/by-hash/SHA256/$D3"
bad_check "snapshot altered" "^FAIL     snapshot .*sha256 .*, the signed release says"
bad "snapshot altered (and no delta)" "sha256 .*, the signed release says"
head -c 50000000 /dev/zero >>"$PUB/by-hash/SHA256/$S3"
rm "$PUB/by-hash/SHA256/$D3"
bad "a snapshot of 50 MB more than the release names" "larger than"

sub_conf "$T_TMP/down.conf" "https://127.0.0.1:$DOWN_PORT/"
bad_check "relay down" "^FAIL     relay relay unreachable: https://127.0.0.1:$DOWN_PORT/release: .*onnect.* (key 'relay_url', $T_TMP/down.conf:2)$" "$T_TMP/down.conf"
bad "relay down (connection refused)" "relay unreachable.*onnect" "$T_TMP/down.conf"
sub_conf "$T_TMP/e500.conf" "https://127.0.0.1:$PORT/e500/"
bad_check "relay answering 500" "^FAIL     relay relay: https://127.0.0.1:$PORT/e500/release answered HTTP 500 (key 'relay_url', $T_TMP/e500.conf:2)$" "$T_TMP/e500.conf"
bad "relay answering 500" "answered HTTP 500" "$T_TMP/e500.conf"
sub_conf "$T_TMP/slow.conf" "https://127.0.0.1:$PORT/slow/"
t0=$(date +%s)
bad "relay stalling (1 byte/s; timeout = 3)" "relay unreachable.*imeout\|timed out" "$T_TMP/slow.conf"
t_check "… the stall bounded by timeout: $(($(date +%s) - t0)) s" test $(($(date +%s) - t0)) -le 15
"$SB" -c "$T_TMP/down.conf" sync >/dev/null 2>&1
r=$("$SB" -c "$S" status 2>&1)
t_check "status names the last failure ($(grep 'last result' <<<"$r"))" grep -q 'last result: *FAILED: relay unreachable' <<<"$r"
restore

# After all of it, the good release still installs (the delta from 2).
out=$("$SB" -c "$S" sync 2>&1)
t_check "subscriber: generation 3 installed from the delta ($out)" grep -q 'generation 3 installed from the delta' <<<"$out"
t_check "… byte-identical to the publisher's" cmp -s "$T_TMP/pubcache" "$SUBC"
r=$(getent passwd carol)
t_check "getent passwd carol shows the new name ($r)" grep -q 'Carol Relay' <<<"$r"

# The publisher killed between release.minisig and release (as publish.c
# orders them): the relay serves generation 3's release beside generation
# 4's signature. Subscribers refuse the pair; the next publisher run
# repairs it without a new generation.
okta set-attr carol displayName "Carol Four" >/dev/null
"$SB" -c "$P" sync >/dev/null 2>&1
cp "$SUBC" "$T_TMP/sub.good"
cp "$PUB.state/release-3" "$PUB/release"
out=$("$SB" -c "$S" sync 2>&1)
t_check "killed between the signature and the release: the pair is refused ($out)" grep -q 'release.minisig: .*verif' <<<"$out"
t_check "… the cache byte-identical" cmp -s "$T_TMP/sub.good" "$SUBC"
out=$("$SB" -c "$P" sync 2>&1)
t_check "the next publisher run re-signs generation 4 ($(tail -1 <<<"$out"))" grep -q 'generation 4 unchanged, re-signed' <<<"$out"
out=$("$SB" -c "$S" sync 2>&1)
t_check "… and the subscriber installs it ($out)" grep -q 'generation 4 installed from the delta' <<<"$out"
t_check "… byte-identical to generation 4 as published" cmp -s "$PUB.state/base-4" "$SUBC"
# Killed between the two renames of a re-signing (same generation, new
# times): generation 4's earlier release beside the new signature. The
# release alone looks fresh; the publisher checks the pair and re-signs.
sed -i 's/^created \([0-9]*\)$/echo created $((\1 - 1))/e' "$PUB/release"
out=$("$SB" -c "$P" sync 2>&1)
t_check "killed mid re-sign: the next run sees the pair does not verify and re-signs ($(tail -1 <<<"$out"))" grep -q 'generation 4 unchanged, re-signed' <<<"$out"
r=$(minisign -Vm "$PUB/release" -P "$PK" 2>&1)
t_check "… minisign verifies the pair again" grep -q 'Signature and comment signature verified' <<<"$r"

# Killed after committing generation 5 to the state, before its release
# was kept or served: the next run publishes generation 6, never a second 5.
cp "$PUB/release" "$PUB/release.minisig" "$T_TMP/"
okta set-attr carol displayName "Carol Five" >/dev/null
"$SB" -c "$P" sync >/dev/null 2>&1
rm "$PUB.state/release-5"
cp "$T_TMP/release" "$T_TMP/release.minisig" "$PUB/"
out=$("$SB" -c "$P" sync 2>&1)
t_check "killed before release 5 was kept: the next run publishes generation 6 ($(tail -1 <<<"$out"))" grep -q 'generation 6 published' <<<"$out"
out=$("$SB" -c "$S" sync 2>&1)
t_check "… the subscriber installs 6 ($out)" grep -q 'generation 6 installed' <<<"$out"
t_check "… byte-identical to the publisher's" cmp -s "$T_TMP/pubcache" "$SUBC"
n=$(ls "$PUB/by-hash/SHA256" | wc -l)
t_check "by-hash pruned to the files the last $((4)) releases name ($n files)" test "$n" -le 20

# A real ssh login on the subscriber: sshd with UsePAM (pam_scim from the
# subscriber's config, deciding from its cache: no daemon, daemon_down =
# cache) and `scimbridge keys` as AuthorizedKeysCommand; alice's key comes
# from the tenant through the publisher and the relay. Okta deactivates
# her: once published and subscribed, the next login is refused.
if command -v sshd >/dev/null || [ -x /usr/sbin/sshd ]; then
	mount -t tmpfs -o mode=0755 tmpfs /mnt || exit 1
	K=/mnt/scimbridge
	mkdir -m 0755 "$K"
	install -m 0755 cli/scimbridge "$K/scimbridge"
	install -m 0644 "$S" "$K/sub.conf"
	cp "$T_TMP/pam.d/scimtest" "$T_TMP/pam.d/sshd"
	ssh-keygen -q -t ed25519 -N '' -f "$T_TMP/key" -C alice@test || exit 1
	ssh-keygen -q -t ed25519 -N '' -f "$T_TMP/hostkey" || exit 1
	okta set-attr alice urn:scim:schemas:extension:custom:1.0:sshPublicKey "$(cat "$T_TMP/key.pub")" >/dev/null
	"$SB" -c "$P" sync >/dev/null 2>&1
	"$SB" -c "$S" sync >/dev/null 2>&1
	SPORT=$(spare_port)
	e2e_sshd_keys "$SPORT" "$K/scimbridge -c $K/sub.conf keys %u" || exit 1
	login() { e2e_ssh_key_login "$SPORT" alice; }
	r=$(login)
	t_check "ssh: alice logs in on the subscriber with her key from the relay ($r)" grep -q 'logged in as alice' <<<"$r"
	okta deactivate alice >/dev/null
	"$SB" -c "$P" sync >/dev/null 2>&1
	out=$("$SB" -c "$S" sync 2>&1)
	t_check "Okta deactivates alice: published, subscribed ($(head -1 <<<"$out"))" grep -q 'installed from the delta' <<<"$out"
	r=$(login)
	t_check "… the next ssh login on the subscriber is refused ($r)" bash -c "! grep -q 'logged in' <<<'$r'"
	t_check "… by the PAM account stack (sshd's log)" grep -qiE 'account.*(expired|deactivated)|Failed|not allowed' "$T_TMP/sshd.log"
	[ "$T_FAIL" -gt 0 ] && tail -20 "$T_TMP/sshd.log"
else
	t_skip "sshd is not installed: no ssh login"
fi

# A publisher whose daemon runs: `scimbridge sync` has the daemon sync,
# then publishes what it wrote.
daemon_start "$P"
# its first sync (and publish, nothing changed) before the tenant changes
for _ in $(seq 300); do grep -q 'sync: .* read from the tenant' "$T_TMP/daemon.log" && break; sleep 0.1; done
okta reactivate alice >/dev/null
gen=$(sed -n 's/^generation //p' "$PUB/release")
out=$("$SB" -c "$P" sync 2>&1)
t_check "publisher with its daemon: the daemon syncs and publishes generation $((gen + 1)) itself ($(tr '\n' ' ' <<<"$out"))" \
	bash -c "grep -q 'sync by the daemon on .*: done: .*relay generation $((gen + 1)) published' <<<'$out' && grep -q 'generation $((gen + 1)) unchanged' <<<'$out'"
kill $DPID 2>/dev/null
wait $DPID 2>/dev/null
out=$("$SB" -c "$S" sync 2>&1)
t_check "… the subscriber installs it ($(head -1 <<<"$out"))" grep -q "generation $((gen + 1)) installed from the delta" <<<"$out"
t_check "… byte-identical to the publisher's" cmp -s "$T_TMP/pubcache" "$SUBC"

# A subscriber config needs its keys: file:line:key.
printf 'role = subscriber\nrelay_url = https://127.0.0.1:1/\n' >"$T_TMP/half.conf"
out=$("$SB" -c "$T_TMP/half.conf" sync 2>&1)
t_check "a subscriber without relay_public_key: refused with file:line:key ($out)" grep -q "half.conf:1: key 'role': 'subscriber' needs key 'relay_public_key'" <<<"$out"
t_done
