#!/usr/bin/env bash
# People benchmarks for docs/PERFORMANCE.md, on SQLite (default) or PostgreSQL
# (DATABASE_URL=postgres://… with an empty database).
#   1. a 100,000-row XLSX roster imported through the real check-and-commit path;
#   2. 500,000 people loaded through validation, encryption and indexing, then name search
#      and "my tasks" timed (p50/p99 over 200 runs each).
# Usage: bash bench/people.sh [ROWS] [PEOPLE]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS="${1:-100000}"
PEOPLE="${2:-500000}"
cargo build --release --locked --quiet
BIN=target/release/yinyao
WORK="$(mktemp -d /tmp/yy-bench.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB; $(date -u +%F)"

echo "== import of a ${ROWS}-row XLSX roster"
export YINYAO_DATA_DIR="$WORK/import" YINYAO_FIELD_KEY="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
"$BIN" --config /nonexistent.toml bench roster --rows "$ROWS" --out "$WORK/roster.xlsx"
ls -l "$WORK/roster.xlsx" | awk '{print "file size: " $5 " bytes"}'
"$BIN" --config /nonexistent.toml demo > /dev/null
# Unit 1 is the demo's city bureau; the rows carry no unit number, so all land there.
/usr/bin/time -f "import wall %e s, peak RSS %M KB" "$BIN" --config /nonexistent.toml import people "$WORK/roster.xlsx" --unit 1

echo "== ${PEOPLE} people: load, task generation, search and my tasks"
export YINYAO_DATA_DIR="$WORK/people"
/usr/bin/time -f "bench wall %e s, peak RSS %M KB" "$BIN" --config /nonexistent.toml bench people --count "$PEOPLE"
du -sh "$WORK/people" | awk '{print "database size: " $1}'
