/*
 * dd.h — the core's error-free arithmetic, shared by the kernels that need it (discrete
 * KL/JS, Gaussians, measures, families): double-double values, Knuth's TwoSum and the
 * difference form, and ψ(1+u) = u − log1p(u) near 0.
 *
 * Why one header: these few lines decide the 1e-12 accuracy of every kernel that uses
 * them; one copy means one place to reason about them. No -ffast-math anywhere: the
 * compensation terms must not be reassociated away.
 */
#ifndef DV_DD_H
#define DV_DD_H

#include <math.h>

/* An unevaluated sum hi + lo, |lo| ≤ ½ ulp(hi). */
typedef struct dd {
    double hi, lo;
} dd;

/* a + b = hi + lo exactly (Knuth's TwoSum: no ordering of |a|, |b| needed). */
static inline dd dd_two_sum(double a, double b)
{
    double s = a + b, bb = s - a;
    return (dd){s, (a - (s - bb)) + (b - bb)};
}

/* a − b = hi + lo exactly (TwoSum on a + (−b)). */
static inline dd dd_two_diff(double a, double b)
{
    double s = a - b;
    double bb = s - a;
    return (dd){s, (a - (s - bb)) - (b + bb)};
}

/* a + b for double-doubles, to about 2^-104 relative. */
static inline dd dd_add(dd a, dd b)
{
    dd s = dd_two_sum(a.hi, b.hi);
    return dd_two_sum(s.hi, s.lo + a.lo + b.lo);
}

/* Below this |u|, ψ(1+u) is summed as a series (u − log1p(u) would cancel). */
#define DV_PSI_SERIES_LIMIT 0.0625

/* ψ(1+u) = u − log1p(u) = u² Σ_{j≥0} (−u)^j/(j+2) for |u| < 1/16: 18 terms, the first
 * omitted one is below 16^-17 ≈ 3e-21 of the leading ½. */
static inline double dv_psi_series(double u)
{
    double w = -u, s = 1.0 / 19.0;
    for (int k = 18; k >= 2; k--)
        s = 1.0 / (double)k + w * s;
    return u * u * s;
}

/* ψ(r) from u = r − 1 and lr = log r, both accurate to a few ulps of themselves. */
static inline double dv_psi_from(double u, double lr)
{
    if (fabs(u) < DV_PSI_SERIES_LIMIT)
        return dv_psi_series(u);
    /* |u| ≥ 1/16: u and log r differ by ≥ 1/33 of u, so the subtraction is benign. */
    return u - lr;
}

#endif /* DV_DD_H */
