#!/usr/bin/python3
"""gen_reference_families.py — 50-digit references for the continuous families (SPEC §8).

Writes tests/data/reference_families.txt: one line per case,

    case <tag> kl <pfam> <n> <v...> <qfam> <n> <v...> <ref>
    case <tag> entropy <fam> <n> <v...> <ref>

where <v> are the parameters in the family's table order as C99 hex floats ("nan" = an
absent alternative; a dirichlet's n values are its concentration vector) and <ref> is the
exact value on those doubles, 30 significant digits, or "inf". Tags: "wide" (random
parameters over wide ranges), "near" (q = p with relative differences 1e-3 … 1e-9),
"extreme" (concentration 1e-3 / 1e6, scale 1e-100, rate 1e100, …).

Before writing anything, every closed form written here (textbook forms, evaluated at
60 digits) is checked against numerical integration of p·log(p/q) (and −p·log p) at
25 digits on a few moderate parameter sets; a disagreement beyond 1e-12 aborts. That
catches a wrong formula (PyTorch once shipped a wrong Gumbel–Normal term).
Fixed seed: the output is reproducible. Run from the repository root.
"""
import math
import random
import sys

import mpmath as mp

mp.mp.dps = 60
NAN = float("nan")
E = mp.euler

# ---- distributions: (family, [params]) with params as Python floats ----------------------


def f(x):
    return mp.mpf(x)


def gamma_of(d):
    fam, s = d
    if fam == "exponential":
        return f(1), f(s[0])
    if fam == "chi2":
        return f(s[0]) / 2, f(0.5)
    return f(s[0]), f(s[1])


def cb_eta(s):
    if not math.isnan(s[1]):
        return f(s[1])
    l = f(s[0])
    return mp.log(l / (1 - l))


def cb_A(eta):  # log ∫0^1 e^{ηx} dx
    if eta == 0:
        return mp.mpf(0)
    return mp.log(mp.expm1(eta) / eta)


def cb_mean(eta):
    if eta == 0:
        return mp.mpf(0.5)
    return 1 / (-mp.expm1(-eta)) - 1 / eta


def cb_var(eta):
    if eta == 0:
        return mp.mpf(1) / 12
    return 1 / eta**2 - mp.exp(eta) / mp.expm1(eta) ** 2


def lnB(*a):
    return sum(mp.loggamma(x) for x in a) - mp.loggamma(sum(a))


def I0(x):
    return mp.besseli(0, x)


def A_vm(k):
    return mp.besseli(1, k) / mp.besseli(0, k) if k != 0 else mp.mpf(0)


def entropy(d):
    fam, s = d
    if fam == "normal":
        return mp.log(2 * mp.pi * mp.e * f(s[1]) ** 2) / 2
    if fam == "laplace":
        return 1 + mp.log(2 * f(s[1]))
    if fam == "cauchy":
        return mp.log(4 * mp.pi * f(s[1]))
    if fam == "gumbel":
        return mp.log(f(s[1])) + 1 + E
    if fam == "half_normal":
        return mp.log(mp.pi * f(s[0]) ** 2 / 2) / 2 + mp.mpf(1) / 2
    if fam == "log_normal":
        return f(s[0]) + mp.log(2 * mp.pi * mp.e * f(s[1]) ** 2) / 2
    if fam in ("exponential", "chi2", "gamma"):
        a, b = gamma_of(d)
        return a - mp.log(b) + mp.loggamma(a) + (1 - a) * mp.digamma(a)
    if fam == "weibull":
        lam, k = f(s[0]), f(s[1])
        return E * (1 - 1 / k) + mp.log(lam / k) + 1
    if fam == "pareto":
        sc, a = f(s[0]), f(s[1])
        return mp.log(sc / a) + 1 / a + 1
    if fam == "uniform":
        return mp.log(f(s[1]) - f(s[0]))
    if fam == "beta":
        a, b = f(s[0]), f(s[1])
        return lnB(a, b) - (a - 1) * mp.digamma(a) - (b - 1) * mp.digamma(b) + (a + b - 2) * mp.digamma(a + b)
    if fam == "continuous_bernoulli":
        eta = cb_eta(s)
        return cb_A(eta) - eta * cb_mean(eta)
    if fam == "von_mises":
        k = f(s[1])
        return -k * A_vm(k) + mp.log(2 * mp.pi * I0(k))
    if fam == "dirichlet":
        a = [f(x) for x in s]
        a0 = sum(a)
        return lnB(*a) + (a0 - len(a)) * mp.digamma(a0) - sum((x - 1) * mp.digamma(x) for x in a)
    raise KeyError(fam)


def mean_var(d):
    fam, s = d
    if fam == "normal":
        return f(s[0]), f(s[1]) ** 2
    if fam == "laplace":
        return f(s[0]), 2 * f(s[1]) ** 2
    if fam == "gumbel":
        return f(s[0]) + E * f(s[1]), mp.pi**2 / 6 * f(s[1]) ** 2
    if fam == "beta":
        a, b = f(s[0]), f(s[1])
        return a / (a + b), a * b / ((a + b) ** 2 * (a + b + 1))
    if fam == "continuous_bernoulli":
        eta = cb_eta(s)
        return cb_mean(eta), cb_var(eta)
    if fam == "pareto":
        sc, a = f(s[0]), f(s[1])
        m = a * sc / (a - 1) if a > 1 else mp.inf
        v = sc**2 * a / ((a - 1) ** 2 * (a - 2)) if a > 2 else mp.inf
        return m, v
    if fam == "uniform":
        l, h = f(s[0]), f(s[1])
        return (l + h) / 2, (h - l) ** 2 / 12
    if fam == "half_normal":
        return f(s[0]) * mp.sqrt(2 / mp.pi), f(s[0]) ** 2 * (1 - 2 / mp.pi)
    if fam == "log_normal":
        m, sg = f(s[0]), f(s[1])
        return mp.exp(m + sg**2 / 2), mp.expm1(sg**2) * mp.exp(2 * m + sg**2)
    if fam == "weibull":
        lam, k = f(s[0]), f(s[1])
        g1, g2 = mp.gamma(1 + 1 / k), mp.gamma(1 + 2 / k)
        return lam * g1, lam**2 * (g2 - g1**2)
    a, b = gamma_of(d)
    return a / b, a / b**2


def mean_log(d):
    fam, s = d
    if fam == "beta":
        return mp.digamma(f(s[0])) - mp.digamma(f(s[0]) + f(s[1]))
    if fam == "pareto":
        return mp.log(f(s[0])) + 1 / f(s[1])
    if fam == "weibull":
        return mp.log(f(s[0])) - E / f(s[1])
    if fam == "uniform":
        l, h = f(s[0]), f(s[1])
        xl = l * mp.log(l) if l > 0 else mp.mpf(0)
        return (h * mp.log(h) - xl) / (h - l) - 1
    a, b = gamma_of(d)
    return mp.digamma(a) - mp.log(b)


def mean_log1m(d):
    fam, s = d
    if fam == "beta":
        return mp.digamma(f(s[1])) - mp.digamma(f(s[0]) + f(s[1]))
    l, h = 1 - f(s[1]), 1 - f(s[0])
    xl = l * mp.log(l) if l > 0 else mp.mpf(0)
    return (h * mp.log(h) - xl) / (h - l) - 1


INF = mp.inf


def kl(p, q):
    pf, ps = p
    qf, qs = q
    gl = ("exponential", "chi2", "gamma")
    if pf == qf == "normal" or pf == qf == "log_normal":
        m1, s1, m2, s2 = map(f, ps + qs)
        return mp.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - mp.mpf(1) / 2
    if pf == qf == "half_normal":
        s1, s2 = f(ps[0]), f(qs[0])
        return mp.log(s2 / s1) + s1**2 / (2 * s2**2) - mp.mpf(1) / 2
    if pf == qf == "laplace":
        m1, b1, m2, b2 = map(f, ps + qs)
        d = abs(m1 - m2)
        return -mp.log(b1 / b2) + d / b2 + (b1 / b2) * mp.exp(-d / b1) - 1
    if pf == qf == "cauchy":
        m1, g1, m2, g2 = map(f, ps + qs)
        return mp.log(((g1 + g2) ** 2 + (m1 - m2) ** 2) / (4 * g1 * g2))
    if pf == qf == "gumbel":
        m1, s1, m2, s2 = map(f, ps + qs)
        return (mp.log(s2 / s1) + (m1 - m2) / s2 + E * s1 / s2
                + mp.exp((m2 - m1) / s2 + mp.loggamma(1 + s1 / s2)) - 1 - E)
    if pf in gl and qf in gl:
        ap, bp = gamma_of(p)
        aq, bq = gamma_of(q)
        return (aq * mp.log(bp / bq) + mp.loggamma(aq) - mp.loggamma(ap)
                + (ap - aq) * mp.digamma(ap) + (bq - bp) * ap / bp)
    if pf == qf == "weibull":
        l1, k1, l2, k2 = map(f, ps + qs)
        return (mp.log(k1) - k1 * mp.log(l1) - mp.log(k2) + k2 * mp.log(l2)
                + (k1 - k2) * (mp.log(l1) - E / k1) + (l1 / l2) ** k2 * mp.gamma(k2 / k1 + 1) - 1)
    if pf == qf == "pareto":
        s1, a1, s2, a2 = map(f, ps + qs)
        if s1 < s2:
            return INF
        return a2 * mp.log(s1 / s2) - mp.log(a2 / a1) + a2 / a1 - 1
    if pf == qf == "uniform":
        l1, h1, l2, h2 = map(f, ps + qs)
        if l1 < l2 or h1 > h2:
            return INF
        return mp.log((h2 - l2) / (h1 - l1))
    if pf == qf == "beta":
        a1, b1, a2, b2 = map(f, ps + qs)
        return (lnB(a2, b2) - lnB(a1, b1) + (a1 - a2) * mp.digamma(a1) + (b1 - b2) * mp.digamma(b1)
                + (a2 - a1 + b2 - b1) * mp.digamma(a1 + b1))
    if pf == qf == "dirichlet":
        a, b = [f(x) for x in ps], [f(x) for x in qs]
        a0, b0 = sum(a), sum(b)
        return (mp.loggamma(a0) - mp.loggamma(b0) - sum(mp.loggamma(x) - mp.loggamma(y) for x, y in zip(a, b))
                + sum((x - y) * (mp.digamma(x) - mp.digamma(a0)) for x, y in zip(a, b)))
    if pf == qf == "continuous_bernoulli":
        e1, e2 = cb_eta(ps), cb_eta(qs)
        return cb_A(e2) - cb_A(e1) - (e2 - e1) * cb_mean(e1)
    if pf == qf == "von_mises":
        m1, k1, m2, k2 = map(f, ps + qs)
        return mp.log(I0(k2) / I0(k1)) + (k1 - k2 * mp.cos(m1 - m2)) * A_vm(k1)
    # cross-family: −H(p) + E_p[−log q]
    if (pf, qf) in INF_PAIRS:
        return INF
    H = entropy(p)
    if qf == "normal":
        m, v = mean_var(p)
        if v == INF:
            return INF
        mu, sg = f(qs[0]), f(qs[1])
        return -H + mp.log(2 * mp.pi * sg**2) / 2 + (v + (m - mu) ** 2) / (2 * sg**2)
    if qf in gl:
        a, b = gamma_of(q)
        if pf == "uniform" and ps[0] < 0:
            return INF
        m, v = mean_var(p)
        if m == INF:
            return INF
        el = 0 if a == 1 else (a - 1) * mean_log(p)
        return -H + mp.loggamma(a) - a * mp.log(b) - el + b * m
    if qf == "gumbel":
        mu, sg = f(qs[0]), f(qs[1])
        m, v = mean_var(p)
        if pf == "normal":
            mgf = mp.exp((mu - f(ps[0])) / sg + f(ps[1]) ** 2 / (2 * sg**2))
        elif pf == "uniform":
            l, h = f(ps[0]), f(ps[1])
            mgf = sg / (h - l) * (mp.exp(-(l - mu) / sg) - mp.exp(-(h - mu) / sg))
        else:
            a, b = gamma_of(p)
            mgf = mp.exp(mu / sg) * (1 + 1 / (b * sg)) ** (-a)
        return -H + mp.log(sg) + (m - mu) / sg + mgf
    if qf == "uniform":
        l, h = f(qs[0]), f(qs[1])
        if l > 0 or h < 1:
            return INF
        return -H + mp.log(h - l)
    if qf == "continuous_bernoulli":
        if pf == "uniform" and (ps[0] < 0 or ps[1] > 1):
            return INF
        eta = cb_eta(qs)
        m, v = mean_var(p)
        return -H + cb_A(eta) - eta * m
    if qf == "laplace":
        assert pf == "normal"
        m, s = f(ps[0]), f(ps[1])
        mu, b = f(qs[0]), f(qs[1])
        d = m - mu
        eabs = s * mp.sqrt(2 / mp.pi) * mp.exp(-d**2 / (2 * s**2)) + d * mp.erf(d / (s * mp.sqrt(2)))
        return -H + mp.log(2 * b) + eabs / b
    if qf == "beta":
        if ps[0] < 0 or ps[1] > 1:
            return INF
        a, b = f(qs[0]), f(qs[1])
        return -H + lnB(a, b) - (a - 1) * mean_log(p) - (b - 1) * mean_log1m(p)
    if qf == "pareto":
        l = f(ps[0])
        sc, a = f(qs[0]), f(qs[1])
        if l < sc:
            return INF
        return -H - mp.log(a) - a * mp.log(sc) + (a + 1) * mean_log(p)
    raise KeyError((pf, qf))


GL = ["gamma", "exponential", "chi2"]
SAME = ["normal", "laplace", "cauchy", "gumbel", "half_normal", "log_normal", "weibull",
        "pareto", "uniform", "beta", "continuous_bernoulli", "von_mises", "dirichlet"]
CROSS = ([("beta", "continuous_bernoulli")] + [("beta", g) for g in GL] +
         [("beta", "normal"), ("beta", "uniform"), ("continuous_bernoulli", "exponential"),
          ("continuous_bernoulli", "normal"), ("continuous_bernoulli", "uniform")] +
         [(g, "gumbel") for g in GL] + [(g, "normal") for g in GL] +
         [("gumbel", "normal"), ("laplace", "normal"), ("normal", "gumbel"), ("normal", "laplace")] +
         [("pareto", g) for g in GL] + [("pareto", "normal"), ("uniform", "beta"),
                                          ("uniform", "continuous_bernoulli")] +
         [("uniform", g) for g in GL] + [("uniform", "gumbel"), ("uniform", "normal"),
                                          ("uniform", "pareto")] + [("weibull", g) for g in GL])
INF_PAIRS = set([("beta", "pareto"), ("continuous_bernoulli", "pareto"), ("pareto", "beta"),
                 ("pareto", "continuous_bernoulli"), ("pareto", "uniform"), ("cauchy", "normal"),
                 ("cauchy", "laplace")])
for a in GL + ["gumbel", "laplace", "normal"]:
    for b in ["beta", "continuous_bernoulli", "pareto", "uniform"]:
        INF_PAIRS.add((a, b))
for a in ["gumbel", "laplace", "normal"]:
    for b in GL:
        INF_PAIRS.add((a, b))
PAIRS = [(a, a) for a in SAME] + [(a, b) for a in GL for b in GL] + CROSS + sorted(INF_PAIRS)

# ---- densities for the quadrature check ---------------------------------------------------


def make_logpdf(d):
    """log density of d as a function of x, with the normalising constant computed once."""
    fam, s = d
    if fam == "normal":
        m, sg = f(s[0]), f(s[1])
        c = -mp.log(sg) - mp.log(2 * mp.pi) / 2
        return lambda x: -((x - m) ** 2) / (2 * sg**2) + c
    if fam == "laplace":
        m, b = f(s[0]), f(s[1])
        c = -mp.log(2 * b)
        return lambda x: -abs(x - m) / b + c
    if fam == "cauchy":
        m, g = f(s[0]), f(s[1])
        return lambda x: -mp.log(mp.pi * g * (1 + ((x - m) / g) ** 2))
    if fam == "gumbel":
        m, sg = f(s[0]), f(s[1])
        c = -mp.log(sg)

        def gum(x):
            z = (x - m) / sg
            return -z - mp.exp(-z) + c
        return gum
    if fam == "half_normal":
        sg = f(s[0])
        c = mp.log(mp.sqrt(2 / mp.pi) / sg)
        return lambda x: c - x**2 / (2 * sg**2) if x >= 0 else -INF
    if fam == "log_normal":
        m, sg = f(s[0]), f(s[1])
        c = -mp.log(sg * mp.sqrt(2 * mp.pi))
        return lambda x: -((mp.log(x) - m) ** 2) / (2 * sg**2) - mp.log(x) + c if x > 0 else -INF
    if fam in ("exponential", "chi2", "gamma"):
        a, b = gamma_of(d)
        c = a * mp.log(b) - mp.loggamma(a)
        return lambda x: c + (a - 1) * mp.log(x) - b * x if x > 0 else -INF
    if fam == "weibull":
        lam, k = f(s[0]), f(s[1])
        c = mp.log(k / lam)
        return lambda x: c + (k - 1) * mp.log(x / lam) - (x / lam) ** k if x > 0 else -INF
    if fam == "pareto":
        sc, a = f(s[0]), f(s[1])
        c = mp.log(a) + a * mp.log(sc)
        return lambda x: c - (a + 1) * mp.log(x) if x >= sc else -INF
    if fam == "uniform":
        l, h = f(s[0]), f(s[1])
        c = -mp.log(h - l)
        return lambda x: c if l <= x <= h else -INF
    if fam == "beta":
        a, b = f(s[0]), f(s[1])
        c = -lnB(a, b)
        return lambda x: (a - 1) * mp.log(x) + (b - 1) * mp.log(1 - x) + c if 0 < x < 1 else -INF
    if fam == "continuous_bernoulli":
        eta = cb_eta(s)
        c = -cb_A(eta)
        return lambda x: eta * x + c if 0 <= x <= 1 else -INF
    if fam == "von_mises":
        m, k = f(s[0]), f(s[1])
        c = -mp.log(2 * mp.pi * I0(k))
        return lambda x: k * mp.cos(x - m) + c
    raise KeyError(fam)


def support(d):
    fam, s = d
    if fam in ("normal", "laplace", "cauchy", "gumbel"):
        m, sg = f(s[0]), f(s[1])
        pts = [m + k * sg for k in (-30, -10, -3, -1, 0, 1, 3, 10, 30)]
        if fam == "gumbel":  # density below 1e-60 left of −5σ and 1e-35 right of 80σ
            return [m + k * sg for k in (-5, -2, -1, 0, 1, 2, 4, 10, 25, 80)]
        return [-INF] + pts + [INF]
    if fam == "uniform":
        return [f(s[0]), f(s[1])]
    if fam in ("beta", "continuous_bernoulli"):
        return [mp.mpf(0), mp.mpf(1) / 2, mp.mpf(1)]
    if fam == "von_mises":
        return [-mp.pi + f(s[0]), f(s[0]), mp.pi + f(s[0])]
    if fam == "pareto":
        sc = f(s[0])
        return [sc, 2 * sc, 10 * sc, 100 * sc, 1e4 * sc, INF]
    # (0, inf): split around the mean
    m, v = mean_var(d)
    sd = mp.sqrt(v)
    pts = [mp.mpf(0)] + [x for x in (m - 3 * sd, m - sd, m, m + sd, m + 3 * sd, m + 10 * sd, m + 30 * sd) if x > 0]
    return sorted(set(pts)) + [INF]


def quad_kl(p, q):
    pts = support(p)
    lo, hi = pts[0], pts[-1]
    extra = [x for x in support(q) if mp.isfinite(x) and lo < x < hi]
    pts = [lo] + sorted(set([x for x in pts[1:-1]] + extra)) + [hi]

    lpp, lpq = make_logpdf(p), make_logpdf(q)

    def g(x):
        lp = lpp(x)
        if lp == -INF:
            return mp.mpf(0)
        return mp.exp(lp) * (lp - lpq(x))
    return mp.quad(g, pts, maxdegree=8)


def quad_h(p):
    pts = support(p)

    lpp = make_logpdf(p)

    def g(x):
        lp = lpp(x)
        return mp.mpf(0) if lp == -INF else -mp.exp(lp) * lp
    return mp.quad(g, pts, maxdegree=8)


# ---- parameters ---------------------------------------------------------------------------

R = random.Random(20261201)


def lu(a, b):  # log-uniform 10^U(a, b), as a double
    return 10.0 ** R.uniform(a, b)


def gen(fam, mode="wide"):
    m = mode == "moderate"
    if fam in ("normal", "laplace", "cauchy", "gumbel", "log_normal"):
        return [R.uniform(-2, 2) if m else R.choice([-1, 1]) * lu(-3, 3), lu(-0.5, 0.5) if m else lu(-3, 3)]
    if fam == "half_normal":
        return [lu(-0.5, 0.5) if m else lu(-3, 3)]
    if fam == "exponential":
        return [lu(-0.5, 0.5) if m else lu(-3, 3)]
    if fam == "chi2":
        return [lu(0, 1) if m else lu(-1, 3)]
    if fam == "gamma":
        return [lu(0, 0.8) if m else lu(-2, 3), lu(-0.5, 0.5) if m else lu(-3, 3)]
    if fam == "weibull":
        return [lu(-0.3, 0.3) if m else lu(-2, 2), lu(0, 0.5) if m else lu(-1, 1.5)]
    if fam == "pareto":
        return [lu(-0.5, 0.5) if m else lu(-2, 2), lu(0.4, 1) if m else lu(-0.5, 1.5)]
    if fam == "uniform":
        lo = R.uniform(-2, 2) if m else R.uniform(-10, 10)
        return [lo, lo + (lu(-0.5, 0.5) if m else lu(-2, 1))]
    if fam == "beta":
        return [lu(0, 0.8) if m else lu(-2, 3), lu(0, 0.8) if m else lu(-2, 3)]
    if fam == "continuous_bernoulli":
        if R.random() < 0.5:
            return [R.uniform(0.05, 0.95) if m else R.uniform(0.001, 0.999), NAN]
        return [NAN, R.uniform(-5, 5) if m else R.uniform(-60, 60)]
    if fam == "von_mises":
        return [R.uniform(-3, 3), lu(-0.5, 0.7) if m else lu(-2, 3)]
    if fam == "dirichlet":
        k = R.choice([2, 3, 5])
        return [lu(0, 0.7) if m else lu(-1, 2) for _ in range(k)]
    raise KeyError(fam)


def fit(pf, ps, qf, qs, moderate=False):
    """Adjust a random pair so its KL is finite (the infinite cases are added separately)."""
    if pf == "uniform" and qf in ("beta", "continuous_bernoulli"):
        a, b = sorted([R.uniform(0, 1), R.uniform(0, 1)])
        ps = [a, b]
    if pf == "uniform" and qf in GL:
        ps = [abs(ps[0]), abs(ps[0]) + (ps[1] - ps[0])]
    if pf == "uniform" and qf == "pareto":
        ps = [qs[0] * (1 + R.uniform(0, 2)), 0]
        ps[1] = ps[0] * (1 + lu(-2, 0.5))
    if qf == "uniform" and pf in ("beta", "continuous_bernoulli"):
        qs = [-R.uniform(0, 2), 1 + R.uniform(0, 2)]
    if pf == "pareto" and qf == "normal":
        ps[1] = 2 + (R.uniform(2, 5) if moderate else lu(-1, 1))
    if pf == "pareto" and qf in GL:
        ps[1] = 1 + (R.uniform(3, 6) if moderate else lu(-1, 1))
    if pf == qf == "pareto" and ps[0] < qs[0]:
        ps[0], qs[0] = qs[0], ps[0]
    if pf == qf == "uniform":
        qs = [ps[0] - lu(-3, 1), ps[1] + lu(-3, 1)]
    if pf == qf == "dirichlet":
        qs = qs[: len(ps)] + [lu(-1, 2) for _ in range(len(ps) - len(qs))]
    if qf == "gumbel" and pf in ("uniform", "normal") + tuple(GL):
        # keep exp((q.loc − x)/q.scale) moderate so the KL stays well inside a double
        m, v = mean_var((pf, ps))
        sd = mp.sqrt(v)
        qs = [float(m) + R.uniform(-2, 2) * float(sd), float(sd) * lu(-0.3, 0.5)]
        if pf == "uniform":
            qs[1] = max(qs[1], (ps[1] - ps[0]) * 0.3)
    return ps, qs


def perturb(fam, s, rel):
    out = []
    for i, v in enumerate(s):
        if isinstance(v, float) and math.isnan(v):
            out.append(v)
            continue
        sgn = R.choice([-1, 1])
        if fam in ("normal", "laplace", "cauchy", "gumbel", "log_normal") and i == 0:
            out.append(v + sgn * rel * s[1])
        elif fam == "von_mises" and i == 0:
            out.append(v + sgn * rel)
        elif fam == "uniform":
            w = s[1] - s[0]
            out.append(v - rel * w if i == 0 else v + rel * w)
        elif fam == "continuous_bernoulli" and i == 0:
            out.append(v + sgn * rel * min(v, 1 - v))
        else:
            out.append(v * (1 + sgn * rel))
    if fam == "pareto" and out[0] > s[0]:
        out[0] = s[0] * (1 - rel)
    return out


EXTREME = {
    "normal": [[1e-100, 1e-100], [3.0, 1e100]], "laplace": [[1e-100, 2e-100], [0.0, 1e100]],
    "cauchy": [[1e-100, 1e-100], [5.0, 1e100]], "gumbel": [[1e-100, 1e-100], [0.5, 1e50]],
    "half_normal": [[1e-100], [1e100]], "log_normal": [[-300.0, 1e-100], [300.0, 1e3]],
    "exponential": [[1e100], [1e-100]], "chi2": [[1e-3], [1e6]],
    "gamma": [[1e-3, 1e100], [1e6, 1e-100], [1e6, 1e6], [1e-3, 1e-3]],
    "weibull": [[1e-100, 1e-3 * 0 + 0.1], [1e100, 50.0], [1.0, 1e3]],
    "pareto": [[1e-100, 1e-3], [1e100, 1e6]], "uniform": [[-1e100, 1e100], [1.0, 1.0 + 2**-40]],
    "beta": [[1e-3, 1e-3], [1e6, 1e6], [1e-3, 1e6], [1e6, 1e-3]],
    "continuous_bernoulli": [[1e-3, NAN], [1 - 2**-30, NAN], [NAN, 700.0], [NAN, -1e-9],
                             [NAN, 1e200], [NAN, 3e199]],
    "von_mises": [[0.0, 1e-3], [1.0, 1e6], [2.0, 0.0], [0.5, 1e200], [0.5, 3e199]],
    "dirichlet": [[1e-3, 1e-3, 1e-3], [1e6, 1e6], [1e-3, 1e6, 1.0]],
}


def fmt_d(fam, s):
    return "%s %d %s" % (fam, len(s), " ".join("nan" if math.isnan(v) else float(v).hex() for v in s))


def fmt_ref(v):
    if v == INF:
        return "inf"
    return mp.nstr(v, 30, min_fixed=1, max_fixed=0)


def quad_checks():
    worst = 0.0
    import time
    for pf, qf in PAIRS:
        if (pf, qf) in INF_PAIRS or "dirichlet" in (pf,):
            continue
        t0 = time.time()
        for _ in range(2):
            ps, qs = fit(pf, gen(pf, "moderate"), qf, gen(qf, "moderate"), True)
            if pf == qf == "pareto" and ps[0] < qs[0]:
                continue
            with mp.workdps(60):
                c = kl((pf, ps), (qf, qs))
            if c == INF:
                continue
            with mp.workdps(25):
                n = quad_kl((pf, ps), (qf, qs))
            e = abs(c - n) / max(abs(c), mp.mpf(10) ** -20)
            worst = max(worst, float(e))
            print("  quad %s||%s %.1e %.1fs" % (pf, qf, e, time.time() - t0), file=sys.stderr)
            if e > 1e-12:
                sys.exit("formula check failed: %s || %s %s %s: closed %s quad %s" %
                         (pf, qf, ps, qs, mp.nstr(c, 20), mp.nstr(n, 20)))
    # Dirichlet: k = 2 is beta (the formula must agree with beta–beta and its quadrature)
    for _ in range(3):
        a, b = gen("beta", "moderate"), gen("beta", "moderate")
        c = kl(("dirichlet", a), ("dirichlet", b))
        n = kl(("beta", a), ("beta", b))
        assert abs(c - n) <= 1e-40 * abs(n)
        ha, hb = entropy(("dirichlet", a)), entropy(("beta", a))
        assert abs(ha - hb) <= 1e-40 * abs(hb)
    # Dirichlet k = 3: 2-D quadrature over the simplex at 20 digits.
    with mp.workdps(20):
        a, b = [1.5, 2.25, 3.0], [2.0, 1.25, 2.5]

        ca, cb = lnB(*map(f, a)), lnB(*map(f, b))

        def logd(al, x, y):
            z = 1 - x - y
            return sum((f(t) - 1) * mp.log(u) for t, u in zip(al, (x, y, z))) - (ca if al is a else cb)

        def g(x, y):
            if x + y >= 1:
                return mp.mpf(0)
            lp = logd(a, x, y)
            return mp.exp(lp) * (lp - logd(b, x, y))
        n = mp.quad(lambda x: mp.quad(lambda y: g(x, y), [0, 1 - x]), [0, 1])
        c = kl(("dirichlet", a), ("dirichlet", b))
        e = abs(c - n) / c
        if e > 1e-12:
            sys.exit("dirichlet k=3 check failed: %s vs %s" % (c, n))
        worst = max(worst, float(e))
    for fam in [x for x in SAME + GL if x != "dirichlet"]:
        for _ in range(2):
            s = gen(fam, "moderate")
            c = entropy((fam, s))
            with mp.workdps(25):
                n = quad_h((fam, s))
            e = abs(c - n) / abs(c)
            worst = max(worst, float(e))
            if e > 1e-12:
                sys.exit("entropy check failed: %s %s: closed %s quad %s" % (fam, s, c, n))
    print("quadrature check: worst relative disagreement %.2e" % worst, file=sys.stderr)


def dps_for(*dists):
    """60 digits, plus the decimal exponent of the largest parameter: the textbook forms
    subtract terms of the size of the parameters (e.g. η·mean from A(η) at logits 1e200)."""
    big = 1.0
    for _, s in dists:
        for v in s:
            if isinstance(v, float) and math.isfinite(v) and v != 0:
                big = max(big, abs(v), 1 / abs(v) if abs(v) < 1e-30 else 1.0)
    return 60 + int(math.log10(big))


def main():
    quad_checks()
    out = []
    fams = SAME + GL
    for fam in fams:
        for _ in range(25):
            s = gen(fam)
            with mp.workdps(dps_for((fam, s))):
                out.append("case wide entropy %s %s" % (fmt_d(fam, s), fmt_ref(entropy((fam, s)))))
        for s in EXTREME.get(fam, []):
            with mp.workdps(dps_for((fam, s))):
                out.append("case extreme entropy %s %s" % (fmt_d(fam, s), fmt_ref(entropy((fam, s)))))
    for pf, qf in PAIRS:
        cases = []
        for _ in range(25 if (pf, qf) not in INF_PAIRS else 3):
            ps, qs = fit(pf, gen(pf), qf, gen(qf))
            cases.append(("wide", ps, qs))
        if pf == qf or (pf in GL and qf in GL):
            for rel in (1e-3, 1e-5, 1e-7, 1e-9):
                for _ in range(4):
                    ps = gen(pf)
                    if pf == qf:
                        qs = perturb(pf, ps, rel)
                    else:  # gamma-like pairs: the q that is nearest in the gamma family
                        a, b = gamma_of((pf, ps))
                        a, b = float(a), float(b)
                        qs = {"gamma": [a * (1 + rel), b * (1 - rel)], "exponential": [b * (1 + rel)],
                              "chi2": [2 * a * (1 + rel)]}[qf]
                    cases.append(("near", ps, qs))
            for s in EXTREME.get(pf, []):
                if pf in GL and qf != pf:
                    continue
                cases.append(("extreme", s, perturb(pf, s, 1e-6)))
                t = list(EXTREME[pf][(EXTREME[pf].index(s) + 1) % len(EXTREME[pf])])
                if pf == "dirichlet" and len(t) != len(s):
                    continue
                if pf == "pareto" and t[0] > s[0]:
                    s, t = t, s
                cases.append(("extreme", s, t))
        if pf != qf and not (pf in GL and qf in GL) and (pf, qf) not in INF_PAIRS:
            for s0 in EXTREME.get(pf, []):
                ps, qs = fit(pf, list(s0), qf, gen(qf))
                cases.append(("extreme", ps, qs))
        for tag, ps, qs in cases:
            with mp.workdps(dps_for((pf, ps), (qf, qs))):
                v = kl((pf, ps), (qf, qs))
            if v != INF and v < 0:
                v = mp.mpf(0) if v > -mp.mpf(10) ** -40 else v
            out.append("case %s kl %s %s %s" % (tag, fmt_d(pf, ps), fmt_d(qf, qs), fmt_ref(v)))
    with open("tests/data/reference_families.txt", "w") as fh:
        fh.write("# made by tests/data/gen/gen_reference_families.py (mpmath, 60 digits); do not edit\n")
        fh.write("\n".join(out) + "\n")
    print("%d cases" % len(out), file=sys.stderr)


if __name__ == "__main__":
    main()
