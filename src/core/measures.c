/*
 * measures.c — the discrete divergence family of SPEC §7 (see measures.h for the
 * contract and the reasons for its shape).
 *
 * Layout: the name/flag table; per-category "pairs" (P_i, Q_i and P_i − Q_i without
 * cancellation, and the log ratio x_i = log(P_i/Q_i) when a kernel needs it); the
 * kernels, each a non-negative term; the passes (one for the α-free measures, one per α,
 * log-sum-exp fallbacks, W1 over sorted positions); dv_measures() gluing them.
 *
 * The few helpers that discrete.c also has (the error-free cross difference, the φ and
 * ψ series) are written again here on purpose: the module is self-contained, and those
 * in discrete.c are static.
 */
#include <assert.h>
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "dd.h"
#include "internal.h"
#include "measures.h"
#include "numfmt.h"

/* INFINITY is a float constant; as a double it keeps -Wdouble-promotion quiet. */
#define INF ((double)INFINITY)

/* ---- the table ----------------------------------------------------------------------- */

#define F_UNIT DV_MF_IN_UNIT
#define F_TERMS DV_MF_HAS_TERMS
#define F_DEF DV_MF_DEFAULT

static const struct {
    const char *name;
    unsigned flags;
} MEASURES[DV_M_COUNT] = {
    [DV_M_KL] = {"kl", F_UNIT | F_TERMS | F_DEF},
    [DV_M_REVERSE_KL] = {"reverse_kl", F_UNIT | F_TERMS | F_DEF},
    [DV_M_PSI] = {"psi", F_UNIT | F_TERMS | F_DEF},
    [DV_M_JS] = {"js", F_UNIT | F_TERMS | F_DEF},
    [DV_M_JS_DISTANCE] = {"js_distance", DV_MF_SQRT_UNIT | F_DEF},
    [DV_M_CROSS_ENTROPY] = {"cross_entropy", F_UNIT | F_TERMS | F_DEF},
    [DV_M_HELLINGER] = {"hellinger", F_DEF},
    [DV_M_BHATTACHARYYA] = {"bhattacharyya", F_UNIT | F_DEF},
    [DV_M_TV] = {"tv", F_TERMS | F_DEF},
    [DV_M_LINF] = {"linf", F_DEF},
    [DV_M_CHI2] = {"chi2", F_TERMS | F_DEF},
    [DV_M_NEYMAN_CHI2] = {"neyman_chi2", F_TERMS | F_DEF},
    [DV_M_RENYI] = {"renyi", F_UNIT | DV_MF_NEEDS_ALPHA},
    [DV_M_TSALLIS] = {"tsallis", F_TERMS | DV_MF_NEEDS_ALPHA},
    [DV_M_WASSERSTEIN] = {"wasserstein", DV_MF_NEEDS_POSITIONS},
};

const char *dv_measure_name(dv_measure m)
{
    return (unsigned)m < DV_M_COUNT ? MEASURES[m].name : NULL;
}

unsigned dv_measure_flags(dv_measure m)
{
    return (unsigned)m < DV_M_COUNT ? MEASURES[m].flags : 0u;
}

bool dv_measure_lookup(const char *s, size_t len, dv_measure *out)
{
    for (unsigned m = 0; m < DV_M_COUNT; m++) {
        const char *name = MEASURES[m].name;
        if (strlen(name) == len && memcmp(name, s, len) == 0) {
            *out = (dv_measure)m;
            return true;
        }
    }
    return false;
}

dv_measure_set dv_measure_default_set(bool positions_known)
{
    dv_measure_set s = 0;
    for (unsigned m = 0; m < DV_M_COUNT; m++) {
        unsigned f = MEASURES[m].flags;
        if ((f & DV_MF_DEFAULT) || (positions_known && (f & DV_MF_NEEDS_POSITIONS)))
            s |= DV_MSET(m);
    }
    return s;
}

double dv_measure_to_base(dv_measure m, double value, const dv_base *b)
{
    unsigned f = dv_measure_flags(m);
    if (b->natural)
        return value;
    if (f & DV_MF_IN_UNIT)
        return dv_to_base(value, b);
    /* √(JS_nats / ln b) = √JS_nats / √ln b; for a base below 1 (ln b < 0, every
     * in-unit value negative) the distance of |JS| is taken, as /js does. */
    if (f & DV_MF_SQRT_UNIT)
        return value / sqrt(fabs(b->ln));
    return value;
}

/* ---- series -------------------------------------------------------------------------- */

/* φ(1+t) = t² Σ_{k≥2} (−1)^k t^{k−2}/(k(k−1)), for |t| < PHI_CUT: 19 coefficients leave
 * a truncation error below 2^-57 relative. */
#define PHI_CUT 0.125
#define PHI_N 19
/* ψ(t) = φ(1+t) + φ(1−t) = t² Σ_{j≥1} t^{2j−2}/(j(2j−1)), for |t| < PSI_CUT. */
#define PSI_CUT 0.25
#define PSI_N 14
/* ψ_α(e^x) = α Σ_{k≥2} g_k x^k/k!, g_k = 1 + α + … + α^{k−2}, for max(α,1)·|x| ≤
 * RT_CUT: 18 coefficients leave < 2^-58 (the k-th term is ≤ k·0.5^{k−2}/k! of the
 * first); evaluated in scaled form, see rt_init. */
#define RT_CUT 0.5
#define RT_N 18

/* Σ c[k] x^k. Plain multiply-adds: |x| is small and the terms decrease, so an fma would
 * add nothing but a library call where the CPU has no fma instruction at -O2. */
static inline double horner(const double *c, size_t n, double x)
{
    double s = c[n - 1];
    for (size_t k = n - 1; k-- > 0;)
        s = s * x + c[k];
    return s;
}

/* ---- error-free pieces --------------------------------------------------------------- */

/* a − b = hi + lo exactly (Knuth's TwoSum). */

/* p·(sq + sq_lo) − q·(sp + sp_lo) with a relative error of a few ulps whatever the
 * cancellation: w = q·sp rounded, e its exact error (fma), f = p·sq − w rounded once.
 * Why: P_i − Q_i formed from rounded P_i and Q_i has an absolute error ~1e-16, a
 * relative error of 1e-9 when P ≈ Q at 1e-7. The products with the low parts of the
 * totals are two separate roundings so that identical inputs give exactly 0. Needs both
 * products well above the subnormal range (then e is exact). */
static inline double cross_diff(double p, double q, const dv_dist *dp, const dv_dist *dq)
{
    double w = q * dp->total;
    double e = fma(-q, dp->total, w);
    double f = fma(p, dq->total, -w);
    double lp = p * dq->total_lo;
    double lq = q * dp->total_lo;
    return (f + e) + (lp - lq);
}

/* ---- per-category pairs -------------------------------------------------------------- */

enum { K_WW, K_LL, K_MIX };

typedef struct ctx {
    const dv_dist *p, *q;
    int kind;
    double rpq;    /* K_WW: 1/(S_p·S_q), the scale of p·S_q − q·S_p                */
    double rp, rq; /* K_WW: 1/S_p, 1/S_q of the double-double totals               */
    dd dl;         /* K_LL: LSE_p − LSE_q (high parts) as a double-double           */
    double dl2;    /* K_LL: the low parts' difference and the correction (third part) */
    bool smooth;   /* smoothing ε > 0                                               */
    double eps;    /* ε                                                             */
    double rden;   /* 1/(1 + nε), or 1/(1/ε + n) for ε ≥ 1 (see pair_at)            */
    double ieps;   /* 1/ε for ε ≥ 1, else 0                                         */
    double phi[PHI_N], psi[PSI_N];
} ctx;

typedef struct pair {
    double P, Q, d; /* probabilities and P − Q, each to a few ulps relative            */
    double x;       /* log(P/Q) when have_x                                            */
    bool have_x;
    bool pz, qz; /* P_i (Q_i) is exactly 0 (weights without smoothing only)          */
} pair;

static inline void pair_raw(const ctx *c, size_t i, pair *pr);

static void ctx_init(ctx *c, const dv_dist *p, const dv_dist *q, double eps)
{
    c->p = p;
    c->q = q;
    if (p->kind == DV_WEIGHTS && q->kind == DV_WEIGHTS)
        c->kind = K_WW;
    else if (p->kind == DV_LOGITS && q->kind == DV_LOGITS)
        c->kind = K_LL;
    else
        c->kind = K_MIX;
    /* Reciprocals once, so that a category costs multiplications only (a division is
     * ~4× a multiply-add and there are three per category). Each adds ≤ 1 ulp, and
     * a uniform one at that (a scaling, which costs only relative error). */
    c->rpq = 1.0 / (p->total * q->total);
    c->rp = 1.0 / p->total;
    c->rp = fma(-c->rp, p->total_lo / p->total, c->rp);
    c->rq = 1.0 / q->total;
    c->rq = fma(-c->rq, q->total_lo / q->total, c->rq);
    c->dl = dd_two_diff(p->total, q->total);
    /* Kept apart, not added into dl.lo: when the logits agree except for a category of
     * weight 1e-130, x_i − y_i cancels dl exactly and this part is all of x. */
    c->dl2 = p->total_lo - q->total_lo;
    c->smooth = eps > 0.0;
    c->eps = eps;
    /* For ε ≥ 1 the same fractions as (P/ε + 1)/(1/ε + n): 1 + nε may overflow. */
    c->ieps = eps >= 1.0 ? 1.0 / eps : 0.0;
    c->rden =
        eps >= 1.0 ? 1.0 / (c->ieps + (double)p->n) : 1.0 / (1.0 + (double)p->n * eps);
    for (int k = 2; k < 2 + PHI_N; k++)
        c->phi[k - 2] = ((k % 2) ? -1.0 : 1.0) / ((double)k * (double)(k - 1));
    for (int j = 1; j <= PSI_N; j++)
        c->psi[j - 1] = 1.0 / ((double)j * (double)(2 * j - 1));
}

/* K_LL only; called before the passes that use d_i (not for kl/js alone). */
static void ctx_fix_lse(ctx *c)
{
    /* Each log-sum-exp carries an absolute error ~1e-16 that shifts every log ratio x_i
     * alike; d_i = Q_i(e^{x_i} − 1) then has an error δ·Q_i that does not cancel, and W1
     * or TV of logits 1e-7 apart lose 8 digits. With the exact shift Σ Q_i e^{x_i} = 1,
     * so e^δ = 1 + Σ d_i: one pass finds δ to ~1e-16 of the (small) Σ|d_i| instead of
     * ~1e-16 absolute. (Q's own rounding enters only at second order.) */
    assert(c->kind == K_LL);
    dv_acc s = {0.0, 0.0};
    for (size_t i = 0; i < c->p->n; i++) {
        pair pr;
        pair_raw(c, i, &pr);
        dv_acc_add(&s, pr.d);
    }
    c->dl2 += log1p(dv_acc_value(&s));
}

/* log P_i − log Q_i of two logit vectors from the logit difference itself: for nearby
 * logits x − y is exact (Sterbenz) where log P − log Q would carry the rounding of each
 * log-probability; the LSE difference is a double-double for the same reason. */
static inline double log_ratio_ll(const ctx *c, size_t i)
{
    double x = c->p->v[i] / c->p->temperature, y = c->q->v[i] / c->q->temperature;
    dd xy = dd_two_diff(x, y);
    if (isfinite(xy.hi) && isfinite(c->dl.hi))
        return ((xy.hi - c->dl.hi) + (xy.lo - c->dl.lo)) - c->dl2;
    /* Logits of opposite signs past ±DBL_MAX/2 overflow x − y or Lx − Ly (and inf − inf
     * is NaN); x − Lx and y − Ly do not. */
    return ((x - c->p->total) - (y - c->q->total)) - c->dl2;
}

static inline void pair_raw(const ctx *c, size_t i, pair *pr)
{
    const dv_dist *p = c->p, *q = c->q;
    pr->pz = p->kind == DV_WEIGHTS && !(p->v[i] > 0.0);
    pr->qz = q->kind == DV_WEIGHTS && !(q->v[i] > 0.0);
    pr->have_x = false;
    if (c->kind == K_WW) {
        double pv = p->v[i], qv = q->v[i];
        pr->P = pv * c->rp;
        pr->Q = qv * c->rq;
        /* 2^-960: the products' rounding errors are then exact doubles (cross_diff). */
        if (!pr->pz && !pr->qz && qv * p->total > 0x1p-960 && pv * q->total > 0x1p-960)
            pr->d = cross_diff(pv, qv, p, q) * c->rpq;
        else
            pr->d = pr->P - pr->Q; /* one side is 0 (exact) or both are negligible */
        return;
    }
    if (c->kind == K_LL) {
        pr->x = log_ratio_ll(c, i);
        pr->have_x = true;
        double lq = dv_log_prob(q, i);
        pr->Q = exp(lq);
        if (!isfinite(pr->x) || lq < -1024.0) {
            /* Q underflows, and lq + x would carry lq's rounding (~|lq|·1e-16: 1e-7 at a
             * masked logit of −1e9) into log P; or log P/Q is past ±DBL_MAX. P then
             * comes from its own logits. */
            pr->P = dv_prob(p, i);
            pr->d = pr->P - pr->Q;
        } else if (fabs(pr->x) < 1.0) {
            pr->d = pr->Q * expm1(pr->x);
            pr->P = pr->Q + pr->d;
        } else {
            pr->P = exp(lq + pr->x);
            pr->d = pr->P - pr->Q;
        }
        return;
    }
    /* Mixed: the difference of two correctly rounded probabilities has an absolute
     * error ≤ 1e-16·(P+Q), within the logit bar of SPEC §1 (1e-15 absolute); the
     * log-probabilities would carry ~1e-16·|log P| each. */
    pr->P = dv_prob(p, i);
    pr->Q = dv_prob(q, i);
    pr->d = pr->P - pr->Q;
}

/* The pair of category i, smoothed when ε > 0: (P+ε)/(1+nε), (Q+ε)/(1+nε), and the
 * difference d/(1+nε) from the unsmoothed one (never from the rounded smoothed values). */
static inline void pair_at(const ctx *c, size_t i, pair *pr)
{
    pair_raw(c, i, pr);
    if (!c->smooth)
        return;
    if (c->ieps > 0.0) {
        pr->P = fma(pr->P, c->ieps, 1.0) * c->rden;
        pr->Q = fma(pr->Q, c->ieps, 1.0) * c->rden;
        pr->d = (pr->d * c->ieps) * c->rden;
    } else {
        pr->P = (pr->P + c->eps) * c->rden;
        pr->Q = (pr->Q + c->eps) * c->rden;
        pr->d = pr->d * c->rden;
    }
    pr->pz = pr->qz = false;
    pr->have_x = false;
}

/* log P_i and log Q_i (finite for logits even where P_i underflows). */
static inline double pair_lp(const ctx *c, size_t i, const pair *pr)
{
    return c->smooth ? log(pr->P) : dv_log_prob(c->p, i);
}

static inline double pair_lq(const ctx *c, size_t i, const pair *pr)
{
    return c->smooth ? log(pr->Q) : dv_log_prob(c->q, i);
}

/* x = log(P/Q), for a pair with neither side exactly 0. Near r = 1 from the exact
 * difference (log1p of d/Q: no digit of r − 1 lost); elsewhere the ratio of two
 * accurate probabilities, or the logs taken apart when the ratio leaves the range. */
static inline double pair_x_t(const ctx *c, size_t i, pair *pr, double t)
{
    if (pr->have_x)
        return pr->x;
    double x;
    double P = pr->P, Q = pr->Q;
    /* log1p(t) is accurate for t ≥ −½ (1 + t ≥ ½ then holds t's digits); below, r is
     * small and better taken as the ratio. */
    if (Q >= DBL_MIN && t >= -0.5 && t < 0x1p1000) {
        x = log1p(t);
    } else {
        double r = P / Q;
        if (P >= DBL_MIN && Q >= DBL_MIN && r > 0x1p-1000 && r < 0x1p1000)
            x = log(r);
        else
            x = pair_lp(c, i, pr) - pair_lq(c, i, pr);
    }
    pr->x = x;
    pr->have_x = true;
    return x;
}

static inline double pair_x(const ctx *c, size_t i, pair *pr)
{
    if (pr->have_x)
        return pr->x;
    return pair_x_t(c, i, pr, pr->Q >= DBL_MIN ? pr->d / pr->Q : -1.0);
}

/* (P − Q)/Q = r − 1 and (P − Q)/P = 1 − 1/r; for two logit vectors from x, where Q (or
 * P) may have underflowed while the ratio is finite. */
static inline double pair_t(const ctx *c, const pair *pr)
{
    if (c->kind == K_LL && !c->smooth)
        return expm1(pr->x);
    if (!(pr->Q > 0.0)) /* an underflowed logit probability: d = P ≥ 0 */
        return pr->d > 0.0 ? INF : 0.0;
    return pr->d / pr->Q;
}

static inline double pair_s(const ctx *c, const pair *pr)
{
    if (c->kind == K_LL && !c->smooth)
        return -expm1(-pr->x);
    if (!(pr->P > 0.0))
        return pr->d < 0.0 ? -INF : 0.0;
    return pr->d / pr->P;
}

/* log|e^x − 1|, for x ≠ 0. */
static inline double log_abs_expm1(double x)
{
    return x > 0.0 ? x + log(-expm1(-x)) : log(-expm1(x));
}

/* The χ² terms (P − Q)²/Q = Q t² and (P − Q)²/P = P s². With Q (P) below DBL_MIN the
 * product is taken in logs, Q t² = exp(log Q + 2 log|t|): for logits Q and d may both
 * have underflowed to 0 while the term is e^{400} (0·inf would be NaN); for weights a
 * subnormal Q keeps a few bits only, or none (q = [1e-320, 1e10] makes Q₀ = 1e-330 while
 * P₀²/Q₀ is 1e-250). */
static inline double chi2_term(const ctx *c, size_t i, pair *pr)
{
    if (!c->smooth && pr->Q < DBL_MIN) {
        double x = pair_x(c, i, pr);
        return fabs(x) > 0.0 ? exp(dv_log_prob(c->q, i) + 2.0 * log_abs_expm1(x)) : 0.0;
    }
    return pr->d * pair_t(c, pr);
}

static inline double neyman_term(const ctx *c, size_t i, pair *pr)
{
    if (!c->smooth && pr->P < DBL_MIN) {
        double x = pair_x(c, i, pr);
        return fabs(x) > 0.0 ? exp(dv_log_prob(c->p, i) + 2.0 * log_abs_expm1(-x)) : 0.0;
    }
    return pr->d * pair_s(c, pr);
}

/* ---- kernels of the smoothed KL family (P, Q > 0) ------------------------------------ */

/* Q φ(P/Q): the series near r = 1, else P x − (P − Q) (= Q(r log r − r + 1)) with one
 * rounding; past |r − 1| = 1/8 that cancels by at most a factor ~16. */
static inline double kl_term(const ctx *c, double P, double Q, double d, double x)
{
    double t = d / Q;
    if (fabs(t) < PHI_CUT)
        return Q * (t * t) * horner(c->phi, PHI_N, t);
    return fma(P, x, -d);
}

/* ½ M ψ(τ), τ = (P − Q)/(P + Q), M = (P + Q)/2: the JS term. Far from P = Q,
 * ½[P log(P/M) + Q log(Q/M)] with log(P/M) = ln2 − softplus(−x), log(Q/M) = ln2 −
 * softplus(x), which stay finite for any x (the ratio may not). */
static inline double softplus(double x)
{
    return x > 0.0 ? x + log1p(exp(-x)) : log1p(exp(x));
}

static inline double js_term(const ctx *c, double P, double Q, double d, double x)
{
    double m = 0.5 * (P + Q);
    double tau = d / (P + Q);
    if (fabs(tau) < PSI_CUT) {
        double t2 = tau * tau;
        return 0.5 * m * t2 * horner(c->psi, PSI_N, t2);
    }
    return 0.5 * (P * (M_LN2 - softplus(-x)) + Q * (M_LN2 - softplus(x)));
}

/* ---- Rényi / Tsallis ----------------------------------------------------------------- */

typedef struct rt {
    double a, b;    /* α and β = α − 1                                           */
    double ib;      /* 1/β: a multiplication per category instead of a division  */
    double s, as;   /* s = max(α, 1) and α/s: the series runs in y = s·x         */
    double tcut;    /* |r − 1| below which the series may apply: e^{½/s} − 1     */
    int exact;      /* 2 or 1/2 → α is 2 or ½, with closed forms (see rt_term)   */
    double c[RT_N]; /* h_k / k!, h_k = g_k / s^{k−2}, k = 2 … RT_N + 1           */
} rt;

static void rt_init(rt *r, double a)
{
    r->a = a;
    r->b = a - 1.0;
    r->ib = 1.0 / r->b;
    r->exact = !(a < 2.0) && !(a > 2.0) ? 2 : (!(a < 0.5) && !(a > 0.5) ? 1 : 0);
    /* ψ_α(e^x) = α Σ g_k x^k/k! = (α/s)·x·y·Σ h_k y^{k−2}/k! with y = s·x. Why scaled:
     * g_k grows like α^{k−2} and overflows for α = 1e300, while h_k ≤ k − 1 for every
     * α (h_{k+1} = s^{1−k} + (α/s) h_k) and |y| ≤ ½ where the series is used. */
    r->s = a > 1.0 ? a : 1.0;
    r->as = a / r->s;
    /* |y| ≤ ½ ⇔ |x| ≤ ½/s ⇒ |t| ≤ e^{½/s} − 1; with a margin for rounding. */
    r->tcut = expm1(RT_CUT / r->s) * 1.001;
    double h = 1.0, inv = 1.0 / r->s, ipow = 1.0, fact = 2.0;
    for (int k = 2; k < 2 + RT_N; k++) {
        r->c[k - 2] = h / fact;
        ipow *= inv; /* s^{−(k−1)} */
        h = fma(r->as, h, ipow);
        fact *= (double)(k + 1);
    }
}

/*
 * Q ψ_α(r), ψ_α(r) = (r^α − 1 − α(r − 1))/(α − 1) ≥ 0, for P, Q > 0 (as numbers or
 * exactly: Q may have underflowed for logits). Σ Q ψ_α(r) = (Σ P^α Q^{1−α} − 1)/(α − 1)
 * because Σ P = Σ Q = 1, but every term is ≥ 0, so nothing cancels in the sum.
 *  - near r = 1 (max(α,1)|x| ≤ ½, x = log r): the series, all coefficients positive;
 *  - α near 1 (|β| ≤ ½): P·expm1(βx)/β − (P − Q) — the other closed form would divide a
 *    difference by a small β;
 *  - otherwise Q((r^α − 1) − α(r − 1))/β, with r^α − 1 from expm1(αx) (or pow, see
 *    below); outside the series region that cancels by a factor ≤ ~15;
 *  - where a power would overflow or Q (or P) is below DBL_MIN: the logs, with
 *    A = P^α Q^{1−α} = exp(log Q + αx): (A − Q − α(P − Q))/β, whose parts do not cancel
 *    there (A dominates for α > 1, α(P − Q) for α < 1).
 */
static double rt_term(const ctx *c, const rt *r, size_t i, pair *pr)
{
    double P = pr->P, Q = pr->Q, d = pr->d, a = r->a, b = r->b;
    double term;
    /* The two common α need no transcendental function: ψ_2(r) = (r − 1)², so the
     * term is the χ² term d·t; ψ_½(r) = (√r − 1)², so it is (√P − √Q)², the Hellinger
     * term, formed without cancellation. */
    if (r->exact == 2)
        return chi2_term(c, i, pr);
    if (r->exact == 1) {
        double sum = sqrt(P) + sqrt(Q);
        double u = sum > 0.0 ? d / sum : 0.0;
        return u * u;
    }
    if (Q >= DBL_MIN && P >= DBL_MIN) {
        double t = pair_t(c, pr);
        /* max(α,1)|x| ≤ ½ implies |t| ≤ e^{½/s} − 1: no log for the others. */
        if (fabs(t) < r->tcut) {
            double x = pair_x_t(c, i, pr, t);
            double y = r->s * x;
            if (fabs(y) <= RT_CUT)
                return Q * (r->as * x) * y * horner(r->c, RT_N, y);
        }
        if (fabs(b) <= 0.5) {
            double x = pair_x_t(c, i, pr, t);
            if (b * x < 700.0) {
                term = fma(P, expm1(b * x) / b, -d);
                return term > 0.0 ? term : 0.0;
            }
        } else {
            /* r^α − 1. For α > 1½ and r away from 1 (|t| > ½: |x| > 0.4, |αx| > 0.6)
             * pow(r, α) − 1 cannot cancel by more than ~2.5, needs no log, and its error
             * (≈ α ulps, from the rounding of r) is no worse than α|x| ulps. Near r = 1
             * and for α < ½, expm1(α log1p(t)) keeps the digits pow would lose: r may
             * round to 1 while αt is 1e90. Two logit vectors have x already. */
            double ram1;
            if (a > 1.0 && !(c->kind == K_LL && !c->smooth) && (t > 0.5 || t < -0.4))
                ram1 = pow(P / Q, a) - 1.0;
            else
                ram1 = expm1(a * pair_x_t(c, i, pr, t));
            if (ram1 < 0x1p1000) {
                term = Q * (fma(-a, t, ram1) * r->ib);
                return term > 0.0 ? term : 0.0;
            }
        }
    }
    double A = exp(pair_lq(c, i, pr) + a * pair_x(c, i, pr));
    term = (A - Q - a * d) / b;
    return term > 0.0 ? term : 0.0;
}

/* log Σ_i exp(z_i), z_i = log Q_i + α x_i = log(P_i^α Q_i^{1−α}), over the categories
 * where both are positive, as scale·m + log(sum) (m = −inf when there is none). Why a
 * second pass: Σ P^α Q^{1−α} near 0 (almost disjoint supports, α < 1) or past DBL_MAX
 * (α > 1) loses everything in log1p(S) or overflows, while its logarithm is an ordinary
 * number. For α > 1 the exponents are kept divided by α (scale = α): α x_i itself
 * overflows for α = 1e300. */
typedef struct lse {
    double scale, m, sum;
} lse;

static lse lse_pass(const ctx *c, double a)
{
    size_t n = c->p->n;
    lse r = {a > 1.0 ? a : 1.0, -INF, 0.0};
    for (int sweep = 0; sweep < 2; sweep++) {
        dv_acc acc = {0.0, 0.0};
        for (size_t i = 0; i < n; i++) {
            pair pr;
            pair_at(c, i, &pr);
            if (pr.pz || pr.qz)
                continue;
            double lq = pair_lq(c, i, &pr), x = pair_x(c, i, &pr);
            double w = a > 1.0 ? lq / a + x : lq + a * x;
            if (sweep == 0) {
                if (w > r.m)
                    r.m = w;
            } else {
                dv_acc_add(&acc, exp(r.scale * (w - r.m)));
            }
        }
        if (sweep == 0 && !(r.m > -INF))
            return r;
        r.sum = dv_acc_value(&acc);
    }
    return r;
}

/* ---- results ------------------------------------------------------------------------- */

static dv_mvalue mv_fin(double v)
{
    dv_mvalue r = {v > 0.0 ? v : 0.0, DV_INF_NONE, DV_NO_INDEX};
    if (isinf(r.value))
        r.cause = DV_INF_OVERFLOW;
    return r;
}

static dv_mvalue mv_inf(dv_inf_cause cause, size_t index)
{
    dv_mvalue r = {INF, cause, index};
    return r;
}

static dv_mvalue from_value(dv_value v)
{
    if (v.inf_index != DV_NO_INDEX)
        return mv_inf(DV_INF_Q_ZERO, v.inf_index);
    return mv_fin(v.nats);
}

/* ---- Wasserstein --------------------------------------------------------------------- */

/*
 * W1 = Σ_k |F_P(k) − F_Q(k)| (x_{k+1} − x_k) over positions sorted. F_P − F_Q is the
 * running sum of the exact differences d_i (never a difference of two running CDFs,
 * which would cancel to nothing at P ≈ Q), kept compensated. Gaps are halved when the
 * span of the positions overflows (−1e308 … 1e308) and the sum doubled at the end.
 * Positions in order (or the default index) ride along the main pass; others are
 * collected there as (position, d_i) records, radix-sorted, and summed in one
 * sequential sweep. Why records and not indices: a sweep through sorted indices would
 * read P and Q at random, a cache miss per category at 10^6.
 */
typedef struct posd {
    double x, d;
} posd;

typedef struct w1_in {
    const double *pos; /* positions in input order, or NULL for the index            */
    posd *buf;         /* out-of-order positions: 2n records of work, else NULL       */
    double scale;      /* in order: 1, or ½ when the span overflows                   */
} w1_in;

static double w1_scale(double lo, double hi)
{
    return isfinite(hi - lo) ? 1.0 : 0.5;
}

/* Adds the gap after the k-th position (in order), d being that category's P − Q. */
static inline void w1_step(const w1_in *w, dv_acc *g, dv_acc *sum, double d, size_t k)
{
    dv_acc_add(g, d);
    double gap = w->pos ? w->scale * w->pos[k + 1] - w->scale * w->pos[k] : 1.0;
    dv_acc_add(sum, fabs(dv_acc_value(g)) * gap);
}

/* An unsigned key with the order of the doubles (finite ones; −0 just below +0). */
static inline uint64_t order_key(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return (u >> 63) ? ~u : u | 0x8000000000000000u;
}

/* LSD radix sort of a[0..n) by x, bytewise, ping-ponging with tmp[0..n); returns the
 * buffer that holds the result. Why not qsort: ~20 comparisons through a function
 * pointer per record cost 10× a dv_kl at 10^6; this is 8 linear sweeps at most, and a
 * byte that is the same in every key (the low bytes of integer positions) is skipped. */
static posd *radix_sort(posd *a, posd *tmp, size_t n)
{
    size_t count[8][256];
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < n; i++) {
        uint64_t k = order_key(a[i].x);
        for (int b = 0; b < 8; b++)
            count[b][(k >> (8 * b)) & 0xffu]++;
    }
    for (int b = 0; b < 8; b++) {
        size_t *c = count[b];
        if (c[(order_key(a[0].x) >> (8 * b)) & 0xffu] == n)
            continue; /* one value of this byte: the pass would not move anything */
        size_t sum = 0;
        for (int v = 0; v < 256; v++) {
            size_t t = c[v];
            c[v] = sum;
            sum += t;
        }
        for (size_t i = 0; i < n; i++)
            tmp[c[(order_key(a[i].x) >> (8 * b)) & 0xffu]++] = a[i];
        posd *t = a;
        a = tmp;
        tmp = t;
    }
    return a;
}

static dv_mvalue wasserstein_sorted(posd *buf, size_t n)
{
    posd *s = radix_sort(buf, buf + n, n);
    double scale = w1_scale(s[0].x, s[n - 1].x);
    dv_acc g = {0.0, 0.0}, sum = {0.0, 0.0};
    for (size_t k = 0; k + 1 < n; k++) {
        assert(!(s[k + 1].x < s[k].x));
        dv_acc_add(&g, s[k].d);
        double gap = scale * s[k + 1].x - scale * s[k].x;
        dv_acc_add(&sum, fabs(dv_acc_value(&g)) * gap);
    }
    return mv_fin(dv_acc_value(&sum) / scale);
}

/* ---- the α-free pass ----------------------------------------------------------------- */

typedef struct main_out {
    dv_acc tv, h2, bc, chi2, ney, kl, rkl, js, ent;
    dv_acc g, w1; /* W1 in input order: F_P − F_Q and the sum */
    double linf;
    size_t chi2_inf, ney_inf; /* first Q = 0 < P / P = 0 < Q */
    size_t rkl_inf;           /* first P = 0 < Q (reverse KL)   */
    bool overlap;             /* some category has P > 0 and Q > 0 */
    bool bc_sub;              /* a √(PQ) from a subnormal P or Q: few digits */
} main_out;

static void set_term(double *terms, size_t i, double v)
{
    if (terms)
        terms[i] = v;
}

/* ---- one α -------------------------------------------------------------------------- */

/* The running state of renyi/tsallis at one α, fed category by category (by the main
 * pass, so that the pair and its log ratio are formed once for every measure). */
typedef struct rt_state {
    rt r;
    bool unit;     /* α = 1: the KL limit                                        */
    dv_acc acc;    /* Σ Q ψ_α(r)                                                 */
    size_t inf_at; /* first Q = 0 < P (α > 1)                                     */
    double *terms; /* n entries, or NULL                                          */
} rt_state;

static void rt_start(rt_state *st, double a, double *terms)
{
    memset(st, 0, sizeof *st);
    rt_init(&st->r, a);
    st->unit = !(a < 1.0) && !(a > 1.0);
    st->inf_at = DV_NO_INDEX;
    st->terms = terms;
}

static void rt_elem(const ctx *c, rt_state *st, size_t i, pair *pr)
{
    double a = st->r.a, term;
    if (st->unit) {
        /* The value is `kl` itself; only the terms are formed here: P log(P/Q). */
        if (st->terms)
            st->terms[i] = pr->pz ? 0.0 : pr->qz ? INF : pr->P * pair_x(c, i, pr);
        return;
    }
    if (st->inf_at != DV_NO_INDEX && !st->terms)
        return; /* already infinite */
    if (pr->pz && pr->qz) {
        term = 0.0;
    } else if (pr->pz) {
        term = pr->Q; /* Q ψ_α(0) = Q(−1 + α)/(α − 1) = Q */
    } else if (pr->qz) {
        if (a > 1.0) {
            if (st->inf_at == DV_NO_INDEX)
                st->inf_at = i;
            set_term(st->terms, i, INF);
            return;
        }
        term = a * pr->P / (1.0 - a); /* lim Q ψ_α(P/Q), Q → 0, α < 1 */
    } else {
        term = rt_term(c, &st->r, i, pr);
    }
    dv_acc_add(&st->acc, term);
    set_term(st->terms, i, term);
}

/* renyi and tsallis from the finished sum; `overlap`: some category has P, Q > 0. */
static void rt_finish(const ctx *c, const rt_state *st, dv_mvalue kl, bool overlap,
                      dv_mvalue *renyi, dv_mvalue *tsallis)
{
    const rt *r = &st->r;
    if (st->unit) {
        *renyi = *tsallis = kl; /* bit for bit */
        return;
    }
    if (st->inf_at != DV_NO_INDEX) {
        *renyi = *tsallis = mv_inf(DV_INF_Q_ZERO, st->inf_at);
        return;
    }
    *tsallis = mv_fin(dv_acc_value(&st->acc));
    double S = r->b * tsallis->value; /* Σ P^α Q^{1−α} − 1 */
    if (isfinite(S) && S > -0.5) {
        *renyi = mv_fin(log1p(S) / r->b);
        return;
    }
    /* Near-disjoint (α < 1) or overflowing (α > 1): the log of the sum directly. */
    if (!overlap) {
        *renyi = mv_inf(DV_INF_DISJOINT, DV_NO_INDEX);
        return;
    }
    lse l = lse_pass(c, r->a);
    if (!(l.m > -INF))
        *renyi = mv_inf(DV_INF_DISJOINT, DV_NO_INDEX);
    else /* (scale·m + log sum)/(α − 1), with scale/(α − 1) formed first */
        *renyi = mv_fin((l.scale / r->b) * l.m + log(l.sum) / r->b);
}

/*
 * One pass for tv, linf, hellinger, bhattacharyya, chi2, neyman_chi2, reverse_kl (when
 * do_rkl), the psi terms, W1 in input order, renyi/tsallis at the nrt orders of rts, and
 * (with smoothing) kl, js and H(P): the pair and its log ratio are formed once for all of
 * them. `want` says which are needed, so that no log is taken for a request of tv alone.
 * Why reverse_kl here and not dv_kl(q, p): its log ratio is the one the other measures
 * take anyway (kl itself must be dv_kl's, bit for bit; reverse_kl has no such twin).
 */
static void main_pass(const ctx *c, dv_measure_set want, bool smooth_kl, bool do_rkl,
                      double *const *terms, w1_in *w1, rt_state *rts, size_t nrt,
                      main_out *o)
{
    size_t n = c->p->n;
    memset(o, 0, sizeof *o);
    o->chi2_inf = o->ney_inf = o->rkl_inf = DV_NO_INDEX;
    bool need_root = want & (DV_MSET(DV_M_HELLINGER) | DV_MSET(DV_M_BHATTACHARYYA));
    bool need_chi = want & DV_MSET(DV_M_CHI2), need_ney = want & DV_MSET(DV_M_NEYMAN_CHI2);
    double *t_tv = terms[DV_M_TV], *t_chi = terms[DV_M_CHI2],
           *t_ney = terms[DV_M_NEYMAN_CHI2];
    double *t_psi = terms[DV_M_PSI];
    double *t_kl = NULL, *t_js = NULL, *t_ce = NULL;
    double *t_rkl = do_rkl ? terms[DV_M_REVERSE_KL] : NULL;
    if (smooth_kl) {
        t_kl = terms[DV_M_KL];
        t_js = terms[DV_M_JS];
        t_ce = terms[DV_M_CROSS_ENTROPY];
    }
    for (size_t i = 0; i < n; i++) {
        pair pr;
        pair_at(c, i, &pr);
        double P = pr.P, Q = pr.Q, d = pr.d;
        double ad = fabs(d);
        if (w1 && w1->buf)
            w1->buf[i] = (posd){w1->pos[i], d};
        else if (w1 && i + 1 < n)
            w1_step(w1, &o->g, &o->w1, d, i);
        dv_acc_add(&o->tv, 0.5 * ad);
        set_term(t_tv, i, 0.5 * ad);
        if (ad > o->linf)
            o->linf = ad;
        for (size_t k = 0; k < nrt; k++)
            rt_elem(c, &rts[k], i, &pr);
        if (pr.pz && pr.qz) {
            set_term(t_chi, i, 0.0);
            set_term(t_ney, i, 0.0);
            set_term(t_psi, i, 0.0);
            set_term(t_rkl, i, 0.0);
            continue;
        }
        if (need_root) {
            /* (√P − √Q)² = (d/(√P + √Q))²: no cancellation, and squaring the quotient
             * (not d²) keeps a d of 1e-200 from underflowing. */
            double rp = sqrt(P), rq = sqrt(Q);
            double sum = rp + rq;
            double u = sum > 0.0 ? d / sum : 0.0; /* both underflowed (logits) */
            dv_acc_add(&o->h2, 0.5 * (u * u));
            dv_acc_add(&o->bc, rp * rq);
            o->bc_sub |= (P < DBL_MIN || Q < DBL_MIN) && rp * rq > 0.0;
        }
        if (pr.qz) {
            if (o->chi2_inf == DV_NO_INDEX)
                o->chi2_inf = i;
            set_term(t_chi, i, INF);
        } else if (need_chi || t_chi) {
            double v = pr.pz ? Q : chi2_term(c, i, &pr);
            dv_acc_add(&o->chi2, v);
            set_term(t_chi, i, v);
        }
        if (pr.pz) {
            if (o->ney_inf == DV_NO_INDEX)
                o->ney_inf = i;
            set_term(t_ney, i, INF);
        } else if (need_ney || t_ney) {
            double v = pr.qz ? P : neyman_term(c, i, &pr);
            dv_acc_add(&o->ney, v);
            set_term(t_ney, i, v);
        }
        if (pr.pz || pr.qz) {
            set_term(t_psi, i, INF);
            if (pr.pz) { /* reverse KL: Q > 0 = P */
                if (o->rkl_inf == DV_NO_INDEX)
                    o->rkl_inf = i;
                set_term(t_rkl, i, INF);
            } else if (do_rkl) { /* P φ(0) = P: Q = 0 < P counts in the φ form */
                dv_acc_add(&o->rkl, P);
                set_term(t_rkl, i, 0.0);
            }
            continue;
        }
        o->overlap = true;
        if (t_psi)
            t_psi[i] = d * pair_x(c, i, &pr);
        if (do_rkl) {
            double x = pair_x(c, i, &pr);
            dv_acc_add(&o->rkl, kl_term(c, Q, P, -d, -x)); /* P φ(Q/P) */
            set_term(t_rkl, i, -Q * x);
        }
        if (smooth_kl) {
            double x = pair_x(c, i, &pr);
            double kt = kl_term(c, P, Q, d, x);
            double jt = js_term(c, P, Q, d, x);
            double ht = -P * log(P);
            dv_acc_add(&o->kl, kt);
            dv_acc_add(&o->js, jt);
            dv_acc_add(&o->ent, ht > 0.0 ? ht : 0.0);
            set_term(t_kl, i, P * x);
            set_term(t_js, i, jt);
            set_term(t_ce, i, -P * log(Q));
        }
    }
}

/* Orders beyond those the main pass carries: one more pass per group. */
static void rt_pass(const ctx *c, rt_state *rts, size_t nrt)
{
    for (size_t i = 0; i < c->p->n; i++) {
        pair pr;
        pair_at(c, i, &pr);
        for (size_t k = 0; k < nrt; k++)
            rt_elem(c, &rts[k], i, &pr);
    }
}

/* ---- the entry point ----------------------------------------------------------------- */

/* The measures that take log P_i/Q_i itself; kl, js and cross-entropy (dv_kl, dv_js) and
 * hellinger, tv, linf and wasserstein (P, Q and their difference) do not. */
#define LOG_RATIO_SET                                                                      \
    (DV_MSET(DV_M_REVERSE_KL) | DV_MSET(DV_M_PSI) | DV_MSET(DV_M_BHATTACHARYYA) |          \
     DV_MSET(DV_M_CHI2) | DV_MSET(DV_M_NEYMAN_CHI2) | DV_MSET(DV_M_RENYI) |                \
     DV_MSET(DV_M_TSALLIS))

/* Two logit vectors of opposite signs past ±DBL_MAX/2 can have a log ratio beyond the
 * doubles (−1e308 against 1e308); the measures that need it cannot be formed there, and
 * are refused rather than answered wrong. */
static dv_status ll_in_range(const ctx *c, dv_measure_set set, dv_error *err)
{
    if (c->kind != K_LL || !(set & LOG_RATIO_SET))
        return DV_OK;
    for (size_t i = 0; i < c->p->n; i++)
        if (!isfinite(log_ratio_ll(c, i)))
            return dv_fail_at(
                err, DV_BAD_PARAMETER, dv_at1(DV_ARG_Q, NULL, i),
                "log(P_i/Q_i) at index %zu is past the largest double "
                "(logits of opposite signs past +-9e307); reverse_kl, psi, "
                "bhattacharyya, chi2, neyman_chi2, renyi and tsallis need it, "
                "the other measures do not",
                i);
    return DV_OK;
}

static bool positions_sorted(const double *pos, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (pos[i] < pos[i - 1])
            return false;
    return true;
}

/*
 * The measures the single-measure cores answer (kl, js and cross-entropy as /kl, /js and
 * /cross-entropy compute them, bit for bit, and the reverse KL when the main pass does
 * not form it). They share nothing with the main pass but the read-only inputs, so from
 * DV_PARALLEL_MIN categories on they run on a second thread meanwhile: each value is
 * computed by the same operations in the same order either way.
 */
typedef struct singles_job {
    const dv_dist *p, *q;
    dv_measure_set set;
    double *const *terms;
    bool kl, js, ce, rkl; /* which to compute */
    dv_mvalue out_kl, out_rkl, out_ce;
    double out_js;
} singles_job;

static void *singles_run(void *arg)
{
    singles_job *j = arg;
    const dv_dist *p = j->p, *q = j->q;
    double *const *terms = j->terms;
    dv_measure_set set = j->set;
    dv_mvalue kl = mv_fin(0.0);
    if (j->kl)
        kl = from_value(dv_kl(p, q, (set & DV_MSET(DV_M_KL)) ? terms[DV_M_KL] : NULL));
    j->out_kl = kl;
    j->out_js = j->js ? dv_js(p, q, (set & DV_MSET(DV_M_JS)) ? terms[DV_M_JS] : NULL) : 0.0;
    j->out_ce = mv_fin(0.0);
    if (j->ce) {
        if (terms[DV_M_CROSS_ENTROPY])
            j->out_ce = from_value(dv_cross_entropy(p, q, terms[DV_M_CROSS_ENTROPY]));
        else if (kl.cause != DV_INF_NONE)
            j->out_ce = kl;
        else /* what dv_cross_entropy computes: H(P) + D(P‖Q), same operations */
            j->out_ce = mv_fin(kl.value + dv_entropy(p, NULL));
    }
    j->out_rkl = mv_fin(0.0);
    if (j->rkl) {
        dv_value v =
            dv_kl(q, p, (set & DV_MSET(DV_M_REVERSE_KL)) ? terms[DV_M_REVERSE_KL] : NULL);
        j->out_rkl = v.inf_index != DV_NO_INDEX ? mv_inf(DV_INF_P_ZERO, v.inf_index)
                                                : mv_fin(v.nats);
    }
    return NULL;
}

size_t dv_measures_work_size(const dv_measures_req *req, size_t n)
{
    if (!(req->set & DV_MSET(DV_M_WASSERSTEIN)) || !req->positions ||
        positions_sorted(req->positions, n))
        return 0;
    if (n > SIZE_MAX / (2 * sizeof(posd)))
        return SIZE_MAX;
    return 2 * n * sizeof(posd);
}

static dv_status validate(const dv_dist *p, const dv_dist *q, const dv_measures_req *req,
                          const dv_measures_res *res, dv_error *err)
{
    char num[40];
    if (p->n != q->n)
        return dv_fail_at(err, DV_SHAPE_MISMATCH, dv_at(DV_ARG_Q, NULL),
                          "p has %zu entries but q has %zu", p->n, q->n);
    if (req->set >> DV_M_COUNT)
        return dv_fail_at(err, DV_BAD_PARAMETER, dv_at(DV_ARG_NONE, "measures"),
                          "the measure set has bits beyond the %d known measures",
                          (int)DV_M_COUNT);
    if (!isfinite(req->smoothing) || req->smoothing < 0.0) {
        numfmt_msg(num, sizeof num, req->smoothing);
        return dv_fail_at(err, DV_BAD_PARAMETER, dv_at(DV_ARG_NONE, "smoothing"),
                          "smoothing is %s; it must be a finite number >= 0", num);
    }
    bool want_rt = req->set & (DV_MSET(DV_M_RENYI) | DV_MSET(DV_M_TSALLIS));
    if (want_rt && (!req->alpha || req->n_alpha == 0))
        return dv_fail_at(err, DV_BAD_PARAMETER, dv_at(DV_ARG_NONE, "alpha"),
                          "renyi and tsallis need \"alpha\": a number > 0 or an array "
                          "of them");
    /* Checked whenever given, used or not: a bad alpha is a mistake worth hearing of. */
    for (size_t k = 0; req->alpha && k < req->n_alpha; k++) {
        double a = req->alpha[k];
        if (!isfinite(a) || !(a > 0.0)) {
            numfmt_msg(num, sizeof num, a);
            return dv_fail_at(err, DV_BAD_PARAMETER, dv_at1(DV_ARG_NONE, "alpha", k),
                              "alpha[%zu] is %s; it must be a finite number > 0", k, num);
        }
    }
    if (((req->set & DV_MSET(DV_M_RENYI)) && !res->renyi) ||
        ((req->set & DV_MSET(DV_M_TSALLIS)) && !res->tsallis))
        return dv_fail_at(err, DV_BAD_PARAMETER, dv_at(DV_ARG_NONE, "alpha"),
                          "no room for the per-alpha results (res->renyi/tsallis)");
    if (req->positions) {
        if (req->n_positions != p->n)
            return dv_fail_at(err, DV_SHAPE_MISMATCH, dv_at(DV_ARG_NONE, "positions"),
                              "positions has %zu entries but p and q have %zu",
                              req->n_positions, p->n);
        for (size_t i = 0; i < p->n; i++) {
            if (!isfinite(req->positions[i])) {
                numfmt_msg(num, sizeof num, req->positions[i]);
                return dv_fail_at(err, DV_NOT_FINITE, dv_at1(DV_ARG_NONE, "positions", i),
                                  "positions[%zu] is %s; positions must be finite numbers",
                                  i, num);
            }
        }
    }
    return DV_OK;
}

dv_status dv_measures(const dv_dist *p, const dv_dist *q, const dv_measures_req *req,
                      dv_measures_res *res, dv_error *err)
{
    dv_status st = validate(p, q, req, res, err);
    if (st != DV_OK)
        return st;
    assert(p->n > 0);
    dv_measure_set set = req->set;
    for (unsigned m = 0; m < DV_M_COUNT; m++)
        res->m[m] = mv_fin(0.0);
    if (set == 0)
        return DV_OK;
    ctx c;
    ctx_init(&c, p, q, req->smoothing);
    st = ll_in_range(&c, set, err);
    if (st != DV_OK)
        return st;

    /* Work for out-of-order positions first: the only allocation, before any work. */
    posd *buf = NULL;
    bool own = false;
    size_t wsize = dv_measures_work_size(req, p->n);
    if (wsize == SIZE_MAX)
        return dv_fail_at(err, DV_TOO_LARGE, dv_at(DV_ARG_NONE, "positions"),
                          "%zu positions are too many to sort", p->n);
    if (wsize > 0) {
        if (req->work && req->work_size >= wsize) {
            buf = req->work;
        } else {
            buf = malloc(wsize);
            if (!buf)
                return dv_fail_at(err, DV_NO_MEMORY, dv_at(DV_ARG_NONE, "positions"),
                                  "out of memory sorting %zu positions", p->n);
            own = true;
        }
    }

    double *const *terms = req->terms;
    dv_measure_set rt_set = DV_MSET(DV_M_RENYI) | DV_MSET(DV_M_TSALLIS);
    bool alpha_one = false;
    if (set & rt_set)
        for (size_t k = 0; k < req->n_alpha; k++)
            alpha_one = alpha_one || !(req->alpha[k] < 1.0 || req->alpha[k] > 1.0);
    bool need_kl =
        (set & (DV_MSET(DV_M_KL) | DV_MSET(DV_M_PSI) | DV_MSET(DV_M_CROSS_ENTROPY))) ||
        alpha_one;
    bool need_rkl = set & (DV_MSET(DV_M_REVERSE_KL) | DV_MSET(DV_M_PSI));
    bool need_js = set & (DV_MSET(DV_M_JS) | DV_MSET(DV_M_JS_DISTANCE));
    bool need_ce = set & DV_MSET(DV_M_CROSS_ENTROPY);

    dv_measure_set main_set = DV_MSET(DV_M_TV) | DV_MSET(DV_M_LINF) |
                              DV_MSET(DV_M_HELLINGER) | DV_MSET(DV_M_BHATTACHARYYA) |
                              DV_MSET(DV_M_CHI2) | DV_MSET(DV_M_NEYMAN_CHI2);
    bool smooth_kl = c.smooth && (need_kl || need_js || need_ce);
    bool psi_terms = (set & DV_MSET(DV_M_PSI)) && terms[DV_M_PSI];
    /* W1 rides along the main pass (in order) or has it collect its records (buf). */
    bool want_w1 = set & DV_MSET(DV_M_WASSERSTEIN);
    w1_in w1 = {req->positions, buf, 1.0};
    if (req->positions && !buf)
        w1.scale = w1_scale(req->positions[0], req->positions[p->n - 1]);
    main_set |= DV_MSET(DV_M_WASSERSTEIN);
    /* Terms of measures not asked for are not written. */
    double *sel_terms[DV_M_COUNT];
    for (unsigned m = 0; m < DV_M_COUNT; m++)
        sel_terms[m] = (set & DV_MSET(m)) ? terms[m] : NULL;
    bool want_rt = set & rt_set;
    /* reverse_kl rides along the main pass where that pass forms log(P/Q) anyway (logit
     * pairs, smoothing, psi terms, an α other than ½ and 2); else dv_kl(q, p), whose
     * weight kernel is cheaper than a log per category. */
    bool x_anyway = c.kind == K_LL || c.smooth || psi_terms;
    for (size_t k = 0; want_rt && k < req->n_alpha; k++) {
        double a = req->alpha[k]; /* the orders whose kernel takes log(P/Q) */
        x_anyway = x_anyway || (a < 0.5 || (a > 0.5 && a <= 1.5));
    }
    bool rkl_main = need_rkl && x_anyway;
    bool run_main = (set & main_set) || smooth_kl || psi_terms || rkl_main || want_rt;
    /* Two shares of the single-measure cores: kl, cross-entropy and reverse KL on a
     * second thread while this one runs the main pass and then js (about even halves);
     * everything on this thread when the input is small, there is no main pass, or no
     * thread can be had. */
    singles_job sj = {.p = p,
                      .q = q,
                      .set = set,
                      .terms = terms,
                      .kl = !c.smooth && need_kl,
                      .ce = !c.smooth && need_ce,
                      .rkl = need_rkl && !rkl_main,
                      .out_kl = mv_fin(0.0),
                      .out_rkl = mv_fin(0.0),
                      .out_ce = mv_fin(0.0)};
    singles_job sj_js = {
        .p = p, .q = q, .set = set, .terms = terms, .js = !c.smooth && need_js};
    dv_helper h = {.running = false};
    if (!(sj.kl || sj.ce || sj.rkl) || !run_main ||
        !dv_helper_start(&h, p->n, singles_run, &sj))
        singles_run(&sj);
    if (c.kind == K_LL && run_main)
        ctx_fix_lse(&c);
    /* Up to RT_INLINE orders ride along the main pass; more take passes of their own. */
    enum { RT_INLINE = 8 };
    rt_state rts[RT_INLINE];
    size_t n_alpha = want_rt ? req->n_alpha : 0;
    double *tt = (set & DV_MSET(DV_M_TSALLIS)) ? terms[DV_M_TSALLIS] : NULL;
    size_t nrt = n_alpha < RT_INLINE ? n_alpha : RT_INLINE;
    for (size_t k = 0; k < nrt; k++)
        rt_start(&rts[k], req->alpha[k], tt ? tt + k * p->n : NULL);
    bool overlap = false;
    main_out o;
    if (run_main)
        main_pass(&c, set, smooth_kl, rkl_main, sel_terms, want_w1 ? &w1 : NULL, rts, nrt,
                  &o);
    singles_run(&sj_js);
    dv_helper_join(&h);
    dv_mvalue kl = sj.out_kl, rkl = sj.out_rkl, ce = sj.out_ce;
    double js = sj_js.out_js;
    if (run_main) {
        overlap = o.overlap;
        if (rkl_main)
            rkl = o.rkl_inf != DV_NO_INDEX ? mv_inf(DV_INF_P_ZERO, o.rkl_inf)
                                           : mv_fin(dv_acc_value(&o.rkl));
        if (want_w1 && p->n < 2)
            res->m[DV_M_WASSERSTEIN] = mv_fin(0.0);
        else if (want_w1 && buf)
            res->m[DV_M_WASSERSTEIN] = wasserstein_sorted(buf, p->n);
        else if (want_w1)
            res->m[DV_M_WASSERSTEIN] = mv_fin(dv_acc_value(&o.w1) / w1.scale);
        if (smooth_kl) {
            /* Smoothed: no zero anywhere, every value finite. Q φ form is in units of Q. */
            kl = mv_fin(dv_acc_value(&o.kl));
            double j = dv_acc_value(&o.js);
            js = j < M_LN2 ? (j > 0.0 ? j : 0.0) : M_LN2;
            ce = mv_fin(kl.value + dv_acc_value(&o.ent));
        }
        double h2 = dv_acc_value(&o.h2);
        h2 = h2 < 1.0 ? (h2 > 0.0 ? h2 : 0.0) : 1.0;
        res->m[DV_M_HELLINGER] = mv_fin(sqrt(h2));
        if (h2 < 0.5) {
            /* −log(1 − H²): the textbook −log Σ√(PQ) cancels to nothing at P ≈ Q. */
            res->m[DV_M_BHATTACHARYYA] = mv_fin(-log1p(-h2));
        } else if (!o.overlap) {
            res->m[DV_M_BHATTACHARYYA] = mv_inf(DV_INF_DISJOINT, DV_NO_INDEX);
        } else {
            /* Far apart: −log of the directly summed Σ√(PQ), or of its log-sum-exp when
             * that underflows or holds a subnormal P or Q (e^−740 keeps ~10 bits: at
             * x = [40, −700], y = [2e4, 1e8] the sum alone is off by 1e-3). */
            double bc = dv_acc_value(&o.bc);
            double v;
            if (bc > 0x1p-900 && !o.bc_sub) {
                v = -log(bc);
            } else {
                lse l = lse_pass(&c, 0.5);
                v = -(l.m + log(l.sum));
            }
            res->m[DV_M_BHATTACHARYYA] =
                isinf(v) ? mv_inf(DV_INF_DISJOINT, DV_NO_INDEX) : mv_fin(v);
        }
        double tv = dv_acc_value(&o.tv);
        res->m[DV_M_TV] = mv_fin(tv < 1.0 ? tv : 1.0);
        res->m[DV_M_LINF] = mv_fin(o.linf < 1.0 ? o.linf : 1.0);
        res->m[DV_M_CHI2] = o.chi2_inf != DV_NO_INDEX ? mv_inf(DV_INF_Q_ZERO, o.chi2_inf)
                                                      : mv_fin(dv_acc_value(&o.chi2));
        res->m[DV_M_NEYMAN_CHI2] = o.ney_inf != DV_NO_INDEX
                                       ? mv_inf(DV_INF_P_ZERO, o.ney_inf)
                                       : mv_fin(dv_acc_value(&o.ney));
    }
    res->m[DV_M_KL] = kl;
    res->m[DV_M_REVERSE_KL] = rkl;
    res->m[DV_M_CROSS_ENTROPY] = ce;
    res->m[DV_M_JS] = mv_fin(js);
    res->m[DV_M_JS_DISTANCE] = mv_fin(sqrt(js));
    if (kl.cause != DV_INF_NONE || rkl.cause != DV_INF_NONE) {
        bool first_kl =
            kl.cause != DV_INF_NONE && (rkl.cause == DV_INF_NONE || kl.index < rkl.index);
        res->m[DV_M_PSI] = first_kl ? kl : rkl;
    } else {
        res->m[DV_M_PSI] = mv_fin(kl.value + rkl.value);
    }

    for (size_t k0 = 0; k0 < n_alpha; k0 += RT_INLINE) {
        size_t m = n_alpha - k0 < RT_INLINE ? n_alpha - k0 : RT_INLINE;
        if (k0 > 0) { /* the first group rode along the main pass */
            for (size_t k = 0; k < m; k++)
                rt_start(&rts[k], req->alpha[k0 + k], tt ? tt + (k0 + k) * p->n : NULL);
            rt_pass(&c, rts, m);
        }
        for (size_t k = 0; k < m; k++) {
            dv_mvalue r, t;
            rt_finish(&c, &rts[k], kl, overlap, &r, &t);
            if (res->renyi)
                res->renyi[k0 + k] = r;
            if (res->tsallis)
                res->tsallis[k0 + k] = t;
            if (k0 + k == 0) {
                res->m[DV_M_RENYI] = r;
                res->m[DV_M_TSALLIS] = t;
            }
        }
    }

    /* Only what was asked for is reported; the rest stays 0. */
    for (unsigned m = 0; m < DV_M_COUNT; m++)
        if (!(set & DV_MSET(m)))
            res->m[m] = mv_fin(0.0);
    if (own)
        free(buf);
    return DV_OK;
}
