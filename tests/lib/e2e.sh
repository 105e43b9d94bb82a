# e2e.sh — steps the root end-to-end suites share, each inside its own mount
# namespace (nothing on the host changes): the test nsswitch.conf, and a
# copy of /etc/pam.d with one service whose account stack is pam_scim.
# Needs testlib.sh (T_TMP, T_ROOT) sourced first.

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
