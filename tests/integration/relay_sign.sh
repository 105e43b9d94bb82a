#!/bin/bash
# Relay signatures against Debian's minisign (issue 16): `scimbridge keygen`
# writes a 0600 key and never overwrites one; a file our code signs verifies
# with `minisign -V -P <the printed key>`; `minisign -S` signs with our key
# file; a key and a signature made by minisign itself verify with our code;
# and an altered file, signature, trusted comment or global signature, or
# another key, is refused by both. No network, no root.
. "$(dirname "$0")/../lib/testlib.sh"
SB=${SCIMBRIDGE_CLI:-$T_ROOT/cli/scimbridge}
RS=${RELAYSIGN:-$T_ROOT/tests/bin/relaysign}
t_tmpdir
cd "$T_TMP" || exit 1
if ! command -v minisign >/dev/null; then
	t_skip "minisign is not installed (scripts/deps.sh installs it)"
	t_done
	exit 0
fi

# --- keygen
"$SB" keygen -o key >out 2>err
t_eq "keygen: exit 0" 0 "$?"
t_eq "keygen: the key file is mode 0600" 600 "$(stat -c %a key)"
PK=$(sed -n 's/^relay_public_key = \(RW[A-Za-z0-9+/]\{54\}\)$/\1/p' out)
t_check "keygen: prints 'relay_public_key = RW…' ($(cat out))" test -n "$PK"
t_check "keygen: names the key id and the file on stderr" grep -q "signing key [0-9A-F]\{16\} written to key" err
t_eq "keygen: the printed key is the key file's" "$PK" "$("$RS" pubkey key)"
cp key key.orig
"$SB" keygen -o key >/dev/null 2>err
t_eq "keygen over an existing file: exit 1" 1 "$?"
t_check "keygen over an existing file: says so" grep -q "never overwritten" err
t_check "keygen over an existing file: the file is unchanged" cmp -s key key.orig
"$SB" keygen >/dev/null 2>&1
t_eq "keygen without -o: usage error" 2 "$?"
t_check "keygen --help" "$SB" keygen --help
(umask 0; "$SB" keygen -o key.umask0 >/dev/null 2>&1)
t_eq "keygen under umask 0: still 0600" 600 "$(stat -c %a key.umask0)"

# --- our signature, minisign's verification
printf 'scimbridge-release 1\ndirectory fleet\ngeneration 7\n' >rel
t_check "relaysign signs with the keygen key" "$RS" sign key rel rel.minisig "generation:7"
out=$(minisign -Vm rel -P "$PK" 2>&1)
t_eq "minisign -V accepts our signature ($out)" 0 "$?"
t_check "minisign -V shows our trusted comment" grep -q "^Trusted comment: generation:7$" <<<"$out"
t_check "minisign -V -H accepts it (prehashed)" minisign -Vm rel -P "$PK" -H -q
t_check "our verify accepts our signature" "$RS" verify "$PK" rel rel.minisig

# --- minisign -S with our key file
printf 'another file\n' >other
t_check "minisign -S signs with our key file" minisign -S -s key -m other </dev/null
t_check "minisign -V accepts it against the keygen key" minisign -Vm other -P "$PK" -q
t_check "our verify accepts minisign's signature with our key" "$RS" verify "$PK" other other.minisig

# --- minisign's own key and signature
minisign -G -W -p mk.pub -s mk.key </dev/null >/dev/null 2>&1
t_eq "minisign -G -W made a key" 0 "$?"
t_check "minisign -S signs rel with its key" minisign -S -s mk.key -m rel -x rel.mk.minisig </dev/null
out=$("$RS" verify mk.pub rel rel.mk.minisig 2>&1)
t_eq "our verify accepts minisign's signature ($out)" 0 "$?"
t_eq "our code reads minisign's unencrypted secret key" "$(sed -n 2p mk.pub)" "$("$RS" pubkey mk.key)"
t_check "relaysign signs with minisign's key" "$RS" sign mk.key rel rel.ours-mk.minisig
t_check "minisign -V accepts that" minisign -Vm rel -x rel.ours-mk.minisig -p mk.pub -q
minisign -S -l -s mk.key -m rel -x rel.legacy.minisig </dev/null >/dev/null 2>&1
out=$("$RS" verify mk.pub rel rel.legacy.minisig 2>&1)
t_eq "a legacy (not prehashed) minisign signature is refused by our code" 1 "$?"
t_check "… saying so ($out)" grep -q "legacy" <<<"$out"

# --- tampering: both sides refuse
# both_refuse DESC FILE SIG PUBKEY NEEDLE
both_refuse() {
	local out
	minisign -Vm "$2" -x "$3" -P "$4" -q >/dev/null 2>&1
	t_check "$1: minisign refuses (exit $?)" test $? -ne 0
	out=$("$RS" verify "$4" "$2" "$3" 2>&1)
	t_eq "$1: our verify refuses" 1 "$?"
	t_check "$1: our reason says '$5' ($out)" grep -q "$5" <<<"$out"
}
# swap_char FILE LINE COL: another base64 character at LINE, COL.
swap_char() {
	awk -v l="$2" -v c="$3" 'NR == l { ch = substr($0, c, 1); n = (ch == "A") ? "B" : "A";
		$0 = substr($0, 1, c - 1) n substr($0, c + 1) } { print }' "$1"
}
cp rel rel.altered; printf 'x' >>rel.altered
both_refuse "a byte appended to the file" rel.altered rel.minisig "$PK" "does not verify"
swap_char rel.minisig 2 40 >sig.altered
both_refuse "the signature line altered" rel sig.altered "$PK" "does not verify"
swap_char rel.minisig 2 6 >sig.keyid
both_refuse "the key id in the signature altered" rel sig.keyid "$PK" "made by key"
sed 's/^trusted comment: generation:7$/trusted comment: generation:8/' rel.minisig >sig.tc
t_check "(the trusted comment was changed)" grep -q "generation:8" sig.tc
both_refuse "the trusted comment altered" rel sig.tc "$PK" "trusted comment was altered"
swap_char rel.minisig 4 20 >sig.global
both_refuse "the global signature altered" rel sig.global "$PK" "trusted comment"
"$SB" keygen -o key2 >out2 2>/dev/null
PK2=$(sed -n 's/^relay_public_key = //p' out2)
both_refuse "another key" rel rel.minisig "$PK2" "made by key"
both_refuse "minisign's signature, another key" rel rel.mk.minisig "$PK" "made by key"
both_refuse "minisign's signature, the file altered" rel.altered rel.mk.minisig "$(sed -n 2p mk.pub)" "does not verify"
head -c 100 rel.minisig >sig.cut
both_refuse "a signature cut short" rel sig.cut "$PK" "of 4 lines"
t_done
