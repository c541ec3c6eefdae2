/*
 * gaussian.c — KL divergence between Gaussians: univariate, diagonal (std / var /
 * log_var), full covariance (Cholesky), and batches of diagonal rows (the VAE case).
 *
 * Why it is built this way: the textbook formula log(σ2/σ1) + (σ1² + Δμ²)/(2σ2²) − ½
 * cancels catastrophically when σ1 ≈ σ2 and μ1 ≈ μ2 (a KL of 1e-20 comes out as 0 or as
 * rounding noise of either sign). Per dimension we write instead
 *
 *     KL_i = ½ ψ(r) + ½ (Δμ/σ2)²,   r = σ1²/σ2²,   ψ(r) = r − 1 − log r ≥ 0,
 *
 * compute u = r − 1 from the inputs without cancellation (each scale kind has its own
 * exact-enough form), evaluate ψ by a short series when |u| is small and as u − log r
 * otherwise, and sum the non-negative terms with the compensated accumulator. No term
 * is negative, so the sum has no cancellation and the result is within a few ulps.
 *
 * Full covariances: with Cholesky factors Σ1 = L1 L1ᵀ, Σ2 = L2 L2ᵀ and M = L2⁻¹ L1
 * (lower triangular),  tr(Σ2⁻¹Σ1) = ‖M‖²_F  and  log det Σ2/det Σ1 = −Σ log M_ii², so
 *
 *     D = ½ [ Σ_i ψ(M_ii²) + Σ_{i>j} M_ij² + ‖L2⁻¹(μ2 − μ1)‖² ],
 *
 * again a sum of non-negative terms with no log-determinant difference to cancel. When
 * Σ1 ≈ Σ2 that sum is recomputed from B = L2⁻¹(Σ1 − Σ2)L2⁻ᵀ (see near_cov_psi), because
 * M ≈ I carries absolute errors ~cond·ε that would swamp a tiny KL.
 *
 * Error-argument convention (also in divergence.h): dv_check_gauss sets err->arg to
 * DV_GAUSS_MEAN (0) or DV_GAUSS_SCALE (1); dv_gaussian_kl and dv_gaussian_kl_rows set it
 * to DV_GAUSS_P (0) or DV_GAUSS_Q (1). Those two re-run the element checks as a safety
 * net; an element error found there keeps the message (which names the member) but has
 * index DV_NO_INDEX, because the index alone would not say which member it points into.
 */
#include <float.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dd.h"
#include "internal.h"
#include "numfmt.h"

/* Below this |u| = |r − 1|, ψ comes from its Taylor series: u − log1p(u) would lose
 * about log2(2/|u|) bits to cancellation. At |u| = 1/16 the direct form loses ≤ 5 bits. */

/* Relative tolerance of the covariance symmetry check (SPEC §1). */
#define SYM_TOL 1e-12

static const char *scale_member(dv_scale_kind k)
{
    switch (k) {
    case DV_SCALE_STD: return "std";
    case DV_SCALE_VAR: return "var";
    case DV_SCALE_LOGVAR: return "log_var";
    case DV_SCALE_COV: return "cov";
    }
    return "scale";
}

/* ---- ψ(r) = r − 1 − log r -------------------------------------------------------------- */

/*
 * ψ for |u| < 1/16, u = r − 1: ψ = Σ_{k≥2} (−u)^k / k = u² Σ_{j≥0} (−u)^j / (j+2).
 * 18 terms: the first omitted one is below 16^-17 ≈ 3e-21 of the leading ½.
 */

/* ψ from u = r − 1 and lr = log r, both accurate to a few ulps of themselves. */

/* log(a/b) for a, b > 0, free of overflow and underflow of the quotient. */
static double log_quot(double a, double b)
{
    double q = a / b;
    /* A normal quotient carries ½ ulp of relative error: ≤ ½ ulp absolute in the log. */
    if (q >= DBL_MIN && q <= DBL_MAX)
        return log(q);
    /* Out of range: |log a − log b| > 708, so the difference of logs does not cancel. */
    return log(a) - log(b);
}

/* Variance as a double-double hi + lo for std/var kinds; false when σ² leaves the normal
 * range (then the low part would be meaningless). */
static bool var_dd(dv_scale_kind k, double s, double *hi, double *lo)
{
    if (k == DV_SCALE_STD) {
        *hi = s * s;
        /* fma gives the exact rounding error of s², so hi + lo is σ² to ~2^-106. */
        *lo = fma(s, s, -*hi);
    } else {
        *hi = s;
        *lo = 0.0;
    }
    return isfinite(*hi) && *hi >= DBL_MIN;
}

/* ---- log of a double-double variance, to ~2^-100 absolute ----------------------------------
 * For log_var against std/var near equality, u = expm1(lv1 − log σ2²) needs log σ2² to far
 * more than double precision: |u| ~ 1e-10 with a 1e-12 relative bar leaves 1e-22 of
 * absolute room. We take y = log(hi) in double, compute exp(y) as a double-double, and
 * correct: log V = y + log1p((V − e^y)/e^y), where the quotient is ~1e-16 and its log1p
 * is exact to ~1e-32. */

static dd dd_mul(dd a, dd b)
{
    double p = a.hi * b.hi;
    double e = fma(a.hi, b.hi, -p); /* exact error of the leading product */
    e += a.hi * b.lo + a.lo * b.hi;
    return dd_two_sum(p, e);
}

static dd dd_div_d(dd a, double b)
{
    double q1 = a.hi / b;
    double rem = fma(-q1, b, a.hi) + a.lo; /* exact remainder of the leading quotient */
    return dd_two_sum(q1, rem / b);
}

/* exp(y) = 2^k · exp(r): returns exp(r) as a double-double and k. */
static dd dd_exp_reduced(double y, int *k)
{
    static const double LN2_HI = 0x1.62e42fefa39efp-1, LN2_LO = 0x1.abc9e3b39803fp-56;
    double kd = nearbyint(y / LN2_HI);
    double p = kd * LN2_HI;
    double pe = fma(kd, LN2_HI, -p); /* k·ln2 as p + pe + k·LN2_LO, each part exact-ish */
    dd r = dd_two_sum(y - p, -pe); /* y − p is exact by Sterbenz (|y − p| ≤ 0.35)      */
    r = dd_add(r, dd_two_sum(-kd * LN2_LO, -fma(kd, LN2_LO, -kd * LN2_LO)));
    /* Taylor series, |r| ≤ 0.35: 27 terms leave < 1e-33 relative. */
    dd sum = dd_add((dd){1.0, 0.0}, r), term = r;
    for (int n = 2; n <= 27; n++) {
        term = dd_div_d(dd_mul(term, r), (double)n);
        sum = dd_add(sum, term);
    }
    *k = (int)kd;
    return sum;
}

/* log(hi + lo) for a normal positive double-double. */
static dd dd_log(double hi, double lo)
{
    double y = log(hi);
    int k;
    dd e = dd_exp_reduced(y, &k);
    /* Compare V·2^-k with exp(r) so nothing overflows; both ≈ equal, so hi − e.hi is
     * exact (Sterbenz) and δ carries the full correction. */
    double vh = ldexp(hi, -k), vl = ldexp(lo, -k);
    double delta = ((vh - e.hi) + (vl - e.lo)) / e.hi;
    return dd_two_sum(y, log1p(delta));
}

/* log r = lv − log V for a log-variance lv against a variance V = hi + lo. */
static double lr_logvar_vs_dd(double lv, double hi, double lo)
{
    dd l = dd_log(hi, lo);
    /* lv − l.hi is exact when they are close (Sterbenz), which is when it matters. */
    return (lv - l.hi) - l.lo;
}

/* log σ² in long double for the mixed log_var / std|var case. */
static long double log_var_ld(dv_scale_kind k, double s)
{
    switch (k) {
    case DV_SCALE_STD: return 2.0L * logl((long double)s);
    case DV_SCALE_VAR: return logl((long double)s);
    case DV_SCALE_LOGVAR:
    case DV_SCALE_COV: break;
    }
    return (long double)s;
}

/* ψ(σ1²/σ2²) for one dimension of two diagonal scales of any kinds. */
static double diag_psi(dv_scale_kind k1, double s1, dv_scale_kind k2, double s2)
{
    double u, lr, h1, l1, h2, l2;
    if (k1 == DV_SCALE_STD && k2 == DV_SCALE_STD) {
        /* r − 1 = (σ1−σ2)(σ1+σ2)/σ2²: σ1−σ2 is exact when they are close (Sterbenz), and
         * the two factors are divided separately so nothing overflows before the end. */
        u = ((s1 - s2) / s2) * (s1 / s2 + 1.0);
        if (fabs(u) < DV_PSI_SERIES_LIMIT)
            return dv_psi_series(u);
        lr = 2.0 * log_quot(s1, s2);
    } else if (k1 == DV_SCALE_VAR && k2 == DV_SCALE_VAR) {
        u = (s1 - s2) / s2; /* v1 − v2 exact when close (Sterbenz) */
        if (fabs(u) < DV_PSI_SERIES_LIMIT)
            return dv_psi_series(u);
        lr = log_quot(s1, s2);
    } else if (k1 == DV_SCALE_LOGVAR && k2 == DV_SCALE_LOGVAR) {
        lr = s1 - s2;  /* log r itself: exact when close, no log() rounding at all */
        u = expm1(lr); /* r − 1 without forming r */
    } else if (k1 != DV_SCALE_LOGVAR && k2 != DV_SCALE_LOGVAR && var_dd(k1, s1, &h1, &l1) &&
               var_dd(k2, s2, &h2, &l2)) {
        /* std against var: σ² as hi+lo, so (hi1 − hi2) is exact when close and the low
         * parts restore what rounding σ² would have lost. */
        u = ((h1 - h2) + (l1 - l2)) / h2;
        if (fabs(u) < DV_PSI_SERIES_LIMIT)
            return dv_psi_series(u);
        lr = log_quot(h1, h2);
    } else if (k1 == DV_SCALE_LOGVAR && k2 != DV_SCALE_LOGVAR && var_dd(k2, s2, &h2, &l2)) {
        lr = lr_logvar_vs_dd(s1, h2, l2);
        u = expm1(lr);
    } else if (k2 == DV_SCALE_LOGVAR && k1 != DV_SCALE_LOGVAR && var_dd(k1, s1, &h1, &l1)) {
        lr = -lr_logvar_vs_dd(s2, h1, l1); /* log r = log V1 − lv2 */
        u = expm1(lr);
    } else {
        /* σ² out of the normal range (σ beyond ~1e±154): log r in long double keeps ~11
         * extra bits; the ratio of such extremes is rarely near 1. */
        long double lrl = log_var_ld(k1, s1) - log_var_ld(k2, s2);
        lr = (double)lrl;
        u = (double)expm1l(lrl);
    }
    return dv_psi_from(u, lr);
}

/* ½ (d/σ2)² for a mean difference d and the scale s2 of kind k2 (diagonal). */
static double mean_term_scaled(double d, dv_scale_kind k2, double s2)
{
    double t;
    switch (k2) {
    case DV_SCALE_STD: t = d / s2; break;
    /* d/√v rather than d²/v: d² over/underflows long before (d/σ)² does. */
    case DV_SCALE_VAR: t = d / sqrt(s2); break;
    case DV_SCALE_LOGVAR: {
        double e = exp(-0.5 * s2);
        if (isfinite(e) && e >= DBL_MIN)
            t = d * e;
        else if (fabs(d) > 0.0)
            /* e itself is out of range but d·e may not be: go through the logs. */
            t = exp(log(fabs(d)) - 0.5 * s2);
        else
            t = 0.0;
        break;
    }
    case DV_SCALE_COV:
    default: t = d; break;
    }
    return 0.5 * t * t;
}

static double mean_term(double m1, double m2, dv_scale_kind k2, double s2)
{
    double d = m1 - m2;
    if (isfinite(d))
        return mean_term_scaled(d, k2, s2);
    /* μ1 − μ2 overflowed: halve both (exact for such large values) and scale back by 4. */
    return 4.0 * mean_term_scaled(0.5 * m1 - 0.5 * m2, k2, s2);
}

/* The standard normal's scale in kind k: σ = 1, σ² = 1, log σ² = 0. */
static double unit_scale(dv_scale_kind k)
{
    return k == DV_SCALE_LOGVAR ? 0.0 : 1.0;
}

/* KL of one diagonal Gaussian (rows of dim entries) against another or N(0, I). */
static double diag_kl(size_t dim, const double *m1, dv_scale_kind k1, const double *s1,
                      const double *m2, dv_scale_kind k2, const double *s2)
{
    dv_acc acc = {0.0, 0.0};
    for (size_t i = 0; i < dim; i++) {
        double a, b;
        if (m2) {
            a = diag_psi(k1, s1[i], k2, s2[i]);
            b = mean_term(m1[i], m2[i], k2, s2[i]);
        } else {
            /* N(0, I) in p's own kind keeps the same-kind exact paths (VAE form). */
            a = diag_psi(k1, s1[i], k1, unit_scale(k1));
            b = mean_term(m1[i], 0.0, k1, unit_scale(k1));
        }
        dv_acc_add(&acc, 0.5 * a);
        dv_acc_add(&acc, b);
    }
    return dv_acc_value(&acc);
}

/* ---- element checks --------------------------------------------------------------------- */

static bool is_diag(dv_scale_kind k)
{
    return k == DV_SCALE_STD || k == DV_SCALE_VAR || k == DV_SCALE_LOGVAR;
}

/* "p.std[2]", "p.std[3][1]" (batch row 3, dim 1 / cov row 3, column 1) or "p.mean". */
static void elem_name(char *buf, size_t cap, const char *name, const char *member, size_t i,
                      size_t rows_or_cov, size_t dim, bool scalar)
{
    if (scalar)
        snprintf(buf, cap, "%s.%s", name, member);
    else if (rows_or_cov)
        snprintf(buf, cap, "%s.%s[%zu][%zu]", name, member, i / dim, i % dim);
    else
        snprintf(buf, cap, "%s.%s[%zu]", name, member, i);
}

/* The location of the same element: (row, column) or (index) inside the member. */
static dv_loc elem_at(int arg, const char *member, size_t i, size_t rows_or_cov, size_t dim)
{
    return rows_or_cov ? dv_at2(arg, member, i / dim, i % dim) : dv_at1(arg, member, i);
}

static const char *gauss_name(int arg)
{
    return arg == DV_ARG_Q ? "q" : "p";
}

static dv_status check_symmetric(const dv_gauss *g, int arg, dv_error *err)
{
    const char *name = gauss_name(arg);
    size_t d = g->dim;
    const double *a = g->scale;
    for (size_t i = 1; i < d; i++) {
        for (size_t j = 0; j < i; j++) {
            double lo = a[i * d + j], up = a[j * d + i];
            /* Scale by the entries and by √(Σii Σjj), so rounding noise around an
             * off-diagonal 0 is still judged against the size of the matrix. */
            double scale = fmax(fmax(fabs(lo), fabs(up)),
                                sqrt(fabs(a[i * d + i])) * sqrt(fabs(a[j * d + j])));
            if (fabs(lo - up) > SYM_TOL * scale) {
                char a1[40], a2[40];
                numfmt_msg(a1, sizeof a1, lo);
                numfmt_msg(a2, sizeof a2, up);
                return dv_fail_at(
                    err, DV_NOT_SYMMETRIC, dv_at2(arg, "cov", i, j),
                    "%s.cov is not symmetric: [%zu][%zu] is %s but [%zu][%zu] "
                    "is %s (they must agree within 1e-12 relative)",
                    name, i, j, a1, j, i, a2);
            }
        }
    }
    return DV_OK;
}

dv_status dv_check_gauss(const dv_gauss *g, int arg, dv_error *err)
{
    const char *name = gauss_name(arg);
    if (g->dim == 0)
        return dv_fail_at(err, DV_EMPTY, dv_at(arg, "mean"),
                          "%s.mean is empty; a Gaussian needs at least one dimension",
                          name);
    if (g->rows > 0 && !is_diag(g->kind))
        return dv_fail_at(
            err, DV_SHAPE_MISMATCH, dv_at(arg, scale_member(g->kind)),
            "%s is a batch of %zu rows; a batch takes std, var or log_var, not cov", name,
            g->rows);
    size_t n_mean = g->dim, n_scale = g->dim;
    if (g->rows > 0 && g->dim > SIZE_MAX / g->rows)
        return dv_fail_at(err, DV_TOO_LARGE, dv_at(arg, "mean"),
                          "%s has %zu rows of %zu dimensions; that is too many entries",
                          name, g->rows, g->dim);
    if (g->rows > 0)
        n_mean = n_scale = g->rows * g->dim;
    if (g->kind == DV_SCALE_COV) {
        if (g->dim > SIZE_MAX / sizeof(double) / g->dim)
            return dv_fail_at(err, DV_TOO_LARGE, dv_at(arg, "cov"),
                              "%s.cov would have %zu x %zu entries; that is too large",
                              name, g->dim, g->dim);
        n_scale = g->dim * g->dim;
    }
    bool scalar = g->rows == 0 && g->dim == 1;
    char where[96], num[40];
    for (size_t i = 0; i < n_mean; i++) {
        if (!isfinite(g->mean[i])) {
            elem_name(where, sizeof where, name, "mean", i, g->rows, g->dim, scalar);
            numfmt_msg(num, sizeof num, g->mean[i]);
            return dv_fail_at(err, DV_NOT_FINITE, elem_at(arg, "mean", i, g->rows, g->dim),
                              "%s is %s; a mean must be a finite number", where, num);
        }
    }
    const char *member = scale_member(g->kind);
    bool cov = g->kind == DV_SCALE_COV;
    for (size_t i = 0; i < n_scale; i++) {
        double s = g->scale[i];
        if (!isfinite(s)) {
            elem_name(where, sizeof where, name, member, i, cov ? 1 : g->rows, g->dim,
                      scalar);
            numfmt_msg(num, sizeof num, s);
            return dv_fail_at(err, DV_NOT_FINITE,
                              elem_at(arg, member, i, cov ? 1 : g->rows, g->dim),
                              "%s is %s; it must be a finite number", where, num);
        }
        if ((g->kind == DV_SCALE_STD || g->kind == DV_SCALE_VAR) && !(s > 0.0)) {
            elem_name(where, sizeof where, name, member, i, g->rows, g->dim, scalar);
            numfmt_msg(num, sizeof num, s);
            return dv_fail_at(
                err, DV_NOT_POSITIVE, elem_at(arg, member, i, g->rows, g->dim),
                "%s is %s; %s must be > 0", where, num,
                g->kind == DV_SCALE_STD ? "a standard deviation" : "a variance");
        }
    }
    return cov ? check_symmetric(g, arg, err) : DV_OK;
}

static dv_status overflow(dv_error *err, const char *what)
{
    return dv_fail_at(err, DV_NOT_FINITE, dv_at(DV_ARG_P, NULL),
                      "the KL divergence%s exceeds the largest double (about 1.8e308); the "
                      "two Gaussians are too far apart to report it",
                      what);
}

/* ---- full covariance ---------------------------------------------------------------------- */

/*
 * Dense lower Cholesky factor of g's covariance into l (dim×dim, row-major, upper part
 * zeroed). g == NULL is the identity; a diagonal kind gives diag(σ). Reads only the lower
 * triangle of a COV (the symmetry check has vouched for the upper one).
 */
static dv_status dense_factor(const dv_gauss *g, size_t d, double *l, int which,
                              dv_error *err)
{
    const char *name = gauss_name(which);
    if (!g || is_diag(g->kind)) {
        memset(l, 0, d * d * sizeof *l);
        for (size_t i = 0; i < d; i++) {
            double s = 1.0;
            if (g && g->kind == DV_SCALE_STD)
                s = g->scale[i];
            else if (g && g->kind == DV_SCALE_VAR)
                s = sqrt(g->scale[i]);
            else if (g)
                s = exp(0.5 * g->scale[i]);
            if (!(s >= DBL_MIN && s <= DBL_MAX)) {
                char num[40];
                numfmt_msg(num, sizeof num, g->scale[i]);
                return dv_fail_at(
                    err, DV_NOT_FINITE, dv_at1(which, scale_member(g->kind), i),
                    "%s.%s[%zu] is %s; its standard deviation is out of the "
                    "range of a double, which a full-covariance KL cannot use",
                    name, scale_member(g->kind), i, num);
            }
            l[i * d + i] = s;
        }
        return DV_OK;
    }
    size_t j = dv_chol_lower(g->scale, d, l);
    if (j < d)
        return dv_fail_at(err, DV_NOT_POSITIVE_DEFINITE, dv_at(which, "cov"),
                          "%s.cov is not positive definite (Cholesky fails at pivot %zu, "
                          "entry [%zu][%zu], counting from 0)",
                          name, j, j, j);
    return DV_OK;
}

size_t dv_chol_lower(const double *a, size_t d, double *l)
{
    memset(l, 0, d * d * sizeof *l);
    for (size_t j = 0; j < d; j++) {
        double s = a[j * d + j];
        for (size_t k = 0; k < j; k++)
            s = fma(-l[j * d + k], l[j * d + k], s); /* fma: one rounding per update */
        if (!(s > 0.0) || !isfinite(s))
            return j;
        double ljj = sqrt(s);
        l[j * d + j] = ljj;
        for (size_t i = j + 1; i < d; i++) {
            double t = a[i * d + j];
            for (size_t k = 0; k < j; k++)
                t = fma(-l[i * d + k], l[j * d + k], t);
            l[i * d + j] = t / ljj;
        }
    }
    return d;
}

/* Σ_ij of g (lower triangle mirrored; a diagonal kind gives its variances; NULL = I). */
static double cov_entry(const dv_gauss *g, size_t d, size_t i, size_t j)
{
    if (!g)
        return i == j ? 1.0 : 0.0;
    if (g->kind == DV_SCALE_COV)
        return i >= j ? g->scale[i * d + j] : g->scale[j * d + i];
    if (i != j)
        return 0.0;
    double s = g->scale[i];
    return g->kind == DV_SCALE_STD ? s * s : g->kind == DV_SCALE_VAR ? s : exp(s);
}

/* In place: A ← L⁻¹ A for lower-triangular L (forward substitution on every column). */
static void lower_solve(const double *l, double *a, size_t d)
{
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++) {
            double t = a[i * d + j];
            for (size_t k = 0; k < i; k++)
                t = fma(-l[i * d + k], a[k * d + j], t);
            a[i * d + j] = t / l[i * d + i];
        }
}

void dv_mat_mul(const double *a, const double *b, size_t d, double *out)
{
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++) {
            double t = 0.0;
            for (size_t m = 0; m < d; m++)
                t = fma(a[i * d + m], b[m * d + j], t);
            out[i * d + j] = t;
        }
}

/*
 * Σ ψ(1 + β_i) over the eigenvalues of the symmetric B (in b; d×d), by
 * Σ_{k≥2} (−1)^k tr(B^k)/k, when ‖B‖_F < 1/16 (then the terms shrink 16× each and the
 * first, ‖B‖_F²/2, dominates: no cancellation). −1 when B is not that small.
 * w needs 2d² doubles.
 */
double dv_psi_eig_series(double *b, size_t d, double *w)
{
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < i; j++) {
            double x = 0.5 * (b[i * d + j] + b[j * d + i]); /* symmetric up to rounding */
            b[i * d + j] = b[j * d + i] = x;
        }
    dv_acc fro = {0.0, 0.0};
    for (size_t i = 0; i < d * d; i++)
        dv_acc_add(&fro, b[i] * b[i]);
    double t2 = dv_acc_value(&fro);
    if (!(t2 < DV_PSI_SERIES_LIMIT * DV_PSI_SERIES_LIMIT))
        return -1.0;
    dv_acc sum = {0.5 * t2, 0.0};
    double *pw = w, *pn = w + d * d;
    memcpy(pw, b, d * d * sizeof *pw); /* B^(k−2) at the top of the loop */
    for (int k = 3; k <= 40; k++) {
        dv_mat_mul(pw, b, d, pn);
        double *sw = pw;
        pw = pn;
        pn = sw;
        double tk = 0.0; /* tr(B^k) = Σ_ij (B^(k−1))_ij B_ji with B symmetric */
        for (size_t i = 0; i < d * d; i++)
            tk = fma(pw[i], b[i], tk);
        double term = ((k % 2) ? -tk : tk) / (double)k;
        dv_acc_add(&sum, term);
        if (fabs(term) < 1e-20 * dv_acc_value(&sum))
            break;
    }
    return dv_acc_value(&sum);
}

/*
 * Σ_i ψ(1 + β_i) for the eigenvalues β of B = L2⁻¹ (Σ1 − Σ2) L2⁻ᵀ, when Σ1 ≈ Σ2.
 * Why: M = L2⁻¹L1 ≈ I then carries absolute errors ~cond·ε, which swamp a KL of 1e-15;
 * Σ1 − Σ2 is exact in the inputs (Sterbenz), so B is accurate relative to itself, and
 * Σ ψ(1+β) = Σ_{k≥2} (−1)^k tr(B^k)/k converges fast for ‖B‖_F < 1/16 with the first term
 * (‖B‖_F²/2) dominant, so there is no cancellation. Returns −1 if ‖B‖_F is not small
 * (the caller keeps its M-based value) and −2 on OOM (likewise).
 */
static double near_cov_psi(const dv_gauss *p, const dv_gauss *q, const double *l2, size_t d)
{
    double *a =
        malloc(4 * d * d * sizeof *a); /* size checked by the caller (6d² + d fits) */
    if (!a)
        return -2.0;
    double *b = a + d * d, *pw = b + d * d; /* pw: the series' 2d² of work */
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++)
            a[i * d + j] = cov_entry(p, d, i, j) - cov_entry(q, d, i, j);
    lower_solve(l2, a, d); /* L2⁻¹ Δ */
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++)
            b[i * d + j] = a[j * d + i]; /* (L2⁻¹Δ)ᵀ = Δ L2⁻ᵀ */
    lower_solve(l2, b, d);               /* B = L2⁻¹ Δ L2⁻ᵀ */
    double v = dv_psi_eig_series(b, d, pw);
    free(a);
    return v;
}

static dv_status full_kl(const dv_gauss *p, const dv_gauss *q, double *nats, dv_error *err)
{
    size_t d = p->dim;
    /* Work space: L1 (becomes M), L2, z — 2d² + d doubles — and 4d² more in the near-equal
     * path; every product checked (6d² + d). */
    if (d > SIZE_MAX / d || d * d > (SIZE_MAX - d) / 6 ||
        6 * d * d + d > SIZE_MAX / sizeof(double))
        return dv_fail_at(err, DV_TOO_LARGE, dv_at(DV_ARG_P, NULL),
                          "a %zu-dimensional full-covariance KL needs too much work space",
                          d);
    double *l1 = malloc((2 * d * d + d) * sizeof *l1);
    if (!l1)
        return dv_fail_at(err, DV_NO_MEMORY, dv_at(DV_ARG_NONE, NULL),
                          "out of memory for the work space of a %zu-dimensional "
                          "full-covariance KL",
                          d);
    double *l2 = l1 + d * d, *z = l2 + d * d;
    dv_status st = dense_factor(p, d, l1, DV_ARG_P, err);
    if (st == DV_OK)
        st = dense_factor(q, d, l2, DV_ARG_Q, err);
    if (st != DV_OK) {
        free(l1);
        return st;
    }
    /* M = L2⁻¹ L1 by forward substitution, row by row, in place over L1 (row i of M needs
     * rows k < i of M and row i of L1, which is not yet overwritten). */
    for (size_t i = 0; i < d; i++) {
        for (size_t j = 0; j <= i; j++) {
            double t = l1[i * d + j];
            for (size_t k = j; k < i; k++)
                t = fma(-l2[i * d + k], l1[k * d + j], t);
            l1[i * d + j] = t / l2[i * d + i];
        }
    }
    /* z = L2⁻¹ (μ2 − μ1); halves if a difference overflows, squared norm × 4 at the end. */
    double scale = 1.0;
    for (size_t i = 0; i < d; i++)
        if (!isfinite((q ? q->mean[i] : 0.0) - p->mean[i]))
            scale = 0.5;
    for (size_t i = 0; i < d; i++) {
        double t = scale * (q ? q->mean[i] : 0.0) - scale * p->mean[i];
        for (size_t k = 0; k < i; k++)
            t = fma(-l2[i * d + k], z[k], t);
        z[i] = t / l2[i * d + i];
    }
    dv_acc acc = {0.0, 0.0}, mean_acc = {0.0, 0.0};
    for (size_t i = 0; i < d; i++) {
        double mii = l1[i * d + i];
        /* ψ(M_ii²) with M_ii² − 1 from one fma: no rounding of M_ii² before the − 1. */
        dv_acc_add(&acc, dv_psi_from(fma(mii, mii, -1.0), 2.0 * log(fabs(mii))));
        for (size_t j = 0; j < i; j++)
            dv_acc_add(&acc, l1[i * d + j] * l1[i * d + j]);
        dv_acc_add(&mean_acc, z[i] * z[i]);
    }
    /* The covariance part ≈ ‖B‖_F²/2 (B as in near_cov_psi); when it is small, recompute it
     * from Σ1 − Σ2, which keeps relative accuracy as Σ1 → Σ2. */
    if (dv_acc_value(&acc) < 0.5 * DV_PSI_SERIES_LIMIT * DV_PSI_SERIES_LIMIT) {
        double near = near_cov_psi(p, q, l2, d);
        if (near >= 0.0) {
            acc.s = near;
            acc.c = 0.0;
        }
    }
    free(l1);
    double mean_part = dv_acc_value(&mean_acc) / (scale * scale);
    dv_acc_add(&acc, mean_part);
    double v = 0.5 * dv_acc_value(&acc);
    if (!isfinite(v))
        return overflow(err, "");
    *nats = v;
    return DV_OK;
}

/* ---- public entry points -------------------------------------------------------------------- */

dv_status dv_gaussian_kl(const dv_gauss *p, const dv_gauss *q, double *nats, dv_error *err)
{
    if (p->rows != 0 || (q && q->rows != 0))
        return dv_fail_at(err, DV_SHAPE_MISMATCH,
                          dv_at(p->rows != 0 ? DV_ARG_P : DV_ARG_Q, NULL),
                          "%s is a batch of rows; use the batch form for rows of Gaussians",
                          p->rows != 0 ? "p" : "q");
    dv_status st = dv_check_gauss(p, DV_ARG_P, err);
    if (st == DV_OK && q)
        st = dv_check_gauss(q, DV_ARG_Q, err);
    if (st != DV_OK)
        return st;
    if (q && q->dim != p->dim)
        return dv_fail_at(err, DV_SHAPE_MISMATCH, dv_at(DV_ARG_Q, NULL),
                          "p has dimension %zu but q has dimension %zu; they must be equal",
                          p->dim, q->dim);
    if (p->kind == DV_SCALE_COV || (q && q->kind == DV_SCALE_COV))
        return full_kl(p, q, nats, err);
    double v = diag_kl(p->dim, p->mean, p->kind, p->scale, q ? q->mean : NULL,
                       q ? q->kind : p->kind, q ? q->scale : NULL);
    if (!isfinite(v))
        return overflow(err, "");
    *nats = v;
    return DV_OK;
}

dv_status dv_gaussian_kl_rows(const dv_gauss *p, const dv_gauss *q, double *kl,
                              double *sum_nats, double *mean_nats, dv_error *err)
{
    if (p->rows == 0)
        return dv_fail_at(err, DV_SHAPE_MISMATCH, dv_at(DV_ARG_P, NULL),
                          "p is a single Gaussian; the batch form needs rows >= 1");
    dv_status st = dv_check_gauss(p, DV_ARG_P, err);
    if (st == DV_OK && q)
        st = dv_check_gauss(q, DV_ARG_Q, err);
    if (st != DV_OK)
        return st;
    if (q && !is_diag(q->kind))
        return dv_fail_at(
            err, DV_SHAPE_MISMATCH, dv_at(DV_ARG_Q, NULL),
            "q has a full covariance; a batch compares diagonal Gaussians only "
            "(give q as std, var or log_var)");
    if (q && q->dim != p->dim)
        return dv_fail_at(err, DV_SHAPE_MISMATCH, dv_at(DV_ARG_Q, NULL),
                          "p has dimension %zu but q has dimension %zu; they must be equal",
                          p->dim, q->dim);
    if (q && q->rows != 0 && q->rows != p->rows)
        return dv_fail_at(
            err, DV_SHAPE_MISMATCH, dv_at(DV_ARG_Q, NULL),
            "p has %zu rows but q has %zu rows; give q the same rows or a single "
            "Gaussian to compare every row against",
            p->rows, q->rows);
    size_t d = p->dim;
    dv_acc acc = {0.0, 0.0};
    for (size_t r = 0; r < p->rows; r++) {
        size_t qoff = (q && q->rows != 0) ? r * d : 0; /* rows == 0: broadcast q */
        double v = diag_kl(d, p->mean + r * d, p->kind, p->scale + r * d,
                           q ? q->mean + qoff : NULL, q ? q->kind : p->kind,
                           q ? q->scale + qoff : NULL);
        if (!isfinite(v)) {
            char what[48];
            snprintf(what, sizeof what, " of row %zu", r);
            return overflow(err, what);
        }
        kl[r] = v;
        dv_acc_add(&acc, v);
    }
    double sum = dv_acc_value(&acc);
    if (!isfinite(sum))
        return overflow(err, " summed over the rows");
    *sum_nats = sum;
    *mean_nats = sum / (double)p->rows;
    return DV_OK;
}
