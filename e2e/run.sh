#!/usr/bin/env bash
# Browser tests: installs Debian's Chromium and a CJK font if missing, starts the server on a
# fresh SQLite database with the demo county, and drives the real pages in headless Chromium.
# Fails (never skips) when the browser cannot start.
set -euo pipefail
cd "$(dirname "$0")"
ROOT="$(cd .. && pwd)"

need=()
command -v chromium >/dev/null || need+=(chromium)
# Font lists are read whole (no `grep -q` in a pipe: under pipefail its early exit fails the pipe).
fonts="$(fc-list :lang=zh 2>/dev/null || true)"
grep -qi "wenquanyi\|wqy" <<<"$fonts" || need+=(fonts-wqy-microhei)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v chromium >/dev/null || { echo "FAIL: chromium is not installed"; exit 1; }
grep -qi "wqy" <<<"$(fc-list :lang=zh)" || { echo "FAIL: no CJK font"; exit 1; }

[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund

source ./demo_server.sh
trap stop_demo_server EXIT
start_demo_server "$ROOT" e2e

BASE_URL="http://127.0.0.1:$PORT" PASSWORD="$PASSWORD" node browser.mjs


# The article import command, beside the running server, on the demo's first column: a scraped
# file becomes a repaired draft.
mkdir -p "$DATA/import"
printf '县老幹部局召開會(huì)議\n\n會(huì)議強調,,要做好敬老工作。\n（资料图）\n' > "$DATA/import/01.txt"
"$BIN" --config /nonexistent.toml import articles "$DATA/import" --column 1 > "$DATA/import.txt" \
  || { echo "FAIL: yinyao import articles"; cat "$DATA/import.txt"; exit 1; }
import_report="$(cat "$DATA/import.txt")"
grep -q "pinyin_gloss" <<<"$import_report" && grep -q "page_furniture" <<<"$import_report" \
  && grep -q "1 files, 1 drafts, 0 not imported" <<<"$import_report" \
  || { echo "FAIL: import report"; echo "$import_report"; exit 1; }
echo "ok - yinyao import articles"

# Operations checks on the same running server.
# Each body is saved before grep reads it: `curl | grep -q` under pipefail fails whenever grep
# stops reading at the first match before curl has written the whole (long) /metrics body.
curl -fs "http://127.0.0.1:$PORT/readyz" > "$DATA/readyz.txt" || { echo "FAIL: /readyz did not answer"; exit 1; }
grep -q ready "$DATA/readyz.txt" || { echo "FAIL: /readyz"; cat "$DATA/readyz.txt"; exit 1; }
curl -fs "http://127.0.0.1:$PORT/metrics" > "$DATA/metrics.txt" || { echo "FAIL: /metrics did not answer"; exit 1; }
grep -q 'http_requests_total' "$DATA/metrics.txt" || { echo "FAIL: /metrics has no request counter"; head -50 "$DATA/metrics.txt"; exit 1; }
echo "ok - /readyz and /metrics"
# Graceful shutdown: SIGTERM lets the server finish and exit 0.
kill -TERM "$SERVER"
if wait "$SERVER"; then code=0; else code=$?; fi
trap - EXIT
[ "$code" = 0 ] || { echo "FAIL: server exited $code after SIGTERM"; cat "$DATA/server.log"; exit 1; }
grep -q "stopped" "$DATA/server.log" || { echo "FAIL: no clean stop in the log"; exit 1; }
echo "ok - graceful shutdown on SIGTERM"
"$BIN" --config /nonexistent.toml audit verify
rm -rf "$DATA"
