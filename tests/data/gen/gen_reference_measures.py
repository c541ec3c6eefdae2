#!/usr/bin/python3
"""Generate tests/data/reference_measures.txt: exact (mpmath, 50 digits) values of every
discrete divergence measure of SPEC §7 on the given double inputs, read by
tests/unit/test_reference_measures.c.

Run from the repository root:   /usr/bin/python3 tests/data/gen/gen_reference_measures.py

Every input double is converted to mpmath exactly; weights are normalised (and logits
softmaxed) at 50 digits, smoothing (P + e)/(1 + K e) is applied at 50 digits with the
exact double e, and each measure is summed at 50 digits from its definition (SPEC §7).
Results are written with 25 significant digits. All randomness has fixed seeds.
W1 is also checked against scipy.stats.wasserstein_distance (to 1e-12 relative, on the
cases where the float64 CDF difference does not cancel).

File format (line oriented, '#' starts a comment line):
  case NAME
  dist KIND T NORM N h1 h2 ...   KIND weights|logits, T temperature (hex), NORM 0|1,
                                 then N values as C99 hex floats (P first, then Q)
  smoothing H                    the smoothing e (hex)
  alpha N h1 ...                 the alpha values (hex)
  positions N h1 ... | positions none
  ref MEASURE V                  one per measure; V a decimal, or inf:q:I (P_I > 0 = Q_I),
                                 inf:p:I (Q_I > 0 = P_I), inf:d (disjoint supports),
                                 inf:o (finite, but beyond the largest double)
  ref renyi V1 ... / ref tsallis V1 ...   aligned with alpha
  end
"""
import math
import random
import sys

from mpmath import mp, mpf

from gen_reference_discrete import log_softmax

mp.dps = 50
OUT = "tests/data/reference_measures.txt"
ALPHAS = [0.1, 0.5, 1.0, 2.0, 10.0]
ORDER = ["kl", "reverse_kl", "psi", "js", "js_distance", "cross_entropy", "hellinger",
         "bhattacharyya", "tv", "linf", "chi2", "neyman_chi2", "wasserstein"]


class Dist:
    def __init__(self, kind, vals, T=1.0, norm=True):
        self.kind, self.vals, self.T, self.norm = kind, [float(v) for v in vals], T, norm

    def line(self):
        return "dist %s %s %d %d %s" % (self.kind, float(self.T).hex(), 1 if self.norm else 0,
                                         len(self.vals),
                                         " ".join(v.hex() for v in self.vals))

    def probs(self):
        if self.kind == "weights":
            s = mp.fsum(mpf(v) for v in self.vals)
            return [mpf(v) / s for v in self.vals]
        return [mp.exp(l) for l in log_softmax(self.vals, self.T)]


class Case:
    def __init__(self, name, P, Q, smoothing=0.0, alphas=ALPHAS, positions=None,
                 scipy_check=True, prec=None):
        self.name, self.P, self.Q = name, P, Q
        self.smoothing, self.alphas, self.positions = float(smoothing), alphas, positions
        self.scipy_check = scipy_check
        # bits for this case instead of 50 digits: where a probability is 1 − 1e-290,
        # 50 digits round it to 1 and lose all of a result of 1e-289
        self.prec = prec


def first(pred, n):
    for i in range(n):
        if pred(i):
            return i
    return None


def measures(case):
    P, Q = case.P.probs(), case.Q.probs()
    K = len(P)
    assert len(Q) == K
    if case.smoothing > 0:
        e = mpf(case.smoothing)
        den = 1 + K * e
        P = [(p + e) / den for p in P]
        Q = [(q + e) / den for q in Q]
    out = {}
    qz = first(lambda i: P[i] > 0 and Q[i] == 0, K)
    pz = first(lambda i: Q[i] > 0 and P[i] == 0, K)
    both = [i for i in range(K) if P[i] > 0 and Q[i] > 0]
    lr = {i: mp.log(P[i]) - mp.log(Q[i]) for i in both}
    kl = ("inf:q:%d" % qz) if qz is not None else mp.fsum(P[i] * lr[i] for i in both)
    rkl = ("inf:p:%d" % pz) if pz is not None else mp.fsum(-Q[i] * lr[i] for i in both)
    out["kl"], out["reverse_kl"] = kl, rkl
    if qz is not None or pz is not None:
        i = min(x for x in (qz, pz) if x is not None)
        out["psi"] = ("inf:q:%d" if i == qz else "inf:p:%d") % i
    else:
        out["psi"] = mp.fsum((P[i] - Q[i]) * lr[i] for i in both)
    js = []
    for p, q in zip(P, Q):
        m = (p + q) / 2
        if p > 0:
            js.append(p * mp.log(p / m))
        if q > 0:
            js.append(q * mp.log(q / m))
    out["js"] = mp.fsum(js) / 2
    out["js_distance"] = mp.sqrt(out["js"])
    if qz is not None:
        out["cross_entropy"] = kl
    else:
        out["cross_entropy"] = -mp.fsum(P[i] * mp.log(Q[i]) for i in range(K) if P[i] > 0)
    h2 = mp.fsum((mp.sqrt(p) - mp.sqrt(q)) ** 2 for p, q in zip(P, Q)) / 2
    out["hellinger"] = mp.sqrt(h2)
    bc = mp.fsum(mp.sqrt(P[i]) * mp.sqrt(Q[i]) for i in both)
    out["bhattacharyya"] = "inf:d" if bc == 0 else (-mp.log1p(-h2) if h2 < 0.5 else
                                                     -mp.log(bc))
    out["tv"] = mp.fsum(abs(p - q) for p, q in zip(P, Q)) / 2
    out["linf"] = max(abs(p - q) for p, q in zip(P, Q))
    out["chi2"] = ("inf:q:%d" % qz) if qz is not None else \
        mp.fsum((P[i] - Q[i]) ** 2 / Q[i] for i in range(K) if Q[i] > 0)
    out["neyman_chi2"] = ("inf:p:%d" % pz) if pz is not None else \
        mp.fsum((P[i] - Q[i]) ** 2 / P[i] for i in range(K) if P[i] > 0)
    ren, tsa = [], []
    for a in case.alphas:
        if a == 1.0:
            ren.append(kl)
            tsa.append(kl)
            continue
        am = mpf(a)
        if a > 1 and qz is not None:
            ren.append("inf:q:%d" % qz)
            tsa.append("inf:q:%d" % qz)
            continue
        # S = Σ P^α Q^{1−α} − 1 summed per category as P^α Q^{1−α} − Q − α(P − Q) (the
        # same sum since ΣP = ΣQ = 1), so that P = Q gives exactly 0 and P ≈ Q keeps
        # its digits; A itself for the logarithm of an almost disjoint pair.
        terms = []
        for i in range(K):
            if P[i] > 0 and Q[i] > 0:
                terms.append(Q[i] * mp.expm1(am * lr[i]) - am * (P[i] - Q[i]))
            elif Q[i] > 0:
                terms.append(-(1 - am) * Q[i])
            elif P[i] > 0:
                terms.append(-am * P[i])
        S = mp.fsum(terms)
        A = mp.fsum(mp.exp(am * mp.log(P[i]) + (1 - am) * mp.log(Q[i])) for i in both)
        if A == 0:
            ren.append("inf:d")
        elif S > -0.5:
            ren.append(mp.log1p(S) / (am - 1))
        else:
            ren.append(mp.log(A) / (am - 1))
        tsa.append(S / (am - 1))
    out["renyi"], out["tsallis"] = ren, tsa
    pos = case.positions if case.positions is not None else [float(i) for i in range(K)]
    order = sorted(range(K), key=lambda i: (pos[i], i))
    G = mpf(0)
    FP = FQ = mpf(0)
    w, mass = [], []
    for k in range(K - 1):
        G += P[order[k]] - Q[order[k]]
        FP += P[order[k]]
        FQ += Q[order[k]]
        gap = mpf(pos[order[k + 1]]) - mpf(pos[order[k]])
        w.append(abs(G) * gap)
        mass.append((FP + FQ) * gap)
    out["wasserstein"] = mp.fsum(w)
    # scipy differences two float64 CDFs: its error is ~K·2^-53·Σ(F_P + F_Q)Δx, so it
    # can only be held to 1e-12 where that condition allows.
    cond = mp.fsum(mass) / out["wasserstein"] if out["wasserstein"] > 0 else mpf("inf")
    if case.scipy_check and K > 1 and cond * K * 2.0 ** -53 > 1e-12:
        stats["scipy_w1_skipped"] += 1
    elif case.scipy_check and K > 1:
        from scipy.stats import wasserstein_distance
        pf = [float(p) for p in P]
        qf = [float(q) for q in Q]
        sw = wasserstein_distance(pos, pos, pf, qf)
        ref = out["wasserstein"]
        err = abs(mpf(sw) - ref) / ref if ref != 0 else abs(mpf(sw))
        assert err <= 1e-12, (case.name, sw, ref, err)
        stats["scipy_w1_worst"] = max(stats["scipy_w1_worst"], float(err))
        stats["scipy_w1_cases"] += 1
    return out


stats = {"scipy_w1_worst": 0.0, "scipy_w1_cases": 0, "scipy_w1_skipped": 0}


def fmt(v):
    if isinstance(v, str):
        return v
    if v > mpf(sys.float_info.max):
        return "inf:o"  # beyond the largest double: +inf (overflow) is the right answer
    return mp.nstr(v, 25, min_fixed=1, max_fixed=0) if v != 0 else "0"


def write_case(f, case):
    with mp.workprec(case.prec or mp.prec):
        m = measures(case)
    f.write("case %s\n" % case.name)
    f.write(case.P.line() + "\n")
    f.write(case.Q.line() + "\n")
    f.write("smoothing %s\n" % case.smoothing.hex())
    f.write("alpha %d %s\n" % (len(case.alphas), " ".join(float(a).hex() for a in case.alphas)))
    if case.positions is None:
        f.write("positions none\n")
    else:
        f.write("positions %d %s\n" % (len(case.positions),
                                       " ".join(float(x).hex() for x in case.positions)))
    for name in ORDER:
        f.write("ref %s %s\n" % (name, fmt(m[name])))
    f.write("ref renyi %s\n" % " ".join(fmt(v) for v in m["renyi"]))
    f.write("ref tsallis %s\n" % " ".join(fmt(v) for v in m["tsallis"]))
    f.write("end\n")


def dirichlet(rnd, K, conc):
    g = [rnd.gammavariate(conc, 1.0) for _ in range(K)]
    s = math.fsum(g)
    return [x / s for x in g]


def main():
    rnd = random.Random(20261201)
    cases = []
    W = lambda v, norm=True: Dist("weights", v, 1.0, norm)
    L = lambda v, T=1.0: Dist("logits", v, T, True)
    add = lambda *a, **k: cases.append(Case(*a, **k))

    def rand_positions(K, dup):
        if dup:  # a coarse grid: duplicates and out of order
            return [float(rnd.randrange(-K, K)) * 0.25 for _ in range(K)]
        return [rnd.gauss(0.0, 10.0) for _ in range(K)]

    # Worked examples and conventions.
    add("spec_counts", W([2, 2, 1]), W([5, 1, 4]))
    add("spec_h4", W([0.9, 0.05, 0.025, 0.025], False), W([0.25] * 4, False))
    add("identical", W([0.1, 0.2, 0.7], False), W([0.1, 0.2, 0.7], False))
    add("identical_scaled", W([1, 2, 7]), W([2, 4, 14]))
    add("identical_logits", L([0.5, -1.0, 3.0]), L([0.5, -1.0, 3.0]))
    add("zeros_p", W([0.0, 0.5, 0.0, 0.5]), W([0.1, 0.2, 0.3, 0.4]))
    add("zeros_q", W([0.2, 0.3, 0.5, 0.0]), W([0.5, 0.0, 0.5, 0.0]))
    add("zeros_both", W([0.0, 0.3, 0.7, 0.0]), W([0.0, 0.6, 0.3, 0.1]))
    add("zeros_mixed", W([0.0, 0.3, 0.7, 0.0, 0.2]), W([0.1, 0.6, 0.0, 0.0, 0.3]))
    add("disjoint", W([1.0, 0.0]), W([0.0, 1.0]))
    add("disjoint_4", W([0.5, 0.0, 0.5, 0.0]), W([0.0, 0.25, 0.0, 0.75]))
    add("single", W([3.0]), W([5.0]))
    add("huge_counts", W([1e308, 1e308, 5e307]), W([3e307, 1e308, 1e308]))
    add("tiny_weights", W([1e-310, 3e-310]), W([2e-300, 1e-300]))
    add("dominant", W([1.0, 1e-12, 3e-13]), W([1.0, 2e-12, 1e-13]))
    add("tiny_overlap", W([1.0, 1e-30, 0.0]), W([0.0, 1e-30, 1.0]))
    add("far_ratio", W([0.5, 0.5, 1e-200]), W([1e-200, 0.5, 0.5]))

    # Random Dirichlet pairs: float-normalised (sum ≈ 1) and raw weights (normalize).
    for K, reps in ((2, 4), (3, 4), (10, 4), (100, 3), (1000, 2), (10000, 1), (100000, 1)):
        for rep in range(reps):
            for conc in (1.0, 0.3):
                if K == 100000 and conc < 1:
                    continue
                p, q = dirichlet(rnd, K, conc), dirichlet(rnd, K, conc)
                pos = None
                if rep % 2 == 1 or K >= 10000:
                    pos = rand_positions(K, dup=(K % 3 == 1))
                add("dir_K%d_c%g_%d" % (K, conc, rep), W(p, False), W(q, False),
                    positions=pos)
                if K <= 1000:
                    add("dir_raw_K%d_c%g_%d" % (K, conc, rep),
                        W([x * 1000 for x in p]), W([x * 3.5 for x in q]))

    # P ≈ Q at relative ε: perturb and renormalise in doubles (and raw, normalize).
    for eps in (1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8):
        for K in (10, 1000):
            p = dirichlet(rnd, K, 2.0)
            q = [x * (1.0 + eps * (2.0 * rnd.random() - 1.0)) for x in p]
            sq = math.fsum(q)
            pos = rand_positions(K, dup=False) if K == 10 else None
            add("near_%g_K%d" % (eps, K), W(p, False), W([x / sq for x in q], False),
                positions=pos, scipy_check=False)
            add("near_%g_K%d_raw" % (eps, K), W(p), W(q), scipy_check=False)
        # Logits that differ by ε.
        x = [rnd.gauss(0, 2) for _ in range(50)]
        y = [v + eps * rnd.gauss(0, 1) for v in x]
        add("near_logits_%g" % eps, L(x), L(y), scipy_check=False)
    p = dirichlet(rnd, 10000, 1.0)
    q = [x * (1.0 + 1e-7 * (2.0 * rnd.random() - 1.0)) for x in p]
    add("near_1e-7_K10000", W(p), W(q), scipy_check=False)

    # Logits: ordinary, large, shifted, temperatures, mixed with weights.
    for K in (2, 7, 100, 1000):
        x = [rnd.gauss(0, 2) for _ in range(K)]
        y = [rnd.gauss(0, 2) for _ in range(K)]
        add("logits_K%d" % K, L(x), L(y))
        add("logits_x30_K%d" % K, L([v * 30 for v in x]), L([v * 30 for v in y]))
        add("logits_p1000_K%d" % K, L([v + 1000 for v in x]), L([v + 1000 for v in y]))
        add("logits_T0.5_K%d" % K, L(x, 0.5), L(y, 0.5))
        w = dirichlet(rnd, K, 1.0)
        add("mixed_wl_K%d" % K, W(w, False), L(y))
        add("mixed_lw_K%d" % K, L(x), W(w, False))

    # Smoothing 1e-4 on empty bins (histograms with zeros on either side).
    for K in (5, 20, 200):
        for rep in range(2):
            p = [float(rnd.randrange(0, 6)) for _ in range(K)]
            q = [float(rnd.randrange(0, 6)) for _ in range(K)]
            p[0], q[0] = 3.0, 0.0
            q[1], p[1] = 2.0, 0.0
            p[2] = q[2] = 0.0
            add("smooth_K%d_%d" % (K, rep), W(p), W(q), smoothing=1e-4)
    add("smooth_disjoint", W([1.0, 0.0, 0.0]), W([0.0, 0.0, 1.0]), smoothing=1e-4)
    add("smooth_big", W([1.0, 0.0, 3.0, 0.0]), W([0.0, 2.0, 1.0, 0.0]), smoothing=0.25)
    for eps in (1e-4, 1e-6, 1e-8):
        p = [float(rnd.randrange(1, 1000)) for _ in range(100)]
        for i in range(0, 100, 7):
            p[i] = 0.0
        q = [x * (1.0 + eps * (2.0 * rnd.random() - 1.0)) for x in p]
        add("smooth_near_%g" % eps, W(p), W(q), smoothing=1e-4, scipy_check=False)
    x = [rnd.gauss(0, 3) for _ in range(30)]
    y = [rnd.gauss(0, 3) for _ in range(30)]
    add("smooth_logits", L(x), L(y), smoothing=1e-3)
    add("smooth_mixed", W(dirichlet(rnd, 30, 0.5), False), L(y), smoothing=1e-4)

    # Ratios scanned across the kernels' cut-offs (|r−1| = 1/8, |τ| = 1/4,
    # max(α,1)|log r| = 1/2, |β| = 1/2), plain and smoothed, weights and logits.
    alphas_scan = [0.1, 0.5, 0.7, 1.3, 1.6, 2.0, 10.0]
    for j in range(41):
        r = 0.3 + j * 0.06 + 1e-3 * rnd.random()
        add("cut_w_%d" % j, W([r, 1.0, 0.5]), W([1.0, 1.0, 0.5 * r]), alphas=alphas_scan)
        add("cut_s_%d" % j, W([r, 1.0, 0.5]), W([1.0, 1.0, 0.5 * r]), smoothing=1e-3,
            alphas=alphas_scan)
        d = -1.5 + j * 0.075 + 1e-3 * rnd.random()
        add("cut_l_%d" % j, L([d, 0.0, 0.3]), L([0.0, 0.0, 0.3 - 0.5 * d]),
            alphas=alphas_scan)
        e = -0.12 + j * 0.006
        add("cut_a10_%d" % j, W([math.exp(e), 1.0]), W([1.0, math.exp(e)]),
            alphas=[10.0, 3.0])
    for d in (10.0, 50.0, 75.0, 300.0):
        add("cut_big_%g" % d, L([d, 0.0, 0.0]), L([0.0, d / 2, d]), alphas=alphas_scan)

    # Orders near 0, near 1 and large (each has its own branch in the core).
    alphas_x = [1e-6, 0.01, 0.3, 0.999, 1.001, 1.5, 4.0, 100.0, 1000.0]
    for K in (3, 50, 400):
        p, q = dirichlet(rnd, K, 1.0), dirichlet(rnd, K, 1.0)
        add("alpha_x_K%d" % K, W(p, False), W(q, False), alphas=alphas_x)
        q2 = [x * (1.0 + 1e-6 * (2.0 * rnd.random() - 1.0)) for x in p]
        add("alpha_x_near_K%d" % K, W(p), W(q2), alphas=alphas_x, scipy_check=False)
    add("alpha_x_zeros", W([0.0, 0.3, 0.7, 0.0, 0.2]), W([0.1, 0.6, 0.0, 0.0, 0.3]),
        alphas=alphas_x)
    add("alpha_x_overlap", W([1.0, 1e-30, 0.0]), W([0.0, 1e-30, 1.0]), alphas=alphas_x)
    x = [rnd.gauss(0, 2) for _ in range(20)]
    y = [rnd.gauss(0, 2) for _ in range(20)]
    add("alpha_x_logits", L(x), L(y), alphas=alphas_x)
    add("alpha_x_smooth", W([4.0, 0.0, 1.0, 7.0]), W([0.0, 3.0, 1.0, 6.0]), smoothing=1e-3,
        alphas=alphas_x)

    # Positions: sorted non-uniform, huge span, all equal.
    add("pos_sorted", W([0.1, 0.4, 0.2, 0.3], False), W([0.3, 0.3, 0.3, 0.1], False),
        positions=[-2.0, 0.5, 0.75, 10.0])
    add("pos_span", W([0.5, 0.5]), W([0.25, 0.75]), positions=[-1e300, 1e300])
    add("pos_equal", W([0.5, 0.5]), W([0.25, 0.75]), positions=[3.0, 3.0],
        scipy_check=False)

    # Masked logits (attention masks, invalid actions): a Q_i of e^−1e9 underflows, and
    # log P_i must not be taken as log Q_i + log(P_i/Q_i) (1e-7 of rounding at 1e9).
    add("masked_logits", L([0.3, -1.2, 2.0, 0.7, 0.0]), L([1.1, -1e9, 0.4, -1e9, 0.25]))
    add("masked_logits_2", L([0.0, 2.5]), L([-1e9, -1.0]))
    add("masked_logits_3", L([-1.0, 0.0]), L([-2e4, -5e7]))
    add("masked_logits_T", L([0.3, -1e9, 2.0, -0.5], 2.0), L([1.1, -1e9, -1e9, 0.0], 2.0))
    # Σ√(PQ) carried by a subnormal P (e^−740 has ~10 bits).
    add("subnormal_bc", L([40.0, -700.0]), L([2e4, 1e8]))
    # A shift of 5e307 against 1e300: ln 2 of LSE(P) is all of log P₀/Q₀; logits of
    # opposite signs past ±DBL_MAX/2 (x − y overflows) with one category.
    add("logits_huge_shift", L([1e300, 1e300]), L([5e307, 0.0]))
    add("logits_overflow_n1", L([1.2920919406822896e308]), L([-1.3427871623186926e308]))
    # Weights whose probability is subnormal or below the doubles (1e-320 / 1e10): the χ²
    # terms P²/Q and Q²/P are ordinary numbers all the same.
    add("subnormal_q_chi2", W([1e-320, 1e-30]), W([1e-320, 1e10]), prec=4000)
    add("subnormal_p_neyman", W([3.0, 1e-320]), W([1e10, 1e-30]), prec=4000)

    only = sys.argv[1] if len(sys.argv) > 1 else None
    with open(OUT, "w") as f:
        f.write("# generated by tests/data/gen/gen_reference_measures.py; do not edit\n")
        for c in cases:
            if only and only not in c.name:
                continue
            write_case(f, c)
    print("%d cases; W1 against scipy: %d cases, worst rel err %.2g (%d ill-conditioned "
          "for float64 CDFs, not compared)" % (len(cases), stats["scipy_w1_cases"],
                                             stats["scipy_w1_worst"],
                                             stats["scipy_w1_skipped"]))


if __name__ == "__main__":
    main()
