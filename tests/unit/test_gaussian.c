/*
 * test_gaussian.c — Gaussian KL: known values (expected numbers computed with mpmath at 50
 * digits, see the comment by each), the VAE form, batches with a broadcast q, full
 * covariances, mixed kinds, and every error with its location.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <math.h>

#include "check.h"
#include "divergence.h"


static double kl_ok(const dv_gauss *p, const dv_gauss *q)
{
    dv_error err;
    double v = -1.0;
    dv_status st = dv_gaussian_kl(p, q, &v, &err);
    if (st != DV_OK)
        fail_msg("unexpected %s: %s", dv_status_name(st), err.msg);
    return v;
}

/* mpmath: log(2) + (1 + 1)/8 − 1/2 */
static void test_univariate_known(void **state)
{
    (void)state;
    double m1 = 0.0, s1 = 1.0, m2 = 1.0, s2 = 2.0, v2 = 4.0, lv2 = log(4.0);
    dv_gauss p = {0, 1, &m1, DV_SCALE_STD, &s1};
    dv_gauss q = {0, 1, &m2, DV_SCALE_STD, &s2};
    assert_rel(kl_ok(&p, &q), 0.4431471805599453094, 1e-15);
    q.kind = DV_SCALE_VAR;
    q.scale = &v2;
    assert_rel(kl_ok(&p, &q), 0.4431471805599453094, 1e-15);
    /* log(4.0) is not exactly ln 4, so allow the input's own rounding. */
    q.kind = DV_SCALE_LOGVAR;
    q.scale = &lv2;
    assert_rel(kl_ok(&p, &q), 0.4431471805599453094, 1e-15);
    /* D(P‖P) is exactly 0. */
    assert_int_equal(fpclassify(kl_ok(&p, &p)), FP_ZERO);
}

/* σ1 = 1, σ2 = 1 + 2^-30, μ2 = 2^-31: the textbook formula returns noise here.
 * mpmath: 9.757819536886829892677655e-19 */
static void test_univariate_near_equal(void **state)
{
    (void)state;
    double m1 = 0.0, s1 = 1.0, m2 = ldexp(1.0, -31), s2 = 1.0 + ldexp(1.0, -30);
    dv_gauss p = {0, 1, &m1, DV_SCALE_STD, &s1};
    dv_gauss q = {0, 1, &m2, DV_SCALE_STD, &s2};
    assert_rel(kl_ok(&p, &q), 9.757819536886829892677655e-19, 1e-13);
}

/* VAE: Σ −log σ + (σ² + μ²)/2 − ½ over μ = [0.5, −1], σ = [0.8, 1.5].
 * mpmath: 0.8876784432060453538042675 */
static void test_vae_form(void **state)
{
    (void)state;
    double mu[2] = {0.5, -1.0}, sd[2] = {0.8, 1.5}, var[2] = {0.8 * 0.8, 1.5 * 1.5};
    dv_gauss p = {0, 2, mu, DV_SCALE_STD, sd};
    assert_rel(kl_ok(&p, NULL), 0.8876784432060453538042675, 1e-15);
    /* The same via variances differs only by the rounding of σ² (≤ 1e-15 here). */
    p.kind = DV_SCALE_VAR;
    p.scale = var;
    assert_rel(kl_ok(&p, NULL), 0.8876784432060453538042675, 1e-14);
    /* log_var [0.3, −0.2], μ [1, 2] — mpmath: 2.53429478032699248039098 */
    double mu2[2] = {1.0, 2.0}, lv[2] = {0.3, -0.2};
    dv_gauss g = {0, 2, mu2, DV_SCALE_LOGVAR, lv};
    assert_rel(kl_ok(&g, NULL), 2.53429478032699248039098, 1e-15);
    /* An explicit N(0, I) agrees with q == NULL. */
    double zero[2] = {0.0, 0.0}, one[2] = {1.0, 1.0};
    dv_gauss std_normal = {0, 2, zero, DV_SCALE_STD, one};
    assert_rel(kl_ok(&g, &std_normal), 2.53429478032699248039098, 1e-15);
}

/* p std [1.5, 0.7], μ [0.1, 0.2] against q var [2, 0.5], μ 0.
 * mpmath: 0.04620983583056800292189976 */
static void test_mixed_kinds(void **state)
{
    (void)state;
    double m1[2] = {0.1, 0.2}, s1[2] = {1.5, 0.7}, m2[2] = {0.0, 0.0}, v2[2] = {2.0, 0.5};
    dv_gauss p = {0, 2, m1, DV_SCALE_STD, s1};
    dv_gauss q = {0, 2, m2, DV_SCALE_VAR, v2};
    assert_rel(kl_ok(&p, &q), 0.04620983583056800292189976, 1e-15);
    /* The same q as a full covariance diag(2, 0.5). */
    double cov[4] = {2.0, 0.0, 0.0, 0.5};
    dv_gauss qc = {0, 2, m2, DV_SCALE_COV, cov};
    assert_rel(kl_ok(&p, &qc), 0.04620983583056800292189976, 1e-13);
}

/* p: μ [1, 0], Σ [[2, .5], [.5, 1]]; q: μ [0, 1], Σ [[1, .2], [.2, 3]].
 * mpmath: 1.154678632092165055011986; against N(0, I): 0.7201921060322886568645557 */
static void test_full_covariance(void **state)
{
    (void)state;
    double m1[2] = {1.0, 0.0}, c1[4] = {2.0, 0.5, 0.5, 1.0};
    double m2[2] = {0.0, 1.0}, c2[4] = {1.0, 0.2, 0.2, 3.0};
    dv_gauss p = {0, 2, m1, DV_SCALE_COV, c1};
    dv_gauss q = {0, 2, m2, DV_SCALE_COV, c2};
    assert_rel(kl_ok(&p, &q), 1.154678632092165055011986, 1e-13);
    assert_rel(kl_ok(&p, NULL), 0.7201921060322886568645557, 1e-13);
    assert_true(kl_ok(&p, &p) < 1e-30);
}

/* A diagonal matrix as COV gives the diagonal result. */
static void test_full_matches_diagonal(void **state)
{
    (void)state;
    double m1[3] = {0.3, -1.0, 2.0}, v1[3] = {2.0, 3.0, 0.5};
    double m2[3] = {0.0, 0.5, 1.0}, v2[3] = {1.0, 0.25, 4.0};
    double c1[9] = {2.0, 0, 0, 0, 3.0, 0, 0, 0, 0.5}, c2[9] = {1.0, 0, 0, 0, 0.25, 0, 0, 0, 4.0};
    dv_gauss pd = {0, 3, m1, DV_SCALE_VAR, v1}, qd = {0, 3, m2, DV_SCALE_VAR, v2};
    dv_gauss pc = {0, 3, m1, DV_SCALE_COV, c1}, qc = {0, 3, m2, DV_SCALE_COV, c2};
    double want = kl_ok(&pd, &qd);
    assert_rel(kl_ok(&pc, &qc), want, 1e-14);
    assert_rel(kl_ok(&pd, &qc), want, 1e-14);
    assert_rel(kl_ok(&pc, &qd), want, 1e-14);
}

/* Rows against a broadcast q: μ [0, 1], σ [1, 2]. mpmath rows:
 * 0.4431471805599453094172321, 2.724397180559945309417232, 0.4695348918918356180219869 */
static void test_batch_broadcast(void **state)
{
    (void)state;
    double pm[6] = {0, 0, 1, -1, 0.5, 2}, ps[6] = {1, 1, 2, 0.5, 1, 3};
    double qm[2] = {0, 1}, qs[2] = {1, 2};
    dv_gauss p = {3, 2, pm, DV_SCALE_STD, ps};
    dv_gauss q = {0, 2, qm, DV_SCALE_STD, qs};
    double kl[3], sum, mean;
    dv_error err;
    assert_int_equal(dv_gaussian_kl_rows(&p, &q, kl, &sum, &mean, &err), DV_OK);
    assert_rel(kl[0], 0.4431471805599453094172321, 1e-15);
    assert_rel(kl[1], 2.724397180559945309417232, 1e-15);
    assert_rel(kl[2], 0.4695348918918356180219869, 1e-15);
    assert_rel(sum, 3.637079253011726236856451, 1e-15);
    assert_rel(mean, 1.212359751003908745618817, 1e-15);

    /* The same rows against a q with three identical rows. */
    double qm3[6] = {0, 1, 0, 1, 0, 1}, qs3[6] = {1, 2, 1, 2, 1, 2}, kl3[3];
    dv_gauss q3 = {3, 2, qm3, DV_SCALE_STD, qs3};
    assert_int_equal(dv_gaussian_kl_rows(&p, &q3, kl3, &sum, &mean, &err), DV_OK);
    for (int i = 0; i < 3; i++)
        assert_rel(kl3[i], kl[i], 1e-16);

    /* Against N(0, I) each row is the VAE form. */
    assert_int_equal(dv_gaussian_kl_rows(&p, NULL, kl, &sum, &mean, &err), DV_OK);
    assert_int_equal(fpclassify(kl[0]), FP_ZERO);
    dv_gauss row1 = {0, 2, pm + 2, DV_SCALE_STD, ps + 2};
    assert_rel(kl[1], kl_ok(&row1, NULL), 1e-16);

    /* Rows differ. */
    dv_gauss q2 = {2, 2, qm3, DV_SCALE_STD, qs3};
    assert_int_equal(dv_gaussian_kl_rows(&p, &q2, kl, &sum, &mean, &err), DV_SHAPE_MISMATCH);
    assert_int_equal(err.at.arg, DV_ARG_Q);
    assert_non_null(strstr(err.msg, "p has 3 rows but q has 2 rows"));
}

/* ---- errors ------------------------------------------------------------------------------ */

static void test_check_errors(void **state)
{
    (void)state;
    dv_error err;
    double m[3] = {0, 0, 0}, s[3] = {1, 2, -1};
    dv_gauss g = {0, 3, m, DV_SCALE_STD, s};
    assert_int_equal(dv_check_gauss(&g, DV_ARG_P, &err), DV_NOT_POSITIVE);
    assert_loc(&err, DV_ARG_P, "std", 2, DV_NO_INDEX);
    assert_string_equal(err.msg, "p.std[2] is -1; a standard deviation must be > 0");

    s[2] = 1.0;
    m[1] = NAN;
    assert_int_equal(dv_check_gauss(&g, DV_ARG_Q, &err), DV_NOT_FINITE);
    assert_loc(&err, DV_ARG_Q, "mean", 1, DV_NO_INDEX);
    assert_non_null(strstr(err.msg, "q.mean[1]"));

    m[1] = 0.0;
    double v[3] = {1, 0, 1};
    g.kind = DV_SCALE_VAR;
    g.scale = v;
    assert_int_equal(dv_check_gauss(&g, DV_ARG_Q, &err), DV_NOT_POSITIVE);
    assert_loc(&err, DV_ARG_Q, "var", 1, DV_NO_INDEX);
    assert_non_null(strstr(err.msg, "a variance must be > 0"));

    double lv[3] = {-50, INFINITY, 3};
    g.kind = DV_SCALE_LOGVAR;
    g.scale = lv;
    assert_int_equal(dv_check_gauss(&g, DV_ARG_P, &err), DV_NOT_FINITE);
    assert_loc(&err, DV_ARG_P, "log_var", 1, DV_NO_INDEX);

    lv[1] = -1e300; /* any finite log-variance is valid */
    assert_int_equal(dv_check_gauss(&g, DV_ARG_P, &err), DV_OK);

    /* Batch: the message and the location name row and column. */
    double bm[4] = {0, 0, 0, 0}, bs[4] = {1, 1, 1, 0};
    dv_gauss b = {2, 2, bm, DV_SCALE_STD, bs};
    assert_int_equal(dv_check_gauss(&b, DV_ARG_P, &err), DV_NOT_POSITIVE);
    assert_loc(&err, DV_ARG_P, "std", 1, 1);
    assert_non_null(strstr(err.msg, "p.std[1][1] is 0"));

    /* Univariate names the scalar. */
    double um = 0.0, us = -2.0;
    dv_gauss u = {0, 1, &um, DV_SCALE_STD, &us};
    assert_int_equal(dv_check_gauss(&u, DV_ARG_Q, &err), DV_NOT_POSITIVE);
    assert_string_equal(err.msg, "q.std is -2; a standard deviation must be > 0");

    /* Zero dimensions. */
    dv_gauss e = {0, 0, m, DV_SCALE_STD, s};
    assert_int_equal(dv_check_gauss(&e, DV_ARG_P, &err), DV_EMPTY);
}

static void test_not_symmetric(void **state)
{
    (void)state;
    dv_error err;
    double m[3] = {0, 0, 0};
    double c[9] = {2, 0.1, 0, 0.1, 2, 0.3, 0, 0.3000001, 2};
    dv_gauss g = {0, 3, m, DV_SCALE_COV, c};
    assert_int_equal(dv_check_gauss(&g, DV_ARG_Q, &err), DV_NOT_SYMMETRIC);
    assert_loc(&err, DV_ARG_Q, "cov", 2, 1); /* [2][1], below the diagonal */
    assert_non_null(strstr(err.msg, "q.cov is not symmetric"));
    /* Within 1e-12 relative passes. */
    c[7] = 0.3 * (1 + 1e-14);
    assert_int_equal(dv_check_gauss(&g, DV_ARG_Q, &err), DV_OK);
    /* The KL reports the same location as the check. */
    c[7] = 0.31;
    double s[3] = {1, 1, 1}, v;
    dv_gauss p = {0, 3, m, DV_SCALE_STD, s};
    assert_int_equal(dv_gaussian_kl(&p, &g, &v, &err), DV_NOT_SYMMETRIC);
    assert_loc(&err, DV_ARG_Q, "cov", 2, 1);
}

static void test_not_positive_definite(void **state)
{
    (void)state;
    dv_error err;
    double m[3] = {0, 0, 0}, s[3] = {1, 1, 1}, v;
    /* Symmetric, positive diagonal, but an eigenvalue is negative: fails at pivot 1. */
    double c[9] = {1, 2, 0, 2, 1, 0, 0, 0, 1};
    dv_gauss p = {0, 3, m, DV_SCALE_STD, s};
    dv_gauss q = {0, 3, m, DV_SCALE_COV, c};
    assert_int_equal(dv_check_gauss(&q, DV_ARG_Q, &err), DV_OK);
    assert_int_equal(dv_gaussian_kl(&p, &q, &v, &err), DV_NOT_POSITIVE_DEFINITE);
    assert_int_equal(err.at.arg, DV_ARG_Q);
    assert_non_null(strstr(err.msg, "q.cov is not positive definite (Cholesky fails at pivot 1"));
    assert_int_equal(dv_gaussian_kl(&q, &p, &v, &err), DV_NOT_POSITIVE_DEFINITE);
    assert_int_equal(err.at.arg, DV_ARG_P);
    assert_non_null(strstr(err.msg, "p.cov is not positive definite"));
}

static void test_shape_errors(void **state)
{
    (void)state;
    dv_error err;
    double m[3] = {0, 0, 0}, s[3] = {1, 1, 1}, v, kl[3], sum, mean;
    dv_gauss p = {0, 3, m, DV_SCALE_STD, s}, q = {0, 2, m, DV_SCALE_STD, s};
    assert_int_equal(dv_gaussian_kl(&p, &q, &v, &err), DV_SHAPE_MISMATCH);
    assert_int_equal(err.at.arg, DV_ARG_Q);
    assert_string_equal(err.msg, "p has dimension 3 but q has dimension 2; they must be equal");

    /* A batch through the single form, a single through the batch form. */
    dv_gauss rows = {1, 3, m, DV_SCALE_STD, s};
    assert_int_equal(dv_gaussian_kl(&rows, NULL, &v, &err), DV_SHAPE_MISMATCH);
    assert_int_equal(dv_gaussian_kl_rows(&p, NULL, kl, &sum, &mean, &err), DV_SHAPE_MISMATCH);
    /* Batch dims differ; a COV batch is refused. */
    dv_gauss rows2 = {1, 2, m, DV_SCALE_STD, s};
    assert_int_equal(dv_gaussian_kl_rows(&rows, &rows2, kl, &sum, &mean, &err),
                     DV_SHAPE_MISMATCH);
    double c[4] = {1, 0, 0, 1};
    dv_gauss covrows = {1, 2, m, DV_SCALE_COV, c};
    assert_int_equal(dv_check_gauss(&covrows, DV_ARG_P, &err), DV_SHAPE_MISMATCH);
    /* Element errors inside the KL carry which Gaussian. */
    s[1] = -1.0;
    assert_int_equal(dv_gaussian_kl_rows(&rows2, NULL, kl, &sum, &mean, &err), DV_NOT_POSITIVE);
    assert_int_equal(err.at.arg, DV_ARG_P);
    assert_non_null(strstr(err.msg, "p.std[0][1] is -1"));
}

/* Extreme but finite inputs: no NaN, no spurious overflow. */
static void test_extremes(void **state)
{
    (void)state;
    double m1 = 1e300, s1 = 1e-300, m2 = -1e300, s2 = 1e300, v;
    dv_gauss p = {0, 1, &m1, DV_SCALE_STD, &s1}, q = {0, 1, &m2, DV_SCALE_STD, &s2};
    dv_error err;
    /* (2e300/1e300)²/2 = 2, plus ½ψ(1e-1200) = ½(−1 + 1200 ln 10). */
    assert_int_equal(dv_gaussian_kl(&p, &q, &v, &err), DV_OK);
    assert_rel(v, 2.0 + 0.5 * (-1.0 + 1200.0 * log(10.0)), 1e-14);
    /* σ1 ≫ σ2: the KL really overflows, and says so. */
    s1 = 1e300;
    s2 = 1e-300;
    assert_int_equal(dv_gaussian_kl(&p, &q, &v, &err), DV_NOT_FINITE);
    assert_non_null(strstr(err.msg, "exceeds the largest double"));
    /* Huge log-variances on both sides, nearly equal. */
    double lv1 = 700.0, lv2 = 700.0 + 1e-9, mm = 0.0;
    dv_gauss a = {0, 1, &mm, DV_SCALE_LOGVAR, &lv1}, b = {0, 1, &mm, DV_SCALE_LOGVAR, &lv2};
    double dl = lv2 - lv1; /* the exact gap between the two doubles */
    /* ½ψ(e^−dl) = ½(dl²/2 − dl³/6 + …); the next term is ~1e-37 of this. */
    assert_rel(kl_ok(&a, &b), 0.5 * (dl * dl / 2.0 - dl * dl * dl / 6.0), 1e-14);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_univariate_known),
        cmocka_unit_test(test_univariate_near_equal),
        cmocka_unit_test(test_vae_form),
        cmocka_unit_test(test_mixed_kinds),
        cmocka_unit_test(test_full_covariance),
        cmocka_unit_test(test_full_matches_diagonal),
        cmocka_unit_test(test_batch_broadcast),
        cmocka_unit_test(test_check_errors),
        cmocka_unit_test(test_not_symmetric),
        cmocka_unit_test(test_not_positive_definite),
        cmocka_unit_test(test_shape_errors),
        cmocka_unit_test(test_extremes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
