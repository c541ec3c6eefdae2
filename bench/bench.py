#!/usr/bin/env python3
"""divergenced benchmarks against nginx, FastAPI + scipy and PyTorch, on loopback.

Usage: bench/run.sh BIN [--smoke] [--out FILE]   (this file does the work; stdlib only)

Starts every server itself (temporary config and directories, 127.0.0.1, random free
ports), runs each scenario for a bounded time, stops exactly the processes it started
(by PID) and writes a Markdown report: the command, the machine, each figure and each
ratio — all from this one run, since absolute numbers move with the machine and its load.
--smoke runs every scenario on tiny inputs in a few seconds (what `make test` checks);
baselines whose packages are missing are skipped with a message.
"""
import http.client
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SYS_PY = "/usr/bin/python3"  # the Debian interpreter that has fastapi/scipy/torch
PROCS = []


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(argv, **kw):
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, **kw)
    PROCS.append(p)
    return p


def stop_all():
    for p in reversed(PROCS):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in reversed(PROCS):
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    PROCS.clear()


def post(port, path, body, timeout=120):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("POST", path, body=body, headers={"Content-Type": "application/json"})
        r = c.getresponse()
        data = r.read()
        return r.status, data
    finally:
        c.close()


def wait_ready(port, path, body, seconds=30):
    end = time.time() + seconds
    while time.time() < end:
        try:
            st, _ = post(port, path, body, timeout=5)
            if st == 200:
                return True
        except OSError:
            pass
        time.sleep(0.1)
    return False


def timed_posts(port, path, body, reps):
    """Median wall time of `reps` POSTs on fresh connections (status must be 200)."""
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        st, data = post(port, path, body)
        times.append(time.perf_counter() - t0)
        if st != 200:
            raise RuntimeError("%s answered %d: %s" % (path, st, data[:200]))
    return statistics.median(times)


def has_modules(*mods):
    if not os.path.exists(SYS_PY):
        return False
    code = "import " + ", ".join(mods)
    return subprocess.run([SYS_PY, "-c", code], capture_output=True).returncode == 0


# ---- request bodies ------------------------------------------------------------------------

def prob_array(rng, n):
    xs = [rng.random() + 1e-3 for _ in range(n)]
    s = sum(xs)
    return [x / s for x in xs]


def kl_body(n, seed=1):
    rng = random.Random(seed)
    return json.dumps({"p": prob_array(rng, n), "q": prob_array(rng, n),
                       "normalize": True}, separators=(",", ":")).encode()


def batch_body(rows, cols, seed=2):
    rng = random.Random(seed)
    def m():
        return [[round(rng.gauss(0, 3), 6) for _ in range(cols)] for _ in range(rows)]
    return json.dumps({"p_logits": m(), "q_logits": m()}, separators=(",", ":")).encode()


# ---- wrk ----------------------------------------------------------------------------------------

def to_ms(v):
    m = re.match(r"([\d.]+)(us|ms|s)", v)
    x = float(m.group(1))
    return {"us": x / 1000, "ms": x, "s": x * 1000}[m.group(2)]


def wrk(port, path, body_file, seconds, threads, conns):
    env = dict(os.environ, BODY=body_file)
    out = subprocess.run(["wrk", "-t%d" % threads, "-c%d" % conns, "-d%ds" % seconds,
                          "--timeout", "5s", "--latency", "-s", os.path.join(HERE, "post.lua"),
                          "http://127.0.0.1:%d%s" % (port, path)],
                         capture_output=True, text=True, env=env, timeout=seconds + 30).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errs = re.search(r"Socket errors:.*", out)
    return {"rps": rps, "p50_ms": to_ms(lat["50"]), "p99_ms": to_ms(lat["99"]),
            "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "socket_errors": errs.group(0) if errs else ""}


# ---- servers ------------------------------------------------------------------------------------

def start_divergenced(bin_path, tmp, name="dv"):
    port = free_port()
    out = open(os.path.join(tmp, name + ".log"), "w")
    p = start([bin_path, "--bind", "127.0.0.1", "--port", str(port)], stdout=out,
              stderr=subprocess.STDOUT)
    return p, port


def start_nginx(tmp, body):
    d = os.path.join(tmp, "nginx")
    os.makedirs(os.path.join(d, "www"), exist_ok=True)
    with open(os.path.join(d, "www", "kl.json"), "wb") as f:
        f.write(body)
    port = free_port()
    conf = os.path.join(d, "nginx.conf")
    with open(conf, "w") as f:
        f.write("""worker_processes 2;
daemon off;
pid %(d)s/nginx.pid;
error_log %(d)s/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path %(d)s/body; proxy_temp_path %(d)s/proxy;
  fastcgi_temp_path %(d)s/fcgi; uwsgi_temp_path %(d)s/uwsgi; scgi_temp_path %(d)s/scgi;
  server {
    listen 127.0.0.1:%(port)d;
    # a fixed JSON body for any POST (the static module answers POST with 405: map it)
    location / { root %(d)s/www; default_type application/json;
                 error_page 405 =200 $uri; try_files /kl.json =404; }
  }
}
""" % {"d": d, "port": port})
    p = start(["nginx", "-c", conf, "-p", d], stdout=subprocess.DEVNULL,
              stderr=subprocess.DEVNULL)
    return p, port


def start_uvicorn(module, workers, tmp):
    port = free_port()
    out = open(os.path.join(tmp, module + ".log"), "w")
    p = start([SYS_PY, "-m", "uvicorn", "--app-dir", HERE, module + ":app", "--host",
               "127.0.0.1", "--port", str(port), "--workers", str(workers), "--log-level",
               "warning", "--no-access-log"], stdout=out, stderr=subprocess.STDOUT)
    return p, port


def rss_kb(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


# ---- the run ----------------------------------------------------------------------------------

def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    bin_path = os.path.abspath(args[0])
    smoke = "--smoke" in args
    out_path = os.path.join(HERE, "RESULTS.md")
    if "--out" in args:
        out_path = args[args.index("--out") + 1]
    elif smoke:
        out_path = None
    tmp = tempfile.mkdtemp(prefix="dv-bench-")
    os.chmod(tmp, 0o755)  # nginx workers (user nobody) read the fixed body from here
    R = {}  # every figure, for the report
    notes = []
    try:
        run(bin_path, smoke, tmp, R, notes)
    finally:
        stop_all()
        shutil.rmtree(tmp, ignore_errors=True)
    report = render(R, notes, smoke, " ".join(["bench/run.sh"] + args))
    if out_path:
        with open(out_path, "w") as f:
            f.write(report)
        log("wrote " + out_path)
    else:
        print(report)
    return 0


def run(bin_path, smoke, tmp, R, notes):
    dur = 1 if smoke else 10
    small = kl_body(10)
    small_file = os.path.join(tmp, "small.json")
    with open(small_file, "wb") as f:
        f.write(small)
    have_fastapi = has_modules("fastapi", "uvicorn", "scipy")
    have_torch = has_modules("fastapi", "uvicorn", "torch")
    have_wrk = shutil.which("wrk") is not None
    have_nginx = shutil.which("nginx") is not None
    for ok, what in ((have_fastapi, "FastAPI+scipy (python3-fastapi, uvicorn, python3-scipy)"),
                     (have_torch, "PyTorch (python3-torch)"), (have_wrk, "wrk"),
                     (have_nginx, "nginx")):
        if not ok:
            msg = "%s not installed: its baseline is skipped (.ci/deps.sh bench)" % what
            log(msg)
            notes.append(msg)

    # 1. memory: a fresh daemon, one big /kl (before any other load raises the peak)
    n_big = 10**4 if smoke else 10**6
    big = kl_body(n_big, seed=3)
    p, port = start_divergenced(bin_path, tmp, "dv-rss")
    if not wait_ready(port, "/kl", small):
        raise RuntimeError("divergenced did not start")
    base = rss_kb(p.pid, "VmRSS")
    st, _ = post(port, "/kl", big)
    peak = rss_kb(p.pid, "VmHWM")
    R["rss"] = {"n": n_big, "body_bytes": len(big), "rss_before_kb": base, "hwm_kb": peak,
                "growth_bytes": (peak - base) * 1024, "status": st}
    p.terminate()
    p.wait(timeout=15)
    log("rss: %s" % R["rss"])

    dv, dv_port = start_divergenced(bin_path, tmp)
    if not wait_ready(dv_port, "/kl", small):
        raise RuntimeError("divergenced did not start")
    ngx = fa = th = None
    if have_nginx:
        ngx, ngx_port = start_nginx(tmp, json.dumps({"kl": 0.123, "n": 10, "base": "e",
                                                    "unit": "nat"}).encode())
    if have_fastapi:
        fa, fa_port = start_uvicorn("fastapi_service", 2, tmp)
    if have_torch:
        th, th_port = start_uvicorn("torch_service", 1, tmp)
    if ngx and not wait_ready(ngx_port, "/kl", small, 10):
        notes.append("nginx did not start; skipped")
        ngx = None
    if fa and not wait_ready(fa_port, "/kl", small, 60):
        notes.append("FastAPI service did not start; skipped")
        fa = None
    tiny_batch = batch_body(2, 3)
    if th and not wait_ready(th_port, "/batch/categorical-kl", tiny_batch, 90):
        notes.append("PyTorch service did not start; skipped")
        th = None

    # 2. small /kl: requests per second and latency, wrk -t2 -c64
    if have_wrk:
        R["small"] = {"divergenced": wrk(dv_port, "/kl", small_file, dur, 2, 64)}
        if ngx:
            R["small"]["nginx"] = wrk(ngx_port, "/kl", small_file, dur, 2, 64)
        if fa:
            R["small"]["fastapi"] = wrk(fa_port, "/kl", small_file, dur, 2, 64)
        log("small: %s" % R["small"])

    # 3. /kl scaling 10^3 … 10^6, and against FastAPI at the top size
    sizes = [10**3, 10**4] if smoke else [10**3, 10**4, 10**5, 10**6]
    reps = 2 if smoke else 5
    R["scaling"] = []
    for n in sizes:
        body = kl_body(n, seed=n)
        t = timed_posts(dv_port, "/kl", body, reps)
        R["scaling"].append({"n": n, "bytes": len(body), "seconds": t})
    top = sizes[-1]
    top_body = kl_body(top, seed=top)
    if fa:
        R["big_fastapi"] = {"n": top, "seconds": timed_posts(fa_port, "/kl", top_body,
                                                             2 if smoke else 3)}
    log("scaling: %s" % R["scaling"])

    # 4. /batch/categorical-kl 1024 × 1000 logits, against PyTorch
    rows, cols = (16, 100) if smoke else (1024, 1000)
    bb = batch_body(rows, cols)
    R["batch"] = {"rows": rows, "cols": cols, "bytes": len(bb),
                  "divergenced": timed_posts(dv_port, "/batch/categorical-kl", bb, reps)}
    if th:
        R["batch"]["torch"] = timed_posts(th_port, "/batch/categorical-kl", bb,
                                          2 if smoke else 3)
    log("batch: %s" % R["batch"])

    # 5. isolation: two clients loop on ~10 MB batch bodies while wrk measures small /kl
    if have_wrk:
        irows = 4 if smoke else 512
        ib = batch_body(irows, 1000, seed=5)
        stop = threading.Event()
        done = [0, 0]

        def loader(k):
            while not stop.is_set():
                st, _ = post(dv_port, "/batch/categorical-kl", ib)
                if st == 200:
                    done[k] += 1

        threads = [threading.Thread(target=loader, args=(k,)) for k in range(2)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        w = wrk(dv_port, "/kl", small_file, 2 if smoke else 10, 1, 8)
        stop.set()
        for t in threads:
            t.join()
        R["isolation"] = {"big_bytes": len(ib), "big_done": sum(done), "small": w}
        log("isolation: %s" % R["isolation"])

    # 6. number parsing and formatting micro-benchmarks (unit-test binaries, if built)
    build = os.path.dirname(bin_path)
    np_bin = os.path.join(build, "tests", "test_numparse")
    if os.path.exists(np_bin):
        n = 20000 if smoke else 5000000
        r = subprocess.run([np_bin, str(n)], capture_output=True, text=True, timeout=600)
        m = re.search(r"numparse: (\d+) strings checked against strtod, (\d+) mismatches",
                      r.stderr + r.stdout)
        if m:
            R["numparse_diff"] = {"checked": int(m.group(1)), "mismatches": int(m.group(2))}
        r = subprocess.run([np_bin, "--bench"], capture_output=True, text=True, timeout=120)
        m = re.search(r"strtod_MBps=([\d.]+) numparse_MBps=([\d.]+)", r.stdout)
        if m:
            R["numparse_speed"] = {"strtod": float(m.group(1)), "numparse": float(m.group(2))}
    jw_bin = os.path.join(build, "tests", "test_http_jw")
    if os.path.exists(jw_bin):
        r = subprocess.run([jw_bin, "--bench"], capture_output=True, text=True, timeout=120)
        m = re.search(r"reference_ns=(\d+) jw_ns=(\d+)", r.stdout)
        if m:
            R["jw_speed"] = {"reference_ns": int(m.group(1)), "jw_ns": int(m.group(2))}


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def render(R, notes, smoke, command):
    L = []
    L.append("# divergenced benchmark results%s\n" % (" (smoke run: tiny inputs, not figures)"
                                                     if smoke else ""))
    L.append("Command: `%s` (via `make bench`)  " % command)
    L.append("Date: %s  " % time.strftime("%Y-%m-%d %H:%M:%S %Z"))
    L.append("Machine: %d CPUs (nproc), %s, %s  " % (os.cpu_count() or 0, cpu_model(),
                                                    platform.platform()))
    L.append("All servers on 127.0.0.1 on the same machine, measured in this one run; the "
             "load generator shares the CPUs, so read the ratios rather than absolute "
             "figures.\n")
    for n in notes:
        L.append("- note: %s" % n)
    s = R.get("small")
    if s:
        d = s["divergenced"]
        L.append("\n## Small /kl (K = 10, %s), wrk -t2 -c64\n" % "~150-byte body")
        L.append("| server | requests/s | p50 ms | p99 ms | non-2xx |")
        L.append("|---|---:|---:|---:|---:|")
        for k, name in (("divergenced", "divergenced (logging + metrics on)"),
                        ("nginx", "nginx, fixed JSON file"), ("fastapi", "FastAPI + scipy, 2 workers")):
            if k in s:
                v = s[k]
                L.append("| %s | %.0f | %.2f | %.2f | %d |" % (name, v["rps"], v["p50_ms"],
                                                             v["p99_ms"], v["non2xx"]))
        if "nginx" in s:
            L.append("\n- divergenced / nginx: **%.0f %%** (target ≥ 80 %%)" %
                     (100 * d["rps"] / s["nginx"]["rps"]))
        if "fastapi" in s:
            L.append("- divergenced / FastAPI: **%.1f×** (target ≥ 40×)" %
                     (d["rps"] / s["fastapi"]["rps"]))
    sc = R.get("scaling")
    if sc:
        L.append("\n## /kl over two n-element arrays (end to end, median of several)\n")
        L.append("| n | body bytes | seconds | MB/s of JSON | µs per element |")
        L.append("|---:|---:|---:|---:|---:|")
        for v in sc:
            L.append("| %d | %d | %.4f | %.0f | %.3f |" % (v["n"], v["bytes"], v["seconds"],
                                                          v["bytes"] / v["seconds"] / 1e6,
                                                          v["seconds"] / v["n"] * 1e6))
        if len(sc) >= 2:
            a, b = sc[-2], sc[-1]
            L.append("\n- scaling: time(%d) / time(%d) = %.1f for %.0f× the elements "
                     "(linear = %.0f)" % (b["n"], a["n"], b["seconds"] / a["seconds"],
                                          b["n"] / a["n"], b["n"] / a["n"]))
        bf = R.get("big_fastapi")
        if bf:
            L.append("- n = %d: FastAPI + scipy %.3f s, divergenced %.3f s: **%.1f×** faster "
                     "(target ≥ 15×)" % (bf["n"], bf["seconds"], sc[-1]["seconds"],
                                         bf["seconds"] / sc[-1]["seconds"]))
    b = R.get("batch")
    if b:
        L.append("\n## /batch/categorical-kl, %d × %d logits (%d-byte body)\n" %
                 (b["rows"], b["cols"], b["bytes"]))
        L.append("- divergenced: %.4f s per request (%.0f rows/s)" %
                 (b["divergenced"], b["rows"] / b["divergenced"]))
        if "torch" in b:
            L.append("- PyTorch service (json.loads + kl_div(log_softmax, log_softmax)): "
                     "%.4f s per request (%.0f rows/s)" % (b["torch"], b["rows"] / b["torch"]))
            L.append("- divergenced / PyTorch throughput: **%.1f×**" % (b["torch"] / b["divergenced"]))
    iso = R.get("isolation")
    if iso:
        w = iso["small"]
        L.append("\n## Isolation: small /kl while two clients loop on %.1f MB batch bodies\n" %
                 (iso["big_bytes"] / 1e6))
        L.append("- small /kl (wrk -t1 -c8): p50 %.2f ms, **p99 %.2f ms** (target < 25 ms), "
                 "%.0f requests/s, %d non-2xx; %d large requests completed meanwhile" %
                 (w["p50_ms"], w["p99_ms"], w["rps"], w["non2xx"], iso["big_done"]))
    r = R.get("rss")
    if r:
        L.append("\n## Memory: one /kl over two %d-element arrays (%.1f MB body)\n" %
                 (r["n"], r["body_bytes"] / 1e6))
        L.append("- resident before %d kB, peak %d kB: growth **%.1f MB = %.0f %% of the body** "
                 "(target ≤ 100 %%); status %d" % (r["rss_before_kb"], r["hwm_kb"],
                                                  r["growth_bytes"] / 1e6,
                                                  100 * r["growth_bytes"] / r["body_bytes"],
                                                  r["status"]))
    nd = R.get("numparse_diff")
    ns = R.get("numparse_speed")
    if nd or ns:
        L.append("\n## Number parsing and formatting\n")
    if nd:
        L.append("- differential test vs glibc strtod: %d strings, **%d mismatches**" %
                 (nd["checked"], nd["mismatches"]))
    if ns:
        L.append("- parse 17-digit numbers: strtod %.0f MB/s, numparse %.0f MB/s (**%.1f×**)" %
                 (ns["strtod"], ns["numparse"], ns["numparse"] / ns["strtod"]))
    jwv = R.get("jw_speed")
    if jwv:
        L.append("- shortest round-trip formatting: %%.15g/16g/17g+strtod loop %d ns, jw %d ns "
                 "per number (%.1f×)" % (jwv["reference_ns"], jwv["jw_ns"],
                                         jwv["reference_ns"] / jwv["jw_ns"]))
    L.append("")
    return "\n".join(L)


if __name__ == "__main__":
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *a: (stop_all(), sys.exit(1)))
    sys.exit(main())
