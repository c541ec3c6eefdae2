/*
 * discrete.c — entropy, KL, cross-entropy and Jensen–Shannon of discrete distributions
 * given as weights or logits (any mix), in nats.
 *
 * Why it is built this way (SPEC §1 "Accuracy": 1e-12 relative, also when P ≈ Q):
 *  - KL is summed as Σ Q_i φ(R_i), R_i = P_i/Q_i, φ(r) = r log r − r + 1 ≥ 0. Every term
 *    is non-negative, so a compensated sum of them is accurate to a few ulps, and a
 *    uniform scaling error in P or Q (a rounded total) costs only relative error.
 *  - r − 1 is never formed by subtracting two rounded numbers: for weights it comes from
 *    an error-free p_i·Σq − q_i·Σp (Kahan's fma difference), for logits from the
 *    log-ratio d_i = log P_i − log Q_i, where φ(e^d) has its own series.
 *  - Near r = 1 φ is a short series (the closed form cancels there); away from 1 the
 *    closed form is well conditioned.
 *  - JS uses the symmetric form ½ M_i ψ(t_i), t = (P−Q)/(P+Q), ψ(t) = φ(1+t) + φ(1−t),
 *    whose odd (linear) parts cancel exactly.
 * Every loop is O(n). Entropy, KL and JS of a large input use a second thread and two
 * 256 KiB buffers of terms when they can have them (term_sum); nothing else allocates.
 */
#include <assert.h>
#include <float.h>
#include <stdlib.h>

#include "dd.h"
#include "internal.h"

/* ---- series (coefficients are exact rationals rounded once) ------------------------- */

/* φ(1+t) = t² Σ_{k≥2} (−1)^k t^{k−2}/(k(k−1)); used for |t| < PHI_T_CUT, where 19
 * coefficients leave a truncation error < 2^-57 relative. */
#define PHI_T_CUT 0.125
static const double PHI_T[] = {
    1.0 / 2,   -1.0 / 6,   1.0 / 12,   -1.0 / 20,  1.0 / 30,   -1.0 / 42, 1.0 / 56,
    -1.0 / 72, 1.0 / 90,   -1.0 / 110, 1.0 / 132,  -1.0 / 156, 1.0 / 182, -1.0 / 210,
    1.0 / 240, -1.0 / 272, 1.0 / 306,  -1.0 / 342, 1.0 / 380,
};

/* φ(e^d) = 1 + e^d (d − 1) = d² Σ_{k≥2} (k−1)/k! d^{k−2}; used for |d| ≤ PHI_D_CUT. */
#define PHI_D_CUT 0.5
static const double PHI_D[] = {
    1.0 / 2,
    1.0 / 3,
    1.0 / 8,
    1.0 / 30,
    1.0 / 144,
    1.0 / 840,
    1.0 / 5760,
    1.0 / 45360,
    1.0 / 403200,
    1.0 / 3991680,
    1.0 / 43545600,
    1.0 / 518918400,
    1.0 / 6706022400.,
    1.0 / 93405312000.,
    1.0 / 1394852659200.,
    1.0 / 22230464256000.,
};

/* ψ(t) = φ(1+t) + φ(1−t) = t² Σ_{j≥1} t^{2j−2}/(j(2j−1)); used for |t| < PSI_T_CUT. */
#define PSI_T_CUT 0.25
static const double PSI_T[] = {
    1.0,       1.0 / 6,   1.0 / 15,  1.0 / 28,  1.0 / 45,  1.0 / 66,  1.0 / 91,
    1.0 / 120, 1.0 / 153, 1.0 / 190, 1.0 / 231, 1.0 / 276, 1.0 / 325, 1.0 / 378,
};
/* |d| where |tanh(d/2)| = PSI_T_CUT: 2·atanh(1/4), rounded down. */
#define PSI_D_CUT 0.5108256237659907

#define NCOEF(a) (sizeof(a) / sizeof((a)[0]))

/* Σ c[k] x^k as two interleaved Horner chains in x² (even and odd k). Why two: one chain
 * of ~19 dependent multiply-adds is latency bound (≈50 ns per element); two halve it. No
 * fma needed: |x| is small and the terms decrease. */
static inline double horner(const double *c, size_t n, double x)
{
    double x2 = x * x;
    size_t ne = (n + 1) / 2, no = n / 2;
    double se = c[2 * (ne - 1)];
    for (size_t k = ne - 1; k-- > 0;)
        se = se * x2 + c[2 * k];
    if (no == 0)
        return se;
    double so = c[2 * (no - 1) + 1];
    for (size_t k = no - 1; k-- > 0;)
        so = so * x2 + c[2 * k + 1];
    return se + x * so;
}

static inline double phi_t_series(double t)
{
    return t * t * horner(PHI_T, NCOEF(PHI_T), t);
}

/* φ(e^d) for any finite d ≤ ~700 (callers use the P-form above that). */
static inline double phi_exp(double d)
{
    if (fabs(d) <= PHI_D_CUT)
        return d * d * horner(PHI_D, NCOEF(PHI_D), d);
    /* One rounding in fma: 1 + e^d(d−1) cancels ≤ 10× at |d| = ½, so this stays ~1e-15. */
    return fma(exp(d), d - 1.0, 1.0);
}

static inline double psi_t_series(double t)
{
    double t2 = t * t;
    return t2 * horner(PSI_T, NCOEF(PSI_T), t2);
}

/* ---- per-element probabilities ----------------------------------------------------- */

static inline double logit_scaled(const dv_dist *d, size_t i)
{
    /* Division by exactly 1.0 is exact, so T = 1 needs no special case. */
    return d->v[i] / d->temperature;
}

static inline double logit_lp(const dv_dist *d, size_t i)
{
    /* (x − hi) − lo: subtracting the double-double LSE part by part keeps the low part
     * that m + log1p(rest) would round away (−log P_max ≈ rest when one class dominates). */
    return (logit_scaled(d, i) - d->total) - d->total_lo;
}

/* w·log P_i for 0 < w ≤ 1 when log P_i itself may overflow: a logit of −1e308 against
 * an LSE of 1e308 has log P = −2e308, while w·log P can still be a double. */
static double scaled_log_prob(const dv_dist *d, size_t i, double w)
{
    if (d->kind == DV_LOGITS && isinf(logit_scaled(d, i) - d->total))
        return (w * logit_scaled(d, i) - w * d->total) - w * d->total_lo;
    return w * dv_log_prob(d, i);
}

double dv_prob(const dv_dist *d, size_t i)
{
    if (d->kind == DV_LOGITS)
        return exp(logit_lp(d, i));
    double r = d->v[i] / d->total;
    /* Divide by the double-double total: r·(1 − lo/hi). */
    return fma(-r, d->total_lo / d->total, r);
}

double dv_log_prob(const dv_dist *d, size_t i)
{
    if (d->kind == DV_LOGITS)
        return logit_lp(d, i);
    double x = d->v[i];
    if (!(x > 0.0))
        return -INFINITY;
    double r = dv_prob(d, i);
    if (r >= 0.5)
        /* Why: log(p/s) of a P near 1 is the log of a rounded number ≈ 1 and keeps almost
         * no digits; (p − hi) is exact (Sterbenz) and lo completes the total. */
        return log1p(((x - d->total) - d->total_lo) / d->total);
    if (r >= DBL_MIN)
        return log(r);
    /* P is subnormal or 0 while p > 0: take the logs apart. */
    return log(x) - log(d->total);
}

/* ---- sums of terms, on one thread or two ---------------------------------------------- */

/*
 * The loops of entropy, KL and JS run over an index range [from, to) and hand each term
 * to `put`: added to the accumulator in index order, or stored for it (see term_sum).
 * With terms they also write the per-category terms; the KL loops, without terms, stop at
 * the first P_i > 0 = Q_i. They return that index, or DV_NO_INDEX.
 */
typedef struct sink {
    dv_acc *acc; /* add here … */
    double *buf; /* … or store at buf[i − from] */
    size_t from;
} sink;

static inline void put(const sink *k, size_t i, double t)
{
    if (k->buf)
        k->buf[i - k->from] = t;
    else
        dv_acc_add(k->acc, t);
}

typedef size_t (*term_loop)(const dv_dist *p, const dv_dist *q, size_t from, size_t to,
                            const sink *k, double *terms);

/*
 * The two-thread sum. Categories are cut into chunks of SUM_CHUNK; round r has chunk
 * 2r (A_r), which this thread adds as it goes, and chunk 2r + 1 (B_r), whose terms the
 * helper computes meanwhile into one of two buffers; this thread then adds B_r's buffer.
 * So the additions are the same and in the same order as in one pass, and so is the
 * sum, bit for bit; memory is two chunks (512 KiB), whatever n.
 */
enum { SUM_CHUNK = 1 << 15 };

typedef struct pair_job {
    term_loop loop;
    const dv_dist *p, *q;
    double *buf[2];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t produced;       /* rounds whose B the helper has written */
    size_t consumed;       /* rounds whose B this thread has added */
    size_t inf, inf_round; /* where the helper's loop stopped, and in which round */
    bool stop;             /* this thread is done: the helper ends */
} pair_job;

static size_t chunk_end(size_t from, size_t n)
{
    return n - from < SUM_CHUNK ? n : from + SUM_CHUNK;
}

static void *pair_helper(void *arg)
{
    pair_job *j = arg;
    size_t n = j->p->n;
    for (size_t r = 0; (2 * r + 1) * SUM_CHUNK < n; r++) {
        size_t from = (2 * r + 1) * SUM_CHUNK;
        pthread_mutex_lock(&j->mu);
        while (r - j->consumed >= 2 && !j->stop) /* buffer r % 2 still holds round r − 2 */
            pthread_cond_wait(&j->cv, &j->mu);
        bool stop = j->stop;
        pthread_mutex_unlock(&j->mu);
        if (stop)
            break;
        sink k = {NULL, j->buf[r % 2], from};
        size_t inf = j->loop(j->p, j->q, from, chunk_end(from, n), &k, NULL);
        pthread_mutex_lock(&j->mu);
        j->produced = r + 1;
        if (inf != DV_NO_INDEX) {
            j->inf = inf;
            j->inf_round = r;
        }
        pthread_cond_broadcast(&j->cv);
        pthread_mutex_unlock(&j->mu);
        if (inf != DV_NO_INDEX)
            break;
    }
    return NULL;
}

/* This thread's side: A_r, then B_r from the helper, round by round. */
static size_t pair_main(pair_job *j, dv_acc *a)
{
    size_t n = j->p->n;
    sink whole = {a, NULL, 0};
    for (size_t r = 0; 2 * r * SUM_CHUNK < n; r++) {
        size_t from = 2 * r * SUM_CHUNK, to = chunk_end(from, n);
        size_t inf = j->loop(j->p, j->q, from, to, &whole, NULL);
        if (inf != DV_NO_INDEX || to == n)
            return inf;
        pthread_mutex_lock(&j->mu);
        while (j->produced <= r)
            pthread_cond_wait(&j->cv, &j->mu);
        inf = j->inf != DV_NO_INDEX && j->inf_round == r ? j->inf : DV_NO_INDEX;
        pthread_mutex_unlock(&j->mu);
        if (inf != DV_NO_INDEX)
            return inf;
        const double *b = j->buf[r % 2];
        for (size_t i = 0, m = chunk_end(to, n) - to; i < m; i++)
            dv_acc_add(a, b[i]);
        pthread_mutex_lock(&j->mu);
        j->consumed = r + 1;
        pthread_cond_broadcast(&j->cv);
        pthread_mutex_unlock(&j->mu);
    }
    return DV_NO_INDEX;
}

/*
 * Runs loop over all n categories into *a: with the helper (above) without terms and from
 * DV_PARALLEL_MIN categories; in one pass with terms, or without the memory or a thread.
 * The only allocation in this file, and optional. (For entropy q is p.)
 */
static size_t term_sum(term_loop loop, const dv_dist *p, const dv_dist *q, dv_acc *a,
                       double *terms)
{
    size_t n = p->n;
    sink whole = {a, NULL, 0};
    double *bufs = NULL;
    if (terms || n < DV_PARALLEL_MIN || !(bufs = malloc(2 * SUM_CHUNK * sizeof *bufs)))
        return loop(p, q, 0, n, &whole, terms);
    pair_job j = {.loop = loop,
                  .p = p,
                  .q = q,
                  .buf = {bufs, bufs + SUM_CHUNK},
                  .inf = DV_NO_INDEX,
                  .inf_round = 0};
    pthread_mutex_init(&j.mu, NULL);
    pthread_cond_init(&j.cv, NULL);
    dv_helper h;
    size_t inf;
    if (dv_helper_start(&h, n, pair_helper, &j)) {
        inf = pair_main(&j, a);
        pthread_mutex_lock(&j.mu);
        j.stop = true;
        pthread_cond_broadcast(&j.cv);
        pthread_mutex_unlock(&j.mu);
        dv_helper_join(&h);
    } else {
        inf = loop(p, q, 0, n, &whole, terms);
    }
    pthread_cond_destroy(&j.cv);
    pthread_mutex_destroy(&j.mu);
    free(bufs);
    return inf;
}

/* ---- entropy ------------------------------------------------------------------------ */

static size_t entropy_loop(const dv_dist *p, const dv_dist *q, size_t from, size_t to,
                           const sink *k, double *terms)
{
    (void)q;
    for (size_t i = from; i < to; i++) {
        double term = 0.0;
        if (p->kind == DV_LOGITS) {
            double lp = logit_lp(p, i);
            term = -exp(lp) * lp;
        } else if (p->v[i] > 0.0) {
            term = -dv_prob(p, i) * dv_log_prob(p, i);
        }
        /* −P log P ≥ 0 always; a −0.0 from P = 1 is made +0. */
        term = term > 0.0 ? term : 0.0;
        if (terms)
            terms[i] = term;
        put(k, i, term);
    }
    return DV_NO_INDEX;
}

double dv_entropy(const dv_dist *p, double *terms)
{
    assert(p->n > 0);
    dv_acc a = {0.0, 0.0};
    term_sum(entropy_loop, p, p, &a, terms);
    return dv_acc_value(&a);
}

/* ---- KL ----------------------------------------------------------------------------- */

/* p·(sq + sq_lo) − q·(sp + sp_lo) without cancellation. e is the exact rounding error of
 * w = q·sp and f the fma-rounded p·sq − w (Kahan's difference of products: ≤ 2 ulp
 * relative). Rounding p·sq and q·sp separately instead would leave R − 1 with an absolute
 * error of 1e-16 — a relative error of 1e-9 in a KL of 1e-14. The low parts of the totals
 * matter too: a total rounded by δ ~ 1e-16 shifts every R − 1 by δ, which costs δ²/2
 * absolutely (first order cancels) — visible once KL < 1e-20. */
static inline double cross_diff(double p, double q, double sp, double sq, double sp_lo,
                                double sq_lo, double w)
{
    double e = fma(-q, sp, w);
    double f = fma(p, sq, -w);
    /* Two rounded products (not an fma; separate statements so that no compiler contracts
     * them into one) so that identical inputs give exactly 0; their rounding is ~1e-32 of
     * p·sq, far below anything that matters. */
    double lp = p * sq_lo;
    double lq = q * sp_lo;
    return (f + e) + (lp - lq);
}

/*
 * Weights: q·φ(R), R = (p·sq)/(q·sp), both p, q > 0, totals in [2^-64, 2^64] (see
 * validate.c). *logr (when not NULL) receives log R for the classic term.
 */
static double kl_ww_term(double p, double q, const dv_dist *dp, const dv_dist *dq,
                         double *logr)
{
    double sp = dp->total, sq = dq->total;
    double w = q * sp;
    double wp = p * sq;
    if (w > DBL_MIN) {
        /* The exact difference is only needed near R = 1 (the rounded test has slack). */
        if (fabs(wp - w) < 0.25 * w) {
            double t = cross_diff(p, q, sp, sq, dp->total_lo, dq->total_lo, w) / w;
            if (fabs(t) < PHI_T_CUT) {
                if (logr)
                    *logr = log1p(t);
                return q * phi_t_series(t);
            }
        }
        double r = wp / w;
        if (r > 0.0 && r < 0x1p600) {
            double lr = log(r);
            if (logr)
                *logr = lr;
            /* r log r and 1 − r added with one rounding (fma); no cancellation past
             * |r − 1| ≥ 1/8 beyond a factor ~16. */
            return q * fma(r, lr, 1.0 - r);
        }
    }
    /* Extreme ratios (r overflows or underflows, or q·sp is subnormal): take logs apart.
     * q·φ(R) = P'(log R − 1) + q with P' = p·sq/sp = q·R. */
    double lr = (log(p) - log(q)) + (log(sq) - log(sp));
    if (logr)
        *logr = lr;
    double pq = p * (sq / sp);
    return fma(pq, lr - 1.0, q);
}

static size_t kl_weights_loop(const dv_dist *p, const dv_dist *q, size_t from, size_t to,
                              const sink *k, double *terms)
{
    size_t inf = DV_NO_INDEX;
    for (size_t i = from; i < to; i++) {
        double pi = p->v[i], qi = q->v[i];
        if (!(pi > 0.0)) {
            /* Q φ(0) = Q: the P_i = 0 category still counts in the φ form (its −Q is
             * balanced by the +Q of the others); its classic term is 0. */
            put(k, i, qi);
            if (terms)
                terms[i] = 0.0;
            continue;
        }
        if (!(qi > 0.0)) {
            if (inf == DV_NO_INDEX)
                inf = i;
            if (!terms)
                break;
            terms[i] = INFINITY;
            continue;
        }
        double lr;
        put(k, i, kl_ww_term(pi, qi, p, q, terms ? &lr : NULL));
        if (terms)
            terms[i] = dv_prob(p, i) * lr;
    }
    return inf;
}

static dv_value kl_weights(const dv_dist *p, const dv_dist *q, double *terms)
{
    dv_value res = {0.0, DV_NO_INDEX};
    dv_acc a = {0.0, 0.0};
    res.inf_index = term_sum(kl_weights_loop, p, q, &a, terms);
    if (res.inf_index != DV_NO_INDEX) {
        res.nats = INFINITY;
        return res;
    }
    /* Σ q φ(R) is in units of q; one division by q's total. The low part of the total is
     * ≤ 1 ulp: a uniform scaling, hence relative. */
    double v = dv_acc_value(&a) / q->total;
    res.nats = v > 0.0 ? v : 0.0;
    return res;
}

/* (Lx − Ly) as a double-double: the high parts' exact difference plus the low parts,
 * and `apart` the low parts' difference when adding it to a large rounding error would
 * round it away (|Lx − Ly| past 2^53: at x = [1e300, 1e300], y = [5e307, 0] the ln 2
 * of Lx is all of log P₀/Q₀). */
typedef struct lse_gap {
    dd d;
    double apart;
} lse_gap;

static inline lse_gap lse_diff(const dv_dist *p, const dv_dist *q)
{
    lse_gap g = {dd_two_diff(p->total, q->total), 0.0};
    double lo = p->total_lo - q->total_lo;
    if (fabs(g.d.lo) <= 1.0)
        g.d.lo += lo;
    else
        g.apart = lo;
    return g;
}

/*
 * d_i = log P_i − log Q_i for the log-domain kernels (at least one side logits, P_i > 0,
 * Q_i > 0). When both are logits the ratio is formed from the scaled logits directly:
 * (x − y) − (Lx − Ly); for nearby x, y the difference x − y is exact, where
 * lp − lq would carry the rounding of each log-probability.
 */
static inline double log_ratio(const dv_dist *p, const dv_dist *q, lse_gap g, size_t i)
{
    if (p->kind == DV_LOGITS && q->kind == DV_LOGITS) {
        /* Why exact differences: with x = [1e300, 0] against y = [0, 0], Lx − Ly rounds
         * ln 2 away and (x − y) − (Lx − Ly) would be 0. Carrying both differences as
         * double-doubles lets the large parts cancel exactly (Sterbenz) first. */
        dd xy = dd_two_diff(logit_scaled(p, i), logit_scaled(q, i));
        /* Logits of opposite signs past ±DBL_MAX/2 overflow x − y or Lx − Ly (and
         * inf − inf is NaN); the log-probabilities x − Lx and y − Ly do not, so they
         * answer then. */
        if (isfinite(xy.hi) && isfinite(g.d.hi))
            return ((xy.hi - g.d.hi) + (xy.lo - g.d.lo)) - g.apart;
    }
    return dv_log_prob(p, i) - dv_log_prob(q, i);
}

/* Q φ(e^d) for a log ratio d; Q, and P for large d, from the distributions. */
static inline double kl_log_term(const dv_dist *p, const dv_dist *q, size_t i, double d)
{
    if (d > 30.0)
        /* Q φ(e^d) = P(d − 1) + Q. Why not Q·(…): Q may underflow to 0 while P·d is
         * large (x = [0, 0], y = [0, −1e300] has KL ≈ 5e299). */
        return fma(dv_prob(p, i), d - 1.0, dv_prob(q, i));
    return dv_prob(q, i) * phi_exp(d);
}

static size_t kl_log_loop(const dv_dist *p, const dv_dist *q, size_t from, size_t to,
                          const sink *k, double *terms)
{
    size_t inf = DV_NO_INDEX;
    lse_gap dl = lse_diff(p, q);
    for (size_t i = from; i < to; i++) {
        if (p->kind == DV_WEIGHTS && !(p->v[i] > 0.0)) {
            put(k, i, dv_prob(q, i)); /* Q φ(0) = Q, as in kl_weights */
            if (terms)
                terms[i] = 0.0;
            continue;
        }
        if (q->kind == DV_WEIGHTS && !(q->v[i] > 0.0)) {
            if (inf == DV_NO_INDEX)
                inf = i;
            if (!terms)
                break;
            terms[i] = INFINITY;
            continue;
        }
        if (!(dv_prob(p, i) > 0.0)) {
            /* P_i underflows (logits): Q φ(0) = Q. Why here: d may be ±inf then (the
             * logit difference overflows) and 0·inf would make the sum NaN. */
            put(k, i, dv_prob(q, i));
            if (terms)
                terms[i] = 0.0;
            continue;
        }
        double d = log_ratio(p, q, dl, i);
        if (isinf(d)) {
            /* log P/Q past the doubles (logits of opposite signs past ±DBL_MAX/2): P·d
             * from the two logs apart, each scaled by P before it can overflow. */
            double pi = dv_prob(p, i);
            double pd = scaled_log_prob(p, i, pi) - scaled_log_prob(q, i, pi);
            put(k, i, pd + (dv_prob(q, i) - pi));
            if (terms)
                terms[i] = pd;
            continue;
        }
        put(k, i, kl_log_term(p, q, i, d));
        if (terms)
            terms[i] = dv_prob(p, i) * d;
    }
    return inf;
}

static dv_value kl_log(const dv_dist *p, const dv_dist *q, double *terms)
{
    dv_value res = {0.0, DV_NO_INDEX};
    dv_acc a = {0.0, 0.0};
    res.inf_index = term_sum(kl_log_loop, p, q, &a, terms);
    if (res.inf_index != DV_NO_INDEX) {
        res.nats = INFINITY;
        return res;
    }
    double v = dv_acc_value(&a);
    res.nats = v > 0.0 ? v : 0.0;
    return res;
}

dv_value dv_kl(const dv_dist *p, const dv_dist *q, double *terms)
{
    assert(p->n == q->n && p->n > 0); /* dv_check_same_n and the prepare functions */
    if (p->kind == DV_WEIGHTS && q->kind == DV_WEIGHTS)
        return kl_weights(p, q, terms);
    return kl_log(p, q, terms);
}

/* ---- cross-entropy ------------------------------------------------------------------ */

dv_value dv_cross_entropy_parts(const dv_dist *p, const dv_dist *q, double *terms,
                                double *entropy_nats, dv_value *kl)
{
    /* H(P) + D(P‖Q): two non-negative sums, so no cancellation, and the identity
     * H(P,Q) = H(P) + D(P‖Q) holds to rounding by construction. Summing −P log Q directly
     * would lose the small D when P ≈ Q is one-hot. */
    dv_value d = dv_kl(p, q, NULL);
    if (kl)
        *kl = d;
    if (terms) {
        for (size_t i = 0; i < p->n; i++) {
            double pi = dv_prob(p, i);
            /* !(pi > 0) also covers a P_i that underflows next to log Q_i = −inf. */
            if (!(pi > 0.0))
                terms[i] = 0.0;
            else if (q->kind == DV_WEIGHTS && !(q->v[i] > 0.0))
                terms[i] = INFINITY;
            else
                terms[i] = -scaled_log_prob(q, i, pi);
        }
    }
    if (d.inf_index == DV_NO_INDEX || entropy_nats) {
        double h = dv_entropy(p, NULL);
        if (entropy_nats)
            *entropy_nats = h;
        if (d.inf_index == DV_NO_INDEX)
            d.nats += h;
    }
    return d;
}

dv_value dv_cross_entropy(const dv_dist *p, const dv_dist *q, double *terms)
{
    return dv_cross_entropy_parts(p, q, terms, NULL, NULL);
}

/* ---- Jensen–Shannon ----------------------------------------------------------------- */

/* ψ(t) for weights, t = (p·sq − q·sp)/(p·sq + q·sp), both p, q > 0. */
static double psi_ww(double p, double q, const dv_dist *dp, const dv_dist *dq)
{
    double sp = dp->total, sq = dq->total;
    double w = q * sp;
    double wp = p * sq;
    double den = wp + w;
    if (fabs(wp - w) < 0.5 * den) {
        /* The same exact difference as in kl_ww_term: t must not lose its digits when
         * P ≈ Q. */
        double t = cross_diff(p, q, sp, sq, dp->total_lo, dq->total_lo, w) / den;
        if (fabs(t) < PSI_T_CUT)
            return psi_t_series(t);
    }
    /* a = 1 + t and b = 1 − t as ratios (not from t: 1 − t of a t near 1 has no digits). */
    double aa = 2.0 * (wp / den), bb = 2.0 * (w / den);
    double la = aa > 0.0 ? aa * log(aa) : 0.0;
    double lb = bb > 0.0 ? bb * log(bb) : 0.0;
    return la + lb;
}

/* ψ(tanh(d/2)) for a log ratio d. */
static double psi_d(double d)
{
    double s = fabs(d); /* ψ is even */
    if (s < PSI_D_CUT)
        return psi_t_series(tanh(0.5 * s));
    /* With E = e^{−s}: log(1+t) = ln2 − log1p(E), log(1−t) = ln2 − s − log1p(E), and
     * 1 − t = 2E/(1+E); so ψ = 2(ln2 − log1p(E)) − 2sE/(1+E). Why: tanh saturates to 1
     * for s > 38 and 1 − t would lose everything. */
    double e = exp(-s);
    /* s·E, not 2s·E: s may be +inf (a logit difference that overflows) or near
     * DBL_MAX, where 2s = inf and inf·0 = NaN; E = 0 there and so is the term. */
    double se = e > 0.0 ? s * e : 0.0;
    return 2.0 * (M_LN2 - log1p(e)) - 2.0 * se / (1.0 + e);
}

static size_t js_loop(const dv_dist *p, const dv_dist *q, size_t from, size_t to,
                      const sink *k, double *terms)
{
    bool ww = p->kind == DV_WEIGHTS && q->kind == DV_WEIGHTS;
    lse_gap dl = lse_diff(p, q);
    for (size_t i = from; i < to; i++) {
        bool p0 = p->kind == DV_WEIGHTS && !(p->v[i] > 0.0);
        bool q0 = q->kind == DV_WEIGHTS && !(q->v[i] > 0.0);
        double term;
        if (p0 && q0) {
            term = 0.0;
        } else if (p0 || q0) {
            /* Disjoint: ½ X log(X/M) with M = X/2, i.e. ½ X ln 2. */
            term = 0.5 * M_LN2 * (p0 ? dv_prob(q, i) : dv_prob(p, i));
        } else {
            double m = 0.5 * (dv_prob(p, i) + dv_prob(q, i));
            double psi =
                ww ? psi_ww(p->v[i], q->v[i], p, q) : psi_d(log_ratio(p, q, dl, i));
            term = 0.5 * m * psi;
        }
        if (terms)
            terms[i] = term;
        put(k, i, term);
    }
    return DV_NO_INDEX;
}

double dv_js(const dv_dist *p, const dv_dist *q, double *terms)
{
    assert(p->n == q->n && p->n > 0);
    dv_acc a = {0.0, 0.0};
    term_sum(js_loop, p, q, &a, terms);
    double v = dv_acc_value(&a);
    /* JS ∈ [0, ln 2]; rounding may not step outside. */
    if (!(v > 0.0))
        return 0.0;
    return v < M_LN2 ? v : M_LN2;
}

/* ---- perplexity ------------------------------------------------------------------------ */

double dv_perplexity(double entropy_nats)
{
    return exp(entropy_nats);
}
