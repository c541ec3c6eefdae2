#!/usr/bin/python3
"""compare_torch_families.py — PyTorch's torch.distributions against our 50-digit references.

Not part of `make test`. For every case of tests/data/reference_families.txt it builds the
same distributions in torch (float64) and evaluates kl_divergence / entropy; our own values
come from the unit test (DV_TEST_DUMP). Prints, per pair and per entropy, the worst relative
error of torch and of ours, and lists where torch is off by more than 1e-10 relative.

    make DEPS=0 build/tests/test_reference_families
    /usr/bin/python3 tests/data/gen/compare_torch_families.py
"""
import math
import os
import subprocess
import sys
import tempfile
import warnings

import torch
import torch.distributions as D

warnings.filterwarnings("ignore")
torch.set_default_dtype(torch.float64)


def T(x):
    return torch.tensor(x, dtype=torch.float64)


def build(fam, s):
    if fam == "normal":
        return D.Normal(T(s[0]), T(s[1]))
    if fam == "laplace":
        return D.Laplace(T(s[0]), T(s[1]))
    if fam == "cauchy":
        return D.Cauchy(T(s[0]), T(s[1]))
    if fam == "gumbel":
        return D.Gumbel(T(s[0]), T(s[1]))
    if fam == "half_normal":
        return D.HalfNormal(T(s[0]))
    if fam == "log_normal":
        return D.LogNormal(T(s[0]), T(s[1]))
    if fam == "exponential":
        return D.Exponential(T(s[0]))
    if fam == "gamma":
        return D.Gamma(T(s[0]), T(s[1]))
    if fam == "chi2":
        return D.Chi2(T(s[0]))
    if fam == "weibull":
        return D.Weibull(T(s[0]), T(s[1]))
    if fam == "pareto":
        return D.Pareto(T(s[0]), T(s[1]))
    if fam == "uniform":
        return D.Uniform(T(s[0]), T(s[1]))
    if fam == "beta":
        return D.Beta(T(s[0]), T(s[1]))
    if fam == "continuous_bernoulli":
        if not math.isnan(s[0]):
            return D.ContinuousBernoulli(probs=T(s[0]))
        return D.ContinuousBernoulli(logits=T(s[1]))
    if fam == "von_mises":
        return D.VonMises(T(s[0]), T(s[1]))
    if fam == "dirichlet":
        return D.Dirichlet(T(s))
    raise KeyError(fam)


def parse(line):
    w = line.split()
    tag, kind = w[1], w[2]
    i = 3

    def dist():
        nonlocal i
        fam, n = w[i], int(w[i + 1])
        vals = [float.fromhex(v) if v != "nan" else float("nan") for v in w[i + 2:i + 2 + n]]
        i += 2 + n
        return fam, vals
    p = dist()
    q = dist() if kind == "kl" else None
    return tag, kind, p, q, w[i]


def rel(got, ref):
    if ref == "inf":
        return 0.0 if math.isinf(got) and got > 0 else math.inf
    r = float(ref)
    if not math.isfinite(got):
        return math.inf
    return abs(got - r) / abs(r) if r != 0 else abs(got)


def main():
    data = os.environ.get("DV_TEST_DATA", "tests/data")
    lines = [l for l in open(os.path.join(data, "reference_families.txt")) if l.startswith("case ")]
    with tempfile.NamedTemporaryFile("r", suffix=".txt") as tmp:
        env = dict(os.environ, DV_TEST_DUMP=tmp.name)
        subprocess.run(["build/tests/test_reference_families"], env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ours = [l.strip() for l in open(tmp.name)]
    if len(ours) != len(lines):
        sys.exit("run `make DEPS=0 build/tests/test_reference_families` first")
    worst = {}
    bad = []
    for line, o in zip(lines, ours):
        tag, kind, p, q, ref = parse(line)
        name = "kl %s||%s" % (p[0], q[0]) if kind == "kl" else "entropy %s" % p[0]
        try:
            dp = build(*p)
            v = D.kl_divergence(dp, build(*q)) if kind == "kl" else dp.entropy()
            tv = float(v)
            te = rel(tv, ref)
        except NotImplementedError:
            tv, te = None, None
        except Exception:  # torch rejects the parameters (validation) or fails
            tv, te = float("nan"), math.inf
        oe = math.inf if o == "error" else rel(float.fromhex(o), ref)
        if o == "error" and ref != "inf" and not (abs(float(ref)) <= sys.float_info.max):
            oe = 0.0  # beyond a double: our not_finite error is the right answer
        w = worst.setdefault(name, [None, 0.0, 0])
        w[2] += 1
        if te is not None:
            w[0] = te if w[0] is None else max(w[0], te)
            if te > 1e-10:
                bad.append((name, tag, te))
        w[1] = max(w[1], oe)
    print("%-48s %6s  %-12s %-10s" % ("pair / entropy", "cases", "torch worst", "ours worst"))
    for name, (te, oe, n) in worst.items():
        ts = "n/a" if te is None else ("%.2e" % te if math.isfinite(te) else "inf/nan")
        print("%-48s %6d  %-12s %.2e" % (name, n, ts, oe))
    print("\ncases where torch is off by more than 1e-10 relative, by pair and tag:")
    agg = {}
    for name, tag, te in bad:
        a = agg.setdefault((name, tag), [0, 0.0])
        a[0] += 1
        a[1] = max(a[1], te)
    for (name, tag), (n, te) in sorted(agg.items()):
        print("  %-48s %-8s %4d cases, worst %s" % (name, tag, n, "%.2e" % te if math.isfinite(te) else "inf/nan"))


if __name__ == "__main__":
    main()
