# e2e.sh — steps the root end-to-end suites share, each inside its own mount
# namespace (nothing on the host changes): entering the namespace, the
# suite's common start (e2e_setup), the test nsswitch.conf, a copy of
# /etc/pam.d with one service whose account stack is pam_scim, a real sshd
# and an ssh login with a key. stock.sh adds what the suites that install
# the project share. All but e2e_enter, e2e_need and e2e_setup need
# testlib.sh (T_TMP, T_ROOT) sourced, as e2e_setup does.
E2E_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

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

# e2e_host CONF [SERVICE]: the suite's host: SCIMBRIDGE_CONF=CONF exported,
# the test nsswitch.conf, and the PAM service SERVICE (scimtest) with
# pam_scim on CONF. The suite ends here when a bind mount fails.
e2e_host() {
	export SCIMBRIDGE_CONF=$1
	e2e_nsswitch || exit 1
	e2e_pam_service "${2:-scimtest}" "$1" || exit 1
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
	# The suites act as root outside any login session, as sshd and login
	# do: run from a user's session (sudo make check) the daemon would
	# otherwise take every request for that user's (requests.c, loginuid).
	echo 4294967295 >/proc/self/loginuid 2>/dev/null || true
}

# e2e_need NAME TOOL...: before e2e_enter, skips the suite unless every TOOL
# is there.
e2e_need() {
	local name=$1 tool
	shift
	for tool in "$@"; do
		command -v "$tool" >/dev/null && continue
		echo "skip - needs $tool"
		echo "$name: 0 passed, 0 failed, 1 skipped"
		exit 0
	done
}

# e2e_setup, right after e2e_enter: testlib.sh, tenant.sh and daemon.sh
# sourced, a scratch T_TMP, the checkout as working directory, SB the CLI
# ($SCIMBRIDGE_CLI when set), D the daemon, libnss_scim found through
# LD_LIBRARY_PATH.
e2e_setup() {
	. "$E2E_LIB/testlib.sh"
	. "$E2E_LIB/tenant.sh"
	. "$E2E_LIB/daemon.sh"
	t_tmpdir
	cd "$T_ROOT" || exit 1
	SB=${SCIMBRIDGE_CLI:-$T_ROOT/cli/scimbridge}
	export LD_LIBRARY_PATH=$T_ROOT/nss_module
}

# e2e_sshd_keys PORT KEYS_COMMAND: a real sshd on 127.0.0.1:PORT, UsePAM,
# keys only from KEYS_COMMAND (run as nobody), host key $T_TMP/hostkey; /run
# a tmpfs private to the namespace (sshd wants /run/sshd). Its log is
# $T_TMP/sshd.log, its pid SPID, killed at exit; waits 5 s at most for it
# to listen. Fails only when /run cannot be mounted.
e2e_sshd_keys() {
	cat >"$T_TMP/sshd_config" <<EOF2
Port $1
ListenAddress 127.0.0.1
HostKey $T_TMP/hostkey
PidFile $T_TMP/sshd.pid
UsePAM yes
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthorizedKeysFile none
AuthorizedKeysCommand $2
AuthorizedKeysCommandUser nobody
StrictModes no
LogLevel VERBOSE
EOF2
	mount -t tmpfs -o mode=0755 tmpfs /run || return 1
	mkdir -m 0755 /run/sshd
	SSHD=$(command -v sshd || echo /usr/sbin/sshd)
	"$SSHD" -D -e -f "$T_TMP/sshd_config" 2>"$T_TMP/sshd.log" &
	SPID=$!
	T_CLEANUP_HOOK="kill $SPID 2>/dev/null; $T_CLEANUP_HOOK"
	t_wait_log "$T_TMP/sshd.log" listening 1 5 "$SPID"
	return 0
}

# e2e_ssh_key_login PORT USER: ssh to 127.0.0.1:PORT as USER with the key
# $T_TMP/key, no prompt; prints "logged in as USER" or ssh's error.
e2e_ssh_key_login() {
	ssh -i "$T_TMP/key" -p "$1" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o BatchMode=yes -o ConnectTimeout=10 -o LogLevel=ERROR "$2@127.0.0.1" \
		'echo "logged in as $USER"' 2>&1
}
