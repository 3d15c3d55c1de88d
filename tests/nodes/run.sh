#!/usr/bin/env bash
# Two app nodes on one throwaway PostgreSQL 15, behind nginx (Debian's, installed here if
# missing) balancing round robin; then tests/nodes/check.py: one session on both nodes, a
# lockout across nodes, a setting in force on the other node within 10 s, daily jobs once.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v nginx >/dev/null || {
  echo "installing nginx"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null 2>&1 \
    || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
}
command -v nginx >/dev/null || { echo "FAIL: nginx is not installed"; exit 1; }
cargo build --locked --quiet
BIN="$(pwd)/target/debug/yinyao"
WORK="$(mktemp -d /tmp/yy-nodes.XXXXXX)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PA="$(free_port)"; PB="$(free_port)"; PP="$(free_port)"
source .ci/postgres.sh
start_postgres
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  stop_postgres
  rm -rf "$WORK"
}
trap cleanup EXIT
export DATABASE_URL="$PG_URL" RUST_LOG=warn
YINYAO_FIELD_KEY="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
export YINYAO_FIELD_KEY
"$BIN" --config /nonexistent.toml demo > "$WORK/demo.txt"
PASSWORD="$(sed -n 's/.*uses the password: //p' "$WORK/demo.txt")"
"$BIN" --config /nonexistent.toml admin init > "$WORK/admins.txt"
SYSADMIN_PASSWORD="$(awk '$2 == "sysadmin" { print $3 }' "$WORK/admins.txt")"
[ -n "$SYSADMIN_PASSWORD" ] || { echo "FAIL: no sysadmin password"; cat "$WORK/admins.txt"; exit 1; }
for port in "$PA" "$PB"; do
  HOSTNAME="node$port" YINYAO_LISTEN="127.0.0.1:$port" "$BIN" --config /nonexistent.toml \
    > "$WORK/node$port.log" 2>&1 &
  PIDS+=($!)
done
mkdir -p "$WORK/nginx"
cat > "$WORK/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  upstream yinyao { server 127.0.0.1:$PA; server 127.0.0.1:$PB; }
  server {
    listen 127.0.0.1:$PP;
    location / { proxy_pass http://yinyao; proxy_set_header Host \$http_host; }
  }
}
CONF
nginx -c "$WORK/nginx.conf" -p "$WORK/nginx"
for port in "$PA" "$PB" "$PP"; do
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null || { echo "FAIL: port $port did not answer"; cat "$WORK"/*.log; exit 1; }
done
sleep 2 # both nodes' first scheduler tick
NODE_A="http://127.0.0.1:$PA" NODE_B="http://127.0.0.1:$PB" PROXY="http://127.0.0.1:$PP" \
  PASSWORD="$PASSWORD" SYSADMIN_PASSWORD="$SYSADMIN_PASSWORD" PSQL="$PG_BIN/psql" \
  python3 tests/nodes/check.py
echo "two nodes passed"
