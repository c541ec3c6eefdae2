/*
 * test_drift.c — conventions, edge cases and errors of the drift core (drift.h): the sort,
 * quantile edges (hand-computed numpy values), bin membership at edges, nulls and the
 * `missing` bin, categorical bins with `unseen`, W1 / σ / KS / χ² on cases with known
 * answers, the incomplete gamma's closed forms, the PSI of a hand-computed decile example,
 * every error status with its location, and a timing of one 10^5-row feature (printed).
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "check.h"
#include "drift.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t next_u64(void)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    uint64_t z = rng_state;
    z ^= z >> 33;
    z *= 0xff51afd7ed558ccdULL;
    z ^= z >> 33;
    return z;
}

/* Uniform in (0, 1). */
static double unif(void)
{
    return ((double)(next_u64() >> 11) + 0.5) * 0x1p-53;
}

/* Standard normal (Box–Muller; only the shape matters here). */
static double normal(void)
{
    return sqrt(-2.0 * log(unif())) * cos(2.0 * M_PI * unif());
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* ---- sort ------------------------------------------------------------------------------- */

static void test_sort_matches_qsort(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 1, 2, 3, 10, 63, 64, 65, 200, 1000, 4096, 100000};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        double *x = malloc((n + 1) * sizeof *x), *y = malloc((n + 1) * sizeof *y);
        double *scratch = malloc((n + 1) * sizeof *scratch);
        assert_non_null(x);
        assert_non_null(y);
        assert_non_null(scratch);
        for (size_t i = 0; i < n; i++) {
            switch (next_u64() % 6) {
            case 0: x[i] = normal(); break;
            case 1: x[i] = -normal() * 1e200; break;
            case 2: x[i] = (double)(next_u64() % 5) - 2.0; break; /* ties, zeros */
            case 3: x[i] = -0.0; break;
            case 4: x[i] = ldexp(unif(), -1070); break; /* subnormals */
            default: x[i] = -ldexp(unif(), (int)(next_u64() % 2000) - 1000); break;
            }
            y[i] = x[i] + 0.0;
        }
        dv_sort_doubles(x, scratch, n);
        qsort(y, n, sizeof *y, cmp_double);
        for (size_t i = 0; i < n; i++) {
            assert_true(same(x[i], y[i]));
            assert_false(signbit(x[i]) && !(x[i] < 0.0)); /* −0 became +0 */
        }
        free(x);
        free(y);
        free(scratch);
    }
}

static void test_sort_validation(void **state)
{
    (void)state;
    double x[] = {1.0, NAN, 2.0, INFINITY, -3.0}, out[5], scratch[5];
    bool null[] = {false, true, false, false, false};
    size_t n;
    dv_error err;
    /* the NaN is under a null and ignored; the infinity is not */
    assert_int_equal(dv_drift_sort(x, null, 5, DV_ARG_Q, out, scratch, &n, &err),
                     DV_NOT_FINITE);
    assert_int_equal(err.at.arg, DV_ARG_Q);
    assert_null(err.at.member);
    assert_int_equal(err.at.idx[0], 3);
    assert_int_equal(err.at.idx[1], DV_NO_INDEX);
    assert_non_null(strstr(err.msg, "Infinity"));
    null[3] = true;
    assert_int_equal(dv_drift_sort(x, null, 5, DV_ARG_Q, out, scratch, &n, &err), DV_OK);
    assert_int_equal(n, 3);
    assert_true(same(out[0], -3.0) && same(out[1], 1.0) && same(out[2], 2.0));
    assert_int_equal(dv_drift_sort(x, NULL, 0, DV_ARG_P, out, scratch, &n, &err), DV_EMPTY);
    assert_int_equal(err.at.arg, DV_ARG_P);
}

/* ---- edges and counts ------------------------------------------------------------------- */

static void test_quantile_edges(void **state)
{
    (void)state;
    double s[] = {1.0, 2.0, 3.0, 4.0}, e[16];
    size_t ne;
    dv_error err;
    /* numpy.quantile([1,2,3,4], [.25,.5,.75]) = [1.75, 2.5, 3.25] */
    assert_int_equal(dv_drift_quantile_edges(s, 4, 4, e, &ne, &err), DV_OK);
    assert_int_equal(ne, 3);
    assert_true(same(e[0], 1.75) && same(e[1], 2.5) && same(e[2], 3.25));
    /* k = 1: no interior edge, one bin */
    assert_int_equal(dv_drift_quantile_edges(s, 4, 1, e, &ne, &err), DV_OK);
    assert_int_equal(ne, 0);
    /* a constant sample: all quantiles equal, merged into one edge */
    double c[] = {7.0, 7.0, 7.0};
    assert_int_equal(dv_drift_quantile_edges(c, 3, 10, e, &ne, &err), DV_OK);
    assert_int_equal(ne, 1);
    assert_true(same(e[0], 7.0));
    /* n = 1 */
    assert_int_equal(dv_drift_quantile_edges(c, 1, 5, e, &ne, &err), DV_OK);
    assert_int_equal(ne, 1);
    /* ties merge: [0,0,0,1] deciles are 0 … 0, then 0.1 … 0.7 */
    double t[] = {0.0, 0.0, 0.0, 1.0};
    assert_int_equal(dv_drift_quantile_edges(t, 4, 10, e, &ne, &err), DV_OK);
    assert_true(same(e[0], 0.0));
    for (size_t i = 1; i < ne; i++)
        assert_true(e[i] > e[i - 1]);
    /* errors */
    assert_int_equal(dv_drift_quantile_edges(s, 4, 0, e, &ne, &err), DV_BAD_PARAMETER);
    assert_int_equal(err.at.arg, DV_ARG_NONE);
    assert_string_equal(err.at.member, "bins");
    assert_int_equal(dv_drift_quantile_edges(s, 0, 4, e, &ne, &err), DV_EMPTY);
    assert_int_equal(err.at.arg, DV_ARG_P);
}

static void test_check_edges(void **state)
{
    (void)state;
    dv_error err;
    double ok[] = {-1.0, 0.0, 2.5};
    assert_int_equal(dv_drift_check_edges(ok, 3, &err), DV_OK);
    assert_int_equal(dv_drift_check_edges(ok, 0, &err), DV_OK);
    double dup[] = {0.0, 1.0, 1.0, 2.0};
    assert_int_equal(dv_drift_check_edges(dup, 4, &err), DV_BAD_PARAMETER);
    assert_string_equal(err.at.member, "bins");
    assert_int_equal(err.at.arg, DV_ARG_NONE);
    assert_int_equal(err.at.idx[0], 2);
    double down[] = {3.0, 1.0};
    assert_int_equal(dv_drift_check_edges(down, 2, &err), DV_BAD_PARAMETER);
    assert_int_equal(err.at.idx[0], 1);
    double inf[] = {0.0, INFINITY};
    assert_int_equal(dv_drift_check_edges(inf, 2, &err), DV_NOT_FINITE);
    assert_int_equal(err.at.idx[0], 1);
    double nan[] = {NAN};
    assert_int_equal(dv_drift_check_edges(nan, 1, &err), DV_NOT_FINITE);
    assert_int_equal(err.at.idx[0], 0);
}

static void test_count_edge_goes_right(void **state)
{
    (void)state;
    double edges[] = {1.0, 2.0};
    double x[] = {0.999, 1.0, 1.5, 2.0, -1e300, 1e300, 99.0, -0.0};
    bool null[] = {false, false, false, false, false, false, true, false};
    double counts[3];
    size_t nulls;
    dv_drift_count(edges, 2, x, null, 8, counts, &nulls);
    assert_true(same(counts[0], 3.0)); /* 0.999, −1e300, −0 */
    assert_true(same(counts[1], 2.0)); /* 1.0 (on the edge), 1.5 */
    assert_true(same(counts[2], 2.0)); /* 2.0 (on the edge), 1e300 */
    assert_int_equal(nulls, 1);
    dv_drift_count(edges, 0, x, NULL, 8, counts, NULL); /* one bin */
    assert_true(same(counts[0], 8.0));
}

/* ---- a numeric feature ------------------------------------------------------------------- */

typedef struct feature {
    double *work, edges[32], rc[34], cc[34];
    dv_drift_numeric_out out;
} feature;

static dv_status run_numeric(feature *f, const dv_drift_numeric_in *in, dv_error *err)
{
    f->work = malloc(dv_drift_numeric_work(in->n_ref, in->n_cur) * sizeof(double) + 8);
    assert_non_null(f->work);
    memset(&f->out, 0, sizeof f->out);
    f->out.edges = f->edges;
    f->out.ref_counts = f->rc;
    f->out.cur_counts = f->cc;
    dv_status st = dv_drift_numeric(in, f->work, &f->out, err);
    free(f->work);
    return st;
}

static void test_psi_decile_example(void **state)
{
    (void)state;
    /* Reference 1 … 100; deciles (numpy "linear"): e_j = 1 + 9.9 j = 10.9, 20.8, … 90.1,
     * ten values per bin. Current 6 … 105: 5 values below 10.9, ten in each inner bin,
     * 15 at or above 90.1. Proportions P = 0.1 each, Q = 0.05, 0.1 × 8, 0.15, so
     * PSI = Σ (Q − P) ln(Q/P) = (−0.05) ln 0.5 + 0.05 ln 1.5 = 0.05 ln 3. */
    double ref[100], cur[100];
    for (int i = 0; i < 100; i++) {
        ref[i] = i + 1;
        cur[i] = i + 6;
    }
    dv_drift_numeric_in in = {ref, NULL, 100, cur, NULL, 100, NULL, 0, 10, true};
    feature f;
    dv_error err;
    assert_int_equal(run_numeric(&f, &in, &err), DV_OK);
    assert_int_equal(f.out.n_edges, 9);
    assert_int_equal(f.out.n_bins, 10);
    assert_false(f.out.has_missing);
    for (int j = 0; j < 9; j++)
        assert_rel(f.edges[j], 1.0 + 9.9 * (j + 1), 1e-15);
    double psi = 0.0;
    for (int b = 0; b < 10; b++) {
        assert_true(same(f.rc[b], 10.0));
        double want = b == 0 ? 5.0 : (b == 9 ? 15.0 : 10.0);
        assert_true(same(f.cc[b], want));
        double p = f.rc[b] / 100.0, q = f.cc[b] / 100.0;
        psi += (q - p) * log(q / p);
    }
    assert_rel(psi, 0.05 * log(3.0), 1e-14);
    /* shifted by 5: W1 = 5 exactly; σ = √((100² − 1)/12) */
    assert_rel(f.out.wasserstein, 5.0, 1e-15);
    assert_rel(f.out.ref_std, sqrt(9999.0 / 12.0), 1e-15);
    assert_true(f.out.has_normed);
    assert_rel(f.out.wasserstein_normed, 5.0 / sqrt(9999.0 / 12.0), 1e-15);
    /* D = 5/100, exact: Pr(D_{100,100} ≥ 0.05) is large */
    assert_true(f.out.ks.exact);
    assert_rel(f.out.ks.statistic, 0.05, 1e-15);
    assert_true(f.out.ks.p_value > 0.9 && f.out.ks.p_value <= 1.0);
}

static void test_numeric_nulls_and_missing(void **state)
{
    (void)state;
    double ref[] = {1.0, NAN, 2.0, 3.0}, cur[] = {2.5, 0.0};
    bool rnull[] = {false, true, false, false};
    dv_drift_numeric_in in = {ref, rnull, 4, cur, NULL, 2, NULL, 0, 2, true};
    feature f;
    dv_error err;
    assert_int_equal(run_numeric(&f, &in, &err), DV_OK);
    assert_true(f.out.has_missing);
    assert_int_equal(f.out.n_edges, 1); /* median of {1,2,3} */
    assert_true(same(f.edges[0], 2.0));
    assert_int_equal(f.out.n_bins, 3);
    assert_true(same(f.rc[0], 1.0) && same(f.rc[1], 2.0) && same(f.rc[2], 1.0));
    assert_true(same(f.cc[0], 1.0) && same(f.cc[1], 1.0) && same(f.cc[2], 0.0));
    assert_int_equal(f.out.ref_values, 3);
    assert_true(f.out.has_sample);

    /* nulls only in the current sample still add the missing bin to both */
    bool cnull[] = {true, false};
    dv_drift_numeric_in in2 = {ref, NULL, 1, cur, cnull, 2, NULL, 0, 4, true};
    assert_int_equal(run_numeric(&f, &in2, &err), DV_OK);
    assert_true(f.out.has_missing);
    assert_int_equal(f.out.n_bins, f.out.n_edges + 2);
    assert_true(same(f.rc[f.out.n_bins - 1], 0.0) && same(f.cc[f.out.n_bins - 1], 1.0));

    /* an all-null reference cannot be fitted … */
    bool allnull[] = {true, true, true, true};
    dv_drift_numeric_in in3 = {ref, allnull, 4, cur, NULL, 2, NULL, 0, 4, true};
    assert_int_equal(run_numeric(&f, &in3, &err), DV_EMPTY);
    assert_int_equal(err.at.arg, DV_ARG_P);
    /* … but explicit edges bin it (everything missing), without sample measures */
    double edges[] = {0.5, 1.5};
    dv_drift_numeric_in in4 = {ref, allnull, 4, cur, NULL, 2, edges, 2, 0, true};
    assert_int_equal(run_numeric(&f, &in4, &err), DV_OK);
    assert_false(f.out.has_sample);
    assert_int_equal(f.out.n_bins, 4);
    assert_true(same(f.rc[3], 4.0) && same(f.cc[0], 1.0) && same(f.cc[2], 1.0));

    /* errors carry the side and the index */
    double bad[] = {1.0, 2.0, INFINITY};
    dv_drift_numeric_in in5 = {ref, NULL, 1, bad, NULL, 3, NULL, 0, 4, true};
    assert_int_equal(run_numeric(&f, &in5, &err), DV_NOT_FINITE);
    assert_int_equal(err.at.arg, DV_ARG_Q);
    assert_int_equal(err.at.idx[0], 2);
    dv_drift_numeric_in in6 = {ref, NULL, 1, cur, NULL, 0, NULL, 0, 4, true};
    assert_int_equal(run_numeric(&f, &in6, &err), DV_EMPTY);
    assert_int_equal(err.at.arg, DV_ARG_Q);
    double badedges[] = {1.0, 0.0};
    dv_drift_numeric_in in7 = {ref, NULL, 1, cur, NULL, 2, badedges, 2, 0, true};
    assert_int_equal(run_numeric(&f, &in7, &err), DV_BAD_PARAMETER);
    assert_string_equal(err.at.member, "bins");
    assert_int_equal(err.at.idx[0], 1);
    dv_drift_numeric_in in8 = {ref, NULL, 1, cur, NULL, 2, NULL, 0, 0, true};
    assert_int_equal(run_numeric(&f, &in8, &err), DV_BAD_PARAMETER);
}

static void test_constant_reference(void **state)
{
    (void)state;
    double ref[] = {0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1}, cur[] = {0.1, 0.3};
    dv_drift_numeric_in in = {ref, NULL, 7, cur, NULL, 2, NULL, 0, 10, true};
    feature f;
    dv_error err;
    assert_int_equal(run_numeric(&f, &in, &err), DV_OK);
    assert_true(same(f.out.ref_std, 0.0));
    assert_false(f.out.has_normed);
    assert_rel(f.out.wasserstein, 0.1, 1e-15); /* half the mass moves 0.2 */
    assert_int_equal(f.out.n_edges, 1);
    assert_true(same(f.rc[0], 0.0) && same(f.rc[1], 7.0));
}

/* ---- sample statistics --------------------------------------------------------------------- */

static void test_wasserstein_and_std(void **state)
{
    (void)state;
    double a[] = {0.0}, b[] = {1.0};
    assert_true(same(dv_wasserstein_sorted(a, 1, b, 1), 1.0));
    double c[] = {0.0, 1.0, 3.0};
    assert_true(same(dv_wasserstein_sorted(c, 3, c, 3), 0.0));
    /* scipy.stats.wasserstein_distance([0,1,3], [5,6,8]) = 5; and [0,1] vs [0] = 0.5 */
    double d[] = {5.0, 6.0, 8.0};
    assert_true(same(dv_wasserstein_sorted(c, 3, d, 3), 5.0));
    assert_true(same(dv_wasserstein_sorted(c, 2, a, 1), 0.5));
    /* a large offset does not disturb σ (compensated two-pass) */
    double x[] = {1e9 + 1.0, 1e9 + 2.0, 1e9 + 3.0, 1e9 + 4.0};
    assert_rel(dv_std_pop(x, 4), sqrt(1.25), 1e-15);
    double one[] = {-4.0};
    assert_true(same(dv_std_pop(one, 1), 0.0));
}

/* Brute force: F_a − F_b at every merged value, W1 as Σ |F_a − F_b| Δx. */
static void brute(const double *a, size_t na, const double *b, size_t nb, double *d,
                  double *w1)
{
    size_t n = na + nb;
    double *all = malloc(n * sizeof *all);
    assert_non_null(all);
    memcpy(all, a, na * sizeof *a);
    memcpy(all + na, b, nb * sizeof *b);
    qsort(all, n, sizeof *all, cmp_double);
    *d = 0.0;
    *w1 = 0.0;
    for (size_t k = 0; k < n; k++) {
        size_t i = 0, j = 0;
        while (i < na && !(a[i] > all[k]))
            i++;
        while (j < nb && !(b[j] > all[k]))
            j++;
        double f = (double)i / (double)na - (double)j / (double)nb;
        *d = fmax(*d, fabs(f));
        if (k + 1 < n)
            *w1 += fabs(f) * (all[k + 1] - all[k]);
    }
    free(all);
}

static void test_merge_against_brute_force(void **state)
{
    (void)state;
    for (int rep = 0; rep < 300; rep++) {
        size_t na = 1 + next_u64() % 40, nb = 1 + next_u64() % 40;
        unsigned levels = 1 + (unsigned)(next_u64() % 6); /* few levels: many ties */
        double a[40], b[40], sa[40], sb[40];
        for (size_t i = 0; i < na; i++)
            a[i] = (double)(next_u64() % levels) + (rep % 2 ? normal() : 0.0);
        for (size_t i = 0; i < nb; i++)
            b[i] = (double)(next_u64() % levels) + (rep % 3 ? 0.0 : normal());
        dv_sort_doubles(a, sa, na);
        dv_sort_doubles(b, sb, nb);
        double d, w;
        brute(a, na, b, nb, &d, &w);
        dv_ks ks;
        double w1;
        dv_error err;
        assert_int_equal(dv_two_sample(a, na, b, nb, &w1, &ks, &err), DV_OK);
        assert_true(fabs(ks.statistic - d) <= 1e-15);
        assert_true(fabs(w1 - w) <= 1e-13 * (1.0 + w));
        assert_true(same(dv_wasserstein_sorted(a, na, b, nb), w1));
        dv_ks ks2;
        assert_int_equal(dv_ks_2samp(b, nb, a, na, &ks2, &err), DV_OK); /* symmetric */
        assert_true(same(ks2.statistic, ks.statistic));
        assert_rel(ks2.p_value, ks.p_value, 1e-14);
    }
}

static void test_ks_known(void **state)
{
    (void)state;
    dv_ks ks;
    dv_error err;
    double a[] = {1.0, 2.0, 3.0, 4.0, 5.0}, b[] = {6.0, 7.0, 8.0, 9.0, 10.0};
    /* disjoint, n = m = 5: D = 1, p = 2/C(10,5) = 2/252 */
    assert_int_equal(dv_ks_2samp(a, 5, b, 5, &ks, &err), DV_OK);
    assert_true(ks.exact);
    assert_true(same(ks.statistic, 1.0));
    assert_rel(ks.p_value, 2.0 / 252.0, 1e-15);
    /* disjoint, n = 5, m = 3: p = 2/C(8,3) = 2/56 */
    assert_int_equal(dv_ks_2samp(a, 5, b, 3, &ks, &err), DV_OK);
    assert_rel(ks.p_value, 2.0 / 56.0, 1e-14);
    /* identical samples: D = 0, p = 1 */
    assert_int_equal(dv_ks_2samp(a, 5, a, 5, &ks, &err), DV_OK);
    assert_true(same(ks.statistic, 0.0));
    assert_true(same(ks.p_value, 1.0));
    /* n = 1 against n = 1 */
    assert_int_equal(dv_ks_2samp(a, 1, b, 1, &ks, &err), DV_OK);
    assert_true(same(ks.statistic, 1.0));
    assert_true(same(ks.p_value, 1.0));
    /* the Kolmogorov distribution's closed forms */
    assert_true(same(dv_kolmogorov_sf(10, 0.0), 1.0));
    assert_true(same(dv_kolmogorov_sf(10, 1.0), 0.0));
    assert_true(same(dv_kolmogorov_sf(10, 0.04), 1.0)); /* n·d ≤ ½ */
    assert_rel(dv_kolmogorov_sf(10, 0.95), 2.0 * pow(0.05, 10), 1e-13);
    assert_true(isnan(dv_kolmogorov_sf(0, 0.5)));
}

static void test_chi2(void **state)
{
    (void)state;
    dv_chi2_test t;
    dv_error err;
    /* [[10, 20], [20, 10]]: e = 15 everywhere, χ² = 4·25/15 = 20/3, dof 1,
     * p = erfc(√(χ²/2)) */
    double r[] = {10.0, 20.0, 0.0}, c[] = {20.0, 10.0, 0.0};
    assert_int_equal(dv_chi2_homogeneity(r, c, 3, &t, &err), DV_OK);
    assert_int_equal(t.columns, 2); /* the empty column is dropped */
    assert_int_equal(t.dof, 1);
    assert_rel(t.statistic, 20.0 / 3.0, 1e-15);
    assert_rel(t.p_value, erfc(sqrt(10.0 / 3.0)), 1e-14);
    /* proportional rows: exactly 0, p = 1 */
    double r2[] = {1.0, 2.0, 7.0}, c2[] = {2.0, 4.0, 14.0};
    assert_int_equal(dv_chi2_homogeneity(r2, c2, 3, &t, &err), DV_OK);
    assert_true(same(t.statistic, 0.0));
    assert_true(same(t.p_value, 1.0));
    /* one column: dof 0, statistic 0, p 1 (scipy's convention) */
    assert_int_equal(dv_chi2_homogeneity(r, c, 1, &t, &err), DV_OK);
    assert_int_equal(t.dof, 0);
    assert_true(same(t.p_value, 1.0));
    /* errors */
    double neg[] = {1.0, -1.0};
    assert_int_equal(dv_chi2_homogeneity(r, neg, 2, &t, &err), DV_NEGATIVE);
    assert_int_equal(err.at.arg, DV_ARG_Q);
    assert_int_equal(err.at.idx[0], 1);
    double nan[] = {NAN, 1.0};
    assert_int_equal(dv_chi2_homogeneity(nan, c, 2, &t, &err), DV_NOT_FINITE);
    assert_int_equal(err.at.arg, DV_ARG_P);
    assert_int_equal(err.at.idx[0], 0);
    double zero[] = {0.0, 0.0};
    assert_int_equal(dv_chi2_homogeneity(zero, c, 2, &t, &err), DV_ZERO_TOTAL);
    assert_int_equal(err.at.arg, DV_ARG_P);
    assert_int_equal(dv_chi2_homogeneity(r, c, 0, &t, &err), DV_EMPTY);
}

static void test_gamma_closed_forms(void **state)
{
    (void)state;
    static const double xs[] = {1e-8, 0.1, 0.5, 1.0, 1.5, 2.0, 7.0, 30.0, 200.0};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        double x = xs[i];
        assert_rel(dv_gamma_q(1.0, x), exp(-x), 1e-14);
        assert_rel(dv_gamma_p(1.0, x), -expm1(-x), 1e-14);
        assert_rel(dv_gamma_q(0.5, x), erfc(sqrt(x)), 1e-13);
        assert_rel(dv_gamma_q(2.0, x), (1.0 + x) * exp(-x), 1e-14);
    }
    assert_true(same(dv_gamma_q(3.0, 0.0), 1.0));
    assert_true(same(dv_gamma_p(3.0, 0.0), 0.0));
    assert_true(same(dv_gamma_q(3.0, INFINITY), 0.0));
    assert_true(isnan(dv_gamma_q(0.0, 1.0)));
    assert_true(isnan(dv_gamma_q(1.0, -1.0)));
    assert_true(isnan(dv_gamma_p(NAN, 1.0)));
}

/* ---- categorical ----------------------------------------------------------------------------- */

static dv_key str_key(const char *s)
{
    dv_key k = {DV_KEY_STRING, 0.0, s, strlen(s), false};
    return k;
}

static void test_categorical(void **state)
{
    (void)state;
    dv_key ref[] = {str_key("FR"), str_key("DE"), str_key("FR"), str_key("x"),
                    str_key("IT")};
    bool rnull[] = {false, false, false, true, false};
    dv_key cur[] = {str_key("DE"), str_key("ES"), str_key("IT"), str_key("PL"),
                    str_key("DE")};
    dv_drift_cat c;
    dv_error err;
    assert_int_equal(dv_drift_categorical(ref, rnull, 5, cur, NULL, 5, &c, &err), DV_OK);
    assert_int_equal(c.n_categories, 3);
    assert_int_equal(c.n_bins, 5); /* FR DE IT unseen missing */
    assert_true(c.has_missing);
    assert_int_equal(c.unseen_index, 3);
    const dv_key *k0 = dv_support_key(c.categories, 0);
    assert_true(k0->len == 2 && memcmp(k0->str, "FR", 2) == 0); /* first appearance */
    double wr[] = {2, 1, 1, 0, 1}, wc[] = {0, 2, 1, 2, 0};
    for (int i = 0; i < 5; i++) {
        assert_true(same(c.ref_counts[i], wr[i]));
        assert_true(same(c.cur_counts[i], wc[i]));
    }
    /* χ² on these bins: the columns are all used (none empty on both sides) */
    dv_chi2_test t;
    assert_int_equal(dv_chi2_homogeneity(c.ref_counts, c.cur_counts, c.n_bins, &t, &err),
                     DV_OK);
    assert_int_equal(t.dof, 4);
    dv_drift_cat_free(&c);
    assert_null(c.categories);
    dv_drift_cat_free(&c); /* a zeroed struct is fine */

    /* booleans, no nulls: no missing bin, an empty unseen bin */
    dv_key b[] = {{DV_KEY_BOOL, 0, NULL, 0, true}, {DV_KEY_BOOL, 0, NULL, 0, false}};
    assert_int_equal(dv_drift_categorical(b, NULL, 2, b, NULL, 1, &c, &err), DV_OK);
    assert_int_equal(c.n_bins, 3);
    assert_false(c.has_missing);
    assert_true(same(c.cur_counts[2], 0.0));
    assert_int_equal(dv_chi2_homogeneity(c.ref_counts, c.cur_counts, c.n_bins, &t, &err),
                     DV_OK);
    assert_int_equal(t.columns, 2); /* the unseen column, empty on both sides, dropped */
    dv_drift_cat_free(&c);

    /* empty samples */
    assert_int_equal(dv_drift_categorical(b, NULL, 0, b, NULL, 1, &c, &err), DV_EMPTY);
    assert_int_equal(err.at.arg, DV_ARG_P);
    assert_int_equal(dv_drift_categorical(b, NULL, 2, b, NULL, 0, &c, &err), DV_EMPTY);
    assert_int_equal(err.at.arg, DV_ARG_Q);
    assert_null(c.categories);

    /* many categories (growth of the count array) */
    enum { NC = 1000 };
    static char names[NC][16];
    static dv_key many[NC];
    for (int i = 0; i < NC; i++) {
        snprintf(names[i], sizeof names[i], "c%d", i);
        many[i] = str_key(names[i]);
    }
    assert_int_equal(dv_drift_categorical(many, NULL, NC, many, NULL, NC / 2, &c, &err),
                     DV_OK);
    assert_int_equal(c.n_categories, NC);
    for (int i = 0; i < NC; i++)
        assert_true(same(c.ref_counts[i], 1.0) && same(c.cur_counts[i], i < NC / 2 ? 1 : 0));
    dv_drift_cat_free(&c);
}

/* ---- timing (printed, not asserted: the machine is shared) ----------------------------------- */

/* CPU time of this thread: the machine is shared, and wall time mostly measures the
 * neighbours. */
static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void test_timing_1e5(void **state)
{
    (void)state;
    enum { N = 100000 };
    double *ref = malloc(N * sizeof *ref), *cur = malloc(N * sizeof *cur);
    double *work = malloc(dv_drift_numeric_work(N, N) * sizeof(double));
    assert_non_null(ref);
    assert_non_null(cur);
    assert_non_null(work);
    for (int i = 0; i < N; i++) {
        ref[i] = normal();
        cur[i] = normal() + 0.02; /* drifted: the Smirnov-sum regime of the p-value */
    }
    double edges[9], rc[11], cc[11];
    dv_drift_numeric_in in = {ref, NULL, N, cur, NULL, N, NULL, 0, 10, true};
    dv_drift_numeric_out out = {.edges = edges, .ref_counts = rc, .cur_counts = cc};
    dv_error err;
    double best = 1e9;
    for (int rep = 0; rep < 5; rep++) {
        double t0 = now_ms();
        assert_int_equal(dv_drift_numeric(&in, work, &out, &err), DV_OK);
        double t = now_ms() - t0;
        best = t < best ? t : best;
    }
    /* the sort alone, and qsort for comparison */
    double bs = 1e9, bq = 1e9;
    for (int rep = 0; rep < 5; rep++) {
        memcpy(work, ref, N * sizeof *ref);
        double t0 = now_ms();
        dv_sort_doubles(work, work + N, N);
        double t1 = now_ms();
        memcpy(work, ref, N * sizeof *ref);
        double t2 = now_ms();
        qsort(work, N, sizeof *work, cmp_double);
        double t3 = now_ms();
        bs = t1 - t0 < bs ? t1 - t0 : bs;
        bq = t3 - t2 < bq ? t3 - t2 : bq;
    }
    printf("one numeric feature, 10^5 rows per side, every figure: %.2f ms CPU (best of 5); "
           "D = %.4g, p = %.3g\n",
           best, out.ks.statistic, out.ks.p_value);
    printf("sorting 10^5 doubles: radix %.2f ms, qsort %.2f ms (CPU)\n", bs, bq);
    free(ref);
    free(cur);
    free(work);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sort_matches_qsort),
        cmocka_unit_test(test_sort_validation),
        cmocka_unit_test(test_quantile_edges),
        cmocka_unit_test(test_check_edges),
        cmocka_unit_test(test_count_edge_goes_right),
        cmocka_unit_test(test_psi_decile_example),
        cmocka_unit_test(test_numeric_nulls_and_missing),
        cmocka_unit_test(test_constant_reference),
        cmocka_unit_test(test_wasserstein_and_std),
        cmocka_unit_test(test_merge_against_brute_force),
        cmocka_unit_test(test_ks_known),
        cmocka_unit_test(test_chi2),
        cmocka_unit_test(test_gamma_closed_forms),
        cmocka_unit_test(test_categorical),
        cmocka_unit_test(test_timing_1e5),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
