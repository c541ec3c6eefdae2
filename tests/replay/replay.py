#!/usr/bin/python3
"""Replays every request of the integration tables (tests/data/http_cases*.json,
http_bad_cases*.json) and the README's curl examples against two daemon binaries and
prints every response body that differs. Used to show that a refactoring left every
answer byte-identical:  tests/replay/replay.py OLD_BIN NEW_BIN
(Not part of make test: it needs an old build.)"""
import binascii
import glob
import http.client
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def start(binary, *extra):
    p = subprocess.Popen([binary, "--bind", "127.0.0.1", "--port", "0", "--log-format", "json",
                          *extra], stdout=subprocess.PIPE, text=True)
    for line in p.stdout:
        m = re.search(r'"port":\s*(\d+)', line)
        if m and "listening" in line:
            return p, int(m.group(1))
    raise SystemExit("no listening line from " + binary)


def body_of(c):
    if "raw" in c:
        return c["raw"].encode()
    if "raw_hex" in c:
        return binascii.unhexlify(c["raw_hex"])
    if "raw_gen" in c:
        return b"".join(text.encode() * k for text, k in c["raw_gen"])
    if "gen" in c:  # as tests/integration/cases.c builds it: arrays cycled to n, then body
        n = c["gen"]["n"]
        parts = ['"%s":[%s]' % (k, ",".join(json.dumps(cyc[i % len(cyc)]) for i in range(n)))
                 for k, cyc in c["gen"]["arrays"].items()]
        parts += [json.dumps(k) + ":" + json.dumps(v) for k, v in c.get("body", {}).items()]
        return ("{" + ",".join(parts) + "}").encode()
    if "body" in c:
        return json.dumps(c["body"]).encode()
    return None


def readme_requests():
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    for m in re.finditer(r"curl[^\n]*?localhost:8080(/[\w/.-]*)[^\n]*?-d '([^']*)'", text):
        yield {"name": "README " + m.group(1), "path": m.group(1), "raw": m.group(2)}
    for m in re.finditer(r"curl -s(?:S)? localhost:8080(/[\w/.-]*)\s*-d\s*'([^']*)'", text):
        yield {"name": "README " + m.group(1), "path": m.group(1), "raw": m.group(2)}


def ask(port, c):
    body = body_of(c)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    headers = {}
    ct = c.get("content_type", "application/json")
    if ct and body is not None:
        headers["Content-Type"] = ct
    method = c.get("method", "POST" if body is not None else "GET")
    conn.request(method, c["path"], body=body, headers=headers)
    r = conn.getresponse()
    return r.status, r.read()


def main(old, new):
    cases = []
    for f in sorted(glob.glob(os.path.join(ROOT, "tests/data/http_cases*.json"))):
        cases += json.load(open(f))["cases"]
    for f in sorted(glob.glob(os.path.join(ROOT, "tests/data/http_bad_cases*.json"))):
        cases += json.load(open(f))["bad"]
    cases += list(readme_requests())
    runs = []
    for b in (old, new):
        d, port = start(b)
        lim, lport = start(b, "--max-body", "4096", "--max-elements", "100")
        out = []
        for c in cases:
            if body_of(c) is None and c.get("method") not in ("GET", "HEAD", "OPTIONS"):
                out.append(None)
                continue
            out.append(ask(lport if c.get("daemon") == "limits" else port, c))
        d.terminate()
        lim.terminate()
        runs.append(out)
    same = differ = skipped = 0
    for c, a, b in zip(cases, *runs):
        if a is None:
            skipped += 1
        elif a == b:
            same += 1
        else:
            differ += 1
            print("DIFF %s %s\n  old %s %s\n  new %s %s" % (c["name"], c["path"], a[0], a[1][:400],
                                                       b[0], b[1][:400]))
    print("replay: %d identical, %d differ, %d skipped (no body to send)" % (same, differ, skipped))


if __name__ == "__main__":
    main(*sys.argv[1:3])
