#!/bin/bash
# scimbridge sync / status / lookup / keys against the local tenant, in both
# dialects: which users are served, which are skipped and why (root shadows
# a local account, bad:name is not a POSIX name, grace is of another
# domain), the inactive ones kept with active=no, and the refusal of a
# client secret file that others can read.
. "$(dirname "$0")/../lib/testlib.sh"
. "$T_ROOT/tests/lib/tenant.sh"
tenant_setup --dataset small

WS1=$T_TMP/ws1.conf
tenant_conf "$WS1" workspace-one
conf_set "$WS1" cache_path "$T_TMP/ws1.cache"
conf_set "$WS1" page_size 3
conf_set "$WS1" ssh_keys_attribute urn:scim:schemas:extension:custom:1.0:sshPublicKey

out=$("$SB" -c "$WS1" sync 2>&1); rc=$?
echo "$out"
t_eq "ws1: sync exits 0" 0 "$rc"
t_check "ws1: cache written 0644" test "$(stat -c %a "$T_TMP/ws1.cache" 2>/dev/null)" = 644
t_check "ws1: summary counts users" grep -q '^users: ' <<<"$out"
t_check "ws1: summary counts HTTP requests" grep -q 'HTTP requests' <<<"$out"
t_check "ws1: root skipped with a reason" grep -qiE 'skipped user .*root' <<<"$out"
t_check "ws1: bad:name skipped with a reason" grep -qiE 'skipped user .*bad:name' <<<"$out"
for u in alice bob carol; do
	l=$("$SB" -c "$WS1" lookup "$u" 2>&1); rc=$?
	t_eq "ws1: lookup $u found" 0 "$rc"
	t_check "ws1: $u is a passwd line, active" \
		grep -qE "^passwd: $u:[*]:[0-9]+:[0-9]+:" <<<"$l"
	t_check "ws1: $u active=yes" grep -q '^active: yes' <<<"$l"
done
for u in dave erin frank; do
	l=$("$SB" -c "$WS1" lookup "$u" 2>&1); rc=$?
	t_eq "ws1: inactive $u still resolvable" 0 "$rc"
	t_check "ws1: $u active=no" grep -q '^active: no' <<<"$l"
done
for u in root bad:name grace; do
	"$SB" -c "$WS1" lookup "$u" >/dev/null 2>&1; rc=$?
	t_eq "ws1: $u not served (exit 2)" 2 "$rc"
done
l=$("$SB" -c "$WS1" lookup alice)
uid=$(sed -n 's/^passwd: alice:[*]:\([0-9]*\):.*/\1/p' <<<"$l")
t_check "ws1: alice uid in range" test "${uid:-0}" -ge 200000
t_check "ws1: alice in engineers and admins" grep -qE '^groups:.* engineers\(.* admins\(|^groups:.* admins\(.* engineers\(' <<<"$l"
t_check "ws1: alice in nested research" grep -qE '^groups:.* research\(' <<<"$l"
t_eq "ws1: lookup by uid" "alice" "$("$SB" -c "$WS1" lookup "$uid" | sed -n 's/^passwd: \([^:]*\):.*/\1/p')"
g=$("$SB" -c "$WS1" lookup engineers 2>&1)
t_check "ws1: group engineers lists alice and bob" grep -qE '^group: engineers:x:[0-9]+:(alice,bob|bob,alice)$' <<<"$g"
"$SB" -c "$WS1" lookup 'ALL USERS' >/dev/null 2>&1; rc=$?
t_eq "ws1: ALL USERS ignored" 2 "$rc"

# status: works without a daemon, reads the public files only.
s=$("$SB" -c "$WS1" status 2>&1); rc=$?
echo "$s"
t_eq "status exits 0" 0 "$rc"
t_check "status shows counts" grep -qE '[0-9]+ users, [0-9]+ groups' <<<"$s"
t_check "status shows last result ok" grep -q '^last result: *ok' <<<"$s"
t_check "status says the daemon is not running" grep -q '^daemon: *not running' <<<"$s"
t_check "status file is 0644" test "$(stat -c %a "$T_TMP/ws1.cache.status")" = 644
t_check "status file holds no secret" sh -c "! grep -qF \"\$(cat '$TENANT_SECRET_FILE')\" '$T_TMP/ws1.cache.status'"
t_check "cache holds no secret" sh -c "! grep -qF \"\$(cat '$TENANT_SECRET_FILE')\" '$T_TMP/ws1.cache'"
gen1=$("$SB" -c "$WS1" status | sed -n 's/^generation: *\([0-9]*\).*/\1/p')

# keys: alice has one, dave (inactive) and strangers get nothing, exit 0.
k=$("$SB" -c "$WS1" keys alice); rc=$?
t_eq "keys alice exits 0" 0 "$rc"
t_check "keys alice prints an ssh key" grep -qE '^(ssh-|ecdsa-)' <<<"$k"
k=$("$SB" -c "$WS1" keys dave 2>&1); rc=$?
t_eq "keys dave (inactive): nothing, exit 0" "0:" "$rc:$k"
k=$("$SB" -c "$WS1" keys no-such-user 2>&1); rc=$?
t_eq "keys unknown: nothing, exit 0" "0:" "$rc:$k"
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	# As sshd runs it: nobody, a readable config, the public cache.
	pub=$(mktemp -d /tmp/scimkeys.XXXXXX); chmod 755 "$pub"
	cp "$T_TMP/ws1.cache" "$pub/cache"; chmod 644 "$pub/cache"
	printf 'url = %s\ncache_path = %s/cache\n' "$TENANT_URL" "$pub" >"$pub/conf"
	chmod 644 "$pub/conf"
	k=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$SB" -c "$pub/conf" keys alice 2>&1); rc=$?
	t_check "keys as nobody prints alice's key" test "$rc" = 0 -a -n "$k"
	# An unreadable config falls back to the default cache path, quietly.
	chmod 600 "$pub/conf"
	k=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$SB" -c "$pub/conf" keys alice 2>&1); rc=$?
	if [ -e /var/lib/scimbridge/cache ]; then
		t_eq "keys as nobody, unreadable config: default cache used" 0 "$rc"
	else
		t_check "keys as nobody, unreadable config: falls back to the default cache path" \
			grep -q /var/lib/scimbridge/cache <<<"$k"
	fi
	rm -rf "$pub"
else
	t_skip "keys as nobody (needs root and setpriv)"
fi

# A second sync keeps every id (sticky) and bumps the generation; off a
# terminal it writes nothing to stderr (no progress).
"$SB" -c "$WS1" sync >/dev/null 2>"$T_TMP/sync.err"
t_eq "sync off a terminal: nothing on stderr" "" "$(cat "$T_TMP/sync.err")"
if command -v script >/dev/null; then
	t_check "sync on a terminal: progress per list" \
		sh -c "script -qc \"'$SB' -c '$WS1' sync\" /dev/null | grep -q 'Users: 9/9'"
fi
t_eq "ws1: second sync keeps alice's uid" "$uid" "$("$SB" -c "$WS1" lookup alice | sed -n 's/^passwd: alice:[*]:\([0-9]*\):.*/\1/p')"
gen2=$("$SB" -c "$WS1" status | sed -n 's/^generation: *\([0-9]*\).*/\1/p')
t_check "generation increases ($gen1 -> $gen2)" test "${gen2:-0}" -gt "${gen1:-0}"

# SCIM 2.0 dialect: the same users from /scim/v2.
S2=$T_TMP/scim2.conf
tenant_conf "$S2" scim2
conf_set "$S2" cache_path "$T_TMP/scim2.cache"
conf_set "$S2" page_size 4
out=$("$SB" -c "$S2" sync 2>&1); rc=$?
echo "$out"
t_eq "scim2: sync exits 0" 0 "$rc"
for u in alice bob carol; do
	"$SB" -c "$S2" lookup "$u" 2>/dev/null | grep -q '^active: yes'
	t_eq "scim2: $u served and active" 0 "$?"
done
"$SB" -c "$S2" lookup dave 2>/dev/null | grep -q '^active: no'
t_eq "scim2: dave served inactive" 0 "$?"
for u in root bad:name; do
	"$SB" -c "$S2" lookup "$u" >/dev/null 2>&1
	t_eq "scim2: $u not served" 2 "$?"
done
# SCIM 2.0 has no workspace extension: grace (userName without '@') has no
# domain there, and the mapping serves users without a domain.
"$SB" -c "$S2" lookup grace >/dev/null 2>&1
t_eq "scim2: grace (no domain in SCIM 2.0) is served" 0 "$?"
t_eq "scim2: same uid for alice as ws1 (same SCIM id, same hash)" "$uid" \
	"$("$SB" -c "$S2" lookup alice | sed -n 's/^passwd: alice:[*]:\([0-9]*\):.*/\1/p')"

# A hostile tenant's error text (issue 14: escape what comes from the
# tenant): a terminal escape (set the window title), a BEL and a newline
# that would start a line of its own. `sync` prints it as one line of
# printable text.
EVIL_FAULT='{"match":"/scim/Users","kind":"500","times":1000,"message":"evil\u001b]2;pwned\u0007\nforged=1"}'
ctl_bytes() { tr -d '\n' <<<"$1" | LC_ALL=C tr -cd '\000-\037\177' | wc -c; }
E=$T_TMP/evil.conf; cp "$WS1" "$E"
conf_set "$E" cache_path "$T_TMP/evil.cache"
conf_set "$E" timeout 2
tenant_fault "$EVIL_FAULT"
out=$("$SB" -c "$E" sync 2>&1)
tenant_reset_faults
t_check "sync against a tenant failing with a hostile message: the message is shown ($out)" \
	grep -q 'evil' <<<"$out"
t_eq "… with no control byte (ESC, BEL) from the tenant" 0 "$(ctl_bytes "$out")"
t_eq "… and no line of the tenant's own" 0 "$(grep -c '^forged=' <<<"$out")"

# With the daemon: `status` prints its lines, and `keys` for a user created
# after the last sync asks the daemon, which adds the user to the cache.
if [ "$(id -u)" -eq 0 ] && [ -x "$T_ROOT/daemon/scimbridged" ]; then
	D=$T_TMP/daemon.conf; cp "$WS1" "$D"
	conf_set "$D" socket_path "$T_TMP/sock"
	conf_set "$D" cache_path "$T_TMP/d.cache"
	conf_set "$D" timeout 2 # the injected 500s are retried within 3 timeouts
	"$T_ROOT/daemon/scimbridged" -f -c "$D" >"$T_TMP/daemon.log" 2>&1 &
	dpid=$!
	T_CLEANUP_HOOK="kill $dpid 2>/dev/null; ${T_CLEANUP_HOOK:-:}"
	for _ in $(seq 1 50); do [ -S "$T_TMP/sock" ] && [ -f "$T_TMP/d.cache" ] && break; sleep 0.1; done
	s=$("$SB" -c "$D" status 2>&1)
	t_check "status with the daemon: its lines follow" grep -q '^daemon: *running' <<<"$s"
	okta create-user latecomer --ssh-key "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIlate latecomer@test" >/dev/null
	"$SB" -c "$D" lookup latecomer >/dev/null 2>&1
	t_eq "latecomer is not in the cache yet" 2 "$?"
	k=$("$SB" -c "$D" keys latecomer 2>&1)
	t_eq "keys for a user newer than the cache: the daemon fetches it" \
		"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIlate latecomer@test" "$k"
	# Inactive in the cache, reactivated in the tenant since: `keys` asks
	# the daemon for a live check, which rewrites the cache; then the key.
	okta create-user comeback --ssh-key "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIback comeback@test" >/dev/null
	okta deactivate comeback >/dev/null
	k=$("$SB" -c "$D" keys comeback 2>&1)
	t_eq "keys for a deactivated user (fetched by the daemon): nothing" "" "$k"
	okta reactivate comeback >/dev/null
	k=$("$SB" -c "$D" keys comeback 2>&1)
	t_eq "keys for a user reactivated since: the daemon's live check, then the key" \
		"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIback comeback@test" "$k"
	# A tenant's error text reaches `status` as one line of printable
	# text: no terminal escape, no forged status line.
	tenant_fault "$EVIL_FAULT"
	kill -HUP "$dpid"
	for _ in $(seq 1 300); do
		s=$("$SB" -c "$D" status 2>&1)
		grep -q '^  last_ok=0' <<<"$s" && break
		sleep 0.1
	done
	tenant_reset_faults
	t_check "status after a failed daemon sync: the tenant's error is shown ($s)" grep -q 'evil' <<<"$s"
	t_eq "… with no control byte (ESC, BEL) from the tenant" 0 "$(ctl_bytes "$s")"
	t_eq "… and no status line forged by the tenant" 0 "$(grep -c '^ *forged=' <<<"$s")"
	# A cache the daemon must refuse (its directory 0777): the daemon
	# answers lookups and stays up. The refusal's log line went through a
	# NULL sb_err and the daemon died (SIGSEGV) at the first lookup.
	ask() { # TYPE KEY: the daemon's status code for one request
		/usr/bin/python3 -c '
import socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.settimeout(20); s.connect(sys.argv[1])
k = sys.argv[3].encode(); s.sendall(struct.pack(">IHH", 0x53434231, int(sys.argv[2]), len(k)) + k)
print(struct.unpack(">IHH", s.recv(8))[1])' "$T_TMP/sock" "$1" "$2" 2>&1
	}
	chmod 777 "$T_TMP"
	a1=$(ask 2 999999); a2=$(ask 1 nosuchuser)
	chmod 700 "$T_TMP"
	t_check "a refused cache: the daemon answers uid and name lookups ($a1, $a2)" \
		test -n "$a1" -a -n "$a2" -a "${#a1}" -le 3 -a "${#a2}" -le 3
	t_check "… and is still running" kill -0 "$dpid"
	kill "$dpid" 2>/dev/null; wait "$dpid" 2>/dev/null
else
	t_skip "status/keys with the daemon (needs root and daemon/scimbridged)"
fi

# Keys from the tenant go to sshd verbatim: lines with options or a second
# line are refused.
okta set-attr bob urn:scim:schemas:extension:custom:1.0:sshPublicKey \
	'["command=\"/bin/sh\" ssh-ed25519 AAAAC3Nz evil", "ssh-ed25519 AAAAC3Nzgood bob@x\nssh-rsa AAAAB3inject x"]' >/dev/null
"$SB" -c "$WS1" sync >/dev/null 2>&1
t_check "keys: bob now has 2 keys in the cache" sh -c "'$SB' -c '$WS1' lookup bob | grep -qx 'ssh_keys: 2'"
k=$("$SB" -c "$WS1" keys bob 2>/dev/null); rc=$?
t_eq "keys: option-prefixed and multi-line keys refused" "0:" "$rc:$k"
t_check "keys: the refusal is reported on stderr" sh -c "'$SB' -c '$WS1' keys bob 2>&1 >/dev/null | grep -q 'not a plain key line'"
# Issue 14: the first word must be exactly a key type ("ssh-x,command=…" is
# options to sshd), then one space and base64.
good1='ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOq0 bob@laptop'
good2='sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29t'
good3='ssh-rsa-cert-v01@openssh.com AAAAHHNzaC1yc2EtY2VydC12MDFAb3BlbnNzaC5jb20= cert'
okta set-attr bob urn:scim:schemas:extension:custom:1.0:sshPublicKey \
	"[\"ssh-x,command=\\\"/bin/sh\\\" ssh-ed25519 AAAAC3Nz evil\", \"ssh-ed25519,from=\\\"*\\\" AAAAC3Nz x\",
	  \"ssh-ed25519x AAAAC3Nz x\", \"ssh-ed25519  AAAAC3Nz x\", \"ssh-ed25519 AAAA\$(id) x\", \"ssh-ed25519\",
	  \"ecdsa-sha2-nistp999 AAAAE2Vj x\", \"$good1\", \"$good2\", \"$good3\"]" >/dev/null
"$SB" -c "$WS1" sync >/dev/null 2>&1
t_check "keys: bob now has 10 keys in the cache" sh -c "'$SB' -c '$WS1' lookup bob | grep -qx 'ssh_keys: 10'"
k=$("$SB" -c "$WS1" keys bob 2>"$T_TMP/keys.err"); rc=$?
t_eq "keys: only lines whose first word is exactly a key type, then base64" \
	"0:$good1|$good2|$good3" "$rc:$(tr '\n' '|' <<<"$k" | sed 's/|$//')"
t_eq "keys: each of the 7 others reported" 7 "$(grep -c 'not a plain key line' "$T_TMP/keys.err")"

# The secret must be 0600: a 0644 copy is refused and the cache untouched.
cp "$TENANT_SECRET_FILE" "$T_TMP/secret644"; chmod 644 "$T_TMP/secret644"
cp "$T_TMP/ws1.cache" "$T_TMP/ws1.saved"
BAD=$T_TMP/bad.conf; cp "$WS1" "$BAD"; conf_set "$BAD" client_secret_file "$T_TMP/secret644"
out=$("$SB" -c "$BAD" sync 2>&1); rc=$?
echo "$out"
t_eq "sync refuses a 0644 secret (exit 1)" 1 "$rc"
t_check "the refusal names the file" grep -q "secret644" <<<"$out"
t_check "cache untouched after the refusal" cmp -s "$T_TMP/ws1.cache" "$T_TMP/ws1.saved"
# Usage errors exit 2.
"$SB" -c "$WS1" lookup >/dev/null 2>&1; t_eq "lookup without a name: exit 2" 2 "$?"
"$SB" -c "$WS1" frobnicate >/dev/null 2>&1; t_eq "unknown command: exit 2" 2 "$?"
t_done
