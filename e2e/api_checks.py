#!/usr/bin/env python3
"""The API as a client sees it, against a running server with the demo county:
1. the OpenAPI document is valid OpenAPI (openapi-spec-validator);
2. a client generated from it (openapi-python-client) logs in with a token and lists units;
3. schemathesis, with a unit admin's token, a fixed seed and a time bound, finds no 5xx, no
   undocumented status and no answer that breaks its schema.

Environment: BASE_URL, PASSWORD (the demo's), WORK (a scratch folder), VENV (with the pinned
tools installed by e2e/api.sh), ST_MAX_TIME (seconds, default 240)."""

import json
import os
import subprocess
import sys
import urllib.request

import demo_login

BASE = os.environ["BASE_URL"]
PASSWORD = os.environ["PASSWORD"]
WORK = os.environ["WORK"]
VENV = os.environ["VENV"]
MAX_TIME = os.environ.get("ST_MAX_TIME", "240")


def token_for(user):
    return demo_login.token_for(BASE, user, PASSWORD, "api-checks")


def run(*cmd, **kw):
    print("$", " ".join(cmd), flush=True)
    return subprocess.run(cmd, check=True, **kw)


def main():
    spec = os.path.join(WORK, "openapi.json")
    with urllib.request.urlopen(BASE + "/api/openapi.json", timeout=60) as r, open(spec, "wb") as f:
        f.write(r.read())
    run(f"{VENV}/bin/openapi-spec-validator", spec)
    print("ok - the OpenAPI document is valid")

    client_dir = os.path.join(WORK, "client")
    run(f"{VENV}/bin/openapi-python-client", "generate", "--path", spec, "--output-path", client_dir,
        "--overwrite", stdout=subprocess.DEVNULL)
    run(f"{VENV}/bin/pip", "install", "-q", client_dir)
    token = token_for("unitadmin02")
    script = """
import sys
from yinyao_api_client import AuthenticatedClient
from yinyao_api_client.api.units import list_units
client = AuthenticatedClient(base_url=sys.argv[1], token=sys.argv[2])
r = list_units.sync_detailed(client=client)
assert r.status_code == 200, r
units = r.parsed
assert isinstance(units, list) and len(units) > 0, units
print(f"ok - the generated client listed {len(units)} units, the first {units[0].name}")
"""
    run(f"{VENV}/bin/python", "-c", script, BASE, token)

    # A second token for schemathesis: it may revoke tokens it finds, its own among them.
    token = token_for("unitadmin02")
    run(f"{VENV}/bin/st", "run", spec, "--url", BASE,
        "-H", f"Authorization: Bearer {token}",
        "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
        "--seed", "2026", "--max-examples", "25", "--max-time", MAX_TIME,
        "--request-timeout", "20", "--workers", "1", "--no-shrink",
        "--exclude-path-regex", "^/api/v1/tokens",
        "--report", "junit", "--report-dir", os.path.join(WORK, "schemathesis"))
    print("ok - schemathesis found no 5xx, undocumented status or schema mismatch")


if __name__ == "__main__":
    try:
        main()
    except subprocess.CalledProcessError as e:
        print(f"FAIL: {' '.join(e.cmd[:2])} exited {e.returncode}")
        sys.exit(1)
