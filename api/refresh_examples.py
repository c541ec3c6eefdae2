#!/usr/bin/python3
"""Rewrites the response examples of api/openapi.yaml with what the real daemon answers.

For every operation, each request example `NAME` is sent to a daemon started here (loopback,
ephemeral port) and the response example of the same NAME (under any status) is replaced by
the body the daemon returned, written as one JSON flow line (JSON is YAML). Run it after a
change to the daemon's output:  /usr/bin/python3 api/refresh_examples.py BIN
It edits only `value:` lines of matched response examples; everything else stays as written.
"""
import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

import yaml

DOC = "api/openapi.yaml"


def start(binary):
    proc = subprocess.Popen([binary, "--bind", "127.0.0.1", "--port", "0"],
                            stdout=subprocess.PIPE, text=True)
    deadline = time.time() + 10
    while time.time() < deadline:
        line = proc.stdout.readline()
        if '"listening"' in line:
            return proc, json.loads(line)["port"]
    proc.kill()
    sys.exit("refresh_openapi_examples: the daemon did not start")


def ask(port, method, path, body):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "build/divergenced"
    doc = yaml.safe_load(open(DOC))
    proc, port = start(binary)
    answers = {}  # (path, example name) -> body
    try:
        for path, item in doc["paths"].items():
            for method, op in item.items():
                rb = op.get("requestBody") if isinstance(op, dict) else None
                if not rb:
                    continue
                for name, ex in rb["content"]["application/json"].get("examples", {}).items():
                    status, body = ask(port, method.upper(), path, ex["value"])
                    answers[(path, name)] = body
                    print("%s %s [%s] -> %d" % (method.upper(), path, name, status))
    finally:
        proc.terminate()
        proc.wait(timeout=15)

    lines = open(DOC).read().split("\n")
    path = None
    in_responses = False
    pending = None  # example name whose value line comes next
    changed = 0
    for i, line in enumerate(lines):
        m = re.match(r"^  (/[^:]*):\s*$", line)
        if m:
            path, in_responses, pending = m.group(1).strip("'\""), False, None
            continue
        if re.match(r"^      responses:\s*$", line):
            in_responses = True
            continue
        if re.match(r"^      requestBody:\s*$", line) or re.match(r"^    \w+:\s*$", line):
            in_responses = False
        if not (path and in_responses):
            continue
        m = re.match(r"^(\s+)([A-Za-z0-9_-]+):\s*$", line)
        if m and (path, m.group(2)) in answers:
            pending = m.group(2)
            continue
        m = re.match(r"^(\s+)value:\s", line)
        if m and pending:
            lines[i] = "%svalue: %s" % (m.group(1),
                                        json.dumps(answers[(path, pending)], ensure_ascii=False,
                                                   separators=(", ", ": ")))
            changed += 1
            pending = None
    open(DOC, "w").write("\n".join(lines))
    print("refresh_openapi_examples: %d response examples rewritten from a real run" % changed)


if __name__ == "__main__":
    main()
