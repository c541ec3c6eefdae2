#!/usr/bin/python3
"""gen_reference_special.py — mpmath references (50 digits) for src/core/special.c.

Writes tests/data/reference_special.txt, lines "<function> <x hex> <y hex> <ref>" (y is
"-" for one-argument functions). The difference functions get pairs with relative
differences 1e-1 … 1e-12 as well as unrelated ones. Fixed seed; run from the repo root.
"""
import math
import random

import mpmath as mp

mp.mp.dps = 60
R = random.Random(7)


def lu(a, b):
    return 10.0 ** R.uniform(a, b)


def lg(x):
    return mp.loggamma(x)


def F(x):
    return mp.log(mp.besseli(0, x))


def A(x):
    return mp.besseli(1, x) / mp.besseli(0, x) if x != 0 else mp.mpf(0)


def g(x):
    return mp.log(mp.sinh(x) / x) if x != 0 else mp.mpf(0)


def g1(x):
    return mp.coth(x) - 1 / x if x != 0 else mp.mpf(0)


def g2(x):
    return 1 / x**2 - 1 / mp.sinh(x) ** 2 if x != 0 else mp.mpf(1) / 3


ONE = {
    "digamma": (mp.digamma, lambda: lu(-3, 8)),
    "log_i0": (F, lambda: lu(-3, 7)),
    "bessel_ratio": (A, lambda: lu(-3, 7)),
    "bessel_ratio_c": (lambda x: 1 - A(x), lambda: lu(-3, 7)),
    "logsinhc": (g, lambda: R.choice([-1, 1]) * lu(-4, 2.5)),
    "logsinhc_d1": (g1, lambda: R.choice([-1, 1]) * lu(-4, 2.5)),
    "logsinhc_d2": (g2, lambda: R.choice([-1, 1]) * lu(-4, 2.5)),
    "lgamma2p": (lambda u: lg(2 + u), lambda: R.uniform(-1.5, 3) * lu(-12, 0)),
    "log1pmx": (lambda e: mp.log1p(e) - e, lambda: R.uniform(-0.99, 5) * lu(-12, 0)),
    "xlog1pxmx": (lambda e: (1 + e) * mp.log1p(e) - e, lambda: R.uniform(-1, 5) * lu(-12, 0)),
    "expm1mx": (lambda e: mp.expm1(e) - e, lambda: R.uniform(-5, 5) * lu(-12, 0)),
}


def near(x, lo, hi):
    rel = lu(-12, -1)
    return x * (1 + R.choice([-1, 1]) * rel) if R.random() < 0.7 else 10.0 ** R.uniform(lo, hi)


TWO = {
    "lgamma_bregman": (lambda x, y: lg(y) - lg(x) - (y - x) * mp.digamma(x), -3, 7, False),
    "log_i0_bregman": (lambda x, y: F(y) - F(x) - (y - x) * A(x), -3, 6, False),
    "logsinhc_bregman": (lambda x, y: g(y) - g(x) - (y - x) * g1(x), -3, 2.5, True),
    # huge arguments (the asymptotic branches, and paths across 1e3 / 1e17)
    "log_i0_bregman ": (lambda x, y: F(y) - F(x) - (y - x) * A(x), -1, 250, False),
    "logsinhc_bregman ": (lambda x, y: g(y) - g(x) - (y - x) * g1(x), -1, 250, True),
    "digamma_diff": (lambda x, y: mp.digamma(y) - mp.digamma(x), -3, 7, False),
}


def main():
    out = []
    for name, (fn, gen) in ONE.items():
        for _ in range(150):
            x = gen()
            out.append("%s %s - %s" % (name, float(x).hex(), mp.nstr(fn(mp.mpf(x)), 30)))
    for name, (fn, lo, hi, signed) in TWO.items():
        for _ in range(300 if not name.endswith(" ") else 60):
            x = 10.0 ** R.uniform(lo, hi)
            if signed:
                x *= R.choice([-1, 1])
            y = near(x, lo, hi)
            if signed and R.random() < 0.2:
                y = -y
            # the textbook difference cancels terms of the size of the arguments
            with mp.workdps(60 + int(max(0, math.log10(max(abs(x), abs(y))))) + 10):
                v = fn(mp.mpf(x), mp.mpf(y))
            out.append("%s %s %s %s" % (name.strip(), float(x).hex(), float(y).hex(),
                                        mp.nstr(v, 30)))
    with open("tests/data/reference_special.txt", "w") as fh:
        fh.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
