#!/bin/bash
# scimbridge check / token / create-directory against the local tenant:
# the happy path, and each way the credentials test must fail with the
# layer named — a wrong secret (401), a wrong domain (domain mismatch), a
# tenant that is not listening, a host name that does not resolve, and a
# certificate from a CA we do not trust.
. "$(dirname "$0")/../lib/testlib.sh"
. "$T_ROOT/tests/lib/tenant.sh"
tenant_setup --dataset small
C=$T_TMP/ok.conf
tenant_conf "$C" workspace-one
conf_set "$C" cache_path "$T_TMP/cache"

# run_check NAME CONF: leaves the output in $out and the status in $rc.
run_check() { out=$("$SB" -c "$2" check 2>&1); rc=$?; echo "--- $1"; echo "$out"; }

run_check ok "$C"
t_eq "check: exit 0" 0 "$rc"
for s in config token Users Groups domain; do
	t_check "check: step $s OK" grep -qE "^OK +$s " <<<"$out"
done

printf 'not-the-secret\n' >"$T_TMP/wrong"; chmod 600 "$T_TMP/wrong"
W=$T_TMP/wrong.conf; cp "$C" "$W"; conf_set "$W" client_secret_file "$T_TMP/wrong"
run_check wrong-secret "$W"
t_eq "wrong secret: exit 1" 1 "$rc"
t_check "wrong secret: token step FAILs with 401" grep -qE '^FAIL +token .*401' <<<"$out"

D=$T_TMP/domain.conf; cp "$C" "$D"; conf_set "$D" domain nowhere.example.org
run_check wrong-domain "$D"
t_eq "wrong domain: exit 1" 1 "$rc"
t_check "wrong domain: FAIL domain mismatch" grep -qE '^FAIL +domain .*domain mismatch' <<<"$out"
t_check "wrong domain: lists the domains seen" grep -q 'okta.example.com' <<<"$out"

# A port with nothing listening (connect is refused).
port=
for _ in $(seq 1 50); do
	p=$((20000 + RANDOM % 40000))
	if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
done
U=$T_TMP/unreach.conf; cp "$C" "$U"; conf_set "$U" url "https://127.0.0.1:$port"
run_check unreachable "$U"
t_eq "unreachable: exit 1" 1 "$rc"
t_check "unreachable: FAIL connect" grep -qiE '^FAIL +token +connect' <<<"$out"

N=$T_TMP/dns.conf; cp "$C" "$N"; conf_set "$N" url "https://tenant.invalid"
run_check dns "$N"
t_eq "DNS failure: exit 1" 1 "$rc"
t_check "DNS failure: FAIL names DNS" grep -qE '^FAIL +token +DNS' <<<"$out"

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T_TMP/other.key" -out "$T_TMP/other.pem" \
	-days 1 -subj "/CN=Other CA" >/dev/null 2>&1
B=$T_TMP/badca.conf; cp "$C" "$B"; conf_set "$B" ca_file "$T_TMP/other.pem"
run_check bad-ca "$B"
t_eq "unknown CA: exit 1" 1 "$rc"
t_check "unknown CA: FAIL names TLS" grep -qE '^FAIL +token +TLS' <<<"$out"

# A refused bearer_token_file is the token's fault, not a client secret's.
printf 'not-a-valid-token\n' >"$T_TMP/bearer"; chmod 600 "$T_TMP/bearer"
T=$T_TMP/bearer.conf; cp "$C" "$T"
sed -i '/^client_secret_file/d' "$T"; conf_set "$T" bearer_token_file "$T_TMP/bearer"
run_check bad-bearer "$T"
t_eq "refused bearer token: exit 1" 1 "$rc"
t_check "refused bearer token: FAIL says the token in bearer_token_file" \
	grep -qE '^FAIL +Users +rejected \(401\): the token in bearer_token_file' <<<"$out"
t_check "… and not 'wrong client_id or secret'" bash -c "! grep -q 'client_id or secret' <<<'$out'"

# The mapping's verdict on the names read: the small data set's bad:name and
# root are skipped under %u; e-mail userNames too, and check suggests %l.
for i in 1 2 3; do okta create-user "mail$i@okta.example.com" >/dev/null; done
run_check names-u "$C"
t_eq "e-mail userNames with %u: still exit 0 (some users map)" 0 "$rc"
t_check "… WARN: 5 of 11 users read would be skipped, and why" \
	grep -qE '^WARN +names 5 of 11 users read would be skipped with name_format %u: 4 not a portable POSIX name, 1 a reserved' <<<"$out"
t_check "… suggests %l, which maps 9 of the 11 (not bad:name, not root)" grep -qE 'name_format = %l .* would map 9 of the 11' <<<"$out"
t_check "… and does not say 'all checks passed'" bash -c "! grep -q 'all checks passed' <<<'$out'"
L=$T_TMP/l.conf; cp "$C" "$L"; conf_set "$L" name_format %l
run_check names-l "$L"
t_check "with %l: 2 skipped (bad:name, and root is reserved)" grep -qE '^WARN +names 2 of 11 users .* 1 not a portable POSIX name, 1 a reserved' <<<"$out"
t_check "… and no %l hint" bash -c "! grep -q 'would map' <<<'$out'"

# token: printed with its expiry; -o writes it 0600 and keeps it off stdout.
tok=$("$SB" -c "$C" token); rc=$?
echo "$tok"
t_eq "token: exit 0" 0 "$rc"
first=$(head -1 <<<"$tok")
t_check "token: first line is a token" test -n "$first" -a "${#first}" -ge 16
t_check "token: expiry printed" grep -qE '^expires: in [0-9]+ s' <<<"$tok"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$TENANT_CA" \
	-H "Authorization: Bearer $first" "$TENANT_URL/SAAS/jersey/manager/api/scim/Users?count=1")
t_eq "token: the tenant accepts it" 200 "$code"
out=$(umask 000; "$SB" -c "$C" token -o "$T_TMP/tok"); rc=$?
t_eq "token -o: exit 0" 0 "$rc"
t_eq "token -o: file mode 0600 even with umask 000" 600 "$(stat -c %a "$T_TMP/tok")"
t_check "token -o: the file holds a token" test -s "$T_TMP/tok"
t_check "token -o: stdout does not show the token" sh -c "! grep -qF \"\$(cat '$T_TMP/tok')\" <<EOT
$out
EOT"
echo old >"$T_TMP/tok2"; chmod 644 "$T_TMP/tok2"
"$SB" -c "$C" token -o "$T_TMP/tok2" >/dev/null
t_eq "token -o over a 0644 file: now 0600" 600 "$(stat -c %a "$T_TMP/tok2")"

# create-directory: a new domain works; the existing one quotes the tenant.
out=$("$SB" -c "$C" create-directory --name "Okta 2" --domain new.example.net 2>&1); rc=$?
echo "$out"
t_eq "create-directory: exit 0" 0 "$rc"
t_check "create-directory: prints a directoryId" grep -qE '^[A-Za-z0-9-]{4,}$' <<<"$out"
out=$("$SB" -c "$C" create-directory --name "Okta again" --domain okta.example.com 2>&1); rc=$?
echo "$out"
t_eq "create-directory existing domain: exit 1" 1 "$rc"
t_check "create-directory existing domain: HTTP 409 and the tenant's message" \
	grep -qE 'HTTP 409: .+' <<<"$out"
# The tenant quotes a directory name someone else chose: shown escaped.
"$SB" -c "$C" create-directory --name $'evil\e]2;pwned\a\nforged line' --domain evil.example.net >/dev/null 2>&1
out=$("$SB" -c "$C" create-directory --name X --domain evil.example.net 2>&1)
t_check "create-directory 409 quoting a hostile name: shown ($out)" grep -q 'HTTP 409: .*evil' <<<"$out"
t_eq "… with no control byte (ESC, BEL)" 0 "$(tr -d '\n' <<<"$out" | LC_ALL=C tr -cd '\000-\037\177' | wc -c)"
t_eq "… and no line of the tenant's own" 0 "$(grep -c '^forged line' <<<"$out")"
S2=$T_TMP/s2.conf; tenant_conf "$S2" scim2
out=$("$SB" -c "$S2" create-directory --name X --domain x.example.com 2>&1); rc=$?
t_eq "create-directory with scim2: exit 1" 1 "$rc"
t_check "create-directory with scim2: says workspace-one only" grep -q 'workspace-one' <<<"$out"
"$SB" -c "$C" create-directory --name X >/dev/null 2>&1
t_eq "create-directory without --domain: usage, exit 2" 2 "$?"

# Issue 14: once it holds the secret, the CLI is not dumpable: no core, no
# ptrace or /proc/PID/mem by the same user (the kernel then gives the files
# in /proc/PID to root). Run as nobody with nobody's own secret, while the
# token endpoint holds the answer for 3 s.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	pub=$(mktemp -d /tmp/scimdump.XXXXXX); chmod 755 "$pub"
	cp "$TENANT_SECRET_FILE" "$pub/secret"; chown nobody "$pub/secret"; chmod 600 "$pub/secret"
	cp "$C" "$pub/conf"; conf_set "$pub/conf" client_secret_file "$pub/secret"; chmod 644 "$pub/conf"
	tenant_fault '{"match":"/SAAS/auth/oauthtoken","kind":"stall","times":1,"delay_ms":3000}'
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$SB" -c "$pub/conf" token >/dev/null 2>&1 &
	tpid=$!
	owner=""
	for _ in $(seq 20); do # until it has read the secret (bounded: 2 s)
		sleep 0.1
		owner=$(stat -c %u "/proc/$tpid/status" 2>/dev/null)
		[ "$owner" = 0 ] && break
	done
	wait "$tpid"
	t_eq "token as nobody: the process holding the secret is not dumpable (/proc/PID/status owned by root)" 0 "$owner"
	tenant_reset_faults
	rm -rf "$pub"
else
	t_skip "not dumpable (needs root and setpriv)"
fi
# A tenant failing with a hostile message (a terminal escape, a BEL, a
# newline that would start a line of its own): the FAIL line shows it as
# one line of printable text.
H=$T_TMP/hostile.conf; cp "$C" "$H"; conf_set "$H" timeout 2
tenant_fault '{"match":"/scim/Users","kind":"500","times":1000,"message":"evil\u001b]2;pwned\u0007\nOK     forged"}'
run_check hostile "$H"
tenant_reset_faults
t_check "hostile tenant message: the Users step FAILs and shows it" grep -qE '^FAIL +Users .*evil' <<<"$out"
t_eq "… with no control byte (ESC, BEL) from the tenant" 0 \
	"$(tr -d '\n' <<<"$out" | LC_ALL=C tr -cd '\000-\037\177' | wc -c)"
t_eq "… and no line of the tenant's own" 0 "$(grep -c '^OK     forged' <<<"$out")"
t_done
