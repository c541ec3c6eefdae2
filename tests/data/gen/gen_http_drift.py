#!/usr/bin/python3
"""gen_http_drift.py — table cases for POST /drift (SPEC §9).

Writes tests/data/http_cases.drift.json ({"cases": [...]}) and
tests/data/http_bad_cases.drift.json ({"bad": [...]}), run by the integration suite's
table runner (tests/integration/cases.c). Run with Debian's interpreter:
    /usr/bin/python3 tests/data/gen/gen_http_drift.py
Seeded: the files are reproducible on the same numpy/scipy/mpmath.

References: bins and counts as numpy does them (np.quantile "linear" + np.unique, then
np.searchsorted side="right"); the binned measures of SPEC §7 from the smoothed
proportions with mpmath at 50 digits; wasserstein from scipy.stats.wasserstein_distance,
wasserstein_normed with the exact population σ; ks from scipy.stats.ks_2samp(
method="auto"); chi2_test from scipy.stats.chi2_contingency(correction=False) on the
columns not empty on both sides. Drift flags follow SPEC §9's thresholds.
"""
import json
import os

import mpmath
import numpy as np
import scipy
import scipy.stats as st

mpmath.mp.dps = 50
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "http_cases.drift.json")
OUT_BAD = os.path.join(HERE, "..", "http_bad_cases.drift.json")

BINNED = ["kl", "reverse_kl", "psi", "js", "js_distance", "cross_entropy", "hellinger",
          "bhattacharyya", "tv", "linf", "chi2", "neyman_chi2"]
IN_UNIT = {"kl", "reverse_kl", "psi", "js", "cross_entropy", "bhattacharyya"}
DEF_NUM = ["psi", "js_distance", "hellinger", "wasserstein", "wasserstein_normed", "ks"]
DEF_CAT = ["psi", "js_distance", "hellinger", "tv", "linf", "chi2_test"]
THR = {"psi": 0.2, "js_distance": 0.1, "hellinger": 0.1, "tv": 0.1, "linf": 0.1,
       "wasserstein_normed": 0.1, "ks": 0.05, "chi2_test": 0.05}
INF = mpmath.inf


def binned(rc, cc, eps, base):
    """Every binned measure of the smoothed proportions, in the requested base."""
    K = len(rc)
    R, C = sum(rc), sum(cc)
    eps = mpmath.mpf(eps)
    P = [(mpmath.mpf(c) / R + eps) / (1 + K * eps) for c in rc]
    Q = [(mpmath.mpf(c) / C + eps) / (1 + K * eps) for c in cc]

    def kl(a, b):
        s = 0
        for x, y in zip(a, b):
            if x > 0:
                if y == 0:
                    return INF
                s += x * mpmath.log(x / y)
        return s

    M = [(x + y) / 2 for x, y in zip(P, Q)]
    v = {}
    v["kl"] = kl(P, Q)
    v["reverse_kl"] = kl(Q, P)
    v["psi"] = v["kl"] + v["reverse_kl"]
    v["js"] = (kl(P, M) + kl(Q, M)) / 2
    ce = 0
    for x, y in zip(P, Q):
        if x > 0:
            ce = INF if y == 0 else ce - x * mpmath.log(y)
    v["cross_entropy"] = ce
    v["hellinger"] = mpmath.sqrt(sum((mpmath.sqrt(x) - mpmath.sqrt(y)) ** 2
                                     for x, y in zip(P, Q)) / 2)
    bc = sum(mpmath.sqrt(x * y) for x, y in zip(P, Q))
    v["bhattacharyya"] = -mpmath.log(bc) if bc > 0 else INF
    v["tv"] = sum(abs(x - y) for x, y in zip(P, Q)) / 2
    v["linf"] = max(abs(x - y) for x, y in zip(P, Q))

    def pearson(a, b):
        s = 0
        for x, y in zip(a, b):
            if x != y:
                if y == 0:
                    return INF
                s += (x - y) ** 2 / y
        return s

    v["chi2"] = pearson(P, Q)
    v["neyman_chi2"] = pearson(Q, P)
    ln = mpmath.mpf(1) if base == "e" else mpmath.log(base)
    out = {}
    for k, x in v.items():
        if k in IN_UNIT:
            x = x / ln
        out[k] = x
    out["js_distance"] = mpmath.sqrt(abs(v["js"] / ln))
    return out


def num(x):
    if x == INF:
        return "Infinity"
    return float(x)


def numeric_feature(ref, cur, k=10, edges=None, eps=1e-4, base="e", measures=None,
                    thr=None, profile=None):
    """ref/cur: lists of float or None. Returns (body value of ref, expected feature)."""
    thr = dict(THR, **(thr or {}))
    rv = np.array([x for x in (ref or []) if x is not None], dtype=np.float64)
    cv = np.array([x for x in cur if x is not None], dtype=np.float64)
    if profile is not None:
        e = np.array(profile["edges"], dtype=np.float64)
    elif edges is not None:
        e = np.array(edges, dtype=np.float64)
    else:
        e = np.unique(np.quantile(rv, np.arange(1, k) / k, method="linear")) if k > 1 \
            else np.array([])
    if profile is not None:
        rc = list(profile["counts"])
        rnull = profile["missing"]
        nref = profile["n"]
    else:
        rc = [int(c) for c in np.bincount(np.searchsorted(e, rv, side="right"),
                                          minlength=len(e) + 1)]
        rnull = sum(x is None for x in ref)
        nref = len(ref)
    cc = [int(c) for c in np.bincount(np.searchsorted(e, cv, side="right"),
                                      minlength=len(e) + 1)]
    cnull = sum(x is None for x in cur)
    missing = rnull > 0 or cnull > 0
    prof = {"kind": "numeric", "edges": [float(x) for x in e], "counts": list(rc),
            "missing": rnull, "n": nref}
    if missing:
        rc = rc + [rnull]
        cc = cc + [cnull]
    want = measures if measures is not None else DEF_NUM
    f = {"kind": "numeric", "n_reference": nref, "n_current": len(cur),
         "edges": [float(x) for x in e], "missing": missing,
         "reference_counts": rc, "current_counts": cc}
    vals = binned(rc, cc, eps, base)
    drift = False
    for m in BINNED:
        if m in want:
            f[m] = num(vals[m])
            if m in thr and vals[m] >= thr[m]:
                drift = True
    sample = profile is None and len(rv) and len(cv)
    if sample and ("wasserstein" in want or "wasserstein_normed" in want):
        w = st.wasserstein_distance(rv, cv)
        f["wasserstein"] = float(w)
        if "wasserstein" in thr and w >= thr["wasserstein"]:
            drift = True
        if rv.min() < rv.max():
            xs = [mpmath.mpf(float(x)) for x in rv]
            mu = mpmath.fsum(xs) / len(xs)
            sd = mpmath.sqrt(mpmath.fsum((x - mu) ** 2 for x in xs) / len(xs))
            f["wasserstein_normed"] = float(mpmath.mpf(w) / sd)
            if f["wasserstein_normed"] >= thr["wasserstein_normed"]:
                drift = True
    if sample and "ks" in want:
        r = st.ks_2samp(rv, cv, method="auto")
        f["ks"] = {"statistic": float(r.statistic), "p_value": float(r.pvalue)}
        if r.pvalue < thr["ks"]:
            drift = True
    if any(isinstance(f.get(m), str) for m in BINNED):
        f["reasons"] = {"$any": True}
    f["drift"] = drift
    f["profile"] = prof
    body_ref = {"profile": profile} if profile is not None else ref
    return body_ref, f


def categorical_feature(ref, cur, eps=1e-4, base="e", measures=None, thr=None,
                        profile=None):
    thr = dict(THR, **(thr or {}))
    if profile is not None:
        cats = list(profile["categories"])
        rcats = list(profile["counts"])
        rnull = profile["missing"]
        nref = profile["n"]
    else:
        cats = []
        for v in ref:
            if v is not None and v not in cats:
                cats.append(v)
        rcats = [sum(1 for v in ref if v is not None and v == c and type(v) == type(c))
                 for c in cats]
        rnull = sum(v is None for v in ref)
        nref = len(ref)
    K = len(cats)
    cnull = sum(v is None for v in cur)
    missing = rnull > 0 or cnull > 0
    rc = rcats + [0]
    cc = [0] * (K + 1)
    for v in cur:
        if v is None:
            continue
        cc[cats.index(v) if v in cats else K] += 1
    if missing:
        rc.append(rnull)
        cc.append(cnull)
    want = measures if measures is not None else DEF_CAT
    f = {"kind": "categorical", "n_reference": nref, "n_current": len(cur),
         "categories": cats, "missing": missing, "reference_counts": rc,
         "current_counts": cc}
    vals = binned(rc, cc, eps, base)
    drift = False
    for m in BINNED:
        if m in want:
            f[m] = num(vals[m])
            if m in thr and vals[m] >= thr[m]:
                drift = True
    if "chi2_test" in want:
        cols = [i for i in range(len(rc)) if rc[i] + cc[i] > 0]
        t = np.array([[rc[i] for i in cols], [cc[i] for i in cols]], dtype=np.float64)
        stat, p, dof, _ = st.chi2_contingency(t, correction=False)
        f["chi2_test"] = {"statistic": float(stat), "dof": int(dof), "p_value": float(p)}
        if p < thr["chi2_test"]:
            drift = True
    if any(isinstance(f.get(m), str) for m in BINNED):
        f["reasons"] = {"$any": True}
    f["drift"] = drift
    f["profile"] = {"kind": "categorical", "categories": cats, "counts": rcats,
                    "missing": rnull, "n": nref}
    body_ref = {"profile": profile} if profile is not None else ref
    return body_ref, f


def case(name, feats, extra=None, eps=1e-4, base="e"):
    """feats: list of (name, body_ref, body_cur, expected)."""
    body = {"reference": {n: r for n, r, _, _ in feats},
            "current": {n: c for n, _, c, _ in feats}}
    body.update(extra or {})
    drifted = [n for n, _, _, f in feats if f["drift"]]
    expect = {"features": {n: f for n, _, _, f in feats},
              "features_total": len(feats), "drifted": len(drifted),
              "drifted_features": drifted, "drift_share": len(drifted) / len(feats),
              "dataset_drift": len(drifted) / len(feats) >= 0.5, "smoothing": eps,
              "base": base,
              "unit": {"e": "nat", 2: "bit", 10: "hartley"}.get(base, f"log{base}")}
    return {"name": name, "path": "/drift", "body": body, "status": 200,
            "expect": expect, "rtol": 1e-9, "atol": 0.0}


def main():
    rng = np.random.default_rng(9)
    cases = []

    # 1. defaults: numeric with nulls, categorical strings with unseen and missing, booleans
    age_r = [float(x) for x in np.round(rng.normal(40, 12, 300), 1)]
    age_c = [float(x) for x in np.round(rng.normal(43, 12, 250), 1)]
    age_r[5] = age_r[77] = age_r[200] = None
    ctry = ["DE", "FR", "IT", "ES", "PL"]
    cr = [str(x) for x in rng.choice(ctry[:4], 300, p=[0.4, 0.3, 0.2, 0.1])]
    cc = [str(x) for x in rng.choice(ctry, 250, p=[0.3, 0.3, 0.2, 0.1, 0.1])]
    cc[3] = None
    fr = [bool(x) for x in rng.integers(0, 2, 300)]
    fc = [bool(x) for x in (rng.random(250) < 0.6)]
    a_ref, a_exp = numeric_feature(age_r, age_c)
    c_ref, c_exp = categorical_feature(cr, cc)
    b_ref, b_exp = categorical_feature(fr, fc)
    cases.append(case("drift/defaults", [("age", a_ref, age_c, a_exp),
                                         ("country", c_ref, cc, c_exp),
                                         ("flag", b_ref, fc, b_exp)]))

    # 2. profiles from case 1 as the reference: binned measures and chi2_test unchanged,
    #    sample measures left out
    a2_ref, a2_exp = numeric_feature(None, age_c, profile=a_exp["profile"])
    c2_ref, c2_exp = categorical_feature(None, cc, profile=c_exp["profile"])
    cases.append(case("drift/profiles", [("age", a2_ref, age_c, a2_exp),
                                         ("country", c2_ref, cc, c2_exp)]))

    # 3. every measure, base 2, per-feature bins (a count and explicit edges), thresholds
    x_r = [float(v) for v in rng.standard_cauchy(400)]
    x_c = [float(v) for v in rng.standard_cauchy(350) + 0.2]
    y_r = [float(v) for v in rng.exponential(1.0, 500)]
    y_c = [float(v) for v in rng.exponential(1.3, 450)]
    allm = BINNED + ["wasserstein", "ks", "chi2_test"]
    thr = {"psi": 10.0, "ks": 0.001, "kl": 5.0, "wasserstein": 1000.0, "tv": 0.9,
           "js_distance": 0.9, "hellinger": 0.9, "linf": 0.9, "chi2_test": 1e-9,
           "wasserstein_normed": 1e9}
    xr, xe = numeric_feature(x_r, x_c, k=5, base=2, measures=allm + ["wasserstein_normed"],
                             thr=thr)
    yr, ye = numeric_feature(y_r, y_c, edges=[0.5, 1.0, 2.0, 4.0], base=2,
                             measures=allm + ["wasserstein_normed"], thr=thr)
    sr, se = categorical_feature(cr, cc, base=2, measures=allm, thr=thr)
    cases.append(case("drift/every-measure-base2",
                      [("x", xr, x_c, xe), ("y", yr, y_c, ye), ("s", sr, cc, se)],
                      extra={"measures": allm, "base": 2, "thresholds": thr,
                             "bins": {"x": 5, "y": [0.5, 1.0, 2.0, 4.0]}}, base=2))

    # 4. smoothing 0: an empty current bin makes kl and psi infinite
    zr = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
    zc = [5.0, 6.0, 7.0, 8.0, 6.5]
    zm = ["kl", "reverse_kl", "psi", "tv"]
    z_ref, z_exp = numeric_feature(zr, zc, k=4, eps=0.0, measures=zm)
    cases.append(case("drift/smoothing-zero", [("z", z_ref, zc, z_exp)],
                      extra={"smoothing": 0, "measures": zm, "bins": 4}, eps=0.0))

    # 5. tiny samples (n = 1, 2) and a constant reference (no wasserstein_normed)
    t_ref, t_exp = numeric_feature([0.5], [0.25])
    u_ref, u_exp = numeric_feature([1.0, 1.0], [1.0, 2.0])
    v_ref, v_exp = categorical_feature(["a"], ["b", "a"])
    cases.append(case("drift/tiny", [("t", t_ref, [0.25], t_exp),
                                     ("u", u_ref, [1.0, 2.0], u_exp),
                                     ("v", v_ref, ["b", "a"], v_exp)]))

    # 6. exact KS on unequal sizes with ties, and the asymptotic branch (max n > 10000)
    p_r = [float(v) for v in rng.poisson(3.0, 2000)]
    p_c = [float(v) for v in rng.poisson(3.2, 1500)]
    q_r = [float(v) for v in rng.normal(0, 1, 10001)]
    q_c = [float(v) for v in rng.normal(0.3, 1, 60)]
    pr, pe = numeric_feature(p_r, p_c)
    qr, qe = numeric_feature(q_r, q_c)
    cases.append(case("drift/ks-exact-and-asymptotic", [("p", pr, p_c, pe), ("q", qr, q_c, qe)]))

    # 7. all-null current feature: only the missing bin, no sample measures
    n_ref, n_exp = numeric_feature([1.0, 2.0, 3.0], [None, None])
    cases.append(case("drift/current-all-null", [("n", n_ref, [None, None], n_exp)]))

    with open(OUT, "w") as f:
        json.dump({"generator": "tests/data/gen/gen_http_drift.py",
                   "versions": {"numpy": np.__version__, "scipy": scipy.__version__,
                                "mpmath": mpmath.__version__},
                   "cases": cases}, f, indent=1)
        f.write("\n")

    ok = {"a": [1.0, 2.0, 3.0]}
    okc = {"a": [1.0, 5.0]}

    def bad(name, body, code, pointer, status=422):
        return {"name": name, "path": "/drift", "body": body, "status": status,
                "code": code, "pointer": pointer}

    bads = [
        bad("drift/missing-reference", {"current": okc}, "missing_member", "/reference"),
        bad("drift/missing-current", {"reference": ok}, "missing_member", "/current"),
        bad("drift/bins-over-limit", {"reference": {"a": [2, 5.5, 5]}, "current": {"a": [0]},
                                      "bins": 1000000}, "invalid_parameter", "/bins"),
        bad("drift/reference-not-object", {"reference": [1], "current": okc}, "wrong_type",
            "/reference"),
        bad("drift/no-features", {"reference": {}, "current": {}}, "empty", "/reference"),
        bad("drift/feature-missing-in-current", {"reference": {"a": [1], "b": [2]},
                                                 "current": {"a": [1]}},
            "missing_member", "/current/b"),
        bad("drift/feature-only-in-current", {"reference": ok, "current": {"a": [1], "x/y": [2]}},
            "invalid_input", "/current/x~1y"),
        bad("drift/mixed-kinds-reference", {"reference": {"a": [1, "x"]}, "current": okc},
            "wrong_type", "/reference/a/1"),
        bad("drift/mixed-kinds-current", {"reference": {"a": ["x", "y"]},
                                          "current": {"a": ["x", True]}},
            "wrong_type", "/current/a/1"),
        bad("drift/numbers-against-strings", {"reference": {"a": [None, "x"]},
                                              "current": {"a": [1, 2]}},
            "wrong_type", "/current/a/0"),
        bad("drift/nested-value", {"reference": ok, "current": {"a": [1, [2]]}}, "wrong_type",
            "/current/a/1"),
        bad("drift/empty-feature", {"reference": {"a": []}, "current": okc}, "empty",
            "/reference/a"),
        bad("drift/empty-current", {"reference": ok, "current": {"a": []}}, "empty",
            "/current/a"),
        bad("drift/only-nulls", {"reference": {"a": [None]}, "current": {"a": [None]}},
            "empty", "/reference/a"),
        bad("drift/bins-zero", dict(reference=ok, current=okc, bins=0), "invalid_parameter",
            "/bins"),
        bad("drift/bins-fraction", dict(reference=ok, current=okc, bins={"a": 2.5}),
            "invalid_parameter", "/bins/a"),
        bad("drift/bins-unknown-feature", dict(reference=ok, current=okc, bins={"b": 3}),
            "invalid_input", "/bins/b"),
        bad("drift/bins-wrong-type", dict(reference=ok, current=okc, bins="ten"),
            "wrong_type", "/bins"),
        bad("drift/edges-not-increasing", dict(reference=ok, current=okc,
                                               bins={"a": [0.0, 2.0, 2.0]}),
            "invalid_parameter", "/bins/a/2"),
        bad("drift/edges-not-numbers", dict(reference=ok, current=okc, bins={"a": [0, "x"]}),
            "wrong_type", "/bins/a/1"),
        bad("drift/bins-for-categorical", dict(reference={"a": ["x"]}, current={"a": ["y"]},
                                               bins={"a": 3}),
            "invalid_parameter", "/bins/a"),
        bad("drift/unknown-measure", dict(reference=ok, current=okc, measures=["psi", "nope"]),
            "unknown_measure", "/measures/1"),
        bad("drift/measure-needs-alpha", dict(reference=ok, current=okc, measures=["renyi"]),
            "invalid_parameter", "/measures/0"),
        bad("drift/measures-not-array", dict(reference=ok, current=okc, measures="psi"),
            "wrong_type", "/measures"),
        bad("drift/unknown-threshold", dict(reference=ok, current=okc, thresholds={"zz": 1}),
            "unknown_measure", "/thresholds/zz"),
        bad("drift/threshold-not-number", dict(reference=ok, current=okc,
                                               thresholds={"psi": "high"}),
            "wrong_type", "/thresholds/psi"),
        bad("drift/negative-smoothing", dict(reference=ok, current=okc, smoothing=-1),
            "invalid_parameter", "/smoothing"),
        bad("drift/bad-base", dict(reference=ok, current=okc, base=1), "invalid_parameter",
            "/base"),
        bad("drift/unknown-member", dict(reference=ok, current=okc, alpha=2), "unknown_member",
            "/alpha"),
        bad("drift/profile-with-bins",
            dict(reference={"a": {"profile": {"kind": "numeric", "edges": [1.0],
                                              "counts": [1, 2]}}},
                 current=okc, bins={"a": 3}),
            "invalid_parameter", "/bins/a"),
        bad("drift/profile-bad-edges",
            {"reference": {"a": {"profile": {"kind": "numeric", "edges": [1.0, 0.0],
                                             "counts": [1, 2, 3]}}}, "current": okc},
            "invalid_parameter", "/reference/a/profile/edges/1"),
        bad("drift/profile-counts-length",
            {"reference": {"a": {"profile": {"kind": "numeric", "edges": [1.0],
                                             "counts": [1, 2, 3]}}}, "current": okc},
            "shape_mismatch", "/reference/a/profile/counts"),
        bad("drift/profile-negative-count",
            {"reference": {"a": {"profile": {"kind": "categorical", "categories": ["x"],
                                             "counts": [-1]}}}, "current": {"a": ["x"]}},
            "invalid_parameter", "/reference/a/profile/counts/0"),
        bad("drift/profile-unknown-kind",
            {"reference": {"a": {"profile": {"kind": "text", "counts": [1]}}},
             "current": okc},
            "invalid_parameter", "/reference/a/profile/kind"),
        bad("drift/profile-unknown-member",
            {"reference": {"a": {"profile": {"kind": "numeric", "edges": [], "counts": [1],
                                             "extra": 1}}}, "current": okc},
            "unknown_member", "/reference/a/profile/extra"),
        bad("drift/profile-kind-mismatch",
            {"reference": {"a": {"profile": {"kind": "categorical", "categories": ["x"],
                                             "counts": [3]}}}, "current": okc},
            "wrong_type", "/current/a/0"),
        bad("drift/profile-zero-counts",
            {"reference": {"a": {"profile": {"kind": "numeric", "edges": [],
                                             "counts": [0]}}}, "current": okc},
            "zero_total", "/reference/a/profile"),
        bad("drift/object-feature",
            {"reference": {"a": {"values": [1]}}, "current": okc},
            "wrong_type", "/reference/a"),
    ]
    with open(OUT_BAD, "w") as f:
        json.dump({"generator": "tests/data/gen/gen_http_drift.py", "bad": bads}, f, indent=1)
        f.write("\n")
    print(f"wrote {len(cases)} cases, {len(bads)} bad cases")


if __name__ == "__main__":
    main()
