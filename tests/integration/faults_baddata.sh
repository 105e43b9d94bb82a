#!/bin/bash
# Issue #6, hostile data from the directory: names with ':' '/' newline or a
# leading '-', a 300-byte name, a 1 MB displayName, one user in 10,000
# groups, a cycle of nested groups, and uid attribute values that are
# negative, zero, text or out of range. Each must be skipped or clamped
# with a line saying so, the sync must succeed, and the good users must be
# served exactly as before. Issue 14: groups the host grants rights to by
# name (admin, docker, lxd, sudoers, wheel, …) and the admin's reserved_names
# are never served, though no local group has the name.
. "$(dirname "$0")/../lib/testlib.sh"
. "$T_ROOT/tests/lib/tenant.sh"
tenant_setup --dataset small
C=$T_TMP/c.conf
tenant_conf "$C" workspace-one
conf_set "$C" cache_path "$T_TMP/cache"
conf_set "$C" page_size 500
conf_set "$C" uid_attribute urn:scim:schemas:extension:enterprise:1.0:employeeNumber
conf_set "$C" reserved_names "ops, deploy"
uid_of() { "$SB" -c "$C" lookup "$1" 2>/dev/null | sed -n "s/^passwd: [^:]*:[*]:\([0-9]*\):.*/\1/p"; }

out=$("$SB" -c "$C" sync 2>&1) || { echo "$out"; t_fail "good sync before the bad data"; t_done; exit 1; }
declare -A before
for u in alice bob carol; do before[$u]=$(uid_of "$u"); done

long=$(printf 'a%.0s' $(seq 1 300))
okta create-user 'col:on' >/dev/null
okta create-user 'sla/sh' >/dev/null
okta create-user $'new\nline' >/dev/null
okta create-user -- '-dash' >/dev/null 2>&1 || okta create-user '-dash' >/dev/null
okta create-user "$long" >/dev/null
okta create-user uidneg --uid -5 >/dev/null
okta create-user uidzero --uid 0 >/dev/null
okta create-user uidtext --uid abc >/dev/null
okta create-user uidbig --uid 99999999999 >/dev/null
okta create-user uidok --uid 300123 >/dev/null
okta create-user bigname >/dev/null
okta create-user manygroups >/dev/null
okta create-group cyc-a >/dev/null; okta create-group cyc-b >/dev/null
okta add-group-member cyc-a cyc-b; okta add-group-member cyc-b cyc-a
okta add-member cyc-a alice
privileged="admin docker lxd sudoers wheel libvirt kvm plugdev lpadmin sambashare staff ops"
for g in $privileged; do
	okta create-group "$g" >/dev/null && okta add-member "$g" alice
done
okta create-user deploy >/dev/null

# A 1 MB displayName does not fit in one argv string: PATCH it directly.
tok=$("$SB" -c "$C" token | head -1)
bid=$(curl -s --cacert "$TENANT_CA" -H "Authorization: Bearer $tok" -G \
	--data-urlencode 'filter=userName eq "bigname"' \
	"$TENANT_URL/SAAS/jersey/manager/api/scim/Users" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p' | head -1)
head -c 1048576 /dev/zero | tr '\0' 'x' | sed 's/^/{"schemas":["urn:scim:schemas:core:1.0"],"displayName":"/; s/$/"}/' >"$T_TMP/big.json"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$TENANT_CA" -X PATCH \
	-H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
	--data-binary @"$T_TMP/big.json" "$TENANT_URL/SAAS/jersey/manager/api/scim/Users/$bid")
t_check "1 MB displayName stored in the tenant (HTTP $code)" test "${code:0:1}" = 2

# 10,000 groups holding one user: through the driver's bulk helper.
if okta help 2>&1 | grep -q bulk-groups; then
	okta bulk-groups manygroups 10000 >/dev/null
	have_many=1
else
	t_skip "10,000 groups: the okta driver has no bulk-groups helper"
	have_many=0
fi

out=$("$SB" -v -c "$C" sync 2>&1); rc=$?
echo "$out" | cut -c1-300 | head -60
t_eq "sync with the bad data succeeds" 0 "$rc"
for u in 'col:on' 'sla/sh' '-dash'; do
	"$SB" -c "$C" lookup -- "$u" >/dev/null 2>&1 || "$SB" -c "$C" lookup "$u" >/dev/null 2>&1
	t_eq "'$u' not served" 2 "$?"
done
t_check "a line names each skip (':')" grep -q 'col:on' <<<"$out"
t_check "a line names each skip ('/')" grep -q 'sla/sh' <<<"$out"
t_check "a line names each skip ('-')" grep -q -- '-dash' <<<"$out"
"$SB" -c "$C" lookup $'new\nline' >/dev/null 2>&1; t_eq "name with a newline not served" 2 "$?"
"$SB" -c "$C" lookup "$long" >/dev/null 2>&1; t_eq "300-byte name not served" 2 "$?"
t_check "the 300-byte name is reported as skipped" grep -qE 'skipped user aaaaaaaa.*not a portable' <<<"$out"

l=$("$SB" -c "$C" lookup bigname 2>&1)
t_check "1 MB displayName: user served" grep -q '^passwd: bigname:' <<<"$l"
gl=$(sed -n 's/^passwd: \([^:]*:\)\{4\}\([^:]*\):.*/\2/p' <<<"$l" | wc -c)
t_check "1 MB displayName: GECOS clamped (< 4 KB, got $gl)" test "$gl" -lt 4096

t_eq "uid attribute 300123 used" 300123 "$(uid_of uidok)"
for u in uidneg uidzero uidtext uidbig; do
	v=$(uid_of "$u")
	if [ -z "$v" ]; then
		t_check "$u: skipped with a line" grep -q "$u" <<<"$out"
	else
		t_check "$u: uid $v in [200000, 1999999999], not taken from the bad value" \
			test "$v" -ge 200000 -a "$v" -le 1999999999
	fi
done
for v in -5 0 abc 99999999999; do
	t_check "bad uid value '$v' reported" grep -qE -- "(employeeNumber|uid).*'?$v'?|'?$v'?.*(uid|employeeNumber)" <<<"$out"
done

l=$("$SB" -c "$C" lookup alice)
for g in $privileged; do
	t_check "privileged group '$g' from the tenant not served" bash -c "! grep -qw -- '$g' <<<\"\$(sed -n 's/^groups://p' <<<'$l')\""
	t_check "… and its skip is logged as reserved" grep -qE "skipped group .*\($g\): reserved" <<<"$out"
done
"$SB" -c "$C" lookup deploy >/dev/null 2>&1; t_eq "user named in reserved_names not served" 2 "$?"
t_check "group cycle: sync ends and alice is in cyc-a" grep -q 'cyc-a(' <<<"$l"
t_check "group cycle: alice is in cyc-b through the cycle" grep -q 'cyc-b(' <<<"$l"
if [ "$have_many" = 1 ]; then
	n=$("$SB" -c "$C" lookup manygroups | sed -n 's/^groups://p' | wc -w)
	t_check "user in 10,000 groups: served with its groups (got $n)" test "$n" -ge 1000
fi
for u in alice bob carol; do
	t_eq "good user $u keeps uid ${before[$u]}" "${before[$u]}" "$(uid_of "$u")"
done

# Issue 14: what a tenant may send is bounded (max_resources Users or
# Groups, max_listing_mib MiB of answers per listing); past a bound the sync
# fails saying which, and the last good cache stays byte for byte.
cp "$T_TMP/cache" "$T_TMP/cache.good"
B=$T_TMP/bounds.conf
cp "$C" "$B"; conf_set "$B" max_resources 10
out=$("$SB" -c "$B" sync 2>&1); rc=$?
t_check "more Users than max_resources: sync fails (exit $rc)" test "$rc" -ne 0
t_check "… saying so ($(echo "$out" | tail -1 | cut -c1-160))" grep -q 'more than 10 Users (max_resources)' <<<"$out"
t_check "… and the last good cache stays" cmp -s "$T_TMP/cache" "$T_TMP/cache.good"
cp "$C" "$B"; conf_set "$B" max_listing_mib 1 # the 1 MB displayName above
out=$("$SB" -c "$B" sync 2>&1); rc=$?
t_check "a Users listing past max_listing_mib: sync fails (exit $rc)" test "$rc" -ne 0
t_check "… saying so ($(echo "$out" | tail -1 | cut -c1-160))" grep -q 'Users listing passed 1 MiB (max_listing_mib)' <<<"$out"
t_check "… and the last good cache stays" cmp -s "$T_TMP/cache" "$T_TMP/cache.good"
t_done
