/*
 * fam_cont.c — the continuous parametric families of SPEC §8: parameter checks,
 * differential entropies and closed-form KL divergences (nats), one distribution per call.
 *
 * Why it is built this way:
 *  - Same-family KLs are Bregman divergences of a log-normaliser, whose textbook form is
 *    three O(h) terms summing to O(h²) when the parameters differ by h. Each one is
 *    rewritten here as a sum of terms that are each ≥ 0 (or each O(h²)), using the
 *    Bregman helpers of special.c: gamma–gamma, beta–beta, Dirichlet via the lgamma
 *    Bregman; von Mises via that of log I0; continuous Bernoulli via that of
 *    log(sinh x/x); Gumbel and Weibull (one is the other after x ↦ −log x) as
 *    (e^y − 1 − y) + B_lgamma(2, u) + (u − log1p u); normal, log-normal and half-normal
 *    through dv_gaussian_kl (same bits as /gaussian-kl); ratios near 1 as log1p of an
 *    exact difference.
 *  - Cross-family KLs are −H(p) + E_p[−log q], with E_p[−log q] written from p's mean,
 *    variance, E log x, E log(1 − x) or moment generating function; they are never
 *    between nearly equal distributions, so the plain sum keeps its digits.
 *  - exponential(rate) and chi2(df) are handled as gamma(1, rate) and gamma(df/2, ½)
 *    wherever a gamma may appear (gamma_of).
 *  - +∞ results carry a constant reason sentence.
 */
#include <assert.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "fam_cont.h"
#include "internal.h"
#include "numfmt.h"
#include "special.h"

/* ½(1 + log 2π), ½ log 2π, log 4π, ½(1 + log(π/2)) — rounded from 50 digits. */
#define C_NORMAL_H 0x1.6b3f8e4325f5ap+0
#define C_HALF_LOG_2PI 0x1.d67f1c864beb5p-1
#define C_LOG_4PI 0x1.43f89a3f0edd6p+1
#define C_PI2_6 0x1.a51a6625307d3p+0 /* π²/6 */

static const char *const R_SUPPORT =
    "p gives positive probability to a region where q's density is 0 (p's support is not "
    "inside q's)";
static const char *const R_TAILS =
    "p's tails are too heavy for q: E_p[-log q] diverges (a cauchy has no finite mean or "
    "variance)";
static const char *const R_PARETO_MEAN =
    "p's tails are too heavy for q: a pareto with alpha <= 1 has no finite mean, and q's "
    "-log density grows linearly";
static const char *const R_PARETO_VAR =
    "p's tails are too heavy for q: a pareto with alpha <= 2 has no finite variance, and "
    "q's -log density grows quadratically";
static const char *const R_PARETO_SCALE =
    "p's support [p.scale, inf) is not inside q's [q.scale, inf): p.scale < q.scale";
static const char *const R_INTERVAL = "p's support is not inside q's: p's [low, high] (or "
                                      "[0, 1]) reaches outside q's support";

/* ---- checks ------------------------------------------------------------------------- */

static const char *argname(int arg)
{
    return arg == DV_ARG_Q ? "q" : "p";
}

typedef enum { D_FINITE, D_POS, D_NONNEG, D_OPEN01 } domain;

static dv_status check_scalar(const dv_fdist *x, int arg, size_t i, domain d, dv_error *err)
{
    const char *name = x->fam->params[i].name;
    double v = x->s[i];
    char num[40];
    if (isnan(v))
        return dv_fail_at(err, DV_BAD_PARAMETER, dv_at(arg, name),
                          "%s.%s is missing; %s needs it (%s)", argname(arg), name,
                          x->fam->name, x->fam->params[i].domain);
    numfmt_msg(num, sizeof num, v);
    if (!isfinite(v))
        return dv_fail_at(err, DV_NOT_FINITE, dv_at(arg, name),
                          "%s.%s is %s; it must be finite", argname(arg), name, num);
    switch (d) {
    case D_FINITE: break;
    case D_POS:
        if (!(v > 0.0))
            return dv_fail_at(err, DV_NOT_POSITIVE, dv_at(arg, name),
                              "%s.%s is %s; it must be > 0", argname(arg), name, num);
        break;
    case D_NONNEG:
        if (!(v >= 0.0))
            return dv_fail_at(err, DV_NEGATIVE, dv_at(arg, name),
                              "%s.%s is %s; it must be >= 0", argname(arg), name, num);
        break;
    case D_OPEN01:
        if (!(v > 0.0 && v < 1.0))
            return dv_fail_at(err, DV_BAD_PARAMETER, dv_at(arg, name),
                              "%s.%s is %s; it must be in (0, 1)", argname(arg), name, num);
        break;
    }
    return DV_OK;
}

static dv_status check_loc_scale(const dv_fdist *x, int arg, dv_error *err)
{
    dv_status st = check_scalar(x, arg, 0, D_FINITE, err);
    return st ? st : check_scalar(x, arg, 1, D_POS, err);
}

static dv_status check_two_pos(const dv_fdist *x, int arg, dv_error *err)
{
    dv_status st = check_scalar(x, arg, 0, D_POS, err);
    return st ? st : check_scalar(x, arg, 1, D_POS, err);
}

dv_status dv_fam_normal_check(const dv_fdist *x, int arg, dv_error *err)
{
    return check_loc_scale(x, arg, err);
}
dv_status dv_fam_laplace_check(const dv_fdist *x, int arg, dv_error *err)
{
    return check_loc_scale(x, arg, err);
}
dv_status dv_fam_cauchy_check(const dv_fdist *x, int arg, dv_error *err)
{
    return check_loc_scale(x, arg, err);
}
dv_status dv_fam_gumbel_check(const dv_fdist *x, int arg, dv_error *err)
{
    return check_loc_scale(x, arg, err);
}
dv_status dv_fam_log_normal_check(const dv_fdist *x, int arg, dv_error *err)
{
    return check_loc_scale(x, arg, err);
}
dv_status dv_fam_half_normal_check(const dv_fdist *x, int arg, dv_error *err)
{
    return check_scalar(x, arg, 0, D_POS, err);
}
dv_status dv_fam_exponential_check(const dv_fdist *x, int arg, dv_error *err)
{
    return check_scalar(x, arg, 0, D_POS, err);
}
dv_status dv_fam_chi2_check(const dv_fdist *x, int arg, dv_error *err)
{
    return check_scalar(x, arg, 0, D_POS, err);
}
dv_status dv_fam_gamma_check(const dv_fdist *x, int arg, dv_error *err)
{
    return check_two_pos(x, arg, err);
}
dv_status dv_fam_weibull_check(const dv_fdist *x, int arg, dv_error *err)
{
    return check_two_pos(x, arg, err);
}
dv_status dv_fam_pareto_check(const dv_fdist *x, int arg, dv_error *err)
{
    return check_two_pos(x, arg, err);
}
dv_status dv_fam_beta_check(const dv_fdist *x, int arg, dv_error *err)
{
    return check_two_pos(x, arg, err);
}

dv_status dv_fam_uniform_check(const dv_fdist *x, int arg, dv_error *err)
{
    dv_status st = check_scalar(x, arg, 0, D_FINITE, err);
    if (!st)
        st = check_scalar(x, arg, 1, D_FINITE, err);
    if (st)
        return st;
    if (!(x->s[0] < x->s[1])) {
        char lo[40], hi[40];
        numfmt_msg(lo, sizeof lo, x->s[0]);
        numfmt_msg(hi, sizeof hi, x->s[1]);
        return dv_fail_at(err, DV_BAD_PARAMETER, dv_at(arg, "high"),
                          "%s.high is %s but %s.low is %s; high must be > low",
                          argname(arg), hi, argname(arg), lo);
    }
    return DV_OK;
}

dv_status dv_fam_continuous_bernoulli_check(const dv_fdist *x, int arg, dv_error *err)
{
    bool hp = !isnan(x->s[0]), hl = !isnan(x->s[1]);
    if (hp == hl)
        return dv_fail_at(err, DV_BAD_PARAMETER, dv_at(arg, hp ? "logits" : "probs"),
                          "%s: give exactly one of probs and logits (%s)", argname(arg),
                          hp ? "both were given" : "neither was given");
    return hp ? check_scalar(x, arg, 0, D_OPEN01, err)
              : check_scalar(x, arg, 1, D_FINITE, err);
}

dv_status dv_fam_von_mises_check(const dv_fdist *x, int arg, dv_error *err)
{
    dv_status st = check_scalar(x, arg, 0, D_FINITE, err);
    return st ? st : check_scalar(x, arg, 1, D_NONNEG, err);
}

dv_status dv_fam_dirichlet_check(const dv_fdist *x, int arg, dv_error *err)
{
    const double *a = x->v[0];
    if (!a)
        return dv_fail_at(err, DV_BAD_PARAMETER, dv_at(arg, "concentration"),
                          "%s.concentration is missing; dirichlet needs a vector of > 0",
                          argname(arg));
    if (x->d < 2)
        return dv_fail_at(err, x->d == 0 ? DV_EMPTY : DV_SHAPE_MISMATCH,
                          dv_at(arg, "concentration"),
                          "%s.concentration has %zu entries; a dirichlet needs at least 2",
                          argname(arg), x->d);
    for (size_t i = 0; i < x->d; i++) {
        char num[40];
        numfmt_msg(num, sizeof num, a[i]);
        if (!isfinite(a[i]))
            return dv_fail_at(err, DV_NOT_FINITE, dv_at1(arg, "concentration", i),
                              "%s.concentration[%zu] is %s; it must be finite",
                              argname(arg), i, num);
        if (!(a[i] > 0.0))
            return dv_fail_at(err, DV_NOT_POSITIVE, dv_at1(arg, "concentration", i),
                              "%s.concentration[%zu] is %s; it must be > 0", argname(arg),
                              i, num);
    }
    return DV_OK;
}

/* ---- small helpers ------------------------------------------------------------------ */

/* log(a/b) for a, b > 0: log1p of the exact difference when a/b is near 1 (where a − b is
   exact by Sterbenz), and free of overflow of the quotient elsewhere. */
static double log_ratio(double a, double b)
{
    if (a <= 2.0 * b && b <= 2.0 * a)
        return log1p((a - b) / b);
    double q = a / b;
    if (q >= DBL_MIN && q <= DBL_MAX)
        return log(q);
    return log(a) - log(b);
}

static dv_status ok_value(double v, bool kl, dv_fresult *out, dv_error *err)
{
    if (isnan(v) || (!kl && isinf(v)) || (kl && isinf(v)))
        return dv_fail_at(err, DV_NOT_FINITE, dv_at(DV_ARG_NONE, NULL),
                          "the result is not representable as a double for these "
                          "parameters (%s)",
                          isnan(v) ? "its terms overflow"
                                   : "it exceeds the largest double");
    out->nats = (kl && v < 0.0) ? 0.0 : v; /* a KL is ≥ 0; tiny negatives are rounding */
    out->reason = NULL;
    return DV_OK;
}

static dv_status infinite(const char *reason, dv_fresult *out)
{
    out->nats = INFINITY;
    out->reason = reason;
    return DV_OK;
}

/* Compensated sums; an infinite term makes the sum infinite (the compensation would turn
   inf − inf into NaN). */
static double sumv(const double *t, size_t n);

static double sum3(double a, double b, double c)
{
    double t[3] = {a, b, c};
    return sumv(t, 3);
}

static double sumv(const double *t, size_t n)
{
    double inf = 0.0;
    for (size_t i = 0; i < n; i++)
        if (isinf(t[i]))
            inf = isinf(inf) && (inf > 0) != (t[i] > 0) ? (double)NAN : t[i];
    if (fpclassify(inf) != FP_ZERO)
        return inf;
    dv_acc s = {0, 0};
    for (size_t i = 0; i < n; i++)
        dv_acc_add(&s, t[i]);
    return dv_acc_value(&s);
}

static bool is_fam(const dv_fdist *x, const char *name)
{
    return strcmp(x->fam->name, name) == 0;
}

/* exponential, chi2 and gamma as (concentration, rate). */
static void gamma_of(const dv_fdist *x, double *a, double *b)
{
    if (is_fam(x, "exponential")) {
        *a = 1.0;
        *b = x->s[0];
    } else if (is_fam(x, "chi2")) {
        *a = 0.5 * x->s[0];
        *b = 0.5;
    } else {
        assert(is_fam(x, "gamma"));
        *a = x->s[0];
        *b = x->s[1];
    }
}

/* Continuous Bernoulli natural parameter η = logit(probs) (or the logits as given). */
static double cb_eta(const dv_fdist *x)
{
    if (!isnan(x->s[1]))
        return x->s[1];
    double l = x->s[0];
    /* 2l − 1 and 1 − l are exact for l in [¼, 1): log1p keeps η's digits near ½. */
    if (l >= 0.25 && l <= 0.75)
        return log1p((2.0 * l - 1.0) / (1.0 - l));
    return log(l) - log1p(-l);
}

/* A(η) = log ∫₀¹ e^{ηx} dx = η/2 + log(sinh(η/2)/(η/2)). */
static double cb_lognorm(double eta)
{
    return 0.5 * eta + dv_logsinhc(0.5 * eta);
}

static double cb_mean(double eta)
{
    return 0.5 + 0.5 * dv_logsinhc_d1(0.5 * eta);
}

static double cb_var(double eta)
{
    return 0.25 * dv_logsinhc_d2(0.5 * eta);
}

/* ---- entropies ---------------------------------------------------------------------- */

static double h_normal(double scale)
{
    return C_NORMAL_H + log(scale);
}

static double h_gamma(double a, double b)
{
    if (a < 10.0)
        return sum3(a - log(b), lgamma(a), (1.0 - a) * dv_digamma(a));
    /* With lgamma = (a−½)log a − a + ½log 2π + S(a) and ψ = log a − 1/(2a) − T(a), the
       a·log a and a terms cancel analytically: H = ½(1 + log 2πa) − log b − 1/(2a)
       + S(a) + (a − 1)T(a). */
    double t = -dv_digamma_mlog(a) - 0.5 / a;
    double parts[5] = {C_NORMAL_H, 0.5 * log(a), -log(b), -0.5 / a + dv_binet(a),
                       (a - 1.0) * t};
    return sumv(parts, 5);
}

static double h_beta(double a, double b)
{
    if (a < 10.0 || b < 10.0) {
        if (a > b) {
            double t = a;
            a = b;
            b = t;
        }
        /* a ≤ b. lnB = lgamma(a) − [lgamma(a+b) − lgamma(b)], and
           (a+b−2)ψ(a+b) − (b−1)ψ(b) = (b−1)[ψ(a+b) − ψ(b)] + (a−1)ψ(a+b): the large
           lgamma and digamma values of b never meet their near-equal partners. */
        double lgd = dv_lgamma_bregman_h(b, a) + a * dv_digamma(b);
        double parts[5] = {lgamma(a), -(a - 1.0) * dv_digamma(a), -lgd,
                           (b - 1.0) * dv_digamma_diff(b, a),
                           (a - 1.0) * dv_digamma(a + b)};
        return sumv(parts, 5);
    }
    /* Both ≥ 10: Stirling as in h_gamma; the terms linear in a, b cancel exactly. */
    double s = a + b;
    double ta = -dv_digamma_mlog(a) - 0.5 / a, tb = -dv_digamma_mlog(b) - 0.5 / b;
    double ts = -dv_digamma_mlog(s) - 0.5 / s;
    double parts[8] = {0.5 * (log(a / s) + log(b / s) - log(s)),
                       C_HALF_LOG_2PI + 0.5,
                       -0.5 / a - 0.5 / b + 1.0 / s,
                       dv_binet(a) + dv_binet(b) - dv_binet(s),
                       (a - 1.0) * ta,
                       (b - 1.0) * tb,
                       -(s - 2.0) * ts,
                       0.0};
    return sumv(parts, 8);
}

static double h_cb(double eta)
{
    double x = 0.5 * eta, ax = fabs(x);
    if (ax >= 20.0) {
        /* g = |x| − log 2 − log|x| + R, R = log1p(−e^−2|x|): g − x g' without the |x|. */
        double r = log1p(-exp(-2.0 * ax)), r1 = 2.0 / expm1(2.0 * ax);
        return sum3(1.0 - M_LN2, -log(ax), r - ax * r1);
    }
    return dv_logsinhc(x) - x * dv_logsinhc_d1(x);
}

static double h_von_mises(double k)
{
    /* log(2π I0) − κA = log 2π + (log I0 − κ) + κ(1 − A): the two terms of size κ are
       taken out analytically. */
    return sum3(2.0 * C_HALF_LOG_2PI, dv_log_i0e(k), k * dv_bessel_ratio_c(k));
}

static double h_uniform(double lo, double hi)
{
    double w = hi - lo;
    if (!isfinite(w))
        return log(0.5 * hi - 0.5 * lo) + M_LN2;
    /* hi − lo rounded costs ½ ulp relative; its error lo part is below that. */
    return log(w);
}

static double h_weibull(double scale, double k)
{
    return sum3(DV_EULER * (1.0 - 1.0 / k), log(scale / k), 1.0);
}

static double h_pareto(double scale, double alpha)
{
    return sum3(log(scale / alpha), 1.0 / alpha, 1.0);
}

static double h_dirichlet(const double *a, size_t k)
{
    dv_acc s0 = {0, 0}, h = {0, 0};
    double mn = INFINITY;
    for (size_t i = 0; i < k; i++) {
        dv_acc_add(&s0, a[i]);
        mn = fmin(mn, a[i]);
    }
    double a0 = dv_acc_value(&s0), K = (double)k;
    if (mn >= 10.0) {
        /* Stirling for every term (as h_beta): the terms linear in α cancel exactly, and
           H = ½Σlog(α_i/α0) − ((K−1)/2)log α0 + (K−1)(½log 2π + ½) + ΣS(α_i) − S(α0)
               − Σ1/(2α_i) + K/(2α0) + Σ(α_i − 1)T(α_i) − (α0 − K)T(α0). */
        for (size_t i = 0; i < k; i++) {
            double t = -dv_digamma_mlog(a[i]) - 0.5 / a[i];
            dv_acc_add(&h, 0.5 * log(a[i] / a0));
            dv_acc_add(&h, dv_binet(a[i]) - 0.5 / a[i]);
            dv_acc_add(&h, (a[i] - 1.0) * t);
        }
        double t0 = -dv_digamma_mlog(a0) - 0.5 / a0;
        dv_acc_add(&h, -0.5 * (K - 1.0) * log(a0));
        dv_acc_add(&h, (K - 1.0) * C_NORMAL_H);
        dv_acc_add(&h, -dv_binet(a0) + K / (2.0 * a0));
        dv_acc_add(&h, -(a0 - K) * t0);
        return dv_acc_value(&h);
    }
    /* As in h_beta: the largest α_m = M never meets α0 = M + r directly.
       lgamma(M) − lgamma(α0) = −[B_lgamma(M, r) + rψ(M)], and
       (α0 − K)ψ(α0) − (M − 1)ψ(M) = (M − 1)[ψ(α0) − ψ(M)] + (r − K + 1)ψ(α0). */
    size_t m = 0;
    dv_acc rest = {0, 0};
    for (size_t i = 1; i < k; i++)
        if (a[i] > a[m])
            m = i;
    for (size_t i = 0; i < k; i++) {
        if (i == m)
            continue;
        dv_acc_add(&rest, a[i]);
        dv_acc_add(&h, lgamma(a[i]));
        dv_acc_add(&h, -(a[i] - 1.0) * dv_digamma(a[i]));
    }
    double M = a[m], r = dv_acc_value(&rest);
    dv_acc_add(&h, -dv_lgamma_bregman_h(M, r));
    dv_acc_add(&h, -r * dv_digamma(M));
    dv_acc_add(&h, (M - 1.0) * dv_digamma_diff(M, r));
    dv_acc_add(&h, (r - K + 1.0) * dv_digamma(a0));
    return dv_acc_value(&h);
}

/* The entropy of any continuous family of this file, by name. */
static double entropy_of(const dv_fdist *x)
{
    const char *n = x->fam->name;
    const double *s = x->s;
    if (!strcmp(n, "normal"))
        return h_normal(s[1]);
    if (!strcmp(n, "laplace"))
        return 1.0 + M_LN2 + log(s[1]);
    if (!strcmp(n, "cauchy"))
        return C_LOG_4PI + log(s[1]);
    if (!strcmp(n, "gumbel"))
        return log(s[1]) + (1.0 + DV_EULER);
    if (!strcmp(n, "half_normal"))
        return C_NORMAL_H - M_LN2 + log(s[0]);
    if (!strcmp(n, "log_normal"))
        return sum3(s[0], C_NORMAL_H, log(s[1]));
    if (!strcmp(n, "exponential") || !strcmp(n, "chi2") || !strcmp(n, "gamma")) {
        double a, b;
        gamma_of(x, &a, &b);
        return h_gamma(a, b);
    }
    if (!strcmp(n, "weibull"))
        return h_weibull(s[0], s[1]);
    if (!strcmp(n, "pareto"))
        return h_pareto(s[0], s[1]);
    if (!strcmp(n, "uniform"))
        return h_uniform(s[0], s[1]);
    if (!strcmp(n, "beta"))
        return h_beta(s[0], s[1]);
    if (!strcmp(n, "continuous_bernoulli"))
        return h_cb(cb_eta(x));
    if (!strcmp(n, "von_mises"))
        return h_von_mises(s[1]);
    assert(!strcmp(n, "dirichlet"));
    return h_dirichlet(x->v[0], x->d);
}

#define ENTROPY_FN(f)                                                                      \
    dv_status dv_fam_##f##_entropy(const dv_fdist *x, dv_fresult *out, dv_error *err)      \
    {                                                                                      \
        return ok_value(entropy_of(x), false, out, err);                                   \
    }
DV_FAM_CONT_FAMILIES(ENTROPY_FN)
#undef ENTROPY_FN

/* ---- same-family KL ------------------------------------------------------------------ */

static dv_status gauss1(double m1, double s1, double m2, double s2, dv_fresult *out,
                        dv_error *err)
{
    dv_gauss gp = {0, 1, &m1, DV_SCALE_STD, &s1}, gq = {0, 1, &m2, DV_SCALE_STD, &s2};
    double nats;
    dv_status st = dv_gaussian_kl(&gp, &gq, &nats, err);
    if (st)
        return st;
    return ok_value(nats, true, out, err);
}

dv_status dv_fam_normal_normal_kl(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                                  dv_error *err)
{
    return gauss1(p->s[0], p->s[1], q->s[0], q->s[1], out, err);
}

/* The KL is invariant under x ↦ log x, so log-normal is normal on the log scale. */
dv_status dv_fam_log_normal_log_normal_kl(const dv_fdist *p, const dv_fdist *q,
                                          dv_fresult *out, dv_error *err)
{
    return gauss1(p->s[0], p->s[1], q->s[0], q->s[1], out, err);
}

/* A half-normal is |N(0, σ²)|, and folding both at 0 keeps the KL. */
dv_status dv_fam_half_normal_half_normal_kl(const dv_fdist *p, const dv_fdist *q,
                                            dv_fresult *out, dv_error *err)
{
    return gauss1(0.0, p->s[0], 0.0, q->s[0], out, err);
}

dv_status dv_fam_laplace_laplace_kl(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                                    dv_error *err)
{
    /* KL = −log r + Δ/bq + r e^−z − 1, r = bp/bq, z = Δ/bp, Δ = |μp − μq|. With
       y = log r − z: KL = (e^y − 1 − y) + z(r − 1), both ≥ 0 when r ≥ 1, and within a
       factor 2 of cancelling for ½ ≤ r < 1; below that the original terms are used. */
    double bp = p->s[1], bq = q->s[1];
    double d = fabs(p->s[0] - q->s[0]), z = d / bp;
    double lr = log_ratio(bp, bq), u = (bp - bq) / bq, r = bp / bq;
    double v;
    if (u >= -0.5)
        v = dv_expm1mx(lr - z) + z * u;
    else
        v = sum3(exp(lr - z) - 1.0, -lr, d / bq);
    return ok_value(v, true, out, err);
    (void)r;
}

dv_status dv_fam_cauchy_cauchy_kl(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                                  dv_error *err)
{
    /* log[((γp+γq)² + Δ²)/(4γpγq)] = log1p(((γp−γq)² + Δ²)/(4γpγq)), scaled by the
       largest of the three so nothing overflows. */
    double gp = p->s[1], gq = q->s[1], d = p->s[0] - q->s[0];
    double m = fmax(fmax(gp, gq), fabs(d));
    double a = (gp - gq) / m, dd = d / m, den = 4.0 * (gp / m) * (gq / m);
    double v;
    if (den >= DBL_MIN && isfinite(dd * dd / den))
        v = log1p((a * a + dd * dd) / den);
    else {
        double sp = (gp + gq) / m;
        v = log(sp * sp + dd * dd) + 2.0 * log(m) - (2.0 * M_LN2 + log(gp) + log(gq));
    }
    return ok_value(v, true, out, err);
}

/* Gumbel KL from r = a/b = σp/σq (u = r − 1) and z = (μp − μq)/σq: with
   y = −z + lgamma(2 + u), KL = (e^y − 1 − y) + B_lgamma(2, u) + (u − log1p u): three
   non-negative terms; the last from a and b themselves, so r ≪ 1 keeps its digits. */
static double gumbel_core(double a, double b, double z)
{
    double u = (a - b) / b;
    double y = -z + dv_lgamma2p(u);
    return sum3(dv_expm1mx(y), dv_lgamma_bregman_h(2.0, u), dv_ratio_psi(a, b));
}

dv_status dv_fam_gumbel_gumbel_kl(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                                  dv_error *err)
{
    double z = (p->s[0] - q->s[0]) / q->s[1];
    return ok_value(gumbel_core(p->s[1], q->s[1], z), true, out, err);
}

/* Weibull(λ, k) ↦ −log X is Gumbel(−log λ, 1/k): u = k2/k1 − 1, z = −k2 log(λ1/λ2). */
dv_status dv_fam_weibull_weibull_kl(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                                    dv_error *err)
{
    double z = -q->s[1] * log_ratio(p->s[0], q->s[0]);
    return ok_value(gumbel_core(q->s[1], p->s[1], z), true, out, err);
}

static double gamma_gamma(double ap, double bp, double aq, double bq)
{
    double h = aq - ap, db = bq - bp;
    if (fmin(ap, aq) >= 10.0) {
        /* Stirling: B_lgamma(ap, h) = ap·φ2(ε) − ½(log1p ε − ε) + tail, φ2(e) =
           (1+e)log1p e − e, ε = h/ap; the rate part is ap(δ − log1p δ) − h log1p δ.
           Together ap·φ2(ε) + rate part = ap(1+δ)·φ2(t), t = (ε − δ)/(1 + δ) =
           (h·bp − ap·db)/(ap·bq): a non-negative term even when shape and rate move
           together (the mean-preserving direction where the separate terms cancel). */
        double p1 = h * bp, e1 = fma(h, bp, -p1);
        double p2 = ap * db, e2 = fma(ap, db, -p2);
        double num = (p1 - p2) + (e1 - e2);
        double t = num / (ap * bq);
        double e = h / ap;
        if (isfinite(num) && isfinite(t) && isfinite(ap * bq))
            return sum3((ap * (bq / bp)) * dv_xlog1pxmx(t), -0.5 * dv_log1pmx(e),
                        dv_binet_bregman(ap, h, aq));
    }
    double l1d = log_ratio(bq, bp), lin;
    double g = dv_lgamma_bregman_lin(ap, h, aq, &lin);
    if (lin > 0.0)
        /* B_lgamma ≈ ap here: with ap taken out of it, the rest of the rate term is
           ap(1 + δ) − aq log1p δ = ap·bq/bp − aq log(bq/bp), with no term of size ap. */
        return sum3(g, ap * (bq / bp), -aq * l1d);
    return sum3(g, ap * dv_ratio_psi(bq, bp), -h * l1d);
}

dv_status dv_fam_gamma_gamma_kl(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                                dv_error *err)
{
    double ap, bp, aq, bq;
    gamma_of(p, &ap, &bp);
    gamma_of(q, &aq, &bq);
    return ok_value(gamma_gamma(ap, bp, aq, bq), true, out, err);
}

dv_status dv_fam_pareto_pareto_kl(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                                  dv_error *err)
{
    double sp = p->s[0], ap = p->s[1], sq = q->s[0], aq = q->s[1];
    if (sp < sq)
        return infinite(R_PARETO_SCALE, out);
    /* αq log(sp/sq) + (ρ − 1 − log ρ), ρ = αq/αp: both ≥ 0. */
    double v = aq * log_ratio(sp, sq) + dv_ratio_psi(aq, ap);
    return ok_value(v, true, out, err);
}

dv_status dv_fam_uniform_uniform_kl(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                                    dv_error *err)
{
    double lp = p->s[0], hp = p->s[1], lq = q->s[0], hq = q->s[1];
    if (lp < lq || hp > hq)
        return infinite(R_INTERVAL, out);
    /* log(wq/wp) = log1p(((hq − hp) + (lp − lq))/wp): the two gaps are ≥ 0 and exact
       when the intervals nearly agree. */
    double gap = (hq - hp) + (lp - lq), wp = hp - lp;
    if (!isfinite(gap) || !isfinite(wp)) { /* widths beyond DBL_MAX: halve everything */
        gap = (0.5 * hq - 0.5 * hp) + (0.5 * lp - 0.5 * lq);
        wp = 0.5 * hp - 0.5 * lp;
    }
    return ok_value(log1p(gap / wp), true, out, err);
}

/*
 * All αp_i, αq_i ≥ 10: Stirling for every term. The leading parts x_i·φ2(ε_i) summed
 * minus P·φ2(E) (P = Σx_i, E = H/P the weighted mean of ε_i = h_i/x_i) is the Jensen gap
 * of the convex φ2, which equals Σ x_i(1 + E)·φ2(t_i), t_i = (ε_i − E)/(1 + E): all terms
 * ≥ 0, and 0 exactly when q is p scaled (where the separate terms cancel to nothing).
 */
static double dirichlet_kl_stirling(const double *ap, const double *aq, size_t k, double P,
                                    double H, double Q)
{
    dv_acc kl = {0, 0};
    /* 1 + E = Q/P and log1p(E) − E from the ratio itself where E is near −1 (where
       E = H/P has lost 1 + E to rounding) */
    double E = H / P, onep_E = E > -0.5 ? 1.0 + E : Q / P;
    double l1_E = E > -0.5 ? dv_log1pmx(E) : log(onep_E) - E;
    for (size_t i = 0; i < k; i++) {
        double x = ap[i], y = aq[i], h = y - x, e = h / x;
        /* ε_i − E = (h·P − H·x)/(x·P), the numerator from exact products */
        double p1 = h * P, e1 = fma(h, P, -p1), p2 = H * x, e2 = fma(H, x, -p2);
        double num = (p1 - p2) + (e1 - e2);
        double d = isfinite(num) && isfinite(x * P) ? num / (x * P) : e - E;
        double t = d / onep_E;
        double l1_e = e > -0.5 ? dv_log1pmx(e) : log(y / x) - e;
        dv_acc_add(&kl, x * onep_E * dv_xlog1pxmx(t));
        dv_acc_add(&kl, -0.5 * l1_e);
        dv_acc_add(&kl, dv_binet_bregman(x, h, y));
    }
    dv_acc_add(&kl, 0.5 * l1_E);
    dv_acc_add(&kl, -dv_binet_bregman(P, H, Q));
    return dv_acc_value(&kl);
}

/* Σ B_lgamma(αp_i, h_i) − B_lgamma(Σαp, Σh): Dirichlet (and beta, k = 2). */
static double dirichlet_kl(const double *ap, const double *aq, size_t k)
{
    dv_acc sp = {0, 0}, sh = {0, 0}, kl = {0, 0};
    double mn = INFINITY;
    for (size_t i = 0; i < k; i++) {
        dv_acc_add(&sp, ap[i]);
        dv_acc_add(&sh, aq[i] - ap[i]);
        mn = fmin(mn, fmin(ap[i], aq[i]));
    }
    double P = sp.s, P_lo = sp.c, H = dv_acc_value(&sh);
    bool near = true;
    for (size_t i = 0; i < k && near; i++)
        near = fabs(aq[i] - ap[i]) <= 0.5 * ap[i];
    if (near && k <= 64) {
        double h[64];
        for (size_t i = 0; i < k; i++)
            h[i] = aq[i] - ap[i]; /* exact: αq_i within a factor 2 of αp_i (Sterbenz) */
        return dv_dirichlet_bregman_near(ap, h, k, P, H);
    }
    if (mn >= 10.0) {
        dv_acc sq = {0, 0};
        for (size_t i = 0; i < k; i++)
            dv_acc_add(&sq, aq[i]);
        return dirichlet_kl_stirling(ap, aq, k, P, H, dv_acc_value(&sq));
    }
    /* One dominant component m (x = αp_m, Y = αq_m) with the others summing to a ≤ x/4
       in p and c ≤ Y/4 in q: its term and the total's, B(x, h) − B(x + a, h + g)
       (h = Y − x, g = c − a), nearly cancel; written with small shifts only,
       = B(x, a) + aψ(x) + h[ψ(x+a) − ψ(x)] + gψ(x+a) − B(Y, c) − cψ(Y). */
    size_t m = 0;
    for (size_t i = 1; i < k; i++)
        if (ap[i] > ap[m])
            m = i;
    dv_acc ra = {0, 0}, rc = {0, 0};
    for (size_t i = 0; i < k; i++)
        if (i != m) {
            dv_acc_add(&ra, ap[i]);
            dv_acc_add(&rc, aq[i]);
        }
    double x = ap[m], Y = aq[m], a = dv_acc_value(&ra), c = dv_acc_value(&rc);
    if (a <= 0.25 * x && c <= 0.25 * Y && x >= 10.0 && Y >= 10.0) {
        double hm = Y - x, g = c - a;
        for (size_t i = 0; i < k; i++)
            if (i != m)
                dv_acc_add(&kl, dv_lgamma_bregman(ap[i], aq[i]));
        double psx = dv_digamma(x), psxa = psx + dv_digamma_diff(x, a);
        dv_acc_add(&kl, dv_lgamma_bregman_h(x, a));
        dv_acc_add(&kl, a * psx);
        dv_acc_add(&kl, hm * dv_digamma_diff(x, a));
        dv_acc_add(&kl, g * psxa);
        dv_acc_add(&kl, -dv_lgamma_bregman_h(Y, c));
        dv_acc_add(&kl, -c * dv_digamma(Y));
        return dv_acc_value(&kl);
    }
    /* Terms B_lgamma ≈ x (a large αp_i with a much smaller αq_i) come back with x taken
       out; Σ of the x taken out minus the same for P is then added exactly (it is small:
       the components' linear parts cancel against the total's). Rounding Σαp moves x at
       fixed h, to which B_lgamma is insensitive (its x-derivative is O(h²)). */
    double lin;
    dv_acc sq = {0, 0};
    for (size_t i = 0; i < k; i++) {
        dv_acc_add(&sq, aq[i]);
        dv_acc_add(&kl, dv_lgamma_bregman_lin(ap[i], aq[i] - ap[i], aq[i], &lin));
        dv_acc_add(&kl, lin);
    }
    dv_acc_add(&kl, -dv_lgamma_bregman_lin(P, H, dv_acc_value(&sq), &lin));
    if (lin > 0.0) {
        dv_acc_add(&kl, -P);
        dv_acc_add(&kl, -P_lo);
    }
    return dv_acc_value(&kl);
}

dv_status dv_fam_beta_beta_kl(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                              dv_error *err)
{
    return ok_value(dirichlet_kl(p->s, q->s, 2), true, out, err);
}

dv_status dv_fam_dirichlet_dirichlet_kl(const dv_fdist *p, const dv_fdist *q,
                                        dv_fresult *out, dv_error *err)
{
    if (p->d != q->d)
        return dv_fail_at(err, DV_SHAPE_MISMATCH, dv_at(DV_ARG_Q, "concentration"),
                          "p.concentration has %zu entries but q.concentration has %zu",
                          p->d, q->d);
    return ok_value(dirichlet_kl(p->v[0], q->v[0], p->d), true, out, err);
}

/* An exponential family in η with A(η) = η/2 + g(η/2): KL = B_A(ηq, ηp) = B_g. */
dv_status dv_fam_continuous_bernoulli_continuous_bernoulli_kl(const dv_fdist *p,
                                                              const dv_fdist *q,
                                                              dv_fresult *out,
                                                              dv_error *err)
{
    double xp = 0.5 * cb_eta(p);
    double lp = p->s[0], lq = q->s[0];
    if (!isnan(lp) && !isnan(lq) && lp <= 2.0 * lq && lq <= 2.0 * lp) {
        /* ηq − ηp = log(lq/lp) − log((1 − lq)/(1 − lp)) from the exact difference lq − lp:
           the difference of two rounded logits would carry ε·|η| of absolute error. */
        double h = log1p((lq - lp) / lp) - log1p((lp - lq) / (1.0 - lp));
        return ok_value(dv_logsinhc_bregman_h(xp, 0.5 * h), true, out, err);
    }
    /* logits, or probs far apart: both end points as they are (x + h would round y
       away when |y| ≪ |x|) */
    return ok_value(dv_logsinhc_bregman(xp, 0.5 * cb_eta(q)), true, out, err);
}

dv_status dv_fam_von_mises_von_mises_kl(const dv_fdist *p, const dv_fdist *q,
                                        dv_fresult *out, dv_error *err)
{
    /* log I0(κq) − log I0(κp) + (κp − κq cos Δ)A(κp)
       = B_logI0(κp → κq) + κq A(κp)(1 − cos Δ), with 1 − cos Δ = 2 sin²(Δ/2). */
    double kp = p->s[1], kq = q->s[1];
    double sh = sin(0.5 * (p->s[0] - q->s[0]));
    double v = dv_log_i0_bregman(kp, kq) + kq * dv_bessel_ratio(kp) * (2.0 * sh * sh);
    return ok_value(v, true, out, err);
}

/* ---- cross-family KL: −H(p) + E_p[−log q] ------------------------------------------- */

/* Mean and variance of p (variance +inf where it diverges). */
static void mean_var(const dv_fdist *x, double *m, double *v)
{
    const char *n = x->fam->name;
    const double *s = x->s;
    if (!strcmp(n, "normal") || !strcmp(n, "laplace")) {
        *m = s[0];
        *v = !strcmp(n, "normal") ? s[1] * s[1] : 2.0 * s[1] * s[1];
    } else if (!strcmp(n, "gumbel")) {
        *m = s[0] + DV_EULER * s[1];
        *v = C_PI2_6 * s[1] * s[1];
    } else if (!strcmp(n, "beta")) {
        double t = s[0] + s[1];
        *m = s[0] / t;
        *v = (*m) * (s[1] / t) / (t + 1.0);
    } else if (!strcmp(n, "continuous_bernoulli")) {
        double eta = cb_eta(x);
        *m = cb_mean(eta);
        *v = cb_var(eta);
    } else if (!strcmp(n, "pareto")) {
        double a = s[1];
        *m = a > 1.0 ? a * s[0] / (a - 1.0) : (double)INFINITY;
        *v = a > 2.0 ? (s[0] / (a - 1.0)) * (s[0] / (a - 1.0)) * (a / (a - 2.0))
                     : (double)INFINITY;
    } else if (!strcmp(n, "uniform")) {
        double w = 0.5 * s[1] - 0.5 * s[0];
        *m = 0.5 * s[0] + 0.5 * s[1];
        *v = w * w / 3.0;
    } else if (!strcmp(n, "weibull")) {
        double g1 = lgamma(1.0 + 1.0 / s[1]), g2 = lgamma(1.0 + 2.0 / s[1]);
        *m = s[0] * exp(g1);
        *v = s[0] * s[0] * -expm1(2.0 * g1 - g2) * exp(g2);
    } else {
        double a, b;
        gamma_of(x, &a, &b);
        *m = a / b;
        *v = (*m) / b;
    }
}

/* E_p[log x] for p on (0, ∞) or [0, 1]. */
static double mean_log(const dv_fdist *x)
{
    const char *n = x->fam->name;
    const double *s = x->s;
    if (!strcmp(n, "beta"))
        return -dv_digamma_diff(s[0], s[1]); /* ψ(α) − ψ(α+β) */
    if (!strcmp(n, "pareto"))
        return log(s[0]) + 1.0 / s[1];
    if (!strcmp(n, "weibull"))
        return log(s[0]) - DV_EULER / s[1];
    if (!strcmp(n, "uniform")) {
        /* (h log h − l log l)/(h − l) − 1 = log h − (1 − log1p(ρ)/ρ), ρ = (h − l)/l,
           and 1 − log1p(ρ)/ρ = −(log1p ρ − ρ)/ρ keeps its digits for small ρ. */
        double l = s[0], h = s[1];
        if (l <= 0.0)
            return log(h) - 1.0;
        double rho = (h - l) / l;
        return log(h) + (isinf(rho) ? -1.0 : dv_log1pmx(rho) / rho);
    }
    double a, b;
    gamma_of(x, &a, &b);
    return dv_digamma(a) - log(b);
}

/* E_p[log(1 − x)] for p on [0, 1]. */
static double mean_log1m(const dv_fdist *x)
{
    if (is_fam(x, "beta"))
        return -dv_digamma_diff(x->s[1], x->s[0]);
    double l = 1.0 - x->s[1],
           h = 1.0 - x->s[0]; /* 1 − x is uniform on [1 − high, 1 − low] */
    if (l <= 0.0)
        return log(h) - 1.0;
    double rho = (x->s[1] - x->s[0]) / l;
    return log(h) + dv_log1pmx(rho) / rho;
}

static dv_status cross(double neg_h, double ce, dv_fresult *out, dv_error *err)
{
    return ok_value(neg_h + ce, true, out, err);
}

/* q normal(μ, σ): E[−log q] = ½log 2π + log σ + (v + (m − μ)²)/(2σ²). */
static dv_status to_normal(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                           dv_error *err)
{
    double m, v;
    mean_var(p, &m, &v);
    if (isinf(v))
        return infinite(is_fam(p, "pareto") ? R_PARETO_VAR : R_TAILS, out);
    double sg = q->s[1], zm = (m - q->s[0]) / sg, zs = sqrt(v) / sg;
    double t[4] = {-entropy_of(p), C_HALF_LOG_2PI, log(sg), 0.5 * (zs * zs + zm * zm)};
    return ok_value(sumv(t, 4), true, out, err);
}

/* q gamma-like (a, b): E[−log q] = lgamma(a) − a log b − (a − 1)E log x + b E x. */
static dv_status to_gamma(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                          dv_error *err)
{
    double a, b, m, v;
    gamma_of(q, &a, &b);
    mean_var(p, &m, &v);
    if (isinf(m))
        return infinite(R_PARETO_MEAN, out);
    double elog = fpclassify(a - 1.0) == FP_ZERO ? 0.0 : (a - 1.0) * mean_log(p);
    double t[5] = {-entropy_of(p), lgamma(a), -a * log(b), -elog, b * m};
    return ok_value(sumv(t, 5), true, out, err);
}

/* q gumbel(μ, σ): E[−log q] = log σ + (m − μ)/σ + E[e^{−(x−μ)/σ}], the last as
   exp(log of p's moment generating function at −1/σ, shifted). */
static dv_status to_gumbel(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                           dv_error *err)
{
    double mu = q->s[0], sg = q->s[1], m, v, lm;
    mean_var(p, &m, &v);
    if (is_fam(p, "normal")) {
        double zs = p->s[1] / sg;
        lm = (mu - p->s[0]) / sg + 0.5 * zs * zs;
    } else if (is_fam(p, "uniform")) {
        double l = p->s[0], h = p->s[1], w = (h - l) / sg;
        lm = log_ratio(sg, h - l) - (l - mu) / sg + log(-expm1(-w));
    } else {
        double a, b;
        gamma_of(p, &a, &b);
        lm = mu / sg - a * log1p(1.0 / (b * sg));
    }
    double t[4] = {-entropy_of(p), log(sg), (m - mu) / sg, exp(lm)};
    return ok_value(sumv(t, 4), true, out, err);
    (void)v;
}

/* q uniform(l, h): p (on [0, 1]) must lie inside; E[−log q] = log(h − l). */
static dv_status to_uniform(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                            dv_error *err)
{
    if (q->s[0] > 0.0 || q->s[1] < 1.0)
        return infinite(R_INTERVAL, out);
    return cross(-entropy_of(p), h_uniform(q->s[0], q->s[1]), out, err);
}

/* q continuous Bernoulli(η): −log q(x) = A(η) − ηx. */
static dv_status to_cb(const dv_fdist *p, const dv_fdist *q, dv_fresult *out, dv_error *err)
{
    if (is_fam(p, "uniform") && (p->s[0] < 0.0 || p->s[1] > 1.0))
        return infinite(R_INTERVAL, out);
    double eta = cb_eta(q), m, v;
    mean_var(p, &m, &v);
    return ok_value(sum3(-entropy_of(p), cb_lognorm(eta), -eta * m), true, out, err);
}

dv_status dv_fam_beta_continuous_bernoulli_kl(const dv_fdist *p, const dv_fdist *q,
                                              dv_fresult *out, dv_error *err)
{
    return to_cb(p, q, out, err);
}
dv_status dv_fam_uniform_continuous_bernoulli_kl(const dv_fdist *p, const dv_fdist *q,
                                                 dv_fresult *out, dv_error *err)
{
    return to_cb(p, q, out, err);
}
dv_status dv_fam_beta_gamma_kl(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                               dv_error *err)
{
    return to_gamma(p, q, out, err);
}
dv_status dv_fam_continuous_bernoulli_exponential_kl(const dv_fdist *p, const dv_fdist *q,
                                                     dv_fresult *out, dv_error *err)
{
    return to_gamma(p, q, out, err); /* a = 1: no E log x term */
}
dv_status dv_fam_pareto_gamma_kl(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                                 dv_error *err)
{
    return to_gamma(p, q, out, err);
}
dv_status dv_fam_weibull_gamma_kl(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                                  dv_error *err)
{
    return to_gamma(p, q, out, err);
}
dv_status dv_fam_uniform_gamma_kl(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                                  dv_error *err)
{
    if (p->s[0] < 0.0)
        return infinite(R_INTERVAL, out);
    return to_gamma(p, q, out, err);
}
dv_status dv_fam_beta_normal_kl(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                                dv_error *err)
{
    return to_normal(p, q, out, err);
}
dv_status dv_fam_continuous_bernoulli_normal_kl(const dv_fdist *p, const dv_fdist *q,
                                                dv_fresult *out, dv_error *err)
{
    return to_normal(p, q, out, err);
}
dv_status dv_fam_gamma_normal_kl(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                                 dv_error *err)
{
    return to_normal(p, q, out, err);
}
dv_status dv_fam_gumbel_normal_kl(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                                  dv_error *err)
{
    return to_normal(p, q, out, err);
}
dv_status dv_fam_laplace_normal_kl(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                                   dv_error *err)
{
    return to_normal(p, q, out, err);
}
dv_status dv_fam_pareto_normal_kl(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                                  dv_error *err)
{
    return to_normal(p, q, out, err);
}
dv_status dv_fam_uniform_normal_kl(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                                   dv_error *err)
{
    return to_normal(p, q, out, err);
}
dv_status dv_fam_beta_uniform_kl(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                                 dv_error *err)
{
    return to_uniform(p, q, out, err);
}
dv_status dv_fam_continuous_bernoulli_uniform_kl(const dv_fdist *p, const dv_fdist *q,
                                                 dv_fresult *out, dv_error *err)
{
    return to_uniform(p, q, out, err);
}
dv_status dv_fam_gamma_gumbel_kl(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                                 dv_error *err)
{
    return to_gumbel(p, q, out, err);
}
dv_status dv_fam_normal_gumbel_kl(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                                  dv_error *err)
{
    return to_gumbel(p, q, out, err);
}
dv_status dv_fam_uniform_gumbel_kl(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                                   dv_error *err)
{
    return to_gumbel(p, q, out, err);
}

/* q laplace(μ, b): E[−log q] = log 2b + E|x − μ|/b, for p normal(m, s):
   E|x − μ| = s√(2/π) e^{−d²/(2s²)} + d·erf(d/(s√2)), d = m − μ. */
dv_status dv_fam_normal_laplace_kl(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                                   dv_error *err)
{
    double s = p->s[1], b = q->s[1], d = p->s[0] - q->s[0], w = d / s;
    static const double SQRT_2_PI = 0x1.9884533d43651p-1; /* √(2/π) */
    double eabs_b = (s / b) * (SQRT_2_PI * exp(-0.5 * w * w) + w * erf(w * M_SQRT1_2));
    double t[4] = {-h_normal(s), M_LN2, log(b), eabs_b};
    return ok_value(sumv(t, 4), true, out, err);
}

/* q beta(α, β), p uniform inside [0, 1]: E[−log q] = lnB(α, β) − (α−1)E log x
   − (β−1)E log(1−x). */
dv_status dv_fam_uniform_beta_kl(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                                 dv_error *err)
{
    if (p->s[0] < 0.0 || p->s[1] > 1.0)
        return infinite(R_INTERVAL, out);
    double a = q->s[0], b = q->s[1];
    double lnb = lgamma(a) + lgamma(b) - lgamma(a + b);
    double t[4] = {-h_uniform(p->s[0], p->s[1]), lnb, -(a - 1.0) * mean_log(p),
                   -(b - 1.0) * mean_log1m(p)};
    return ok_value(sumv(t, 4), true, out, err);
}

/* q pareto(s, α), p uniform on [l, h] with l ≥ s: with x/s uniform on [l/s, h/s],
   KL = −log((h − l)/s) − log α + (α + 1)E[log(x/s)]. */
dv_status dv_fam_uniform_pareto_kl(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                                   dv_error *err)
{
    double l = p->s[0], h = p->s[1], s = q->s[0], a = q->s[1];
    if (l < s)
        return infinite(R_INTERVAL, out);
    double rho = (h - l) / l;
    double elog = log_ratio(h, s) + dv_log1pmx(rho) / rho;
    double t[3] = {-log_ratio(h - l, s), -log(a), (a + 1.0) * elog};
    return ok_value(sumv(t, 3), true, out, err);
}

/* ---- always infinite ------------------------------------------------------------------ */

dv_status dv_fam_support_infinite_kl(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                                     dv_error *err)
{
    (void)p, (void)q, (void)err;
    return infinite(R_SUPPORT, out);
}

dv_status dv_fam_tails_infinite_kl(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                                   dv_error *err)
{
    (void)p, (void)q, (void)err;
    return infinite(R_TAILS, out);
}
