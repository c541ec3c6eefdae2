/*
 * divergence.h — the one public header of the divergenced numeric core.
 *
 * The core computes entropy, cross-entropy, Kullback–Leibler and Jensen–Shannon
 * divergences of discrete distributions (given as weights or as logits), batched
 * categorical KL, Gaussian KL (univariate, diagonal, full covariance, batches of
 * diagonal rows) and empirical distributions from samples. It knows nothing of HTTP or
 * JSON: inputs are C arrays, outputs are doubles, errors are values.
 *
 * Units: every result is in nats. dv_to_base() converts to the caller's log base.
 *
 * Accuracy contract (see SPEC §1): scalar results are within 1e-12 relative of the exact
 * value on the given double inputs, including P ≈ Q, inputs normalised only within
 * DV_NORM_TOL, and vectors of 10^6 entries. The implementation gets there by writing
 * each KL term as Q·φ(P/Q), φ(r) = r log r − r + 1 ≥ 0, with r − 1 computed without
 * cancellation, and by summing non-negative terms with compensated summation.
 *
 * Errors: functions that can fail return a dv_status and fill a dv_error (status, the
 * offending flat index, which argument, and a sentence a person can act on). Nothing in
 * the core calls abort() or exit() or prints.
 *
 * Out-of-memory policy: the core allocates only in dv_empirical(), dv_support_*() and
 * dv_gaussian_kl() with full covariances (work space); each of those returns
 * DV_NO_MEMORY when malloc fails and leaves nothing allocated. Every other function
 * works in memory the caller provides.
 *
 * Thread safety: no global mutable state; every function is reentrant.
 */
#ifndef DIVERGENCE_H
#define DIVERGENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Weights not asked to be normalised must sum to 1 within this absolute tolerance. */
#define DV_NORM_TOL 1e-6
/* "No index": the error does not concern one element. */
#define DV_NO_INDEX SIZE_MAX

/* A stable vocabulary of failures. Never renumber; add at the end. */
typedef enum dv_status {
    DV_OK = 0,
    DV_EMPTY,          /* a vector has no entries                                */
    DV_NEGATIVE,       /* an entry is < 0 where weights/probabilities are needed */
    DV_NOT_FINITE,     /* an entry is NaN or ±inf (or overflows once scaled)     */
    DV_NOT_NORMALIZED, /* |Σ − 1| > DV_NORM_TOL and normalisation not requested  */
    DV_ZERO_TOTAL,     /* every weight is 0                                      */
    DV_SHAPE_MISMATCH, /* lengths, rows×columns or dimensions differ             */
    DV_BAD_PARAMETER,  /* base, temperature, label, smoothing out of range       */
    DV_NOT_POSITIVE,   /* a std or var that must be > 0 is not                   */
    DV_NOT_SYMMETRIC,  /* a covariance is not symmetric within 1e-12 relative    */
    DV_NOT_POSITIVE_DEFINITE, /* a covariance has no Cholesky factor                    */
    DV_NO_MEMORY,             /* an allocation failed                                   */
    DV_TOO_LARGE, /* a size computation (rows × columns, …) overflows       */
} dv_status;

/*
 * Where an error is, as structure rather than text: which argument (P or Q, or none for a
 * request-wide option), which member inside it, and up to three array indices from the
 * outside in (batch row, vector element, matrix column). The API layer has one function
 * that turns this into an RFC 6901 pointer ("/q/concentration/3", "/p/cov/1/0"); nothing
 * else formats pointers.
 */
enum { DV_ARG_NONE = -1, DV_ARG_P = 0, DV_ARG_Q = 1 };
#define DV_LOC_DEPTH 3
typedef struct dv_loc {
    int arg; /* DV_ARG_P, DV_ARG_Q or DV_ARG_NONE                               */
    const char *member;       /* static name of a member of that argument ("mean", "cov",
                           "concentration"), or of a top-level option when arg is
                           DV_ARG_NONE ("alpha"); NULL = the argument itself              */
    size_t idx[DV_LOC_DEPTH]; /* indices, outermost first; DV_NO_INDEX ends the path      */
} dv_loc;

/* Constructors: no index, one index, two indices. */
static inline dv_loc dv_at(int arg, const char *member)
{
    return (dv_loc){arg, member, {DV_NO_INDEX, DV_NO_INDEX, DV_NO_INDEX}};
}
static inline dv_loc dv_at1(int arg, const char *member, size_t i)
{
    return (dv_loc){arg, member, {i, DV_NO_INDEX, DV_NO_INDEX}};
}
static inline dv_loc dv_at2(int arg, const char *member, size_t i, size_t j)
{
    return (dv_loc){arg, member, {i, j, DV_NO_INDEX}};
}

typedef struct dv_error {
    dv_status status;
    dv_loc at;     /* where: argument, member, indices                               */
    char msg[256]; /* e.g. "q[2] is -0.1; probabilities must be >= 0" (names come from
                       the caller's dv_name)                                          */
} dv_error;

typedef struct dv_support dv_support;

/*
 * How the caller names a distribution it hands to the core: which argument it is (for
 * the error location), the name messages use ("p", "q_logits"), the batch row it is
 * (messages "p_logits[3][2]", locations row 3, element 2), and optionally the support
 * whose keys label its elements (messages q["cat"] instead of q[2]; the location still
 * holds the element index, which the caller maps back to its label).
 */
typedef struct dv_name {
    int arg;                  /* DV_ARG_P or DV_ARG_Q                   */
    const char *member;       /* "p", "q", "p_logits", "label"          */
    size_t row;               /* DV_NO_INDEX unless one row of a batch  */
    const dv_support *labels; /* NULL: elements are named by index      */
} dv_name;
/* A plain name: DV_NAME(DV_ARG_Q, "q"). */
#define DV_NAME(arg, member) (&(const dv_name){(arg), (member), DV_NO_INDEX, NULL})

/* Returns a short constant name for a status ("negative", "not_normalized", …). */
const char *dv_status_name(dv_status s);

/* ---- log base --------------------------------------------------------------------- */

typedef struct dv_base {
    double base; /* as given; M_E-like value for the natural base        */
    double ln;   /* ln(base); exactly 1.0 for the natural base           */
    bool natural;
} dv_base;

dv_base dv_base_natural(void);
/* base must be finite, > 0 and != 1; else DV_BAD_PARAMETER ("base is 1; …"). */
dv_status dv_base_from(double base, dv_base *out, dv_error *err);
/* nats → the requested base (a single division; +inf stays +inf). */
double dv_to_base(double nats, const dv_base *b);
/* In place, for term vectors. */
void dv_to_base_n(double *x, size_t n, const dv_base *b);

/* ---- summation ---------------------------------------------------------------------- */

/* Compensated (Neumaier) sum of n doubles: error ≈ 1 ulp of the result for any n. */
double dv_sum(const double *x, size_t n);

/* ---- discrete distributions ----------------------------------------------------------- */

typedef enum dv_dist_kind { DV_WEIGHTS, DV_LOGITS } dv_dist_kind;

/*
 * A validated discrete distribution over n categories. Build one only with
 * dv_prepare_weights() or dv_prepare_logits(); the fields are read-only afterwards.
 * The dv_dist borrows `v`; the caller keeps it alive.
 *
 *  DV_WEIGHTS: P_i = v[i] / (total + total_lo) with v[i] ≥ 0 finite. total/total_lo is
 *              the compensated sum as a double-double.
 *  DV_LOGITS:  P_i = softmax(v / temperature)_i; total holds log Σ exp(v/T) (the
 *              log-sum-exp), total_lo its low part if the implementation keeps one.
 */
typedef struct dv_dist {
    dv_dist_kind kind;
    const double *v;
    size_t n;
    double total;
    double total_lo;
    double temperature; /* DV_LOGITS only; 1 otherwise */
} dv_dist;

/*
 * Validate weights and prepare them: non-empty, every entry finite and ≥ 0, a positive
 * total; unless `normalize`, |Σ − 1| ≤ DV_NORM_TOL (else DV_NOT_NORMALIZED whose message
 * gives the actual sum and says to pass "normalize": true). No rescaled copy is made:
 * the exact rescaling happens inside the computations. When the total overflows a double
 * (or, with normalize, lies outside [2^-64, 2^64]), v is scaled in place by an exact power
 * of two, which leaves P unchanged (that is why v is not const).
 * `name` says how messages name the vector and where errors point (see dv_name): an
 * element error is at (row, i) or (i); a whole-vector error at the argument itself.
 */
dv_status dv_prepare_weights(double *v, size_t n, bool normalize, const dv_name *name,
                             dv_dist *out, dv_error *err);

/*
 * Validate logits and prepare softmax(v / temperature): non-empty, finite entries,
 * temperature finite and > 0, and v[i]/temperature finite (else DV_NOT_FINITE).
 */
dv_status dv_prepare_logits(const double *v, size_t n, double temperature,
                            const dv_name *name, dv_dist *out, dv_error *err);

/* Probability of category i and its natural log (−inf for a zero probability). */
double dv_prob(const dv_dist *d, size_t i);
double dv_log_prob(const dv_dist *d, size_t i);

/* Both must have the same n; else DV_SHAPE_MISMATCH naming both ("p has 3 entries but
 * q has 4"), located at qname's argument. */
dv_status dv_check_same_n(const dv_dist *p, const dv_dist *q, const dv_name *pname,
                          const dv_name *qname, dv_error *err);

/* A result that may be infinite. */
typedef struct dv_value {
    double nats;      /* ≥ 0, or +INFINITY                                     */
    size_t inf_index; /* when nats is +inf: the first i with P_i > 0, Q_i = 0;
                         DV_NO_INDEX otherwise                                */
} dv_value;

/*
 * All of these accept any combination of weights and logits (same n, caller-checked).
 * `terms`, when not NULL, receives n per-category contributions in nats, in input
 * order, that sum to the result up to rounding:
 *   entropy:        −P_i log P_i
 *   kl:              P_i log(P_i/Q_i)        (0 where P_i = 0; +inf where Q_i = 0 < P_i)
 *   cross-entropy:  −P_i log Q_i            (0 where P_i = 0)
 *   js:              ½P_i log(P_i/M_i) + ½Q_i log(Q_i/M_i)
 * The returned value itself is computed the accurate way, not by summing `terms`.
 */
double dv_entropy(const dv_dist *p, double *terms);
dv_value dv_kl(const dv_dist *p, const dv_dist *q, double *terms);
dv_value dv_cross_entropy(const dv_dist *p, const dv_dist *q, double *terms);
double dv_js(const dv_dist *p, const dv_dist *q, double *terms); /* ≤ ln 2 */
/* H(P,Q) and, computed once on the way, H(P) and D(P‖Q) (either output may be NULL). */
dv_value dv_cross_entropy_parts(const dv_dist *p, const dv_dist *q, double *terms,
                                double *entropy_nats, dv_value *kl);

/* Perplexity from an entropy in nats: exp(H) (= b^H in base b). */
double dv_perplexity(double entropy_nats);

/*
 * Label smoothing: w_out[i] = (1 − alpha)·P_i + alpha/n, alpha in [0, 1)
 * (else DV_BAD_PARAMETER). w_out has p->n entries; out is prepared over it.
 */
dv_status dv_smooth(const dv_dist *p, double alpha, double *w_out, dv_dist *out,
                    dv_error *err);

/* ---- batched categorical KL ------------------------------------------------------------ */

/*
 * Prepares rows × cols numbers at x (row b at x + b·cols) as one distribution per row into
 * out[b]: dv_prepare_logits with `temperature` when `logits`, else dv_prepare_weights with
 * `normalize`; row b is named {arg, member, b}. On failure, the first failing row's status
 * and *err (when not NULL).
 */
dv_status dv_prepare_rows(double *x, size_t rows, size_t cols, bool logits,
                          double temperature, bool normalize, int arg, const char *member,
                          dv_dist *out, dv_error *err);

/*
 * Row-wise D(P_b ‖ Q_b) for `rows` prepared row distributions (each row its own dv_dist,
 * all with the same n, caller-checked). Writes out[b]; *sum_nats receives the
 * compensated sum over rows (+inf if any row is infinite), *mean_nats the mean.
 */
void dv_batch_kl(const dv_dist *p, const dv_dist *q, size_t rows, dv_value *out,
                 double *sum_nats, double *mean_nats);

/* ---- Gaussians ------------------------------------------------------------------------- */

typedef enum dv_scale_kind {
    DV_SCALE_STD,    /* standard deviations σ_i > 0 (diagonal)        */
    DV_SCALE_VAR,    /* variances σ_i² > 0 (diagonal)                 */
    DV_SCALE_LOGVAR, /* log-variances log σ_i², any finite (diagonal) */
    DV_SCALE_COV,    /* full dim×dim covariance, row-major, SPD       */
} dv_scale_kind;

/*
 * One Gaussian, or a batch of `rows` diagonal Gaussians.
 *  rows == 0: a single Gaussian; mean has dim entries; scale has dim entries (diagonal
 *             kinds) or dim×dim (DV_SCALE_COV). Univariate is dim == 1.
 *  rows ≥ 1:  a batch; mean and scale are rows×dim row-major; diagonal kinds only.
 */
typedef struct dv_gauss {
    size_t rows;
    size_t dim;
    const double *mean;
    dv_scale_kind kind;
    const double *scale;
} dv_gauss;

/*
 * Error locations of the Gaussian functions: arg = DV_ARG_P or DV_ARG_Q (which Gaussian),
 * member = "mean" or the scale's member ("std", "var", "log_var", "cov"), indices =
 * (row, dimension) in a batch, (row, column) in a covariance, (dimension) otherwise;
 * errors about a whole Gaussian (shapes, a KL too large for a double) have no member.
 */
/*
 * Element checks only: dim ≥ 1 (DV_EMPTY), finite means and scales (DV_NOT_FINITE),
 * std/var > 0 (DV_NOT_POSITIVE), a COV symmetric within 1e-12 relative
 * (|a_ij − a_ji| ≤ 1e-12·max(|a_ij|, |a_ji|, √(|a_ii|·|a_jj|)); DV_NOT_SYMMETRIC, index =
 * flat index of the entry below the diagonal that disagrees), no COV in a batch
 * (DV_SHAPE_MISMATCH), sizes that fit (DV_TOO_LARGE). Positive definiteness is found by
 * dv_gaussian_kl. `arg` is DV_ARG_P or DV_ARG_Q; messages name it "p" or "q".
 */
dv_status dv_check_gauss(const dv_gauss *g, int arg, dv_error *err);

/*
 * D(p ‖ q) in nats for single Gaussians (p->rows == 0). q == NULL means N(0, I) of p's
 * dimension. p and q must have equal dim (else DV_SHAPE_MISMATCH, arg DV_GAUSS_Q); they
 * may use different scale kinds (a diagonal one against a full one, …). Allocates work
 * space for COV (DV_NO_MEMORY, DV_TOO_LARGE). DV_NOT_POSITIVE_DEFINITE at that Gaussian's
 * "cov" (the message names the pivot). A KL that exceeds the largest double on finite
 * inputs → DV_NOT_FINITE at p itself.
 * A COV is read from its lower triangle.
 */
dv_status dv_gaussian_kl(const dv_gauss *p, const dv_gauss *q, double *nats, dv_error *err);

/*
 * Batch: p->rows ≥ 1 diagonal rows; q NULL (standard normal), a single diagonal
 * Gaussian (q->rows == 0, broadcast) or a batch with the same rows. Writes kl[r] for
 * each row, and the compensated sum and mean over rows.
 */
dv_status dv_gaussian_kl_rows(const dv_gauss *p, const dv_gauss *q, double *kl,
                              double *sum_nats, double *mean_nats, dv_error *err);

/* ---- samples and labels: distinct values in order of first appearance ------------------ */

typedef enum dv_key_kind { DV_KEY_NUMBER, DV_KEY_STRING, DV_KEY_BOOL } dv_key_kind;

/* A scalar sample or label. Numbers are equal by value (1 == 1.0, −0 == 0), strings by
 * bytes, booleans only to booleans. `str` is borrowed, not copied. */
typedef struct dv_key {
    dv_key_kind kind;
    double num;
    const char *str;
    size_t len;
    bool boolean;
} dv_key;

/* An insertion-ordered set of keys (hash table + array); declared above. */

dv_support *dv_support_new(size_t capacity_hint); /* NULL on OOM */
void dv_support_free(dv_support *s);              /* NULL is fine */
/* *index receives the key's position (existing or new). DV_NO_MEMORY on OOM. */
dv_status dv_support_add(dv_support *s, const dv_key *k, size_t *index);
/* DV_NO_INDEX when absent. */
size_t dv_support_find(const dv_support *s, const dv_key *k);
size_t dv_support_size(const dv_support *s);
const dv_key *dv_support_key(const dv_support *s, size_t i);

/*
 * Empirical distributions: the support is P's samples' distinct values in order of first
 * appearance, then Q's new ones. *p_counts and *q_counts (malloc'd, support-size entries,
 * the caller frees them and the support) hold counts; q samples may be NULL/0 (entropy),
 * then *q_counts is NULL. Empty samples → DV_EMPTY (arg 0 or 1): qs == NULL means "no Q",
 * qs != NULL with nq == 0 is an empty Q. On any error nothing is allocated and the
 * outputs are set to NULL. NaN number keys are all one key (JSON cannot carry them).
 */
dv_status dv_empirical(const dv_key *ps, size_t np, const dv_key *qs, size_t nq,
                       dv_support **support, double **p_counts, double **q_counts,
                       dv_error *err);

#ifdef __cplusplus
}
#endif
#endif /* DIVERGENCE_H */
