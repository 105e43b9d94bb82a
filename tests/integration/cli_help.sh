#!/bin/bash
# `scimbridge --help` and `-h` print the usage with one line per command and
# exit 0 (issue 13: `--help` was "invalid option"); `COMMAND --help` prints
# that command's line; an unknown option is still a usage error (2).
. "$(dirname "$0")/../lib/testlib.sh"
SB=$T_ROOT/cli/scimbridge
for opt in --help -h; do
	out=$("$SB" $opt 2>&1)
	rc=$?
	t_eq "scimbridge $opt exits 0" 0 "$rc"
	t_check "scimbridge $opt prints the usage" grep -q '^usage: scimbridge' <<<"$out"
	for c in check sync status lookup token create-directory keys; do
		t_check "scimbridge $opt has a line for $c" grep -qE "^  $c +[^ ].*" <<<"$out"
	done
done
t_eq "scimbridge --help writes nothing to stderr" "" "$("$SB" --help 2>&1 >/dev/null)"
t_check "scimbridge -c FILE --help (after another option) exits 0" "$SB" -c /nonexistent --help
out=$("$SB" keys --help 2>&1)
t_eq "scimbridge keys --help exits 0" 0 "$?"
t_check "scimbridge keys --help says what keys does ($out)" grep -q 'SSH public keys' <<<"$out"
"$SB" --no-such-option >/dev/null 2>&1
t_eq "an unknown option is a usage error" 2 "$?"
t_done
