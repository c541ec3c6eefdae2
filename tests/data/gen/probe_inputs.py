#!/usr/bin/python3
"""Probe a running daemon with extreme inputs drawn from a value set, against mpmath.

Usage: /usr/bin/python3 tests/data/gen/probe_inputs.py PORT logits|weights [V1,V2,...]
(not part of make test: about 35 s per set). For 440 random pairs of 1-3 values drawn
from the set (default: 0, ±1, ±1e300, ±1e308, ±1.7e308, ±5e307, 8.9e307 for logits;
0, 5e-324, 1e-320, 1e-300, 0.5, 1, 3, 1e300, 1.7e308 for weights, with "normalize"),
it posts /divergences (every measure, alpha 2), /kl, /js, /entropy and
/batch/categorical-kl, computes each value from its definition at 4000 bits (any two
doubles' exact difference, and room after it), and prints per route and measure how many
answers are outside SPEC §1's bar (1e-12 relative, or 1e-15 absolute; "Infinity" only
where the value is infinite or past the largest double), with a first example.
"divergences status" counts answers that were not 200.
"""
import itertools
import json
import random
import sys
import urllib.request

import mpmath as mp

mp.mp.prec = 4000
PORT = int(sys.argv[1])
MODE = sys.argv[2]
DEFAULT = {"logits": [0.0, 1.0, -1.0, 1e300, -1e300, 1e308, -1e308, 1.7e308, -1.7e308,
                      5e307, -5e307, 8.9e307],
           "weights": [0.0, 5e-324, 1e-320, 1e-300, 0.5, 1.0, 3.0, 1e300, 1.7e308]}[MODE]
V = DEFAULT if len(sys.argv) < 4 else [float(v) for v in sys.argv[3].split(",")]
MEAS = ["kl", "reverse_kl", "psi", "js", "js_distance", "cross_entropy", "hellinger",
        "bhattacharyya", "tv", "linf", "chi2", "neyman_chi2", "renyi", "tsallis"]
DMAX = mp.mpf(1.7976931348623157e308)


def post(path, body):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (PORT, path),
                                 json.dumps(body).encode(), {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def log_probs(v):
    x = [mp.mpf(a) for a in v]
    if MODE == "weights":
        s = mp.fsum(x)
        return [mp.log(a / s) if a > 0 else -mp.inf for a in x]
    m = max(x)
    s = mp.log(mp.fsum(mp.exp(a - m) for a in x))
    return [a - m - s for a in x]


def ref(x, y):
    """Every measure from its definition (SPEC §7); zero probabilities as SPEC §1 says."""
    lp, lq = log_probs(x), log_probs(y)
    P, Q = [mp.exp(a) for a in lp], [mp.exp(b) for b in lq]
    both = [i for i in range(len(P)) if P[i] > 0 and Q[i] > 0]
    q0 = any(p > 0 and q == 0 for p, q in zip(P, Q))  # P_i > 0 = Q_i
    p0 = any(q > 0 and p == 0 for p, q in zip(P, Q))
    kl = mp.inf if q0 else mp.fsum(P[i] * (lp[i] - lq[i]) for i in both)
    rkl = mp.inf if p0 else mp.fsum(Q[i] * (lq[i] - lp[i]) for i in both)
    M = [(p + q) / 2 for p, q in zip(P, Q)]
    js = (mp.fsum(p * (a - mp.log(m)) for p, a, m in zip(P, lp, M) if p > 0) +
          mp.fsum(q * (b - mp.log(m)) for q, b, m in zip(Q, lq, M) if q > 0)) / 2
    bc = mp.fsum(mp.sqrt(P[i] * Q[i]) for i in both)
    r2 = mp.fsum(P[i] * P[i] / Q[i] for i in both)
    return {"kl": kl, "reverse_kl": rkl, "psi": kl + rkl, "js": js, "js_distance": mp.sqrt(js),
            "cross_entropy": mp.inf if q0 else -mp.fsum(P[i] * lq[i] for i in both),
            "hellinger": mp.sqrt(mp.fsum((mp.sqrt(p) - mp.sqrt(q)) ** 2
                                         for p, q in zip(P, Q)) / 2),
            "bhattacharyya": mp.inf if bc == 0 else -mp.log(bc),
            "tv": mp.fsum(abs(p - q) for p, q in zip(P, Q)) / 2,
            "linf": max(abs(p - q) for p, q in zip(P, Q)),
            "chi2": mp.inf if q0 else mp.fsum((p - q) ** 2 / q for p, q in zip(P, Q) if q > 0),
            "neyman_chi2": mp.inf if p0 else mp.fsum((p - q) ** 2 / p
                                                     for p, q in zip(P, Q) if p > 0),
            "renyi": mp.inf if q0 else mp.log(r2), "tsallis": mp.inf if q0 else r2 - 1,
            "entropy": -mp.fsum(p * a for p, a in zip(P, lp) if p > 0)}


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


def body(x, y):
    if MODE == "weights":
        return {"p": x, "q": y, "normalize": True}
    return {"p_logits": x, "q_logits": y}


def main():
    rng = random.Random(5)
    cases = []
    for n in (1, 2, 3):
        combos = list(itertools.product(V, repeat=n))
        for _ in range(120 if n > 1 else 200):
            a, b = list(rng.choice(combos)), list(rng.choice(combos))
            if MODE == "logits" or (sum(a) > 0 and sum(b) > 0):
                cases.append((a, b))
    fails = {}
    for x, y in cases:
        R = ref(x, y)
        st, d = post("/divergences", dict(body(x, y), measures=MEAS, alpha=2))
        if st != 200:
            fails.setdefault("divergences status", []).append((x, y, st, d.get("detail")))
        else:
            for m in MEAS:
                b = bad(d.get(m), R[m])
                if b:
                    fails.setdefault("divergences " + m, []).append((x, y, b))
        p_only = {k: v for k, v in body(x, y).items() if not k.startswith("q")}
        for path, key, bd in (("/kl", "kl", body(x, y)), ("/js", "js", body(x, y)),
                              ("/entropy", "entropy", p_only)):
            st, d = post(path, bd)
            b = bad(d.get(key), R[key]) if st == 200 else "status %d %s" % (st, d.get("detail"))
            if b:
                fails.setdefault(path, []).append((x, y, b))
        bb = {k: [v] if isinstance(v, list) else v for k, v in body(x, y).items()}
        st, d = post("/batch/categorical-kl", bb)
        b = bad(d["kl"][0], R["kl"]) if st == 200 else "status %d %s" % (st, d.get("detail"))
        if b:
            fails.setdefault("/batch", []).append((x, y, b))
    print(len(cases), "cases")
    for k, v in sorted(fails.items()):
        print("%-28s %4d  e.g. %s" % (k, len(v), v[0]))


if __name__ == "__main__":
    main()
