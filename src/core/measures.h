/*
 * measures.h — the discrete divergence family of SPEC §7 (`/divergences`) in one call.
 *
 * One entry point, dv_measures(), computes any subset of fifteen measures of two prepared
 * distributions (dv_dist from dv_prepare_weights / dv_prepare_logits, any mix, same n):
 * KL, reverse KL, PSI, JS and its distance, cross-entropy, Hellinger, Bhattacharyya,
 * total variation, L∞, Pearson and Neyman χ², Rényi and Tsallis for a list of α, and the
 * 1-D Wasserstein distance over category positions.
 *
 * Why it is built so:
 *  - Bit-equality with the single-measure core. Without smoothing, `kl`, `js` and
 *    `cross_entropy` ARE dv_kl, dv_js and dv_cross_entropy (the same calls), so
 *    `/divergences` answers what `/kl` answers, bit for bit; `psi` and `cross_entropy`
 *    reuse the KL already computed (psi = kl + reverse_kl, ce = kl + H(P), which is what
 *    dv_cross_entropy does) instead of summing again. `reverse_kl` is dv_kl(q, p) for
 *    weights, or (to the same accuracy, not the same bits) a by-product of the main pass
 *    where that pass forms log(P/Q) anyway: logits, smoothing, psi terms, α < 1.5.
 *  - Everything else comes from one pass over the categories that forms, per category,
 *    P_i, Q_i and the difference d_i = P_i − Q_i WITHOUT cancellation (weights: the
 *    error-free p_i·S_q − q_i·S_p with fma over double-double totals; logits: Q·expm1 of
 *    an exact logit difference). Dividing by rounded totals first and subtracting would
 *    leave d_i with an absolute error ~1e-16, i.e. a relative error of 1e-9 in a TV of
 *    1e-7 — SPEC §7 asks for 1e-12 at P ≈ Q.
 *  - Every measure is a sum of non-negative terms (compensated), so it stays accurate
 *    where the textbook formula cancels: Hellinger² = ½ Σ (d_i/(√P_i+√Q_i))²,
 *    Bhattacharyya = −log1p(−H²), χ² = Σ d_i·(d_i/Q_i), and Rényi/Tsallis through
 *    Σ Q_i ψ_α(r_i), ψ_α(r) = (r^α − 1 − α(r − 1))/(α − 1) ≥ 0 for every α > 0 (a series
 *    around r = 1; closed forms in expm1 elsewhere). Where a result is the log of a sum
 *    near 0 (Bhattacharyya, Rényi α < 1 of almost disjoint P, Q) the log is taken of the
 *    directly summed Σ √(P Q) or of a log-sum-exp instead, so no digits are lost there.
 *  - Smoothing ε > 0 replaces P_i by (P_i + ε)/(1 + Kε) (SPEC §7) without building new
 *    arrays: P_i − Q_i becomes d_i/(1 + Kε) exactly as a formula, so the smoothed
 *    measures keep the P ≈ Q accuracy; KL, reverse KL, JS and H are then summed by this
 *    module's own φ-form kernels (the same technique as discrete.c). ε = 0 takes the
 *    unsmoothed path, bit for bit.
 *
 * Units: every in-unit measure (dv_measure_flags() & DV_MF_IN_UNIT) is returned in nats;
 * dv_measure_to_base() converts any measure's value to a base (js_distance scales by
 * 1/√|ln b| since it is √JS; plain measures are unit-free and unchanged).
 *
 * Memory: dv_measures() allocates only to sort positions for `wasserstein` when they are
 * given out of order: 32·n bytes (two buffers of (position, P − Q) records for a radix
 * sort), from req->work when that is large enough (dv_measures_work_size()), else
 * malloc; DV_NO_MEMORY (or DV_TOO_LARGE) on failure, nothing left allocated. Reentrant,
 * no global state.
 */
#ifndef DV_MEASURES_H
#define DV_MEASURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "divergence.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The measures, in the order of the SPEC §7 table. Never renumber; add before COUNT. */
typedef enum dv_measure {
    DV_M_KL,
    DV_M_REVERSE_KL,
    DV_M_PSI,
    DV_M_JS,
    DV_M_JS_DISTANCE,
    DV_M_CROSS_ENTROPY,
    DV_M_HELLINGER,
    DV_M_BHATTACHARYYA,
    DV_M_TV,
    DV_M_LINF,
    DV_M_CHI2,
    DV_M_NEYMAN_CHI2,
    DV_M_RENYI,
    DV_M_TSALLIS,
    DV_M_WASSERSTEIN,
    DV_M_COUNT
} dv_measure;

/* A set of measures as a bit mask: DV_MSET(DV_M_KL) | DV_MSET(DV_M_TV). */
typedef uint32_t dv_measure_set;
#define DV_MSET(m) ((dv_measure_set)1u << (unsigned)(m))

/* Flags per measure (dv_measure_flags). */
#define DV_MF_IN_UNIT 0x01u     /* a value in nats, converted by the base          */
#define DV_MF_SQRT_UNIT 0x02u   /* √ of an in-unit value (js_distance)             */
#define DV_MF_NEEDS_ALPHA 0x04u /* one value per alpha (renyi, tsallis)            */
#define DV_MF_HAS_TERMS 0x08u   /* a sum over categories: terms are available      */
#define DV_MF_DEFAULT 0x10u     /* in the default set (needs no parameter)         */
/* In the default set only when positions are known (wasserstein: arrays, logits and
 * numeric samples, or positions given). */
#define DV_MF_NEEDS_POSITIONS 0x20u

/* The name as the API spells it ("reverse_kl"); NULL for a value out of range. */
const char *dv_measure_name(dv_measure m);
/* Exact, case-sensitive match of s[0..len) against the names; false if none. */
bool dv_measure_lookup(const char *s, size_t len, dv_measure *out);
unsigned dv_measure_flags(dv_measure m);
/* Every measure with DV_MF_DEFAULT, plus wasserstein when positions_known. */
dv_measure_set dv_measure_default_set(bool positions_known);
/* A value of measure m (nats for in-unit ones) in base b; +inf stays +inf. */
double dv_measure_to_base(dv_measure m, double value, const dv_base *b);

/* Why a value is infinite. */
typedef enum dv_inf_cause {
    DV_INF_NONE = 0, /* finite                                                       */
    DV_INF_Q_ZERO,   /* category `index` has P > 0 and Q = 0                          */
    DV_INF_P_ZERO,   /* category `index` has Q > 0 and P = 0                          */
    DV_INF_DISJOINT, /* no category has both P > 0 and Q > 0 (bhattacharyya, renyi α<1) */
    DV_INF_OVERFLOW, /* finite inputs, but the value exceeds the largest double        */
} dv_inf_cause;

/* One result: value ≥ 0 (never −0, never NaN) or +INFINITY with its cause. */
typedef struct dv_mvalue {
    double value;       /* nats for in-unit measures, else the plain value            */
    dv_inf_cause cause; /* DV_INF_NONE when finite                                    */
    size_t index;       /* the first such category for Q_ZERO / P_ZERO; else DV_NO_INDEX */
} dv_mvalue;

typedef struct dv_measures_req {
    dv_measure_set set; /* what to compute; 0 computes nothing (and succeeds)           */
    /* α values for renyi/tsallis (required, n_alpha ≥ 1, when either is in set): each
     * finite and > 0; α = 1 answers the KL limit, bit-equal to `kl`. */
    const double *alpha;
    size_t n_alpha;
    /* ε ≥ 0, finite: both sides become (P_i + ε)/(1 + nε) before any measure. */
    double smoothing;
    /* n finite reals for wasserstein (NULL: category index 0, 1, …, n−1); any order,
     * duplicates allowed. n_positions must equal n when positions is not NULL. */
    const double *positions;
    size_t n_positions;
    /* terms[m]: NULL, or caller memory for measure m's per-category contributions in
     * input order (nats for in-unit measures) that sum to the value up to rounding; n
     * doubles, n·n_alpha for tsallis (alpha-major: terms for alpha[k] at k·n). Only for
     * measures with DV_MF_HAS_TERMS (others are ignored). Conventions: kl P log(P/Q),
     * reverse_kl Q log(Q/P), psi (P−Q) log(P/Q), js as dv_js, cross_entropy −P log Q,
     * tv ½|P−Q|, chi2 (P−Q)²/Q, neyman_chi2 (P−Q)²/P, tsallis Q ψ_α(P/Q); a term that
     * makes the value infinite is +INFINITY, a P_i = Q_i = 0 term is 0. */
    double *terms[DV_M_COUNT];
    /* Optional work memory for sorting positions (see dv_measures_work_size). */
    void *work;
    size_t work_size;
} dv_measures_req;

typedef struct dv_measures_res {
    dv_mvalue m[DV_M_COUNT]; /* every measure in set; renyi/tsallis: those for alpha[0] */
    /* Caller memory, n_alpha entries each, required when renyi / tsallis is in set
     * (may be NULL otherwise): the value for each alpha[k]. */
    dv_mvalue *renyi;
    dv_mvalue *tsallis;
} dv_measures_res;

/* Bytes of work memory that make dv_measures() allocate nothing for this request over
 * n categories (0 when no sorting is needed); SIZE_MAX if 32·n overflows. */
size_t dv_measures_work_size(const dv_measures_req *req, size_t n);

/*
 * Computes every measure in req->set of p against q (same n; any weights/logits mix).
 * Errors (res is then unspecified), all with dv_fail_at:
 *   DV_SHAPE_MISMATCH  p->n != q->n (arg Q); positions given with n_positions != n
 *                      (DV_ARG_NONE, "positions")
 *   DV_BAD_PARAMETER   renyi/tsallis without alpha (DV_ARG_NONE, "alpha"); alpha[k] not
 *                      finite or ≤ 0 (DV_ARG_NONE, "alpha", k) — checked whenever alpha
 *                      is given, even if unused; smoothing < 0 or not
 *                      finite (DV_ARG_NONE, "smoothing"); renyi/tsallis with res->renyi
 *                      / res->tsallis NULL; a set bit beyond DV_M_COUNT ("measures")
 *   DV_NOT_FINITE      positions[i] not finite (DV_ARG_NONE, "positions", i)
 *   DV_NO_MEMORY / DV_TOO_LARGE  sorting positions
 * Conventions (SPEC §7): P_i = Q_i = 0 contributes 0; Q_i = 0 < P_i makes kl, psi, chi2,
 * cross_entropy, and renyi/tsallis with α ≥ 1 infinite (DV_INF_Q_ZERO); P_i = 0 < Q_i
 * makes reverse_kl, psi, neyman_chi2 infinite (DV_INF_P_ZERO; psi reports the first
 * index of either kind); renyi and tsallis with α < 1 stay finite, except renyi (and
 * bhattacharyya) of disjoint supports (DV_INF_DISJOINT). Every measure of P against
 * itself is exactly 0; hellinger, tv, linf ≤ 1; js ≤ ln 2.
 */
dv_status dv_measures(const dv_dist *p, const dv_dist *q, const dv_measures_req *req,
                      dv_measures_res *res, dv_error *err);

#ifdef __cplusplus
}
#endif
#endif /* DV_MEASURES_H */
