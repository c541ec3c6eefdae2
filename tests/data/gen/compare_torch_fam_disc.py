#!/usr/bin/python3
"""compare_torch_fam_disc.py — PyTorch (Debian's python3-torch 1.13, float64) against the
50-digit references of tests/data/reference_fam_disc.txt, beside our own values.

Not part of `make test`. Run from the repository root after building the reference test:

    make DEPS=0 build/tests/test_reference_fam_disc
    /usr/bin/python3 tests/data/gen/compare_torch_fam_disc.py

It runs build/tests/test_reference_fam_disc with DV_FAM_DUMP to collect our value for
every case, evaluates the same case with torch.distributions (kl_divergence / entropy,
validate_args=False so that probs 0 or 1 reach the formulas), and prints, per pair (or
family) and group: cases, worst relative error of torch, worst of ours, and how many
torch values are off by more than 1e-10 relative. "n/a" = torch has no such KL/entropy
(or raised); +inf where the reference is finite (or the reverse) counts as error inf.
"""
import math
import os
import subprocess
import sys
import tempfile
from collections import OrderedDict

import torch
import torch.distributions as D

torch.set_default_dtype(torch.float64)
ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "..")
DATA = os.path.join(ROOT, "tests", "data", "reference_fam_disc.txt")
TEST = os.path.join(ROOT, "build", "tests", "test_reference_fam_disc")
BAR = 1e-10


def parse_value(s):
    if s[0] in "vm":
        head, _, body = s.partition(":")
        vals = [float.fromhex(x) for x in body.split(",")] if body else []
        if head[0] == "v":
            return torch.tensor(vals)
        rows, cols = (int(x) for x in head[1:].split("x"))
        return torch.tensor(vals).reshape(rows, cols)
    return float.fromhex(s)


def parse_dist(tokens, i):
    fam = tokens[i]
    i += 1
    params = OrderedDict()
    while i < len(tokens) and "=" in tokens[i] and tokens[i] != "=":
        k, _, v = tokens[i].partition("=")
        params[k] = parse_value(v)
        i += 1
    return fam, params, i


def t(x):
    return x if isinstance(x, torch.Tensor) else torch.tensor(x)


def make(fam, p):
    kw = {k: t(v) for k, v in p.items()}
    if fam == "bernoulli":
        return D.Bernoulli(validate_args=False, **kw)
    if fam == "binomial":
        return D.Binomial(validate_args=False, **kw)
    if fam == "categorical":
        return D.Categorical(validate_args=False, **kw)
    if fam == "geometric":
        return D.Geometric(validate_args=False, **kw)
    if fam == "poisson":
        return D.Poisson(validate_args=False, **kw)
    if fam == "multivariate_normal":
        m = next(k for k in kw if k != "loc")
        a = kw[m]
        if m != "scale_tril":  # our convention reads the lower triangle
            a = torch.tril(a) + torch.tril(a, -1).T
        return D.MultivariateNormal(kw["loc"], validate_args=False, **{m: a})
    if fam == "lowrank_multivariate_normal":
        return D.LowRankMultivariateNormal(kw["loc"], kw["cov_factor"], kw["cov_diag"],
                                           validate_args=False)
    raise ValueError(fam)


def rel_err(got, ref):
    if ref == "inf":
        return 0.0 if got == math.inf else math.inf
    r = float(ref)
    if got is None or math.isnan(got) or math.isinf(got):
        return math.inf
    if r == 0.0:
        return 0.0 if got == 0.0 else math.inf
    return abs(got - r) / abs(r)


def main():
    if not os.path.exists(TEST):
        sys.exit("build %s first (make DEPS=0 build/tests/test_reference_fam_disc)" % TEST)
    with tempfile.NamedTemporaryFile("r", suffix=".txt") as dump:
        env = dict(os.environ, DV_FAM_DUMP=dump.name)
        subprocess.run([TEST], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       cwd=ROOT)
        ours = {}
        for line in open(dump.name):
            n, v = line.split()
            ours[int(n)] = None if v == "err" else float(v)
    rows = OrderedDict()
    case = -1
    for line in open(DATA):
        if not line.startswith("case "):
            continue
        case += 1
        tok = line.split()
        pair, kind, group = tok[1], tok[2], tok[3]
        assert tok[4] == "P"
        pf, pp, i = parse_dist(tok, 5)
        qf = qp = None
        if tok[i] == "Q":
            qf, qp, i = parse_dist(tok, i + 1)
        assert tok[i] == "="
        ref = tok[i + 1]
        key = (pair, kind, group)
        r = rows.setdefault(key, {"n": 0, "torch": 0.0, "ours": 0.0, "over": 0, "na": 0})
        r["n"] += 1
        r["ours"] = max(r["ours"], rel_err(ours.get(case), ref))
        try:
            p = make(pf, pp)
            if kind == "kl":
                v = float(D.kl_divergence(p, make(qf, qp)))
            else:
                v = float(p.entropy())
        except (NotImplementedError, RuntimeError, ValueError, IndexError):
            r["na"] += 1
            continue
        e = rel_err(v, ref)
        r["torch"] = max(r["torch"], e)
        if e > BAR:
            r["over"] += 1
    print("%-62s %5s %11s %11s %9s" % ("pair kind group", "cases", "torch worst", "ours worst",
                                       "torch>1e-10"))
    for (pair, kind, group), r in rows.items():
        tw = "n/a" if r["na"] == r["n"] else "%.3g" % r["torch"]
        extra = "" if r["na"] in (0, r["n"]) else " (%d n/a)" % r["na"]
        print("%-62s %5d %11s %11.3g %9d%s" % ("%s %s %s" % (pair, kind, group), r["n"], tw,
                                               r["ours"], r["over"], extra))


if __name__ == "__main__":
    main()
