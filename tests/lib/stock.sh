# stock.sh — a stock Debian host as an admin deploys the project, for the
# suites that run `make install` (stock_host.sh, device_ssh.sh): overlays
# over /etc, /usr and /var and a tmpfs over /run in the suite's private
# mount namespace (nothing on the real host changes), the install, the PAM
# profiles, the config at its default path, the installed daemon and a stock
# sshd. Needs e2e.sh's e2e_setup (testlib.sh, tenant.sh, daemon.sh).

# stock_overlay: everything after it writes only to the overlays' upper
# dirs (in T_TMP) and to /run; unmounted at exit. The suite fails and ends
# here when a mount fails.
stock_overlay() {
	local d
	for d in etc usr var; do
		mkdir -p "$T_TMP/ov/$d/upper" "$T_TMP/ov/$d/work"
		mount -t overlay overlay -o "lowerdir=/$d,upperdir=$T_TMP/ov/$d/upper,workdir=$T_TMP/ov/$d/work" "/$d" ||
			{ t_fail "overlay over /$d"; t_done; exit 1; }
	done
	mount -t tmpfs -o mode=0755 tmpfs /run || { t_fail "tmpfs over /run"; t_done; exit 1; }
	mkdir -m 0755 /run/sshd
	T_CLEANUP_HOOK="umount -l /run /var /usr /etc 2>/dev/null${T_CLEANUP_HOOK:+; $T_CLEANUP_HOOK}"
}

# stock_install: `make install` with the default paths; the suite fails and
# ends here (showing its output) when it fails.
stock_install() {
	if ! make -s install >"$T_TMP/install.log" 2>&1; then
		cat "$T_TMP/install.log"
		t_fail "make install"; t_done; exit 1
	fi
}

# stock_pam_enable PROFILE...: pam-auth-update --enable PROFILE...; the
# suite is skipped when the host's /etc/pam.d/common-* are not stock.
stock_pam_enable() {
	local out
	out=$(pam-auth-update --enable "$@" 2>&1)
	if grep -q 'Local modifications' <<<"$out"; then
		t_skip "this host's /etc/pam.d/common-* are not Debian's stock files ($out)"
		t_done; exit 0
	fi
}

# stock_conf ["key = value" ...]: the config at its default path against the
# local tenant (default cache and socket, the secret in /etc/scimbridge),
# and `scim` in nsswitch.conf for passwd and group.
stock_conf() {
	install -m 0600 -o root -g root "$TENANT_SECRET_FILE" /etc/scimbridge/client_secret
	tenant_conf /etc/scimbridge/scimbridge.conf workspace-one "refresh_interval = 3600" "timeout = 5" "$@"
	sed -i -e '/^\(cache_path\|socket_path\)[[:space:]]*=/d' \
		-e 's|^client_secret_file = .*|client_secret_file = /etc/scimbridge/client_secret|' \
		/etc/scimbridge/scimbridge.conf
	chmod 0644 /etc/scimbridge/scimbridge.conf
	sed -i -E 's/^(passwd|group):.*/& scim/' /etc/nsswitch.conf
}

# stock_daemon_start: the installed scimbridged with its default config
# (daemon.sh's daemon_start; DPID, log $T_TMP/daemon.log).
stock_daemon_start() {
	D=/usr/local/sbin/scimbridged daemon_start -
}

# stock_sshd_start: the installed sshd with the host's (overlaid)
# sshd_config on a free loopback port PORT, host key $T_TMP/hostkey; pid
# SPID, killed at exit. A t_fail when it does not listen within 20 s.
stock_sshd_start() {
	ssh-keygen -q -t ed25519 -N '' -f "$T_TMP/hostkey" || exit 1
	PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	/usr/sbin/sshd -D -e -p "$PORT" -o ListenAddress=127.0.0.1 -o PidFile=/run/sshd.pid \
		-h "$T_TMP/hostkey" 2>"$T_TMP/sshd.log" &
	SPID=$!
	T_CLEANUP_HOOK="kill $SPID 2>/dev/null; $T_CLEANUP_HOOK"
	t_wait_log "$T_TMP/sshd.log" 'listening' 1 20 "$SPID" || t_fail "sshd did not start"
}
