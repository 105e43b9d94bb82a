#!/bin/bash
# The modules carry no engine code (issue 15): no global symbol defined in the
# engine's archive (tenant/, mapping/, cachegen/, sync/), the relay's or
# oidc's appears in libnss_scim.so.2 or pam_scim.so. Both are linked unstripped
# with -fvisibility=hidden, so every object pulled in leaves its (local)
# names in the symbol table; the check first makes sure it can see them.
. "$(dirname "$0")/../lib/testlib.sh"
t_tmpdir
OBJ=$T_ROOT/build/obj
NSS=$T_ROOT/nss_module/libnss_scim.so.2
PAM=$T_ROOT/pam_module/pam_scim.so

# Global (upper-case type) symbols an archive defines, one a line, sorted.
archive_globals() { nm --defined-only "$1" 2>/dev/null | awk 'NF == 3 && $2 ~ /[A-Z]/ { print $3 }'; }

for a in libengine.a librelay.a liboidc.a; do
	t_check "$a is built" test -s "$OBJ/$a"
	archive_globals "$OBJ/$a" >>"$T_TMP/engine"
done
sort -u -o "$T_TMP/engine" "$T_TMP/engine"
n=$(wc -l <"$T_TMP/engine")
t_check "the engine archives define symbols ($n)" test "$n" -gt 100
# Known engine symbols, so that an empty or misread list cannot pass.
for s in sb_scim_client_new sb_map_build sb_cache_write sb_sync_full sb_status_write; do
	t_check "the engine list holds $s" grep -qx "$s" "$T_TMP/engine"
done

for so in "$NSS" "$PAM"; do
	name=$(basename "$so")
	nm "$so" 2>/dev/null | awk '{ print $NF }' | sort -u >"$T_TMP/$name"
	# Not stripped: the common code it does link is named in its table.
	t_check "$name has a symbol table (sb_cache_open_in is listed)" \
		grep -qx sb_cache_open_in "$T_TMP/$name"
	leaked=$(comm -12 "$T_TMP/engine" "$T_TMP/$name" | head -20 | tr '\n' ' ')
	t_eq "$name holds no engine symbol" "" "$leaked"
done
t_done
