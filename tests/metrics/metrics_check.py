#!/usr/bin/python3
"""HTTP side of tests/metrics/run.sh: drives a running divergenced with curl and checks
its /metrics (parsing and SPEC §5 rules live in tests/metrics/metrics_expo.py).

    metrics_check.py port LOGFILE                  print the port from the "listening" log line
    metrics_check.py main --port P --pid PID --version V --t0 EPOCH --tmp DIR
    metrics_check.py auth --port P --key KEY --tmp DIR

Exit status 0 when every check passed, 1 otherwise; every failure is printed as "FAIL: ...".
"""
import argparse
import json
import math
import os
import random
import string
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import metrics_expo as mx  # noqa: E402

CT_METRICS = "text/plain; version=0.0.4; charset=utf-8"
FAILS = []
RNG = random.Random()


def fail(msg):
    FAILS.append(msg)
    print("FAIL: " + msg, flush=True)


def ok(msg):
    print("ok:   " + msg, flush=True)


# --- HTTP through curl ------------------------------------------------------------------------

class Req:
    def __init__(self, method, path, route, status, body=None, ctype="application/json",
                 values=0, headers=(), code=None):
        self.method, self.path, self.route, self.status = method, path, route, status
        self.code = code  # the problem code, for HEAD (whose body is never sent)
        self.body = json.dumps(body, separators=(",", ":")).encode() if isinstance(body, (dict, list)) \
            else (body.encode() if isinstance(body, str) else body)
        self.ctype = ctype if self.body is not None else None
        self.values = values
        self.headers = list(headers)
        # filled by run_batch
        self.got_status = self.got_code = self.got_ctype = None
        self.up = self.down = 0


def _q(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run_batch(base, reqs, tmp, tag, parallel=0):
    """Send reqs with ONE curl process (keep-alive; in order, or over `parallel` connections);
    fills in status/code/sizes."""
    d = os.path.join(tmp, tag)
    os.makedirs(d, exist_ok=True)
    cfg = []
    for i, r in enumerate(reqs):
        if i:
            cfg.append("next")
        cfg.append("url = " + _q(base + r.path))
        cfg.append("head" if r.method == "HEAD" else "request = " + _q(r.method))
        cfg.append("path-as-is")
        cfg.append("globoff")
        cfg.append('header = "Expect:"')
        for h in r.headers:
            cfg.append("header = " + _q(h))
        if r.body is not None:
            bf = os.path.join(d, "req%d" % i)
            with open(bf, "wb") as f:
                f.write(r.body)
            cfg.append("header = " + _q("Content-Type: " + r.ctype))
            cfg.append("data-binary = " + _q("@" + bf))
        cfg.append("output = " + _q(os.path.join(d, "resp%d" % i)))
        cfg.append("write-out = " + _q("R%d %%{http_code} %%{size_download} %%{size_upload} %%{content_type}\\n" % i))
    cf = os.path.join(d, "curl.cfg")
    with open(cf, "w") as f:
        f.write("\n".join(cfg) + "\n")
    cmd = ["curl", "-sS", "--max-time", "30", "-K", cf]
    if parallel:
        cmd[1:1] = ["--parallel", "--parallel-max", str(parallel)]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        fail("curl batch %s exited %d: %s" % (tag, p.returncode, p.stderr.strip()[:300]))
    for line in p.stdout.splitlines():
        parts = line.split(" ", 4)
        if not parts or not parts[0].startswith("R"):
            continue
        r = reqs[int(parts[0][1:])]
        r.got_status, r.down, r.up = int(parts[1]), int(parts[2]), int(parts[3])
        r.got_ctype = parts[4] if len(parts) > 4 else ""
        if r.method == "HEAD":
            r.got_code = r.code if r.got_status >= 400 else None
            r.head_len = 0
            try:
                with open(os.path.join(d, "resp%d" % reqs.index(r)), encoding="latin-1") as f:
                    for h in f:
                        if h.lower().startswith("content-length:"):
                            r.head_len = int(h.split(":", 1)[1])
            except (OSError, ValueError):
                pass
        elif r.got_status >= 400:
            try:
                with open(os.path.join(d, "resp%d" % reqs.index(r)), "rb") as f:
                    r.got_code = json.loads(f.read()).get("code")
            except (OSError, ValueError, AttributeError):
                r.got_code = None
    return reqs


class Scrape:
    def __init__(self, status, ctype, text, size, headers):
        self.status, self.ctype, self.text, self.size, self.headers = status, ctype, text, size, headers
        self.expo = mx.parse(text) if status == 200 else None


def scrape(base, tmp, auth=None):
    hf, bf = os.path.join(tmp, "scrape.hdr"), os.path.join(tmp, "scrape.body")
    cmd = ["curl", "-sS", "--max-time", "10", "-D", hf, "-o", bf,
           "-w", "%{http_code} %{size_download}", base + "/metrics"]
    if auth:
        cmd[1:1] = ["-H", "Authorization: Bearer " + auth]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        fail("curl /metrics exited %d: %s" % (p.returncode, p.stderr.strip()))
        return Scrape(0, "", "", 0, {})
    status, size = (int(x) for x in p.stdout.split())
    headers = {}
    with open(hf, encoding="latin-1") as f:
        for line in f:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
    with open(bf, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        fail("/metrics body is not UTF-8")
        text = raw.decode("utf-8", "replace")
    return Scrape(status, headers.get("content-type", ""), text, size, headers)


def check_content_type(ct, where):
    parts = [x.strip() for x in ct.split(";")]
    params = {}
    for x in parts[1:]:
        k, _, v = x.partition("=")
        params[k.strip().lower()] = v.strip()
    good = (parts[0].lower() == "text/plain" and params.get("version") == "0.0.4"
            and params.get("charset", "").lower() == "utf-8" and len(params) == 2)
    if not good:
        fail("%s: Content-Type %r, want %r" % (where, ct, CT_METRICS))
    elif ct != CT_METRICS:
        ok("%s: Content-Type %r (equivalent to %r)" % (where, ct, CT_METRICS))
    return good


PROMTOOL = {"runs": 0, "problems": 0}


def promtool(text, where):
    PROMTOOL["runs"] += 1
    p = subprocess.run(["promtool", "check", "metrics"], input=text.encode(), capture_output=True)
    lines = [l for l in (p.stdout + p.stderr).decode(errors="replace").splitlines() if l.strip()]
    PROMTOOL["problems"] += len(lines) + (1 if p.returncode and not lines else 0)
    if p.returncode != 0 or lines:
        fail("%s: promtool check metrics exit %d, %d problem line(s):" % (where, p.returncode, len(lines)))
        for l in lines:
            print("        promtool: " + l)
    return p.returncode, len(lines)


def check_scrape(s, where, version=None, require_samples=False):
    if s.status != 200:
        fail("%s: GET /metrics -> %d" % (where, s.status))
        return False
    check_content_type(s.ctype, where)
    rc, n = promtool(s.text, where)
    probs = mx.validate(s.expo, version=version, require_samples=require_samples)
    for x in probs:
        fail("%s: %s" % (where, x))
    return rc == 0 and n == 0 and not probs


# --- expected counter movement -----------------------------------------------------------------

H = "divergenced_http_request_duration_seconds"
COUNTERS = ("divergenced_http_requests_total", "divergenced_errors_total",
            "divergenced_http_request_bytes_total", "divergenced_http_response_bytes_total",
            "divergenced_values_processed_total", H + "_count")


CORE_METHODS = ("GET", "POST", "OPTIONS", "HEAD")


def method_label(method, expo):
    """The label a request method should get: GET/POST/OPTIONS/HEAD as themselves; any other
    method either as itself (a standard one) or under the daemon's catch-all ("other"/"OTHER")
    when the daemon uses one -- a fixed vocabulary either way (user-supplied methods are
    checked separately)."""
    if method in CORE_METHODS:
        return method
    used = {l.get("method") for l, _ in expo.series("divergenced_http_requests_total")}
    for catch in ("other", "OTHER"):
        if catch in used and method not in used:
            return catch
    return method


def expected_deltas(reqs, scrapes, after=None):
    """{(name, frozenset(labels))): delta} for the transfers reqs plus the earlier scrapes
    (each scrape before the final one is a GET /metrics 200 whose bytes are known)."""
    exp = {}

    def add(name, n, **labels):
        k = (name, frozenset((a, str(b)) for a, b in labels.items()))
        exp[k] = exp.get(k, 0) + n
    # request_bytes_total counts body bytes the daemon read: a request answered from its
    # headers alone (401, 404, 405, 415, or 413 from Content-Length) has its body unread.
    early = (401, 404, 405, 413, 415)
    rows = [(r.route, method_label(r.method, after) if after else r.method, r.got_status, r.got_code,
             0 if r.got_status in early else r.up, r.down,
             r.values if r.got_status == 200 else 0) for r in reqs if r.got_status]
    rows += [("/metrics", "GET", 200, None, 0, s.size, 0) for s in scrapes]
    for route, method, status, code, up, down, values in rows:
        add("divergenced_http_requests_total", 1, route=route, method=method, status=status)
        add(H + "_count", 1, route=route)
        add("divergenced_http_request_bytes_total", up, route=route)
        add("divergenced_http_response_bytes_total", down, route=route)
        if status >= 400:
            add("divergenced_errors_total", 1, route=route, code=code)
        if values:
            add("divergenced_values_processed_total", values, route=route)
    return exp


def delta_problems(before, after, exp):
    """Compare every counter series' movement to exp; returns list of problems."""
    probs = []
    keys = set(k for k in after.samples if k[0] in COUNTERS) | set(exp)
    for k in sorted(keys, key=lambda k: (k[0], sorted(k[1]))):
        name, labels = k
        a = after.samples.get(k)
        b = before.samples.get(k, 0)
        want = exp.get(k, 0)
        got = (a if a is not None else 0) - b
        if a is None and want == 0:
            continue
        if got != want:
            probs.append("%s%s moved by %s, expected %s" % (name, mx._fmt(dict(labels)), _n(got), _n(want)))
    for k, v in before.samples.items():
        if k[0] in COUNTERS and k not in after.samples:
            probs.append("%s%s vanished between scrapes" % (k[0], mx._fmt(dict(k[1]))))
        elif k[0] in COUNTERS or k[0].startswith(H + "_bucket") or k[0] == "process_cpu_seconds_total":
            if after.samples.get(k, v) < v:
                probs.append("%s%s went down: %s -> %s" % (k[0], mx._fmt(dict(k[1])), v, after.samples[k]))
    # histogram buckets: every request took well under 10 s, so le="10" moves with _count;
    # _sum moves by a positive amount no larger than the wall-clock window
    for (name, labels), want in exp.items():
        if name != H + "_count":
            continue
        r = dict(labels)["route"]
        for le in ("10", "+Inf"):
            kb = next((k for k in after.samples if k[0] == H + "_bucket" and dict(k[1]).get("route") == r
                       and mx._le(dict(k[1])["le"]) == mx._le(le)), None)
            got = (after.samples.get(kb, 0) - before.samples.get(kb, 0)) if kb else 0
            if got != want:
                probs.append('%s_bucket{route="%s",le="%s"} moved by %s, expected %s' % (H, r, le, _n(got), want))
    return probs


def _moved(problem):
    """(route, got, want) from a '…{route="r"…} moved by got, expected want' problem line."""
    route = problem.split('route="', 1)[1].split('"', 1)[0]
    got = int(float(problem.split("moved by ")[1].split(",")[0]))
    return route, got, int(float(problem.rsplit(" ", 1)[1]))


def explain_bytes(probs, reqs):
    """When request_bytes_total falls short, name the requests whose bodies were not counted."""
    for x in probs:
        if not x.startswith("divergenced_http_request_bytes_total"):
            continue
        route, got, want = _moved(x)
        early = [r for r in reqs if r.route == route and r.up and r.got_status in (404, 405, 415, 401)]
        if sum(r.up for r in early) == want - got:
            print("        the %d missing bytes are exactly the bodies of the requests rejected before "
                  "the body was read: %s" % (want - got, ", ".join("%s %s -> %d (%d B)" % (
                      r.method, r.route, r.got_status, r.up) for r in early)))


def explain_head(probs, reqs):
    """When response_bytes_total runs over, check whether HEAD bodies (never sent) explain it."""
    for x in probs:
        if not x.startswith("divergenced_http_response_bytes_total"):
            continue
        route, got, want = _moved(x)
        heads = [r for r in reqs if r.route == route and r.method == "HEAD"]
        if heads and sum(getattr(r, "head_len", 0) for r in heads) == got - want:
            print("        the %d extra bytes are exactly the Content-Length of the HEAD responses, whose "
                  "bodies are never sent: %s" % (got - want, ", ".join("HEAD %s -> %d (Content-Length %d)" % (
                      r.route, r.got_status, r.head_len) for r in heads)))


def sum_problems(before, after, window):
    probs = []
    for (name, labels), v in after.samples.items():
        if name != H + "_sum":
            continue
        r = dict(labels)["route"]
        ds = v - before.samples.get((name, labels), 0)
        dc = after.get(H + "_count", route=r) - (before.get(H + "_count", route=r) or 0)
        if dc > 0 and not (0 < ds <= window):
            probs.append('%s_sum{route="%s"} moved by %r for %d requests in a %.3f s window '
                         '(must be > 0 and <= the window: seconds, not ms)' % (H, r, ds, dc, window))
    return probs


def _n(x):
    return str(int(x)) if x == int(x) else repr(x)


def converge(base, tmp, before, reqs, version, where):
    """Scrape until the counters show exactly reqs (at most ~2 s); returns the last scrape."""
    scrapes = [before]
    t_end = time.time() + 2.0
    while True:
        s = scrape(base, tmp)
        if s.status != 200:
            fail("%s: GET /metrics -> %d" % (where, s.status))
            return s, []
        probs = delta_problems(before.expo, s.expo, expected_deltas(reqs, scrapes, s.expo))
        scrapes.append(s)
        if not probs or time.time() > t_end:
            break
        time.sleep(0.1)
    if len(scrapes) > 2 and not probs:
        print("note: %s: counters matched only on scrape %d after the traffic (they lag the responses)"
              % (where, len(scrapes) - 1))
        NOTES.append("%s: counters lagged the responses (exact only on scrape %d)" % (where, len(scrapes) - 1))
    return s, probs


NOTES = []


# --- the traffic mix ------------------------------------------------------------------------

def rnd_path():
    return "/" + "".join(RNG.choice(string.ascii_lowercase + string.digits) for _ in range(12))


def dist(n, seed):
    w = [((seed * 7 + i * 13) % 17) + 1 for i in range(n)]
    return w


def mix():
    R = []
    # 7 x 200 on /kl (normalize so any weights are fine); numbers consumed = len(p) + len(q)
    for i in range(7):
        n = 2 + i
        R.append(Req("POST", "/kl", "/kl", 200, {"p": dist(n, i), "q": dist(n, i + 3), "normalize": True},
                     values=2 * n))
    # 3 x 422 on /kl
    R.append(Req("POST", "/kl", "/kl", 422, {"p": [0.5, 0.5]}))                             # missing q
    R.append(Req("POST", "/kl", "/kl", 422, {"p": [0.5, 0.5], "q": [0.5, 0.5], "zzz": 1}))  # unknown member
    R.append(Req("POST", "/kl", "/kl", 422, {"p": [0.5, -0.5, 1.0], "q": [0.2, 0.3, 0.5]}))  # negative
    # 5 x 200 on /entropy
    for i in range(5):
        n = 3 + 2 * i
        R.append(Req("POST", "/entropy", "/entropy", 200, {"p": dist(n, i), "normalize": True}, values=n))
    # one of each other compute route, twice
    for i in range(2):
        R.append(Req("POST", "/js", "/js", 200, {"p": [0.25, 0.75], "q": [0.5, 0.5]}, values=4))
        R.append(Req("POST", "/cross-entropy", "/cross-entropy", 200,
                     {"p": [0.1, 0.2, 0.7], "q": [0.3, 0.3, 0.4]}, values=6))
        R.append(Req("POST", "/batch/categorical-kl", "/batch/categorical-kl", 200,
                     {"p_logits": [[1, 2, 3], [0, 0, 0]], "q_logits": [[3, 2, 1], [1, 1, 1]]}, values=12))
    R.append(Req("POST", "/gaussian-kl", "/gaussian-kl", 200,
                 {"p": {"mean": 0.5, "std": 1.5}, "q": {"mean": 0, "std": 1}}, values=4))
    R.append(Req("POST", "/gaussian-kl", "/gaussian-kl", 200,
                 {"p": {"mean": [0, 1], "var": [1, 2]}, "q": {"mean": [1, 1], "var": [2, 2]}}, values=8))
    # 2 x 415 (JSON body, wrong content type)
    R.append(Req("POST", "/entropy", "/entropy", 415, {"p": [1]}, ctype="text/plain"))
    R.append(Req("POST", "/kl", "/kl", 415, {"p": [1], "q": [1]}, ctype="application/x-www-form-urlencoded"))
    # 400 malformed JSON
    R.append(Req("POST", "/js", "/js", 400, '{"p": [0.5, 0.5],', ctype="application/json"))
    # 4 x 404 on random paths (3 GET, 1 POST)
    for i in range(3):
        R.append(Req("GET", rnd_path(), "other", 404))
    R.append(Req("POST", rnd_path(), "other", 404, {"p": [1]}))
    # 2 x 405
    R.append(Req("GET", "/kl", "/kl", 405))
    R.append(Req("PUT", "/entropy", "/entropy", 405, {"p": [1]}))
    # operational routes
    for i in range(3):
        R.append(Req("GET", "/healthz", "/healthz", 200))
    R.append(Req("GET", "/readyz", "/readyz", 200))
    R.append(Req("GET", "/openapi.yaml", "/openapi.yaml", 200))
    # HEAD: headers only, so no response body bytes are sent
    R.append(Req("HEAD", "/healthz", "/healthz", 200))
    R.append(Req("HEAD", "/kl", "/kl", 405, code="method_not_allowed"))
    R.append(Req("OPTIONS", "/kl", "/kl", 204))
    R.append(Req("OPTIONS", "/gaussian-kl", "/gaussian-kl", 204))
    R.append(Req("OPTIONS", rnd_path(), "other", 404))
    RNG.shuffle(R)
    return R


def check_statuses(reqs, where):
    bad = [r for r in reqs if r.got_status != r.status]
    for r in bad:
        fail("%s: %s %s -> %s (code %s), the mix expects %d" % (where, r.method, r.path, r.got_status,
                                                               r.got_code, r.status))
    for r in reqs:
        if r.got_status is not None and r.got_status >= 400 and r.got_code not in mx.CODES:
            fail("%s: %s %s -> %d without a known problem code (%r)" % (where, r.method, r.path,
                                                                      r.got_status, r.got_code))
        elif r.got_status is not None and r.got_status >= 400 and mx.CODES[r.got_code] != r.got_status:
            fail("%s: %s %s -> %d with code %s (that code is %d)" % (where, r.method, r.path, r.got_status,
                                                                    r.got_code, mx.CODES[r.got_code]))
    return not bad


def proc_problems(e, pid):
    """Compare the process_* set with /proc/PID."""
    probs = []
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read().rsplit(")", 1)[1].split()
        with open("/proc/%d/limits" % pid) as f:
            lim = [l for l in f if l.startswith("Max open files")][0].split()
        nfd = len(os.listdir("/proc/%d/fd" % pid))
        with open("/proc/stat") as f:
            btime = int([l for l in f if l.startswith("btime")][0].split()[1])
    except (OSError, IndexError) as ex:
        return ["cannot read /proc/%d: %s" % (pid, ex)]
    tck = os.sysconf("SC_CLK_TCK")
    page = os.sysconf("SC_PAGE_SIZE")
    cpu = (int(st[11]) + int(st[12])) / tck
    start = btime + int(st[19]) / tck
    vsize, rss = int(st[20]), int(st[21]) * page
    maxfd = float(lim[3]) if lim[3] != "unlimited" else math.inf
    g = e.get

    def near(name, got, want, tol):
        if got is None:
            probs.append("%s missing" % name)
        elif abs(got - want) > tol:
            probs.append("%s = %r, /proc says %r" % (name, got, want))
    near("process_cpu_seconds_total", g("process_cpu_seconds_total"), cpu, 0.25)
    near("process_start_time_seconds", g("process_start_time_seconds"), start, 1.0)
    near("process_virtual_memory_bytes", g("process_virtual_memory_bytes"), vsize, max(0.05 * vsize, 8 << 20))
    near("process_resident_memory_bytes", g("process_resident_memory_bytes"), rss, max(0.25 * rss, 4 << 20))
    near("process_max_fds", g("process_max_fds"), maxfd, 0)
    near("process_open_fds", g("process_open_fds"), nfd, 4)
    return probs


# --- commands --------------------------------------------------------------------------------

def cmd_port(a):
    try:
        with open(a.log, encoding="utf-8", errors="replace") as f:
            for line in f:
                try:
                    j = json.loads(line)
                except ValueError:
                    continue
                if isinstance(j, dict) and j.get("msg") == "listening" and isinstance(j.get("port"), int):
                    print(j["port"])
                    return 0
    except OSError:
        pass
    return 1


def cmd_main(a):
    base = "http://127.0.0.1:%d" % a.port
    t_listen = time.time()

    # (a)+(b) first scrape, before any traffic
    s0 = scrape(base, a.tmp)
    if check_scrape(s0, "scrape before traffic", version=a.version):
        ok("scrape before traffic: HTTP 200, %s, promtool clean, %d series, SPEC §5 families with HELP+TYPE"
           % (s0.ctype, len(s0.expo.order)))
    if s0.status != 200:
        return 1
    for x in proc_problems(s0.expo, a.pid):
        fail("process set: " + x)
    st = s0.expo.get("process_start_time_seconds")
    if st is not None and not (a.t0 - 1.5 <= st <= t_listen + 1.5):
        fail("process_start_time_seconds %r is not between launch (%.2f) and listening (%.2f)" % (st, a.t0, t_listen))

    # (c) a known mix, then exact deltas
    reqs = mix()
    t1 = time.time()
    run_batch(base, reqs, a.tmp, "mix")
    window = time.time() - t1
    if check_statuses(reqs, "mix"):
        ok("mix: %d requests answered with the planned statuses" % len(reqs))
    s1, probs = converge(base, a.tmp, s0, reqs, a.version, "mix")
    if s1.status != 200:
        return 1
    for x in probs:
        fail("mix delta: " + x)
    explain_bytes(probs, reqs)
    explain_head(probs, reqs)
    for x in sum_problems(s0.expo, s1.expo, window + 2.5):
        fail("mix: " + x)
    if check_scrape(s1, "scrape after mix", version=a.version, require_samples=True):
        ok("scrape after mix: promtool clean, %d series, every SPEC §5 series present" % len(s1.expo.order))
    fams = {f: not any(x.startswith(f) for x in probs) for f in COUNTERS}
    for f, good in sorted(fams.items()):
        if good:
            ok("mix: %s moved exactly as expected" % f)
    if not probs:
        by = {}
        for r in reqs:
            by[(r.route, r.method, r.got_status)] = by.get((r.route, r.method, r.got_status), 0) + 1
        ok("mix: every counter moved exactly: " + ", ".join(
            "%s %s %s x%d" % (k[1], k[0], k[2], v) for k, v in sorted(by.items())))
    if fams["divergenced_values_processed_total"]:
        vals = {}
        for r in reqs:
            if r.got_status == 200 and r.values:
                vals[r.route] = vals.get(r.route, 0) + r.values
        ok("values_processed_total moved by the numbers in the successful bodies: %s" % vals)
    for x in proc_problems(s1.expo, a.pid):
        fail("process set after mix: " + x)

    # (d) 1,000 random unknown paths: no new series, all counted under route="other"
    nonce = "zq" + "".join(RNG.choice(string.ascii_lowercase) for _ in range(6))
    odd = ['"', "%22", "%7B", "}", "\\", "%0A", "%E2%82%AC", ",", "=", "%25"]
    rnd = []
    for i in range(1000):
        p = "/%s%04d/%s" % (nonce, i, "".join(RNG.choice(string.ascii_letters + string.digits) for _ in range(8)))
        if i % 10 == 0:
            p += RNG.choice(odd) + "x"
        rnd.append(Req("GET", p.replace('"', "%22").replace("\\", "%5C"), "other", 404))
    t1 = time.time()
    run_batch(base, rnd, a.tmp, "random", parallel=8)
    window = time.time() - t1
    check_statuses(rnd, "random paths")
    s2, probs = converge(base, a.tmp, s1, rnd, a.version, "random paths")
    if s2.status != 200:
        return 1
    for x in probs:
        fail("random-path delta: " + x)
    for x in sum_problems(s1.expo, s2.expo, window + 2.5):
        fail("random paths: " + x)
    check_scrape(s2, "scrape after 1000 random paths", version=a.version, require_samples=True)
    k1 = {k for k in s1.expo.samples if not k[0].startswith("process_")}
    k2 = {k for k in s2.expo.samples if not k[0].startswith("process_")}
    grown = sorted(k2 - k1, key=str)
    leaky = [k for k in s2.expo.samples if any(nonce in v for _, v in k[1])]
    if grown:
        fail("1000 random paths created %d new series, e.g. %s" % (len(grown), [mx._fmt(dict(k[1])) for k in grown[:3]]))
    if leaky:
        fail("raw paths leaked into labels: %s" % [mx._fmt(dict(k[1])) for k in leaky[:3]])
    if not grown and not leaky and not probs:
        ok("1000 random unknown paths: series %d -> %d (no growth), all counted as route=\"other\" status 404 "
           "(+%d)" % (len(s1.expo.order), len(s2.expo.order), 1000))

    # (d') arbitrary request methods must not become label values either
    meths = ["DVX" + "".join(RNG.choice(string.ascii_uppercase) for _ in range(8)) for _ in range(20)]
    weird = [Req(m, "/kl" if i % 2 else rnd_path(), "?", 0) for i, m in enumerate(meths)]
    run_batch(base, weird, a.tmp, "methods")
    time.sleep(0.2)
    s3 = scrape(base, a.tmp)
    check_scrape(s3, "scrape after 20 unknown methods", version=a.version)
    if s3.status == 200:
        k3 = {k for k in s3.expo.samples if not k[0].startswith("process_")}
        leaky = [k for k in k3 if any("DVX" in v for _, v in k[1])]
        if leaky:
            fail("request methods leaked into labels (unbounded cardinality): %s"
                 % [mx._fmt(dict(k[1])) for k in leaky[:3]])
        d_total = s3.expo.total("divergenced_http_requests_total") - s2.expo.total("divergenced_http_requests_total")
        if d_total != len(weird) + 1:
            fail("20 unknown-method requests (+1 scrape) moved requests_total by %s" % _n(d_total))
        if len(k3 - k2) > 12:
            fail("20 unknown methods created %d new series" % len(k3 - k2))
        if not leaky and d_total == len(weird) + 1 and len(k3 - k2) <= 12:
            sts = sorted({(r.got_status, r.got_code) for r in weird}, key=str)
            ok("20 random methods: counted, no method label from the request (statuses %s, %d new series)"
               % (sts, len(k3 - k2)))
    print_promtool()
    return 1 if FAILS else 0


def cmd_auth(a):
    base = "http://127.0.0.1:%d" % a.port
    s = scrape(base, a.tmp)
    if s.status != 401:
        fail("auth: GET /metrics without a token -> %d, want 401" % s.status)
    elif not s.headers.get("www-authenticate", "").lower().startswith("bearer"):
        fail("auth: 401 without 'WWW-Authenticate: Bearer' (got %r)" % s.headers.get("www-authenticate"))
    else:
        ok("auth: GET /metrics without a token -> 401, WWW-Authenticate: %s" % s.headers["www-authenticate"])
    s = scrape(base, a.tmp, auth=a.key + "x")
    if s.status != 401:
        fail("auth: GET /metrics with a wrong token -> %d, want 401" % s.status)
    else:
        ok("auth: GET /metrics with a wrong token -> 401")
    reqs = [Req("POST", "/kl", "/kl", 401, {"p": [1], "q": [1]}),
            Req("POST", "/kl", "/kl", 200, {"p": [1], "q": [1]}, headers=["Authorization: Bearer " + a.key],
                values=2),
            Req("GET", "/healthz", "/healthz", 200),
            # this daemon runs with --max-body 1k
            Req("POST", "/kl", "/kl", 413, {"p": [0.5] * 600, "q": [0.5] * 600},
                headers=["Authorization: Bearer " + a.key])]
    run_batch(base, reqs, a.tmp, "auth")
    check_statuses(reqs, "auth")
    time.sleep(0.1)
    s = scrape(base, a.tmp, auth=a.key)
    if s.status != 200:
        fail("auth: GET /metrics with the token -> %d, want 200" % s.status)
        return 1
    if check_scrape(s, "auth scrape", require_samples=False):
        ok("auth: GET /metrics with the token -> 200, promtool clean")
    e = s.expo
    want = {("divergenced_http_requests_total", (("method", "GET"), ("route", "/metrics"), ("status", "401"))): 2,
            ("divergenced_errors_total", (("code", "unauthorized"), ("route", "/metrics"))): 2,
            ("divergenced_http_requests_total", (("method", "POST"), ("route", "/kl"), ("status", "401"))): 1,
            ("divergenced_errors_total", (("code", "unauthorized"), ("route", "/kl"))): 1,
            ("divergenced_http_requests_total", (("method", "POST"), ("route", "/kl"), ("status", "200"))): 1,
            ("divergenced_values_processed_total", (("route", "/kl"),)): 2,
            ("divergenced_http_requests_total", (("method", "POST"), ("route", "/kl"), ("status", "413"))): 1,
            ("divergenced_errors_total", (("code", "payload_too_large"), ("route", "/kl"))): 1}
    bad = False
    for (name, labels), n in want.items():
        got = e.get(name, **dict(labels))
        if got != n:
            bad = True
            fail("auth: %s%s = %r, want %d" % (name, mx._fmt(dict(labels)), got, n))
    if not bad:
        ok("auth: rejected scrapes and requests counted (route=\"/metrics\" status 401 x2, code unauthorized; "
           "413 payload_too_large over --max-body)")
    print_promtool()
    return 1 if FAILS else 0


def print_promtool():
    print("promtool: %d scrape(s) of the real daemon piped to `promtool check metrics`: %d problem(s)"
          % (PROMTOOL["runs"], PROMTOOL["problems"]))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("port")
    p.add_argument("log")
    p = sub.add_parser("main")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--version", required=True)
    p.add_argument("--t0", type=float, required=True)
    p.add_argument("--tmp", required=True)
    p = sub.add_parser("auth")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--tmp", required=True)
    a = ap.parse_args()
    rc = {"port": cmd_port, "main": cmd_main, "auth": cmd_auth}[a.cmd](a)
    for n in NOTES:
        print("note: " + n)
    return rc


if __name__ == "__main__":
    sys.exit(main())
