"""Shared by the scripts that drive a running server (e2e/api_checks.py, tests/crash/driver.py):
log in through the login form as a person would, and create an API token."""

import http.cookiejar
import json
import re
import urllib.parse
import urllib.request


def token_for(base, user, password, name="script", timeout=60):
    """Logs `user` in at `base` and returns a new API token named `name`."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def call(method, path, body=None, headers=None):
        req = urllib.request.Request(base + path, data=body, method=method, headers=headers or {})
        req.add_header("Origin", base)
        req.add_header("Sec-Fetch-Site", "same-origin")
        with opener.open(req, timeout=timeout) as r:
            return r.read().decode()

    csrf = re.search(r'name="csrf" value="([^"]+)"', call("GET", "/login")).group(1)
    form = urllib.parse.urlencode({"csrf": csrf, "login": user, "password": password, "next": "/"})
    call("POST", "/login", form.encode(), {"Content-Type": "application/x-www-form-urlencoded"})
    # The session's token, from any page of the signed-in shell.
    csrf = re.search(r'name="csrf" value="([^"]+)"', call("GET", "/")).group(1)
    out = call("POST", "/api/v1/tokens", json.dumps({"name": name}).encode(),
               {"Content-Type": "application/json", "X-CSRF-Token": csrf})
    return json.loads(out)["token"]
