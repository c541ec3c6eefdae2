"""Probe a running daemon with logit pairs drawn from a value set, against mpmath.

Usage: /usr/bin/python3 tests/data/gen/probe_logits.py PORT [V1,V2,...]
(not part of make test: about 35 s per set). For 440 random pairs of 1-3 logits drawn
from the set (default: 0, ±1, ±1e300, ±1e308, ±1.7e308, ±5e307, 8.9e307), it posts
/divergences (every measure, alpha 2), /kl, /js, /entropy and /batch/categorical-kl,
computes each value from its definition at 4000 bits (any two doubles' exact difference,
and room after it), and prints per route and measure how many answers are outside SPEC
§1's logit bar (1e-12 relative or 1e-15 absolute; "Infinity" only past the largest
double), with a first example. "divergences status" counts answers that were not 200.
"""
import itertools, json, random, sys, urllib.request
import mpmath as mp
mp.mp.prec = 4000  # exact differences of any two doubles, and room after
PORT = int(sys.argv[1])
V0 = [0.0, 1.0, -1.0, 1e300, -1e300, 1e308, -1e308, 1.7e308, -1.7e308, 5e307, -5e307, 8.9e307]
V = V0 if len(sys.argv) < 3 else [float(v) for v in sys.argv[2].split(",")]
MEAS = ["kl", "reverse_kl", "psi", "js", "js_distance", "cross_entropy", "hellinger",
        "bhattacharyya", "tv", "linf", "chi2", "neyman_chi2", "renyi", "tsallis"]

def post(path, body):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (PORT, path), json.dumps(body).encode(),
                                 {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())

def logsm(x):
    x = [mp.mpf(v) for v in x]
    m = max(x)
    s = mp.log(mp.fsum(mp.exp(v - m) for v in x))
    return [v - m - s for v in x]

def ref(x, y):
    lp, lq = logsm(x), logsm(y)
    P = [mp.exp(v) for v in lp]; Q = [mp.exp(v) for v in lq]
    kl = mp.fsum(p * (a - b) for p, a, b in zip(P, lp, lq))
    rkl = mp.fsum(q * (b - a) for q, a, b in zip(Q, lp, lq))
    M = [(p + q) / 2 for p, q in zip(P, Q)]
    js = (mp.fsum(p * (a - mp.log(m)) for p, a, m in zip(P, lp, M) if p > 0) +
          mp.fsum(q * (b - mp.log(m)) for q, b, m in zip(Q, lq, M) if q > 0)) / 2
    bc = mp.fsum(mp.sqrt(p * q) for p, q in zip(P, Q))
    r2 = mp.fsum(p * p / q for p, q in zip(P, Q))
    out = {"kl": kl, "reverse_kl": rkl, "psi": kl + rkl, "js": js, "js_distance": mp.sqrt(js),
           "cross_entropy": -mp.fsum(p * b for p, b in zip(P, lq)),
           "hellinger": mp.sqrt(mp.fsum((mp.sqrt(p) - mp.sqrt(q)) ** 2 for p, q in zip(P, Q)) / 2),
           "bhattacharyya": -mp.log(bc),
           "tv": mp.fsum(abs(p - q) for p, q in zip(P, Q)) / 2,
           "linf": max(abs(p - q) for p, q in zip(P, Q)),
           "chi2": mp.fsum((p - q) ** 2 / q for p, q in zip(P, Q)),
           "neyman_chi2": mp.fsum((p - q) ** 2 / p for p, q in zip(P, Q)),
           "renyi": mp.log(r2), "tsallis": r2 - 1,
           "entropy": -mp.fsum(p * a for p, a in zip(P, lp))}
    return out

DMAX = mp.mpf(1.7976931348623157e308)
def bad(got, want):
    if got is None:
        return "null"
    if got == "Infinity":
        return None if want > DMAX * (1 - mp.mpf(1e-12)) else "Infinity, want %s" % mp.nstr(want, 17)
    if want > DMAX:
        return "%r, want > DBL_MAX" % got
    err = abs(mp.mpf(got) - want)
    if err <= mp.mpf(1e-15) or err <= mp.mpf(1e-12) * abs(want):
        return None
    return "%r, want %s" % (got, mp.nstr(want, 17))

rng = random.Random(5)
cases = []
for n in (1, 2, 3):
    combos = list(itertools.product(V, repeat=n))
    for _ in range(120 if n > 1 else 200):
        cases.append((list(rng.choice(combos)), list(rng.choice(combos))))
fails = {}
for x, y in cases:
    R = ref(x, y)
    st, d = post("/divergences", {"p_logits": x, "q_logits": y, "measures": MEAS, "alpha": 2})
    if st != 200:
        fails.setdefault("divergences status", []).append((x, y, st, d))
        continue
    for m in MEAS:
        b = bad(d.get(m), R[m])
        if b:
            fails.setdefault("divergences " + m, []).append((x, y, b))
    for path, key, body in (("/kl", "kl", {"p_logits": x, "q_logits": y}),
                            ("/js", "js", {"p_logits": x, "q_logits": y}),
                            ("/entropy", "entropy", {"p_logits": x})):
        st, d = post(path, body)
        b = bad(d.get(key), R[key]) if st == 200 else "status %d %s" % (st, d.get("detail"))
        if b:
            fails.setdefault(path, []).append((x, y, b))
    st, d = post("/batch/categorical-kl", {"p_logits": [x], "q_logits": [y]})
    b = bad(d["kl"][0], R["kl"]) if st == 200 else "status %d %s" % (st, d.get("detail"))
    if b:
        fails.setdefault("/batch", []).append((x, y, b))
print(len(cases), "cases")
for k, v in sorted(fails.items()):
    print("%-28s %4d  e.g. %s" % (k, len(v), v[0]))
