#!/bin/bash
# Issue 18: SCIM servers that nobody here wrote, as tests/tenant's switches
# (tests/tenant/behave.js) imitate them — count capped below page_size with
# totalResults = the page's length (scim2-server), 404 past the end
# (Workspace ONE), filters ignored (django-scim2), no meta.lastModified, and
# filters Workspace ONE does not document refused — alone and combined, in
# both dialects, with name_format %u and %l. Every case asserts that no user
# is lost without a non-zero exit and a message naming what the server did:
#   1. `scimbridge sync` reads every user (or fails saying why);
#   2. miss lookups through the daemon: getent (NSS) and a PAM live check of
#      a user created after the sync, e-mail userNames under %l included;
#   3. incremental syncs: a deactivation and a new user reach the cache within
#      one refresh_interval, by an incremental read where the server honours
#      its filter and by a full one, said in the log and `status`, where not.
. "$(dirname "$0")/../lib/e2e.sh"
e2e_enter e2e/interop "$@"
e2e_setup

# 60 users u000001… and 6 groups, plus 5 users whose userName is an e-mail
# address: 65 users, of which %u can map 60 and %l all 65.
tenant_start --dataset 60 || exit 1
for i in 1 2 3 4 5; do okta create-user "mail$i@example.com" >/dev/null; done
# The data set's users have no domain of their own: no domain filter here.
mkconf() { # mkconf FILE DIALECT FORMAT PAGE_SIZE
	tenant_conf "$1" "$2" "name_format = $3" "page_size = $4" "timeout = 3"
	sed -i '/^domain = /d' "$1"
	conf_set "$1" cache_path "$T_TMP/cache.$(basename "$1")"
}

# --- 1. full sync -------------------------------------------------------
# sync_case LABEL DIALECT FORMAT PAGE_SIZE BEHAVIOUR MAPPED
sync_case() {
	local label=$1 dialect=$2 fmt=$3 ps=$4 behave=$5 mapped=$6 c out rc
	c=$T_TMP/sync.conf
	mkconf "$c" "$dialect" "$fmt" "$ps"
	tenant_reset_behaviour
	[ "$behave" = "{}" ] || tenant_behave "$behave"
	out=$("$SB" -c "$c" sync 2>&1); rc=$?
	echo "--- $label: $dialect $fmt page_size=$ps $behave (exit $rc)"; echo "$out" | grep -E 'users:|warning|fail|time:'
	t_eq "sync, $label ($dialect, $fmt, page_size $ps): exit 0" 0 "$rc"
	t_eq "… no sanitizer report" 0 "$(grep -c Sanitizer <<<"$out")"
	t_check "… all 65 users read, $mapped mapped" grep -qE "^users: +$mapped mapped .* 65 read" <<<"$out"
	t_check "… all 6 groups read" grep -qE "^groups: .* 6 read" <<<"$out"
	case $behave in
	*cap*) t_check "… and a warning names the server's capping" grep -q "caps count" <<<"$out" ;;
	esac
	return 0
}
for dialect in workspace-one scim2; do
	for fmt in %u %l; do
		mapped=60; [ "$fmt" = %l ] && mapped=65
		sync_case "well-behaved" "$dialect" "$fmt" 100 '{}' $mapped
		sync_case "count capped at 50, totalResults = page length" "$dialect" "$fmt" 100 '{"cap":50}' $mapped
		sync_case "lists that are exact multiples of page_size (65 = 13 x 5; 404 past the end on ws1)" "$dialect" "$fmt" 5 '{}' $mapped
		sync_case "cap 4 under page_size 5, with 404 past the end" "$dialect" "$fmt" 5 '{"cap":4}' $mapped
		sync_case "filters ignored, no meta.lastModified" "$dialect" "$fmt" 100 '{"ignore_filter":true,"no_last_modified":"both"}' $mapped
	done
done
tenant_reset_behaviour

# Requests: a list that ends on a short page after a full one costs no
# extra read; a list that is an exact multiple costs one (the read past its
# end is the only evidence that totalResults was not too small).
c=$T_TMP/count.conf
mkconf "$c" workspace-one %u 10
tenant_reset_stats
"$SB" -c "$c" sync >/dev/null 2>&1
n=$(tenant_stats | sed 's/.*"requests":\([0-9]*\).*/\1/')
t_eq "65 users and 6 groups at page_size 10: token + 7 Users pages + 1 Groups page" 9 "$n"
conf_set "$c" page_size 5
tenant_reset_stats
"$SB" -c "$c" sync >/dev/null 2>&1
n=$(tenant_stats | sed 's/.*"requests":\([0-9]*\).*/\1/')
t_eq "… at page_size 5 (Users an exact multiple): token + 13 Users pages + 1 (404) + 2 Groups pages" 17 "$n"

# --- 2. miss lookups through the daemon: NSS and PAM ----------------------
# A user created after the daemon's sync must resolve (getent, through
# libnss_scim and the daemon) and pass a live PAM account check, under %u
# (userName "newuN") and %l (userName "newlN@example.com", login "newlN").
CUR=$T_TMP/cur.conf
e2e_host "$CUR"
daemon_up() { # daemon_up CONF LOG: up, first sync done (bounded)
	daemon_start "$1" "$2"
	for _ in $(seq 300); do grep -q 'sync: ' "$2" && [ -S "$T_TMP/sock" ] && break; sleep 0.1; done
}
n=0
for dialect in workspace-one scim2; do
	for fmt in %u %l; do
		for behave in '{}' '{"cap":50}'; do
			n=$((n + 1))
			mkconf "$CUR" "$dialect" "$fmt" 100
			conf_set "$CUR" socket_path "$T_TMP/sock"
			conf_set "$CUR" refresh_interval 3600
			tenant_reset_behaviour
			[ "$behave" = "{}" ] || tenant_behave "$behave"
			rm -f "$T_TMP/sock"
			daemon_up "$CUR" "$T_TMP/miss.$n.log"
			if [ "$fmt" = %u ]; then user=newu$n; login=newu$n; else user=newl$n@example.com; login=newl$n; fi
			okta create-user "$user" --display "New $n" >/dev/null
			label="$dialect, $fmt, $behave: $user"
			r=$(getent passwd "$login")
			t_check "miss lookup ($label): getent passwd $login resolves ($r)" grep -q "^$login:[*]:.*:New $n:" <<<"$r"
			okta create-user "pam$user" --display "Pam $n" >/dev/null
			r=$(pamtester scimtest "pam$login" acct_mgmt 2>&1)
			t_check "miss + live check ($label): pam$login passes PAM ($r)" grep -q 'management done' <<<"$r"
			t_check "… as a directory user the check found (not one PAM let through as unknown)" \
				bash -c "getent passwd pam$login | grep -q ':Pam $n:'"
			okta deactivate "pam$user" >/dev/null
			r=$(pamtester scimtest "pam$login" acct_mgmt 2>&1)
			t_check "… deactivated: refused live ($r)" grep -qi 'expired' <<<"$r"
			daemon_stop
		done
	done
done
tenant_reset_behaviour

# --- 3. incremental syncs --------------------------------------------------
# The daemon's first read is full; refresh_interval = 10 s later comes an
# incremental one. Between them Okta deactivates a user and creates one; both
# must be in the cache after that cycle, by an incremental read where the
# server honours `meta.lastModified gt`, else by a full read that the log and
# `status` explain.
reads() { grep -cE 'sync: [0-9]+ users, [0-9]+ groups read|incremental sync: changes' "$1"; }
# incr_case N DIALECT FORMAT BEHAVIOUR EXPECT(incremental|full) LOG_REGEX
incr_case() {
	local n=$1 dialect=$2 fmt=$3 behave=$4 want=$5 re=$6 log=$T_TMP/incr.$1.log user login victim st label
	label="$dialect, $fmt, $behave"
	mkconf "$CUR" "$dialect" "$fmt" 100
	conf_set "$CUR" socket_path "$T_TMP/sock"
	conf_set "$CUR" refresh_interval 10
	tenant_reset_behaviour
	[ "$behave" = "{}" ] || tenant_behave "$behave"
	rm -f "$T_TMP/sock"
	daemon_up "$CUR" "$log"
	victim=$(printf 'u%06d' "$n")
	if [ "$fmt" = %u ]; then user=incr$n; login=incr$n; else user=incr$n@example.com; login=incr$n; fi
	okta deactivate "$victim"
	okta create-user "$user" --display "Incr $n" >/dev/null
	for _ in $(seq 300); do [ "$(reads "$log")" -ge 2 ] && break; sleep 0.1; done
	st=$("$SB" -c "$CUR" status 2>&1)
	daemon_stop
	echo "--- incremental, $label"; grep -E 'sync' "$log" | tail -3; grep 'daemon reads' <<<"$st"
	t_check "incremental ($label): a second read within refresh_interval" test "$(reads "$log")" -ge 2
	t_check "… the user created meanwhile is in the cache" bash -c "'$SB' -c '$CUR' lookup $login | grep -q 'Incr $n'"
	t_check "… the user deactivated meanwhile is inactive in the cache" bash -c "'$SB' -c '$CUR' lookup $victim | grep -q '^active: no'"
	t_check "… the log says: /$re/" grep -qE "$re" "$log"
	if [ "$want" = incremental ]; then
		t_check "… status: incremental reads" grep -q 'daemon reads: *incremental' <<<"$st"
	else
		t_check "… status: full reads only, and why" grep -q 'daemon reads: *full reads only: ..' <<<"$st"
	fi
	okta reactivate "$victim" >/dev/null
	return 0
}
incr_case 1 workspace-one %u '{}' incremental 'incremental sync: changes since'
incr_case 2 scim2 %l '{}' incremental 'incremental sync: changes since'
incr_case 3 workspace-one %l '{"ignore_filter":"lastModified"}' full 'not trusted: .*ignores the filter'
incr_case 4 scim2 %u '{"ignore_filter":"lastModified"}' full 'not trusted: .*ignores the filter'
incr_case 5 scim2 %l '{"no_last_modified":"Groups"}' full 'skipped: 0 of [0-9]+ users and [0-9]+ of [0-9]+ groups carry no meta.lastModified'
incr_case 6 workspace-one %u '{"no_last_modified":"both","cap":50}' full 'skipped: [0-9]+ of [0-9]+ users .* carry no meta.lastModified'
incr_case 7 scim2 %l '{"spc_filter":false}' full 'skipped: .*filter.supported is false'
incr_case 8 scim2 %u '{"ignore_filter":"lastModified","cap":50}' full 'not trusted: .*ignores the filter'
tenant_reset_behaviour

# A tenant that ignores every filter: a miss lookup cannot find a new user.
# The daemon says so once it has seen the tenant ignore its filter, and the
# user arrives with the next cycle, a full read.
mkconf "$CUR" workspace-one %l 100
conf_set "$CUR" socket_path "$T_TMP/sock"
conf_set "$CUR" refresh_interval 10
conf_set "$CUR" negative_ttl 1
tenant_behave '{"ignore_filter":true}'
rm -f "$T_TMP/sock"
log=$T_TMP/ignored.log
daemon_up "$CUR" "$log"
for _ in $(seq 300); do [ "$(reads "$log")" -ge 2 ] && break; sleep 0.1; done
okta create-user "lost1@example.com" --display "Lost One" >/dev/null
r=$(getent passwd lost1)
t_eq "filters ignored: a miss lookup cannot find lost1 ($r)" "" "$r"
t_check "… and the daemon log says why" grep -q 'lookup lost1: not found, but the tenant may not apply filters' "$log"
for _ in $(seq 300); do [ "$(reads "$log")" -ge 3 ] && break; sleep 0.1; done
t_check "… lost1 is in the cache after the next cycle (a full read)" bash -c "'$SB' -c '$CUR' lookup lost1 | grep -q 'Lost One'"
daemon_stop
tenant_reset_behaviour

# With SCIMBRIDGED pointing at the ASan+UBSan build, every daemon above ran
# under it: none may have reported.
t_check "no sanitizer report in any daemon log" bash -c "! grep -l Sanitizer '$T_TMP'/*.log"

t_done
