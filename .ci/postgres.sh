# Starts and stops a throwaway PostgreSQL 15 cluster on a spare port in a temp dir.
# initdb refuses root, so the cluster runs as the `postgres` user. PG_OPTS adds server options
# (benchmarks: PG_OPTS="-c shared_buffers=1GB").
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"

start_postgres() {
  if [ ! -x "$PG_BIN/initdb" ]; then
    echo "PostgreSQL 15 not found at $PG_BIN; installing postgresql-15"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
  fi
  [ -x "$PG_BIN/initdb" ] || { echo "FAIL: no PostgreSQL binaries at $PG_BIN"; exit 1; }
  id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql postgres
  PG_DIR="$(mktemp -d /tmp/yy-pg.XXXXXX)"
  chown postgres "$PG_DIR"
  PG_PORT="${PG_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}"
  runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -t 60 \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300 ${PG_OPTS:-}" start
  PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
  export PG_URL PG_DIR
  trap stop_postgres EXIT
  echo "PostgreSQL running at $PG_URL"
}

stop_postgres() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null || true
    rm -rf "$PG_DIR"
    PG_DIR=""
  fi
}
