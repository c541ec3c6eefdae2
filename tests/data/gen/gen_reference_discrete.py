#!/usr/bin/python3
"""Generate tests/data/reference_discrete.txt: exact (mpmath, 50 digits) entropy, KL,
cross-entropy and Jensen-Shannon values for discrete distributions given as weights or
logits, read by tests/unit/test_reference_discrete.c.

Run from the repository root:   /usr/bin/python3 tests/data/gen/gen_reference_discrete.py

The reference is the exact value on the given double inputs: every input double is
converted to mpmath exactly, normalised / softmaxed at 50 digits, and the quantities are
summed at 50 digits. Results are written with 25 significant digits.

File format (line oriented, '#' starts a comment line):
  case NAME                                  a P/Q case
  batch NAME ROWS                            a batched-KL case; ROWS pairs of dist lines
  dist KIND T NORM list N h1 h2 ...          KIND weights|logits, T temperature (hex),
                                             NORM 0|1, values as C99 hex floats
  dist KIND T NORM gen MODE SEED N A B C     values defined by a formula that C and Python
                                             evaluate to identical doubles (see gen_values)
  ref Q NATS BITS HARTLEYS                   Q in kl|entropy|ce|js; value 'inf I' for an
                                             infinite KL/CE whose first infinite index is I
  ref rows V1 ... VR / ref sum V / ref mean V  (batch, nats)
  end
"""
import math
import random
import sys

from mpmath import mp, mpf

mp.dps = 50
OUT = "tests/data/reference_discrete.txt"

MASK = (1 << 64) - 1


def lcg(seed):
    """64-bit LCG (Knuth's MMIX constants); the C test has the same one."""
    x = seed & MASK
    while True:
        x = (x * 6364136223846793005 + 1442695040888963407) & MASK
        yield x >> 11  # 53 bits


def gen_values(mode, seed, n, a, b, c):
    """Formulas whose every step is one IEEE double operation (or exact integer math), so
    C computes the same doubles bit for bit.
      w    weights: v_i = 1 + (r mod a)                          (integers)
      wz   weights as w, but v_i = 0 when r2 mod b == 0          (zeros)
      wp   weights: v_i = (1 + (r mod a)) + (k − c)·2^-b, k = r2 mod (2c+1)   (a perturbed
           copy of w with the same seed: near-equal distributions)
      l    logits:  v_i = ((r mod a) − a/2)·2^-10 · b + c          (b: scale, c: shift)
    """
    g = lcg(seed)
    out = []
    for _ in range(n):
        r = next(g)
        r2 = next(g)
        if mode == "w":
            out.append(float(1 + r % a))
        elif mode == "wz":
            out.append(0.0 if r2 % b == 0 else float(1 + r % a))
        elif mode == "wp":
            k = r2 % (2 * c + 1)
            out.append(float(1 + r % a) + float(k - c) * 2.0 ** (-b))
        elif mode == "l":
            x = float(r % a - a // 2) * 2.0 ** -10
            x = x * float(b)
            out.append(x + float(c))
        else:
            raise ValueError(mode)
    return out


def log_softmax(vals, T):
    """Exact log-probabilities of logits vals at temperature T (also used by
    gen_reference_measures.py). Past 1e15 the log-sum-exp's small part is below 50 digits
    of its large part (ln 2 of [1e300, 1e300]), so such logits are taken at 4000 bits,
    which hold any double's exact digits."""
    big = max(abs(v) for v in vals) / T > 1e15
    with mp.workprec(4000 if big else mp.prec):
        x = [mpf(v) / mpf(T) for v in vals]
        m = max(x)
        lse = m + mp.log(mp.fsum(mp.exp(xi - m) for xi in x))
        return [xi - lse for xi in x]


class Dist:
    def __init__(self, kind, vals, T=1.0, norm=True, gen=None):
        self.kind, self.vals, self.T, self.norm, self.gen = kind, vals, T, norm, gen

    def line(self):
        head = "dist %s %s %d " % (self.kind, float(self.T).hex(), 1 if self.norm else 0)
        if self.gen:
            return head + "gen " + " ".join(str(x) for x in self.gen)
        return head + "list %d " % len(self.vals) + " ".join(float(v).hex() for v in self.vals)

    def logprobs(self):
        """Exact log-probabilities (None for a zero probability) and probabilities."""
        if self.kind == "weights":
            s = mp.fsum(mpf(v) for v in self.vals)
            ls = mp.log(s)
            lp = [mp.log(mpf(v)) - ls if v > 0 else None for v in self.vals]
            P = [mpf(v) / s for v in self.vals]
        else:
            lp = log_softmax(self.vals, self.T)
            P = [mp.exp(l) for l in lp]
        return lp, P


def gen_dist(kind, mode, seed, n, a, b, c, T=1.0):
    return Dist(kind, gen_values(mode, seed, n, a, b, c), T, True, (mode, seed, n, a, b, c))


def quantities(P, Q):
    lp, pp = P.logprobs()
    lq, qq = Q.logprobs()
    H = -mp.fsum(p * l for p, l in zip(pp, lp) if l is not None)
    kl, kl_inf = [], None
    for i, (p, l1, l2) in enumerate(zip(pp, lp, lq)):
        if l1 is None:
            continue
        if l2 is None:
            kl_inf = i
            break
        kl.append(p * (l1 - l2))
    KL = mp.fsum(kl) if kl_inf is None else None
    js = []
    for p, q in zip(pp, qq):
        m = (p + q) / 2
        if m == 0:
            continue
        if p > 0:
            js.append(p * mp.log(p / m))
        if q > 0:
            js.append(q * mp.log(q / m))
    JS = mp.fsum(js) / 2
    return {"kl": (KL, kl_inf), "entropy": (H, None),
            "ce": (None if KL is None else H + KL, kl_inf), "js": (JS, None)}


def fmt(x):
    return mp.nstr(x, 25, min_fixed=1, max_fixed=0) if x != 0 else "0"


def ref_line(name, val):
    v, inf = val
    if v is None:
        return "ref %s inf %d" % (name, inf)
    return "ref %s %s %s %s" % (name, fmt(v), fmt(v / mp.log(2)), fmt(v / mp.log(10)))


def kl_only(P, Q):
    lp, pp = P.logprobs()
    lq, _ = Q.logprobs()
    terms = []
    for p, l1, l2 in zip(pp, lp, lq):
        if l1 is None:
            continue
        if l2 is None:
            return None
        terms.append(p * (l1 - l2))
    return mp.fsum(terms)


def main():
    rnd = random.Random(20240611)
    cases = []  # (name, P, Q)

    def add(name, P, Q):
        cases.append((name, P, Q))

    W = lambda v, norm=True: Dist("weights", v, 1.0, norm)
    L = lambda v, T=1.0: Dist("logits", v, T, True)

    # Worked examples from the SPEC / brief.
    add("spec_counts", W([0.4, 0.4, 0.2], False), W([0.5, 0.1, 0.4], False))
    add("spec_h099", W([0.99, 0.01], False), W([0.5, 0.5], False))
    add("spec_h4", W([0.9, 0.05, 0.025, 0.025], False), W([0.25] * 4, False))
    add("spec_h4b", W([0.3, 0.2, 0.25, 0.25], False), W([0.1, 0.2, 0.3, 0.4], False))
    add("onehot_ce", W([0, 0, 1, 0], False), W([0.05, 0.1, 0.75, 0.1], False))
    add("counts_int", W([2, 2, 1]), W([5, 1, 4]))

    # Random cases, K = 2 … 1000: raw weights (normalize) and float-normalised ones.
    for K in (2, 3, 5, 10, 30, 100, 300, 1000):
        for rep in range(3):
            p = [rnd.random() for _ in range(K)]
            q = [rnd.random() ** 3 for _ in range(K)]
            add("rand_w_K%d_%d" % (K, rep), W(p), W(q))
            sp, sq = math.fsum(p), math.fsum(q)
            add("rand_n_K%d_%d" % (K, rep), W([x / sp for x in p], False),
                W([x / sq for x in q], False))

    # Near-equal P, Q: q = p(1 + ε u), relative perturbations ε = 1e-3 … 1e-8.
    for eps in (1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8):
        for K in (10, 200):
            p = [rnd.random() + 0.01 for _ in range(K)]
            s = math.fsum(p)
            p = [x / s for x in p]
            q = [x * (1.0 + eps * (2.0 * rnd.random() - 1.0)) for x in p]
            sq = math.fsum(q)
            add("near_%g_K%d" % (eps, K), W(p, False), W([x / sq for x in q], False))
            add("near_%g_K%d_norm" % (eps, K), W(p), W(q))
    # A KL of about 1e-14 (checked below).
    p = [rnd.random() + 0.1 for _ in range(50)]
    q = [x * (1.0 + 2.5e-7 * (2.0 * rnd.random() - 1.0)) for x in p]
    add("kl_1e-14", W(p), W(q))

    # Sums 1 ± 5e-7, not renormalised by the caller.
    for sgn in (1, -1):
        for K in (4, 64):
            p = [rnd.random() for _ in range(K)]
            q = [rnd.random() for _ in range(K)]
            sp, sq = math.fsum(p), math.fsum(q)
            p = [x / sp * (1 + sgn * 5e-7) for x in p]
            q = [x / sq * (1 - sgn * 4e-7) for x in q]
            add("sum1%+de-7_K%d" % (sgn * 5, K), W(p, False), W(q, False))

    # Zeros in P (finite KL), in Q (infinite KL), in both.
    add("zeros_p", W([0.0, 0.5, 0.0, 0.5]), W([0.1, 0.2, 0.3, 0.4]))
    add("zeros_q", W([0.2, 0.3, 0.5, 0.0]), W([0.5, 0.0, 0.5, 0.0]))
    add("zeros_both", W([0.0, 0.3, 0.7, 0.0]), W([0.0, 0.6, 0.3, 0.1]))
    add("disjoint", W([1.0, 0.0]), W([0.0, 1.0]))
    add("identical", W([0.1, 0.2, 0.7], False), W([0.1, 0.2, 0.7], False))
    add("huge_counts", W([1e308, 1e308, 5e307]), W([3e307, 1e308, 1e308]))
    add("tiny_weights", W([1e-310, 3e-310]), W([2e-300, 1e-300]))
    add("dominant", W([1.0, 1e-12, 3e-13]), W([1.0, 2e-12, 1e-13]))

    # Ratios scanned across the series/closed-form cut-offs of the kernels (|R − 1| = 1/8
    # for KL, |t| = 1/4 for JS, |d| = 1/2 and d = 30 for log ratios).
    for j in range(61):
        r = 0.4 + j * 0.035 + 1e-3 * rnd.random()
        add("cut_w_%d" % j, W([r, 1.0, 0.5]), W([1.0, 1.0, 0.5 * r]))
        d = -2.0 + j * (4.0 / 60) + 1e-3 * rnd.random()
        add("cut_l_%d" % j, L([d, 0.0, 0.3]), L([0.0, 0.0, 0.3 - 0.5 * d]))
    for d in (28.0, 29.9, 30.0, 30.1, 35.0, 45.0):
        add("cut_big_%g" % d, L([d, 0.0, 0.0]), L([0.0, d / 2, d]))

    # Large vectors defined by formulas (normalize = true).
    add("big_near_1e5", gen_dist("weights", "w", 11, 100000, 1000, 0, 0),
        gen_dist("weights", "wp", 11, 100000, 1000, 24, 3))
    add("big_rand_1e5", gen_dist("weights", "w", 12, 100000, 1 << 20, 0, 0),
        gen_dist("weights", "w", 13, 100000, 1 << 20, 0, 0))
    add("big_zeros_1e5", gen_dist("weights", "wz", 14, 100000, 5000, 7, 0),
        gen_dist("weights", "w", 15, 100000, 5000, 0, 0))
    add("big_logits_1e5", gen_dist("logits", "l", 16, 100000, 1 << 14, 3, 0),
        gen_dist("logits", "l", 17, 100000, 1 << 14, 3, 0))
    if "--no-1e6" not in sys.argv:
        add("big_near_1e6", gen_dist("weights", "w", 21, 1000000, 1 << 16, 0, 0),
            gen_dist("weights", "wp", 21, 1000000, 1 << 16, 30, 7))

    # Logits: ordinary, ×1e4, +1000, ±1e300, temperatures, near-equal, mixed with weights.
    for K in (2, 7, 100, 1000):
        x = [rnd.gauss(0, 2) for _ in range(K)]
        y = [rnd.gauss(0, 2) for _ in range(K)]
        add("logits_K%d" % K, L(x), L(y))
        add("logits_x1e4_K%d" % K, L([v * 1e4 for v in x]), L([v * 1e4 for v in y]))
        add("logits_p1000_K%d" % K, L([v + 1000 for v in x]), L([v + 1000 for v in y]))
        add("logits_T0.5_K%d" % K, L(x, 0.5), L(y, 0.5))
        add("logits_T3.7_K%d" % K, L(x, 3.7), L(y, 3.7))
        add("logits_near_K%d" % K, L(x), L([v + 1e-6 * rnd.gauss(0, 1) for v in x]))
        ww = [rnd.random() for _ in range(K)]
        add("mixed_wl_K%d" % K, W(ww), L(y))
        add("mixed_lw_K%d" % K, L(x), W(ww))
    add("logits_extreme", L([0.0, 0.0]), L([0.0, -1e300]))
    add("logits_extreme2", L([1e300, -1e300, 0.0]), L([-1e300, 1e300, 0.0]))
    # Logits of opposite signs past ±DBL_MAX/2, where x − y itself overflows (found by
    # fuzz_core: a NaN term, summed to a KL of 0), and a huge shift that hid ln 2.
    add("logits_overflow_n1", L([1.2920919406822896e308]), L([-1.3427871623186926e308]))
    add("logits_overflow_apart", L([1e308, -1.0]), L([-1e308, 1e300]))
    add("logits_huge_shift", L([1e300, 1e300]), L([5e307, 0.0]))
    # Masked logits (attention masks, invalid actions): −1e9 entries.
    add("logits_masked", L([0.3, -1.2, 2.0, 0.7, 0.0]), L([1.1, -1e9, 0.4, -1e9, 0.25]))
    add("logits_onehot", L([0.0, -40.0, -50.0]), L([0.0, -41.0, -49.0]))
    add("logits_shift", L([1.0, 2.0, 3.0]), L([1001.0, 1002.0, 1003.0]))

    # Batches (nats only).
    batches = []
    rows = []
    for r in range(6):
        x = [rnd.gauss(0, 3) * 10 for _ in range(20)]
        y = [rnd.gauss(0, 3) * 10 for _ in range(20)]
        rows.append((L(x, 2.0), L(y, 2.0)))
    batches.append(("batch_logits_T2", rows))
    rows = []
    for r in range(5):
        p = [rnd.random() for _ in range(8)]
        q = [x * (1 + 1e-6 * rnd.random()) for x in p]
        rows.append((W(p), W(q)))
    rows.append((W([1.0, 2.0, 3.0]), W([1.0, 2.0, 3.0])))  # a zero row (identical)
    batches.append(("batch_weights_near", rows))

    lines = ["# reference_discrete.txt — generated by tests/data/gen/gen_reference_discrete.py "
             "(mpmath, %d digits); do not edit" % mp.dps]
    for name, P, Q in cases:
        sys.stderr.write("%s\n" % name)
        qs = quantities(P, Q)
        if name == "kl_1e-14":
            assert mpf("3e-15") < qs["kl"][0] < mpf("3e-14"), qs["kl"][0]
        lines += ["case " + name, P.line(), Q.line()]
        lines += [ref_line(k, qs[k]) for k in ("kl", "entropy", "ce", "js")]
        lines.append("end")
    for name, rows in batches:
        vals = [kl_only(P, Q) for P, Q in rows]
        lines.append("batch %s %d" % (name, len(rows)))
        for P, Q in rows:
            lines += [P.line(), Q.line()]
        lines.append("ref rows " + " ".join(fmt(v) for v in vals))
        lines.append("ref sum " + fmt(mp.fsum(vals)))
        lines.append("ref mean " + fmt(mp.fsum(vals) / len(vals)))
        lines.append("end")
    with open(OUT, "w") as f:
        f.write("\n".join(lines) + "\n")
    sys.stderr.write("wrote %s (%d cases, %d batches)\n" % (OUT, len(cases), len(batches)))


if __name__ == "__main__":
    main()
