#!/usr/bin/env bash
# Starts the tests' SMTP server (aiosmtpd, pinned, in its own virtualenv under target/, made
# on first use): `run.sh PORT OUT`. Fails, never skips, when it cannot be installed.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
VENV="$ROOT/target/smtp-venv"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import aiosmtpd" 2>/dev/null; then
  # One installer at a time (the tests run in parallel).
  exec 9>"$ROOT/target/smtp-venv.lock"
  flock 9
  if ! "$VENV/bin/python" -c "import aiosmtpd" 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q aiosmtpd==1.4.6
  fi
  flock -u 9
fi
exec "$VENV/bin/python" "$ROOT/tests/smtp/server.py" "$@"
