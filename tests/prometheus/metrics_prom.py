#!/usr/bin/python3
"""Prometheus side of tests/prometheus/run.sh: sends a known set of requests to a fresh
divergenced (curl), then polls a real Prometheus server's HTTP API (curl) until it has
scraped the daemon and shows exactly those requests; prints the query results.

    metrics_prom.py --daemon PORT --prom PORT --tmp DIR [--timeout 30]
"""
import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "metrics"))
from metrics_check import Req, run_batch, rnd_path  # noqa: E402

JOB = "divergenced"


def query(prom, q):
    p = subprocess.run(["curl", "-sS", "--max-time", "5", "-G", "http://127.0.0.1:%d/api/v1/query" % prom,
                        "--data-urlencode", "query=" + q], capture_output=True, text=True)
    if p.returncode != 0:
        return None
    try:
        j = json.loads(p.stdout)
    except ValueError:
        return None
    return j["data"]["result"] if j.get("status") == "success" else None


def api(prom, path):
    p = subprocess.run(["curl", "-sS", "--max-time", "5", "http://127.0.0.1:%d%s" % (prom, path)],
                       capture_output=True, text=True)
    try:
        return json.loads(p.stdout) if p.returncode == 0 else None
    except ValueError:
        return None


def show(q, res):
    print("query: " + q)
    if not res:
        print("  (empty)")
    for r in sorted(res or [], key=lambda r: sorted(r["metric"].items())):
        m = r["metric"]
        name = m.get("__name__", "")
        lab = ",".join('%s="%s"' % (k, v) for k, v in sorted(m.items()) if k != "__name__")
        print("  %s{%s} => %s" % (name, lab, r["value"][1]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--daemon", type=int, required=True)
    ap.add_argument("--prom", type=int, required=True)
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--timeout", type=float, default=30)
    a = ap.parse_args()
    base = "http://127.0.0.1:%d" % a.daemon
    fails = []

    # the requests this test makes (a fresh daemon: absolute counts are exact)
    reqs = []
    for i in range(9):
        reqs.append(Req("POST", "/kl", "/kl", 200, {"p": [0.5, 0.25, 0.25], "q": [0.25, 0.25, 0.5]}))
    for i in range(4):
        reqs.append(Req("POST", "/entropy", "/entropy", 200, {"p": [1, 2, 3, i + 1], "normalize": True}))
    for i in range(3):
        reqs.append(Req("POST", "/kl", "/kl", 422, {"p": [0.5, 0.5]}))
    for i in range(5):
        reqs.append(Req("GET", rnd_path(), "other", 404))
    run_batch(base, reqs, a.tmp, "prom")
    want = {}
    for r in reqs:
        if r.got_status != r.status:
            fails.append("%s %s -> %s, expected %d" % (r.method, r.path, r.got_status, r.status))
        k = (r.route, r.method, str(r.got_status))
        want[k] = want.get(k, 0) + 1
    print("sent: " + ", ".join("%s %s %s x%d" % (k[1], k[0], k[2], n) for k, n in sorted(want.items())))

    deadline = time.time() + a.timeout
    t0 = time.time()
    up_ok = counts_ok = False
    last = None
    while time.time() < deadline:
        up = query(a.prom, 'up{job="%s"}' % JOB)
        up_ok = bool(up) and up[0]["value"][1] == "1"
        if up_ok:
            res = query(a.prom, 'divergenced_http_requests_total{job="%s"}' % JOB) or []
            have = {(m["metric"].get("route"), m["metric"].get("method"), m["metric"].get("status")):
                    float(m["value"][1]) for m in res}
            last = have
            counts_ok = all(have.get(k) == n for k, n in want.items())
            if counts_ok:
                break
        time.sleep(0.5)
    took = time.time() - t0
    if not up_ok:
        fails.append('up{job="%s"} never became 1 within %.0f s' % (JOB, a.timeout))
    elif not counts_ok:
        for k, n in sorted(want.items()):
            if (last or {}).get(k) != n:
                fails.append('divergenced_http_requests_total{route="%s",method="%s",status="%s"} = %s in '
                             'Prometheus, want %d' % (k[0], k[1], k[2], (last or {}).get(k), n))
    else:
        print("Prometheus shows up == 1 and the exact request counts after %.1f s" % took)

    # what an operator sees
    for q in ['up{job="%s"}' % JOB,
              'sum by (route, method, status) (divergenced_http_requests_total{job="%s"})' % JOB,
              'divergenced_errors_total{job="%s"}' % JOB,
              'divergenced_http_request_duration_seconds_count{job="%s"}' % JOB,
              'divergenced_values_processed_total{job="%s"}' % JOB,
              'divergenced_build_info{job="%s"}' % JOB,
              'divergenced_http_requests_in_flight{job="%s"}' % JOB,
              'process_resident_memory_bytes{job="%s"}' % JOB,
              'scrape_samples_scraped{job="%s"}' % JOB]:
        res = query(a.prom, q)
        show(q, res)
        if not res:
            fails.append("query %s returned nothing" % q)
    for route, n in (("/kl", 12), ("/entropy", 4), ("other", 5)):
        res = query(a.prom, 'divergenced_http_request_duration_seconds_count{job="%s",route="%s"}' % (JOB, route))
        got = float(res[0]["value"][1]) if res else None
        if got != n:
            fails.append('divergenced_http_request_duration_seconds_count{route="%s"} = %s, want %d' % (route, got, n))
    res = query(a.prom, 'divergenced_errors_total{job="%s",route="/kl",code="missing_member"}' % JOB)
    if not res or float(res[0]["value"][1]) != 3:
        fails.append('divergenced_errors_total{route="/kl",code="missing_member"} = %s, want 3'
                     % (res[0]["value"][1] if res else None))

    # the target's own health and the metadata Prometheus ingested (TYPE/HELP)
    t = api(a.prom, "/api/v1/targets")
    for tg in (t or {}).get("data", {}).get("activeTargets", []):
        print("target: %s health=%s lastError=%r scrapeUrl=%s" % (tg.get("labels", {}).get("job"), tg.get("health"),
                                                                   tg.get("lastError"), tg.get("scrapeUrl")))
        if tg.get("lastError"):
            fails.append("target lastError: %s" % tg["lastError"])
    md = api(a.prom, "/api/v1/metadata")
    meta = (md or {}).get("data", {})
    for name, typ in (("divergenced_http_requests_total", "counter"),
                      ("divergenced_http_request_duration_seconds", "histogram"),
                      ("divergenced_http_requests_in_flight", "gauge"),
                      ("divergenced_errors_total", "counter"),
                      ("process_cpu_seconds_total", "counter")):
        got = [m.get("type") for m in meta.get(name, [])]
        print("metadata: %s type=%s help=%r" % (name, ",".join(got) or None,
                                                 (meta.get(name) or [{}])[0].get("help")))
        if typ not in got:
            fails.append("Prometheus metadata for %s: type %s, want %s" % (name, got, typ))

    for f in fails:
        print("FAIL: " + f)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
