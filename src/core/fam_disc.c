/*
 * fam_disc.c — the scalar discrete families of SPEC §8 (bernoulli, binomial,
 * categorical, geometric, poisson): checks, entropies and KL pairs (same family, and
 * bernoulli ‖ poisson). The multivariate normals are in fam_mvn.c. See fam_disc.h for
 * the parameter slots and the error conventions.
 *
 * Why it is built this way (SPEC §8: 1e-12 relative, also for nearly equal parameters):
 *  - A two-point distribution (bernoulli, and the per-trial law of binomial/geometric)
 *    is kept as P(1), P(0) and their logs, each accurate to a few ulps: from probs p,
 *    P(0) = 1 − p and log P(0) = log1p(−p); from logits a, P(1) = σ(a), P(0) = σ(−a),
 *    log P(1) = −softplus(−a), log P(0) = −softplus(a). Nothing is rounded through 1.
 *  - KL terms are Q·φ(P/Q), φ(r) = r log r − r + 1 ≥ 0, with r − 1 (and log r) formed
 *    without cancellation: from probs as (p − q)/q where p − q is exact when p ≈ q
 *    (Sterbenz; the smaller of P(1), P(0) is differenced), from logits as
 *    expm1(softplus(−b) − softplus(−a)) where the softplus difference is evaluated
 *    directly (softplus_diff). Near r = 1, φ is a series. Sums of non-negative terms
 *    only, so nothing cancels.
 *  - Geometric KL is KL_bern/p, rewritten as ψ1(−log r1) + x·h(−log r0) (see
 *    geometric_kl_core) so that a tiny p does not underflow the quotient.
 *  - Binomial and Poisson pmfs for sums use Loader's saddle-point form
 *    log P(k) = −½log(2πk…) − stirlerr(…) − bd0(k, np) …, where bd0(x, M) = M·φ(x/M);
 *    the plain k·log λ − λ − lgamma(k+1) loses ~|k log λ|·ε absolutely (1e-10 at
 *    λ = 1e5), which the 1e-12 bar does not allow.
 *  - Sums run over a window mean ± (40σ + 60): the mass outside it is below e^-800 for
 *    large σ and below 1/61! for small σ, far under 1e-12 of any term that matters.
 *    Poisson entropy with rate ≥ POISSON_ASYM and binomial entropy with n·p·(1−p) ≥
 *    BINOM_ASYM use asymptotic series instead (accurate to < 1e-17 there); the binomial
 *    KL with different total_count sums both windows and fails with DV_TOO_LARGE beyond
 *    DV_FAM_SUM_MAX terms.
 * Categorical reuses the discrete core (dv_prepare_*, dv_kl, dv_entropy), so its answers
 * are bit-identical to /kl and /entropy on the same vectors.
 * Nothing here allocates.
 */
#include <assert.h>
#include <float.h>
#include <stdint.h>
#include <stdio.h>

#include "fam_disc.h"
#include "dd.h"
#include "internal.h"
#include "numfmt.h"

#define LN_SQRT_2PI 0.9189385332046727417803297 /* ½ log(2π) */

/* Rates at or above this take the asymptotic Poisson entropy; its first omitted term is
 * O(λ^-4) ≈ 1e-20·c of an entropy ≈ 6.7, and the window below it has ≤ 25 400 terms. */
#define POISSON_ASYM 1e5

/* Binomial entropies with n·p·(1−p) at or above this use the asymptotic series: its first
 * omitted term is O((npq)^-3) ≈ 1e-18 of an entropy ≈ 8, and the window below it has
 * ≤ 80 120 terms. */
#define BINOM_ASYM 1e6

/* ---- small helpers ------------------------------------------------------------------ */

static const char *side(int arg)
{
    return arg == DV_ARG_Q ? "q" : "p";
}

static void fmt(char *buf, size_t n, double x)
{
    numfmt_msg(buf, n, x);
}

/* log(1 + e^x) without overflow; ≥ 0. */
static double softplus(double x)
{
    return fmax(x, 0.0) + log1p(exp(-fabs(x)));
}

/*
 * softplus(x) − softplus(y), accurate relative to itself when x ≈ y. Why: each softplus
 * carries an absolute error of ~ε·softplus, and for x, y ≪ 0 the difference ≈ e^x (x − y)
 * is far smaller than that. Splitting softplus(x) = max(x, 0) + log1p(e^-|x|): the max
 * parts differ by x − y exactly (Sterbenz) or by a number with no cancellation, and
 * log1p(e^-|x|) − log1p(e^-|y|) = log1p((e^-|x| − e^-|y|)/(1 + e^-|y|)) with
 * e^-|x| − e^-|y| = e^-|y|·expm1(|y| − |x|), where |y| − |x| is again exact when close.
 */
static double softplus_diff(double x, double y)
{
    double ax = fabs(x), ay = fabs(y);
    double ey = exp(-ay);
    /* Far apart the plain difference does not cancel (and expm1 could overflow). */
    double w = fabs(ay - ax) < 0.5 ? ey * expm1(ay - ax) / (1.0 + ey)
                                   : (exp(-ax) - ey) / (1.0 + ey);
    return (fmax(x, 0.0) - fmax(y, 0.0)) + log1p(w);
}

/* ---- double-double σ(a) ---------------------------------------------------------------
 * A logit against a probability (or a Poisson rate) that is nearly equal to it needs
 * σ(a) − q to full relative accuracy: with σ(a) rounded to a double, a relative parameter
 * difference of 1e-9 would keep only 7 digits. So σ(a) is also formed as hi + lo to
 * ~2^-100: e^a by argument reduction and a Taylor series in double-double, then one
 * double-double division. */

static dd dd_mul(dd a, dd b)
{
    double p = a.hi * b.hi;
    double e = fma(a.hi, b.hi, -p); /* exact error of the leading product */
    return dd_two_sum(p, e + (a.hi * b.lo + a.lo * b.hi));
}

static dd dd_div(dd a, dd b)
{
    double q1 = a.hi / b.hi;
    dd r = dd_add(a, dd_mul((dd){-q1, 0.0}, b)); /* a − q1·b, nearly exact */
    return dd_two_sum(q1, r.hi / b.hi);
}

/* e^a for a ≤ 0 (a > −746) as a double-double: a = k ln2 + r, |r| ≤ ½ ln2, e^r by 27
 * Taylor terms (the omitted one is < 0.35^28/28! ≈ 1e-42). */
static dd dd_exp_neg(double a)
{
    static const double LN2_HI = 0x1.62e42fefa39efp-1, LN2_LO = 0x1.abc9e3b39803fp-56;
    double k = nearbyint(a / LN2_HI);
    double p = k * LN2_HI, pe = fma(k, LN2_HI, -p); /* k·ln2_hi = p + pe exactly */
    dd r = dd_two_sum(a - p, -pe);                  /* a − p exact (Sterbenz) */
    r = dd_add(r, (dd){-k * LN2_LO, -fma(k, LN2_LO, -k * LN2_LO)});
    dd sum = dd_add((dd){1.0, 0.0}, r), term = r;
    for (int n = 2; n <= 27; n++) {
        term = dd_div(dd_mul(term, r), (dd){(double)n, 0.0});
        sum = dd_add(sum, term);
    }
    int ki = (int)k;
    return (dd){ldexp(sum.hi, ki), ldexp(sum.lo, ki)};
}

/* σ(a) and σ(−a) as double-doubles. */
static void sigmoid_dd(double a, dd *s, dd *sm)
{
    if (!(fabs(a) < 745.0)) { /* e^-|a| is below the smallest subnormal: σ is 0 or 1 */
        dd one = {1.0, 0.0}, none = {0.0, 0.0};
        *s = a > 0.0 ? one : none;
        *sm = a > 0.0 ? none : one;
        return;
    }
    dd t = dd_exp_neg(-fabs(a)); /* e^-|a| ≤ 1 */
    dd den = dd_add((dd){1.0, 0.0}, t);
    dd big = dd_div((dd){1.0, 0.0}, den), small = dd_div(t, den);
    *s = a >= 0.0 ? big : small;
    *sm = a >= 0.0 ? small : big;
}

/* log(a/b) for a, b > 0 from the quotient while it is a normal double (½ ulp relative,
 * so ≤ ½ ulp absolute in the log), else from the logs la, lb, which then differ by more
 * than 700 (no cancellation). The difference of logs alone costs ε·|log a|: 1.5e-13 at
 * a = 1e-300. */
static double log_ratio(double a, double b, double la, double lb)
{
    double r = a / b;
    if (r >= DBL_MIN && r <= DBL_MAX)
        return log(r);
    return la - lb;
}

/* Σ c[k] t^k by Horner (|t| small, decreasing terms: no fma needed). */
static double horner(const double *c, size_t n, double t)
{
    double s = c[n - 1];
    for (size_t k = n - 1; k-- > 0;)
        s = s * t + c[k];
    return s;
}

#define NCOEF(a) (sizeof(a) / sizeof((a)[0]))

/* φ(1+u) = (1+u) log1p(u) − u = u² Σ_{k≥0} (−u)^k / ((k+1)(k+2)); for |u| < PHI_CUT the 19
 * terms leave < 8^-19 ≈ 7e-18 relative. */
#define PHI_CUT 0.125
static const double PHI1[] = {
    1.0 / 2,   -1.0 / 6,   1.0 / 12,   -1.0 / 20,  1.0 / 30,   -1.0 / 42, 1.0 / 56,
    -1.0 / 72, 1.0 / 90,   -1.0 / 110, 1.0 / 132,  -1.0 / 156, 1.0 / 182, -1.0 / 210,
    1.0 / 240, -1.0 / 272, 1.0 / 306,  -1.0 / 342, 1.0 / 380,
};

static double phi1_series(double u)
{
    return u * u * horner(PHI1, NCOEF(PHI1), u);
}

/* ψ1(t) = e^t − 1 − t = t² Σ_{k≥0} t^k / (k+2)!; for |t| < PHI_CUT, 16 terms leave
 * < 1e-30 relative. */
static const double PSI1[] = {
    1.0 / 2,
    1.0 / 6,
    1.0 / 24,
    1.0 / 120,
    1.0 / 720,
    1.0 / 5040,
    1.0 / 40320,
    1.0 / 362880,
    1.0 / 3628800,
    1.0 / 39916800,
    1.0 / 479001600,
    1.0 / 6227020800.,
    1.0 / 87178291200.,
    1.0 / 1307674368000.,
    1.0 / 20922789888000.,
    1.0 / 355687428096000.,
};

static double psi1(double t)
{
    if (fabs(t) < PHI_CUT)
        return t * t * horner(PSI1, NCOEF(PSI1), t);
    return expm1(t) - t; /* |t| ≥ 1/8: e^t − 1 and t differ by ≥ 6 % of either */
}

/*
 * Q·φ(P/Q) for one outcome, given u = P/Q − 1 and lr = log(P/Q) (as accurate as the
 * caller can make them; u may be ±inf or NaN when it is not known, then lr is used).
 * P = 0 gives Q (φ(0) = 1). Q = 0 < P gives +inf when q_exact (Q is 0 in exact
 * arithmetic: probs 0 or 1); otherwise Q merely underflowed (a logit beyond ±745) and
 * the term is P·(log r − 1), which lr still carries.
 */
static double kl_term(double P, double Q, double u, double lr, bool q_exact)
{
    if (!(P > 0.0))
        return Q;
    if (!(Q > 0.0))
        return q_exact ? (double)INFINITY : P * lr - P;
    if (isfinite(u) && fabs(u) < PHI_CUT)
        return Q * phi1_series(u);
    /* Away from r = 1: P log r − P + Q loses at most ~5 bits at |u| = 1/8. */
    return (Q - P) + P * lr;
}

/* ---- two-point laws (bernoulli; the trial of binomial and geometric) ------------------ */

typedef struct bern {
    double p1, p0;     /* P(1), P(0)                                          */
    double p1lo, p0lo; /* their low parts: P(·) = p + plo to ~2^-100 relative  */
    double l1, l0;     /* log P(1), log P(0)                                  */
    double a;          /* the logit (logit only)                              */
    bool logit;
} bern;

static bern bern_make(double probs, double logits)
{
    bern b;
    if (!isnan(probs)) {
        dd p0 = dd_two_sum(1.0, -probs); /* 1 − p with its exact rounding error */
        b.p1 = probs;
        b.p1lo = 0.0;
        b.p0 = p0.hi;
        b.p0lo = p0.lo;
        b.l1 = log(probs); /* −inf at 0 */
        b.l0 = log1p(-probs);
        b.a = NAN;
        b.logit = false;
    } else {
        dd s, sm;
        sigmoid_dd(logits, &s, &sm);
        b.p1 = s.hi;
        b.p1lo = s.lo;
        b.p0 = sm.hi;
        b.p0lo = sm.lo;
        b.l1 = -softplus(-logits);
        b.l0 = -softplus(logits);
        b.a = logits;
        b.logit = true;
    }
    return b;
}

/* u = r − 1 and lr = log r for both outcomes, r1 = P(1)/Q(1), r0 = P(0)/Q(0). */
static void bern_ratios(const bern *p, const bern *q, double *u1, double *lr1, double *u0,
                        double *lr0)
{
    if (p->logit && q->logit) {
        /* log r1 = softplus(−b) − softplus(−a), log r0 = softplus(b) − softplus(a). */
        *lr1 = softplus_diff(-q->a, -p->a);
        *lr0 = softplus_diff(q->a, p->a);
        *u1 = expm1(*lr1);
        *u0 = expm1(*lr0);
        return;
    }
    /* P(1) − Q(1) = Q(0) − P(0): difference the pair that is ≤ ½, high parts first (exact
     * when close, Sterbenz), then the low parts, so the difference keeps full relative
     * accuracy however close the two are, whichever parametrisation each has. */
    double diff = (p->p1 + q->p1 <= p->p0 + q->p0) ? (p->p1 - q->p1) + (p->p1lo - q->p1lo)
                                                   : (q->p0 - p->p0) + (q->p0lo - p->p0lo);
    *u1 = diff / q->p1;
    *u0 = -diff / q->p0;
    *lr1 = fabs(*u1) < 0.5 ? log1p(*u1) : log_ratio(p->p1, q->p1, p->l1, q->l1);
    *lr0 = fabs(*u0) < 0.5 ? log1p(*u0) : log_ratio(p->p0, q->p0, p->l0, q->l0);
}

/* KL(p ‖ q) of two two-point laws; *which = 1 or 0 names the outcome that made it +inf. */
static double bern_kl(const bern *p, const bern *q, int *which)
{
    double u1, lr1, u0, lr0;
    bern_ratios(p, q, &u1, &lr1, &u0, &lr0);
    double t1 = kl_term(p->p1, q->p1, u1, lr1, !q->logit);
    double t0 = kl_term(p->p0, q->p0, u0, lr0, !q->logit);
    *which = isinf(t1) ? 1 : isinf(t0) ? 0 : -1;
    return t1 + t0; /* two non-negative terms */
}

/* −P(1) log P(1) − P(0) log P(0), 0·log 0 = 0. */
static double bern_entropy(const bern *b)
{
    double h = 0.0;
    if (b->p1 > 0.0)
        h += -b->p1 * b->l1;
    if (b->p0 > 0.0)
        h += -b->p0 * b->l0;
    return h > 0.0 ? h : 0.0;
}

/* Exactly one of probs / logits; probs in [0, 1] (zero_ok) or (0, 1]; logits finite. */
static dv_status check_probs_logits(double probs, double logits, int arg, bool zero_ok,
                                    dv_error *err)
{
    char num[40];
    const char *s = side(arg);
    bool hp = !isnan(probs), hl = !isnan(logits);
    if (hp && hl)
        return dv_fail_at(err, DV_BAD_PARAMETER, dv_at(arg, "logits"),
                          "%s has both probs and logits; give exactly one of them", s);
    if (!hp && !hl)
        return dv_fail_at(err, DV_BAD_PARAMETER, dv_at(arg, NULL),
                          "%s needs probs or logits (exactly one of them)", s);
    if (hl) {
        if (!isfinite(logits)) {
            fmt(num, sizeof num, logits);
            return dv_fail_at(err, DV_NOT_FINITE, dv_at(arg, "logits"),
                              "%s.logits is %s; it must be a finite number", s, num);
        }
        return DV_OK;
    }
    if (!isfinite(probs)) {
        fmt(num, sizeof num, probs);
        return dv_fail_at(err, DV_NOT_FINITE, dv_at(arg, "probs"),
                          "%s.probs is %s; it must be a finite number in %s", s, num,
                          zero_ok ? "[0, 1]" : "(0, 1]");
    }
    if (!(probs <= 1.0) || probs < 0.0 || (!zero_ok && !(probs > 0.0))) {
        fmt(num, sizeof num, probs);
        return dv_fail_at(err, DV_BAD_PARAMETER, dv_at(arg, "probs"),
                          "%s.probs is %s; it must be in %s", s, num,
                          zero_ok ? "[0, 1]" : "(0, 1]");
    }
    return DV_OK;
}

dv_status dv_fam_finite(dv_fresult *out, double nats)
{
    out->nats = nats;
    out->reason = NULL;
    return DV_OK;
}

static dv_status inf_value(dv_fresult *out, const char *reason)
{
    out->nats = INFINITY;
    out->reason = reason;
    return DV_OK;
}

dv_status dv_fam_kl_overflow(dv_error *err, const char *pair)
{
    return dv_fail_at(err, DV_NOT_FINITE, dv_at(DV_ARG_NONE, NULL),
                      "the KL divergence exceeds the largest double (about 1.8e308); the "
                      "two %s are too far apart to report it",
                      pair);
}

/* ---- bernoulli --------------------------------------------------------------------- */

dv_status dv_fam_bernoulli_check(const dv_fdist *x, int arg, dv_error *err)
{
    return check_probs_logits(x->s[0], x->s[1], arg, true, err);
}

dv_status dv_fam_bernoulli_entropy(const dv_fdist *x, dv_fresult *out, dv_error *err)
{
    dv_status st = dv_fam_bernoulli_check(x, DV_ARG_P, err);
    if (st != DV_OK)
        return st;
    bern b = bern_make(x->s[0], x->s[1]);
    return dv_fam_finite(out, bern_entropy(&b));
}

static const char *const BERN_INF1 =
    "p gives the outcome 1 a positive probability but q gives it probability 0";
static const char *const BERN_INF0 =
    "p gives the outcome 0 a positive probability but q gives it probability 0";

dv_status dv_fam_bernoulli_bernoulli_kl(const dv_fdist *p, const dv_fdist *q,
                                        dv_fresult *out, dv_error *err)
{
    dv_status st = dv_fam_bernoulli_check(p, DV_ARG_P, err);
    if (st == DV_OK)
        st = dv_fam_bernoulli_check(q, DV_ARG_Q, err);
    if (st != DV_OK)
        return st;
    bern bp = bern_make(p->s[0], p->s[1]), bq = bern_make(q->s[0], q->s[1]);
    int which;
    double v = bern_kl(&bp, &bq, &which);
    if (which >= 0)
        return inf_value(out, which == 1 ? BERN_INF1 : BERN_INF0);
    return dv_fam_finite(out, v);
}

/*
 * Bernoulli(π) ‖ Poisson(λ) = (1−π)(log(1−π) + λ) + π(log π − log λ + λ)
 *                           = λ·φ(π/λ) + φ(1 − π),
 * both terms ≥ 0 (the plain form λ − H(π) − π log λ cancels when λ ≈ π ≪ 1).
 * φ(1 − π) = φ1(−π) = (1−π) log(1−π) + π.
 */
dv_status dv_fam_bernoulli_poisson_kl(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                                      dv_error *err)
{
    dv_status st = dv_fam_bernoulli_check(p, DV_ARG_P, err);
    if (st == DV_OK)
        st = dv_fam_poisson_check(q, DV_ARG_Q, err);
    if (st != DV_OK)
        return st;
    bern b = bern_make(p->s[0], p->s[1]);
    double lam = q->s[0];
    double pi = b.p1;
    double u = ((pi - lam) + b.p1lo) / lam; /* π − λ exact when close (Sterbenz) */
    double lr = fabs(u) < 0.5 ? log1p(u) : log_ratio(pi, lam, b.l1, log(lam));
    double t1 = kl_term(pi, lam, u, lr, true);
    double t2;
    if (pi < PHI_CUT)
        t2 = phi1_series(-pi);
    else
        t2 = b.p0 > 0.0 ? b.p0 * b.l0 + pi : pi; /* (1−π) log(1−π) + π; 0·log 0 = 0 */
    double v = t1 + t2;
    if (!isfinite(v))
        return dv_fam_kl_overflow(err, "distributions");
    return dv_fam_finite(out, v);
}

/* ---- poisson ------------------------------------------------------------------------ */

dv_status dv_fam_poisson_check(const dv_fdist *x, int arg, dv_error *err)
{
    char num[40];
    double r = x->s[0];
    if (!isfinite(r)) {
        fmt(num, sizeof num, r);
        return dv_fail_at(err, DV_NOT_FINITE, dv_at(arg, "rate"),
                          "%s.rate is %s; it must be a finite number > 0", side(arg), num);
    }
    if (!(r > 0.0)) {
        fmt(num, sizeof num, r);
        return dv_fail_at(err, DV_NOT_POSITIVE, dv_at(arg, "rate"),
                          "%s.rate is %s; it must be > 0", side(arg), num);
    }
    return DV_OK;
}

/* Poisson KL = λq·φ(λp/λq): one non-negative term, series near λp = λq. */
dv_status dv_fam_poisson_poisson_kl(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                                    dv_error *err)
{
    dv_status st = dv_fam_poisson_check(p, DV_ARG_P, err);
    if (st == DV_OK)
        st = dv_fam_poisson_check(q, DV_ARG_Q, err);
    if (st != DV_OK)
        return st;
    double lp = p->s[0], lq = q->s[0];
    double u = (lp - lq) / lq; /* exact difference when close (Sterbenz) */
    double lr = fabs(u) < 0.5 ? log1p(u) : log_ratio(lp, lq, log(lp), log(lq));
    double v = kl_term(lp, lq, u, lr, true);
    if (!isfinite(v))
        return dv_fam_kl_overflow(err, "distributions");
    return dv_fam_finite(out, v);
}

/* ---- Loader's pmf pieces (binomial, poisson) ------------------------------------------ */

/* stirlerr(n) = log n! − [(n + ½) log n − n + ½ log 2π] for integers 1..15 (mpmath,
 * 21 digits); larger n use the Stirling series. */
static const double STIRLERR[16] = {
    0.0, /* unused: k = 0 never reaches stirlerr */
    0.0810614667953272582197,
    0.0413406959554092940938,
    0.0276779256849983391488,
    0.0207906721037650931115,
    0.0166446911898211921632,
    0.0138761288230707479987,
    0.0118967099458917700951,
    0.0104112652619720964975,
    0.00925546218271273291773,
    0.00833056343336287125647,
    0.00757367548795184079497,
    0.00694284010720952986566,
    0.00640899418800420706844,
    0.00595137011275884773562,
    0.00555473355196280137104,
};

static double stirlerr(double n)
{
    if (n < 15.5)
        return STIRLERR[(int)n];
    /* 1/(12n) − 1/(360n³) + 1/(1260n⁵) − 1/(1680n⁷) + 1/(1188n⁹); the next term,
     * 691/(360360 n¹¹), is < 1e-16 at n = 16. */
    double n2 = 1.0 / (n * n);
    return (1.0 / 12 -
            (1.0 / 360 - (1.0 / 1260 - (1.0 / 1680 - n2 / 1188) * n2) * n2) * n2) /
           n;
}

/* bd0(x, M) = x log(x/M) + M − x = M·φ(x/M) ≥ 0, with log M given (M may underflow). */
static double bd0(double x, double m, double logm)
{
    if (m > 0.0 && isfinite(m)) {
        double u = (x - m) / m; /* x − m exact when close (Sterbenz) */
        if (fabs(u) < PHI_CUT)
            return m * phi1_series(u);
    }
    return x * (log(x) - logm) + (m - x);
}

/* log P(k) of Poisson(λ), k ≥ 0 an integer. */
static double poisson_lpmf(double k, double lam, double loglam)
{
    if (k < 0.5)
        return -lam;
    return -stirlerr(k) - bd0(k, lam, loglam) - (LN_SQRT_2PI + 0.5 * log(k));
}

/* The trial law of a binomial with its log-means: n·P(1), n·P(0) and their logs. */
typedef struct binom {
    double n;
    bern b;
    double m1, m0;   /* n·P(1), n·P(0) */
    double lm1, lm0; /* log n + log P(·) */
} binom;

static binom binom_make(const dv_fdist *x)
{
    binom r;
    r.n = x->s[0];
    r.b = bern_make(x->s[1], x->s[2]);
    r.m1 = r.n * r.b.p1;
    r.m0 = r.n * r.b.p0;
    double ln = log(r.n);
    r.lm1 = ln + r.b.l1;
    r.lm0 = ln + r.b.l0;
    return r;
}

/* log P(k) of a binomial whose trial has 0 < P(1) < 1 (mathematically), 0 ≤ k ≤ n. */
static double binom_lpmf(const binom *B, double k)
{
    double n = B->n;
    if (k < 0.5)
        return n * B->b.l0;
    if (k > n - 0.5)
        return n * B->b.l1;
    double nk = n - k;
    double lc = stirlerr(n) - stirlerr(k) - stirlerr(nk) - bd0(k, B->m1, B->lm1) -
                bd0(nk, B->m0, B->lm0);
    /* ½ log(n / (2π k (n−k))): log n − log k − log(n−k) keeps range for any n ≤ 2^53. */
    return lc + 0.5 * (log(n) - log(k) - log(nk)) - LN_SQRT_2PI;
}

/* The summation window [lo, hi] of a law with mean mu and sd sigma on [0, top]. Loops
 * over it count terms in integers and form k = lo + i: a double k += 1 would stop moving
 * at 2^53 (total_count may be that large). */
static void window(double mu, double sigma, double top, double *lo, double *hi)
{
    double w = 40.0 * sigma + 60.0;
    *lo = fmax(0.0, floor(mu - w));
    *hi = fmin(top, ceil(mu + w));
}

/* ---- poisson entropy ------------------------------------------------------------------- */

dv_status dv_fam_poisson_entropy(const dv_fdist *x, dv_fresult *out, dv_error *err)
{
    dv_status st = dv_fam_poisson_check(x, DV_ARG_P, err);
    if (st != DV_OK)
        return st;
    double lam = x->s[0];
    if (lam >= POISSON_ASYM) {
        /* H = ½ log(2πeλ) − 1/(12λ) − 1/(24λ²) − 19/(360λ³) + O(λ^-4) (checked against
         * exact sums in the generator). */
        double il = 1.0 / lam;
        double corr = il * (1.0 / 12 + il * (1.0 / 24 + il * (19.0 / 360)));
        return dv_fam_finite(out, (LN_SQRT_2PI + 0.5) + 0.5 * log(lam) - corr);
    }
    double lo, hi, loglam = log(lam);
    window(lam, sqrt(lam), INFINITY, &lo, &hi);
    dv_acc acc = {0.0, 0.0};
    for (size_t i = 0, cnt = (size_t)(hi - lo) + 1; i < cnt; i++) {
        double k = lo + (double)i;
        double lp = poisson_lpmf(k, lam, loglam);
        double pk = exp(lp);
        if (pk > 0.0)
            dv_acc_add(&acc, -pk * lp);
    }
    double h = dv_acc_value(&acc);
    return dv_fam_finite(out, h > 0.0 ? h : 0.0);
}

/* ---- binomial ------------------------------------------------------------------------- */

dv_status dv_fam_binomial_check(const dv_fdist *x, int arg, dv_error *err)
{
    char num[40];
    double n = x->s[0];
    if (!isfinite(n)) {
        fmt(num, sizeof num, n);
        return dv_fail_at(err, DV_NOT_FINITE, dv_at(arg, "total_count"),
                          "%s.total_count is %s; it must be an integer >= 0", side(arg),
                          num);
    }
    if (n < 0.0 || !(floor(n) >= n) || n > 0x1p53) {
        fmt(num, sizeof num, n);
        return dv_fail_at(err, DV_BAD_PARAMETER, dv_at(arg, "total_count"),
                          "%s.total_count is %s; it must be an integer >= 0 (at most 2^53)",
                          side(arg), num);
    }
    return check_probs_logits(x->s[1], x->s[2], arg, true, err);
}

/* Degenerate laws: all mass at one count. */
static bool binom_point(const binom *B, double *k)
{
    if (B->n < 0.5 || (!B->b.logit && !(B->b.p1 > 0.0))) {
        *k = 0.0;
        return true;
    }
    if (!B->b.logit && !(B->b.p0 > 0.0)) {
        *k = B->n;
        return true;
    }
    return false;
}

static dv_status too_long(dv_error *err, int arg, double terms)
{
    return dv_fail_at(err, DV_TOO_LARGE, dv_at(arg, "total_count"),
                      "this binomial sum would need about %.3g terms (the limit is %u); "
                      "total_count * probs * (1 - probs) is too large",
                      terms, DV_FAM_SUM_MAX);
}

dv_status dv_fam_binomial_entropy(const dv_fdist *x, dv_fresult *out, dv_error *err)
{
    dv_status st = dv_fam_binomial_check(x, DV_ARG_P, err);
    if (st != DV_OK)
        return st;
    binom B = binom_make(x);
    double k0;
    if (binom_point(&B, &k0))
        return dv_fam_finite(out, 0.0);
    double npq = B.m1 * B.b.p0;
    if (npq >= BINOM_ASYM) {
        /* H = ½ log(2πe npq) − (1 − 4pq)/(12 npq) − (1 − 4pq + 2(pq)²)/(24 (npq)²) + O((npq)^-3)
         * (coefficients fitted to exact sums and checked in the generator; the Poisson
         * limit p → 0 gives −1/(12λ) − 1/(24λ²)). 1 − 4pq = (q − p)² without cancellation. */
        double pq = B.b.p1 * B.b.p0, dq = B.b.p0 - B.b.p1, il = 1.0 / npq;
        double c1 = dq * dq / 12.0, c2 = (dq * dq + 2.0 * pq * pq) / 24.0;
        return dv_fam_finite(out,
                             (LN_SQRT_2PI + 0.5) + 0.5 * log(npq) - il * (c1 + il * c2));
    }
    double lo, hi;
    window(B.m1, sqrt(npq), B.n, &lo, &hi);
    assert(hi - lo + 1.0 <=
           (double)DV_FAM_SUM_MAX); /* npq < BINOM_ASYM bounds the window */
    dv_acc acc = {0.0, 0.0};
    for (size_t i = 0, cnt = (size_t)(hi - lo) + 1; i < cnt; i++) {
        double k = lo + (double)i;
        double lp = binom_lpmf(&B, k);
        double pk = exp(lp);
        if (pk > 0.0)
            dv_acc_add(&acc, -pk * lp);
    }
    double h = dv_acc_value(&acc);
    return dv_fam_finite(out, h > 0.0 ? h : 0.0);
}

static const char *const BINOM_SUPPORT =
    "p's support is not inside q's: p gives a positive probability to a count that q "
    "cannot produce (p.total_count > q.total_count, or q's probs is 0 or 1)";

/* Q·φ(P/Q) from log P and log Q; φ(e^d) by series near d = 0. */
static double kl_term_logs(double lp, double lq)
{
    double P = exp(lp), Q = exp(lq), d = lp - lq;
    if (fabs(d) < PHI_CUT)
        return Q * phi1_series(expm1(d));
    return kl_term(P, Q, NAN, d, false);
}

dv_status dv_fam_binomial_binomial_kl(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                                      dv_error *err)
{
    dv_status st = dv_fam_binomial_check(p, DV_ARG_P, err);
    if (st == DV_OK)
        st = dv_fam_binomial_check(q, DV_ARG_Q, err);
    if (st != DV_OK)
        return st;
    binom P = binom_make(p), Q = binom_make(q);
    double np = P.n, nq = Q.n;
    if (np < 0.5) {
        /* p is the point mass at 0: KL = −log Q(0) = −n_q log Q_trial(0), +inf when q's
         * probs is exactly 1 (then Q(0) = 0; a logit only underflows, l0 stays exact). */
        if (nq < 0.5)
            return dv_fam_finite(out, 0.0);
        if (!Q.b.logit && !(Q.b.p0 > 0.0))
            return inf_value(out, BINOM_SUPPORT);
        double v = -nq * Q.b.l0;
        return dv_fam_finite(out, v > 0.0 ? v : 0.0);
    }
    if (!(np > nq + 0.5) && !(np < nq - 0.5)) {
        /* Same n: n·KL of the trials (a trial outside q's support makes it +inf). */
        int which;
        double v = bern_kl(&P.b, &Q.b, &which);
        if (which >= 0)
            return inf_value(out, BINOM_SUPPORT);
        v *= np;
        if (!isfinite(v))
            return dv_fam_kl_overflow(err, "distributions");
        return dv_fam_finite(out, v);
    }
    /* Different n. Supports [lo, hi]: {0} if probs = 0, {n} if probs = 1, else {0..n}. */
    double kp, kq;
    bool pp = binom_point(&P, &kp), qp = binom_point(&Q, &kq);
    double plo = pp ? kp : 0.0, phi = pp ? kp : np;
    double qlo = qp ? kq : 0.0, qhi = qp ? kq : nq;
    if (plo < qlo - 0.5 || phi > qhi + 0.5)
        return inf_value(out, BINOM_SUPPORT);
    if (pp) {
        /* p is a point mass at kp inside q's support: KL = −log Q(kp). */
        double v = qp ? 0.0 : -binom_lpmf(&Q, kp);
        return dv_fam_finite(out, v > 0.0 ? v : 0.0);
    }
    /* Both spread, n_p < n_q: KL = Σ_k Q(k)·φ(P(k)/Q(k)) over k = 0..n_q (P(k) = 0 for
     * k > n_p gives Q(k)), summed over the union of both windows; outside both, P and Q
     * are below e^-800 and so is every term. */
    assert(np < nq);
    double alo, ahi, blo, bhi;
    window(P.m1, sqrt(P.m1 * P.b.p0), np, &alo, &ahi);
    window(Q.m1, sqrt(Q.m1 * Q.b.p0), nq, &blo, &bhi);
    double terms = (ahi - alo + 1.0) + (bhi - blo + 1.0);
    if (terms > (double)DV_FAM_SUM_MAX)
        return too_long(err, DV_ARG_Q, terms);
    dv_acc acc = {0.0, 0.0};
    /* First the p window, then the part of the q window outside it. */
    for (size_t i = 0, cnt = (size_t)(ahi - alo) + 1; i < cnt; i++) {
        double k = alo + (double)i;
        dv_acc_add(&acc, kl_term_logs(binom_lpmf(&P, k), binom_lpmf(&Q, k)));
    }
    for (size_t i = 0, cnt = (size_t)(bhi - blo) + 1; i < cnt; i++) {
        double k = blo + (double)i;
        if (k >= alo && k <= ahi)
            continue;
        double lq = binom_lpmf(&Q, k);
        dv_acc_add(&acc, k > np ? exp(lq) : kl_term_logs(binom_lpmf(&P, k), lq));
    }
    double v = dv_acc_value(&acc);
    if (!isfinite(v))
        return dv_fam_kl_overflow(err, "distributions");
    return dv_fam_finite(out, v > 0.0 ? v : 0.0);
}

/* ---- geometric (failures before the first success, P(k) = (1−p)^k p) --------------------- */

dv_status dv_fam_geometric_check(const dv_fdist *x, int arg, dv_error *err)
{
    return check_probs_logits(x->s[0], x->s[1], arg, false, err);
}

/*
 * H = H_bern(p)/p. From logits the quotient is taken apart so that a tiny σ(a) does not
 * underflow: H = softplus(−a) + softplus(a)·e^-a, with softplus(a)·e^-a = log1p(t)/t for
 * t = e^a (a < 0) and (a + log1p(e^-a))·e^-a (a ≥ 0).
 */
dv_status dv_fam_geometric_entropy(const dv_fdist *x, dv_fresult *out, dv_error *err)
{
    dv_status st = dv_fam_geometric_check(x, DV_ARG_P, err);
    if (st != DV_OK)
        return st;
    if (isnan(x->s[0])) {
        double a = x->s[1], t2;
        if (a >= 0.0) {
            double e = exp(-a);
            t2 = (a + log1p(e)) * e;
        } else {
            double t = exp(a);
            t2 = t > 0.0 ? log1p(t) / t : 1.0;
        }
        return dv_fam_finite(out, softplus(-a) + t2);
    }
    bern b = bern_make(x->s[0], NAN);
    return dv_fam_finite(out, bern_entropy(&b) / b.p1);
}

/*
 * KL = log(p1/q1) + (p0/p1)·log(p0/q0) = KL_bern/p1. With x = q1/p1 − 1 and
 * y = 1 − q0/p0 (x/y = p0/p1):  KL = ψ0(x) + (p0/p1)·ψ0(−y),  ψ0(t) = t − log1p(t) ≥ 0,
 * and in terms of the log ratios lr1 = log(p1/q1), lr0 = log(p0/q0):
 *     ψ0(x) = ψ1(−lr1),   (p0/p1)·ψ0(−y) = x·ψ1(−lr0)/y,   y = −expm1(−lr0),
 * ψ1(t) = e^t − 1 − t. Both terms are ≥ 0 and neither needs p1 itself (no underflow
 * for logits ≪ 0).
 */
static double geometric_kl_core(const bern *p, const bern *q)
{
    double u1, lr1, u0, lr0;
    bern_ratios(p, q, &u1, &lr1, &u0, &lr0);
    double x = expm1(-lr1);
    double t0 = -lr0, y = -expm1(t0);
    double second;
    if (!(fabs(y) > 0.0))
        second = 0.0;
    else if (fabs(t0) < 1e-100)
        second = x * (-0.5 * t0); /* ψ1(t)/(−expm1 t) → −t/2; ψ1 would underflow */
    else
        second = x * (psi1(t0) / y);
    return psi1(-lr1) + second;
}

static const char *const GEOM_INF =
    "q.probs is 1 (q is always 0) but p gives positive probability to values above 0";

dv_status dv_fam_geometric_geometric_kl(const dv_fdist *p, const dv_fdist *q,
                                        dv_fresult *out, dv_error *err)
{
    dv_status st = dv_fam_geometric_check(p, DV_ARG_P, err);
    if (st == DV_OK)
        st = dv_fam_geometric_check(q, DV_ARG_Q, err);
    if (st != DV_OK)
        return st;
    bern bp = bern_make(p->s[0], p->s[1]), bq = bern_make(q->s[0], q->s[1]);
    bool p_point = !bp.logit && !(bp.p0 > 0.0), q_point = !bq.logit && !(bq.p0 > 0.0);
    if (q_point)
        return p_point ? dv_fam_finite(out, 0.0) : inf_value(out, GEOM_INF);
    if (p_point) /* p is the point mass at 0: KL = −log Q(0) = −log q1 */
        return dv_fam_finite(out, -bq.l1);
    double v = geometric_kl_core(&bp, &bq);
    if (!isfinite(v))
        return dv_fam_kl_overflow(err, "distributions");
    return dv_fam_finite(out, v > 0.0 ? v : 0.0);
}

/* ---- categorical ------------------------------------------------------------------------ */

/*
 * Prepares x's probs or logits as a dv_dist. The cast drops const from probs: with
 * normalize = false and a sum within 1e-6 of 1, dv_prepare_weights never rescales in
 * place (it only does so for totals outside [2^-64, 2^64]), so the caller's array is
 * not written.
 */
static dv_status cat_prepare(const dv_fdist *x, int arg, dv_dist *d, dv_error *err)
{
    const char *s = side(arg);
    const double *pr = x->v[0], *lg = x->v[1];
    if (pr && lg)
        return dv_fail_at(err, DV_BAD_PARAMETER, dv_at(arg, "logits"),
                          "%s has both probs and logits; give exactly one of them", s);
    if (!pr && !lg)
        return dv_fail_at(err, DV_BAD_PARAMETER, dv_at(arg, NULL),
                          "%s needs probs or logits (exactly one of them)", s);
    const char *member = pr ? "probs" : "logits";
    if (x->d == 0)
        return dv_fail_at(err, DV_EMPTY, dv_at(arg, member),
                          "%s.%s is empty; a categorical needs at least one category", s,
                          member);
    char name[16];
    snprintf(name, sizeof name, "%s.%s", s, member);
    const dv_name nm = {arg, name, DV_NO_INDEX, NULL};
    dv_status st =
        pr ? dv_prepare_weights((double *)(uintptr_t)pr, x->d, false, &nm, d, err)
           : dv_prepare_logits(lg, x->d, 1.0, &nm, d, err);
    if (st != DV_OK && err)
        err->at.member = member; /* the core located it in the vector: /p/probs/2 */
    return st;
}

dv_status dv_fam_categorical_check(const dv_fdist *x, int arg, dv_error *err)
{
    dv_dist d;
    return cat_prepare(x, arg, &d, err);
}

dv_status dv_fam_categorical_entropy(const dv_fdist *x, dv_fresult *out, dv_error *err)
{
    dv_dist d;
    dv_status st = cat_prepare(x, DV_ARG_P, &d, err);
    if (st != DV_OK)
        return st;
    return dv_fam_finite(out, dv_entropy(&d, NULL));
}

static const char *const CAT_INF =
    "p gives a positive probability to a category that q gives probability 0";

dv_status dv_fam_categorical_categorical_kl(const dv_fdist *p, const dv_fdist *q,
                                            dv_fresult *out, dv_error *err)
{
    dv_dist dp, dq;
    dv_status st = cat_prepare(p, DV_ARG_P, &dp, err);
    if (st == DV_OK)
        st = cat_prepare(q, DV_ARG_Q, &dq, err);
    if (st != DV_OK)
        return st;
    if (dp.n != dq.n)
        return dv_fail_at(
            err, DV_SHAPE_MISMATCH, dv_at(DV_ARG_Q, q->v[0] ? "probs" : "logits"),
            "p has %zu categories but q has %zu; they must be equal", dp.n, dq.n);
    dv_value v = dv_kl(&dp, &dq, NULL);
    if (isinf(v.nats))
        return inf_value(out, CAT_INF);
    return dv_fam_finite(out, v.nats);
}
