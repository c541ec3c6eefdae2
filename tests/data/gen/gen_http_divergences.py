#!/usr/bin/python3
"""Reference cases for POST /divergences (SPEC §7) in the integration suite.

Writes tests/data/http_cases.divergences.json ({"cases": [...]}) and
tests/data/http_bad_cases.divergences.json ({"bad": [...]}), in the format of
tests/data/gen/gen_reference_http.py (see its docstring): the runner sends each body to
the real daemon and compares every member of the answer (and no others) with the values
computed here at 50 digits from the exact double inputs.

Run from anywhere:  /usr/bin/python3 tests/data/gen/gen_http_divergences.py
The measures themselves come from gen_reference_measures.measures() (the same 50-digit
definitions as the core's reference file); this script adds the HTTP side: bases,
labelled / sample inputs, default sets, reasons, terms by measure, bad inputs.
"""
import json
import os
import sys

import mpmath
from mpmath import mp, mpf

from gen_reference_http import empirical  # the same sample semantics as /kl's table
from gen_reference_measures import Case, measures

mp.dps = 50

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
OUT_CASES = os.path.join(ROOT, "tests", "data", "http_cases.divergences.json")
OUT_BAD = os.path.join(ROOT, "tests", "data", "http_bad_cases.divergences.json")

RTOL = 1e-12
LOGIT_ATOL = 1e-15
INF = "Infinity"
ORDER = ["kl", "reverse_kl", "psi", "js", "js_distance", "cross_entropy", "hellinger",
         "bhattacharyya", "tv", "linf", "chi2", "neyman_chi2", "renyi", "tsallis",
         "wasserstein"]
IN_UNIT = {"kl", "reverse_kl", "psi", "js", "cross_entropy", "bhattacharyya", "renyi"}
HAS_TERMS = ["kl", "reverse_kl", "psi", "js", "cross_entropy", "tv", "chi2", "neyman_chi2",
             "tsallis"]
DEFAULT = [m for m in ORDER if m not in ("renyi", "tsallis", "wasserstein")]


def M(x):
    if isinstance(x, bool):
        raise TypeError("bool is not a number")
    return mpf(x) if isinstance(x, int) else mpf(float(x))


class Fixed:
    """A distribution given by its exact probabilities (labelled, samples)."""

    def __init__(self, probs):
        self.p = probs

    def probs(self):
        return self.p


class Weights:
    def __init__(self, w, normalize):
        w = [M(x) for x in w]
        s = mp.fsum(w)
        if not normalize:
            assert abs(s - 1) <= mpf("1e-6"), s
        self.p = [x / s for x in w]

    def probs(self):
        return self.p


class Logits:
    def __init__(self, x, T=1.0):
        x = [M(v) / M(T) for v in x]
        m = max(x)
        lse = m + mp.log(mp.fsum(mp.exp(v - m) for v in x))
        self.p = [mp.exp(v - lse) for v in x]

    def probs(self):
        return self.p


def ln_base(base):
    return mpf(1) if base in (None, "e") else mp.log(M(base))


def unit(base):
    if base in (None, "e"):
        return "nat"
    if base == 2:
        return "bit"
    if base == 10:
        return "hartley"
    return "log" + (repr(base).removesuffix(".0") if isinstance(base, float) else str(base))


def to_json(v, measure, lnb):
    """A measure's value in the base, as the daemon writes it."""
    if isinstance(v, str):  # inf:q:I, inf:p:I, inf:d, inf:o
        return INF
    if measure in IN_UNIT:
        v = v / lnb
    elif measure == "js_distance":
        v = v / mp.sqrt(abs(lnb))
    f = float(v)
    return 0.0 if f == 0 else f


# ---- terms (nats), per SPEC §7 / measures.h --------------------------------------------
def terms_of(name, P, Q, alpha=None):
    out = []
    for p, q in zip(P, Q):
        if p == 0 and q == 0:
            out.append(mpf(0))
            continue
        if name == "kl":
            out.append(mpf(0) if p == 0 else (mp.inf if q == 0 else p * mp.log(p / q)))
        elif name == "reverse_kl":
            out.append(mpf(0) if q == 0 else (mp.inf if p == 0 else q * mp.log(q / p)))
        elif name == "psi":
            out.append(mp.inf if p == 0 or q == 0 else (p - q) * mp.log(p / q))
        elif name == "js":
            m = (p + q) / 2
            t = (p * mp.log(p / m) if p > 0 else 0) + (q * mp.log(q / m) if q > 0 else 0)
            out.append(t / 2)
        elif name == "cross_entropy":
            out.append(mpf(0) if p == 0 else (mp.inf if q == 0 else -p * mp.log(q)))
        elif name == "tv":
            out.append(abs(p - q) / 2)
        elif name == "chi2":
            out.append(mp.inf if q == 0 else (p - q) ** 2 / q)
        elif name == "neyman_chi2":
            out.append(mp.inf if p == 0 else (p - q) ** 2 / p)
        elif name == "tsallis":
            a = M(alpha)
            if alpha == 1.0:
                out.append(mpf(0) if p == 0 else (mp.inf if q == 0 else p * mp.log(p / q)))
            elif p == 0:
                out.append(q)
            elif q == 0:
                out.append(mp.inf if alpha > 1 else a * p / (1 - a))
            else:
                out.append((q * mp.expm1(a * mp.log(p / q)) - a * (p - q)) / (a - 1))
        else:
            raise ValueError(name)
    return out


def term_json(ts, measure, lnb, labels):
    vals = [INF if t == mp.inf else to_json(t, measure, lnb) for t in ts]
    if labels is None:
        return vals
    return {k: v for k, v in zip(labels, vals)}


# ---- cases -------------------------------------------------------------------------------
CASES = []


def add_case(name, body, P, Q, measures_asked=None, support=None, labels=None, emp=None,
             logits=False, positions=None, reasons=None, rtol=RTOL, tol=None, gen=None):
    """P, Q: objects with probs(); the expected answer is built from SPEC §7."""
    base = body.get("base")
    lnb = ln_base(base)
    alpha = body.get("alpha")
    alphas = None if alpha is None else (alpha if isinstance(alpha, list) else [alpha])
    asked = measures_asked
    if asked is None:
        asked = list(DEFAULT)
        if positions is not False:
            asked.append("wasserstein")
        if alphas:
            asked += ["renyi", "tsallis"]
    asked = [m for m in ORDER if m in asked]
    c = Case(name, P, Q, smoothing=body.get("smoothing", 0.0), alphas=alphas or [1.0],
             positions=positions if isinstance(positions, list) else None,
             scipy_check=False)
    ref = measures(c)
    # Finite but past the largest double (χ² of masked logits is e^1e9): +inf, as the
    # reference file writes it.
    big = lambda v: "inf:o" if not isinstance(v, str) and v > sys.float_info.max else v
    ref = {m: [big(x) for x in v] if isinstance(v, list) else big(v) for m, v in ref.items()}
    ex = {}
    for m in asked:
        if m in ("renyi", "tsallis"):
            vals = [to_json(v, m, lnb) for v in ref[m]]
            ex[m] = vals if isinstance(alpha, list) else vals[0]
        else:
            ex[m] = to_json(ref[m], m, lnb)
    ex["n"] = len(P.probs())
    ex["base"] = "e" if base is None else base
    ex["unit"] = unit(base)
    # Every infinite measure has a reason; the case may pin a fragment of it.
    given = dict(reasons or [])
    rs = {}
    for m in asked:
        vals = ref[m] if m in ("renyi", "tsallis") else [ref[m]]
        for k, v in enumerate(vals):
            if isinstance(v, str):
                what = m if m not in ("renyi", "tsallis") else \
                    "%s (alpha %s)" % (m, repr(alphas[k]).removesuffix(".0"))
                rs[m] = {"$contains": given.get(m, "larger than the largest double"
                                                if v == "inf:o" else
                                                "so %s is infinite" % what)}
                break
    assert set(given) <= set(rs), (name, set(given) - set(rs))
    if rs:
        ex["reasons"] = rs
    if body.get("terms"):
        Ps, Qs = P.probs(), Q.probs()
        e = M(body.get("smoothing", 0.0))
        if e > 0:
            K = len(Ps)
            Ps = [(p + e) / (1 + K * e) for p in Ps]
            Qs = [(q + e) / (1 + K * e) for q in Qs]
        tj = {}
        for m in HAS_TERMS:
            if m not in asked:
                continue
            if m == "tsallis":
                per = [term_json(terms_of(m, Ps, Qs, a), m, lnb, labels) for a in alphas]
                tj[m] = per if isinstance(alpha, list) else per[0]
            else:
                tj[m] = term_json(terms_of(m, Ps, Qs), m, lnb, labels)
        ex["terms"] = tj
    if support is not None:
        ex["support"] = support
    if emp is not None:
        ex["p"] = [float(x) for x in emp[0]]
        ex["q"] = [float(x) for x in emp[1]]
    c = {"name": name, "path": "/divergences", "body": body}
    if gen is not None:
        c["gen"] = gen
    c.update({"status": 200, "expect": ex, "rtol": rtol, "atol": LOGIT_ATOL if logits else 0.0})
    if tol:
        c["tol"] = tol
    assert name not in {x["name"] for x in CASES}, name
    CASES.append(c)


def labelled(pobj, qobj, normalize):
    labels = list(pobj) + [k for k in qobj if k not in pobj]
    return labels, Weights([pobj.get(k, 0) for k in labels], normalize), \
        Weights([qobj.get(k, 0) for k in labels], normalize)


def build():
    W = Weights
    # The SPEC's worked example (counts), every default measure.
    b = {"p": [0.4, 0.4, 0.2], "q": [0.5, 0.1, 0.4]}
    add_case("divergences/default-set", b, W(b["p"], False), W(b["q"], False))
    # /divergences with ["kl"] answers what /kl answers (same value; bit-equality is
    # proven in tests/unit/test_reference_measures.c).
    add_case("divergences/kl-only", dict(b, measures=["kl"]), W(b["p"], False),
             W(b["q"], False), measures_asked=["kl"])
    add_case("divergences/js-cross-entropy", dict(b, measures=["cross_entropy", "js", "js"]),
             W(b["p"], False), W(b["q"], False), measures_asked=["js", "cross_entropy"])
    # Every measure, an alpha array, base 2, terms.
    b = {"p": [0.1, 0.2, 0.3, 0.15, 0.25], "q": [0.3, 0.1, 0.2, 0.25, 0.15],
         "measures": ORDER, "alpha": [0.1, 0.5, 1, 2, 10], "base": 2, "terms": True}
    add_case("divergences/all-alpha-array-bits-terms", b, W(b["p"], False), W(b["q"], False),
             measures_asked=ORDER)
    b = {"p": [0.1, 0.2, 0.3, 0.15, 0.25], "q": [0.3, 0.1, 0.2, 0.25, 0.15], "alpha": 2,
         "base": 10}
    add_case("divergences/alpha-scalar-default-set", b, W(b["p"], False), W(b["q"], False))
    b = {"p": [0.1, 0.2, 0.3, 0.15, 0.25], "q": [0.3, 0.1, 0.2, 0.25, 0.15], "base": 0.5,
         "measures": ["kl", "js_distance", "tv"]}
    add_case("divergences/base-below-one", b, W(b["p"], False), W(b["q"], False),
             measures_asked=b["measures"])
    # Counts with normalize.
    b = {"p": [2, 2, 1, 0, 7], "q": [5, 1, 4, 3, 1], "normalize": True, "alpha": [0.5, 3]}
    add_case("divergences/counts-normalize", b, W(b["p"], True), W(b["q"], True))
    # Zeros on either side: infinities with reasons.
    b = {"p": [0.0, 0.0, 0.5, 0.5], "q": [0.0, 0.5, 0.5, 0.0], "alpha": [0.5, 2],
         "terms": True}
    add_case("divergences/zeros-infinite", b, W(b["p"], False), W(b["q"], False),
             reasons=[("kl", "p[3] is 0.5 but q[3] is 0, so kl is infinite"),
                      ("reverse_kl", "q[1] is 0.5 but p[1] is 0"),
                      ("psi", "q[1] is 0.5 but p[1] is 0"),
                      ("cross_entropy", "p[3] is 0.5 but q[3] is 0"),
                      ("chi2", "p[3] is 0.5 but q[3] is 0"),
                      ("neyman_chi2", "q[1] is 0.5 but p[1] is 0"),
                      ("renyi", "renyi (alpha 2) is infinite"),
                      ("tsallis", "tsallis (alpha 2) is infinite")])
    b = {"p": [0.5, 0.0, 0.5, 0.0], "q": [0.0, 0.25, 0.0, 0.75],
         "measures": ["hellinger", "bhattacharyya", "tv", "js", "renyi", "tsallis"],
         "alpha": 0.5}
    add_case("divergences/disjoint", b, W(b["p"], False), W(b["q"], False),
             measures_asked=b["measures"],
             reasons=[("bhattacharyya", "no category in common"),
                      ("renyi", "renyi (alpha 0.5) is infinite")])
    # Smoothing keeps PSI and KL finite on empty bins.
    b = {"p": [30, 0, 12, 5, 0], "q": [0, 4, 10, 9, 0], "normalize": True, "smoothing": 1e-4,
         "measures": ["psi", "kl", "reverse_kl", "chi2", "tv", "js"], "terms": True}
    add_case("divergences/smoothing-empty-bins", b, W(b["p"], True), W(b["q"], True),
             measures_asked=b["measures"])
    # P ≈ Q at 1e-7 (inputs are exact 17-digit doubles): every measure to 1e-12.
    import random
    rnd = random.Random(7)
    p = [rnd.random() + 0.05 for _ in range(40)]
    q = [x * (1 + 1e-7 * (2 * rnd.random() - 1)) for x in p]
    b = {"p": p, "q": q, "normalize": True, "alpha": [0.5, 2, 10]}
    add_case("divergences/near-equal-1e-7", b, W(p, True), W(q, True))
    # Positions: unsorted with duplicates; scaled.
    b = {"p": [0.1, 0.4, 0.2, 0.3], "q": [0.3, 0.3, 0.3, 0.1], "positions": [5, -1.5, 5, 0.25],
         "measures": ["wasserstein", "tv"]}
    add_case("divergences/positions-unsorted", b, W(b["p"], False), W(b["q"], False),
             measures_asked=b["measures"], positions=[5.0, -1.5, 5.0, 0.25])
    # Labelled objects: no wasserstein without positions; with them (object or array).
    po, qo = {"a": 3, "b": 1, "c": 0}, {"b": 2, "c": 2, "d": 1}
    labels, P, Q = labelled(po, qo, True)
    add_case("divergences/labelled-default", {"p": po, "q": qo, "normalize": True}, P, Q,
             positions=False, support=labels,
             reasons=[("kl", 'p["a"] is 0.75 but q["a"] is 0'),
                      ("reverse_kl", 'q["c"] is 0.4 but p["c"] is 0'),
                      ("psi", 'p["a"] is 0.75 but q["a"] is 0'),
                      ("cross_entropy", 'p["a"] is 0.75 but q["a"] is 0'),
                      ("chi2", 'p["a"] is 0.75 but q["a"] is 0'),
                      ("neyman_chi2", 'q["c"] is 0.4 but p["c"] is 0')])
    pos = {"a": 0, "b": 1, "c": 2.5, "d": 10}
    add_case("divergences/labelled-positions-object",
             {"p": po, "q": qo, "normalize": True, "positions": pos,
              "measures": ["wasserstein", "tv"], "terms": True}, P, Q,
             measures_asked=["wasserstein", "tv"], support=labels, labels=labels,
             positions=[float(pos[k]) for k in labels])
    add_case("divergences/labelled-positions-array",
             {"p": po, "q": qo, "normalize": True, "positions": [0, 1, 2.5, 10],
              "measures": ["wasserstein"]}, P, Q, measures_asked=["wasserstein"],
             support=labels, positions=[0.0, 1.0, 2.5, 10.0])
    add_case("divergences/labelled-terms-tsallis-array",
             {"p": {"x": 0.5, "y": 0.5}, "q": {"x": 0.25, "y": 0.75}, "alpha": [0.5, 2],
              "measures": ["tsallis", "kl"], "terms": True},
             Weights([0.5, 0.5], False), Weights([0.25, 0.75], False),
             measures_asked=["tsallis", "kl"], support=["x", "y"], labels=["x", "y"])
    # Samples: numeric ones are their own positions; strings are not.
    ps, qs = [1, 1, 2, 2, 3], [1, 1, 1, 1, 1, 2, 3, 3, 3, 3]
    sup, ep, eq = empirical(ps, qs)
    add_case("divergences/samples-numeric", {"p_samples": ps, "q_samples": qs}, Fixed(ep),
             Fixed(eq), support=sup, emp=(ep, eq), positions=[float(x) for x in sup])
    ps, qs = ["a", "b", "b", "c"], ["b", "c", "c", "c", "a", "a"]
    sup, ep, eq = empirical(ps, qs)
    add_case("divergences/samples-strings", {"p_samples": ps, "q_samples": qs}, Fixed(ep),
             Fixed(eq), support=sup, emp=(ep, eq), positions=False)
    ps, qs = [0.5, 7, 7, 2], [7, 2, 2, 40]
    sup, ep, eq = empirical(ps, qs)
    add_case("divergences/samples-wasserstein", {"p_samples": ps, "q_samples": qs,
                                                 "measures": ["wasserstein"]},
             Fixed(ep), Fixed(eq), measures_asked=["wasserstein"], support=sup, emp=(ep, eq),
             positions=[float(x) for x in sup])
    # Logits (with a temperature), and logits against weights.
    x = [0.5, -1.25, 2.0, 0.0, 3.5]
    y = [0.25, -1.0, 1.5, 0.5, 3.0]
    add_case("divergences/logits", {"p_logits": x, "q_logits": y, "alpha": [0.5, 2]},
             Logits(x), Logits(y), logits=True)
    add_case("divergences/logits-temperature",
             {"p_logits": x, "q_logits": y, "temperature": 2.5, "measures": ["kl", "tv"]},
             Logits(x, 2.5), Logits(y, 2.5), measures_asked=["kl", "tv"], logits=True)
    add_case("divergences/weights-vs-logits",
             {"p": [0.2, 0.2, 0.2, 0.2, 0.2], "q_logits": y, "measures": ["kl", "hellinger"]},
             W([0.2] * 5, False), Logits(y), measures_asked=["kl", "hellinger"], logits=True)
    # Masked logits (attention masks): Q_i = e^−1e9 underflows; every measure keeps its
    # digits (log P_i is not taken as log Q_i + log(P_i/Q_i)).
    xm, ym = [0.3, -1.2, 2.0, 0.7], [1.1, -1e9, 0.4, -1e9]
    add_case("divergences/logits-masked", {"p_logits": xm, "q_logits": ym, "alpha": [0.5, 2]},
             Logits(xm), Logits(ym), logits=True)
    # P against itself: every divergence exactly 0.
    b = {"p": [0.1, 0.2, 0.7], "q": [0.1, 0.2, 0.7], "alpha": [0.5, 2]}
    add_case("divergences/identical", b, W(b["p"], False), W(b["q"], False))
    # 10^4 categories built by the runner.
    n = 10000
    pc, qc = [1, 2, 3, 4, 5, 6, 7], [2, 2, 3, 3, 5, 7, 4, 1]
    pv = [pc[i % len(pc)] for i in range(n)]
    qv = [qc[i % len(qc)] for i in range(n)]
    add_case("divergences/large-1e4", {"normalize": True, "alpha": [0.5, 2]}, W(pv, True),
             W(qv, True), gen={"n": n, "arrays": {"p": pc, "q": qc}})


# ---- bad inputs ------------------------------------------------------------------------------
BAD = []


def bad(name, body, code, pointer, detail=None, status=422, daemon=None):
    c = {"name": name, "path": "/divergences"}
    if daemon:
        c["daemon"] = daemon
    c.update({"body": body, "status": status, "code": code, "pointer": pointer})
    if detail:
        c["detail_contains"] = detail
    BAD.append(c)


def build_bad():
    pq = {"p": [0.5, 0.5], "q": [0.25, 0.75]}
    bad("divergences/measures-not-array", dict(pq, measures="kl"), "wrong_type", "/measures")
    bad("divergences/measures-empty", dict(pq, measures=[]), "empty", "/measures")
    bad("divergences/measures-number", dict(pq, measures=["kl", 3]), "wrong_type",
        "/measures/1")
    bad("divergences/measures-unknown", dict(pq, measures=["kl", "tv", "kld"]),
        "unknown_measure", "/measures/2", detail=["kld", "reverse_kl"])
    bad("divergences/measures-case", dict(pq, measures=["KL"]), "unknown_measure",
        "/measures/0")
    bad("divergences/alpha-missing", dict(pq, measures=["renyi"]), "missing_member", "/alpha")
    bad("divergences/alpha-zero", dict(pq, alpha=0), "invalid_parameter", "/alpha",
        detail=["alpha is 0"])
    bad("divergences/alpha-negative-element", dict(pq, alpha=[1, -2]), "invalid_parameter",
        "/alpha/1", detail=["-2"])
    bad("divergences/alpha-string", dict(pq, alpha="2"), "wrong_type", "/alpha")
    bad("divergences/alpha-empty", dict(pq, alpha=[]), "empty", "/alpha")
    bad("divergences/alpha-too-many", dict(pq, alpha=[1.5] * 65), "invalid_parameter",
        "/alpha", detail=["65"])
    bad("divergences/alpha-unused-still-checked", dict(pq, measures=["kl"], alpha=[2, 0]),
        "invalid_parameter", "/alpha/1")
    bad("divergences/alpha-element-string", dict(pq, alpha=[2, "x"]), "wrong_type",
        "/alpha/1")
    bad("divergences/smoothing-negative", dict(pq, smoothing=-0.1), "invalid_parameter",
        "/smoothing", detail=["-0.1"])
    bad("divergences/smoothing-string", dict(pq, smoothing="1e-4"), "wrong_type", "/smoothing")
    bad("divergences/positions-length", dict(pq, positions=[1, 2, 3]), "shape_mismatch",
        "/positions")
    bad("divergences/positions-element", dict(pq, positions=[1, "2"]), "wrong_type",
        "/positions/1")
    bad("divergences/positions-string", dict(pq, positions="0,1"), "wrong_type", "/positions")
    bad("divergences/positions-object-for-array", dict(pq, positions={"a": 1, "b": 2}),
        "wrong_type", "/positions")
    lab = {"p": {"a": 0.5, "b": 0.5}, "q": {"a": 0.25, "b": 0.75}}
    bad("divergences/labelled-wasserstein-no-positions", dict(lab, measures=["wasserstein"]),
        "missing_member", "/positions")
    bad("divergences/positions-label-missing", dict(lab, positions={"a": 1}),
        "missing_member", "/positions", detail=['"b"'])
    bad("divergences/positions-label-unknown", dict(lab, positions={"a": 1, "b": 2, "z": 3}),
        "invalid_input", "/positions/z")
    bad("divergences/positions-label-string", dict(lab, positions={"a": 1, "b": "2"}),
        "wrong_type", "/positions/b")
    bad("divergences/string-samples-wasserstein",
        {"p_samples": ["x", "y"], "q_samples": ["y"], "measures": ["wasserstein"]},
        "missing_member", "/positions")
    bad("divergences/unknown-member", dict(pq, alphas=[2]), "unknown_member", "/alphas")
    bad("divergences/shape-mismatch", {"p": [0.5, 0.5], "q": [1.0]}, "shape_mismatch", "/q")
    bad("divergences/negative", {"p": [0.5, 0.5], "q": [1.5, -0.5]}, "negative_value", "/q/1")
    bad("divergences/missing-q", {"p": [0.5, 0.5]}, "missing_member", "/q")
    bad("divergences/not-normalized", {"p": [0.5, 0.5], "q": [0.3, 0.3]}, "not_normalized",
        "/q", detail=["normalize"])
    bad("divergences/temperature-without-logits", dict(pq, temperature=2),
        "invalid_parameter", "/temperature")
    bad("divergences/logits-log-ratio-overflow",
        {"p_logits": [-5e307, 1e308], "q_logits": [1e308, -1.7e308]}, "invalid_parameter",
        "/q_logits/1", detail=["largest double", "reverse_kl"])
    bad("divergences/limits-elements", {"p": [0.01] * 60, "q": [0.01] * 60,
                                        "normalize": True}, "payload_too_large", None,
        status=413, daemon="limits")


def write(path, key, rows):
    lines = [json.dumps(r, ensure_ascii=False, allow_nan=False) for r in rows]
    with open(path, "w", encoding="utf-8") as f:
        f.write('{"generator": "tests/data/gen/gen_http_divergences.py", "mp_dps": %d,\n'
                % mp.dps)
        f.write(' "%s": [\n  ' % key)
        f.write(",\n  ".join(lines))
        f.write("\n]}\n")


def main():
    build()
    build_bad()
    write(OUT_CASES, "cases", CASES)
    write(OUT_BAD, "bad", BAD)
    print("%s: %d cases\n%s: %d bad inputs" % (os.path.relpath(OUT_CASES, ROOT), len(CASES),
                                               os.path.relpath(OUT_BAD, ROOT), len(BAD)))


if __name__ == "__main__":
    sys.exit(main())
