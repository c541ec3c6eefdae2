#!/usr/bin/python3
"""Reference data for the divergenced integration suite (tests/integration/).

Writes two files that the C runner walks (tests are data, not code):

  tests/data/http_cases.json      requests to the real daemon and the exact response
                                  members expected, with values computed here with mpmath
                                  at 50 significant digits from the exact double inputs
  tests/data/http_bad_cases.json  bad requests with the status, problem code and JSON
                                  Pointer each must produce

Run with the system interpreter (python3-mpmath):  /usr/bin/python3 tests/data/gen/gen_reference_http.py
The output is deterministic; commit it together with this script.

Case format (http_cases.json, one case per line inside "cases"):
  name      unique, used as the cmocka test name
  path      route; method is POST unless "method" says otherwise
  body      the request body as a JSON value (the runner serialises it with 17 digits),
  raw       or the exact request bytes when JSON values cannot say it (1 vs 1.0 is fine
            in "body"; 1e999 is not); raw_hex: the bytes in hex (invalid UTF-8);
            raw_gen: [[text, repeat], ...] concatenated (absurd nesting without a 400 KB file)
  gen       optional: large arrays built by the runner: {"n": N, "arrays": {"p": cycle,..}}
            member p = [cycle[i % len(cycle)] for i < N], merged into "body"
  status    expected HTTP status
  expect    every member the response must have, and no others. Numbers are compared
            with the tolerance, strings and integers exactly; {"$contains": s} matches a
            string containing s; {"$any": true} matches any value.
  rtol/atol default tolerance (|got - want| <= max(rtol*|want|, atol); 0 must be exactly 0)
  tol       per-member overrides {"member": {"rtol": r, "atol": a}}
  check_terms  the runner also checks that "terms" sum to the member named here
  daemon    which daemon: default, or "limits" (--max-body 4096 --max-elements 100)

Bad-case format (http_bad_cases.json, "bad"): name, path, method, content_type ("" = none),
body/raw/raw_hex/raw_gen, status, code (a string or a list of acceptable codes), pointer
(a string; null = must be absent; a list = any of these, null in it = may be absent;
missing = not checked), detail_contains (substrings of "detail"), allow_contains (405).
"""
import json
import os
import sys

import mpmath
from mpmath import mp, mpf

mp.dps = 50

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
OUT_CASES = os.path.join(ROOT, "tests", "data", "http_cases.json")
OUT_BAD = os.path.join(ROOT, "tests", "data", "http_bad_cases.json")

RTOL = 1e-12          # SPEC §1: probability, label, sample, univariate/diagonal Gaussian
LOGIT_ATOL = 1e-15    # SPEC §1: logits, 1e-12 relative or 1e-15 absolute
COV_RTOL = 1e-9       # SPEC §1: full covariances (condition number <= 1e3)
INF = "Infinity"


# ----------------------------------------------------------------------------- math
def M(x):
    """Exact value of a JSON number as the daemon sees it (a double, or an int)."""
    if isinstance(x, bool):
        raise TypeError("bool is not a number")
    if isinstance(x, int):
        return mpf(x)
    return mpf(float(x))


def ln_base(base):
    return mpf(1) if base in (None, "e") else mpmath.log(M(base))


def normalise(w, normalize):
    w = [M(x) for x in w]
    s = mpmath.fsum(w)
    if not normalize:
        assert abs(s - 1) <= mpf("1e-6"), ("reference input not normalised", s)
    return [x / s for x in w]


def softmax(x, temperature=None):
    t = M(temperature) if temperature is not None else mpf(1)
    z = [M(v) / t for v in x]
    mx = max(z)
    lse = mx + mpmath.log(mpmath.fsum(mpmath.exp(v - mx) for v in z))
    return [mpmath.exp(v - lse) for v in z]


def h_terms(p):
    return [mpf(0) if pi == 0 else -pi * mpmath.log(pi) for pi in p]


def pair_terms(p, q, term):
    """Per-category terms of a P-weighted sum: 0 where P = 0, ∞ where only Q is 0."""
    return [mpf(0) if pi == 0 else mpmath.inf if qi == 0 else term(pi, qi)
            for pi, qi in zip(p, q)]


def kl_terms(p, q):
    return pair_terms(p, q, lambda pi, qi: pi * mpmath.log(pi / qi))


def ce_terms(p, q):
    return pair_terms(p, q, lambda pi, qi: -pi * mpmath.log(qi))


def js_terms(p, q):
    m = [(a + b) / 2 for a, b in zip(p, q)]
    return [(a + b) / 2 for a, b in zip(kl_terms(p, m), kl_terms(q, m))]


def total(terms):
    if any(t == mpmath.inf for t in terms):
        return mpmath.inf
    return mpmath.fsum(terms)


def num(x, lnb=mpf(1)):
    """A value in the caller's base, as JSON: a double, or the string "Infinity"."""
    if x == mpmath.inf:
        return INF
    v = float(x / lnb)
    return 0.0 if v == 0 else v


def nums(xs, lnb=mpf(1)):
    return [num(x, lnb) for x in xs]


def perplexity(h_nats):
    return INF if h_nats == mpmath.inf else float(mpmath.exp(h_nats))


def unit(base):
    """SPEC §2 / notes: nat, bit, hartley, else "log<base>" with the base printed shortest."""
    if base in (None, "e"):
        return "nat"
    if base == 2:
        return "bit"
    if base == 10:
        return "hartley"
    return "log" + (repr(base).removesuffix(".0") if isinstance(base, float) else str(base))


def base_echo(base):
    return "e" if base is None else base


def ppl_tol(h_nats):
    """exp(H) magnifies the relative error of H by H: allow 1e-12 on H itself."""
    if h_nats == mpmath.inf:
        return {"rtol": 0}
    return {"rtol": RTOL * max(1.0, 2 * float(abs(h_nats)))}


# ------------------------------------------------------------------------- samples
def sample_key(v):
    if isinstance(v, bool):
        return ("bool", v)
    if isinstance(v, (int, float)):
        return ("num", M(v))
    if isinstance(v, str):
        return ("str", v)
    raise TypeError(v)


def empirical(p_samples, q_samples=None):
    support, keys = [], []
    for v in list(p_samples) + list(q_samples or []):
        k = sample_key(v)
        if k not in keys:
            keys.append(k)
            support.append(v)

    def dist(samples):
        c = [0] * len(keys)
        for v in samples:
            c[keys.index(sample_key(v))] += 1
        return [mpf(x) / len(samples) for x in c]

    return support, dist(p_samples), (dist(q_samples) if q_samples is not None else None)


def labelled(pobj, qobj):
    labels = list(pobj) + [k for k in qobj if k not in pobj]
    p = [M(pobj.get(k, 0)) for k in labels]
    q = [M(qobj.get(k, 0)) for k in labels]
    return labels, p, q


# ------------------------------------------------------------------------- cases
CASES = []


def case(name, path, body, expect, status=200, rtol=RTOL, atol=0.0, tol=None,
         check_terms=None, raw=None, gen=None):
    c = {"name": name, "path": path}
    if raw is not None:
        c["raw"] = raw
    if body is not None:
        c["body"] = body
    if gen is not None:
        c["gen"] = gen
    c["status"] = status
    c["expect"] = expect
    c["rtol"] = rtol
    c["atol"] = atol
    if tol:
        c["tol"] = tol
    if check_terms:
        c["check_terms"] = check_terms
    assert name not in {x["name"] for x in CASES}, name
    CASES.append(c)


def reason_for(terms, names):
    """The index (or label) of the first category with P > 0 and Q = 0."""
    for t, n in zip(terms, names):
        if t == mpmath.inf:
            return n
    return None


def entropy_case(name, body, p, support=None, emp_p=None, logits=False):
    base = body.get("base")
    lnb = ln_base(base)
    terms = h_terms(p)
    h = total(terms)
    ex = {"entropy": num(h, lnb), "perplexity": perplexity(h), "n": len(p),
          "base": base_echo(base), "unit": unit(base)}
    if body.get("terms"):
        ex["terms"] = (dict(zip(support, nums(terms, lnb))) if isinstance(body.get("p"), dict)
                       else nums(terms, lnb))
    if support is not None:
        ex["support"] = support
    if emp_p is not None:
        ex["p"] = nums(emp_p)
    case(name, "/entropy", body, ex, atol=LOGIT_ATOL if logits else 0.0,
         tol={"perplexity": ppl_tol(h)}, check_terms="entropy" if body.get("terms") else None)


def pair_case(name, route, body, p, q, support=None, emp=None, logits=False, names=None):
    """/kl, /js or /cross-entropy on P, Q (exact mp vectors)."""
    base = body.get("base")
    lnb = ln_base(base)
    objects = isinstance(body.get("p"), dict)
    if names is None:
        names = support if objects else ["[%d]" % i for i in range(len(p))]
    if route == "/kl":
        terms = kl_terms(p, q)
        v = total(terms)
        ex = {"kl": num(v, lnb)}
        main = "kl"
    elif route == "/js":
        terms = js_terms(p, q)
        v = total(terms)
        ex = {"js": num(v, lnb), "distance": float(mpmath.sqrt(v / lnb))}
        main = "js"
    else:
        terms = ce_terms(p, q)
        v = total(terms)
        h = total(h_terms(p))
        d = total(kl_terms(p, q))
        ex = {"cross_entropy": num(v, lnb), "entropy": num(h, lnb), "kl": num(d, lnb),
              "perplexity": perplexity(v)}
        main = "cross_entropy"
    ex.update({"n": len(p), "base": base_echo(base), "unit": unit(base)})
    if v == mpmath.inf:
        # arrays/logits/labels: the index ("q[1] is 0"); objects: the label; samples: any
        # sentence (the SPEC does not say how a sample value is named).
        ex["reason"] = ({"$any": True} if emp is not None
                        else {"$contains": str(reason_for(terms, names))})
    if body.get("terms"):
        ex["terms"] = dict(zip(support, nums(terms, lnb))) if objects else nums(terms, lnb)
    if support is not None:
        ex["support"] = support
    if emp is not None:
        ex["p"] = nums(emp[0])
        ex["q"] = nums(emp[1])
    tol = {}
    if "perplexity" in ex:
        tol["perplexity"] = ppl_tol(v)
    case(name, route, body, ex, atol=LOGIT_ATOL if logits else 0.0, tol=tol or None,
         check_terms=main if body.get("terms") and v != mpmath.inf else None)


# ---- /entropy
P3 = [0.5, 0.25, 0.25]
entropy_case("entropy/array", {"p": P3}, normalise(P3, False))
for b in (2, 10, 3, 1.5, "e", 0.5e1):
    entropy_case("entropy/array-base-%s" % b, {"p": P3, "base": b}, normalise(P3, False))
P7 = [0.1, 0.2, 0.05, 0.15, 0.3, 0.12, 0.08]
entropy_case("entropy/array-terms", {"p": P7, "terms": True}, normalise(P7, False))
entropy_case("entropy/array-terms-base2", {"p": P7, "terms": True, "base": 2},
             normalise(P7, False))
entropy_case("entropy/zeros", {"p": [0, 0.5, 0, 0.5, 0], "terms": True},
             normalise([0, 0.5, 0, 0.5, 0], False))
entropy_case("entropy/single", {"p": [1]}, [mpf(1)])
entropy_case("entropy/within-tolerance", {"p": [0.5000004, 0.5]},
             normalise([0.5000004, 0.5], False))
entropy_case("entropy/normalize-counts", {"p": [1, 2, 3, 4], "normalize": True},
             normalise([1, 2, 3, 4], True))
entropy_case("entropy/normalize-overflowing-total", {"p": [1e308, 1e308], "normalize": True},
             [mpf(1) / 2, mpf(1) / 2])
entropy_case("entropy/normalize-false", {"p": P3, "normalize": False}, normalise(P3, False))
OBJ = {"cat": 0.5, "dog": 0.3, "eel": 0.2}
entropy_case("entropy/object", {"p": OBJ}, normalise(list(OBJ.values()), False),
             support=list(OBJ))
entropy_case("entropy/object-terms", {"p": OBJ, "terms": True},
             normalise(list(OBJ.values()), False), support=list(OBJ))
S = ["a", "b", "a", "c", "a", "b"]
sup, ep, _ = empirical(S)
entropy_case("entropy/samples-strings", {"samples": S}, ep, support=sup, emp_p=ep)
S = [1, 1.0, "1", True, False, 1, 2.5, "x"]
sup, ep, _ = empirical(S)
entropy_case("entropy/samples-mixed-types", {"samples": S}, ep, support=sup, emp_p=ep)
sup, ep, _ = empirical([3, 1, 3, 2, 3, 1])
entropy_case("entropy/samples-terms-base2",
             {"samples": [3, 1, 3, 2, 3, 1], "terms": True, "base": 2},
             ep, support=sup, emp_p=ep)
L = [1.0, 2.0, 3.0, -1.5]
entropy_case("entropy/logits", {"p_logits": L}, softmax(L), logits=True)
entropy_case("entropy/logits-temperature", {"p_logits": L, "temperature": 2.5},
             softmax(L, 2.5), logits=True)
entropy_case("entropy/logits-shifted", {"p_logits": [1000.0, 1001.0, 1002.0]},
             softmax([1000.0, 1001.0, 1002.0]), logits=True)
entropy_case("entropy/logits-huge", {"p_logits": [1e300, 0.0, -1e300]},
             softmax([1e300, 0.0, -1e300]), logits=True)
entropy_case("entropy/logits-shift-1e10", {"p_logits": [1e10, 1e10 - 1.0]},
             softmax([1e10, 1e10 - 1.0]), logits=True)
entropy_case("entropy/logits-terms", {"p_logits": L, "terms": True}, softmax(L), logits=True)

# ---- /kl
SP, SQ = [1, 1, 2, 2, 3], [1, 1, 1, 1, 1, 2, 3, 3, 3, 3]
sup, ep, eq = empirical(SP, SQ)
assert sup == [1, 2, 3] and [float(x) for x in ep] == [0.4, 0.4, 0.2]
assert [float(x) for x in eq] == [0.5, 0.1, 0.4]
# SPEC §2 worked example: 0.4712 bits = 0.3266 nats.
assert float(total(kl_terms(ep, eq))) == 0.32663088781028327
assert float(total(kl_terms(ep, eq)) / mpmath.log(2)) == 0.47122876204505504
pair_case("kl/spec-example-samples-nats", "/kl", {"p_samples": SP, "q_samples": SQ},
          ep, eq, support=sup, emp=(ep, eq))
pair_case("kl/spec-example-samples-bits", "/kl", {"p_samples": SP, "q_samples": SQ, "base": 2},
          ep, eq, support=sup, emp=(ep, eq))
pair_case("kl/spec-example-arrays", "/kl", {"p": [0.4, 0.4, 0.2], "q": [0.5, 0.1, 0.4]},
          normalise([0.4, 0.4, 0.2], False), normalise([0.5, 0.1, 0.4], False))
pair_case("kl/samples-terms", "/kl", {"p_samples": ["x", "y", "x", True],
                                       "q_samples": [True, "y", "x", "z"], "terms": True},
          *empirical(["x", "y", "x", True], [True, "y", "x", "z"])[1:],
          support=empirical(["x", "y", "x", True], [True, "y", "x", "z"])[0],
          emp=empirical(["x", "y", "x", True], [True, "y", "x", "z"])[1:])
sup, ep, eq = empirical([1, 2, 2, 4], [1, 2, 2.0, 4.0, 1.0])
pair_case("kl/samples-numeric-equality", "/kl", {"p_samples": [1, 2, 2, 4],
                                                  "q_samples": [1, 2, 2.0, 4.0, 1.0]},
          ep, eq, support=sup, emp=(ep, eq))
sup, ep, eq = empirical(["a", "b", "b"], ["a", "a"])
pair_case("kl/samples-infinite", "/kl", {"p_samples": ["a", "b", "b"], "q_samples": ["a", "a"]},
          ep, eq, support=sup, emp=(ep, eq))
PA = [0.1, 0.2, 0.3, 0.4]
QA = [0.25, 0.25, 0.25, 0.25]
for b in (None, 2, 10, 7):
    body = {"p": PA, "q": QA}
    if b is not None:
        body["base"] = b
    pair_case("kl/array-base-%s" % (b or "default"), "/kl", body,
              normalise(PA, False), normalise(QA, False))
pair_case("kl/array-base-e-explicit", "/kl", {"p": PA, "q": QA, "base": "e"},
          normalise(PA, False), normalise(QA, False))
pair_case("kl/array-terms", "/kl", {"p": PA, "q": QA, "terms": True},
          normalise(PA, False), normalise(QA, False))
pair_case("kl/array-terms-base2", "/kl", {"p": PA, "q": QA, "terms": True, "base": 2},
          normalise(PA, False), normalise(QA, False))
pair_case("kl/identical-is-zero", "/kl", {"p": PA, "q": PA},
          normalise(PA, False), normalise(PA, False))
pair_case("kl/p-zero-where-q-positive", "/kl", {"p": [0, 1], "q": [0.5, 0.5]},
          [mpf(0), mpf(1)], [mpf(1) / 2, mpf(1) / 2])
pair_case("kl/infinite", "/kl", {"p": [0.25, 0.25, 0.25, 0.25], "q": [0.5, 0, 0.5, 0]},
          normalise([0.25] * 4, False), normalise([0.5, 0, 0.5, 0], False))
pair_case("kl/infinite-terms", "/kl", {"p": [0.5, 0.5, 0], "q": [1, 0, 0], "terms": True},
          normalise([0.5, 0.5, 0], False), normalise([1, 0, 0], False))
NP = [0.5 + 1e-7, 0.5 - 1e-7]
pair_case("kl/nearly-equal", "/kl", {"p": NP, "q": [0.5, 0.5]},
          normalise(NP, False), normalise([0.5, 0.5], False))
NP = [0.3 + 2e-9, 0.3 - 1e-9, 0.4 - 1e-9]
pair_case("kl/nearly-equal-3", "/kl", {"p": NP, "q": [0.3, 0.3, 0.4]},
          normalise(NP, False), normalise([0.3, 0.3, 0.4], False))
pair_case("kl/normalize-counts", "/kl", {"p": [3, 1, 6], "q": [2, 2, 2], "normalize": True},
          normalise([3, 1, 6], True), normalise([2, 2, 2], True))
pair_case("kl/normalize-overflowing-total", "/kl",
          {"p": [1e308, 1e308], "q": [1, 3], "normalize": True},
          [mpf(1) / 2, mpf(1) / 2], normalise([1, 3], True))
pair_case("kl/within-tolerance", "/kl", {"p": [0.5000004, 0.5], "q": [0.25, 0.7500005]},
          normalise([0.5000004, 0.5], False), normalise([0.25, 0.7500005], False))
PO, QO = {"a": 0.5, "b": 0.5}, {"b": 0.25, "a": 0.25, "c": 0.5}
lab, po, qo = labelled(PO, QO)
pair_case("kl/objects", "/kl", {"p": PO, "q": QO}, po, qo, support=lab)
pair_case("kl/objects-terms", "/kl", {"p": PO, "q": QO, "terms": True}, po, qo, support=lab)
PO, QO = {"x": 0.6, "zebra": 0.4}, {"x": 1.0}
lab, po, qo = labelled(PO, QO)
pair_case("kl/objects-infinite", "/kl", {"p": PO, "q": QO}, po, qo, support=lab)
LP, LQ = [2.0, -1.0, 0.5, 3.0], [1.0, 1.0, -2.0, 0.25]
pair_case("kl/logits", "/kl", {"p_logits": LP, "q_logits": LQ}, softmax(LP), softmax(LQ),
          logits=True)
pair_case("kl/logits-temperature", "/kl", {"p_logits": LP, "q_logits": LQ, "temperature": 0.7},
          softmax(LP, 0.7), softmax(LQ, 0.7), logits=True)
pair_case("kl/logits-huge", "/kl", {"p_logits": [1e300, 0.0], "q_logits": [0.0, 0.0]},
          softmax([1e300, 0.0]), softmax([0.0, 0.0]), logits=True)
for x, tag in ((1e5, "1e5"), (1e10, "1e10"), (1e20, "1e20")):
    pair_case("kl/logits-shift-" + tag, "/kl", {"p_logits": [x, 0.0], "q_logits": [0.0, 0.0]},
              softmax([x, 0.0]), softmax([0.0, 0.0]), logits=True)
pair_case("kl/logits-huge-q", "/kl", {"p_logits": [0.0, 0.0], "q_logits": [1e20, 0.0]},
          softmax([0.0, 0.0]), softmax([1e20, 0.0]), logits=True)
pair_case("kl/array-vs-logits", "/kl", {"p": PA, "q_logits": LQ},
          normalise(PA, False), softmax(LQ), logits=True)
pair_case("kl/logits-terms-base2", "/kl",
          {"p_logits": LP, "q_logits": LQ, "terms": True, "base": 2},
          softmax(LP), softmax(LQ), logits=True)

# A million categories (also the drain test's request): counts, normalised.
N_LARGE = 1000000
CP, CQ = [1, 2, 3, 4, 5, 6, 7], [5, 1, 4, 2, 3]


def cycled(cycle, n):
    counts = {}
    for i in range(len(cycle)):
        counts[i] = len(range(i, n, len(cycle)))
    return counts


def large_kl():
    # p_i = CP[i%7]/SP, q_i = CQ[i%5]/SQ; group the million terms by i % 35.
    sp = sum(CP[i % 7] for i in range(N_LARGE))
    sq = sum(CQ[i % 5] for i in range(N_LARGE))
    acc = []
    for k in range(35):
        cnt = len(range(k, N_LARGE, 35))
        pi, qi = mpf(CP[k % 7]) / sp, mpf(CQ[k % 5]) / sq
        acc.append(cnt * pi * mpmath.log(pi / qi))
    return mpmath.fsum(acc)


case("kl/large-1e6-normalize", "/kl", {"normalize": True},
     {"kl": float(large_kl()), "n": N_LARGE, "base": "e", "unit": "nat"},
     gen={"n": N_LARGE, "arrays": {"p": CP, "q": CQ}})

# ---- /cross-entropy
QL = [0.1, 0.15, 0.75]
onehot = [mpf(0), mpf(0), mpf(1)]
pair_case("cross-entropy/spec-example-label", "/cross-entropy", {"label": 2, "q": QL},
          onehot, normalise(QL, False))
assert abs(float(-mpmath.log(mpf(0.75))) - 0.287682072451781) < 1e-15  # SPEC (15 digits)
pair_case("cross-entropy/label-terms", "/cross-entropy", {"label": 2, "q": QL, "terms": True},
          onehot, normalise(QL, False))
pair_case("cross-entropy/label-base2", "/cross-entropy", {"label": 0, "q": QL, "base": 2},
          [mpf(1), mpf(0), mpf(0)], normalise(QL, False))


def smooth(p, alpha):
    a = M(alpha)
    return [(1 - a) * x + a / len(p) for x in p]


pair_case("cross-entropy/label-smoothing", "/cross-entropy",
          {"label": 1, "q": QL, "label_smoothing": 0.1},
          smooth([mpf(0), mpf(1), mpf(0)], 0.1), normalise(QL, False))
pair_case("cross-entropy/label-smoothing-zero", "/cross-entropy",
          {"label": 1, "q": QL, "label_smoothing": 0},
          [mpf(0), mpf(1), mpf(0)], normalise(QL, False))
pair_case("cross-entropy/arrays", "/cross-entropy", {"p": PA, "q": QA},
          normalise(PA, False), normalise(QA, False))
pair_case("cross-entropy/arrays-terms-base10", "/cross-entropy",
          {"p": PA, "q": [0.1, 0.6, 0.2, 0.1], "terms": True, "base": 10},
          normalise(PA, False), normalise([0.1, 0.6, 0.2, 0.1], False))
pair_case("cross-entropy/p-label-smoothing", "/cross-entropy",
          {"p": PA, "q": QA, "label_smoothing": 0.25},
          smooth(normalise(PA, False), 0.25), normalise(QA, False))
pair_case("cross-entropy/label-logits", "/cross-entropy", {"label": 3, "q_logits": LQ},
          [mpf(0)] * 3 + [mpf(1)], softmax(LQ), logits=True)
pair_case("cross-entropy/label-logits-temperature", "/cross-entropy",
          {"label": 0, "q_logits": LQ, "temperature": 3.0},
          [mpf(1)] + [mpf(0)] * 3, softmax(LQ, 3.0), logits=True)
pair_case("cross-entropy/label-logits-smoothing", "/cross-entropy",
          {"label": 2, "q_logits": LQ, "label_smoothing": 0.2},
          smooth([mpf(0), mpf(0), mpf(1), mpf(0)], 0.2), softmax(LQ), logits=True)
pair_case("cross-entropy/label-logits-huge", "/cross-entropy",
          {"label": 0, "q_logits": [1e300, 0.0, -1e300]},
          [mpf(1), mpf(0), mpf(0)], softmax([1e300, 0.0, -1e300]), logits=True)
pair_case("cross-entropy/p-logits-q", "/cross-entropy", {"p": PA, "q_logits": LQ},
          normalise(PA, False), softmax(LQ), logits=True)
sup, ep, eq = empirical(SP, SQ)
pair_case("cross-entropy/samples", "/cross-entropy", {"p_samples": SP, "q_samples": SQ},
          ep, eq, support=sup, emp=(ep, eq))
pair_case("cross-entropy/infinite", "/cross-entropy", {"p": [0.5, 0.5], "q": [1, 0]},
          normalise([0.5, 0.5], False), normalise([1, 0], False))
pair_case("cross-entropy/label-infinite", "/cross-entropy", {"label": 1, "q": [1, 0, 0]},
          [mpf(0), mpf(1), mpf(0)], normalise([1, 0, 0], False))
pair_case("cross-entropy/normalize", "/cross-entropy",
          {"p": [1, 1, 2], "q": [5, 3, 2], "normalize": True},
          normalise([1, 1, 2], True), normalise([5, 3, 2], True))

# ---- /js
pair_case("js/arrays", "/js", {"p": PA, "q": QA}, normalise(PA, False), normalise(QA, False))
pair_case("js/arrays-base2", "/js", {"p": PA, "q": QA, "base": 2},
          normalise(PA, False), normalise(QA, False))
pair_case("js/disjoint-is-ln2", "/js", {"p": [1, 0], "q": [0, 1]},
          [mpf(1), mpf(0)], [mpf(0), mpf(1)])
pair_case("js/disjoint-base2-is-1", "/js", {"p": [0.5, 0.5, 0, 0], "q": [0, 0, 0.5, 0.5],
                                             "base": 2},
          normalise([0.5, 0.5, 0, 0], False), normalise([0, 0, 0.5, 0.5], False))
pair_case("js/identical-is-zero", "/js", {"p": QA, "q": QA},
          normalise(QA, False), normalise(QA, False))
pair_case("js/terms", "/js", {"p": PA, "q": [0.7, 0.1, 0.2, 0.0], "terms": True},
          normalise(PA, False), normalise([0.7, 0.1, 0.2, 0.0], False))
sup, ep, eq = empirical(SP, SQ)
pair_case("js/samples", "/js", {"p_samples": SP, "q_samples": SQ}, ep, eq,
          support=sup, emp=(ep, eq))
PO, QO = {"a": 0.5, "b": 0.5}, {"b": 0.25, "a": 0.25, "c": 0.5}
lab, po, qo = labelled(PO, QO)
pair_case("js/objects-terms", "/js", {"p": PO, "q": QO, "terms": True}, po, qo, support=lab)
pair_case("js/logits", "/js", {"p_logits": LP, "q_logits": LQ}, softmax(LP), softmax(LQ),
          logits=True)
pair_case("js/logits-huge", "/js", {"p_logits": [1e20, 0.0], "q_logits": [0.0, 0.0]},
          softmax([1e20, 0.0]), softmax([0.0, 0.0]), logits=True)
pair_case("js/normalize", "/js", {"p": [1, 2, 3], "q": [3, 2, 1], "normalize": True},
          normalise([1, 2, 3], True), normalise([3, 2, 1], True))


# ---- /gaussian-kl
def gparams(g, d):
    """(mean vector, variance vector or covariance matrix, is_full) of a JSON Gaussian."""
    mean = g["mean"]
    mean = [M(m) for m in (mean if isinstance(mean, list) else [mean])]
    if "cov" in g:
        return mean, mpmath.matrix([[M(x) for x in row] for row in g["cov"]]), True
    for k in ("std", "var", "log_var"):
        if k in g:
            v = g[k] if isinstance(g[k], list) else [g[k]]
            v = [M(x) for x in v]
            if k == "std":
                v = [x * x for x in v]
            elif k == "log_var":
                v = [mpmath.exp(x) for x in v]
            return mean, v, False
    raise KeyError(g)


def gauss_kl(m1, s1, f1, m2, s2, f2):
    d = len(m1)
    if not f1 and not f2:
        return mpmath.fsum((mpmath.log(s2[i] / s1[i]) + (s1[i] + (m1[i] - m2[i]) ** 2) / s2[i]
                            - 1) / 2 for i in range(d))
    S1 = s1 if f1 else mpmath.diag(s1)
    S2 = s2 if f2 else mpmath.diag(s2)
    dm = mpmath.matrix([m2[i] - m1[i] for i in range(d)])
    S2i = S2 ** -1
    tr = sum((S2i * S1)[i, i] for i in range(d))
    quad = (dm.T * S2i * dm)[0, 0]
    return (mpmath.log(mpmath.det(S2) / mpmath.det(S1)) - d + tr + quad) / 2


def gaussian_case(name, body, rtol=RTOL):
    base = body.get("base")
    lnb = ln_base(base)
    p = body["p"]
    q = body.get("q")
    batch = isinstance(p["mean"], list) and p["mean"] and isinstance(p["mean"][0], list)
    if not batch:
        m1, s1, f1 = gparams(p, None)
        d = len(m1)
        if q is None:
            m2, s2, f2 = [mpf(0)] * d, [mpf(1)] * d, False
        else:
            m2, s2, f2 = gparams(q, d)
        v = gauss_kl(m1, s1, f1, m2, s2, f2)
        ex = {"kl": num(v, lnb), "dim": d, "base": base_echo(base), "unit": unit(base)}
    else:
        rows = []
        for i in range(len(p["mean"])):
            pr = {k: v[i] for k, v in p.items()}
            m1, s1, f1 = gparams(pr, None)
            d = len(m1)
            if q is None:
                m2, s2, f2 = [mpf(0)] * d, [mpf(1)] * d, False
            elif isinstance(q["mean"][0], list):
                m2, s2, f2 = gparams({k: v[i] for k, v in q.items()}, d)
            else:
                m2, s2, f2 = gparams(q, d)
            rows.append(gauss_kl(m1, s1, f1, m2, s2, f2))
        s = mpmath.fsum(rows)
        ex = {"kl": nums(rows, lnb), "mean": num(s / len(rows), lnb), "sum": num(s, lnb),
              "rows": len(rows), "dim": d, "base": base_echo(base), "unit": unit(base)}
    case(name, "/gaussian-kl", body, ex, rtol=rtol)


gaussian_case("gaussian-kl/univariate-std", {"p": {"mean": 1.0, "std": 2.0},
                                              "q": {"mean": -0.5, "std": 1.5}})
gaussian_case("gaussian-kl/univariate-var", {"p": {"mean": 1.0, "var": 4.0},
                                              "q": {"mean": -0.5, "var": 2.25}})
gaussian_case("gaussian-kl/univariate-log-var", {"p": {"mean": 0.3, "log_var": -1.2},
                                                  "q": {"mean": 0.1, "log_var": 0.4}})
gaussian_case("gaussian-kl/univariate-default-q", {"p": {"mean": 0.5, "std": 0.8}})
gaussian_case("gaussian-kl/univariate-base2", {"p": {"mean": 0.5, "std": 0.8}, "base": 2})
gaussian_case("gaussian-kl/univariate-identical-is-zero",
              {"p": {"mean": 0.25, "std": 1.75}, "q": {"mean": 0.25, "std": 1.75}})
gaussian_case("gaussian-kl/univariate-nearly-equal",
              {"p": {"mean": 1e-8, "std": 1.000000001}, "q": {"mean": 0.0, "std": 1.0}})
gaussian_case("gaussian-kl/diagonal-std", {"p": {"mean": [0.1, -0.2, 0.3], "std": [1.1, 0.9, 0.5]},
                                            "q": {"mean": [0.0, 0.5, 0.0], "std": [1.0, 2.0, 0.7]}})
gaussian_case("gaussian-kl/diagonal-var-vs-log-var",
              {"p": {"mean": [0.1, -0.2], "var": [1.21, 0.81]},
               "q": {"mean": [0.0, 0.5], "log_var": [0.0, 1.3862943611198906]}})
gaussian_case("gaussian-kl/diagonal-default-q-base10",
              {"p": {"mean": [0.5, -1.0, 2.0, 0.0], "log_var": [0.1, -0.3, 0.0, 1.0]},
               "base": 10})
gaussian_case("gaussian-kl/full-cov", {"p": {"mean": [0.0, 1.0], "cov": [[2.0, 0.3], [0.3, 1.0]]},
                                        "q": {"mean": [0.5, 0.0],
                                              "cov": [[1.0, -0.2], [-0.2, 1.5]]}},
              rtol=COV_RTOL)
gaussian_case("gaussian-kl/full-cov-3d", {"p": {"mean": [0.0, 1.0, -1.0],
                                                "cov": [[2.0, 0.3, 0.1], [0.3, 1.0, -0.2],
                                                        [0.1, -0.2, 0.8]]},
                                          "q": {"mean": [0.5, 0.0, 0.25],
                                                "cov": [[1.0, 0.1, 0.0], [0.1, 1.5, 0.2],
                                                        [0.0, 0.2, 2.0]]}},
              rtol=COV_RTOL)
gaussian_case("gaussian-kl/full-cov-default-q", {"p": {"mean": [0.2, -0.1],
                                                       "cov": [[1.5, 0.4], [0.4, 0.9]]}},
              rtol=COV_RTOL)
gaussian_case("gaussian-kl/full-cov-vs-diagonal", {"p": {"mean": [0.2, -0.1],
                                                         "cov": [[1.5, 0.4], [0.4, 0.9]]},
                                                   "q": {"mean": [0.0, 0.0],
                                                         "std": [1.2, 0.8]}},
              rtol=COV_RTOL)
gaussian_case("gaussian-kl/batch-vae-default-q",
              {"p": {"mean": [[0.1, -0.3], [1.0, 0.0], [0.0, 0.0]],
                     "log_var": [[-0.2, 0.1], [0.0, -1.0], [0.0, 0.0]]}})
gaussian_case("gaussian-kl/batch-std-default-q-base2",
              {"p": {"mean": [[0.5, 0.5, 0.5], [-1.0, 0.0, 2.0]],
                     "std": [[1.0, 0.5, 2.0], [0.3, 1.0, 1.0]]}, "base": 2})
gaussian_case("gaussian-kl/batch-q-broadcast",
              {"p": {"mean": [[0.1, -0.3], [1.0, 0.0]], "var": [[0.8, 1.1], [1.0, 0.5]]},
               "q": {"mean": [0.2, 0.2], "std": [1.5, 0.9]}})
gaussian_case("gaussian-kl/batch-q-rows",
              {"p": {"mean": [[0.1, -0.3], [1.0, 0.0]], "var": [[0.8, 1.1], [1.0, 0.5]]},
               "q": {"mean": [[0.0, 0.0], [0.5, 0.5]], "log_var": [[0.0, 0.2], [-0.4, 0.1]]}})


# ---- /batch/categorical-kl
def batch_case(name, body, prows, qrows, logits=False):
    base = body.get("base")
    lnb = ln_base(base)
    kls = [total(kl_terms(p, q)) for p, q in zip(prows, qrows)]
    s = total(kls)
    ex = {"kl": nums(kls, lnb), "mean": num(s / len(kls) if s != mpmath.inf else s, lnb),
          "sum": num(s, lnb), "rows": len(kls), "classes": len(prows[0]),
          "base": base_echo(base), "unit": unit(base)}
    if s == mpmath.inf:
        ex["reason"] = {"$any": True}
    case(name, "/batch/categorical-kl", body, ex, atol=LOGIT_ATOL if logits else 0.0)


BX = [[2.0, 1.0, 0.0, -1.0], [0.5, 0.5, 0.5, 0.5], [10.0, -3.0, 4.0, 0.1]]
BY = [[1.0, 1.0, 1.0, 1.0], [3.0, -2.0, 0.0, 1.0], [9.0, -2.0, 4.5, 0.0]]
batch_case("batch/logits", {"p_logits": BX, "q_logits": BY},
           [softmax(r) for r in BX], [softmax(r) for r in BY], logits=True)
batch_case("batch/logits-temperature-base2", {"p_logits": BX, "q_logits": BY,
                                              "temperature": 2.0, "base": 2},
           [softmax(r, 2.0) for r in BX], [softmax(r, 2.0) for r in BY], logits=True)
batch_case("batch/logits-low-temperature", {"p_logits": BX, "q_logits": BY, "temperature": 0.1},
           [softmax(r, 0.1) for r in BX], [softmax(r, 0.1) for r in BY], logits=True)
HX = [[1e300, 0.0], [-1e300, 1e300]]
HY = [[0.0, 0.0], [0.0, 0.0]]
batch_case("batch/logits-huge", {"p_logits": HX, "q_logits": HY},
           [softmax(r) for r in HX], [softmax(r) for r in HY], logits=True)
batch_case("batch/logits-single-row", {"p_logits": [[0.0, 1.0, 2.0]],
                                       "q_logits": [[2.0, 1.0, 0.0]]},
           [softmax([0.0, 1.0, 2.0])], [softmax([2.0, 1.0, 0.0])], logits=True)
batch_case("batch/logits-identical-is-zero", {"p_logits": BX, "q_logits": BX},
           [softmax(r) for r in BX], [softmax(r) for r in BX], logits=True)
BP = [[0.1, 0.2, 0.7], [0.3, 0.3, 0.4]]
BQ = [[0.2, 0.2, 0.6], [0.5, 0.25, 0.25]]
batch_case("batch/probability-rows", {"p": BP, "q": BQ},
           [normalise(r, False) for r in BP], [normalise(r, False) for r in BQ])
batch_case("batch/probability-rows-base10", {"p": BP, "q": BQ, "base": 10},
           [normalise(r, False) for r in BP], [normalise(r, False) for r in BQ])
batch_case("batch/probability-rows-normalize", {"p": [[1, 2, 7], [3, 3, 4]],
                                                "q": [[2, 2, 6], [2, 1, 1]], "normalize": True},
           [normalise(r, True) for r in [[1, 2, 7], [3, 3, 4]]],
           [normalise(r, True) for r in [[2, 2, 6], [2, 1, 1]]])
batch_case("batch/probability-rows-infinite", {"p": [[0.5, 0.5], [0.5, 0.5]],
                                               "q": [[0.5, 0.5], [1, 0]]},
           [normalise([0.5, 0.5], False)] * 2,
           [normalise([0.5, 0.5], False), normalise([1, 0], False)])

# ---- GET routes with bodies
case("healthz", "/healthz", None, {"status": "ok"})
CASES[-1]["method"] = "GET"
case("readyz", "/readyz", None, {"status": "ready"})
CASES[-1]["method"] = "GET"
# content type with a charset parameter is JSON
case("kl/charset-parameter", "/kl", {"p": [1, 0], "q": [0.5, 0.5]},
     {"kl": float(mpmath.log(2)), "n": 2, "base": "e", "unit": "nat"})
CASES[-1]["content_type"] = "application/json; charset=utf-8"

# the daemon started with --max-elements 100 takes exactly 100 numbers
case("limits/elements-at-max", "/entropy", {"p": [1] * 100, "normalize": True},
     {"entropy": float(mpmath.log(100)), "perplexity": 100.0, "n": 100, "base": "e",
      "unit": "nat"}, tol={"perplexity": ppl_tol(mpmath.log(100))})
CASES[-1]["daemon"] = "limits"

# ------------------------------------------------------------------------- bad inputs
BAD = []


def bad(name, path, status, code, pointer=None, body=None, raw=None, method=None,
        content_type=None, detail=None, daemon=None, raw_hex=None, raw_gen=None):
    """pointer: a string (exact), None (must be absent), or a list of acceptable values
    (null in the list = may be absent)."""
    c = {"name": name, "path": path}
    if method:
        c["method"] = method
    if content_type is not None:
        c["content_type"] = content_type
    if daemon:
        c["daemon"] = daemon
    if raw is not None:
        c["raw"] = raw
    if raw_hex is not None:
        c["raw_hex"] = raw_hex
    if raw_gen is not None:
        c["raw_gen"] = raw_gen
    if body is not None:
        c["body"] = body
    c["status"] = status
    c["code"] = code
    if status == 405:
        c["allow_contains"] = ["GET" if path in ("/healthz", "/readyz", "/openapi.yaml")
                               else "POST", "OPTIONS"]
    c["pointer"] = pointer
    if detail:
        c["detail_contains"] = detail
    assert name not in {x["name"] for x in BAD}, name
    BAD.append(c)


NEST = 100
# 400 malformed_json: not JSON, not an object, too deep
bad("json/empty-body", "/kl", 400, "malformed_json", raw="")
bad("json/truncated", "/kl", 400, "malformed_json", raw='{"p": [0.5, 0.5], "q": [0.5',
    detail=["line 1", "column"])
bad("json/error-position", "/kl", 400, "malformed_json",
    raw='{\n  "p": [0.5, 0.5],\n  "q": [0.5, oops]\n}', detail=["line 3", "column"])
bad("json/trailing-comma", "/entropy", 400, "malformed_json", raw='{"p": [0.5, 0.5,]}',
    detail=["line 1", "column"])
bad("json/trailing-comma-object", "/entropy", 400, "malformed_json", raw='{"p": [1],}')
bad("json/nan-literal", "/entropy", 400, "malformed_json", raw='{"p": [NaN, 1]}')
bad("json/infinity-literal", "/kl", 400, "malformed_json",
    raw='{"p": [1, 0], "q": [Infinity, 0]}')
bad("json/minus-infinity-literal", "/entropy", 400, "malformed_json", raw='{"p": [-Infinity]}')
bad("json/single-quotes", "/entropy", 400, "malformed_json", raw="{'p': [1]}")
bad("json/garbage-after-value", "/entropy", 400, "malformed_json", raw='{"p": [1]} x')
bad("json/two-values", "/entropy", 400, "malformed_json", raw='{"p": [1]}{"p": [1]}')
bad("json/invalid-utf8", "/entropy", 400, "malformed_json",
    raw_hex=b'{"samples": ["\xff\xfe"]}'.hex())
bad("json/lone-surrogate-escape", "/entropy", 400, "malformed_json",
    raw='{"samples": ["\\ud800"]}')
bad("json/not-object-array", "/entropy", 400, "malformed_json", raw="[0.5, 0.5]")
bad("json/not-object-string", "/kl", 400, "malformed_json", raw='"p"')
bad("json/not-object-number", "/js", 400, "malformed_json", raw="42")
bad("json/not-object-null", "/cross-entropy", 400, "malformed_json", raw="null")
bad("json/nesting-100", "/entropy", 400, "malformed_json",
    raw='{"p": ' + "[" * NEST + "]" * NEST + "}")
bad("json/nesting-object-100", "/kl", 400, "malformed_json",
    raw='{"p": ' + '{"a": ' * NEST + "1" + "}" * NEST + ', "q": [1]}')
# 64 levels are allowed: the object + 63 arrays = 64 levels (p[0] is then not a number);
# one array more is 65 levels, "nested deeper than 64" → 400
bad("json/nesting-64-is-not-malformed", "/entropy", 422, "wrong_type", ["/p/0", "/p"],
    raw='{"p": ' + "[" * 63 + "]" * 63 + "}")
bad("json/nesting-65", "/entropy", 400, "malformed_json",
    raw='{"p": ' + "[" * 64 + "]" * 64 + "}")
bad("json/nesting-absurd", "/gaussian-kl", 400, "malformed_json",
    raw_gen=[['{"p": ', 1], ["[", 200000], ["]", 200000], ["}", 1]])
bad("json/nesting-absurd-unclosed", "/batch/categorical-kl", 400, "malformed_json",
    raw_gen=[['{"p_logits": ', 1], ["[", 100000]])
# Past the first megabyte a body is decoded on a second thread (src/util/bpipe.c): the
# errors found there keep their line, column and pointer.
bad("json/error-past-1mb", "/kl", 400, "malformed_json",
    raw_gen=[['{"p": [', 1], ["0.5, ", 300000], ["x]}", 1]],
    detail=["line 1, column 1500008"])
bad("json/non-finite-past-1mb", "/kl", 422, "non_finite", pointer="/p/300000",
    raw_gen=[['{"p": [', 1], ["0.5, ", 300000], ['1e999], "q": [1]}', 1]],
    detail=["line 1, column 1500008"])
# 415
bad("media/text-plain", "/kl", 415, "unsupported_media_type",
    body={"p": [1], "q": [1]}, content_type="text/plain")
bad("media/form", "/entropy", 415, "unsupported_media_type",
    body={"p": [1]}, content_type="application/x-www-form-urlencoded")
bad("media/missing", "/entropy", 415, "unsupported_media_type", body={"p": [1]},
    content_type="")
bad("media/json-prefix-lookalike", "/js", 415, "unsupported_media_type",
    body={"p": [1], "q": [1]}, content_type="application/jsonp")
for route in ("/cross-entropy", "/gaussian-kl", "/batch/categorical-kl"):
    bad("media/text-plain" + route, route, 415, "unsupported_media_type", body={},
        content_type="text/plain; charset=utf-8")
# 404 / 405
bad("route/unknown-post", "/nope", 404, "not_found", body={"p": [1]})
bad("route/unknown-get", "/entropy/extra", 404, "not_found", method="GET")
bad("route/trailing-slash", "/kl/", 404, "not_found", body={"p": [1], "q": [1]})
bad("method/get-compute", "/kl", 405, "method_not_allowed", method="GET")
bad("method/delete-compute", "/entropy", 405, "method_not_allowed", method="DELETE")
bad("method/put-compute", "/batch/categorical-kl", 405, "method_not_allowed", method="PUT",
    body={"p_logits": [[1]], "q_logits": [[1]]})
bad("method/post-healthz", "/healthz", 405, "method_not_allowed", body={})
bad("method/post-openapi", "/openapi.yaml", 405, "method_not_allowed", body={})
# 422 wrong_type
bad("type/string-in-number-array", "/entropy", 422, "wrong_type", "/p/1",
    body={"p": [0.5, "0.5"]})
bad("type/null-in-number-array", "/kl", 422, "wrong_type", "/q/1",
    body={"p": [0.5, 0.5], "q": [0.5, None]})
bad("type/bool-in-number-array", "/js", 422, "wrong_type", "/q/0",
    body={"p": [0.5, 0.5], "q": [True, 0.5]})
bad("type/p-is-string", "/kl", 422, "wrong_type", "/p", body={"p": "0.5,0.5", "q": [1]})
bad("type/p-is-number", "/entropy", 422, "wrong_type", "/p", body={"p": 1})
bad("type/object-weight-string", "/entropy", 422, "wrong_type", "/p/b",
    body={"p": {"a": 0.5, "b": "half"}})
bad("type/nested-array-in-p", "/entropy", 422, "wrong_type", "/p/0",
    body={"p": [[0.5], [0.5]]})
bad("type/normalize-not-bool", "/entropy", 422, "wrong_type", "/normalize",
    body={"p": [1, 1], "normalize": "yes"})
bad("type/terms-not-bool", "/kl", 422, "wrong_type", "/terms",
    body={"p": [1], "q": [1], "terms": 1})
bad("type/logit-string", "/kl", 422, "wrong_type", "/p_logits/2",
    body={"p_logits": [1, 2, "3"], "q_logits": [1, 2, 3]})
bad("type/sample-array", "/entropy", 422, "wrong_type", "/samples/1",
    body={"samples": [1, [2], 3]})
bad("type/sample-object", "/kl", 422, "wrong_type", "/q_samples/0",
    body={"p_samples": [1], "q_samples": [{"a": 1}]})
bad("type/samples-not-array", "/entropy", 422, "wrong_type", "/samples",
    body={"samples": "abc"})
bad("type/gaussian-mean-string", "/gaussian-kl", 422, "wrong_type", "/p/mean",
    body={"p": {"mean": "0", "std": 1}})
bad("type/gaussian-p-not-object", "/gaussian-kl", 422, "wrong_type", "/p",
    body={"p": [0, 1]})
bad("type/gaussian-std-element", "/gaussian-kl", 422, "wrong_type", "/p/std/1",
    body={"p": {"mean": [0, 0], "std": [1, None]}})
bad("type/batch-row-not-array", "/batch/categorical-kl", 422, "wrong_type", "/q_logits/1",
    body={"p_logits": [[1, 2], [1, 2]], "q_logits": [[1, 2], 3]})
bad("type/label-string", "/cross-entropy", 422, "wrong_type", "/label",
    body={"label": "1", "q": [0.5, 0.5]})
bad("type/base-bool", "/entropy", 422, ["wrong_type", "invalid_parameter"], "/base",
    body={"p": [1], "base": True})
# 422 negative_value
bad("negative/p", "/entropy", 422, "negative_value", "/p/1",
    body={"p": [0.5, -0.1, 0.6]}, detail=["-0.1"])
bad("negative/q", "/kl", 422, "negative_value", "/q/2",
    body={"p": [0.5, 0.5, 0], "q": [0.6, 0.5, -0.1]}, detail=["-0.1"])
bad("negative/normalize", "/entropy", 422, "negative_value", "/p/1",
    body={"p": [2, -1, 3], "normalize": True})
bad("negative/object", "/kl", 422, "negative_value", "/q/b",
    body={"p": {"a": 0.5, "b": 0.5}, "q": {"a": 1.5, "b": -0.5}})
bad("negative/batch-row", "/batch/categorical-kl", 422, "negative_value", "/p/1/0",
    body={"p": [[0.5, 0.5], [-0.5, 1.5]], "q": [[0.5, 0.5], [0.5, 0.5]]})
bad("negative/cross-entropy-q", "/cross-entropy", 422, "negative_value", "/q/0",
    body={"label": 1, "q": [-0.5, 1.5]})
# 422 not_normalized / zero_total
bad("normalized/p", "/entropy", 422, "not_normalized", "/p", body={"p": [0.5, 0.6]},
    detail=["1.1", "normalize"])
bad("normalized/q", "/kl", 422, "not_normalized", "/q",
    body={"p": [0.5, 0.5], "q": [0.3, 0.3]}, detail=["0.6", "normalize"])
bad("normalized/just-outside-tolerance", "/entropy", 422, "not_normalized", "/p",
    body={"p": [0.500002, 0.5]}, detail=["normalize"])
bad("normalized/object", "/js", 422, "not_normalized", "/p",
    body={"p": {"a": 2, "b": 2}, "q": {"a": 0.5, "b": 0.5}}, detail=["normalize"])
bad("normalized/batch-row", "/batch/categorical-kl", 422, "not_normalized", "/p/1",
    body={"p": [[0.5, 0.5], [0.2, 0.2]], "q": [[0.5, 0.5], [0.5, 0.5]]},
    detail=["normalize"])
bad("zero-total/normalize", "/entropy", 422, "zero_total", "/p",
    body={"p": [0, 0, 0], "normalize": True})
# 422 empty
bad("empty/p", "/entropy", 422, "empty", "/p", body={"p": []})
bad("empty/object", "/entropy", 422, "empty", "/p", body={"p": {}})
bad("empty/q", "/kl", 422, "empty", "/q", body={"p": [1], "q": []})
bad("empty/samples", "/kl", 422, "empty", "/p_samples", body={"p_samples": [], "q_samples": [1]})
bad("empty/logits", "/entropy", 422, "empty", "/p_logits", body={"p_logits": []})
bad("empty/batch", "/batch/categorical-kl", 422, "empty", "/p_logits",
    body={"p_logits": [], "q_logits": []})
bad("empty/batch-row", "/batch/categorical-kl", 422, "empty", ["/p_logits/0", "/p_logits"],
    body={"p_logits": [[]], "q_logits": [[]]})
bad("empty/gaussian-mean", "/gaussian-kl", 422, "empty", "/p/mean",
    body={"p": {"mean": [], "std": []}})
# 422 unknown_member / missing_member
bad("member/unknown", "/kl", 422, "unknown_member", "/bogus",
    body={"p": [1], "q": [1], "bogus": 1})
bad("member/q-on-entropy", "/entropy", 422, "unknown_member", "/q", body={"p": [1], "q": [1]})
bad("member/label-on-batch", "/batch/categorical-kl", 422, "unknown_member", "/label",
    body={"p_logits": [[1, 2]], "q_logits": [[1, 2]], "label": 0})
bad("member/unknown-escaped-slash", "/entropy", 422, "unknown_member", "/a~1b",
    body={"p": [1], "a/b": 1})
bad("member/unknown-escaped-tilde", "/entropy", 422, "unknown_member", "/m~0n",
    body={"p": [1], "m~n": 1})
bad("member/unknown-in-gaussian", "/gaussian-kl", 422, "unknown_member", "/p/extra",
    body={"p": {"mean": 0, "std": 1, "extra": 2}})
bad("member/missing-q", "/kl", 422, "missing_member", ["/q", None], body={"p": [1]})
bad("member/missing-everything", "/entropy", 422, "missing_member", ["/p", None], body={})
bad("member/missing-prediction", "/cross-entropy", 422, "missing_member", ["/q", None],
    body={"label": 0})
bad("member/missing-gaussian-spread", "/gaussian-kl", 422, "missing_member",
    ["/p", "/p/std", None], body={"p": {"mean": 0}})
bad("member/missing-gaussian-p", "/gaussian-kl", 422, "missing_member", ["/p", None],
    body={"q": {"mean": 0, "std": 1}})
# 422 invalid_input (conflicting members)
bad("conflict/p-and-samples", "/entropy", 422, "invalid_input", pointer="/samples",
    body={"p": [1], "samples": [1]})
bad("conflict/p-samples-with-q", "/kl", 422, ["invalid_input", "shape_mismatch"],
    pointer="/q", body={"p_samples": [1, 2], "q": [0.5, 0.5]})
bad("conflict/std-and-var", "/gaussian-kl", 422, "invalid_input", pointer="/p/var",
    body={"p": {"mean": 0, "std": 1, "var": 1}})
# 422 invalid_parameter
for label, b in (("zero", 0), ("one", 1), ("negative", -2), ("one-float", 1.0)):
    bad("base/" + label, "/entropy", 422, "invalid_parameter", "/base",
        body={"p": [1], "base": b})
bad("base/string", "/kl", 422, ["invalid_parameter", "wrong_type"], "/base",
    body={"p": [1], "q": [1], "base": "x"})
bad("temperature/zero", "/batch/categorical-kl", 422, "invalid_parameter", "/temperature",
    body={"p_logits": [[1, 2]], "q_logits": [[1, 2]], "temperature": 0})
bad("temperature/negative", "/kl", 422, "invalid_parameter", "/temperature",
    body={"p_logits": [1, 2], "q_logits": [1, 2], "temperature": -1})
bad("temperature/string", "/entropy", 422, ["invalid_parameter", "wrong_type"], "/temperature",
    body={"p_logits": [1, 2], "temperature": "hot"})
bad("temperature/without-logits", "/entropy", 422,
    ["invalid_input", "unknown_member", "invalid_parameter"], "/temperature",
    body={"p": [1], "temperature": 2})
bad("label/negative", "/cross-entropy", 422, "invalid_parameter", "/label",
    body={"label": -1, "q": [0.5, 0.5]})
bad("label/fractional", "/cross-entropy", 422, ["invalid_parameter", "wrong_type"], "/label",
    body={"label": 3.5, "q": [0.25, 0.25, 0.25, 0.25]})
bad("label/out-of-range", "/cross-entropy", 422, "invalid_parameter", "/label",
    body={"label": 3, "q": [0.2, 0.3, 0.5]})
bad("label-smoothing/one", "/cross-entropy", 422, "invalid_parameter", "/label_smoothing",
    body={"label": 0, "q": [0.5, 0.5], "label_smoothing": 1})
bad("label-smoothing/negative", "/cross-entropy", 422, "invalid_parameter", "/label_smoothing",
    body={"label": 0, "q": [0.5, 0.5], "label_smoothing": -0.1})
# 422 non_finite
bad("finite/overflowing-literal", "/entropy", 422, "non_finite", "/p/0",
    raw='{"p": [1e999, 1], "normalize": true}')
bad("finite/overflowing-negative", "/kl", 422, "non_finite", "/q/1",
    raw='{"p": [0.5, 0.5], "q": [1, -1e999]}')
bad("finite/overflowing-logit", "/entropy", 422, "non_finite", "/p_logits/1",
    raw='{"p_logits": [0, 1e400]}')
bad("finite/overflowing-gaussian-mean", "/gaussian-kl", 422, "non_finite", "/p/mean",
    raw='{"p": {"mean": 1e999, "std": 1}}')
bad("finite/logits-over-temperature", "/batch/categorical-kl", 422, "non_finite",
    pointer="/p_logits/0/0", body={"p_logits": [[1e300, 0.0]], "q_logits": [[0.0, 0.0]],
                            "temperature": 1e-10})
# 422 shape_mismatch
bad("shape/kl-lengths", "/kl", 422, "shape_mismatch", pointer="/q",
    body={"p": [0.5, 0.5], "q": [0.2, 0.3, 0.5]}, detail=["2", "3"])
bad("shape/js-lengths", "/js", 422, "shape_mismatch", pointer="/q",
    body={"p": [1], "q": [0.5, 0.5]})
bad("shape/cross-entropy-lengths", "/cross-entropy", 422, "shape_mismatch", pointer="/q",
    body={"p": [0.5, 0.5], "q": [0.2, 0.3, 0.5]})
bad("shape/object-vs-array", "/kl", 422, "shape_mismatch", pointer="/q",
    body={"p": {"a": 1}, "q": [1]})
bad("shape/logits-lengths", "/kl", 422, "shape_mismatch", pointer="/q_logits",
    body={"p_logits": [1, 2, 3], "q_logits": [1, 2]})
bad("shape/batch-rows", "/batch/categorical-kl", 422, "shape_mismatch", pointer="/q_logits",
    body={"p_logits": [[1, 2], [3, 4]], "q_logits": [[1, 2]]}, detail=["2", "1"])
bad("shape/batch-ragged", "/batch/categorical-kl", 422, "shape_mismatch", pointer="/p_logits/1",
    body={"p_logits": [[1, 2], [3]], "q_logits": [[1, 2], [3, 4]]})
bad("shape/gaussian-mean-vs-std", "/gaussian-kl", 422, "shape_mismatch", pointer="/p/std",
    body={"p": {"mean": [0, 0], "std": [1, 1, 1]}})
bad("shape/gaussian-dims", "/gaussian-kl", 422, "shape_mismatch", pointer="/q/mean",
    body={"p": {"mean": [0, 0], "std": [1, 1]}, "q": {"mean": [0, 0, 0], "std": [1, 1, 1]}})
bad("shape/gaussian-cov-size", "/gaussian-kl", 422, "shape_mismatch", pointer="/p/cov",
    body={"p": {"mean": [0, 0], "cov": [[1, 0, 0], [0, 1, 0], [0, 0, 1]]}})
bad("shape/gaussian-batch-q-rows", "/gaussian-kl", 422, "shape_mismatch", pointer="/q/mean",
    body={"p": {"mean": [[0, 0], [1, 1]], "std": [[1, 1], [1, 1]]},
          "q": {"mean": [[0, 0], [0, 0], [0, 0]], "std": [[1, 1], [1, 1], [1, 1]]}})
# 422 Gaussian spreads and covariances
bad("gaussian/std-zero", "/gaussian-kl", 422, "not_positive", "/p/std",
    body={"p": {"mean": 0, "std": 0}})
bad("gaussian/std-negative", "/gaussian-kl", 422, "not_positive", "/q/std",
    body={"p": {"mean": 0, "std": 1}, "q": {"mean": 0, "std": -1}})
bad("gaussian/var-element-zero", "/gaussian-kl", 422, "not_positive", "/p/var/1",
    body={"p": {"mean": [0, 0], "var": [1, 0]}})
bad("gaussian/batch-std-element", "/gaussian-kl", 422, "not_positive", "/p/std/1/0",
    body={"p": {"mean": [[0, 0], [0, 0]], "std": [[1, 1], [-0.5, 1]]}})
bad("gaussian/cov-not-symmetric", "/gaussian-kl", 422, "not_symmetric",
    ["/p/cov/1/0", "/p/cov/0/1"], body={"p": {"mean": [0, 0], "cov": [[1, 0.5], [0.4, 1]]}})
bad("gaussian/cov-not-symmetric-3d", "/gaussian-kl", 422, "not_symmetric",
    ["/q/cov/2/1", "/q/cov/1/2"],
    body={"p": {"mean": [0, 0, 0], "std": [1, 1, 1]},
          "q": {"mean": [0, 0, 0], "cov": [[2, 0, 0], [0, 2, 0.1], [0, 0.2, 2]]}})
# The KL of two finite Gaussians can exceed a double: the problem is p as a whole (it
# once pointed at /p/cov, a member this request does not have).
bad("gaussian/kl-too-large", "/gaussian-kl", 422, "non_finite", "/p",
    body={"p": {"mean": 1e300, "std": 1e-300}})
bad("gaussian/cov-not-positive-definite", "/gaussian-kl", 422, "not_positive_definite",
    "/p/cov", body={"p": {"mean": [0, 0], "cov": [[1, 2], [2, 1]]}})
bad("gaussian/q-cov-singular", "/gaussian-kl", 422, "not_positive_definite", "/q/cov",
    body={"p": {"mean": [0, 0], "std": [1, 1]}, "q": {"mean": [0, 0], "cov": [[1, 1], [1, 1]]}})
# 413 (daemon "limits": --max-body 4096 --max-elements 100)
bad("limit/body-over-max-body", "/entropy", 413, "payload_too_large",
    daemon="limits", raw='{"p": [' + ", ".join(["1"] * 2000) + '], "normalize": true}')
bad("limit/elements-over-max", "/entropy", 413, "payload_too_large",
    daemon="limits", body={"p": [1] * 101, "normalize": True})
bad("limit/elements-both-sides", "/kl", 413, "payload_too_large",
    daemon="limits", body={"p": [1] * 60, "q": [1] * 60, "normalize": True})
for route in ("/cross-entropy", "/gaussian-kl", "/js", "/kl"):
    bad("limit/body-over-max-body" + route, route, 413, "payload_too_large",
        daemon="limits", raw='{"p": [' + ", ".join(["0.5"] * 1500) + "]}")
bad("limit/batch-elements", "/batch/categorical-kl", 413, "payload_too_large", daemon="limits",
    body={"p_logits": [[0.0] * 11] * 10, "q_logits": [[0.0] * 11] * 10})


def write(path, key, rows):
    lines = [json.dumps(r, ensure_ascii=False, allow_nan=False) for r in rows]
    with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write('{"generator": "tests/data/gen/gen_reference_http.py", "mp_dps": %d,\n' % mp.dps)
        f.write(' "%s": [\n  ' % key)
        f.write(",\n  ".join(lines))
        f.write("\n]}\n")


def main():
    os.makedirs(os.path.dirname(OUT_CASES), exist_ok=True)
    write(OUT_CASES, "cases", CASES)
    write(OUT_BAD, "bad", BAD)
    print("%s: %d cases\n%s: %d bad inputs" % (os.path.relpath(OUT_CASES, ROOT), len(CASES),
                                               os.path.relpath(OUT_BAD, ROOT), len(BAD)))


if __name__ == "__main__":
    sys.exit(main())
