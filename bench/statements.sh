#!/usr/bin/env bash
# Counts the SQL statements one request runs (docs/PERFORMANCE.md): a demo county on SQLite,
# the server with sqlx's statement log on, staff10 (a town's staff member) logged in, the
# first person file in scope viewed twice; the statements of the second view are counted
# (the session's own look-ups included) and listed by their first words.
#
# Usage: bash bench/statements.sh [PATH]   (PATH defaults to the first person's file page;
#   `{person}` in it stands for that person's id). YINYAO_BIN=path uses a binary built before.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${YINYAO_BIN:-}"
if [ -z "$BIN" ]; then
  cargo build --locked --quiet
  BIN="target/debug/yinyao"
fi
WORK="$(mktemp -d /tmp/yy-stmts.XXXXXX)"
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export YINYAO_DATA_DIR="$WORK" YINYAO_LISTEN="127.0.0.1:$PORT" DATABASE_URL=""
"$BIN" --config /nonexistent.toml demo > "$WORK/demo.txt"
PASSWORD="$(sed -n 's/.*uses the password: //p' "$WORK/demo.txt")"
RUST_LOG="sqlx::query=debug,warn" NO_COLOR=1 "$BIN" --config /nonexistent.toml > "$WORK/log" 2>&1 &
SERVER=$!
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
BASE="http://127.0.0.1:$PORT" PASSWORD="$PASSWORD" TARGET="${1:-/people/{person\}}" LOG="$WORK/log" python3 - <<'PY'
import http.cookiejar, json, os, re, time, urllib.parse, urllib.request
base, log = os.environ["BASE"], os.environ["LOG"]
jar = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
def call(method, path, body=None, headers={}):
    req = urllib.request.Request(base + path, data=body, method=method, headers=headers)
    req.add_header("Origin", base); req.add_header("Sec-Fetch-Site", "same-origin")
    return jar.open(req).read().decode()
csrf = re.search(r'name="csrf" value="([^"]+)"', call("GET", "/login")).group(1)
call("POST", "/login", urllib.parse.urlencode({"csrf": csrf, "login": "staff10", "password": os.environ["PASSWORD"], "next": "/"}).encode(),
     {"Content-Type": "application/x-www-form-urlencoded"})
person = json.loads(call("GET", "/api/v1/people"))[0]["id"]
path = os.environ["TARGET"].replace("{person}", str(person))
call("GET", path)
time.sleep(0.3)
start = sum(1 for _ in open(log))
call("GET", path)
time.sleep(0.3)
lines = [l for l in open(log).read().splitlines()[start:] if "sqlx::query" in l]
print(f"GET {path}: {len(lines)} statements")
for l in lines:
    m = re.search(r'summary="([^"]*)"', l)
    print("  ", m.group(1) if m else l[:100])
PY
