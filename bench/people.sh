#!/usr/bin/env bash
# People benchmarks for docs/PERFORMANCE.md, on SQLite (default) or PostgreSQL
# (DATABASE_URL=postgres://… with an empty database).
#   1. a 100,000-row XLSX roster imported through the real check-and-commit path;
#   2. 500,000 people loaded through validation, encryption and indexing, then name search
#      and "my tasks" timed (p50/p99 over 200 runs each).
# Usage: bash bench/people.sh [ROWS] [PEOPLE] [all|import|people]
# With `people`, BENCH_DIR=DIR keeps the loaded database in DIR; a second run on the same
# DIR skips the load and only times the reads.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS="${1:-100000}"
PEOPLE="${2:-500000}"
ONLY="${3:-all}"
cargo build --release --locked --quiet
BIN="${CARGO_TARGET_DIR:-target}/release/yinyao"
WORK="$(mktemp -d /tmp/yy-bench.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB; $(date -u +%F)"

if [ "$ONLY" != people ]; then
echo "== import of a ${ROWS}-row XLSX roster"
export YINYAO_DATA_DIR="$WORK/import" YINYAO_FIELD_KEY="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
"$BIN" --config /nonexistent.toml bench roster --rows "$ROWS" --out "$WORK/roster.xlsx"
ls -l "$WORK/roster.xlsx" | awk '{print "file size: " $5 " bytes"}'
"$BIN" --config /nonexistent.toml demo > /dev/null
# Unit 1 is the demo's city bureau; the rows carry no unit number, so all land there.
/usr/bin/time -f "import wall %e s, peak RSS %M KB" "$BIN" --config /nonexistent.toml import people "$WORK/roster.xlsx" --unit 1

fi

if [ "$ONLY" != import ]; then
echo "== ${PEOPLE} people: load, task generation, search and my tasks"
export YINYAO_DATA_DIR="${BENCH_DIR:-$WORK/people}"
/usr/bin/time -f "bench wall %e s, peak RSS %M KB" "$BIN" --config /nonexistent.toml bench people --count "$PEOPLE"
du -sh "$YINYAO_DATA_DIR" | awk '{print "database size: " $1}'
fi
