/*
 * drift.h — the feature-drift core of SPEC §9: bins fitted on a reference sample, counts of
 * both samples in those bins, and the sample statistics that need the raw values
 * (Wasserstein-1, two-sample Kolmogorov–Smirnov, χ² test of homogeneity).
 *
 * Why it is built this way:
 *  - Every figure must agree with numpy/scipy (numpy.quantile "linear",
 *    scipy.stats.wasserstein_distance, ks_2samp(method="auto"), chi2_contingency(
 *    correction=False)) to 1e-9 relative (p-values 1e-6, or 1e-16 absolute below 1e-10),
 *    so each function states which scipy rule it reproduces and where it is more exact.
 *  - Sorting dominates (10^5 values per feature and side). A numeric sample is sorted
 *    once (a radix sort on the IEEE bits) and the sorted copy serves the quantile edges,
 *    W1, KS and the standard deviation.
 *  - The core knows nothing of JSON: nulls come as a mask beside the values, so error
 *    indices stay the caller's array positions. The core does not know the feature's
 *    name: error locations carry arg (DV_ARG_P = reference, DV_ARG_Q = current, or
 *    DV_ARG_NONE for the `bins` option), member NULL (a sample) or "bins", and the element
 *    index in idx[0]; the API layer inserts the feature name into the pointer
 *    (/reference/<feature>/<idx>, /bins/<feature>/<idx>).
 *  - Counts are doubles (exact below 2^53) so they feed the discrete measures directly.
 *
 * Memory: dv_drift_numeric() works in memory the caller provides (its size is
 * dv_drift_numeric_work()); dv_ks_2samp() and dv_drift_numeric() may allocate a small work
 * array for the KS p-value (at most ~0.4 MB) and return DV_NO_MEMORY, freeing everything,
 * when malloc fails; dv_drift_categorical() allocates its result (free it with
 * dv_drift_cat_free()). No global mutable state; every function is reentrant.
 */
#ifndef DV_DRIFT_H
#define DV_DRIFT_H

#include <stdbool.h>
#include <stddef.h>

#include "divergence.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- special functions ------------------------------------------------------------- */

/*
 * Regularised incomplete gamma functions P(a, x) = γ(a, x)/Γ(a) and Q(a, x) = 1 − P(a, x),
 * for a > 0 and x ≥ 0 (NaN otherwise). Within 1e-12 relative of the exact value wherever
 * the result is a normal double (series for P, continued fraction for Q, the prefactor
 * x^a e^−x/Γ(a) through log1p(t) − t so large a loses nothing).
 */
double dv_gamma_p(double a, double x);
double dv_gamma_q(double a, double x);

/* ---- sorting and binning ------------------------------------------------------------ */

/*
 * Sorts x[0..n) ascending (finite values; −0 becomes +0), using scratch[0..n) as the
 * second buffer: an LSD radix sort on the IEEE bits (11-bit digits, passes where every
 * key shares the digit skipped), insertion sort below 64 values.
 */
void dv_sort_doubles(double *x, double *scratch, size_t n);

/*
 * Copies the non-null values of x[0..n) (null[i] true = a null; null may be NULL) into
 * out, ascending, and sets *n_out to their number. −0 is stored as +0 (equal values; it
 * keeps the sort a total order). scratch holds n doubles (may alias nothing else).
 * Errors: n == 0 → DV_EMPTY; a NaN or ±inf → DV_NOT_FINITE at idx[0] = its index in x.
 * `arg` (DV_ARG_P or DV_ARG_Q) only goes into the error location.
 */
dv_status dv_drift_sort(const double *x, const bool *null, size_t n, int arg, double *out,
                        double *scratch, size_t *n_out, dv_error *err);

/*
 * Interior edges of k quantile bins fitted on the ascending sample sorted[0..n), n ≥ 1:
 * numpy.quantile(sample, np.arange(1, k) / k, method="linear") bit for bit (virtual index
 * (n−1)·q, numpy's two-sided lerp), then np.unique. edges holds k − 1 doubles; *n_edges
 * receives the number kept (≤ k − 1; 0 for k = 1 or a constant sample gives 0 or 1).
 * Errors: k < 1 → DV_BAD_PARAMETER at member "bins" (arg DV_ARG_NONE); n == 0 → DV_EMPTY
 * (arg P: nothing to fit on).
 */
dv_status dv_drift_quantile_edges(const double *sorted, size_t n, size_t k, double *edges,
                                  size_t *n_edges, dv_error *err);

/*
 * Explicit interior edges: every one finite (DV_NOT_FINITE) and strictly increasing
 * (DV_BAD_PARAMETER at the first i with edges[i] ≤ edges[i−1]); location arg DV_ARG_NONE,
 * member "bins", idx[0] = i. n == 0 is allowed (one bin).
 */
dv_status dv_drift_check_edges(const double *edges, size_t n, dv_error *err);

/*
 * Counts the values of x[0..n) (finite; nulls skipped and counted in *n_null, which may be
 * NULL) into the bins (−∞, e0), [e0, e1), …, [e_last, +∞): counts[n_edges + 1] are
 * overwritten. A value equal to an edge goes right. Binary search per value, one pass.
 */
void dv_drift_count(const double *edges, size_t n_edges, const double *x, const bool *null,
                    size_t n, double *counts, size_t *n_null);

/* ---- sample statistics on sorted numeric samples -------------------------------------- */

/*
 * W1 between the empirical distributions of a[0..na) and b[0..nb) (ascending, finite,
 * na, nb ≥ 1): ∫|F_a − F_b| dx, as scipy.stats.wasserstein_distance(a, b). Computed with
 * exact integer CDF differences |i·nb − j·na| and a compensated sum, so it is exact up
 * to a few ulps (scipy is within ~1e-15 of it).
 */
double dv_wasserstein_sorted(const double *a, size_t na, const double *b, size_t nb);

/* Population standard deviation (ddof 0) of x[0..n), n ≥ 1, via a compensated mean and
 * a compensated two-pass sum of squares: exactly 0 for a constant sample. */
double dv_std_pop(const double *x, size_t n);

typedef struct dv_ks {
    double
        statistic; /* D = sup |F_a − F_b| (in the exact mode: h / lcm(na, nb), as scipy) */
    double p_value; /* two-sided, in [0, 1]                                              */
    bool exact;     /* true: exact null distribution; false: the asymptotic one         */
} dv_ks;

/*
 * Two-sided two-sample KS test on ascending samples, as scipy.stats.ks_2samp(a, b,
 * method="auto") on scipy 1.10: exact when max(na, nb) ≤ 10000 (lattice-path recursion;
 * n1 == n2 by the reflection sum), else — or when the exact value is not in [0, 1] —
 * the Kolmogorov distribution of round(na·nb/(na+nb)) at D with scipy's algorithm
 * choices (Durbin matrix, Pelz–Good, Smirnov's one-sided sum ×2, closed forms).
 * DV_NO_MEMORY when a work array (≤ ~0.4 MB) cannot be had; DV_TOO_LARGE above 2^31
 * values per side; na, nb ≥ 1.
 */
dv_status dv_ks_2samp(const double *a, size_t na, const double *b, size_t nb, dv_ks *out,
                      dv_error *err);

/* W1 and the KS test from one merge of the two sorted samples (what dv_drift_numeric
 * uses); the same results as the two functions above. */
dv_status dv_two_sample(const double *a, size_t na, const double *b, size_t nb, double *w1,
                        dv_ks *ks, dv_error *err);

/* The survival function Pr(D_n ≥ d) of the one-sample two-sided Kolmogorov statistic, as
 * scipy.stats.kstwo.sf(d, n) (same regimes and approximations). NaN on OOM or n == 0. */
double dv_kolmogorov_sf(size_t n, double d);

/* ---- χ² test of homogeneity ----------------------------------------------------------- */

typedef struct dv_chi2_test {
    double statistic; /* Σ (o − e)² / e over the 2×m table                  */
    size_t dof;       /* (columns used) − 1                                 */
    double p_value;   /* Q(dof/2, statistic/2); 1 when dof == 0             */
    size_t columns;   /* columns used: those where not both counts are 0    */
} dv_chi2_test;

/*
 * χ² test of homogeneity of the 2×m table (ref[i], cur[i]), as
 * scipy.stats.chi2_contingency(table, correction=False). Columns where both counts are 0
 * (an `unseen` or `missing` bin empty on both sides) are dropped — scipy would refuse the
 * table (an expected frequency of 0), and such a column carries no evidence either way.
 * The statistic is computed from exact cross differences o·N − R·C (error-free products),
 * so it is accurate even when the rows are nearly proportional.
 * Errors: counts must be finite and ≥ 0 (DV_NOT_FINITE / DV_NEGATIVE at arg P or Q,
 * idx[0] = column); a row summing to 0 → DV_ZERO_TOTAL; m == 0 → DV_EMPTY.
 */
dv_status dv_chi2_homogeneity(const double *ref, const double *cur, size_t m,
                              dv_chi2_test *out, dv_error *err);

/* ---- one numeric feature -------------------------------------------------------------- */

/*
 * Doubles of work space dv_drift_numeric() needs for samples of n_ref and n_cur values
 * (nulls included): n_ref + n_cur + max(n_ref, n_cur) (the two sorted copies and the
 * sort's second buffer). 0 if that overflows size_t or the byte size (→ DV_TOO_LARGE).
 */
size_t dv_drift_numeric_work(size_t n_ref, size_t n_cur);

typedef struct dv_drift_numeric_in {
    const double *ref;    /* n_ref values; entries under a null are ignored      */
    const bool *ref_null; /* NULL = no nulls                                     */
    size_t n_ref;
    const double *cur;
    const bool *cur_null;
    size_t n_cur;
    const double *edges; /* explicit interior edges, or NULL for k quantile bins */
    size_t n_edges;
    size_t k;             /* quantile bins when edges == NULL (≥ 1)              */
    bool sample_measures; /* compute W1, W1/σ and KS                             */
} dv_drift_numeric_in;

typedef struct dv_drift_numeric_out {
    double *edges; /* caller: room for max(k − 1, n_edges) doubles          */
    size_t n_edges;
    double *ref_counts; /* caller: room for n_edges + 2 (k + 1) doubles each      */
    double *cur_counts;
    size_t n_bins;     /* n_edges + 1, + 1 when has_missing                     */
    bool has_missing;  /* a null on either side: the last bin is `missing`      */
    size_t ref_values; /* non-null values on each side                          */
    size_t cur_values;
    bool has_sample; /* sample measures computed (asked, and both sides have
                              ≥ 1 non-null value)                                  */
    double wasserstein;
    bool has_normed; /* false when the reference's σ is 0                     */
    double wasserstein_normed;
    double ref_std; /* population σ of the reference (when has_sample)       */
    dv_ks ks;
} dv_drift_numeric_out;

/*
 * Everything SPEC §9 needs of one numeric feature from raw samples: the sorted copies,
 * the edges (fitted on the reference, or the explicit ones checked), both count vectors
 * (with the `missing` bin last when either side has a null), and the sample measures.
 * `work` holds dv_drift_numeric_work(n_ref, n_cur) doubles; the sorted samples stay in it
 * (reference first, then current) for the caller's use until work is reused.
 * Errors: as dv_drift_sort (per side), dv_drift_check_edges, dv_drift_quantile_edges
 * (a reference with no non-null value cannot be fitted: DV_EMPTY at arg P), DV_NO_MEMORY.
 */
dv_status dv_drift_numeric(const dv_drift_numeric_in *in, double *work,
                           dv_drift_numeric_out *out, dv_error *err);

/* ---- one categorical feature ---------------------------------------------------------- */

typedef struct dv_drift_cat {
    dv_support *categories; /* the reference's non-null categories, first appearance   */
    size_t n_categories;
    double *ref_counts; /* n_bins each: categories…, unseen, [missing]             */
    double *cur_counts;
    size_t n_bins; /* n_categories + 1 (+ 1 when has_missing)                 */
    bool has_missing;
    size_t unseen_index; /* = n_categories                                          */
} dv_drift_cat;

/*
 * Bins a categorical feature (strings or booleans as dv_key; the API layer has checked
 * that kinds do not mix): one bin per reference category in order of first appearance,
 * then `unseen` (current categories the reference lacks; always present), then `missing`
 * when either side has a null. Errors: n_ref == 0 → DV_EMPTY (arg P), n_cur == 0 →
 * DV_EMPTY (arg Q), DV_NO_MEMORY (nothing left allocated, *out zeroed).
 */
dv_status dv_drift_categorical(const dv_key *ref, const bool *ref_null, size_t n_ref,
                               const dv_key *cur, const bool *cur_null, size_t n_cur,
                               dv_drift_cat *out, dv_error *err);
void dv_drift_cat_free(dv_drift_cat *c); /* frees and zeroes; a zeroed struct is fine */

#ifdef __cplusplus
}
#endif
#endif /* DV_DRIFT_H */
