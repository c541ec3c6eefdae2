#!/usr/bin/python3
"""gen_reference_drift.py — reference figures for the drift core (SPEC §9).

Writes tests/data/reference_drift.txt, read by tests/unit/test_reference_drift.c.
Run with Debian's interpreter (python3-numpy, python3-scipy, python3-mpmath):
    /usr/bin/python3 tests/data/gen/gen_reference_drift.py
Everything is seeded, so the file is reproducible byte for byte on the same
numpy/scipy/mpmath versions (recorded in the header).

What the references are:
  * numeric cases: numpy.quantile(ref, np.arange(1, k) / k, method="linear") then
    np.unique (edges), np.searchsorted(edges, x, side="right") counts,
    scipy.stats.wasserstein_distance(ref, cur), W1 / σ(ref) with σ the population
    standard deviation computed exactly (mpmath, 50 digits; "none" when the reference
    is constant), scipy.stats.ks_2samp(ref, cur, method="auto").
  * categorical cases: first-appearance categories + unseen (+ missing), counts,
    scipy.stats.chi2_contingency(table, correction=False) on the columns that are not
    empty on both sides.
  * kstwo lines: scipy.stats.kstwo.sf(d, n) across every regime scipy distinguishes.
  * gamma lines: Q(a, x) and P(a, x) from mpmath at 40 digits.
Doubles that are inputs are written as C99 hex floats (float.hex()) so they are exact;
references as decimal with 25 significant digits (exact ones as hex too).
"""
import math
import os
import sys

import mpmath
import numpy as np
import scipy
import scipy.stats as st

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference_drift.txt")
mpmath.mp.dps = 50


def dec(x):
    return mpmath.nstr(mpmath.mpf(x), 25, min_fixed=1, max_fixed=0) if x != 0 else "0"


def hexs(a):
    return " ".join(float(v).hex() for v in a)


def exact_std(x):
    xs = [mpmath.mpf(float(v)) for v in x]
    n = len(xs)
    mean = mpmath.fsum(xs) / n
    return mpmath.sqrt(mpmath.fsum((v - mean) ** 2 for v in xs) / n)


def numeric_case(out, name, ref, cur, k, ref_null=None, cur_null=None):
    """ref/cur: float arrays of the non-null values; *_null: positions of nulls in the
    full arrays (values there are written as 'null')."""
    ref = np.asarray(ref, dtype=np.float64)
    cur = np.asarray(cur, dtype=np.float64)
    q = np.arange(1, k) / k
    edges = np.unique(np.quantile(ref, q, method="linear")) if k > 1 else np.array([])
    rc = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=len(edges) + 1)
    cc = np.bincount(np.searchsorted(edges, cur, side="right"), minlength=len(edges) + 1)

    def full(vals, nulls):
        toks = [v.hex() for v in map(float, vals)]
        for p in sorted(nulls or []):
            toks.insert(p, "null")
        return toks

    rt, ct = full(ref, ref_null), full(cur, cur_null)
    out.append(f"num {name} {k}")
    out.append(f"ref {len(rt)} " + " ".join(rt))
    out.append(f"cur {len(ct)} " + " ".join(ct))
    out.append(f"edges {len(edges)} " + hexs(edges))
    rn, cn = len(ref_null or []), len(cur_null or [])
    counts_r = list(rc) + ([rn] if rn or cn else [])
    counts_c = list(cc) + ([cn] if rn or cn else [])
    out.append(f"rcounts {len(counts_r)} " + " ".join(str(int(c)) for c in counts_r))
    out.append(f"ccounts {len(counts_c)} " + " ".join(str(int(c)) for c in counts_c))
    w = st.wasserstein_distance(ref, cur)
    sd = exact_std(ref) if ref.min() < ref.max() else None
    out.append(f"w1 {dec(w)} " + (dec(mpmath.mpf(w) / sd) if sd is not None else "none"))
    out.append(f"std {dec(sd) if sd is not None else 0}")
    r = st.ks_2samp(ref, cur, method="auto")
    exact = max(len(ref), len(cur)) <= 10000
    out.append(f"ks {dec(r.statistic)} {dec(r.pvalue)} {int(exact)}")


def cat_case(out, name, ref, cur):
    """ref/cur: lists of str, bool or None (null)."""
    cats = []
    for v in ref:
        if v is not None and v not in cats:
            cats.append(v)
    idx = {c: i for i, c in enumerate(cats)}
    K = len(cats)
    missing = any(v is None for v in ref) or any(v is None for v in cur)
    nb = K + 1 + int(missing)
    rc, cc = [0] * nb, [0] * nb
    for v in ref:
        rc[K + 1 if v is None else idx[v]] += 1
    for v in cur:
        cc[K + 1 if v is None else idx.get(v, K)] += 1

    def tok(v):
        if v is None:
            return "null"
        if isinstance(v, bool):
            return "true" if v else "false"
        return "s:" + v

    out.append(f"cat {name}")
    out.append(f"ref {len(ref)} " + " ".join(tok(v) for v in ref))
    out.append(f"cur {len(cur)} " + " ".join(tok(v) for v in cur))
    out.append(f"rcounts {nb} " + " ".join(map(str, rc)))
    out.append(f"ccounts {nb} " + " ".join(map(str, cc)))
    cols = [i for i in range(nb) if rc[i] + cc[i] > 0]
    table = np.array([[rc[i] for i in cols], [cc[i] for i in cols]], dtype=np.float64)
    stat, p, dof, _ = st.chi2_contingency(table, correction=False)
    out.append(f"chi2 {dec(stat)} {int(dof)} {dec(p)}")


def chi2_counts_case(out, name, rc, cc):
    cols = [i for i in range(len(rc)) if rc[i] + cc[i] > 0]
    table = np.array([[rc[i] for i in cols], [cc[i] for i in cols]], dtype=np.float64)
    stat, p, dof, _ = st.chi2_contingency(table, correction=False)
    out.append(f"chi2counts {name} {len(rc)}")
    out.append("r " + " ".join(map(str, rc)))
    out.append("c " + " ".join(map(str, cc)))
    out.append(f"chi2 {dec(stat)} {int(dof)} {dec(p)}")


def gamma_ref(a, x):
    a, x = mpmath.mpf(a), mpmath.mpf(x)
    pre = mpmath.exp(a * mpmath.log(x) - x - mpmath.loggamma(a + 1))
    P = pre * mpmath.hyp1f1(1, a + 1, x, maxterms=10**7)
    if P < 0.5 or x < a + 1:  # then Q > ~0.08: 1 - P at 50 digits is exact enough
        return 1 - P, P
    # Q by Legendre's continued fraction (converges for x > 0, fast where P >= 1/2),
    # evaluated backwards at 50 digits with a generous depth, then checked by doubling it.
    def cf(depth):
        t = mpmath.mpf(0)
        for i in range(depth, 0, -1):
            t = -i * (i - a) / (x + 2 * i + 1 - a + t)
        return 1 / (x + 1 - a + t)
    depth = 2000 + 40 * int(mpmath.sqrt(a))
    c1, c2 = cf(depth), cf(2 * depth)
    assert abs(c1 - c2) <= abs(c2) * mpmath.mpf(10) ** -30, (a, x)
    Q = mpmath.exp(a * mpmath.log(x) - x - mpmath.loggamma(a)) * c2
    return Q, 1 - Q


def main():
    out = [
        "# reference_drift.txt — made by tests/data/gen/gen_reference_drift.py; do not edit.",
        f"# numpy {np.__version__}, scipy {scipy.__version__}, mpmath {mpmath.__version__}",
    ]
    rng = np.random.default_rng(20261201)

    # ---- numeric: shapes and sizes ----
    numeric_case(out, "tiny_1_1", [0.5], [0.25], 10)
    numeric_case(out, "tiny_1_2", [1.0], [1.0, 2.0], 10)
    numeric_case(out, "tiny_2_5", [3.0, -1.0], rng.normal(size=5), 10)
    numeric_case(out, "tiny_5_5", rng.normal(size=5), rng.normal(size=5), 10)
    numeric_case(out, "tiny_5_2", rng.normal(size=5), rng.normal(size=2), 4)
    numeric_case(out, "equal_5_5", [1.0, 2, 3, 4, 5], [5.0, 4, 3, 2, 1], 10)
    numeric_case(out, "const_ref", [2.5] * 7, rng.normal(2.5, 1, size=9), 10)
    numeric_case(out, "k1", rng.normal(size=50), rng.normal(size=40), 1)
    for n1, n2, k in [(100, 100, 10), (100, 37, 10), (1000, 999, 10), (1000, 1000, 20),
                      (3000, 2000, 10), (10000, 10000, 10), (10000, 9999, 10),
                      (10001, 5, 10), (10001, 100, 10), (12000, 3000, 10)]:
        numeric_case(out, f"normal_{n1}_{n2}", rng.normal(size=n1), rng.normal(size=n2), k)
    for n1, n2, s in [(200, 150, 0.3), (2000, 2000, 0.1), (5000, 4000, 0.05),
                      (20000, 15000, 0.02)]:
        numeric_case(out, f"shifted_{n1}_{n2}", rng.normal(size=n1),
                     rng.normal(loc=s, size=n2), 10)
    numeric_case(out, "shifted_far_300_300", rng.normal(size=300),
                 rng.normal(loc=3, size=300), 10)
    numeric_case(out, "shifted_far_20000_11000", rng.normal(size=20000),
                 rng.normal(loc=0.5, size=11000), 10)
    numeric_case(out, "cauchy_500_400", rng.standard_cauchy(500), rng.standard_cauchy(400), 10)
    numeric_case(out, "pareto_3000_2500", rng.pareto(1.5, 3000), rng.pareto(1.2, 2500), 10)
    numeric_case(out, "lognormal_wide", rng.lognormal(0, 5, 800), rng.lognormal(0.5, 5, 700), 10)
    numeric_case(out, "ties_small", rng.integers(0, 3, 40).astype(float),
                 rng.integers(0, 4, 30).astype(float), 10)
    numeric_case(out, "ties_2000", rng.integers(0, 6, 2000).astype(float),
                 rng.integers(0, 6, 1500).astype(float), 10)
    numeric_case(out, "ties_20000", rng.poisson(2.0, 20000).astype(float),
                 rng.poisson(2.1, 12000).astype(float), 10)
    numeric_case(out, "mixed_sign_zero", np.array([-0.0, 0.0, -1.0, 1.0, 0.0, 2.0, -0.0]),
                 np.array([0.0, -0.0, 0.5]), 3)
    numeric_case(out, "huge_range", np.array([-1e300, -1e-300, 0.0, 1e-300, 1e300, 5.0]),
                 np.array([1e299, -1e299, 3.0]), 4)
    r = rng.normal(size=60)
    numeric_case(out, "nulls_both", r, rng.normal(size=50), 5,
                 ref_null=[0, 7, 64], cur_null=[3])
    numeric_case(out, "nulls_cur_only", rng.normal(size=60), rng.normal(size=50), 5,
                 cur_null=[10, 11])
    # 10^5 rows: the asymptotic branch, two regimes of the Kolmogorov distribution
    numeric_case(out, "normal_100000_100000", rng.normal(size=100000),
                 rng.normal(size=100000), 10)
    numeric_case(out, "shifted_100000_100000", rng.normal(size=100000),
                 rng.normal(loc=0.01, size=100000), 10)

    # ---- categorical ----
    cats = ["DE", "FR", "IT", "ES", "PL", "NL"]
    ref = list(rng.choice(cats[:5], 500, p=[0.4, 0.3, 0.15, 0.1, 0.05]))
    cur = list(rng.choice(cats, 450, p=[0.35, 0.3, 0.15, 0.1, 0.05, 0.05]))
    cat_case(out, "countries_unseen", [str(v) for v in ref], [str(v) for v in cur])
    ref = [str(v) for v in rng.choice(cats[:4], 300)]
    cur = [str(v) for v in rng.choice(cats[:4], 200)]
    cur[5] = None
    ref[0] = None
    cat_case(out, "countries_missing", ref, cur)
    cat_case(out, "bools", [bool(v) for v in rng.integers(0, 2, 100)],
             [bool(v) for v in rng.integers(0, 2, 80)])
    cat_case(out, "single_category", ["a"] * 5, ["a"] * 3)
    cat_case(out, "tiny_cat", ["x"], ["y", "x"])
    many = [f"c{i}" for i in range(200)]
    cat_case(out, "many_categories", [str(v) for v in rng.choice(many, 5000)],
             [str(v) for v in rng.choice(many, 4000)])
    chi2_counts_case(out, "near_proportional", [100000, 200000, 300001],
                     [10000, 20000, 30000])
    chi2_counts_case(out, "strong_drift", [900, 50, 50, 0], [100, 450, 450, 3])
    chi2_counts_case(out, "huge_statistic", [5000, 0, 1], [0, 5000, 1])

    # ---- the Kolmogorov distribution (kstwo.sf) across scipy's regimes ----
    for n in [1, 2, 3, 5, 10, 50, 140, 141, 500, 5000, 50000, 100000, 100001, 250000,
              1000000, 1000001, 2000000]:
        ds = {0.3 / n, 0.75 / n, 1.0 / n, 1.0 - 1.0 / n, 0.5, 0.7}
        for nx2 in [0.05, 0.3, 0.7, 1.0, 2.0, 2.5, 3.5, 4.5, 10, 50, 200, 400]:
            ds.add(math.sqrt(nx2 / n))
        for c in [0.5, 1.0, 1.39, 1.41, 3.0]:
            ds.add((c / n) ** (2.0 / 3.0))
        for d in sorted(ds):
            if 0 < d < 1:
                out.append(f"kstwo {n} {d.hex()} {dec(st.kstwo.sf(d, n))}")

    # ---- incomplete gamma against mpmath ----
    for a in [0.5, 1, 1.5, 2, 3.5, 4.5, 9.5, 10, 12.5, 50, 100.5, 1000, 5000.5, 49999.5]:
        xs = {a * f for f in [0.01, 0.5, 0.9, 0.99, 1, 1.01, 1.1, 2, 5]}
        xs |= {1e-5, 0.3, 2.0, 30.0, 600.0}
        for x in sorted(xs):
            Q, P = gamma_ref(a, x)
            out.append(f"gamma {float(a).hex()} {float(x).hex()} {dec(Q)} {dec(P)}")

    with open(OUT, "w") as f:
        f.write("\n".join(out) + "\n")
    print(f"wrote {OUT}: {len(out)} lines", file=sys.stderr)


if __name__ == "__main__":
    main()
