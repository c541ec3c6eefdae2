#!/usr/bin/python3
"""gen_http_distributions.py — HTTP table cases for /distributions/kl, /distributions/entropy
and GET /distributions.

Writes tests/data/http_cases.distributions.json (expected values from the 60-digit mpmath
closed forms of gen_reference_families.py, on parameters that are exact in JSON) and
tests/data/http_bad_cases.distributions.json (status, code, pointer for bad inputs).
Run from the repository root.
"""
import json
import math
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_reference_families as G  # noqa: E402

mp = G.mp
R = random.Random(4242)

# One moderate parameter set per family, as (body object, internal params).
PARAMS = {
    "normal": {"loc": 0.5, "scale": 1.5},
    "laplace": {"loc": -0.25, "scale": 0.75},
    "cauchy": {"loc": 0.125, "scale": 2.0},
    "gumbel": {"loc": 1.0, "scale": 0.5},
    "half_normal": {"scale": 1.25},
    "log_normal": {"loc": 0.25, "scale": 0.5},
    "exponential": {"rate": 1.5},
    "gamma": {"concentration": 2.5, "rate": 0.75},
    "chi2": {"df": 3.0},
    "weibull": {"scale": 1.5, "concentration": 2.0},
    "pareto": {"scale": 1.0, "alpha": 3.5},
    "uniform": {"low": 0.25, "high": 0.75},
    "beta": {"concentration1": 2.0, "concentration0": 3.0},
    "continuous_bernoulli": {"probs": 0.3},
    "von_mises": {"loc": 0.5, "concentration": 2.0},
    "dirichlet": {"concentration": [0.5, 1.5, 2.5]},
}
Q_PARAMS = {
    "normal": {"loc": 0.0, "scale": 2.0},
    "laplace": {"loc": 0.5, "scale": 1.5},
    "cauchy": {"loc": -0.5, "scale": 1.0},
    "gumbel": {"loc": 0.5, "scale": 1.25},
    "half_normal": {"scale": 0.75},
    "log_normal": {"loc": 0.0, "scale": 1.0},
    "exponential": {"rate": 0.5},
    "gamma": {"concentration": 1.5, "rate": 1.25},
    "chi2": {"df": 4.5},
    "weibull": {"scale": 1.0, "concentration": 1.5},
    "pareto": {"scale": 0.5, "alpha": 2.0},
    "uniform": {"low": -0.5, "high": 1.5},
    "beta": {"concentration1": 1.5, "concentration0": 1.25},
    "continuous_bernoulli": {"logits": -0.75},
    "von_mises": {"loc": -0.5, "concentration": 1.0},
    "dirichlet": {"concentration": [1.0, 1.0, 2.0]},
}
ORDER = {"normal": ["loc", "scale"], "laplace": ["loc", "scale"], "cauchy": ["loc", "scale"],
         "gumbel": ["loc", "scale"], "half_normal": ["scale"], "log_normal": ["loc", "scale"],
         "exponential": ["rate"], "gamma": ["concentration", "rate"], "chi2": ["df"],
         "weibull": ["scale", "concentration"], "pareto": ["scale", "alpha"],
         "uniform": ["low", "high"], "beta": ["concentration1", "concentration0"],
         "continuous_bernoulli": ["probs", "logits"], "von_mises": ["loc", "concentration"]}


def internal(fam, obj):
    if fam == "dirichlet":
        return (fam, list(obj["concentration"]))
    return (fam, [float(obj[k]) if k in obj else float("nan") for k in ORDER[fam]])


def num(v):
    return "Infinity" if v == mp.inf else float(v)


def body(fam, obj):
    d = {"family": fam}
    d.update(obj)
    return d


def batch(values, base=None):
    """A batch answer's mean and sum (from the 60-digit values), in the requested base."""
    inf = any(v == mp.inf for v in values)
    tot = mp.inf if inf else mp.fsum(values)
    div = mp.log(2) if base == 2 else 1
    return {"mean": num(tot / len(values) / div) if not inf else "Infinity",
            "sum": num(tot / div) if not inf else "Infinity"}


def discrete_cases():
    """The discrete and multivariate families (fam_disc.c, fam_mvn.c), from their closed
    forms and exact sums written here in mpmath."""
    out = []
    lp, lq = mp.mpf(3), [mp.mpf(2), mp.mpf(3), mp.mpf(4)]
    kls = [lp * mp.log(lp / l) - lp + l for l in lq]
    out.append({"name": "distributions/kl/poisson-batch", "path": "/distributions/kl",
                "body": {"p": {"family": "poisson", "rate": 3},
                         "q": {"family": "poisson", "rate": [2, 3, 4]}},
                "status": 200,
                "expect": dict({"kl": [num(v) for v in kls], "rows": 3, "p_family": "poisson",
                                "q_family": "poisson", "base": "e", "unit": "nat"}, **batch(kls))})
    p, lam = mp.mpf("0.25"), mp.mpf("1.5")
    v = (1 - p) * mp.log((1 - p) / mp.exp(-lam)) + p * mp.log(p / (lam * mp.exp(-lam)))
    out.append({"name": "distributions/kl/bernoulli-poisson", "path": "/distributions/kl",
                "body": {"p": {"family": "bernoulli", "probs": 0.25},
                         "q": {"family": "poisson", "rate": 1.5}},
                "status": 200, "expect": {"kl": num(v), "p_family": "bernoulli",
                                          "q_family": "poisson", "base": "e", "unit": "nat"}})
    P, Q = [mp.mpf(x) for x in ("0.5", "0.25", "0.25")], [mp.mpf(x) for x in ("0.125", "0.375", "0.5")]
    v = mp.fsum(a * mp.log(a / b) for a, b in zip(P, Q))
    out.append({"name": "distributions/kl/categorical", "path": "/distributions/kl",
                "body": {"p": {"family": "categorical", "probs": [0.5, 0.25, 0.25]},
                         "q": {"family": "categorical", "probs": [0.125, 0.375, 0.5]}},
                "status": 200, "expect": {"kl": num(v), "p_family": "categorical",
                                          "q_family": "categorical", "base": "e", "unit": "nat"}})
    n, pb = 10, mp.mpf("0.3")
    h = -mp.fsum(mp.binomial(n, k) * pb**k * (1 - pb)**(n - k) *
                 mp.log(mp.binomial(n, k) * pb**k * (1 - pb)**(n - k)) for k in range(n + 1))
    out.append({"name": "distributions/entropy/binomial", "path": "/distributions/entropy",
                "body": {"p": {"family": "binomial", "total_count": 10, "probs": 0.3}},
                "status": 200, "expect": {"entropy": num(h), "family": "binomial", "base": "e",
                                          "unit": "nat"}})
    S1 = mp.matrix([[2, mp.mpf("0.5")], [mp.mpf("0.5"), 1]])
    S2 = mp.matrix([[1, 0], [0, 1]]) + mp.matrix([[1], [0]]) * mp.matrix([[1, 0]])  # W Wᵀ + I
    m1, m2 = mp.matrix([0, 0]), mp.matrix([0, 1])
    d = m2 - m1
    T = S2**-1 * S1
    v = (mp.log(mp.det(S2) / mp.det(S1)) - 2 + T[0, 0]
         + T[1, 1] + (d.T * S2**-1 * d)[0, 0]) / 2
    out.append({"name": "distributions/kl/mvn-lowrank", "path": "/distributions/kl",
                "body": {"p": {"family": "multivariate_normal", "loc": [0, 0],
                               "covariance_matrix": [[2, 0.5], [0.5, 1]]},
                         "q": {"family": "lowrank_multivariate_normal", "loc": [0, 1],
                               "cov_factor": [[1], [0]], "cov_diag": [1, 1]}},
                "status": 200, "rtol": 1e-9,
                "expect": {"kl": num(v), "p_family": "multivariate_normal",
                           "q_family": "lowrank_multivariate_normal", "base": "e",
                           "unit": "nat"}})
    return out


def main():
    cases, bad = [], []
    # every pair once (uniform–beta / –continuous_bernoulli need p inside [0, 1], which
    # PARAMS["uniform"] is; beta/CB–uniform need q to cover [0, 1], which Q_PARAMS is)
    for pf, qf in G.PAIRS:
        pp, qq = PARAMS[pf], Q_PARAMS[qf]
        if pf == "uniform" and qf == "pareto":
            qq = {"scale": 0.125, "alpha": 2.0}
        if pf == "uniform" and qf == "uniform":
            qq = {"low": 0.0, "high": 1.0}
        v = G.kl(internal(pf, pp), internal(qf, qq))
        c = {"name": "distributions/kl/%s-%s" % (pf, qf), "path": "/distributions/kl",
             "body": {"p": body(pf, pp), "q": body(qf, qq)}, "status": 200,
             "expect": {"kl": num(v), "p_family": pf, "q_family": qf, "base": "e", "unit": "nat"}}
        if v == mp.inf:
            c["expect"]["reason"] = {"$any": True}
        cases.append(c)
    # base 2, a batch with broadcasting, an infinite row in a batch
    v = G.kl(internal("gamma", PARAMS["gamma"]), internal("exponential", Q_PARAMS["exponential"]))
    cases.append({"name": "distributions/kl/base-2", "path": "/distributions/kl",
                  "body": {"p": body("gamma", PARAMS["gamma"]), "q": body("exponential", Q_PARAMS["exponential"]),
                           "base": 2},
                  "status": 200, "expect": {"kl": float(v / mp.log(2)), "p_family": "gamma",
                                            "q_family": "exponential", "base": 2, "unit": "bit"}})
    locs, scales = [0.0, 0.5, -1.0], [1.0, 2.0, 0.25]
    kls_mp = [G.kl(("normal", [l, s]), ("normal", [0.0, 1.0])) for l, s in zip(locs, scales)]
    kls = [float(v) for v in kls_mp]
    cases.append({"name": "distributions/kl/batch-broadcast", "path": "/distributions/kl",
                  "body": {"p": {"family": "normal", "loc": locs, "scale": scales},
                           "q": {"family": "normal", "loc": 0.0, "scale": 1.0}},
                  "status": 200, "expect": dict({"kl": kls, "rows": 3, "p_family": "normal",
                                                 "q_family": "normal", "base": "e", "unit": "nat"},
                                                **batch(kls_mp))})
    ps = [0.5, 1.0, 2.0]
    kls_mp = [G.kl(("pareto", [1.0, a]), ("normal", [0.0, 1.0])) for a in (1.5, 2.5, 3.0)]
    kls = [num(v) for v in kls_mp]
    cases.append({"name": "distributions/kl/batch-infinite-row", "path": "/distributions/kl",
                  "body": {"p": {"family": "pareto", "scale": 1.0, "alpha": [1.5, 2.5, 3.0]},
                           "q": {"family": "normal", "loc": 0.0, "scale": 1.0}},
                  "status": 200, "expect": {"kl": kls, "rows": 3, "p_family": "pareto",
                                            "q_family": "normal", "base": "e", "unit": "nat",
                                            "infinite": [{"row": 0, "reason": {"$contains": "alpha <= 2"}}],
                                            **batch(kls_mp)}})
    conc = [[1.0, 2.0, 3.0], [0.5, 0.5, 0.5]]
    cases.append({"name": "distributions/kl/dirichlet-batch", "path": "/distributions/kl",
                  "body": {"p": {"family": "dirichlet", "concentration": conc},
                           "q": {"family": "dirichlet", "concentration": [1.0, 1.0, 1.0]}},
                  "status": 200,
                  "expect": dict({"kl": [float(G.kl(("dirichlet", c), ("dirichlet", [1.0, 1.0, 1.0]))) for c in conc],
                                  "rows": 2, "p_family": "dirichlet", "q_family": "dirichlet",
                                  "base": "e", "unit": "nat"},
                                 **batch([G.kl(("dirichlet", c), ("dirichlet", [1.0, 1.0, 1.0])) for c in conc]))})
    # entropies
    for fam in PARAMS:
        v = G.entropy(internal(fam, PARAMS[fam]))
        cases.append({"name": "distributions/entropy/%s" % fam, "path": "/distributions/entropy",
                      "body": {"p": body(fam, PARAMS[fam])}, "status": 200,
                      "expect": {"entropy": float(v), "family": fam, "base": "e", "unit": "nat"},
                      "atol": 1e-15})
    rates = [0.5, 1.0, 4.0]
    cases.append({"name": "distributions/entropy/batch-base-2", "path": "/distributions/entropy",
                  "body": {"p": {"family": "gamma", "concentration": 2.0, "rate": rates}, "base": 2},
                  "status": 200,
                  "expect": dict({"entropy": [float(G.entropy(("gamma", [2.0, b])) / mp.log(2)) for b in rates],
                                  "rows": 3, "family": "gamma", "base": 2, "unit": "bit"},
                                 **batch([G.entropy(("gamma", [2.0, b])) for b in rates], base=2))})
    cases += discrete_cases()
    cases.append({"name": "distributions/list", "path": "/distributions", "method": "GET",
                  "status": 200, "expect": {"count": 23, "families": {"$any": True}}})

    def b(name, path, bdy, status, code, pointer, contains=None):
        c = {"name": "distributions/bad/" + name, "path": path, "body": bdy, "status": status,
             "code": code, "pointer": pointer}
        if contains:
            c["detail_contains"] = contains
        bad.append(c)
    N = {"family": "normal", "loc": 0, "scale": 1}
    KL, H = "/distributions/kl", "/distributions/entropy"
    b("unknown-family", KL, {"p": {"family": "studentt", "df": 3}, "q": N}, 422, "unknown_family",
      "/p/family", ["studentt", "normal", "dirichlet", "poisson"])
    b("unsupported-pair", KL, {"p": {"family": "cauchy", "loc": 0, "scale": 1},
                               "q": {"family": "gumbel", "loc": 0, "scale": 1}}, 422,
      "unsupported_pair", "/q/family", ["cauchy", "gumbel", "laplace"])
    b("missing-p", KL, {"q": N}, 422, "missing_member", "/p")
    b("missing-q", KL, {"p": N}, 422, "missing_member", "/q")
    b("missing-family", KL, {"p": {"loc": 0, "scale": 1}, "q": N}, 422, "missing_member", "/p/family")
    b("family-not-string", KL, {"p": {"family": 3}, "q": N}, 422, "wrong_type", "/p/family")
    b("p-not-object", H, {"p": [1, 2]}, 422, "wrong_type", "/p")
    b("unknown-member", KL, {"p": N, "q": {"family": "normal", "loc": 0, "std": 1}}, 422,
      "unknown_member", "/q/std", ["loc", "scale"])
    b("unknown-top-member", H, {"p": N, "q": N}, 422, "unknown_member", "/q")
    b("missing-param", KL, {"p": {"family": "gamma", "concentration": 2}, "q": N}, 422,
      "missing_member", "/p/rate")
    b("both-alternatives", H, {"p": {"family": "continuous_bernoulli", "probs": 0.5, "logits": 1}},
      422, "invalid_input", "/p/logits", ["exactly one"])
    b("no-alternative", H, {"p": {"family": "continuous_bernoulli"}}, 422, "missing_member", "/p/probs")
    b("scale-negative", KL, {"p": {"family": "normal", "loc": 0, "scale": -1}, "q": N}, 422,
      "not_positive", "/p/scale", ["p.scale is -1"])
    b("q-scale-zero", KL, {"p": N, "q": {"family": "laplace", "loc": 0, "scale": 0}}, 422,
      "not_positive", "/q/scale", ["q.scale is 0"])
    b("batch-row", KL, {"p": {"family": "normal", "loc": 0, "scale": [1, 2, -3]}, "q": N}, 422,
      "not_positive", "/p/scale/2", ["row 2"])
    b("uniform-low-high", H, {"p": {"family": "uniform", "low": 2, "high": 1}}, 422,
      "invalid_parameter", "/p/high", ["high must be > low"])
    b("probs-range", H, {"p": {"family": "continuous_bernoulli", "probs": 1}}, 422,
      "invalid_parameter", "/p/probs", ["(0, 1)"])
    b("von-mises-negative", H, {"p": {"family": "von_mises", "loc": 0, "concentration": -1}}, 422,
      "negative_value", "/p/concentration")
    b("dirichlet-element", H, {"p": {"family": "dirichlet", "concentration": [1, 2, -1]}}, 422,
      "not_positive", "/p/concentration/2", ["concentration[2] is -1"])
    b("dirichlet-batch-element", H, {"p": {"family": "dirichlet", "concentration": [[1, 2, 3], [1, 0, 1]]}},
      422, "not_positive", "/p/concentration/1/1")
    b("dirichlet-lengths", KL, {"p": {"family": "dirichlet", "concentration": [1, 2]},
                                "q": {"family": "dirichlet", "concentration": [1, 2, 3]}}, 422,
      "shape_mismatch", "/q/concentration")
    b("dirichlet-short", H, {"p": {"family": "dirichlet", "concentration": [1]}}, 422,
      "shape_mismatch", "/p/concentration", ["at least 2"])
    b("batch-lengths-in-p", KL, {"p": {"family": "normal", "loc": [0, 1], "scale": [1, 2, 3]}, "q": N},
      422, "shape_mismatch", "/p/scale")
    b("batch-lengths-p-q", KL, {"p": {"family": "normal", "loc": [0, 1], "scale": 1},
                                "q": {"family": "normal", "loc": [0, 1, 2], "scale": 1}}, 422,
      "shape_mismatch", "/q")
    b("wrong-type", KL, {"p": {"family": "normal", "loc": 0, "scale": "1"}, "q": N}, 422,
      "wrong_type", "/p/scale")
    b("empty-batch", KL, {"p": {"family": "normal", "loc": [], "scale": 1}, "q": N}, 422,
      "empty", "/p/loc")
    b("overflow", KL, {"p": {"family": "gumbel", "loc": 0, "scale": 100},
                       "q": {"family": "gumbel", "loc": -100, "scale": 0.01}}, 422, "non_finite", None)
    with open("tests/data/http_cases.distributions.json", "w") as fh:
        json.dump({"cases": cases}, fh, indent=1, allow_nan=False)
        fh.write("\n")
    with open("tests/data/http_bad_cases.distributions.json", "w") as fh:
        json.dump({"bad": bad}, fh, indent=1)
        fh.write("\n")
    print("%d cases, %d bad cases" % (len(cases), len(bad)), file=sys.stderr)


if __name__ == "__main__":
    main()
