# oidc.sh — start the local OpenID provider (tests/tenant/oidc.js) next to
# the tenant, for the device sign-in suites (issue 17). Source after
# testlib.sh and tenant.sh, and call tenant_start first: the provider's
# accounts are that tenant's users, and it reuses its CA and certificate.
OIDC_PID=""

# oidc_start [--interval S] [--device-ttl S]
oidc_start() {
	local interval=1 ttl=600 line
	while [ $# -gt 0 ]; do
		case $1 in
		--interval) interval=$2; shift 2 ;;
		--device-ttl) ttl=$2; shift 2 ;;
		*) echo "oidc_start: unknown option $1" >&2; return 2 ;;
		esac
	done
	[ -n "${TENANT_DIR:-}" ] || { echo "oidc_start: call tenant_start first" >&2; return 2; }
	[ -n "$OIDC_PID" ] && oidc_stop
	OIDC_CLIENT_ID=scimbridge-host
	node "$TENANT_HOME/oidc.js" --cert "$TENANT_DIR/server.pem" --key "$TENANT_DIR/server.key" \
		--ca "$TENANT_CA" --tenant "$TENANT_URL" --client-id "$TENANT_CLIENT_ID" \
		--secret-file "$TENANT_SECRET_FILE" --interval "$interval" --device-ttl "$ttl" \
		--public-client "$OIDC_CLIENT_ID" >"$TENANT_DIR/oidc.log" 2>&1 &
	OIDC_PID=$!
	line=$(_listening_line "$TENANT_DIR/oidc.log" "$OIDC_PID" "oidc_start: the provider") || return 1
	set -- $line
	OIDC_ISSUER=$4
	OIDC_CTL="http://127.0.0.1:$3"
	export OIDC_ISSUER OIDC_CTL OIDC_CLIENT_ID
	# stopped before the tenant, whose directory holds the provider's log
	T_CLEANUP_HOOK="oidc_stop${T_CLEANUP_HOOK:+; $T_CLEANUP_HOOK}"
}

oidc_stop() {
	if [ -n "$OIDC_PID" ]; then
		kill "$OIDC_PID" 2>/dev/null
		wait "$OIDC_PID" 2>/dev/null
		OIDC_PID=""
	fi
}

# The config lines for this provider (append to tenant_conf's arguments).
oidc_conf_lines() {
	echo "oidc_issuer = $OIDC_ISSUER"
	echo "oidc_client_id = ${1:-$OIDC_CLIENT_ID}"
	echo "device_login = yes"
}

# oidc_ctl PATH [JSON]: GET /stats, else POST JSON (default {}) to the
# provider's control; fails on an HTTP error.
oidc_ctl() {
	if [ "$1" = /stats ]; then
		curl -sSf --max-time 10 "$OIDC_CTL$1"
	else
		curl -sSf --max-time 10 -X POST -H 'Content-Type: application/json' -d "${2:-{\}}" "$OIDC_CTL$1"
	fi
}
