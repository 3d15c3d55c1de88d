#!/usr/bin/env bash
# Full-text search benchmark for docs/PERFORMANCE.md: the ~311,000 poems of the npm package
# chinese-poetry (Traditional characters) indexed through search::index::put into a fresh
# database, then a fixed set of Simplified queries timed against a LIKE '%…%' scan, with
# recall against a substring match over the folded texts (`yinyao bench search`).
# Usage: bash bench/search.sh [sqlite|pg|both|postgres://…] [extra `bench search` flags]
#   sqlite (default): a fresh SQLite file in a temp dir;
#   pg: also a throwaway PostgreSQL 15 cluster (.ci/postgres.sh); both: SQLite, then that;
#   postgres://…: an existing, empty database.
# PG_OPTS="-c shared_buffers=1GB" starts the throwaway cluster with more cache (default 128 MB).
# The package is installed once into $POETRY_CACHE (a temp dir by default), never committed.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET="${1:-sqlite}"
shift || true
POETRY_VERSION=2.0.1
POETRY_CACHE="${POETRY_CACHE:-/tmp/yy-chinese-poetry-$POETRY_VERSION}"
DATA="$POETRY_CACHE/node_modules/chinese-poetry/dist/quantangshi"
if [ ! -d "$DATA" ]; then
  mkdir -p "$POETRY_CACHE"
  npm install --prefix "$POETRY_CACHE" --no-save --no-package-lock --no-audit --no-fund \
    "chinese-poetry@$POETRY_VERSION" >/dev/null
fi
# YINYAO_BIN=path/to/yinyao uses a binary built beforehand instead of building one here.
BIN="${YINYAO_BIN:-}"
if [ -z "$BIN" ]; then
  cargo build --release --locked --quiet
  BIN="${CARGO_TARGET_DIR:-target}/release/yinyao"
fi
WORK="$(mktemp -d /tmp/yy-bench-search.XXXXXX)"
cleanup() { rm -rf "$WORK"; if declare -F stop_postgres >/dev/null; then stop_postgres; fi; }
trap cleanup EXIT
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB; $(date -u +%F); chinese-poetry@$POETRY_VERSION"

run_sqlite() {
  echo "== SQLite (FTS5)"
  export YINYAO_DATA_DIR="$WORK/sqlite"
  unset DATABASE_URL
  /usr/bin/time -f "bench wall %e s, peak RSS %M KB" \
    "$BIN" --config /nonexistent.toml bench search --dir "$DATA" "$@"
  ls -l "$YINYAO_DATA_DIR/yinyao.db" | awk '{printf "database file: %.1f MB (index and the LIKE table)\n", $5 / 1e6}'
}

run_postgres() {
  echo "== PostgreSQL (tsvector + GIN)"
  DATABASE_URL="$1" /usr/bin/time -f "bench wall %e s, peak RSS %M KB" \
    "$BIN" --config /nonexistent.toml bench search --dir "$DATA" "${@:2}"
}

case "$TARGET" in
  sqlite) run_sqlite "$@" ;;
  pg | both)
    [ "$TARGET" = both ] && run_sqlite "$@"
    source .ci/postgres.sh
    start_postgres
    trap cleanup EXIT
    run_postgres "$PG_URL" "$@"
    ;;
  postgres://* | postgresql://*) run_postgres "$TARGET" "$@" ;;
  *) echo "usage: bash bench/search.sh [sqlite|pg|both|postgres://…]" >&2; exit 2 ;;
esac
