#!/usr/bin/env python3
"""divergenced against its ceilings and baselines, measured in one run, on loopback.

Usage: bench/run.sh BIN [--smoke] [--out FILE] [--note TEXT]   (this file does the work; stdlib only,
numpy through /usr/bin/python3 to write the .npy parts once)

Every server is started here (temporary config and directories, 127.0.0.1, free ports)
and stopped here by PID. The ceilings and baselines of SPEC §12:
  - build/bare_mhd (bench/bare_mhd.c): libmicrohttpd with the daemon's threading flags
    answering a fixed body — the library's own ceiling;
  - nginx answering `return 200 '<fixed JSON>'`, access_log off, 2 workers — the HTTP
    ceiling;
  - FastAPI services: scipy /kl (fastapi_service.py), PyTorch /batch/categorical-kl
    (torch_service.py), numpy + scipy /drift (drift_service.py).
Every figure is a ratio (or MB/s) per round; a round measures each contender once, and
rounds alternate (divergenced, bare MHD, nginx, divergenced, …) so a change in the
machine's load hits all of them alike. Reported: the median of the rounds and the
min–max spread. The machine is shared with the load generator (and, on CI, with other
jobs), so absolute figures move; read the ratios.
--smoke runs every scenario on tiny inputs in seconds (what `make test` checks: a crash
or a non-200 answer fails it, timings never do); baselines whose packages are missing
are skipped with a message.
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
SYS_PY = "/usr/bin/python3"  # the Debian interpreter that has fastapi/scipy/torch/numpy
PROCS = []
# the fixed body both ceilings answer: the size and shape of a small /kl answer
FIXED = '{"kl":0.12345678901234568,"n":10,"base":"e","unit":"nat"}'
DUR = 3  # seconds per wrk run (full runs)
SLOW_K = 2  # requests per run (best of) when one side is a Python baseline; else 3
ALL_MEASURES = ["kl", "reverse_kl", "psi", "js", "js_distance", "cross_entropy", "hellinger",
                "bhattacharyya", "tv", "linf", "chi2", "neyman_chi2", "renyi", "tsallis",
                "wasserstein"]


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


def stop(p):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    if p in PROCS:
        PROCS.remove(p)


def stop_all():
    for p in reversed(PROCS):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in list(reversed(PROCS)):
        stop(p)
    PROCS.clear()


def post(port, path, body, ctype="application/json", timeout=120):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("POST", path, body=body, headers={"Content-Type": ctype})
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


def timed_post(port, path, body, ctype="application/json"):
    """Wall time of one POST on a fresh connection (the answer must be 200)."""
    t0 = time.perf_counter()
    st, data = post(port, path, body, ctype)
    t = time.perf_counter() - t0
    if st != 200:
        raise RuntimeError("%s answered %d: %s" % (path, st, data[:300]))
    return t, data


def best_time(port, path, body, ctype="application/json", k=3):
    """One run of a big-body figure: the best of k POSTs. On a shared machine the other
    jobs only ever add time, so the least disturbed of a few requests is the estimate;
    both sides of a ratio get the same k."""
    return min(timed_post(port, path, body, ctype)[0] for _ in range(k))


def median_time(port, path, body, reps):
    return statistics.median(timed_post(port, path, body)[0] for _ in range(reps))


def alternate(rounds, contenders):
    """contenders: [(name, fn)], fn() -> a number. Runs them in turn, `rounds` times."""
    out = {name: [] for name, _ in contenders}
    for _ in range(rounds):
        for name, fn in contenders:
            out[name].append(fn())
    return out


def spread(xs):
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "n": len(xs)}


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


def kl_obj(n, seed=1):
    rng = random.Random(seed)
    return {"p": prob_array(rng, n), "q": prob_array(rng, n), "normalize": True}


def dumps(obj):
    return json.dumps(obj, separators=(",", ":")).encode()


def batch_body(rows, cols, seed=2):
    rng = random.Random(seed)

    def m():
        return [[round(rng.gauss(0, 3), 6) for _ in range(cols)] for _ in range(rows)]
    return dumps({"p_logits": m(), "q_logits": m()})


def drift_body(features, rows, seed=4):
    """Numeric features, reference N(mu, s) and a current sample shifted a little."""
    rng = random.Random(seed)
    ref, cur = {}, {}
    for f in range(features):
        mu, s = rng.uniform(-5, 5), rng.uniform(0.5, 3)
        ref["f%d" % f] = [rng.gauss(mu, s) for _ in range(rows)]
        cur["f%d" % f] = [rng.gauss(mu + 0.05 * s * (f % 3), s * (1 + 0.02 * f))
                          for _ in range(rows)]
    return dumps({"reference": ref, "current": cur})


def npy_multipart(tmp, json_path):
    """The p and q of the /kl body in json_path as two .npy parts (float64, written by
    numpy once) plus normalize=true: a multipart/form-data body and its content type."""
    code = ("import json, sys, numpy as np\n"
            "o = json.load(open(sys.argv[1]))\n"
            "np.save(sys.argv[2], np.asarray(o['p'], dtype=np.float64))\n"
            "np.save(sys.argv[3], np.asarray(o['q'], dtype=np.float64))\n")
    pp, qp = os.path.join(tmp, "p.npy"), os.path.join(tmp, "q.npy")
    subprocess.run([SYS_PY, "-c", code, json_path, pp, qp], check=True, timeout=120)
    boundary = "dvbench%016x" % random.Random(7).getrandbits(64)
    parts = []
    for name, path in (("p", pp), ("q", qp)):
        with open(path, "rb") as f:
            data = f.read()
        parts.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"; "
                      "filename=\"%s.npy\"\r\nContent-Type: application/x-npy\r\n\r\n"
                      % (boundary, name, name)).encode() + data + b"\r\n")
    parts.append(("--%s\r\nContent-Disposition: form-data; name=\"normalize\"\r\n\r\n"
                  "true\r\n--%s--\r\n" % (boundary, boundary)).encode())
    return b"".join(parts), "multipart/form-data; boundary=" + boundary


# ---- wrk ----------------------------------------------------------------------------------------

def to_ms(v):
    m = re.match(r"([\d.]+)(us|ms|s)", v)
    x = float(m.group(1))
    return {"us": x / 1000, "ms": x, "s": x * 1000}[m.group(2)]


def wrk(port, path, body_file, seconds, threads, conns, method="POST"):
    env = dict(os.environ, BODY=body_file, METHOD=method)
    out = subprocess.run(["wrk", "-t%d" % threads, "-c%d" % conns, "-d%ds" % seconds,
                          "--timeout", "5s", "--latency", "-s", os.path.join(HERE, "post.lua"),
                          "http://127.0.0.1:%d%s" % (port, path)],
                         capture_output=True, text=True, env=env, timeout=seconds + 30).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    reqs = int(re.search(r"(\d+) requests in", out).group(1))
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errs = re.search(r"Socket errors:.*", out)
    return {"rps": rps, "requests": reqs, "p50_ms": to_ms(lat["50"]), "p99_ms": to_ms(lat["99"]),
            "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "socket_errors": errs.group(0) if errs else ""}


# ---- servers ------------------------------------------------------------------------------------

def start_divergenced(bin_path, tmp, name="dv"):
    port = free_port()
    out = open(os.path.join(tmp, name + ".log"), "w")
    p = start([bin_path, "--bind", "127.0.0.1", "--port", str(port)], stdout=out,
              stderr=subprocess.STDOUT)
    return p, port


def start_bare(tmp):
    exe = os.path.join(ROOT, "build", "bare_mhd")
    if not os.path.exists(exe):
        return None, 0
    port = free_port()
    out = open(os.path.join(tmp, "bare.log"), "w")
    return start([exe, str(port)], stdout=out, stderr=subprocess.STDOUT), port


def start_nginx(tmp):
    d = os.path.join(tmp, "nginx")
    os.makedirs(d, exist_ok=True)
    port = free_port()
    conf = os.path.join(d, "nginx.conf")
    with open(conf, "w") as f:
        # `return` answers in the rewrite phase: no file, no redirect, the body discarded;
        # keepalive_requests raised so wrk's connections live as long as with
        # libmicrohttpd (the default 1000 would make nginx reconnect)
        f.write("""worker_processes 2;
daemon off;
pid %(d)s/nginx.pid;
error_log %(d)s/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_timeout 75s;
  keepalive_requests 1000000;
  client_body_temp_path %(d)s/body; proxy_temp_path %(d)s/proxy;
  fastcgi_temp_path %(d)s/fcgi; uwsgi_temp_path %(d)s/uwsgi; scgi_temp_path %(d)s/scgi;
  server {
    listen 127.0.0.1:%(port)d;
    location / { default_type application/json; return 200 '%(body)s'; }
  }
}
""" % {"d": d, "port": port, "body": FIXED})
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


def cpu_seconds(pid):
    """User + system CPU time of pid and its child processes (nginx's workers)."""
    pids = [pid]
    try:
        for t in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, t)) as f:
                pids += [int(x) for x in f.read().split()]
    except OSError:
        pass
    ticks = 0
    for q in pids:
        try:
            with open("/proc/%d/stat" % q) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        except OSError:
            pass
    return ticks / os.sysconf("SC_CLK_TCK")


def wrk_cpu(proc, *args):
    """wrk(*args), plus the server's CPU microseconds per request during the run: less
    sensitive to the machine's other load than requests/s."""
    c0 = cpu_seconds(proc.pid)
    w = wrk(*args)
    w["cpu_us"] = (cpu_seconds(proc.pid) - c0) / max(w["requests"], 1) * 1e6
    return w


def served(port, path, body):
    """Whether this build has the route: a tiny valid request answers 200 (404: absent)."""
    st, data = post(port, path, body)
    if st == 404:
        return False
    if st != 200:
        raise RuntimeError("%s probe answered %d: %s" % (path, st, data[:300]))
    return True


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
    os.chmod(tmp, 0o755)  # nginx workers (user nobody) work below it
    R = {"load_before": os.getloadavg()}  # every figure, for the report
    notes = []
    if "--note" in args:
        notes.append(args[args.index("--note") + 1])
    t0 = time.time()
    try:
        run(bin_path, smoke, tmp, R, notes)
    finally:
        stop_all()
        shutil.rmtree(tmp, ignore_errors=True)
    R["load_after"] = os.getloadavg()
    R["wall_s"] = time.time() - t0
    report = render(R, notes, smoke, " ".join(["bench/run.sh"] + args))
    if out_path:
        with open(out_path, "w") as f:
            f.write(report)
        log("wrote " + out_path)
    else:
        print(report)
    return 0


def run(bin_path, smoke, tmp, R, notes):
    # short runs, many rounds: the other jobs on a shared machine change its load every
    # few seconds, and a round only compares contenders measured close together
    dur = 1 if smoke else DUR          # seconds per wrk run
    rounds = 1 if smoke else 9         # alternating rounds of the wrk figures
    big_rounds = 3 if smoke else 7     # rounds of the big-body figures (divergenced only)
    slow_rounds = 2 if smoke else 5    # rounds against a Python baseline
    small_obj = kl_obj(10)
    small = dumps(small_obj)
    small_file = os.path.join(tmp, "small.json")
    with open(small_file, "wb") as f:
        f.write(small)
    have_fastapi = has_modules("fastapi", "uvicorn", "scipy")
    have_torch = has_modules("fastapi", "uvicorn", "torch")
    have_numpy = has_modules("numpy")
    have_wrk = shutil.which("wrk") is not None
    have_nginx = shutil.which("nginx") is not None
    for ok, what in ((have_fastapi, "FastAPI+scipy (python3-fastapi, uvicorn, python3-scipy)"),
                     (have_torch, "PyTorch (python3-torch)"), (have_wrk, "wrk"),
                     (have_nginx, "nginx"), (have_numpy, "numpy (python3-numpy)")):
        if not ok:
            msg = "%s not installed: what needs it is skipped (.ci/deps.sh bench)" % what
            log(msg)
            notes.append(msg)

    n_big = 10**4 if smoke else 10**6
    big_obj = kl_obj(n_big, seed=3)
    big = dumps(big_obj)
    big_file = os.path.join(tmp, "big.json")
    with open(big_file, "wb") as f:
        f.write(big)
    npy_body = npy_ctype = None
    if have_numpy:
        npy_body, npy_ctype = npy_multipart(tmp, big_file)

    # 1. memory: a fresh daemon per body, one big /kl (before any other load raises the
    # peak); growth = peak resident (VmHWM) after the request - resident before it
    R["rss"] = []
    bodies = [("JSON", big, "application/json")]
    if npy_body:
        bodies.append((".npy parts", npy_body, npy_ctype))
    for what, body, ctype in bodies:
        p, port = start_divergenced(bin_path, tmp, "dv-rss")
        if not wait_ready(port, "/kl", small):
            raise RuntimeError("divergenced did not start")
        base = rss_kb(p.pid, "VmRSS")
        st, _ = post(port, "/kl", body, ctype)
        peak = rss_kb(p.pid, "VmHWM")
        R["rss"].append({"what": what, "n": n_big, "body_bytes": len(body),
                         "rss_before_kb": base, "hwm_kb": peak,
                         "growth_bytes": (peak - base) * 1024, "status": st})
        stop(p)
        if st != 200:
            raise RuntimeError("/kl on the %s body answered %d" % (what, st))
    log("rss: %s" % R["rss"])

    dv, dv_port = start_divergenced(bin_path, tmp)
    if not wait_ready(dv_port, "/kl", small):
        raise RuntimeError("divergenced did not start")
    bare, bare_port = start_bare(tmp)
    if not bare:
        notes.append("build/bare_mhd is missing (bench/run.sh builds it): the "
                     "libmicrohttpd ceiling is skipped")
    ngx = fa = th = dr = None
    if have_nginx:
        ngx, ngx_port = start_nginx(tmp)
    if have_fastapi:
        fa, fa_port = start_uvicorn("fastapi_service", 2, tmp)
        dr, dr_port = start_uvicorn("drift_service", 1, tmp)
    if have_torch:
        th, th_port = start_uvicorn("torch_service", 1, tmp)
    if bare and not wait_ready(bare_port, "/kl", small, 10):
        notes.append("bare_mhd did not start; skipped")
        bare = None
    if ngx and not wait_ready(ngx_port, "/kl", small, 10):
        notes.append("nginx did not start; skipped")
        ngx = None
    if fa and not wait_ready(fa_port, "/kl", small, 60):
        notes.append("FastAPI /kl service did not start; skipped")
        fa = None
    tiny_drift = dumps({"reference": {"a": [1.0, 2.0, 3.0, 4.0]},
                        "current": {"a": [2.0, 3.0, 4.0, 5.0]}})
    if dr and not wait_ready(dr_port, "/drift", tiny_drift, 60):
        notes.append("FastAPI /drift service did not start; skipped")
        dr = None
    tiny_batch = batch_body(2, 3)
    if th and not wait_ready(th_port, "/batch/categorical-kl", tiny_batch, 90):
        notes.append("PyTorch service did not start; skipped")
        th = None

    # 2. small /kl against the two ceilings, wrk -t2 -c64, alternating rounds
    if have_wrk:
        cont = [("divergenced", lambda: wrk_cpu(dv, dv_port, "/kl", small_file, dur, 2, 64))]
        if bare:
            cont.append(("bare_mhd",
                         lambda: wrk_cpu(bare, bare_port, "/kl", small_file, dur, 2, 64)))
        if ngx:
            cont.append(("nginx", lambda: wrk_cpu(ngx, ngx_port, "/kl", small_file, dur, 2, 64)))
        # the floor of a request here: GET /healthz has no body, no JSON and no compute,
        # only what every response carries (id, CORS headers, log line, metrics, guard)
        cont.append(("healthz", lambda: wrk_cpu(dv, dv_port, "/healthz", small_file, dur, 2,
                                                64, "GET")))
        runs = alternate(rounds, cont)
        S = {"runs": runs}
        dvr = [w["rps"] for w in runs["divergenced"]]
        if bare:
            S["healthz_vs_bare_mhd"] = spread([h["rps"] / w["rps"] for h, w in
                                               zip(runs["healthz"], runs["bare_mhd"])])
        for k in ("bare_mhd", "nginx"):
            if k in runs:
                S["vs_" + k] = spread([a / w["rps"] for a, w in zip(dvr, runs[k])])
                S["cpu_" + k] = spread([a["cpu_us"] / w["cpu_us"]
                                        for a, w in zip(runs["divergenced"], runs[k])])
        if fa:
            S["fastapi"] = wrk(fa_port, "/kl", small_file, dur, 2, 64)
        R["small"] = S
        log("small: %s" % {k: [w["rps"] for w in v] for k, v in runs.items()})

    # 3. /kl over two 10^6-element arrays: JSON (MB/s of body) and .npy parts, alternating
    timed_post(dv_port, "/kl", big)  # warm: the first big body faults its pages in
    cont = [("json", lambda: best_time(dv_port, "/kl", big))]
    if npy_body:
        _, a = timed_post(dv_port, "/kl", big)
        _, b = timed_post(dv_port, "/kl", npy_body, npy_ctype)
        if json.loads(a)["kl"] != json.loads(b)["kl"]:
            notes.append("the .npy body's kl differs from the JSON body's: %s vs %s" % (a, b))
        cont.append(("npy", lambda: best_time(dv_port, "/kl", npy_body, npy_ctype)))
    if bare:
        # the library's ceiling for big bodies: receiving them and answering a fixed body
        cont.append(("bare_json", lambda: best_time(bare_port, "/kl", big)))
        if npy_body:
            cont.append(("bare_npy", lambda: best_time(bare_port, "/kl", npy_body,
                                                       npy_ctype)))
    runs = alternate(big_rounds, cont)
    B = {"n": n_big, "json_bytes": len(big), "runs": runs,
         "mbps": spread([len(big) / t / 1e6 for t in runs["json"]])}
    if bare:
        B["bare_json_mbps"] = spread([len(big) / t / 1e6 for t in runs["bare_json"]])
    if npy_body:
        B["npy_bytes"] = len(npy_body)
        B["npy_speedup"] = spread([a / b for a, b in zip(runs["json"], runs["npy"])])
        if bare:
            # the best the .npy ratio could be: JSON's time over the library receiving .npy
            B["npy_ceiling"] = spread([a / b for a, b in zip(runs["json"], runs["bare_npy"])])
    if fa:
        fr = alternate(slow_rounds, [("dv", lambda: best_time(dv_port, "/kl", big, k=SLOW_K)),
                                     ("fastapi",
                                      lambda: best_time(fa_port, "/kl", big, k=SLOW_K))])
        B["vs_fastapi"] = spread([f / d for d, f in zip(fr["dv"], fr["fastapi"])])
        B["fastapi_s"] = statistics.median(fr["fastapi"])
    R["big"] = B
    log("big: %s" % B)

    # 4. /kl scaling 10^3 … 10^5 (the 10^6 point is section 3's)
    R["scaling"] = []
    for n in ([10**3] if smoke else [10**3, 10**4, 10**5]):
        body = dumps(kl_obj(n, seed=n))
        R["scaling"].append({"n": n, "bytes": len(body),
                             "seconds": median_time(dv_port, "/kl", body, 5)})
    R["scaling"].append({"n": n_big, "bytes": len(big),
                         "seconds": statistics.median(B["runs"]["json"])})

    # 5. /divergences with every measure against /kl on the same arrays
    if served(dv_port, "/divergences", dumps(dict(small_obj, measures=ALL_MEASURES, alpha=2))):
        div = dumps(dict(big_obj, measures=ALL_MEASURES, alpha=2))
        timed_post(dv_port, "/divergences", div)
        runs = alternate(big_rounds, [("kl", lambda: best_time(dv_port, "/kl", big)),
                                      ("divergences",
                                       lambda: best_time(dv_port, "/divergences", div))])
        R["divergences"] = {"runs": runs, "bytes": len(div),
                            "ratio": spread([d / k for k, d in zip(runs["kl"],
                                                                   runs["divergences"])])}
        log("divergences: %s" % R["divergences"])
    else:
        R["divergences"] = None
        log("/divergences: not served by this build")

    # 6. /drift, 10 numeric features x 10^5 rows per side, against numpy + scipy
    if served(dv_port, "/drift", tiny_drift):
        feats, rows = (2, 1000) if smoke else (10, 10**5)
        db = drift_body(feats, rows)
        D = {"features": feats, "rows": rows, "bytes": len(db)}
        _, mine = timed_post(dv_port, "/drift", db)
        if dr:
            # the baseline must compute the same figures, or the ratio means nothing
            _, theirs = timed_post(dr_port, "/drift", db)
            a, b = json.loads(mine)["features"], json.loads(theirs)["features"]
            worst = max(abs(a[f][m] - b[f][m]) / max(abs(b[f][m]), 1e-300)
                        for f in b for m in ("psi", "js_distance", "hellinger", "wasserstein"))
            D["agreement"] = worst
            if worst > 1e-9 or any(a[f]["edges"] != b[f]["edges"] for f in b):
                notes.append("/drift and the FastAPI drift service disagree (worst relative "
                             "difference %.3g): the drift ratio compares different work" % worst)
            runs = alternate(slow_rounds, [
                ("divergenced", lambda: best_time(dv_port, "/drift", db, k=SLOW_K)),
                ("fastapi", lambda: best_time(dr_port, "/drift", db, k=SLOW_K))])
            D["speedup"] = spread([f / d for d, f in zip(runs["divergenced"], runs["fastapi"])])
        else:
            runs = {"divergenced": [timed_post(dv_port, "/drift", db)[0]
                                    for _ in range(slow_rounds)]}
        D["runs"] = runs
        R["drift"] = D
        log("drift: %s" % D)
    else:
        R["drift"] = None
        log("/drift: not served by this build")

    # 7. /batch/categorical-kl 1024 x 1000 logits, against PyTorch
    rows, cols = (16, 100) if smoke else (1024, 1000)
    bb = batch_body(rows, cols)
    timed_post(dv_port, "/batch/categorical-kl", bb)
    cont = [("divergenced",
             lambda: best_time(dv_port, "/batch/categorical-kl", bb, k=SLOW_K))]
    if th:
        cont.append(("torch", lambda: best_time(th_port, "/batch/categorical-kl", bb, k=SLOW_K)))
    runs = alternate(slow_rounds, cont)
    R["batch"] = {"rows": rows, "cols": cols, "bytes": len(bb), "runs": runs}
    if th:
        R["batch"]["speedup"] = spread([t / d for d, t in zip(runs["divergenced"],
                                                              runs["torch"])])
    log("batch: %s" % R["batch"])

    # 8. isolation: two clients loop on ~10 MB batch bodies while wrk measures small /kl
    if have_wrk:
        irows = 4 if smoke else 512
        ib = batch_body(irows, 1000, seed=5)
        halt = threading.Event()
        done = [0, 0]

        def loader(k):
            while not halt.is_set():
                st, _ = post(dv_port, "/batch/categorical-kl", ib)
                if st == 200:
                    done[k] += 1

        threads = [threading.Thread(target=loader, args=(k,)) for k in range(2)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        w = wrk(dv_port, "/kl", small_file, 1 if smoke else 8, 1, 8)
        halt.set()
        for t in threads:
            t.join()
        R["isolation"] = {"big_bytes": len(ib), "big_done": sum(done), "small": w}
        log("isolation: %s" % R["isolation"])

    # 9. number parsing and formatting micro-benchmarks (unit-test binaries, if built)
    build = os.path.join(ROOT, "build")  # where bench/run.sh builds them
    np_bin = os.path.join(build, "tests", "test_util_numparse")
    if not smoke and os.path.exists(np_bin):
        r = subprocess.run([np_bin, "5000000"], capture_output=True, text=True, timeout=600)
        m = re.search(r"numparse: (\d+) strings checked against strtod, (\d+) mismatches",
                      r.stderr + r.stdout)
        if m:
            R["numparse_diff"] = {"checked": int(m.group(1)), "mismatches": int(m.group(2))}
        r = subprocess.run([np_bin, "--bench"], capture_output=True, text=True, timeout=120)
        m = re.search(r"strtod_MBps=([\d.]+) numparse_MBps=([\d.]+)", r.stdout)
        if m:
            R["numparse_speed"] = {"strtod": float(m.group(1)), "numparse": float(m.group(2))}
    jw_bin = os.path.join(build, "tests", "test_util_numfmt")
    if not smoke and os.path.exists(jw_bin):
        r = subprocess.run([jw_bin, "--bench"], capture_output=True, text=True, timeout=120)
        m = re.search(r"reference_ns=(\d+) jw_ns=(\d+)", r.stdout)
        if m:
            R["jw_speed"] = {"reference_ns": int(m.group(1)), "jw_ns": int(m.group(2))}


# ---- the report -----------------------------------------------------------------------------

def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def fmt_spread(s, unit="×", digits=2):
    f = "%%.%df" % digits
    return ("**" + f + "%s** (" + f + " – " + f + ", %d run%s)") % (
        s["median"], unit, s["min"], s["max"], s["n"], "" if s["n"] == 1 else "s")


SMOKE = False


def rps_of(s, k):
    return "%.0f requests/s (divergenced %.0f)" % (
        statistics.median(w["rps"] for w in s["runs"][k]),
        statistics.median(w["rps"] for w in s["runs"]["divergenced"]))


def verdict(ok):
    if SMOKE:
        return "— (smoke: tiny inputs)"
    return "met" if ok else "**not met**"


def render(R, notes, smoke, command):
    global SMOKE
    SMOKE = smoke
    L = []
    L.append("# divergenced benchmark results%s\n" % (" (smoke run: tiny inputs, not figures)"
                                                     if smoke else ""))
    L.append("Command: `%s` (`make bench` runs `bench/run.sh build/divergenced`)  " % command)
    L.append("Date: %s, %.0f s  " % (time.strftime("%Y-%m-%d %H:%M:%S %Z"), R["wall_s"]))
    L.append("Machine: %d CPUs (nproc), %s, %s; load average %.1f before, %.1f after  " %
             (os.cpu_count() or 0, cpu_model(), platform.platform(), R["load_before"][0],
              R["load_after"][0]))
    L.append("Every server on 127.0.0.1 on this machine, measured in this one run, the load "
             "generator on the same CPUs. Each figure is the median over alternating "
             "rounds (one run of each contender per round), with the min – max spread; a "
             "wrk run lasts %d s, a big-body run is the best of 3 requests (2 where a "
             "Python service is timed, on both sides). " % DUR +
             "When other jobs share the machine the figures are pessimistic: read the "
             "ratios rather than absolute numbers.\n")
    for n in notes:
        L.append("- note: %s" % n)

    # the SPEC §12 summary
    rows = []
    s = R.get("small")
    if s and "vs_bare_mhd" in s:
        v = s["vs_bare_mhd"]
        rows.append(("small `/kl` requests/s ÷ bare libmicrohttpd (same flags, fixed body)",
                     "≥ 0.9×", fmt_spread(v), rps_of(s, "bare_mhd"),
                     verdict(v["median"] >= 0.9)))
    if s and "cpu_bare_mhd" in s:
        rows.append(("(diagnostic) server CPU per small `/kl` ÷ bare libmicrohttpd's",
                     "—", fmt_spread(s["cpu_bare_mhd"]), "%.1f µs (divergenced %.1f µs)" % (
                         statistics.median(w["cpu_us"] for w in s["runs"]["bare_mhd"]),
                         statistics.median(w["cpu_us"] for w in s["runs"]["divergenced"])),
                     "—"))
    if s and "healthz_vs_bare_mhd" in s:
        rows.append(("(diagnostic) `GET /healthz` requests/s ÷ bare libmicrohttpd: the floor "
                     "of any request here (no body, no JSON, no compute)", "—",
                     fmt_spread(s["healthz_vs_bare_mhd"]), "%.0f requests/s (bare %.0f)" % (
                         statistics.median(w["rps"] for w in s["runs"]["healthz"]),
                         statistics.median(w["rps"] for w in s["runs"]["bare_mhd"])), "—"))
    if s and "vs_nginx" in s:
        rows.append(("small `/kl` requests/s ÷ nginx `return 200`, access_log off",
                     "reported", fmt_spread(s["vs_nginx"]), rps_of(s, "nginx"), "—"))
    b = R.get("big")
    if b:
        rows.append(("`/kl`, two 10^%d-element JSON arrays: MB/s of body end to end" %
                     (len(str(b["n"])) - 1), "≥ 500 MB/s", fmt_spread(b["mbps"], " MB/s", 0),
                     ("bare libmicrohttpd receives it at %.0f MB/s" %
                      b["bare_json_mbps"]["median"]) if "bare_json_mbps" in b else "—",
                     verdict(b["mbps"]["median"] >= 500)))
        if "npy_speedup" in b:
            v = b["npy_speedup"]
            rows.append(("the same as two `.npy` parts: time(JSON) ÷ time(.npy)", "≥ 8×",
                         fmt_spread(v), ("time(JSON) ÷ time(bare libmicrohttpd receiving the "
                                         ".npy body) = %.1f×" % b["npy_ceiling"]["median"])
                         if "npy_ceiling" in b else "—", verdict(v["median"] >= 8)))
    for r in R.get("rss", []):
        g = r["growth_bytes"] / r["body_bytes"]
        rows.append(("peak RSS growth ÷ body, one `/kl` on the %s body (%.1f MB)" %
                     (r["what"], r["body_bytes"] / 1e6), "≤ 1×", "**%.2f×** (1 run)" % g,
                     "%.1f MB growth; the two float64 arrays alone are %.1f MB" % (
                         r["growth_bytes"] / 1e6, 16 * r["n"] / 1e6), verdict(g <= 1)))
    bt = R.get("batch")
    if bt and "speedup" in bt:
        v = bt["speedup"]
        rows.append(("`/batch/categorical-kl` %d×%d: time(PyTorch service) ÷ time(divergenced)"
                     % (bt["rows"], bt["cols"]), "≥ 20×", fmt_spread(v, digits=1),
                     "PyTorch %.4g s, divergenced %.4g s" % (
                         statistics.median(bt["runs"]["torch"]),
                         statistics.median(bt["runs"]["divergenced"])),
                     verdict(v["median"] >= 20)))
    dv = R.get("divergences")
    if dv:
        v = dv["ratio"]
        rows.append(("`/divergences` every measure ÷ `/kl`, same 10^%d-element arrays (time)" %
                     (len(str(R["big"]["n"])) - 1), "≤ 2×", fmt_spread(v),
                     "/kl %.4g s, /divergences %.4g s" % (
                         statistics.median(dv["runs"]["kl"]),
                         statistics.median(dv["runs"]["divergences"])),
                     verdict(v["median"] <= 2)))
    elif "divergences" in R:
        rows.append(("`/divergences` every measure ÷ `/kl`", "≤ 2×", "not served by this build",
                     "—", "—"))
    d = R.get("drift")
    if d and "speedup" in d:
        v = d["speedup"]
        rows.append(("`/drift` %d features × %d rows per side: time(FastAPI numpy+scipy) ÷ "
                     "time(divergenced)" % (d["features"], d["rows"]), "≥ 10×",
                     fmt_spread(v, digits=1), "FastAPI %.4g s, divergenced %.4g s" % (
                         statistics.median(d["runs"]["fastapi"]),
                         statistics.median(d["runs"]["divergenced"])),
                     verdict(v["median"] >= 10)))
    elif "drift" in R and not d:
        rows.append(("`/drift` vs FastAPI numpy + scipy", "≥ 10×", "not served by this build",
                     "—", "—"))
    L.append("\n## SPEC §12 figures\n")
    L.append("| figure | target | measured: median (min – max) | ceiling / baseline (same "
             "run, median) | |")
    L.append("|---|---|---|---|---|")
    for r in rows:
        L.append("| %s | %s | %s | %s | %s |" % r)

    if s:
        L.append("\n## Small /kl (K = 10, %d-byte body), wrk -t2 -c64, %d s per run\n" %
                 (len(dumps(kl_obj(10))), 1 if smoke else DUR))
        L.append("| server | requests/s per round | median | server CPU µs per request "
                 "(median) | p50 ms | p99 ms | non-2xx |")
        L.append("|---|---|---:|---:|---:|---:|---:|")
        names = {"divergenced": "divergenced (logging + metrics on)",
                 "bare_mhd": "bare libmicrohttpd (bench/bare_mhd.c)",
                 "nginx": "nginx `return 200`, 2 workers",
                 "healthz": "divergenced `GET /healthz` (diagnostic)"}
        for k, runs in s["runs"].items():
            med = statistics.median(w["rps"] for w in runs)
            L.append("| %s | %s | %.0f | %.1f | %.2f | %.2f | %d |" % (
                names[k], " ".join("%.0f" % w["rps"] for w in runs), med,
                statistics.median(w["cpu_us"] for w in runs),
                statistics.median(w["p50_ms"] for w in runs),
                statistics.median(w["p99_ms"] for w in runs), sum(w["non2xx"] for w in runs)))
        if "fastapi" in s:
            v = s["fastapi"]
            L.append("| FastAPI + scipy, 2 workers (1 run) | %.0f | %.0f | — | %.2f | %.2f | %d |"
                     % (v["rps"], v["rps"], v["p50_ms"], v["p99_ms"], v["non2xx"]))
            L.append("\n- divergenced ÷ FastAPI (requests/s): **%.1f×**" %
                     (statistics.median(w["rps"] for w in s["runs"]["divergenced"]) /
                      v["rps"]))
    if b:
        L.append("\n## /kl over two %d-element arrays\n" % b["n"])
        L.append("- JSON, %d bytes: seconds per run %s → %s" % (
            b["json_bytes"], " ".join("%.4f" % t for t in b["runs"]["json"]),
            fmt_spread(b["mbps"], " MB/s", 0)))
        if "bare_json" in b["runs"]:
            L.append("- bare libmicrohttpd receiving the same JSON body: seconds %s → %s" % (
                " ".join("%.4f" % t for t in b["runs"]["bare_json"]),
                fmt_spread(b["bare_json_mbps"], " MB/s", 0)))
        if "npy" in b["runs"]:
            L.append("- two .npy parts + normalize, %d bytes (multipart/form-data): seconds %s "
                     "→ %.0f MB/s of body, %.0f M elements/s; JSON ÷ .npy %s" % (
                         b["npy_bytes"], " ".join("%.4f" % t for t in b["runs"]["npy"]),
                         b["npy_bytes"] / statistics.median(b["runs"]["npy"]) / 1e6,
                         2 * b["n"] / statistics.median(b["runs"]["npy"]) / 1e6,
                         fmt_spread(b["npy_speedup"])))
        if "bare_npy" in b["runs"]:
            L.append("- bare libmicrohttpd receiving the .npy body: seconds %s" %
                     " ".join("%.4f" % t for t in b["runs"]["bare_npy"]))
        if "vs_fastapi" in b:
            L.append("- FastAPI + scipy (pydantic) %.3f s per request: divergenced is %s faster" %
                     (b["fastapi_s"], fmt_spread(b["vs_fastapi"], digits=1)))
    sc = R.get("scaling")
    if sc:
        L.append("\n## /kl scaling (JSON, end to end, median of 5; the top row is the above)\n")
        L.append("| n | body bytes | seconds | MB/s of JSON | µs per element |")
        L.append("|---:|---:|---:|---:|---:|")
        for v in sc:
            L.append("| %d | %d | %.4f | %.0f | %.3f |" % (v["n"], v["bytes"], v["seconds"],
                                                          v["bytes"] / v["seconds"] / 1e6,
                                                          v["seconds"] / v["n"] * 1e6))
    if dv:
        L.append("\n## /divergences, all %d measures (alpha = 2), same arrays as /kl (%d bytes)\n"
                 % (len(ALL_MEASURES), dv["bytes"]))
        L.append("- /kl seconds %s; /divergences seconds %s; ratio %s" % (
            " ".join("%.4f" % t for t in dv["runs"]["kl"]),
            " ".join("%.4f" % t for t in dv["runs"]["divergences"]), fmt_spread(dv["ratio"])))
    if d:
        L.append("\n## /drift, %d numeric features × %d rows per side (%d-byte body)\n" %
                 (d["features"], d["rows"], d["bytes"]))
        L.append("- divergenced seconds %s (%.0f MB/s of body)" % (
            " ".join("%.4f" % t for t in d["runs"]["divergenced"]),
            d["bytes"] / statistics.median(d["runs"]["divergenced"]) / 1e6))
        if "fastapi" in d["runs"]:
            L.append("- FastAPI + numpy + scipy (bench/drift_service.py: json.loads, np.quantile "
                     "bins, PSI / JS distance / Hellinger, wasserstein_distance, ks_2samp) "
                     "seconds %s; speedup %s; same edges and counts, PSI / JS distance / "
                     "Hellinger / W1 within %.1g relative of divergenced's" % (
                         " ".join("%.4f" % t for t in d["runs"]["fastapi"]),
                         fmt_spread(d["speedup"], digits=1), d.get("agreement", 0)))
    if bt:
        L.append("\n## /batch/categorical-kl, %d × %d logits (%d-byte body)\n" %
                 (bt["rows"], bt["cols"], bt["bytes"]))
        dm = statistics.median(bt["runs"]["divergenced"])
        L.append("- divergenced seconds %s (%.0f rows/s)" % (
            " ".join("%.4f" % t for t in bt["runs"]["divergenced"]), bt["rows"] / dm))
        if "torch" in bt["runs"]:
            tm = statistics.median(bt["runs"]["torch"])
            L.append("- PyTorch service (json.loads + kl_div(log_softmax, log_softmax)) seconds "
                     "%s (%.0f rows/s); speedup %s" % (
                         " ".join("%.4f" % t for t in bt["runs"]["torch"]), bt["rows"] / tm,
                         fmt_spread(bt["speedup"], digits=1)))
    iso = R.get("isolation")
    if iso:
        w = iso["small"]
        L.append("\n## Isolation: small /kl while two clients loop on %.1f MB batch bodies\n" %
                 (iso["big_bytes"] / 1e6))
        L.append("- small /kl (wrk -t1 -c8): p50 %.2f ms, **p99 %.2f ms**, "
                 "%.0f requests/s, %d non-2xx; %d large requests completed meanwhile" %
                 (w["p50_ms"], w["p99_ms"], w["rps"], w["non2xx"], iso["big_done"]))
    rs = R.get("rss")
    if rs:
        L.append("\n## Memory: one /kl over two %d-element arrays, a fresh daemon per body\n" %
                 rs[0]["n"])
        for r in rs:
            L.append("- %s body %.1f MB: resident before %d kB, peak %d kB: growth %.1f MB = "
                     "**%.0f %% of the body**; status %d" % (
                         r["what"], r["body_bytes"] / 1e6, r["rss_before_kb"], r["hwm_kb"],
                         r["growth_bytes"] / 1e6, 100 * r["growth_bytes"] / r["body_bytes"],
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
    L.append("\nWhere the time goes: `/usr/bin/python3 bench/profile.py BIN` (perf record -g on "
             "the daemon during the 10^6-element /kl as JSON and as .npy, and the small /kl).")
    L.append("")
    return "\n".join(L)


if __name__ == "__main__":
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *a: (stop_all(), sys.exit(1)))
    sys.exit(main())
