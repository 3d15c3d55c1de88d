#!/usr/bin/env python3
"""The tests' WeChat official-account API, standard library only: `server.py PORT OUT`.

It answers as WeChat's documentation says:
  GET  /cgi-bin/token?grant_type=client_credential&appid=&secret=   a new token (the old one
       stops working), {"access_token", "expires_in": 7200}; a wrong secret gets 40125.
  GET  /sns/oauth2/access_token?appid=&secret=&code=&grant_type=authorization_code
       a code `CODE-x` gives openid `OPENID-x`; any other code gets 40029 (invalid code).
  POST /cgi-bin/message/template/send?access_token=   0 and a msgid; a token that is not the
       newest gets 42001 (access_token expired); openid `OPENID-gone` gets 43004.
  POST /control/expire   makes the current token stale (as when it runs out), so the next
       send is answered 42001.
Every send accepted and every token issued is a JSON line in OUT. Prints "ready"."""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

APPID, SECRET = "wxtestappid", "wxtestsecret"
PORT, OUT = int(sys.argv[1]), sys.argv[2]
lock = threading.Lock()
state = {"n": 0, "current": None, "msgid": 0}


def record(entry):
    with open(OUT, "a", encoding="utf-8") as f:
        f.write(json.dumps(entry, ensure_ascii=False) + "\n")


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, payload):
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        u = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(u.query).items()}
        if u.path == "/cgi-bin/token":
            if q.get("appid") != APPID or q.get("secret") != SECRET or q.get("grant_type") != "client_credential":
                return self.answer({"errcode": 40125, "errmsg": "invalid appsecret"})
            with lock:
                state["n"] += 1
                state["current"] = "TOKEN-%d" % state["n"]
                token = state["current"]
            record({"token": token})
            return self.answer({"access_token": token, "expires_in": 7200})
        if u.path == "/sns/oauth2/access_token":
            code = q.get("code", "")
            if q.get("appid") != APPID or q.get("secret") != SECRET or not code.startswith("CODE-"):
                return self.answer({"errcode": 40029, "errmsg": "invalid code"})
            return self.answer({"access_token": "oauth", "expires_in": 7200, "refresh_token": "r",
                                "openid": "OPENID-" + code[5:], "scope": "snsapi_base"})
        self.send_response(404)
        self.end_headers()

    def do_POST(self):
        u = urlparse(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if u.path == "/control/expire":
            with lock:
                state["current"] = "stale"
            return self.answer({"ok": True})
        if u.path == "/cgi-bin/message/template/send":
            token = parse_qs(u.query).get("access_token", [""])[0]
            msg = json.loads(body)
            with lock:
                fresh = token == state["current"]
            if not fresh:
                return self.answer({"errcode": 42001, "errmsg": "access_token expired"})
            if msg["touser"] == "OPENID-gone":
                return self.answer({"errcode": 43004, "errmsg": "require subscribe"})
            with lock:
                state["msgid"] += 1
                msgid = state["msgid"]
            record({"to": msg["touser"], "template": msg["template_id"], "url": msg.get("url"),
                    "data": msg["data"], "token": token})
            return self.answer({"errcode": 0, "errmsg": "ok", "msgid": msgid})
        self.send_response(404)
        self.end_headers()


server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
print("ready", flush=True)
server.serve_forever()
