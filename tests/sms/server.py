#!/usr/bin/env python3
"""The tests' SMS provider, standard library only: `server.py PORT OUT`.

It plays both kinds of sender the server has:
  POST /hook   the generic webhook: JSON {"to", "text"} with a bearer token.
  POST /       Tencent Cloud SMS, API 3.0 `SendSms`: it recomputes the TC3-HMAC-SHA256
               signature as Tencent's documentation ("签名方法 v3") describes, from the
               request's own headers and body with the secret key below, and answers
               AuthFailure.SignatureFailure when it differs; a number ending 0000 gets
               InvalidParameterValue.IncorrectPhoneNumber, as the real service answers.
Every request it accepts is a JSON line in OUT (with `signature_ok` for Tencent), so the
tests read what was sent. It prints "ready" once listening."""

import datetime
import hashlib
import hmac
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET_ID = "AKIDtestsecretid"
SECRET_KEY = "testsecretkey"
TOKEN = "hook-token"
PORT = int(sys.argv[1])
OUT = sys.argv[2]


def tc3(headers, body):
    """The Authorization header Tencent expects for this request."""
    ts = int(headers["X-TC-Timestamp"])
    date = datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%d")
    ct = headers["Content-Type"]
    host = headers["Host"]
    action = headers["X-TC-Action"].lower()
    canonical = "POST\n/\n\ncontent-type:%s\nhost:%s\nx-tc-action:%s\n\ncontent-type;host;x-tc-action\n%s" % (
        ct, host, action, hashlib.sha256(body).hexdigest())
    scope = "%s/sms/tc3_request" % date
    to_sign = "TC3-HMAC-SHA256\n%d\n%s\n%s" % (ts, scope, hashlib.sha256(canonical.encode()).hexdigest())

    def mac(key, msg):
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    k = mac(mac(mac(("TC3" + SECRET_KEY).encode(), date), "sms"), "tc3_request")
    sig = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    return "TC3-HMAC-SHA256 Credential=%s/%s, SignedHeaders=content-type;host;x-tc-action, Signature=%s" % (
        SECRET_ID, scope, sig)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def record(self, entry):
        with open(OUT, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == "/hook":
            if self.headers.get("Authorization") != "Bearer " + TOKEN:
                return self.answer(401, {"error": "token"})
            msg = json.loads(body)
            self.record({"via": "webhook", "to": msg["to"], "text": msg["text"]})
            if msg["to"].endswith("0000"):
                return self.answer(400, {"error": "no such number"})
            return self.answer(200, {"ok": True})
        expected = tc3(self.headers, body)
        ok = hmac.compare_digest(expected, self.headers.get("Authorization", ""))
        msg = json.loads(body)
        self.record({
            "via": "tencent", "signature_ok": ok, "action": self.headers.get("X-TC-Action"),
            "version": self.headers.get("X-TC-Version"), "region": self.headers.get("X-TC-Region"),
            "to": msg["PhoneNumberSet"][0], "params": msg["TemplateParamSet"],
            "app": msg["SmsSdkAppId"], "sign": msg["SignName"], "template": msg["TemplateId"],
        })
        if not ok:
            return self.answer(200, {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure",
                                                            "Message": "signature mismatch"},
                                                  "RequestId": "t"}})
        number = msg["PhoneNumberSet"][0]
        status = ({"Code": "InvalidParameterValue.IncorrectPhoneNumber", "Message": "bad number"}
                  if number.endswith("0000") else {"Code": "Ok", "Message": "send success"})
        status.update({"PhoneNumber": number, "SerialNo": "2640:1", "Fee": 1, "IsoCode": "CN"})
        return self.answer(200, {"Response": {"SendStatusSet": [status], "RequestId": "t"}})


server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
print("ready", flush=True)
server.serve_forever()
