# tenant.sh — start the local tenant (tests/tenant) for a suite and talk to
# it. Source after testlib.sh. See tests/tenant/README.md.
TENANT_HOME=$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/../tenant" && pwd)
TENANT_PID=""

_tenant_certs() {
	local d=$1
	openssl ecparam -name prime256v1 -genkey -noout -out "$d/ca.key" 2>/dev/null &&
		openssl req -x509 -new -key "$d/ca.key" -subj /CN=scimbridge-test-ca -days 2 \
			-out "$d/ca.pem" 2>/dev/null &&
		openssl ecparam -name prime256v1 -genkey -noout -out "$d/server.key" 2>/dev/null &&
		openssl req -new -key "$d/server.key" -subj /CN=127.0.0.1 -out "$d/server.csr" 2>/dev/null &&
		printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$d/ext.cnf" &&
		openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
			-CAcreateserial -days 2 -extfile "$d/ext.cnf" -out "$d/server.pem" 2>/dev/null
}

# _listening_line LOG PID WHO: prints the LISTENING line a server of
# tests/tenant writes to LOG once it listens, waited for 30 s at most while
# PID runs; else says that WHO did not start, shows LOG, and fails.
_listening_line() {
	local line
	for _ in $(seq 1 300); do
		line=$(grep -m1 '^LISTENING' "$1" 2>/dev/null)
		[ -n "$line" ] && { echo "$line"; return 0; }
		kill -0 "$2" 2>/dev/null || break
		sleep 0.1
	done
	echo "$3 did not start:" >&2
	cat "$1" >&2
	return 1
}

# tenant_start [--dataset small|large|N] [--token-ttl S]
tenant_start() {
	local dataset=small ttl=21599 line
	while [ $# -gt 0 ]; do
		case $1 in
		--dataset) dataset=$2; shift 2 ;;
		--token-ttl) ttl=$2; shift 2 ;;
		*) echo "tenant_start: unknown option $1" >&2; return 2 ;;
		esac
	done
	[ -n "$TENANT_PID" ] && tenant_stop
	TENANT_DIR=$(mktemp -d /tmp/scimtenant.XXXXXX)
	chmod 755 "$TENANT_DIR"
	_tenant_certs "$TENANT_DIR" || { echo "tenant_start: openssl failed" >&2; return 1; }
	TENANT_CLIENT_ID=scimbridge-test
	TENANT_SECRET_FILE=$TENANT_DIR/client_secret
	(umask 077 && head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TENANT_SECRET_FILE")
	node "$TENANT_HOME/server.js" --cert "$TENANT_DIR/server.pem" --key "$TENANT_DIR/server.key" \
		--dataset "$dataset" --token-ttl "$ttl" --client-id "$TENANT_CLIENT_ID" \
		--secret-file "$TENANT_SECRET_FILE" >"$TENANT_DIR/server.log" 2>&1 &
	TENANT_PID=$!
	line=$(_listening_line "$TENANT_DIR/server.log" "$TENANT_PID" "tenant_start: the tenant") || return 1
	set -- $line
	TENANT_URL="https://127.0.0.1:$2"
	TENANT_CTL="http://127.0.0.1:$3"
	TENANT_DOMAIN=$4
	TENANT_CA=$TENANT_DIR/ca.pem
	export TENANT_URL TENANT_CTL TENANT_DOMAIN TENANT_CA TENANT_CLIENT_ID TENANT_SECRET_FILE TENANT_DIR
	case "${T_CLEANUP_HOOK:-}" in
	*tenant_stop*) ;;
	*) T_CLEANUP_HOOK="${T_CLEANUP_HOOK:+$T_CLEANUP_HOOK; }tenant_stop" ;;
	esac
	[ -n "$(trap -p EXIT)" ] || trap 't_cleanup' EXIT
}

tenant_stop() {
	if [ -n "$TENANT_PID" ]; then
		kill "$TENANT_PID" 2>/dev/null
		wait "$TENANT_PID" 2>/dev/null
		TENANT_PID=""
	fi
	[ -n "${TENANT_DIR:-}" ] && rm -rf "$TENANT_DIR"
	TENANT_DIR=""
}

# tenant_conf FILE [workspace-one|scim2] ["key = value" ...]
tenant_conf() {
	local file=$1 dialect=${2:-workspace-one}
	shift
	[ $# -gt 0 ] && shift
	{
		echo "url = $TENANT_URL"
		echo "dialect = $dialect"
		[ "$dialect" = scim2 ] && echo "scim_path = /scim/v2"
		echo "ca_file = $TENANT_CA"
		echo "client_id = $TENANT_CLIENT_ID"
		echo "client_secret_file = $TENANT_SECRET_FILE"
		echo "domain = $TENANT_DOMAIN"
		echo "cache_path = $TENANT_DIR/cache"
		echo "socket_path = $TENANT_DIR/socket"
		echo "ssh_keys_attribute = urn:scim:schemas:extension:custom:1.0:sshPublicKey"
		for l in "$@"; do echo "$l"; done
	} >"$file"
}

# conf_set FILE KEY VALUE: one value per key (the parser may reject repeats).
conf_set() { sed -i "/^$2[[:space:]]*=/d" "$1"; echo "$2 = $3" >>"$1"; }

# tenant_setup [tenant_start options]: the start every tenant suite shares:
# SB (the CLI, or $SCIMBRIDGE_CLI), a scratch T_TMP, the tenant started;
# the suite fails and ends here when the tenant does not start.
tenant_setup() {
	SB=${SCIMBRIDGE_CLI:-$T_ROOT/cli/scimbridge}
	t_tmpdir
	tenant_start "$@" || { t_fail "tenant did not start"; t_done; exit 1; }
}

tenant_fault() { curl -sf -X POST -H 'Content-Type: application/json' -d "$1" "$TENANT_CTL/faults" >/dev/null; }
tenant_reset_faults() { curl -sf -X DELETE "$TENANT_CTL/faults" >/dev/null; }
tenant_stats() { curl -sf "$TENANT_CTL/stats"; }
tenant_reset_stats() { curl -sf -X POST "$TENANT_CTL/stats/reset" >/dev/null; }
okta() { node "$TENANT_HOME/okta.js" "$@"; }
# Switches for the behaviours of other SCIM servers (tests/tenant/behave.js):
# tenant_behave '{"cap":50}'; tenant_reset_behaviour restores the defaults.
tenant_behave() { curl -sf -X POST -H 'Content-Type: application/json' -d "$1" "$TENANT_CTL/behaviour" >/dev/null; }
tenant_reset_behaviour() { curl -sf -X DELETE "$TENANT_CTL/behaviour" >/dev/null; }
