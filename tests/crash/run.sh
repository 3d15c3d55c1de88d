#!/usr/bin/env bash
# Crash test: the server is killed with SIGKILL at random moments (seed 2026) while four
# writers create person files through the API, and restarted each time; then every
# acknowledged write must be there, the database must be sound (SQLite `PRAGMA
# integrity_check`; PostgreSQL `pg_amcheck`) and `yinyao audit verify` must pass.
#
# Usage: bash tests/crash/run.sh [sqlite|pg]   (KILLS=10 by default)
set -euo pipefail
cd "$(dirname "$0")/../.."
TARGET="${1:-sqlite}"
cargo build --locked --quiet
BIN="$(pwd)/target/debug/yinyao"
WORK="$(mktemp -d /tmp/yy-crash.XXXXXX)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export YINYAO_DATA_DIR="$WORK" YINYAO_LISTEN="127.0.0.1:$PORT" RUST_LOG=warn
cleanup() {
  [ -f "$WORK/pid" ] && kill -9 "$(cat "$WORK/pid")" 2>/dev/null || true
  pkill -9 -f "$BIN --config /nonexistent-crash.toml" 2>/dev/null || true
  [ "$TARGET" = pg ] && stop_postgres
  rm -rf "$WORK"
}
if [ "$TARGET" = pg ]; then
  source .ci/postgres.sh
  start_postgres
  export DATABASE_URL="$PG_URL"
  YINYAO_FIELD_KEY="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
  export YINYAO_FIELD_KEY
else
  export DATABASE_URL=""
fi
trap cleanup EXIT
"$BIN" --config /nonexistent-crash.toml demo > "$WORK/demo.txt"
PASSWORD="$(sed -n 's/.*uses the password: //p' "$WORK/demo.txt")"
START="'$BIN' --config /nonexistent-crash.toml >> '$WORK/server.log' 2>&1 & echo \$!"
BASE_URL="http://127.0.0.1:$PORT" PASSWORD="$PASSWORD" START="$START" PIDFILE="$WORK/pid" \
  KILLS="${KILLS:-10}" python3 tests/crash/driver.py
kill -TERM "$(cat "$WORK/pid")"
while kill -0 "$(cat "$WORK/pid")" 2>/dev/null; do sleep 0.1; done
if [ "$TARGET" = pg ]; then
  "$PG_BIN/pg_amcheck" --install-missing --heapallindexed -h 127.0.0.1 -p "$PG_PORT" -U postgres postgres \
    || { echo "FAIL: pg_amcheck"; exit 1; }
  echo "ok - pg_amcheck"
else
  check="$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA integrity_check').fetchone()[0])" "$WORK/yinyao.db")"
  [ "$check" = ok ] || { echo "FAIL: integrity_check: $check"; exit 1; }
  echo "ok - PRAGMA integrity_check"
fi
"$BIN" --config /nonexistent-crash.toml audit verify
echo "crash test passed ($TARGET)"
