# relay.sh — what the relay suites and benches share (issue 16): signing
# keys, a publisher config against tests/tenant, a real nginx (Debian's, TLS
# with a test CA, a spare loopback port, every path in T_TMP) serving
# publish_dir, and subscriber configs. relay_setup needs testlib.sh and
# tenant.sh sourced and the tenant started; it sets SB PK PUB P NG PORT
# DOWN_PORT NGPID. spare_port and relay_nginx_start need nothing else (the
# benches set NG, PUB and PORT themselves).

spare_port() {
	local p
	for _ in $(seq 50); do
		p=$((20000 + RANDOM % 20000))
		ss -ltnH "sport = :$p" | grep -q . || { echo "$p"; return; }
	done
}

# relay_nginx_start [--plain] [--connections N]: nginx on $PORT serving $PUB
# (also /e500/ and /slow/), its files in $NG; TLS with $NG/server.pem and
# server.key unless --plain (http); N worker connections (256).
relay_nginx_start() {
	local conns=256 listen="listen 127.0.0.1:$PORT ssl;
		ssl_certificate $NG/server.pem;
		ssl_certificate_key $NG/server.key;"
	while [ $# -gt 0 ]; do
		case $1 in
		--plain) listen="listen 127.0.0.1:$PORT;"; shift ;;
		--connections) conns=$2; shift 2 ;;
		*) echo "relay_nginx_start: unknown option $1" >&2; return 2 ;;
		esac
	done
	mkdir -p "$NG/tmp" "$PUB"
	cat >"$NG/nginx.conf" <<NGX
daemon off;
worker_processes 1;
error_log $NG/error.log;
pid $NG/nginx.pid;
events { worker_connections $conns; }
http {
	access_log $NG/access.log;
	client_body_temp_path $NG/tmp/body;
	proxy_temp_path $NG/tmp/proxy;
	fastcgi_temp_path $NG/tmp/fastcgi;
	uwsgi_temp_path $NG/tmp/uwsgi;
	scgi_temp_path $NG/tmp/scgi;
	default_type application/octet-stream;
	server {
		$listen
		root $PUB;
		location /e500/ { return 500; }
		location /slow/ { alias $PUB/; limit_rate 1; }
	}
}
NGX
	nginx -p "$NG" -c "$NG/nginx.conf" 2>"$NG/stderr" &
	NGPID=$!
	for _ in $(seq 100); do ss -ltnH "sport = :$PORT" | grep -q . && return 0; sleep 0.1; done
	return 1
}

relay_nginx_stop() {
	kill "$NGPID" 2>/dev/null
	wait "$NGPID" 2>/dev/null
	for _ in $(seq 100); do ss -ltnH "sport = :$PORT" | grep -q . || return 0; sleep 0.1; done
}

# relay_setup ["key = value" ...]: keys, the publisher's config $P (cache
# $T_TMP/pubcache, socket $T_TMP/pub.sock, the extra lines), nginx started.
relay_setup() {
	SB=${SCIMBRIDGE_CLI:-$T_ROOT/cli/scimbridge}
	chmod 755 "$T_TMP" # nginx's workers run as nobody
	"$SB" keygen -o "$T_TMP/relay.key" >"$T_TMP/keygen.out" 2>/dev/null
	PK=$(sed -n 's/^relay_public_key = //p' "$T_TMP/keygen.out")
	PUB=$T_TMP/pub
	P=$T_TMP/publisher.conf
	tenant_conf "$P.in" workspace-one "role = publisher" "publish_dir = $PUB" \
		"signing_key_file = $T_TMP/relay.key" "release_ttl = 600" "$@"
	sed "s|^cache_path = .*|cache_path = $T_TMP/pubcache|; s|^socket_path = .*|socket_path = $T_TMP/pub.sock|" "$P.in" >"$P"
	NG=$T_TMP/nginx
	mkdir -p "$NG"
	_tenant_certs "$NG" || return 1
	chmod 644 "$NG/ca.pem"
	PORT=$(spare_port)
	DOWN_PORT=$(spare_port)
	relay_nginx_start || return 1
	T_CLEANUP_HOOK="relay_nginx_stop; $T_CLEANUP_HOOK"
}

# sub_conf FILE URL [extra lines]: a subscriber whose cache and socket are
# in ${SUB_DIR:-$T_TMP/sub}.
sub_conf() {
	local f=$1 u=$2 dir=${SUB_DIR:-$T_TMP/sub}
	shift 2
	mkdir -p "$dir"
	{
		echo "role = subscriber"
		echo "relay_url = $u"
		echo "relay_public_key = $PK"
		echo "ca_file = $NG/ca.pem"
		echo "cache_path = $dir/cache"
		echo "socket_path = $dir/socket"
		echo "timeout = 3"
		echo "daemon_down = cache"
		for l in "$@"; do echo "$l"; done
	} >"$f"
}
