#!/usr/bin/env python3
"""Bounded load through nginx for deploy/cluster_demo.sh (Python standard library only).

    load.py --url http://127.0.0.1:PORT/kl --key-file FILE --threads 4
            --max-seconds 60 --max-requests 200000 --stop-file PATH --out summary.json

Each thread keeps one HTTP/1.1 keep-alive connection to nginx and POSTs the worked /kl
example (p=[0.4,0.4,0.2], q=[0.5,0.1,0.4], base 2) in a loop. A request counts as
failed when it raises (connection refused/reset, timeout), answers other than 200, or
answers a kl that is not 0.47122876204505504 within 1e-12 relative. The loop ends at
the first of: the stop file appears, --max-seconds pass, --max-requests are sent.
nginx's X-Upstream header names the replica(s) that answered ("a, b" when nginx
retried on another one); the summary counts them per replica and per second.
"""
import argparse
import http.client
import json
import os
import threading
import time
import urllib.parse

WANT = 0.47122876204505504
BODY = json.dumps({"p": [0.4, 0.4, 0.2], "q": [0.5, 0.1, 0.4], "base": 2}).encode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--key-file")
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--max-seconds", type=float, default=60.0)
    ap.add_argument("--max-requests", type=int, default=200000)
    ap.add_argument("--stop-file", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    u = urllib.parse.urlsplit(a.url)
    headers = {"Content-Type": "application/json"}
    if a.key_file:
        with open(a.key_file) as f:
            headers["Authorization"] = "Bearer " + f.read().strip()

    lock = threading.Lock()
    t_start = time.time()
    deadline = t_start + a.max_seconds
    state = {"sent": 0, "ok": 0, "failed": 0, "retried": 0,
             "by_upstream": {}, "by_second": {}, "errors": [], "last_by_upstream": {}}

    def budget():
        with lock:
            if state["sent"] >= a.max_requests:
                return False
            state["sent"] += 1
            return True

    def worker():
        conn = None
        while time.time() < deadline and not os.path.exists(a.stop_file) and budget():
            err = None
            upstream = ""
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
                conn.request("POST", u.path, body=BODY, headers=headers)
                r = conn.getresponse()
                data = r.read()
                upstream = r.getheader("X-Upstream", "")
                if r.status != 200:
                    err = f"status {r.status}: {data[:200]!r}"
                else:
                    kl = json.loads(data)["kl"]
                    if not isinstance(kl, float) or abs(kl - WANT) > 1e-12 * WANT:
                        err = f"kl {kl!r} != {WANT}"
                if r.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except Exception as e:  # noqa: BLE001 - every failure is counted
                err = f"{type(e).__name__}: {e}"
                if conn is not None:
                    conn.close()
                conn = None
            now = time.time()
            sec = str(int(now - t_start))
            with lock:
                bs = state["by_second"].setdefault(sec, {"ok": 0, "failed": 0})
                if err is None:
                    state["ok"] += 1
                    bs["ok"] += 1
                    if "," in upstream:
                        state["retried"] += 1
                    last = upstream.split(",")[-1].strip()
                    state["by_upstream"][last] = state["by_upstream"].get(last, 0) + 1
                    state["last_by_upstream"][last] = round(now, 3)
                else:
                    state["failed"] += 1
                    bs["failed"] += 1
                    if len(state["errors"]) < 20:
                        state["errors"].append(f"t={now - t_start:.3f}s {err}")
        if conn is not None:
            conn.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(a.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(a.max_seconds + 30)
    state["seconds"] = round(time.time() - t_start, 3)
    state["started"] = round(t_start, 3)
    state["requests"] = state["ok"] + state["failed"]
    with open(a.out + ".tmp", "w") as f:
        json.dump(state, f, indent=1, sort_keys=True)
    os.replace(a.out + ".tmp", a.out)


if __name__ == "__main__":
    main()
