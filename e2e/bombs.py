#!/usr/bin/env python3
"""Upload bombs against the running server: each kind of bomb to each route that parses a
file (roster page and API, the import command, person photos, article attachments, works). The server must answer every
one with a 4xx, stay up, and keep its peak memory (VmHWM) under 300 MB.

Environment: BASE_URL, PASSWORD (the demo's), SERVER_PID, BIN (the yinyao binary for the
import command), WORK (a scratch folder). Standard library only."""

import http.cookiejar
import json
import os
import re
import resource
import struct
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import zlib

BASE = os.environ["BASE_URL"]
PASSWORD = os.environ["PASSWORD"]
PID = int(os.environ["SERVER_PID"])
BIN = os.environ["BIN"]
WORK = os.environ["WORK"]
LIMIT_KB = 300 * 1024

class Session:
    """One signed-in browser: a cookie jar and the session's CSRF token."""

    def __init__(self, user):
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        _, page = self.call("GET", "/login")
        form = urllib.parse.urlencode(
            {"csrf": csrf_of(page), "login": user, "password": PASSWORD, "next": "/"}).encode()
        status, _ = self.call("POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 200, f"login {user}: {status}"
        self.csrf = csrf_of(self.call("GET", "/")[1])

    def call(self, method, path, body=None, headers=None):
        req = urllib.request.Request(BASE + path, data=body, method=method, headers=headers or {})
        req.add_header("Origin", BASE)
        req.add_header("Sec-Fetch-Site", "same-origin")
        if getattr(self, "csrf", None):
            req.add_header("X-CSRF-Token", self.csrf)
        try:
            with self.opener.open(req, timeout=120) as r:
                return r.status, r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8", "replace")

    def json(self, method, path, doc):
        return self.call(method, path, json.dumps(doc).encode(), {"Content-Type": "application/json"})


def call(method, path):
    req = urllib.request.Request(BASE + path, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, ""


def csrf_of(page):
    m = re.search(r'name="csrf" value="([^"]+)"', page)
    assert m, "no csrf field"
    return m.group(1)


def peak_kb():
    with open(f"/proc/{PID}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise SystemExit("FAIL: the server is gone")


def multipart(fields, field_name, filename, data):
    b = "yinyaoBombBoundary"
    out = b""
    for k, v in fields.items():
        out += f'--{b}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
    out += (f'--{b}\r\nContent-Disposition: form-data; name="{field_name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n').encode()
    out += data + f"\r\n--{b}--\r\n".encode()
    return out, {"Content-Type": f"multipart/form-data; boundary={b}"}


# ------------------------------------------------------------------------------- the bombs
def xlsx(sheet_xml, shared=None):
    """A minimal workbook around one sheet (and a shared-strings part if given)."""
    path = os.path.join(WORK, "tmp.xlsx")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                   '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                   '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                   '</Types>')
        z.writestr("_rels/.rels",
                   '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
                   '</Relationships>')
        z.writestr("xl/workbook.xml",
                   '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                   'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                   '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels",
                   '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                   '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                   '</Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        if shared is not None:
            with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
                for chunk in shared:
                    f.write(chunk)
    with open(path, "rb") as f:
        return f.read()


def sheet(cells):
    body = "".join(f'<c r="{ref}" t="inlineStr"><is><t>{v}</t></is></c>' for ref, v in cells)
    return ('<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<sheetData><row>{body}</row></sheetData></worksheet>')


def shared_strings(count):
    yield b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    one = b"<si><t>a</t></si>" * 100_000
    for _ in range(count // 100_000):
        yield one
    yield b"</sst>"


def png(width, height, depth, colour, idat):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def png_zeros(side):
    """A real grey PNG of side × side zero pixels: about 100 KB that decodes to side² bytes."""
    c = zlib.compressobj(9)
    row = b"\x00" * (side + 1)
    data = b"".join(c.compress(row) for _ in range(side)) + c.flush()
    return png(side, side, 8, 0, data)


ROSTER_BOMBS = [
    ("far-cell.xlsx", lambda: xlsx(sheet([("A1", "姓名"), ("XFD1048576", "x")]))),
    ("far-row.xlsx", lambda: xlsx(sheet([("A1", "姓名"), ("A1048576", "x")]))),
    ("shared-strings.xlsx", lambda: xlsx(sheet([("A1", "姓名")]), shared_strings(12_000_000))),
    ("rows.csv", lambda: "姓名\n".encode() + b"x\n" * 16_700_000),
    ("wide.csv", lambda: ",".join(["姓名"] + [f"c{i}" for i in range(100_000)]).encode() + b"\n"),
]
IMAGE_BOMBS = [
    ("claims-12000-rgba16.png", lambda: png(12_000, 12_000, 16, 6, zlib.compress(b"\x00" * 64))),
    ("zeros-11000.png", lambda: png_zeros(11_000)),
]


def main():
    # The peak so far belongs to whatever ran before (the browser suite on the same server):
    # start the count here (writing 5 to clear_refs resets VmHWM to the current RSS).
    with open(f"/proc/{PID}/clear_refs", "w") as f:
        f.write("5")
    print(f"server peak reset to {peak_kb() // 1024} MB before the bombs", flush=True)
    staff = Session("staff03")
    status, page = staff.call("GET", "/people/import")
    assert status == 200, f"/people/import: {status}"
    unit = re.search(r'<option value="(\d+)"', page).group(1)
    status, body = staff.call("GET", "/api/v1/people")
    assert status == 200, f"/api/v1/people: {status} {body[:200]}"
    person = json.loads(body)[0]["id"]
    editor = Session("editor05")
    status, body = editor.call("GET", "/api/v1/columns")
    column = json.loads(body)[0]["id"]
    status, body = editor.json("POST", "/api/v1/articles", {"column_id": column, "title": "图片炸弹", "body": "正文"})
    assert status == 201, f"draft: {status} {body[:200]}"
    article = json.loads(body)["id"]
    member = Session("member12")
    status, body = member.json("POST", "/api/v1/works",
                               {"kind": "calligraphy", "title": "书法", "body": "耕读传家", "consent": True})
    assert status == 201, f"work: {status} {body[:200]}"
    work = json.loads(body)["id"]

    failures = []

    def expect_refused(what, status, body):
        peak = peak_kb()
        ok = 400 <= status < 500 and peak < LIMIT_KB
        print(f"{'ok' if ok else 'FAIL'} - {what}: {status}, server peak {peak // 1024} MB")
        if not ok:
            failures.append(f"{what}: {status} {body[:300]}")
        status, _ = call("GET", "/healthz")
        if status != 200:
            failures.append(f"{what}: the server stopped answering")

    for name, make in ROSTER_BOMBS:
        data = make()
        path = os.path.join(WORK, name)
        with open(path, "wb") as f:
            f.write(data)
        body, headers = multipart({"unit_id": unit}, "file", name, data)
        expect_refused(f"API roster {name} ({len(data) // 1024} KB)",
                       *staff.call("POST", "/api/v1/people/import", body, headers))
        expect_refused(f"page roster {name}",
                       *staff.call("POST", f"/people/import?csrf={staff.csrf}", body, headers))
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        run = subprocess.run([BIN, "--config", "/nonexistent.toml", "import", "people", path,
                              "--unit", unit, "--check-only"], capture_output=True, timeout=300)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        ok = run.returncode == 1 and peak < LIMIT_KB
        print(f"{'ok' if ok else 'FAIL'} - command roster {name}: exit {run.returncode}, "
              f"peak {max(peak, before) // 1024} MB")
        if not ok:
            failures.append(f"command {name}: {run.returncode} {run.stderr[-300:]!r}")
        os.remove(path)

    for name, make in IMAGE_BOMBS:
        data = make()
        body, headers = multipart({}, "photo", name, data)
        expect_refused(f"photo {name} ({len(data) // 1024} KB)",
                       *staff.call("POST", f"/people/{person}/photo?csrf={staff.csrf}", body, headers))
        body, headers = multipart({}, "file", name, data)
        expect_refused(f"attachment {name}",
                       *editor.call("POST", f"/news/{article}/attachments?csrf={editor.csrf}", body, headers))
        expect_refused(f"work file {name}",
                       *member.call("POST", f"/works/{work}/files?csrf={member.csrf}", body, headers))

    if failures:
        print("\n".join(failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
