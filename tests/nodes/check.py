#!/usr/bin/env python3
"""Two nodes on one PostgreSQL behind a proxy (tests/nodes/run.sh starts them):
1. a session made on node A is valid on node B, and requests through the proxy, which
   alternates the nodes, all succeed with one cookie;
2. a lockout counted across both nodes holds on both;
3. a setting the system admin saves on node A is in force on node B within 10 s;
4. each daily job ran once, not once per node.

Environment: NODE_A, NODE_B, PROXY (base URLs), PASSWORD (the demo's), SYSADMIN_PASSWORD
(the one-time password from `yinyao admin init`), DATABASE_URL, PSQL (path to psql)."""

import base64
import hashlib
import hmac
import http.cookiejar
import json
import os
import re
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

A, B, PROXY = os.environ["NODE_A"], os.environ["NODE_B"], os.environ["PROXY"]
PASSWORD = os.environ["PASSWORD"]
failures = []


def check(cond, what):
    print(f"{'ok' if cond else 'FAIL'} - {what}", flush=True)
    if not cond:
        failures.append(what)


class Browser:
    """A cookie jar that can talk to any node (the cookie is the same; only the host differs)."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.csrf = None

    def call(self, base, method, path, body=None, headers=None, form=None):
        headers = dict(headers or {})
        if form is not None:
            form = dict(form)
            if self.csrf:
                form.setdefault("csrf", self.csrf)
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        req = urllib.request.Request(base + path, data=body, method=method, headers=headers)
        req.add_header("Origin", base)
        req.add_header("Sec-Fetch-Site", "same-origin")
        # The cookie is for 127.0.0.1 whatever the port: the jar sends it to every node.
        try:
            with self.opener.open(req, timeout=30) as r:
                text = r.read().decode("utf-8", "replace")
                status, url = r.status, r.geturl()
        except urllib.error.HTTPError as e:
            text, status, url = e.read().decode("utf-8", "replace"), e.code, e.geturl()
        m = re.search(r'name="csrf" value="([^"]+)"', text)
        if m:
            self.csrf = m.group(1)
        return status, text, url

    def login(self, base, user, password):
        self.call(base, "GET", "/login")
        return self.call(base, "POST", "/login", form={"login": user, "password": password, "next": "/"})


def totp(secret_b32, at=None):
    key = base64.b32decode(secret_b32.upper() + "=" * (-len(secret_b32) % 8))
    counter = int((at or time.time()) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    o = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[o:o + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def psql(sql):
    out = subprocess.run([os.environ["PSQL"], os.environ["DATABASE_URL"], "-At", "-c", sql],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def main():
    # 1. One session, both nodes.
    b = Browser()
    status, _, url = b.login(A, "staff03", PASSWORD)
    check(status == 200 and not url.endswith("/login"), f"log in on node A ({status}, {url})")
    for node, name in ((A, "A"), (B, "B")):
        status, body, _ = b.call(node, "GET", "/api/v1/me")
        check(status == 200 and '"staff03"' in body, f"the session answers on node {name}: {status}")
    statuses = [b.call(PROXY, "GET", "/api/v1/me")[0] for _ in range(20)]
    check(statuses == [200] * 20, f"20 requests through the proxy with one cookie: {set(statuses)}")
    status, _, _ = b.call(B, "POST", "/logout", form={})
    status, _, _ = b.call(A, "GET", "/api/v1/me")
    check(status == 401, f"logged out on B, the session is gone on A too: {status}")

    # 2. A lockout counted on both nodes holds on both.
    intruder = Browser()
    for i in range(5):
        intruder.login(A if i % 2 == 0 else B, "staff04", "wrong-password-9")
    for node, name in ((A, "A"), (B, "B")):
        c = Browser()
        status, _, url = c.login(node, "staff04", PASSWORD)
        check(url.endswith("/login") or status != 200 or "/login" in url,
              f"after 5 failures spread over both nodes, the right password is refused on {name}")
        status, _, _ = c.call(node, "GET", "/api/v1/me")
        check(status == 401, f"no session for the locked account on node {name}: {status}")

    # 3. The system admin changes the password policy on A; B enforces it within 10 s.
    admin = Browser()
    admin.login(A, "sysadmin", os.environ["SYSADMIN_PASSWORD"])
    status, page, url = admin.call(A, "GET", "/login/totp")
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page)
    check(secret is not None, f"TOTP enrolment offered ({status} {url})")
    admin.call(A, "POST", "/login/totp", form={"code": totp(secret.group(1))})
    new_pw = "Harbour-lights-2046"
    admin.call(A, "POST", "/account/password",
               form={"current": os.environ["SYSADMIN_PASSWORD"], "new": new_pw, "confirm": new_pw})
    status, body, _ = admin.call(A, "GET", "/api/v1/settings/policy")
    check(status == 200, f"the system admin reads the policy on A: {status}")
    policy = json.loads(body)
    policy["password_min_length"] = policy["password_min_length"] + 4
    wanted = policy["password_min_length"]
    status, body, _ = admin.call(A, "PUT", "/api/v1/settings/policy", json.dumps(policy).encode(),
                                 {"Content-Type": "application/json", "X-CSRF-Token": admin.csrf})
    check(status == 200, f"saved on node A: {status} {body[:200]}")
    saved = time.time()
    seen = None
    while time.time() - saved < 15:
        status, body, _ = admin.call(B, "GET", "/api/v1/settings/policy")
        if status == 200 and json.loads(body)["password_min_length"] == wanted:
            seen = time.time() - saved
            break
        time.sleep(0.25)
    check(seen is not None and seen <= 10.5, f"node B enforces it after {seen if seen is None else round(seen, 1)} s (at most 10)")

    # 4. Each daily job once across the two nodes.
    for job in ("daily_housekeeping", "visit_tasks", "search_lists"):
        runs = psql(f"SELECT COUNT(*) || ' ' || COUNT(DISTINCT node) FROM job_runs WHERE job = '{job}'")
        check(runs == "1 1", f"{job} ran once today across both nodes ({runs})")
    nodes = psql("SELECT COUNT(DISTINCT node) FROM node_heartbeats")
    check(int(nodes) >= 2, f"both nodes are alive in the database ({nodes})")
    if failures:
        print("\n".join(failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
