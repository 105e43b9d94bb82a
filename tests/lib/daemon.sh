# daemon.sh — run scimbridged for a suite: start it in the foreground of a
# background job with its log in a file, stop it, wait for its socket.
# Needs testlib.sh sourced (T_TMP, T_ROOT, T_CLEANUP_HOOK). D is the daemon
# binary ($SCIMBRIDGED, a sanitizer build, when set).
D=${SCIMBRIDGED:-$T_ROOT/daemon/scimbridged}
DPID=""

# daemon_start CONF [LOG] [OPTIONS...]: scimbridged -f OPTIONS -c CONF (CONF
# "-": no -c, the default config), its stderr appended to LOG
# ($T_TMP/daemon.log by default); the pid in DPID. A daemon this started
# before is stopped first; the last one is killed at exit.
daemon_start() {
	local conf=$1 log=${2:-$T_TMP/daemon.log}
	shift
	[ $# -gt 0 ] && shift
	[ "$conf" = - ] || set -- "$@" -c "$conf"
	daemon_stop
	"$D" -f "$@" 2>>"$log" &
	DPID=$!
	case "${T_CLEANUP_HOOK:-}" in
	*daemon_kill*) ;;
	*) T_CLEANUP_HOOK="daemon_kill${T_CLEANUP_HOOK:+; $T_CLEANUP_HOOK}" ;;
	esac
}

# daemon_kill: SIGTERM to the running daemon, not waited for (the exit hook).
daemon_kill() { [ -n "$DPID" ] && kill "$DPID" 2>/dev/null; }

# daemon_stop: SIGTERM, then waits for it to end.
daemon_stop() {
	[ -n "$DPID" ] || return 0
	kill "$DPID" 2>/dev/null
	wait "$DPID" 2>/dev/null
	DPID=""
}

# daemon_wait_socket PATH [SECONDS]: true once PATH is a socket, polled
# every 0.1 s for at most SECONDS (5).
daemon_wait_socket() {
	for _ in $(seq $((${2:-5} * 10))); do
		[ -S "$1" ] && return 0
		sleep 0.1
	done
	[ -S "$1" ]
}
