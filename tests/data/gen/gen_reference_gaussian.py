#!/usr/bin/python3
"""Writes tests/data/reference_gaussian.txt: exact Gaussian KL references (mpmath, 50 digits).

Run from the repository root with Debian's python3 (it has python3-mpmath):
    /usr/bin/python3 tests/data/gen/gen_reference_gaussian.py

Every input is a double written as a hex float (float.hex(), read back exactly by strtod),
and the reference is computed from exactly those doubles, so the C test compares against
the exact value on its own inputs. The seed is fixed: the output is reproducible.

Format, one case per block:
    case <group> <dim> <pkind> <qkind|none> <expected nats, hex> <expected, decimal>
    pm <dim hex floats>            p's mean
    ps <dim or dim*dim hex floats> p's scale (row-major for cov)
    qm ...                         q's mean     (absent when qkind is none)
    qs ...                         q's scale    (absent when qkind is none)
Kinds: std, var, log_var, cov. Groups: uni, diag, near, vae, mixed, mixed_near, full, full_near.
"""
import math
import random
import sys

from mpmath import mp, mpf, matrix, log, exp, cholesky, lu_solve

mp.dps = 50
rng = random.Random(20240611)


def sigma2(kind, s):
    """Exact variance of a diagonal entry given as a double of that kind."""
    s = mpf(s)
    if kind == "std":
        return s * s
    if kind == "var":
        return s
    return exp(s)


def kl_diag(pk, pm, ps, qk, qm, qs):
    total = mpf(0)
    for i in range(len(pm)):
        v1 = sigma2(pk, ps[i])
        v2 = sigma2(qk, qs[i]) if qk else mpf(1)
        m2 = mpf(qm[i]) if qk else mpf(0)
        r = v1 / v2
        total += (r - 1 - log(r)) / 2 + (mpf(pm[i]) - m2) ** 2 / (2 * v2)
    return total


def dense(kind, s, d):
    """The covariance matrix (exact) of a scale given in any kind."""
    if kind == "cov":
        return matrix([[mpf(s[i * d + j]) for j in range(d)] for i in range(d)])
    m = matrix(d, d)
    for i in range(d):
        m[i, i] = sigma2(kind, s[i])
    return m


def kl_full(pk, pm, ps, qk, qm, qs):
    d = len(pm)
    s1 = dense(pk, ps, d)
    s2 = dense(qk, qs, d) if qk else dense("var", [1.0] * d, d)
    mu2 = [mpf(x) for x in qm] if qk else [mpf(0)] * d
    l1 = cholesky(s1)
    l2 = cholesky(s2)
    logdet1 = 2 * sum(log(l1[i, i]) for i in range(d))
    logdet2 = 2 * sum(log(l2[i, i]) for i in range(d))
    # tr(Σ2⁻¹Σ1) = Σ_j (column j of Σ2⁻¹Σ1)_j; solve column by column.
    tr = mpf(0)
    for j in range(d):
        col = lu_solve(s2, s1[:, j])
        tr += col[j]
    delta = matrix([mu2[i] - mpf(pm[i]) for i in range(d)])
    sol = lu_solve(s2, delta)
    quad = sum(delta[i] * sol[i] for i in range(d))
    return (logdet2 - logdet1 - d + tr + quad) / 2


def rand_scale(kind):
    lo = math.exp(rng.uniform(math.log(1e-3), math.log(1e3)))
    if kind == "std":
        return lo
    if kind == "var":
        return lo * lo
    return rng.uniform(-10.0, 10.0)


def rand_diag(kind, d):
    return [rng.gauss(0.0, 3.0) for _ in range(d)], [rand_scale(kind) for _ in range(d)]


def householder_spd(d, cond):
    """A random SPD matrix with eigenvalues log-spread over [1, cond] (then rounded to
    doubles and made exactly symmetric); the reference uses the rounded matrix itself."""
    lam = [cond ** (i / max(d - 1, 1)) for i in range(d)]
    rng.shuffle(lam)
    a = [[lam[i] if i == j else 0.0 for j in range(d)] for i in range(d)]
    for _ in range(3):  # a = H a H with H = I − 2vvᵀ/(vᵀv)
        v = [rng.gauss(0.0, 1.0) for _ in range(d)]
        vv = sum(x * x for x in v)
        av = [sum(a[i][k] * v[k] for k in range(d)) for i in range(d)]
        vav = sum(v[i] * av[i] for i in range(d))
        c = 2.0 / vv
        for i in range(d):
            for j in range(d):
                a[i][j] += -c * v[i] * av[j] - c * av[i] * v[j] + c * c * vav * v[i] * v[j]
    scale = math.exp(rng.uniform(math.log(0.01), math.log(100.0)))
    flat = [0.0] * (d * d)
    for i in range(d):
        for j in range(i + 1):
            x = a[i][j] * scale
            flat[i * d + j] = x
            flat[j * d + i] = x
    return flat


cases = []


def add(group, pk, pm, ps, qk, qm, qs):
    if pk == "cov" or qk == "cov":
        ref = kl_full(pk, pm, ps, qk, qm, qs)
    else:
        ref = kl_diag(pk, pm, ps, qk, qm, qs)
    cases.append((group, len(pm), pk, qk, ref, pm, ps, qm, qs))


KINDS = ["std", "var", "log_var"]

for k in KINDS:  # univariate
    for _ in range(40):
        pm, ps = rand_diag(k, 1)
        qm, qs = rand_diag(k, 1)
        add("uni", k, pm, ps, k, qm, qs)

for k in KINDS:  # diagonal, dims up to 100
    for _ in range(40):
        d = rng.choice([2, 3, 5, 8, 16, 50, 100])
        pm, ps = rand_diag(k, d)
        qm, qs = rand_diag(k, d)
        add("diag", k, pm, ps, k, qm, qs)

for k in KINDS:  # σ1 ≈ σ2 and μ1 ≈ μ2, relative gaps 1e-3 … 1e-10
    for e in range(3, 11):
        for _ in range(5):
            d = rng.choice([1, 4, 20])
            qm, qs = rand_diag(k, d)
            pm, ps = [], []
            for i in range(d):
                g = rng.uniform(0.5, 1.0) * 10.0 ** -e * rng.choice([-1, 1])
                sd = math.sqrt(sigma2(k, qs[i]))
                pm.append(qm[i] + rng.uniform(-1, 1) * 10.0 ** -e * float(sd))
                if k == "log_var":
                    ps.append(qs[i] + g)
                else:
                    ps.append(qs[i] * (1.0 + g))
            add("near", k, pm, ps, k, qm, qs)

for k in KINDS:  # VAE: against N(0, I), including near-standard latents
    for j in range(30):
        d = rng.choice([1, 2, 16, 64])
        pm, ps = rand_diag(k, d)
        if j % 3 == 0:
            eps = 10.0 ** -rng.randint(3, 10)
            pm = [rng.uniform(-1, 1) * eps for _ in range(d)]
            ps = [(rng.uniform(-1, 1) * eps if k == "log_var" else 1.0 + rng.uniform(-1, 1) * eps)
                  for _ in range(d)]
        add("vae", k, pm, ps, None, None, None)

for _ in range(60):  # mixed diagonal kinds
    pk, qk = rng.sample(KINDS, 2)
    d = rng.choice([1, 3, 10])
    pm, ps = rand_diag(pk, d)
    qm, qs = rand_diag(qk, d)
    add("mixed", pk, pm, ps, qk, qm, qs)

for pk, qk in [("std", "var"), ("var", "std"), ("log_var", "std"), ("std", "log_var"),
               ("log_var", "var"), ("var", "log_var")]:  # mixed kinds, nearly equal
    for e in range(3, 11):
        d = 3
        qm, qs = rand_diag(qk, d)
        pm, ps = [], []
        for i in range(d):
            v = sigma2(qk, qs[i]) * (1 + mpf(rng.uniform(0.5, 1.0) * 10.0 ** -e))
            ps.append(float(mp.sqrt(v)) if pk == "std" else float(v) if pk == "var"
                      else float(log(v)))
            pm.append(qm[i] + rng.uniform(-1, 1) * 10.0 ** -e)
        add("mixed_near", pk, pm, ps, qk, qm, qs)

for _ in range(40):  # full covariances, condition numbers up to 1e3
    d = rng.choice([2, 3, 5, 10, 20])
    cond = 10.0 ** rng.uniform(0, 3)
    ps = householder_spd(d, cond)
    pm = [rng.gauss(0.0, 1.0) for _ in range(d)]
    r = rng.random()
    if r < 0.6:
        qs, qk = householder_spd(d, 10.0 ** rng.uniform(0, 3)), "cov"
        qm = [rng.gauss(0.0, 1.0) for _ in range(d)]
        add("full", "cov", pm, ps, qk, qm, qs)
    elif r < 0.8:
        qk = rng.choice(KINDS)
        qm, qs = rand_diag(qk, d)
        add("full", "cov", pm, ps, qk, qm, qs)
        add("full", qk, qm, qs, "cov", pm, ps)
    else:
        add("full", "cov", pm, ps, None, None, None)
for d in (50, 100):  # two large ones
    add("full", "cov", [rng.gauss(0, 1) for _ in range(d)], householder_spd(d, 1e3), "cov",
        [rng.gauss(0, 1) for _ in range(d)], householder_spd(d, 1e3))

for e in range(2, 11):  # full covariances nearly equal: Σ1 = Σ2 ∘ (1 + O(10^-e)), μ1 ≈ μ2
    for _ in range(3):
        d = rng.choice([2, 3, 5, 10])
        qs = householder_spd(d, 10.0 ** rng.uniform(0, 3))
        ps = list(qs)
        for i in range(d):
            for j in range(i + 1):
                x = qs[i * d + j] * (1 + rng.uniform(-1, 1) * 10.0 ** -e)
                ps[i * d + j] = ps[j * d + i] = x
        qm = [rng.gauss(0.0, 1.0) for _ in range(d)]
        pm = [x + rng.uniform(-1, 1) * 10.0 ** -e for x in qm]
        try:
            add("full_near", "cov", pm, ps, "cov", qm, qs)
        except ValueError:  # the perturbation left Σ1 indefinite (only for large gaps)
            pass

out = sys.argv[1] if len(sys.argv) > 1 else "tests/data/reference_gaussian.txt"
with open(out, "w") as f:
    f.write("# generated by tests/data/gen/gen_reference_gaussian.py (mpmath, mp.dps = 50); "
            "do not edit\n")
    for group, d, pk, qk, ref, pm, ps, qm, qs in cases:
        f.write("case %s %d %s %s %s %s\n" % (group, d, pk, qk or "none", float(ref).hex(),
                                              mp.nstr(ref, 20)))
        f.write("pm " + " ".join(float(x).hex() for x in pm) + "\n")
        f.write("ps " + " ".join(float(x).hex() for x in ps) + "\n")
        if qk:
            f.write("qm " + " ".join(float(x).hex() for x in qm) + "\n")
            f.write("qs " + " ".join(float(x).hex() for x in qs) + "\n")
print("wrote %d cases to %s" % (len(cases), out))
