#!/usr/bin/env bash
# API checks (e2e/api_checks.py) against the server on a fresh SQLite database with the demo
# county: the OpenAPI document validated, a generated client used, schemathesis with a fixed
# seed and a time bound. Installs its pinned Python tools into a virtualenv under target/.
set -euo pipefail
cd "$(dirname "$0")"
ROOT="$(cd .. && pwd)"
VENV="$ROOT/target/api-venv"
if [ ! -x "$VENV/bin/st" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q schemathesis==4.32.5 openapi-spec-validator==0.9.0 openapi-python-client==0.29.1
fi
(cd "$ROOT" && cargo build --locked --quiet)
BIN="$ROOT/target/debug/yinyao"
DATA="$(mktemp -d /tmp/yy-api.XXXXXX)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export YINYAO_DATA_DIR="$DATA" YINYAO_LISTEN="127.0.0.1:$PORT" DATABASE_URL=""
"$BIN" --config /nonexistent.toml demo > "$DATA/demo.txt"
PASSWORD="$(sed -n 's/.*uses the password: //p' "$DATA/demo.txt")"
"$BIN" --config /nonexistent.toml > "$DATA/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 1 50); do
  curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break
  sleep 0.2
done
BASE_URL="http://127.0.0.1:$PORT" PASSWORD="$PASSWORD" WORK="$DATA" VENV="$VENV" \
  python3 api_checks.py || { echo "FAIL: API checks"; grep -i "error\|panic" "$DATA/server.log" | tail -20; exit 1; }
"$BIN" --config /nonexistent.toml audit verify
