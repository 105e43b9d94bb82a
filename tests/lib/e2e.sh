# e2e.sh — steps the root end-to-end suites share, each inside its own mount
# namespace (nothing on the host changes): the test nsswitch.conf, and a
# copy of /etc/pam.d with one service whose account stack is pam_scim.
# e2e_nsswitch and e2e_pam_service need testlib.sh (T_TMP, T_ROOT) sourced.

# passwd and group: files, then our module.
e2e_nsswitch() {
	[ -n "${SB_IN_NS:-}" ] && [ -d "${T_TMP:-}" ] || return 1
	printf 'passwd: files scim\ngroup: files scim\nshadow: files\nhosts: files\n' \
		>"$T_TMP/nsswitch.conf"
	mount --bind "$T_TMP/nsswitch.conf" /etc/nsswitch.conf
}

# e2e_pam_service NAME CONF: auth and session permit, account is pam_scim
# with CONF (user_unknown falls through to pam_permit), password denied.
e2e_pam_service() {
	[ -n "${SB_IN_NS:-}" ] && [ -d "${T_TMP:-}" ] || return 1
	cp -a /etc/pam.d "$T_TMP/pam.d"
	{
		echo "auth     required pam_permit.so"
		echo "account  [success=ok user_unknown=ignore default=bad] $T_ROOT/pam_module/pam_scim.so config=$2"
		echo "account  required pam_permit.so"
		echo "session  required pam_permit.so"
		echo "password required pam_deny.so"
	} >"$T_TMP/pam.d/$1"
	mount --bind "$T_TMP/pam.d" /etc/pam.d
}

# e2e_enter NAME "$@", before anything else: skips the suite unless root with
# unshare, else re-runs the calling script in a private mount namespace and
# returns there.
e2e_enter() {
	local name=$1
	shift
	if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null; then
		echo "skip - needs root and unshare"
		echo "$name: 0 passed, 0 failed, 1 skipped"
		exit 0
	fi
	[ -n "${SB_IN_NS:-}" ] || exec unshare -m env SB_IN_NS=1 bash "$0" "$@"
}
