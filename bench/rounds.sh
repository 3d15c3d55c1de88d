#!/usr/bin/env bash
# Contact round benchmark for docs/PERFORMANCE.md (issue 19): a county of PEOPLE generated
# people (the people bench's data), a round over all of them started, one in ten marked, then
# the round page's reads timed for the county's and a town's staff.
# On SQLite by default; DATABASE_URL=postgres://… (an empty database) for PostgreSQL.
# Usage: bash bench/rounds.sh [PEOPLE]   (BENCH_DIR=DIR keeps the database for a second run)
set -euo pipefail
cd "$(dirname "$0")/.."
PEOPLE="${1:-100000}"
cargo build --release --locked --quiet
BIN="${CARGO_TARGET_DIR:-target}/release/yinyao"
WORK="$(mktemp -d /tmp/yy-bench.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB; $(date -u +%F)"
export YINYAO_DATA_DIR="${BENCH_DIR:-$WORK/rounds}"
export YINYAO_FIELD_KEY="${YINYAO_FIELD_KEY:-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
/usr/bin/time -f "bench wall %e s, peak RSS %M KB" "$BIN" --config /nonexistent.toml bench rounds --count "$PEOPLE"
