/*
 * drift.c — binning and the sample figures of SPEC §9 (feature drift): validation and
 * sorting of numeric samples, numpy-exact quantile edges, counts in the frozen bins,
 * the population standard deviation, the χ² test of homogeneity, and the two per-feature
 * drivers (numeric, categorical). W1 and the KS test are in ks.c (one merge of the sorted
 * samples serves both), the incomplete gamma in gammainc.c, the sort in sort.c.
 *
 * Why it is built this way:
 *  - Quantile edges must equal numpy's to the bit where possible, so they repeat numpy's
 *    arithmetic exactly (virtual index (n−1)·q, q = j/k; the lerp a + (b−a)γ, or
 *    b − (b−a)(1−γ) when γ ≥ ½), in plain double operations (no fma: C11 mode keeps the
 *    compiler from contracting them).
 *  - χ² cells are written as d²/(C·R1·R2) with d = o·N − R1·C computed from error-free
 *    products: the textbook (o − e)²/e loses digits when o ≈ e (nearly proportional rows).
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drift.h"
#include "internal.h"
#include "numfmt.h"

static const char *side(int arg)
{
    return arg == DV_ARG_Q ? "current" : "reference";
}

/* ---- sorting and validation --------------------------------------------------------- */

dv_status dv_drift_sort(const double *x, const bool *null, size_t n, int arg, double *out,
                        double *scratch, size_t *n_out, dv_error *err)
{
    *n_out = 0;
    if (n == 0)
        return dv_fail_at(err, DV_EMPTY, dv_at(arg, NULL),
                          "the %s sample is empty; it needs at least one value", side(arg));
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (null && null[i])
            continue;
        if (!isfinite(x[i])) {
            char buf[32];
            numfmt_msg(buf, sizeof buf, x[i]);
            return dv_fail_at(err, DV_NOT_FINITE, dv_at1(arg, NULL, i),
                              "value %zu of the %s sample is %s; values must be finite "
                              "numbers (send null for a missing value)",
                              i, side(arg), buf);
        }
        out[m++] = x[i];
    }
    dv_sort_doubles(out, scratch, m);
    *n_out = m;
    return DV_OK;
}

/* ---- edges --------------------------------------------------------------------------- */

/* numpy.quantile(sorted, q, method="linear") for one q in [0, 1]. */
static double quantile_linear(const double *s, size_t n, double q)
{
    double vi = (double)(n - 1) * q; /* numpy: (n − 1) · q, the virtual index */
    if (vi >= (double)(n - 1))
        return s[n - 1];
    double prev = floor(vi);
    size_t i0 = (size_t)prev;
    double gamma = vi - prev;
    double a = s[i0], b = s[i0 + 1];
    double diff = b - a;
    /* numpy's _lerp: from the nearer end, so γ → 1 gives b exactly (monotone, and exact
     * at both ends) */
    double e = gamma >= 0.5 ? b - diff * (1.0 - gamma) : a + diff * gamma;
    if (!isfinite(
            e)) /* b − a overflowed (a ≈ −b ≈ 1e308): a convex combination is finite */
        e = a * (1.0 - gamma) + b * gamma;
    return e;
}

dv_status dv_drift_quantile_edges(const double *sorted, size_t n, size_t k, double *edges,
                                  size_t *n_edges, dv_error *err)
{
    *n_edges = 0;
    if (k < 1)
        return dv_fail_at(err, DV_BAD_PARAMETER, dv_at(DV_ARG_NONE, "bins"),
                          "bins is 0; it must be an integer >= 1 (or an array of edges)");
    if (n == 0)
        return dv_fail_at(err, DV_EMPTY, dv_at(DV_ARG_P, NULL),
                          "the reference sample has no numbers to fit quantile bins on");
    size_t m = 0;
    for (size_t j = 1; j < k; j++) {
        double e = quantile_linear(sorted, n, (double)j / (double)k);
        /* insertion keeps the list sorted even if rounding ever made a later quantile an
         * ulp smaller (np.unique sorts too); equal values are merged */
        size_t p = m;
        while (p > 0 && edges[p - 1] > e)
            p--;
        if (p > 0 && !(edges[p - 1] < e))
            continue; /* a duplicate */
        memmove(edges + p + 1, edges + p, (m - p) * sizeof *edges);
        edges[p] = e;
        m++;
    }
    *n_edges = m;
    return DV_OK;
}

dv_status dv_drift_check_edges(const double *edges, size_t n, dv_error *err)
{
    for (size_t i = 0; i < n; i++) {
        char b1[32], b2[32];
        if (!isfinite(edges[i])) {
            numfmt_msg(b1, sizeof b1, edges[i]);
            return dv_fail_at(err, DV_NOT_FINITE, dv_at1(DV_ARG_NONE, "bins", i),
                              "bin edge %zu is %s; edges must be finite (the outer bins "
                              "are open to -inf and +inf already)",
                              i, b1);
        }
        if (i > 0 && !(edges[i] > edges[i - 1])) {
            numfmt_msg(b1, sizeof b1, edges[i]);
            numfmt_msg(b2, sizeof b2, edges[i - 1]);
            return dv_fail_at(err, DV_BAD_PARAMETER, dv_at1(DV_ARG_NONE, "bins", i),
                              "bin edge %zu is %s, not greater than edge %zu (%s); edges "
                              "must be strictly increasing",
                              i, b1, i - 1, b2);
        }
    }
    return DV_OK;
}

/* ---- counting -------------------------------------------------------------------------- */

/* Number of edges ≤ x: the bin of x (a value on an edge goes right). */
static inline size_t bin_of(const double *edges, size_t n_edges, double x)
{
    size_t lo = 0, hi = n_edges;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x >= edges[mid])
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void dv_drift_count(const double *edges, size_t n_edges, const double *x, const bool *null,
                    size_t n, double *counts, size_t *n_null)
{
    size_t nulls = 0;
    for (size_t b = 0; b <= n_edges; b++)
        counts[b] = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (null && null[i]) {
            nulls++;
            continue;
        }
        counts[bin_of(edges, n_edges, x[i])] += 1.0;
    }
    if (n_null)
        *n_null = nulls;
}

/* Number of sorted values < e (lower bound). */
static size_t count_below(const double *s, size_t n, double e)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s[mid] < e)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The same counts from a sorted sample: one binary search per edge. */
static void count_sorted(const double *edges, size_t n_edges, const double *s, size_t n,
                         double *counts)
{
    size_t prev = 0;
    for (size_t b = 0; b < n_edges; b++) {
        size_t below = count_below(s + prev, n - prev, edges[b]) + prev;
        counts[b] = (double)(below - prev);
        prev = below;
    }
    counts[n_edges] = (double)(n - prev);
}

/* ---- σ ----------------------------------------------------------------------------- */

/* Knuth's TwoSum accumulator: branch-free (Neumaier's has a data-dependent branch),
 * s + e carries the running sum to ~1 ulp for terms of one sign, and to ~1 ulp of the
 * largest partial sum otherwise — all σ needs. */
typedef struct two_sum {
    double s, e;
} two_sum;

static inline void ts_add(two_sum *t, double x)
{
    double s = t->s + x, bb = s - t->s;
    t->e += (t->s - (s - bb)) + (x - bb);
    t->s = s;
}

double dv_std_pop(const double *x, size_t n)
{
    assert(n >= 1);
    double lo = x[0], hi = x[0];
    for (size_t i = 1; i < n; i++) {
        lo = x[i] < lo ? x[i] : lo;
        hi = x[i] > hi ? x[i] : hi;
    }
    if (!(hi > lo))
        return 0.0; /* constant: exactly 0 (a rounded mean would leave ~1e-17) */
    /* Scale by a power of two so squares neither overflow nor underflow. */
    int ex;
    frexp(fmax(fabs(lo), fabs(hi)), &ex);
    double sc = ldexp(1.0, -ex), dn = (double)n;
    two_sum s = {0, 0};
    for (size_t i = 0; i < n; i++)
        ts_add(&s, x[i] * sc);
    double mean = (s.s + s.e) / dn;
    /* Two-pass with the compensating term (Σd)²/n, which removes the mean's rounding. */
    two_sum sq = {0, 0}, sd = {0, 0};
    for (size_t i = 0; i < n; i++) {
        double d = x[i] * sc - mean;
        ts_add(&sq, d * d);
        ts_add(&sd, d);
    }
    double t = sd.s + sd.e;
    double var = ((sq.s + sq.e) - t * t / dn) / dn;
    return var > 0.0 ? sqrt(var) / sc : 0.0;
}

/* ---- χ² test of homogeneity -------------------------------------------------------------- */

/* a·b − c·d with the products' rounding errors recovered by fma (Kahan's trick). */
static double cross_diff(double a, double b, double c, double d)
{
    double p = a * b, q = c * d;
    double ep = fma(a, b, -p), eq = fma(c, d, -q);
    return (p - q) + (ep - eq);
}

dv_status dv_chi2_homogeneity(const double *ref, const double *cur, size_t m,
                              dv_chi2_test *out, dv_error *err)
{
    memset(out, 0, sizeof *out);
    if (m == 0)
        return dv_fail_at(err, DV_EMPTY, dv_at(DV_ARG_NONE, NULL),
                          "the contingency table has no columns");
    dv_acc r1 = {0, 0}, r2 = {0, 0};
    size_t used = 0;
    for (size_t c = 0; c < m; c++) {
        for (int s = 0; s < 2; s++) {
            double v = s ? cur[c] : ref[c];
            int arg = s ? DV_ARG_Q : DV_ARG_P;
            char buf[32];
            numfmt_msg(buf, sizeof buf, v);
            if (!isfinite(v))
                return dv_fail_at(err, DV_NOT_FINITE, dv_at1(arg, NULL, c),
                                  "%s count %zu is %s; counts must be finite", side(arg), c,
                                  buf);
            if (v < 0.0)
                return dv_fail_at(err, DV_NEGATIVE, dv_at1(arg, NULL, c),
                                  "%s count %zu is %s; counts must be >= 0", side(arg), c,
                                  buf);
        }
        dv_acc_add(&r1, ref[c]);
        dv_acc_add(&r2, cur[c]);
        if (ref[c] > 0.0 || cur[c] > 0.0)
            used++;
    }
    double R1 = dv_acc_value(&r1), R2 = dv_acc_value(&r2);
    if (!(R1 > 0.0))
        return dv_fail_at(err, DV_ZERO_TOTAL, dv_at(DV_ARG_P, NULL),
                          "every reference count is 0; the test needs observations");
    if (!(R2 > 0.0))
        return dv_fail_at(err, DV_ZERO_TOTAL, dv_at(DV_ARG_Q, NULL),
                          "every current count is 0; the test needs observations");
    double N = R1 + R2;
    dv_acc stat = {0, 0};
    for (size_t c = 0; c < m; c++) {
        double C = ref[c] + cur[c];
        if (!(C > 0.0))
            continue; /* empty on both sides: dropped (see drift.h) */
        /* Both cells of the column share |o − e| = |o1·N − R1·C|/N, and
         * 1/(R1·C/N) + 1/(R2·C/N) = N²/(R1·R2·C)·(1/N): the column adds d²/(C·R1·R2). */
        double d = cross_diff(ref[c], N, R1, C);
        dv_acc_add(&stat, d * d / (C * R1 * R2));
    }
    out->columns = used;
    out->dof = used - 1;
    if (out->dof == 0) { /* scipy: a table with one column has statistic 0 and p 1 */
        out->statistic = 0.0;
        out->p_value = 1.0;
        return DV_OK;
    }
    out->statistic = dv_acc_value(&stat);
    out->p_value = dv_gamma_q(0.5 * (double)out->dof, 0.5 * out->statistic);
    return DV_OK;
}

/* ---- a numeric feature ------------------------------------------------------------------- */

size_t dv_drift_numeric_work(size_t n_ref, size_t n_cur)
{
    size_t mx = n_ref > n_cur ? n_ref : n_cur;
    if (n_ref > SIZE_MAX - n_cur || n_ref + n_cur > SIZE_MAX - mx)
        return 0;
    size_t total = n_ref + n_cur + mx;
    if (total > SIZE_MAX / sizeof(double))
        return 0;
    return total;
}

dv_status dv_drift_numeric(const dv_drift_numeric_in *in, double *work,
                           dv_drift_numeric_out *out, dv_error *err)
{
    out->n_edges = 0;
    out->n_bins = 0;
    out->has_missing = false;
    out->has_sample = false;
    out->has_normed = false;
    double *rs = work, *cs = work + in->n_ref, *scratch = work + in->n_ref + in->n_cur;
    size_t nr, nc;
    dv_status st =
        dv_drift_sort(in->ref, in->ref_null, in->n_ref, DV_ARG_P, rs, scratch, &nr, err);
    if (st != DV_OK)
        return st;
    st = dv_drift_sort(in->cur, in->cur_null, in->n_cur, DV_ARG_Q, cs, scratch, &nc, err);
    if (st != DV_OK)
        return st;
    if (in->edges) {
        st = dv_drift_check_edges(in->edges, in->n_edges, err);
        if (st != DV_OK)
            return st;
        memcpy(out->edges, in->edges, in->n_edges * sizeof *in->edges);
        out->n_edges = in->n_edges;
    } else {
        st = dv_drift_quantile_edges(rs, nr, in->k, out->edges, &out->n_edges, err);
        if (st != DV_OK)
            return st;
    }
    size_t ne = out->n_edges;
    count_sorted(out->edges, ne, rs, nr, out->ref_counts);
    count_sorted(out->edges, ne, cs, nc, out->cur_counts);
    out->ref_values = nr;
    out->cur_values = nc;
    out->n_bins = ne + 1;
    if (nr < in->n_ref || nc < in->n_cur) {
        out->has_missing = true;
        out->ref_counts[ne + 1] = (double)(in->n_ref - nr);
        out->cur_counts[ne + 1] = (double)(in->n_cur - nc);
        out->n_bins = ne + 2;
    }
    if (!in->sample_measures || nr == 0 || nc == 0)
        return DV_OK;
    st = dv_two_sample(rs, nr, cs, nc, &out->wasserstein, &out->ks, err);
    if (st != DV_OK)
        return st;
    out->ref_std = dv_std_pop(rs, nr);
    if (out->ref_std > 0.0) {
        out->has_normed = true;
        out->wasserstein_normed = out->wasserstein / out->ref_std;
    }
    out->has_sample = true;
    return DV_OK;
}

/* ---- a categorical feature ---------------------------------------------------------------- */

void dv_drift_cat_free(dv_drift_cat *c)
{
    if (!c)
        return;
    dv_support_free(c->categories);
    free(c->ref_counts);
    free(c->cur_counts);
    memset(c, 0, sizeof *c);
}

static dv_status cat_oom(dv_drift_cat *out, double *tmp, dv_error *err)
{
    free(tmp);
    dv_drift_cat_free(out);
    return dv_fail_at(err, DV_NO_MEMORY, dv_at(DV_ARG_NONE, NULL),
                      "out of memory while binning categories");
}

dv_status dv_drift_categorical(const dv_key *ref, const bool *ref_null, size_t n_ref,
                               const dv_key *cur, const bool *cur_null, size_t n_cur,
                               dv_drift_cat *out, dv_error *err)
{
    memset(out, 0, sizeof *out);
    if (n_ref == 0)
        return dv_fail_at(err, DV_EMPTY, dv_at(DV_ARG_P, NULL),
                          "the reference sample is empty; it needs at least one value");
    if (n_cur == 0)
        return dv_fail_at(err, DV_EMPTY, dv_at(DV_ARG_Q, NULL),
                          "the current sample is empty; it needs at least one value");
    out->categories = dv_support_new(64);
    if (!out->categories)
        return cat_oom(out, NULL, err);
    /* Reference counts grow with the support (doubling), indexed by category. */
    size_t cap = 64, ref_nulls = 0, cur_nulls = 0;
    double *rc = calloc(cap, sizeof *rc);
    if (!rc)
        return cat_oom(out, NULL, err);
    for (size_t i = 0; i < n_ref; i++) {
        if (ref_null && ref_null[i]) {
            ref_nulls++;
            continue;
        }
        size_t idx;
        if (dv_support_add(out->categories, &ref[i], &idx) != DV_OK)
            return cat_oom(out, rc, err);
        if (idx >= cap) {
            if (cap > SIZE_MAX / 2 / sizeof *rc)
                return cat_oom(out, rc, err);
            double *g = realloc(rc, 2 * cap * sizeof *rc);
            if (!g)
                return cat_oom(out, rc, err);
            memset(g + cap, 0, cap * sizeof *g);
            rc = g;
            cap *= 2;
        }
        rc[idx] += 1.0;
    }
    size_t K = dv_support_size(out->categories);
    for (size_t i = 0; i < n_cur; i++)
        if (cur_null && cur_null[i])
            cur_nulls++;
    bool missing = ref_nulls > 0 || cur_nulls > 0;
    size_t nb = K + 1 + (missing ? 1 : 0);
    out->ref_counts = calloc(nb, sizeof(double));
    out->cur_counts = calloc(nb, sizeof(double));
    if (!out->ref_counts || !out->cur_counts)
        return cat_oom(out, rc, err);
    memcpy(out->ref_counts, rc, K * sizeof *rc);
    free(rc);
    for (size_t i = 0; i < n_cur; i++) {
        if (cur_null && cur_null[i])
            continue;
        size_t idx = dv_support_find(out->categories, &cur[i]);
        out->cur_counts[idx == DV_NO_INDEX ? K : idx] += 1.0;
    }
    if (missing) {
        out->ref_counts[K + 1] = (double)ref_nulls;
        out->cur_counts[K + 1] = (double)cur_nulls;
    }
    out->n_categories = K;
    out->unseen_index = K;
    out->n_bins = nb;
    out->has_missing = missing;
    return DV_OK;
}
