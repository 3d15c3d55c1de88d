# Sourced by the e2e scripts: builds the binary, fills a fresh SQLite database with the demo
# county and starts the server on a free port. Sets BIN, DATA, PORT, PASSWORD and SERVER;
# the caller's EXIT trap stops the server (`stop_demo_server`).
start_demo_server() {
  local root="$1" tag="$2"
  (cd "$root" && cargo build --locked --quiet)
  BIN="$root/target/debug/yinyao"
  DATA="$(mktemp -d "/tmp/yy-$tag.XXXXXX")"
  PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  export YINYAO_DATA_DIR="$DATA" YINYAO_LISTEN="127.0.0.1:$PORT" DATABASE_URL=""
  "$BIN" --config /nonexistent.toml demo > "$DATA/demo.txt"
  PASSWORD="$(sed -n 's/.*uses the password: //p' "$DATA/demo.txt")"
  "$BIN" --config /nonexistent.toml > "$DATA/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 50); do
    curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break
    sleep 0.2
  done
  curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null \
    || { echo "FAIL: server did not start"; cat "$DATA/server.log"; return 1; }
}

stop_demo_server() {
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
}
