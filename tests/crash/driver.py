#!/usr/bin/env python3
"""Crash test driver: concurrent writers create person files through the API while the server
is killed with SIGKILL at random moments (fixed seed) and restarted. Every write the server
acknowledged (201 with an id) must be there afterwards, with its name.

Environment: BASE_URL, PASSWORD (the demo's), START (a shell command that starts the server
in the background and prints its pid), KILLS (default 10), WRITERS (default 4), SEED."""

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "e2e"))
import demo_login  # noqa: E402

BASE = os.environ["BASE_URL"]
PASSWORD = os.environ["PASSWORD"]
START = os.environ["START"]
KILLS = int(os.environ.get("KILLS", "10"))
WRITERS = int(os.environ.get("WRITERS", "4"))
rng = random.Random(int(os.environ.get("SEED", "2026")))


def wait_healthy(timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        try:
            with urllib.request.urlopen(BASE + "/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except Exception:
            pass
        time.sleep(0.1)
    raise SystemExit("FAIL: the server did not come back")


def token_for(user):
    return demo_login.token_for(BASE, user, PASSWORD, "crash", timeout=30)


def api(method, path, token, body=None, timeout=10):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + path, data=data, method=method, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, json.loads(r.read() or b"null")


def start_server():
    out = subprocess.run(["bash", "-c", START], capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1])


def main():
    pid = start_server()
    wait_healthy()
    token = token_for("unitadmin02")
    _, units = api("GET", "/api/v1/units", token)
    targets = [u["id"] for u in units if u.get("kind") in ("village", "community")] or [units[-1]["id"]]
    acked = []
    lock = threading.Lock()
    stop = threading.Event()
    attempts = [0]

    def writer(w):
        n = 0
        while not stop.is_set():
            n += 1
            name = f"崩溃{w}号{n}"
            try:
                with lock:
                    attempts[0] += 1
                status, body = api("POST", "/api/v1/people", token,
                                   {"unit_id": targets[n % len(targets)], "name": name, "gender": "female"})
                if status == 201:
                    with lock:
                        acked.append((body["id"], name))
            except Exception:
                time.sleep(0.05)  # the server is down or restarting: not acknowledged

    threads = [threading.Thread(target=writer, args=(w,), daemon=True) for w in range(WRITERS)]
    for t in threads:
        t.start()
    for k in range(KILLS):
        time.sleep(rng.uniform(0.3, 2.0))
        os.kill(pid, signal.SIGKILL)
        with lock:
            before = len(acked)
        time.sleep(rng.uniform(0.0, 0.3))
        pid = start_server()
        wait_healthy()
        print(f"kill {k + 1}/{KILLS}: {before} writes acknowledged so far", flush=True)
    time.sleep(1.0)
    stop.set()
    for t in threads:
        t.join(timeout=15)
    lost = []
    for pid_, name in acked:
        try:
            status, body = api("GET", f"/api/v1/people/{pid_}", token, timeout=30)
            if status != 200 or body.get("name") != name:
                lost.append((pid_, name, status))
        except urllib.error.HTTPError as e:
            lost.append((pid_, name, e.code))
    ids = [i for i, _ in acked]
    dup = len(ids) - len(set(ids))
    print(f"{KILLS} kills, {attempts[0]} writes attempted, {len(acked)} acknowledged, "
          f"{len(lost)} lost, {dup} duplicate ids")
    with open(os.environ.get("PIDFILE", "/dev/null"), "w") as f:
        f.write(str(pid))
    if lost or dup or not acked:
        print("FAIL: lost", lost[:20])
        raise SystemExit(1)


if __name__ == "__main__":
    main()
