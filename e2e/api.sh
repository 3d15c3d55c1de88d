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
source ./demo_server.sh
trap 'stop_demo_server; rm -rf "$DATA"' EXIT
start_demo_server "$ROOT" api
BASE_URL="http://127.0.0.1:$PORT" PASSWORD="$PASSWORD" WORK="$DATA" VENV="$VENV" \
  python3 api_checks.py || { echo "FAIL: API checks"; grep -i "error\|panic" "$DATA/server.log" | tail -20; exit 1; }
"$BIN" --config /nonexistent.toml audit verify
