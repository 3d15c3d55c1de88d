#!/usr/bin/env bash
# Upload bombs (e2e/bombs.py) against a server of their own on a fresh SQLite demo county, so
# that the memory measured is the bombs' and not what an earlier suite left in the allocator.
set -euo pipefail
cd "$(dirname "$0")"
ROOT="$(cd .. && pwd)"
source ./demo_server.sh
trap 'stop_demo_server; rm -rf "$DATA"' EXIT
start_demo_server "$ROOT" bombs
BASE_URL="http://127.0.0.1:$PORT" PASSWORD="$PASSWORD" SERVER_PID="$SERVER" BIN="$BIN" WORK="$DATA" \
  python3 bombs.py || { echo "FAIL: upload bombs"; tail -20 "$DATA/server.log"; exit 1; }
