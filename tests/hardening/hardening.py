#!/usr/bin/env python3
"""Security properties of divergenced visible from outside (tests/hardening/run.sh).

  API key      wrong, prefixed, extended, missing or empty keys → 401 (WWW-Authenticate);
               the right one → 200; the key never appears in stdout or stderr (debug log
               level); a world-readable key file draws a warning, a 0600 one does not
  request id   X-Request-Id echoed only when 1–128 chars of [A-Za-z0-9._:-], else a
               generated 32-hex id; the log line carries the same id
  log lines    a path with newlines, quotes, backslashes and control characters cannot
               forge or split a log line (JSON and text formats)

Usage: hardening.py BIN. Loopback only, time-bounded.
"""
import json
import os
import re
import socket
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "abuse"))
from dvlib import Checks, Daemon, Reader, exchange, request_bytes  # noqa: E402

KEY = "k3y-Zq9-correct-horse-battery-staple"
KL = '{"p": [0.5, 0.5], "q": [0.9, 0.1]}'


def api_key(c, binary, tmp):
    print("API key")
    path = os.path.join(tmp, "key")
    with open(path, "w") as f:
        f.write(KEY + "\n")
    os.chmod(path, 0o600)
    d = Daemon(binary, "--api-key-file", path, "--log-level", "debug")
    try:
        cases = [
            ("no Authorization", {}, 401),
            ("empty bearer", {"Authorization": "Bearer "}, 401),
            ("wrong key, same length", {"Authorization": "Bearer " + "x" * len(KEY)}, 401),
            ("a prefix of the key", {"Authorization": "Bearer " + KEY[:-1]}, 401),
            ("the key plus a byte", {"Authorization": "Bearer " + KEY + "x"}, 401),
            ("the key, other case", {"Authorization": "Bearer " + KEY.upper()}, 401),
            ("Basic scheme", {"Authorization": "Basic " + KEY}, 401),
            ("the right key", {"Authorization": "Bearer " + KEY}, 200),
        ]
        for what, hdr, want in cases:
            st, h, _ = exchange(d, "POST", "/kl", KL, headers=hdr)
            extra = want != 401 or h.get("www-authenticate", "").startswith("Bearer")
            c.ok(st == want and extra, "%s → %d" % (what, want), "got %d %r" % (st, h))
        st, _, _ = exchange(d, "GET", "/metrics")
        c.ok(st == 401, "GET /metrics without the key → 401")
        st, _, _ = exchange(d, "GET", "/healthz")
        c.ok(st == 200, "GET /healthz needs no key")
    finally:
        rc = d.stop()
    c.ok(rc == 0, "SIGTERM: exit 0")
    out = "\n".join(d.lines + d.err)
    c.ok(KEY not in out and KEY[:12] not in out, "the key appears nowhere in stdout/stderr "
         "(debug level, %d lines)" % len(d.lines + d.err))
    c.ok(not any("world-readable" in ln for ln in d.err), "a 0600 key file: no warning")

    os.chmod(path, 0o644)
    d = Daemon(binary, "--api-key-file", path)
    try:
        st, _, _ = exchange(d, "POST", "/kl", KL, headers={"Authorization": "Bearer " + KEY})
        c.ok(st == 200, "a 0644 key file still works")
    finally:
        d.stop()
    c.ok(any("world-readable" in ln for ln in d.err), "a 0644 key file: warning at start",
         repr(d.err))
    c.ok(KEY not in "\n".join(d.lines + d.err), "the key is not in that warning either")


def request_ids(c, d):
    print("X-Request-Id")
    hexid = re.compile(r"^[0-9a-f]{32}$")
    ok_ids = ["abc-123_x.y:z", "A" * 128, "0", "trace:01.02-03_04"]
    bad_ids = ["A" * 129, "has space", 'quote"d', "semi;colon", "slash/x", "\u00e9t\u00e9",
               "tab\there", "", "{\"msg\":\"x\"}"]
    for rid in ok_ids:
        st, h, _ = exchange(d, "GET", "/healthz", headers={"X-Request-Id": rid})
        c.ok(h.get("x-request-id") == rid, "echoed: %r" % rid[:40], repr(h.get("x-request-id")))
    seen = set()
    for rid in bad_ids:
        s = d.connect()
        s.sendall(("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: %s\r\n\r\n" % rid)
                  .encode("utf-8"))
        st, h, _ = Reader(s).response()
        s.close()
        got = h.get("x-request-id", "")
        c.ok(bool(hexid.match(got)) and got not in seen, "replaced: %r → %s" % (rid[:40], got))
        seen.add(got)
    lines = d.wait_lines(lambda j: j.get("msg") == "request" and j.get("path") == "/healthz",
                         count=len(ok_ids) + len(bad_ids))
    ids = [j.get("request_id", "") for j in lines]
    c.ok(all(i in ok_ids or hexid.match(i) for i in ids) and len(ids) >= len(ok_ids) + len(bad_ids),
         "every logged request_id is an accepted or generated one (%d lines)" % len(ids))


FORGED = '/x\n{"time":"2026-01-01T00:00:00.000Z","level":"error","msg":"forged"}'


def log_injection(c, binary, fmt):
    print("log injection (--log-format %s)" % fmt)
    d = Daemon(binary, "--log-format", fmt)
    try:
        paths = [
            "/x%0A%7B%22msg%22%3A%22forged%22%7D",             # \n{"msg":"forged"}
            "/x%0D%0Alevel=error%20msg=forged",                # \r\n in text format
            "/q%22%2C%22status%22%3A200%2C%22x%22%3A%22",      # ","status":200,"x":"
            "/b%5C%22%5C",                                     # \"\
            "/c%01%1B%5B31m%7F%00tail",                        # control chars, ANSI, NUL
            '/raw"quote\\back',                                 # raw quote and backslash
        ]
        for p in paths:
            s = d.connect()
            try:
                s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % p).encode("latin-1"))
                Reader(s).response()
            except (EOFError, OSError):
                pass
            finally:
                s.close()
        st, _, _ = exchange(d, "GET", "/healthz")
        c.ok(st == 200, "the daemon answers after hostile paths")
    finally:
        rc = d.stop()
    c.ok(rc == 0, "SIGTERM: exit 0")
    lines = d.lines
    if fmt == "json":
        bad = [ln for ln in lines if not _is_json_obj(ln)]
        c.ok(not bad, "every stdout line is one JSON object (%d lines)" % len(lines), repr(bad[:3]))
        objs = [json.loads(ln) for ln in lines if _is_json_obj(ln)]
        c.ok(not any(o.get("msg") == "forged" for o in objs), "no forged line")
        reqs = [o for o in objs if o.get("msg") in ("request", "aborted")]
        c.ok(len(reqs) >= len(paths), "one request line per request (%d)" % len(reqs))
        c.ok(any("\n" in o.get("path", "") for o in reqs),
             "the newline survives inside the path field, escaped")
        c.ok(all(o.get("status") in (200, 404, 400, 0) for o in reqs),
             "no request line with a forged status")
    else:
        stamp = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (debug|info|warn|error) ")
        bad = [ln for ln in lines if not stamp.match(ln)]
        c.ok(not bad, "every text line starts with its own timestamp and level (%d lines)"
             % len(lines), repr(bad[:3]))
        c.ok(not any(re.search(r"[\x00-\x08\x0b-\x1f\x7f]", ln) for ln in lines),
             "no raw control character in any line")


def _is_json_obj(ln):
    try:
        return isinstance(json.loads(ln), dict)
    except ValueError:
        return False


def main():
    binary = sys.argv[1]
    c = Checks("hardening")
    with tempfile.TemporaryDirectory() as tmp:
        api_key(c, binary, tmp)
    d = Daemon(binary)
    try:
        request_ids(c, d)
    finally:
        d.stop()
    log_injection(c, binary, "json")
    log_injection(c, binary, "text")
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
