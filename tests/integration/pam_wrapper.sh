#!/bin/bash
# pam_scim.so's account decision for every branch, without root: cwrap's
# pam_wrapper loads a test service naming the built module, libpamtest runs
# pam_acct_mgmt (tests/bin/pamtest_account). No daemon runs here, so each
# answer is the cached decision the module falls back to; the live path is
# covered by tests/e2e/login_e2e.sh and sshd_login.sh.
. "$(dirname "$0")/../lib/testlib.sh"
t_tmpdir
cd "$T_ROOT" || exit 1
export PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR=$T_TMP/pam.d
mkdir -p "$PAM_WRAPPER_SERVICE_DIR"
tests/bin/mkcache "$T_TMP/young" 20 5 || exit 1
tests/bin/mkcache -A 200000 "$T_TMP/old" 20 5 || exit 1

# service NAME CONFIG-LINES...: a config and a service file using it
service() {
	local name=$1
	shift
	{
		echo "socket_path = $T_TMP/no-daemon.sock"
		for l in "$@"; do echo "$l"; done
	} >"$T_TMP/$name.conf"
	echo "account required $T_ROOT/pam_module/pam_scim.so config=$T_TMP/$name.conf" \
		>"$PAM_WRAPPER_SERVICE_DIR/$name"
}
check() { # SERVICE USER EXPECTED DESCRIPTION
	local out
	out=$(LD_PRELOAD=libpam_wrapper.so tests/bin/pamtest_account "$1" "$2" "$3" 2>&1)
	t_check "$4 ($out)" test $? -eq 0
}

# A daemon that does not run is not an unreachable tenant: by default
# (daemon_down = deny) the login is refused and the log says why.
service down "cache_path = $T_TMP/young"
check down u000001 authinfo_unavail "daemon not running, daemon_down = deny (default): PAM_AUTHINFO_UNAVAIL"
service young "cache_path = $T_TMP/young" "daemon_down = cache"
check young u000001 success "active user, daemon down, daemon_down = cache, young cache: allowed"
check young u000010 acct_expired "deactivated user: PAM_ACCT_EXPIRED"
out=$(LD_PRELOAD=libpam_wrapper.so tests/bin/pamtest_account young u000010 acct_expired)
t_check "… and the user is told through the conversation ($out)" grep -q "deactivated" <<<"$out"
check young nosuchuser user_unknown "not a directory user: PAM_USER_UNKNOWN"
check young root user_unknown "root (a local account): PAM_USER_UNKNOWN, never decided by the tenant"
# primary_group = a local group below the id floor: every user has its gid
# (mkcache -P); without the setting the user is unknown, with it decided.
read -r lgroup lgid < <(awk -F: '$3 > 0 && $3 < 1000 { print $1, $3; exit }' /etc/group)
tests/bin/mkcache -P "$lgid" "$T_TMP/primary" 20 5 || exit 1
service noprimary "cache_path = $T_TMP/primary" "daemon_down = cache"
check noprimary u000001 user_unknown "gid $lgid without primary_group: not served, PAM_USER_UNKNOWN"
service primary "cache_path = $T_TMP/primary" "primary_group = $lgroup" "daemon_down = cache"
check primary u000001 success "primary_group = $lgroup (gid $lgid): active user allowed"
check primary u000010 acct_expired "primary_group = $lgroup: deactivated user PAM_ACCT_EXPIRED"
# A cache the reader refuses (its directory 0777, issue 14): the module
# decides as without a cache for any name not in /etc/passwd (a local
# account never reaches the cache); the refusal's log line went through a
# NULL sb_err and killed the PAM application (SIGSEGV) for those names.
mkdir -m 777 "$T_TMP/open"
cp "$T_TMP/young" "$T_TMP/open/cache"
service refused "cache_path = $T_TMP/open/cache"
check refused u000001 authinfo_unavail "cache in a 0777 directory: directory user AUTHINFO_UNAVAIL, no crash"
check refused notlocal authinfo_unavail "cache in a 0777 directory: a name in neither /etc/passwd nor the cache: AUTHINFO_UNAVAIL, no crash"
lname=$(awk -F: '$1 != "root" { print $1; exit }' /etc/passwd)
check refused "$lname" user_unknown "cache in a 0777 directory: local account $lname PAM_USER_UNKNOWN"
check refused root user_unknown "cache in a 0777 directory: root PAM_USER_UNKNOWN"
# what the shared code logs (here the refused cache) goes to syslog, never to
# the PAM application's stderr, which is su's or login's terminal
err=$(LD_PRELOAD=libpam_wrapper.so tests/bin/pamtest_account refused u000001 authinfo_unavail 2>&1 >/dev/null)
t_check "nothing of the module's on the application's stderr (got '$err')" \
	sh -c '! grep -q "scimbridge\|pam_scim\|refused\|error" <<EOF
$1
EOF' _ "$err"
service allowed "cache_path = $T_TMP/young" "allowed_groups = g00001" "daemon_down = cache"
check allowed u000002 perm_denied "not in allowed_groups: PAM_PERM_DENIED"
check allowed u000001 success "in allowed_groups: allowed"
service old "cache_path = $T_TMP/old" "offline_grace = 86400" "daemon_down = cache"
check old u000001 authinfo_unavail "daemon down, cache older than offline_grace: PAM_AUTHINFO_UNAVAIL"
service nolive "cache_path = $T_TMP/old" "live_check = no"
check nolive u000001 success "live_check = no: the cached state, whatever its age"
service missing "cache_path = $T_TMP/none"
check missing u000001 authinfo_unavail "no cache and no daemon: PAM_AUTHINFO_UNAVAIL"
echo "unknown_key = 1" >"$T_TMP/bad.conf"
echo "account required $T_ROOT/pam_module/pam_scim.so config=$T_TMP/bad.conf" >"$PAM_WRAPPER_SERVICE_DIR/bad"
check bad u000001 authinfo_unavail "unreadable or bad config: PAM_AUTHINFO_UNAVAIL"

# valgrind memcheck over the module's branches (an ASan build cannot be
# used: pam_wrapper dlopens libpam with RTLD_DEEPBIND, which ASan refuses).
if command -v valgrind >/dev/null; then
	for c in "young u000010 acct_expired" "allowed u000002 perm_denied" \
		"old u000001 authinfo_unavail" "bad u000001 authinfo_unavail"; do
		# shellcheck disable=SC2086 # c is "SERVICE USER EXPECTED"
		out=$(LD_PRELOAD=libpam_wrapper.so valgrind -q --error-exitcode=9 --leak-check=full \
			--errors-for-leak-kinds=definite tests/bin/pamtest_account $c 2>&1)
		rc=$?
		t_check "valgrind memcheck, $c: clean, as expected ($(tail -1 <<<"$out"))" test "$rc" -eq 0
	done
else
	t_skip "valgrind not installed"
fi
t_done
