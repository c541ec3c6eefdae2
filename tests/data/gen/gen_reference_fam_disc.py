#!/usr/bin/python3
"""gen_reference_fam_disc.py — 50-digit references for the discrete and multivariate
families of SPEC §8 (src/core/fam_disc.c, fam_mvn.c).

Writes tests/data/reference_fam_disc.txt, one case per line:

    case <pair> <kind> <group> P <family> <param>=<value>... [Q <family> <param>=<value>...] = <ref>

<kind> is kl or entropy; <group> says what the case probes (random, near3 … near9 for
relative parameter differences 1e-3 … 1e-9, extreme, degenerate, …). A scalar value is a
C99 hex float; a vector is v<n>:h,h,…; a matrix is m<rows>x<cols>:h,… (row-major). The
reference is a 30-digit decimal in nats or "inf".

Every closed form written here is first checked, on a few parameter sets per pair and
per entropy, against an evaluation that does not use it: exact summation of p·log(p/q)
(discrete families) or, for the Gaussians, mpmath matrix algebra on the explicit
covariances (the textbook ½[tr(Σ2⁻¹Σ1) − d + log det Σ2/det Σ1 + Δμᵀ Σ2⁻¹ Δμ] with
explicit inverses and determinants, for low-rank ones on W Wᵀ + diag(D)) — this catches
a wrong formula. Fixed seeds: the output is reproducible.

Run from the repository root: /usr/bin/python3 tests/data/gen/gen_reference_fam_disc.py
"""
import os
import random
import sys

import mpmath as mp

mp.mp.dps = 60
OUT = os.path.join(os.path.dirname(__file__), "..", "reference_fam_disc.txt")

# ---- exact inputs ------------------------------------------------------------------------


def M(x):
    return mp.mpf(float(x))


def hx(x):
    return float(x).hex()


def sig(a):
    return 1 / (1 + mp.exp(-M(a)))


def trial(d):
    """(P(1), P(0), log P(1), log P(0)) of a two-point law from {'probs': x} or
    {'logits': a}. The logs come from log1p so that a P(0) = 1 − 1e-300, which rounds to 1
    at 60 digits, still has its exact log."""
    if "probs" in d:
        p = M(d["probs"])
        l1 = mp.log(p) if p > 0 else None
        l0 = mp.log1p(-p) if p < 1 else None
        return p, 1 - p, l1, l0
    a = M(d["logits"])
    return sig(a), sig(-a), -mp.log1p(mp.exp(-a)), -mp.log1p(mp.exp(a))


def xlogy(x, y):
    return mp.mpf(0) if x == 0 else x * mp.log(y)


# ---- closed forms (mpmath) -----------------------------------------------------------------


def bern_kl(p, q):
    p1, p0, lp1, lp0 = trial(p)
    q1, q0, lq1, lq0 = trial(q)
    s = mp.mpf(0)
    for a, la, b, lb in ((p1, lp1, q1, lq1), (p0, lp0, q0, lq0)):
        if a == 0:
            continue
        if b == 0:
            return mp.inf
        s += a * (la - lb)
    return s


def bern_h(p):
    p1, p0, l1, l0 = trial(p)
    return -(p1 * l1 if p1 > 0 else 0) - (p0 * l0 if p0 > 0 else 0)


def poisson_kl(p, q):
    a, b = M(p["rate"]), M(q["rate"])
    return a * mp.log(a / b) - a + b


def bern_poisson_kl(p, q):
    lam = M(q["rate"])
    return lam - bern_h(p) - trial(p)[0] * mp.log(lam)


def geom_kl(p, q):
    p1, p0, lp1, lp0 = trial(p)
    q1, q0, lq1, lq0 = trial(q)
    if q0 == 0:
        return mp.mpf(0) if p0 == 0 else mp.inf
    return (lp1 - lq1) + (p0 / p1) * ((lp0 - lq0) if p0 > 0 else 0)


def geom_h(p):
    return bern_h(p) / trial(p)[0]


def binom_kl_same(p, q):
    return M(p["total_count"]) * bern_kl(p, q) if p["total_count"] > 0 else mp.mpf(0)


def cat_probs(d):
    if "probs" in d:
        v = [M(x) for x in d["probs"]]
        s = mp.fsum(v)
        return [x / s for x in v]
    v = [M(x) for x in d["logits"]]
    m = max(v)
    e = [mp.exp(x - m) for x in v]
    s = mp.fsum(e)
    return [x / s for x in e]


def cat_kl(p, q):
    P, Q = cat_probs(p), cat_probs(q)
    s = mp.mpf(0)
    for a, b in zip(P, Q):
        if a == 0:
            continue
        if b == 0:
            return mp.inf
        s += a * mp.log(a / b)
    return s


def cat_h(p):
    return -mp.fsum(xlogy(a, a) for a in cat_probs(p))


# ---- pmfs and sums (the exact summation used for binomial/poisson entropies and KL with
# different total_count, and as the independent check of every discrete closed form) ----


def binom_logpmf(n, lp1, lp0):
    """Function k -> log P(k) for Binomial(n, ·) with trial logs lp1, lp0 (None = −inf)."""
    lgn = mp.loggamma(n + 1)

    def f(k):
        if (k > 0 and lp1 is None) or (k < n and lp0 is None):
            return None
        s = lgn - mp.loggamma(k + 1) - mp.loggamma(n - k + 1)
        if k > 0:
            s += k * lp1
        if k < n:
            s += (n - k) * lp0
        return s

    return f


def window(mu, sd, top):
    w = 40 * sd + 60
    lo = max(0, int(mp.floor(mu - w)))
    hi = int(mp.ceil(mu + w))
    if top is not None:
        hi = min(top, hi)
    return lo, hi


def binom_support(d):
    n = int(d["total_count"])
    p1, p0, l1, l0 = trial(d)
    return n, p1, p0, l1, l0


def binom_h(p):
    """Exact summation over mean ± (40σ + 60), by the ratio recurrence of the pmf."""
    n, p1, p0, l1, l0 = binom_support(p)
    if n == 0 or p1 == 0 or p0 == 0:
        return mp.mpf(0)
    lo, hi = window(n * p1, mp.sqrt(n * p1 * p0), n)
    lp = binom_logpmf(n, l1, l0)(lo)
    s = mp.mpf(0)
    for k in range(lo, hi + 1):
        s -= mp.exp(lp) * lp
        if k < n:
            lp += mp.log(n - k) - mp.log(k + 1) + l1 - l0
    return s


def binom_h_asym(p):
    """½ log(2πe npq) − (1 − 4pq)/(12 npq) − (1 − 4pq + 2(pq)²)/(24 (npq)²): the two
    coefficients were fitted to exact sums and are checked against them below
    (check_binom_asym); the omitted term is O((npq)^-3) < 1e-18 for npq ≥ 1e6."""
    n, p1, p0, l1, l0 = binom_support(p)
    pq = p1 * p0
    v = n * pq
    return (mp.log(2 * mp.pi * mp.e * v) / 2 - (1 - 4 * pq) / (12 * v) -
            (1 - 4 * pq + 2 * pq**2) / (24 * v**2))


def binom_kl_sum(p, q):
    """Σ P(k) log(P(k)/Q(k)) over P's window (exact summation, any total_counts)."""
    n1, p1, p0, lp1, lp0 = binom_support(p)
    n2, q1, q0, lq1, lq0 = binom_support(q)
    fp, fq = binom_logpmf(n1, lp1, lp0), binom_logpmf(n2, lq1, lq0)
    lo, hi = window(n1 * p1, mp.sqrt(n1 * p1 * p0), n1)
    s = mp.mpf(0)
    for k in range(lo, hi + 1):
        lp = fp(k)
        if lp is None:
            continue
        if k > n2:
            return mp.inf
        lq = fq(k)
        if lq is None:
            return mp.inf
        s += mp.exp(lp) * (lp - lq)
    return s


def poisson_terms(lam):
    lam = M(lam)
    lo, hi = window(lam, mp.sqrt(lam), None)
    ll = mp.log(lam)
    lp = lo * ll - lam - mp.loggamma(lo + 1)
    for k in range(lo, hi + 1):
        yield k, lp
        lp += ll - mp.log(k + 1)


def poisson_h_sum(p):
    return -mp.fsum(mp.exp(lp) * lp for _, lp in poisson_terms(p["rate"]))


def poisson_h_asym(p):
    lam = M(p["rate"])
    # ½ log(2πeλ) − 1/(12λ) − 1/(24λ²) − 19/(360λ³) − 9/(80λ⁴): the last coefficient was
    # fitted to exact sums (check_poisson_asym); at λ ≥ 1e6 the next term is < 1e-30.
    return (mp.log(2 * mp.pi * mp.e * lam) / 2 - 1 / (12 * lam) - 1 / (24 * lam**2) -
            mp.mpf(19) / (360 * lam**3) - mp.mpf(9) / (80 * lam**4))


def poisson_h(p):
    return poisson_h_sum(p) if p["rate"] < 2e6 else poisson_h_asym(p)


def poisson_kl_sum(p, q):
    lq = M(q["rate"])
    s = mp.mpf(0)
    for k, lp in poisson_terms(p["rate"]):
        logq = k * mp.log(lq) - lq - mp.loggamma(k + 1)
        s += mp.exp(lp) * (lp - logq)
    return s


def bern_poisson_sum(p, q):
    p1, p0, l1, l0 = trial(p)
    lam = M(q["rate"])
    s = mp.mpf(0)
    if p0 > 0:  # P(0) log(P(0)/e^-λ)
        s += p0 * (l0 + lam)
    if p1 > 0:  # P(1) log(P(1)/(λ e^-λ))
        s += p1 * (l1 - mp.log(lam) + lam)
    return s


def geom_kl_sum(p, q):
    p1, p0, lp1, lp0 = trial(p)
    q1, q0, lq1, lq0 = trial(q)
    s = mp.mpf(0)
    k = 0
    while True:
        lp = lp1 + k * lp0
        lq = lq1 + k * lq0
        t = mp.exp(lp) * (lp - lq)
        s += t
        if k > 50 and abs(t) < mp.mpf(10) ** -40 * abs(s):
            return s
        k += 1


def geom_h_sum(p):
    p1, p0, lp1, lp0 = trial(p)
    s = mp.mpf(0)
    k = 0
    while True:
        lp = lp1 + k * lp0
        t = -mp.exp(lp) * lp
        s += t
        if k > 50 and abs(t) < mp.mpf(10) ** -40 * abs(s):
            return s
        k += 1


# ---- output -------------------------------------------------------------------------------


def fmt_val(v):
    if isinstance(v, list):
        if v and isinstance(v[0], list):
            if not v[0]:
                return "m%dx0:" % len(v)
            return "m%dx%d:%s" % (len(v), len(v[0]), ",".join(hx(x) for row in v for x in row))
        return "v%d:%s" % (len(v), ",".join(hx(x) for x in v))
    return hx(v)


def fmt_dist(fam, d):
    return fam + "".join(" %s=%s" % (k, fmt_val(v)) for k, v in d.items())


def fmt_ref(x):
    if x == mp.inf:
        return "inf"
    return mp.nstr(x, 30, min_fixed=1, max_fixed=0)


LINES = []


def emit(pair, kind, group, pf, p, ref, qf=None, q=None):
    s = "case %s %s %s P %s" % (pair, kind, group, fmt_dist(pf, p))
    if qf:
        s += " Q %s" % fmt_dist(qf, q)
    s += " = %s" % fmt_ref(ref)
    LINES.append(s)


def agree(a, b, what, tol=mp.mpf(10) ** -20):
    if a == mp.inf or b == mp.inf:
        ok = a == b
    else:
        ok = abs(a - b) <= tol * max(abs(a), abs(b), mp.mpf(10) ** -300)
    if not ok:
        sys.exit("closed form disagrees with the independent check for %s: %s vs %s" %
                 (what, mp.nstr(a, 25), mp.nstr(b, 25)))


# ---- parameter generators -------------------------------------------------------------------

R = random.Random(20261201)


def loguni(lo, hi):
    return 10 ** R.uniform(lo, hi)


def rand_trial(kind=None):
    kind = kind or R.choice(["probs", "logits"])
    if kind == "probs":
        c = R.random()
        if c < 0.2:
            return {"probs": loguni(-300, -1)}
        if c < 0.4:
            return {"probs": 1.0 - loguni(-16, -1)}
        return {"probs": R.random()}
    c = R.random()
    if c < 0.2:
        return {"logits": R.uniform(-700, 700)}
    return {"logits": R.uniform(-30, 30)}


def cross_near(d, rel):
    """The other parametrisation of a nearby two-point law: probs for logits (σ(a)·(1 ± rel),
    or 1 − σ(−a)·(1 ± rel) above ½) and logits for probs (logit(p) + rel·(±1))."""
    if "logits" in d:
        p1, p0 = trial(d)[:2]
        if p1 <= 0.5:
            return {"probs": float(p1 * (1 + rel * R.choice([-1, 1])))}
        return {"probs": float(1 - p0 * (1 + rel * R.choice([-1, 1])))}
    p = M(d["probs"])
    return {"logits": float(mp.log(p / (1 - p)) + rel * R.choice([-1, 1]))}


def nudge(x, rel):
    """x·(1 + rel·(±1)) as a double."""
    return float(M(x) * (1 + rel * R.choice([-1, 1])))


def near_trial(d, rel):
    if "probs" in d:
        p = d["probs"]
        # perturb the smaller of p and 1 − p so that both stay representable
        if p <= 0.5:
            return {"probs": nudge(p, rel)}
        return {"probs": 1.0 - nudge(1.0 - p, rel)}
    return {"logits": nudge(d["logits"], rel)}


# ---- the cases ------------------------------------------------------------------------------


def scalar_cases():
    NEAR = [3, 5, 7, 9]
    # bernoulli
    # (bernoulli's closed form is the sum over its two outcomes: nothing else to check)
    for _ in range(60):
        p, q = rand_trial(), rand_trial()
        emit("bernoulli-bernoulli", "kl", "random", "bernoulli", p, bern_kl(p, q), "bernoulli", q)
    for e in NEAR:
        for _ in range(12):
            p = rand_trial()
            if "logits" in p and abs(p["logits"]) > 40:
                p = {"logits": R.uniform(-30, 30)}
            q = near_trial(p, mp.mpf(10) ** -e)
            emit("bernoulli-bernoulli", "kl", "near%d" % e, "bernoulli", p, bern_kl(p, q),
                 "bernoulli", q)
    for e in NEAR:  # nearly equal across parametrisations
        for _ in range(8):
            p = rand_trial()
            if "logits" in p:
                p["logits"] = R.uniform(-30, 30)
            elif not 1e-200 < p["probs"] < 1 - 1e-15:
                p["probs"] = R.random()
            q = cross_near(p, mp.mpf(10) ** -e)
            if R.random() < 0.5:
                p, q = q, p
            emit("bernoulli-bernoulli", "kl", "near%d-mixed" % e, "bernoulli", p, bern_kl(p, q),
                 "bernoulli", q)
            n = float(R.choice([3, 1000, 1e9]))
            emit("binomial-binomial", "kl", "near%d-mixed" % e, "binomial",
                 dict(total_count=n, **p), binom_kl_same(dict(total_count=n, **p), dict(total_count=n, **q)),
                 "binomial", dict(total_count=n, **q))
            if "probs" not in p or p["probs"] > 0:
                emit("geometric-geometric", "kl", "near%d-mixed" % e, "geometric", p, geom_kl(p, q),
                     "geometric", q)
    for p, q in [({"probs": 0.0}, {"probs": 0.3}), ({"probs": 1.0}, {"probs": 0.3}),
                 ({"probs": 0.0}, {"probs": 0.0}), ({"probs": 1.0}, {"logits": -5.0}),
                 ({"probs": 0.3}, {"probs": 0.0}), ({"probs": 0.3}, {"probs": 1.0}),
                 ({"logits": 800.0}, {"logits": -800.0}), ({"logits": 1e300}, {"logits": -1e300}),
                 ({"probs": 5e-324}, {"probs": 0.5})]:
        emit("bernoulli-bernoulli", "kl", "degenerate", "bernoulli", p, bern_kl(p, q),
             "bernoulli", q)
    for _ in range(30):
        p = rand_trial()
        emit("bernoulli", "entropy", "random", "bernoulli", p, bern_h(p))
    for p in [{"probs": 0.0}, {"probs": 1.0}, {"probs": 1e-300}, {"logits": 700.0},
              {"logits": -700.0}, {"logits": 1e-10}]:
        emit("bernoulli", "entropy", "extreme", "bernoulli", p, bern_h(p))

    # bernoulli ‖ poisson
    for _ in range(4):
        p, q = rand_trial(), {"rate": loguni(-3, 2)}
        agree(bern_poisson_kl(p, q), bern_poisson_sum(p, q), "bernoulli-poisson")
    for _ in range(40):
        p, q = rand_trial(), {"rate": loguni(-100, 100)}
        emit("bernoulli-poisson", "kl", "random", "bernoulli", p, bern_poisson_kl(p, q), "poisson", q)
    for e in NEAR:
        for _ in range(8):
            pr = loguni(-12, -1)
            p = R.choice([{"probs": pr}, {"logits": float(mp.log(pr / (1 - pr)))}])
            q = {"rate": nudge(float(trial(p)[0]), mp.mpf(10) ** -e)}
            emit("bernoulli-poisson", "kl", "near%d" % e, "bernoulli", p, bern_poisson_kl(p, q),
                 "poisson", q)
    for p in [{"probs": 0.0}, {"probs": 1.0}]:
        q = {"rate": 2.5}
        emit("bernoulli-poisson", "kl", "degenerate", "bernoulli", p, bern_poisson_kl(p, q), "poisson", q)

    # poisson
    for _ in range(4):
        p, q = {"rate": loguni(-1, 2)}, {"rate": loguni(-1, 2)}
        agree(poisson_kl(p, q), poisson_kl_sum(p, q), "poisson-poisson")
    for _ in range(40):
        p, q = {"rate": loguni(-100, 100)}, {"rate": loguni(-100, 100)}
        emit("poisson-poisson", "kl", "random", "poisson", p, poisson_kl(p, q), "poisson", q)
    for e in NEAR:
        for _ in range(8):
            p = {"rate": loguni(-100, 100)}
            q = {"rate": nudge(p["rate"], mp.mpf(10) ** -e)}
            emit("poisson-poisson", "kl", "near%d" % e, "poisson", p, poisson_kl(p, q), "poisson", q)
    for lam in [1e3, 1e4]:
        a = poisson_h_sum({"rate": lam})
        b = poisson_h_asym({"rate": lam})
        # the fitted λ^-4 term leaves ~0.35/λ^5 (3.5e-21 at 1e4 relative to H ≈ 5.5)
        agree(a, b, "poisson asymptotic entropy at %g" % lam, mp.mpf(10) ** (-13 if lam < 5e3 else -19))
    for _ in range(25):
        p = {"rate": loguni(-100, 4)}
        emit("poisson", "entropy", "sum", "poisson", p, poisson_h(p))
    for lam in [0.5, 1.0, 7.0, 99999.0, 1e5, 123456.7, 1e6]:
        p = {"rate": lam}
        emit("poisson", "entropy", "sum", "poisson", p, poisson_h_sum(p))
    for _ in range(12):
        p = {"rate": loguni(6.5, 100)}
        emit("poisson", "entropy", "asymptotic", "poisson", p, poisson_h_asym(p))

    # geometric
    def rand_geom():
        if R.random() < 0.5:
            return {"probs": loguni(-8, 0) if R.random() < 0.7 else 1.0 - loguni(-16, -1)}
        return {"logits": R.uniform(-30, 30)}

    for _ in range(4):
        p = {"probs": R.uniform(0.05, 0.9)}
        q = {"logits": R.uniform(-2, 2)}
        agree(geom_kl(p, q), geom_kl_sum(p, q), "geometric-geometric")
        agree(geom_h(p), geom_h_sum(p), "geometric entropy")
    for _ in range(50):
        p, q = rand_geom(), rand_geom()
        emit("geometric-geometric", "kl", "random", "geometric", p, geom_kl(p, q), "geometric", q)
    for e in NEAR:
        for _ in range(10):
            p = rand_geom()
            q = near_trial(p, mp.mpf(10) ** -e)
            emit("geometric-geometric", "kl", "near%d" % e, "geometric", p, geom_kl(p, q),
                 "geometric", q)
    for p, q in [({"probs": 1.0}, {"probs": 0.25}), ({"probs": 0.25}, {"probs": 1.0}),
                 ({"probs": 1.0}, {"probs": 1.0}), ({"logits": -700.0}, {"logits": -699.0}),
                 ({"probs": 1e-300}, {"probs": 2e-300})]:
        emit("geometric-geometric", "kl", "degenerate", "geometric", p, geom_kl(p, q), "geometric", q)
    for _ in range(30):
        p = rand_geom()
        emit("geometric", "entropy", "random", "geometric", p, geom_h(p))
    for p in [{"probs": 1.0}, {"probs": 1e-300}, {"logits": -700.0}, {"logits": 700.0}]:
        emit("geometric", "entropy", "extreme", "geometric", p, geom_h(p))

    # binomial
    for _ in range(3):
        n = R.randint(1, 60)
        p = dict(total_count=float(n), **rand_trial("probs"))
        q = dict(total_count=float(n), **rand_trial("logits"))
        q["logits"] = R.uniform(-3, 3)
        p["probs"] = R.uniform(0.1, 0.9)
        agree(binom_kl_same(p, q), binom_kl_sum(p, q), "binomial-binomial")
    for _ in range(40):
        n = float(R.choice([0, 1, 2, 7, 50, 1000, 123456, 1e9, 1e15]))
        p = dict(total_count=n, **rand_trial())
        q = dict(total_count=n, **rand_trial())
        emit("binomial-binomial", "kl", "random", "binomial", p, binom_kl_same(p, q), "binomial", q)
    for e in NEAR:
        for _ in range(8):
            n = float(R.choice([1, 10, 1000, 1e6]))
            t = rand_trial()
            if "logits" in t and abs(t["logits"]) > 40:
                t = {"logits": R.uniform(-30, 30)}
            p = dict(total_count=n, **t)
            q = dict(total_count=n, **near_trial(t, mp.mpf(10) ** -e))
            emit("binomial-binomial", "kl", "near%d" % e, "binomial", p, binom_kl_same(p, q),
                 "binomial", q)
    for _ in range(14):
        n1 = R.randint(1, 300)
        n2 = n1 + R.randint(1, 300)
        p = {"total_count": float(n1), "probs": R.uniform(0.02, 0.98)}
        q = {"total_count": float(n2), "logits": R.uniform(-4, 4)}
        if R.random() < 0.5:
            p, q = dict(total_count=p["total_count"], logits=R.uniform(-4, 4)), dict(
                total_count=q["total_count"], probs=R.uniform(0.02, 0.98))
        emit("binomial-binomial", "kl", "diffn", "binomial", p, binom_kl_sum(p, q), "binomial", q)
    for p, q in [({"total_count": 5.0, "probs": 0.3}, {"total_count": 4.0, "probs": 0.3}),
                 ({"total_count": 5.0, "probs": 0.0}, {"total_count": 4.0, "probs": 0.3}),
                 ({"total_count": 5.0, "probs": 1.0}, {"total_count": 8.0, "probs": 0.3}),
                 ({"total_count": 5.0, "probs": 0.3}, {"total_count": 8.0, "probs": 1.0}),
                 ({"total_count": 0.0, "probs": 0.3}, {"total_count": 8.0, "probs": 0.7}),
                 ({"total_count": 3.0, "probs": 1.0}, {"total_count": 3.0, "probs": 1.0}),
                 ({"total_count": 3.0, "probs": 0.5}, {"total_count": 3.0, "probs": 1.0})]:
        ref = binom_kl_sum(p, q)
        emit("binomial-binomial", "kl", "degenerate", "binomial", p, ref, "binomial", q)
    for _ in range(25):
        n = float(R.choice([1, 2, 5, 30, 200, 5000, 100000]))
        t = rand_trial()
        if "logits" in t:
            t["logits"] = R.uniform(-12, 12)
        elif n > 1000:
            t["probs"] = R.uniform(0.001, 0.999)
        p = dict(total_count=n, **t)
        emit("binomial", "entropy", "random", "binomial", p, binom_h(p))
    for p in [{"total_count": 0.0, "probs": 0.4}, {"total_count": 9.0, "probs": 1.0},
              {"total_count": 1e6, "probs": 1e-9}, {"total_count": 1e6, "probs": 0.5}]:
        emit("binomial", "entropy", "extreme", "binomial", p, binom_h(p))
    # the asymptotic regime (n·p·(1−p) ≥ 1e6 in fam_disc.c): exact sums just above and
    # below the switch, and the series (checked against those sums) far above it
    for p in [{"total_count": 4.2e6, "probs": 0.5}, {"total_count": 3.9e6, "probs": 0.5},
              {"total_count": 1.2e7, "logits": -2.0}]:
        a = binom_h(p)
        if p["total_count"] * float(trial(p)[0] * trial(p)[1]) >= 1e6:
            agree(a, binom_h_asym(p), "binomial asymptotic entropy", mp.mpf(10) ** -17)
        emit("binomial", "entropy", "switch", "binomial", p, a)
    for _ in range(10):
        t = rand_trial()
        if "logits" in t:
            t["logits"] = R.uniform(-12, 12)
        else:
            t["probs"] = R.uniform(0.001, 0.999)
        n = float(int(loguni(7, 15)))
        p = dict(total_count=n, **t)
        pq = trial(p)[0] * trial(p)[1]
        if n * pq < 1e7:
            continue
        emit("binomial", "entropy", "asymptotic", "binomial", p, binom_h_asym(p))

    # categorical
    def rand_cat(k):
        if R.random() < 0.5:
            w = [R.random() if R.random() > 0.2 else 0.0 for _ in range(k)]
            if not any(w):
                w[0] = 1.0
            s = sum(w)
            return {"probs": [x / s for x in w]}
        return {"logits": [R.uniform(-20, 20) for _ in range(k)]}

    for _ in range(40):
        k = R.randint(1, 20)
        p, q = rand_cat(k), rand_cat(k)
        emit("categorical-categorical", "kl", "random", "categorical", p, cat_kl(p, q), "categorical", q)
    for e in NEAR:
        for _ in range(6):
            k = R.randint(2, 12)
            p = rand_cat(k)
            key = next(iter(p))
            q = {key: [nudge(x, mp.mpf(10) ** -e) for x in p[key]]}
            if key == "probs":  # back to a sum of 1 within rounding (SPEC §2)
                s = sum(q["probs"])
                q["probs"] = [x / s for x in q["probs"]]
            emit("categorical-categorical", "kl", "near%d" % e, "categorical", p, cat_kl(p, q),
                 "categorical", q)
    for _ in range(20):
        p = rand_cat(R.randint(1, 20))
        emit("categorical", "entropy", "random", "categorical", p, cat_h(p))


# ---- multivariate normals -------------------------------------------------------------------

import numpy as np

NR = np.random.default_rng(20261202)


def mpmat(a):
    return mp.matrix([[M(x) for x in row] for row in a])


def sigma_of(fam, d):
    """The exact covariance (60 digits) of a multivariate_normal / lowrank row."""
    if fam == "lowrank_multivariate_normal":
        W = mpmat(d["cov_factor"]) if d["cov_factor"] and d["cov_factor"][0] else None
        D = [M(x) for x in d["cov_diag"]]
        n = len(D)
        S = mp.diag(D)
        if W is not None:
            S = S + W * W.T
        return S
    if "covariance_matrix" in d:
        A = mpmat(d["covariance_matrix"])
        n = A.rows
        # the lower triangle is what the code reads (the upper one agrees within 1e-12)
        return mp.matrix([[A[max(i, j), min(i, j)] for j in range(n)] for i in range(n)])
    if "scale_tril" in d:
        L = mpmat(d["scale_tril"])
        return L * L.T
    A = mpmat(d["precision_matrix"])
    n = A.rows
    A = mp.matrix([[A[max(i, j), min(i, j)] for j in range(n)] for i in range(n)])
    return mp.inverse(A)


def mvn_kl(pf, p, qf, q):
    S1, S2 = sigma_of(pf, p), sigma_of(qf, q)
    n = S1.rows
    dm = mp.matrix([M(b) - M(a) for a, b in zip(p["loc"], q["loc"])])
    S2i = mp.inverse(S2)
    tr = sum((S2i * S1)[i, i] for i in range(n))
    maha = (dm.T * S2i * dm)[0, 0]
    return (tr - n + mp.log(mp.det(S2) / mp.det(S1)) + maha) / 2


def mvn_h(pf, p):
    S = sigma_of(pf, p)
    n = S.rows
    return (n * (1 + mp.log(2 * mp.pi)) + mp.log(mp.det(S))) / 2


def mvn_kl_eig(pf, p, qf, q):
    """Independent of the trace/determinant form: eigenvalues of L2⁻¹ Σ1 L2⁻ᵀ."""
    S1, S2 = sigma_of(pf, p), sigma_of(qf, q)
    L2 = mp.cholesky(S2)
    L2i = mp.inverse(L2)
    B = L2i * S1 * L2i.T
    B = (B + B.T) / 2
    ev = mp.eigsy(B, eigvals_only=True)
    dm = mp.matrix([M(b) - M(a) for a, b in zip(p["loc"], q["loc"])])
    z = L2i * dm
    return (mp.fsum(x - 1 - mp.log(x) for x in ev) + mp.fsum(t * t for t in z)) / 2


def mvn_kl_quad1(pf, p, qf, q):
    """d = 1: numerical integration of p·log(p/q)."""
    s1, s2 = sigma_of(pf, p)[0, 0], sigma_of(qf, q)[0, 0]
    m1, m2 = M(p["loc"][0]), M(q["loc"][0])

    def lpdf(x, m, s):
        return -(x - m) ** 2 / (2 * s) - mp.log(2 * mp.pi * s) / 2

    f = lambda x: mp.exp(lpdf(x, m1, s1)) * (lpdf(x, m1, s1) - lpdf(x, m2, s2))
    sd = mp.sqrt(s1)
    return mp.quad(f, [m1 - 40 * sd, m1 - 5 * sd, m1, m1 + 5 * sd, m1 + 40 * sd])


def rand_spd(n, cond=1e3, scale=1.0):
    Qm, _ = np.linalg.qr(NR.standard_normal((n, n)))
    lam = np.exp(NR.uniform(0, np.log(cond), n)) if n > 1 else np.array([1.0])
    if n > 1:
        lam[0], lam[-1] = 1.0, cond ** NR.uniform(0.5, 1)
    S = (Qm * lam) @ Qm.T * scale
    S = np.tril(S) + np.tril(S, -1).T  # exactly symmetric
    return S


def as_list(a):
    return [[float(x) for x in row] for row in a]


def mvn_row(kind, S, loc):
    if kind == "covariance_matrix":
        return {"loc": list(loc), "covariance_matrix": as_list(S)}
    if kind == "scale_tril":
        L = np.linalg.cholesky(S)
        return {"loc": list(loc), "scale_tril": as_list(np.tril(L))}
    P = np.linalg.inv(S)
    P = np.tril(P) + np.tril(P, -1).T
    return {"loc": list(loc), "precision_matrix": as_list(P)}


def lowrank_row(n, r, scale=1.0, loc=None):
    W = NR.standard_normal((n, r)) * np.sqrt(scale) if r else np.zeros((n, 0))
    D = NR.uniform(0.5, 2.0, n) * scale
    loc = list(NR.standard_normal(n) * np.sqrt(scale)) if loc is None else loc
    return {"loc": [float(x) for x in loc], "cov_factor": as_list(W) if r else [[] for _ in range(n)],
            "cov_diag": [float(x) for x in D]}


def perturb_matrix(a, rel, sym):
    a = np.array(a, dtype=float)
    n = a.shape[0]
    f = 1 + rel * NR.choice([-1.0, 1.0], size=a.shape)
    b = a * f
    if sym:
        b = np.tril(b) + np.tril(b, -1).T
    return b


def perturb(fam, d, rel):
    """A nearby row: every entry × (1 ± rel) (symmetry kept), loc + rel·(±1)."""
    out = {"loc": [float(x + rel * NR.choice([-1, 1])) for x in d["loc"]]}
    for k, v in d.items():
        if k == "loc":
            continue
        if k in ("covariance_matrix", "precision_matrix"):
            out[k] = as_list(perturb_matrix(v, rel, True))
        elif k == "scale_tril":
            out[k] = as_list(np.tril(perturb_matrix(v, rel, False)))
        elif k == "cov_factor":
            out[k] = as_list(perturb_matrix(v, rel, False)) if v and v[0] else v
        else:
            out[k] = [float(x * (1 + rel * NR.choice([-1, 1]))) for x in v]
    return out


def fix_lowrank(d):
    """Empty cov_factor rows print as m<d>x0."""
    return d


MVN = "multivariate_normal"
LR = "lowrank_multivariate_normal"
KINDS = ["covariance_matrix", "scale_tril", "precision_matrix"]


def rand_row(fam, n, scale=1.0, r=None):
    if fam == MVN:
        return mvn_row(R.choice(KINDS), rand_spd(n, scale=scale), NR.standard_normal(n) * np.sqrt(scale))
    return lowrank_row(n, R.randint(0, min(n, 3)) if r is None else r, scale)


def mvn_cases():
    pairs = [(MVN, MVN), (MVN, LR), (LR, MVN), (LR, LR)]
    # independent checks first
    for pf, qf in pairs:
        for n in (1, 2, 4):
            p, q = rand_row(pf, n), rand_row(qf, n)
            a = mvn_kl(pf, p, qf, q)
            agree(a, mvn_kl_eig(pf, p, qf, q), "%s-%s (eigenvalues)" % (pf, qf))
            if n == 1:
                agree(a, mvn_kl_quad1(pf, p, qf, q), "%s-%s (quadrature)" % (pf, qf),
                      mp.mpf(10) ** -18)
    for fam in (MVN, LR):
        for n in (1, 3):
            p = rand_row(fam, n)
            S = sigma_of(fam, p)
            ev = mp.eigsy(S, eigvals_only=True)
            agree(mvn_h(fam, p), mp.fsum(mp.log(2 * mp.pi * mp.e * x) for x in ev) / 2,
                  "%s entropy (eigenvalues)" % fam)
    for pf, qf in pairs:
        name = "%s-%s" % (pf, qf)
        for _ in range(30):
            n = R.choice([1, 2, 3, 5, 8])
            p, q = rand_row(pf, n), rand_row(qf, n)
            emit(name, "kl", "random", pf, p, mvn_kl(pf, p, qf, q), qf, q)
        for e in (3, 5, 7, 9):
            for _ in range(8):
                n = R.choice([1, 2, 3, 5])
                p = rand_row(pf, n)
                if pf == qf:
                    q = perturb(pf, p, 10.0 ** -e)
                    grp = "near%d" % e
                else:
                    # the other family's row for a nearby covariance
                    S = np.array([[float(x) for x in row] for row in sigma_of(pf, p).tolist()])
                    S = np.tril(perturb_matrix(S, 10.0 ** -e, True))
                    S = S + np.tril(S, -1).T
                    loc = [float(x + 10.0 ** -e) for x in p["loc"]]
                    if qf == MVN:
                        q = mvn_row(R.choice(KINDS), S, loc)
                    else:
                        continue
                    grp = "near%d" % e
                emit(name, "kl", grp, pf, p, mvn_kl(pf, p, qf, q), qf, q)
        for sc in (1e-100, 1e100):
            for _ in range(3):
                n = R.choice([2, 3])
                p, q = rand_row(pf, n, sc), rand_row(qf, n, sc)
                emit(name, "kl", "extreme", pf, p, mvn_kl(pf, p, qf, q), qf, q)
    # same-kind near cases for every multivariate_normal parametrisation
    for kind in KINDS:
        for e in (3, 5, 7, 9):
            for _ in range(5):
                n = R.choice([2, 3, 5])
                p = mvn_row(kind, rand_spd(n), NR.standard_normal(n))
                q = perturb(MVN, p, 10.0 ** -e)
                emit("%s-%s" % (MVN, MVN), "kl", "near%d-%s" % (e, kind), MVN, p,
                     mvn_kl(MVN, p, MVN, q), MVN, q)
    # mixed parametrisations, nearly equal: q's matrix from p's Σ perturbed
    for kp in KINDS:
        for kq in KINDS:
            if kp == kq:
                continue
            for e in (3, 6, 9):
                for _ in range(3):
                    n = R.choice([2, 3, 5])
                    S = rand_spd(n)
                    loc = NR.standard_normal(n)
                    p = mvn_row(kp, S, loc)
                    q = mvn_row(kq, perturb_matrix(S, 10.0 ** -e, True),
                                [float(x + 10.0 ** -e) for x in loc])
                    emit("%s-%s" % (MVN, MVN), "kl", "near%d-%s-%s" % (e, kp, kq), MVN, p,
                         mvn_kl(MVN, p, MVN, q), MVN, q)
    # multivariate_normal ‖ lowrank, nearly equal: p's matrix from q's W Wᵀ + D perturbed
    for e in (3, 5, 7, 9):
        for _ in range(6):
            n = R.choice([1, 2, 3, 5])
            q = lowrank_row(n, R.randint(0, min(n, 3)))
            S = np.array([[float(x) for x in row] for row in sigma_of(LR, q).tolist()])
            p = mvn_row(R.choice(KINDS), perturb_matrix(S, 10.0 ** -e, True),
                        [float(x + 10.0 ** -e) for x in q["loc"]])
            emit("%s-%s" % (MVN, LR), "kl", "near%d" % e, MVN, p, mvn_kl(MVN, p, LR, q), LR, q)
    # low-rank pairs of different rank, nearly equal (an extra column of size ~rel)
    for e in (3, 6, 9):
        for _ in range(4):
            n = R.choice([2, 3, 5])
            p = lowrank_row(n, R.randint(1, 2))
            q = perturb(LR, p, 10.0 ** -e)
            q["cov_factor"] = [row + [float(10.0 ** -e * NR.standard_normal())] for row in q["cov_factor"]]
            if R.random() < 0.5:
                p, q = q, p
            emit("%s-%s" % (LR, LR), "kl", "near%d-rank" % e, LR, p, mvn_kl(LR, p, LR, q), LR, q)
    for fam in (MVN, LR):
        for _ in range(20):
            n = R.choice([1, 2, 3, 5, 8])
            p = rand_row(fam, n)
            emit(fam, "entropy", "random", fam, p, mvn_h(fam, p))
        for sc in (1e-100, 1e100):
            p = rand_row(fam, 3, sc)
            emit(fam, "entropy", "extreme", fam, p, mvn_h(fam, p))


def main():
    scalar_cases()
    if "mvn_cases" in globals():
        globals()["mvn_cases"]()
    with open(OUT, "w") as f:
        f.write("# generated by tests/data/gen/gen_reference_fam_disc.py (mpmath, %d digits)\n" %
                mp.mp.dps)
        for s in LINES:
            f.write(s + "\n")
    print("wrote %d cases to %s" % (len(LINES), OUT))


if __name__ == "__main__":
    main()
