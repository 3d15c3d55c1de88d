#!/usr/bin/env bash
# Load benchmark for docs/PERFORMANCE.md: builds the release binary, fills a database with a
# generated province (`yinyao bench province`: about 40,000 units, 500,000 people with care
# plans, 5,000,000 visits, 200,000 articles), starts the server on it, logs in where a page
# needs it, and drives each key page and API endpoint with wrk (Debian's package, installed
# here if missing) at 64 concurrent connections. In the same run, the ceiling: the same
# server's /healthz. Prints, for each endpoint, its time alone (median of 21 requests one
# after another), requests per second, its fraction of the
# ceiling, p50, p99 and errors; then the server's peak RSS and its time from start to the
# first served request.
#
# Usage: bash bench/load.sh [sqlite|pg] [PEOPLE]
#   sqlite (default): a SQLite database in $BENCH_DIR (a temp dir unless set; set it to keep
#     the generated database, and a second run skips the generation);
#   pg: a throwaway PostgreSQL 15 cluster (.ci/postgres.sh), generated afresh each run;
#   postgres://…: an existing database, generated into once and reused while $BENCH_DIR
#     keeps province.txt (with the same YINYAO_FIELD_KEY).
# PEOPLE (default 500000) scales everything. DURATION (default 10s) is each endpoint's run,
# CONNECTIONS (default 64) the concurrency; ONLY=text runs only the endpoints whose name holds it. A request slower than 10 s counts as an error. YINYAO_BIN=path uses a binary built beforehand.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET="${1:-sqlite}"
PEOPLE="${2:-500000}"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-64}"

command -v wrk >/dev/null || {
  echo "installing wrk"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
}
BIN="${YINYAO_BIN:-}"
if [ -z "$BIN" ]; then
  cargo build --release --locked --quiet
  BIN="${CARGO_TARGET_DIR:-target}/release/yinyao"
fi
BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"
WORK="$(mktemp -d /tmp/yy-bench-load.XXXXXX)"
BENCH_DIR="${BENCH_DIR:-$WORK/data}"
mkdir -p "$BENCH_DIR"
SERVER=""
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
  rm -rf "$WORK"
  if declare -F stop_postgres >/dev/null; then stop_postgres; fi
}
trap cleanup EXIT
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB; $(date -u '+%F %H:%M') UTC; load average $(cut -d' ' -f1-3 /proc/loadavg)"

export YINYAO_DATA_DIR="$BENCH_DIR"
case "$TARGET" in
  sqlite) export DATABASE_URL="" ;;
  pg)
    source .ci/postgres.sh
    start_postgres
    trap cleanup EXIT
    export DATABASE_URL="$PG_URL"
    # PostgreSQL nodes share one field key (a fresh one: the cluster is thrown away).
    export YINYAO_FIELD_KEY="${YINYAO_FIELD_KEY:-$(python3 -c 'import secrets; print(secrets.token_hex(32))')}"
    rm -f "$BENCH_DIR/province.txt"
    ;;
  postgres://* | postgresql://*)
    # An existing database: generated into on the first run, reused while $BENCH_DIR keeps
    # province.txt (set BENCH_DIR, and the YINYAO_FIELD_KEY the province was made with).
    export DATABASE_URL="$TARGET"
    [ -n "${YINYAO_FIELD_KEY:-}" ] || { echo "set YINYAO_FIELD_KEY (64 hex characters)" >&2; exit 2; }
    ;;
  *) echo "usage: bash bench/load.sh [sqlite|pg|postgres://…] [PEOPLE]" >&2; exit 2 ;;
esac

if [ ! -f "$BENCH_DIR/province.txt" ]; then
  echo "== generating the province ($PEOPLE people) into $TARGET"
  /usr/bin/time -f "generation wall %e s, peak RSS %M KB" \
    "$BIN" --config /nonexistent.toml bench province --people "$PEOPLE" | tee "$BENCH_DIR/province.txt"
else
  echo "== reusing the province in $BENCH_DIR"
fi
targets="$(sed -n 's/^targets: //p' "$BENCH_DIR/province.txt")"
get() { tr ' ' '\n' <<<"$targets" | sed -n "s/^$1=//p"; }
COUNTY="$(get county)"; TOWN="$(get town)"; PERSON="$(get person)"
ARTICLE="$(get article)"; COLUMN="$(get column)"; PASSWORD="$(get password)"
EVENT="$(get event)"; CODE="$(get code)"

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
export YINYAO_LISTEN="127.0.0.1:$PORT"
start_ns=$(date +%s%N)
"$BIN" --config /nonexistent.toml > "$WORK/server.log" 2>&1 &
SERVER=$!
until curl -fs -o /dev/null "$BASE/healthz"; do
  kill -0 "$SERVER" 2>/dev/null || { echo "FAIL: the server stopped"; cat "$WORK/server.log"; exit 1; }
  sleep 0.005
done
ready_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))

# A session cookie for a user name (log in through the form, as a browser does).
session() {
  local jar="$WORK/$1.jar" csrf code
  csrf="$(curl -fs -c "$jar" -b "$jar" "$BASE/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)"
  code="$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" --data-urlencode "csrf=$csrf" \
    --data-urlencode "login=$1" --data-urlencode "password=$PASSWORD" --data-urlencode "next=/" "$BASE/login")"
  [ "$code" = 303 ] || { echo "FAIL: login as $1 answered $code" >&2; exit 1; }
  printf 'yy_sid=%s' "$(awk '$6 == "yy_sid" {print $7}' "$jar")"
}
PROVINCE_ADMIN="$(session p_admin)"
COUNTY_STAFF="$(session p_county0_staff)"
TOWN_STAFF="$(session p_town0)"
COUNTY_EDITOR="$(session p_county0_editor)"
SEARCH="$(python3 -c 'import urllib.parse; print(urllib.parse.quote("老干部"))')"
NAME="$(python3 -c 'import urllib.parse; print(urllib.parse.quote("王"))')"

# name | cookie | path
ENDPOINTS=(
  "ceiling: /healthz||/healthz"
  "home, province admin|$PROVINCE_ADMIN|/"
  "home, county staff|$COUNTY_STAFF|/"
  "home, town staff|$TOWN_STAFF|/"
  "unit tree, county staff|$COUNTY_STAFF|/units"
  "person list 王 in a county|$COUNTY_STAFF|/people?q=$NAME&unit=$COUNTY"
  "person list, a town, party members|$TOWN_STAFF|/people?category=party_member&unit=$TOWN"
  "person file|$TOWN_STAFF|/people/$PERSON"
  "my tasks, town staff|$TOWN_STAFF|/tasks"
  "article page, public||/read/$ARTICLE"
  "column page, public||/read/columns/$COLUMN"
  "search 老干部, public||/read/search?q=$SEARCH"
  "search 老干部, county editor (drafts too)|$COUNTY_EDITOR|/news/search?q=$SEARCH"
  "coverage, a county (API)|$COUNTY_STAFF|/api/v1/units/$COUNTY/coverage"
  "coverage, the province (API)|$PROVINCE_ADMIN|/api/v1/units/1/coverage"
  "event page, county staff|$COUNTY_STAFF|/events/$EVENT"
  "a county's events this month|$COUNTY_STAFF|/events?unit=$COUNTY"
  "events this month, town staff|$TOWN_STAFF|/events"
  "event registrations (API)|$COUNTY_STAFF|/api/v1/events/$EVENT/registrations"
)

# wrk's latency as milliseconds.
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; printf "%.2f", v}'; }

echo
echo "== $CONNECTIONS connections, $DURATION per endpoint; $TARGET; server ready in $ready_ms ms"
# wrk leaves out requests still unanswered when the run ends: "done" is what it counted.
printf '| %-36s | %8s | %8s | %9s | %8s | %8s | %8s | %7s |\n' "endpoint" "alone ms" "done" "req/s" "ceiling" "p50 ms" "p99 ms" "errors"
printf '|%s|%s|%s|%s|%s|%s|%s|%s|\n' "--------------------------------------" "---------:" "---------:" "----------:" "---------:" "---------:" "---------:" "--------:"
ceiling=""
for e in "${ENDPOINTS[@]}"; do
  IFS='|' read -r name cookie path <<<"$e"
  # ONLY=pattern: the ceiling and the endpoints whose name holds it.
  if [ -n "${ONLY:-}" ] && [ -n "$ceiling" ] && [[ "$name" != *"$ONLY"* ]]; then continue; fi
  # Each page must answer 200 before it is timed.
  code="$(curl -s -o /dev/null -w '%{http_code}' ${cookie:+-H "Cookie: $cookie"} "$BASE$path")"
  [ "$code" = 200 ] || { echo "FAIL: $path answered $code for $name"; exit 1; }
  # Alone: the median of 21 requests one after another (curl's total time, connection
  # included), before the load.
  alone="$(for _ in $(seq 21); do curl -s -o /dev/null -w '%{time_total}\n' ${cookie:+-H "Cookie: $cookie"} "$BASE$path"; done \
    | sort -n | awk '{v[NR] = $1} END {printf "%.2f", v[11] * 1000}')"
  out="$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --timeout 10s --latency ${cookie:+-H "Cookie: $cookie"} "$BASE$path")"
  rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
  done_n="$(awk '/requests in/ {print $1}' <<<"$out")"
  p50="$(awk '$1 == "50%" {print $2}' <<<"$out" | to_ms)"
  p99="$(awk '$1 == "99%" {print $2}' <<<"$out" | to_ms)"
  non2xx="$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")"
  sock="$(awk -F'[ ,]+' '/Socket errors:/ {print $5 + $7 + $9 + $11}' <<<"$out")"
  errors=$(( ${non2xx:-0} + ${sock:-0} ))
  [ -z "$ceiling" ] && ceiling="$rps"
  share="$(awk -v r="$rps" -v c="$ceiling" 'BEGIN {printf "%.1f %%", 100 * r / c}')"
  if [ "${done_n:-0}" = 0 ]; then p50="—"; p99="—"; fi
  printf '| %-36s | %8s | %8s | %9.0f | %8s | %8s | %8s | %7s |\n' "$name" "$alone" "$done_n" "$rps" "$share" "$p50" "$p99" "$errors"
done
# Check-in at the door: a POST of a registration's code (the first records it, the rest find it
# recorded; both read and lock the same rows), alone and under load.
if [ -z "${ONLY:-}" ] || [[ "check-in" == *"$ONLY"* ]]; then
  CSRF="$(curl -fs -H "Cookie: $COUNTY_STAFF" "$BASE/events" | sed -n 's/.*data-csrf="\([^"]*\)".*/\1/p' | head -1)"
  post=(-X POST -H "Cookie: $COUNTY_STAFF" -H "x-csrf-token: $CSRF" -H "sec-fetch-site: same-origin"
        -H "content-type: application/json" --data "{\"code\":\"$CODE\"}")
  code="$(curl -s -o /dev/null -w '%{http_code}' "${post[@]}" "$BASE/api/v1/events/$EVENT/checkins")"
  [ "$code" = 200 ] || { echo "FAIL: check-in answered $code"; exit 1; }
  alone="$(for _ in $(seq 21); do curl -s -o /dev/null -w '%{time_total}\n' "${post[@]}" "$BASE/api/v1/events/$EVENT/checkins"; done \
    | sort -n | awk '{v[NR] = $1} END {printf "%.2f", v[11] * 1000}')"
  cat > "$WORK/checkin.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"code":"$CODE"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["x-csrf-token"] = "$CSRF"
wrk.headers["sec-fetch-site"] = "same-origin"
LUA
  out="$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --timeout 10s --latency -s "$WORK/checkin.lua" -H "Cookie: $COUNTY_STAFF" "$BASE/api/v1/events/$EVENT/checkins")"
  rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
  done_n="$(awk '/requests in/ {print $1}' <<<"$out")"
  p50="$(awk '$1 == "50%" {print $2}' <<<"$out" | to_ms)"
  p99="$(awk '$1 == "99%" {print $2}' <<<"$out" | to_ms)"
  non2xx="$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")"
  sock="$(awk -F'[ ,]+' '/Socket errors:/ {print $5 + $7 + $9 + $11}' <<<"$out")"
  errors=$(( ${non2xx:-0} + ${sock:-0} ))
  share="$(awk -v r="$rps" -v c="$ceiling" 'BEGIN {printf "%.1f %%", 100 * r / c}')"
  printf '| %-36s | %8s | %8s | %9.0f | %8s | %8s | %8s | %7s |\n' "check-in by code (API, POST)" "$alone" "$done_n" "$rps" "$share" "$p50" "$p99" "$errors"
fi
rss_kb="$(awk '/^VmHWM:/ {print $2}' "/proc/$SERVER/status")"
echo
echo "server peak RSS: $((rss_kb / 1024)) MB; start to first served request: $ready_ms ms"
if [ "$TARGET" = sqlite ]; then
  du -sh "$BENCH_DIR" | awk '{print "data directory: " $1}'
fi
