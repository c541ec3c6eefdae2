/*
 * test_fam_disc.c — the discrete and multivariate families (fam_disc.h): every
 * validation error with its status, structured location and sentence; +inf with a reason
 * where supports do not nest; D(P‖P) = 0 exactly; the bit-identity promises (covariance
 * ‖ covariance = dv_gaussian_kl, categorical = dv_kl); the limits (binomial sums too long,
 * the Poisson asymptotic regime joining the summed one). Accuracy against references is
 * test_reference_fam_disc.c's job. Rows are built with fam = NULL (allowed, fam_disc.h).
 */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"
#include "fam_disc.h"

/* A row with no parameters given. */
static dv_fdist row(void)
{
    dv_fdist x;
    memset(&x, 0, sizeof x);
    for (int i = 0; i < DV_FAM_MAX_PARAMS; i++) {
        x.s[i] = NAN;
        x.v[i] = NULL;
    }
    return x;
}

static dv_fdist s1(int slot, double v)
{
    dv_fdist x = row();
    x.s[slot] = v;
    return x;
}

static dv_fdist binom(double n, int slot, double v)
{
    dv_fdist x = row();
    x.s[0] = n;
    x.s[slot] = v;
    return x;
}

/* Expects a failing check with this status, arg, member, indices and message part. */
static void expect_err(dv_status st, const dv_error *err, dv_status want, int arg,
                       const char *member, size_t i0, size_t i1, const char *needle)
{
    if (st != want)
        fail_msg("status %s (%s), want %s", dv_status_name(st), err->msg,
                 dv_status_name(want));
    assert_int_equal(err->at.arg, arg);
    if (member)
        assert_string_equal(err->at.member, member);
    else
        assert_null(err->at.member);
    assert_true(err->at.idx[0] == i0);
    assert_true(err->at.idx[1] == i1);
    if (!strstr(err->msg, needle))
        fail_msg("message \"%s\" lacks \"%s\"", err->msg, needle);
}

#define NI DV_NO_INDEX

static double kl_ok(dv_fam_kl_fn fn, const dv_fdist *p, const dv_fdist *q)
{
    dv_fresult out = {NAN, "unset"};
    dv_error err;
    dv_status st = fn(p, q, &out, &err);
    if (st != DV_OK)
        fail_msg("unexpected %s: %s", dv_status_name(st), err.msg);
    if (isinf(out.nats))
        assert_non_null(out.reason);
    else
        assert_null(out.reason);
    return out.nats;
}

static double h_ok(dv_fam_entropy_fn fn, const dv_fdist *p)
{
    dv_fresult out = {NAN, "unset"};
    dv_error err;
    dv_status st = fn(p, &out, &err);
    if (st != DV_OK)
        fail_msg("unexpected %s: %s", dv_status_name(st), err.msg);
    assert_null(out.reason);
    return out.nats;
}

/* ---- scalar checks ----------------------------------------------------------------------- */

static void test_scalar_checks(void **state)
{
    (void)state;
    dv_error err;
    dv_fdist x = s1(0, 1.5);
    expect_err(dv_fam_bernoulli_check(&x, DV_ARG_Q, &err), &err, DV_BAD_PARAMETER, DV_ARG_Q,
               "probs", NI, NI, "q.probs is 1.5; it must be in [0, 1]");
    x = s1(0, -0.25);
    expect_err(dv_fam_bernoulli_check(&x, DV_ARG_P, &err), &err, DV_BAD_PARAMETER, DV_ARG_P,
               "probs", NI, NI, "p.probs is -0.25");
    x = s1(1, INFINITY);
    expect_err(dv_fam_bernoulli_check(&x, DV_ARG_P, &err), &err, DV_NOT_FINITE, DV_ARG_P,
               "logits", NI, NI, "p.logits is Infinity; it must be a finite number");
    x = row();
    expect_err(dv_fam_bernoulli_check(&x, DV_ARG_Q, &err), &err, DV_BAD_PARAMETER, DV_ARG_Q,
               NULL, NI, NI, "q needs probs or logits");
    x.s[0] = 0.5;
    x.s[1] = 0.0;
    expect_err(dv_fam_bernoulli_check(&x, DV_ARG_P, &err), &err, DV_BAD_PARAMETER, DV_ARG_P,
               "logits", NI, NI, "both probs and logits");
    /* geometric: probs in (0, 1] */
    x = s1(0, 0.0);
    expect_err(dv_fam_geometric_check(&x, DV_ARG_P, &err), &err, DV_BAD_PARAMETER, DV_ARG_P,
               "probs", NI, NI, "it must be in (0, 1]");
    x = s1(0, 1.0);
    assert_int_equal(dv_fam_geometric_check(&x, DV_ARG_P, &err), DV_OK);
    /* bernoulli/binomial: 0 and 1 are legal */
    x = s1(0, 0.0);
    assert_int_equal(dv_fam_bernoulli_check(&x, DV_ARG_P, &err), DV_OK);
    /* poisson */
    x = s1(0, 0.0);
    expect_err(dv_fam_poisson_check(&x, DV_ARG_Q, &err), &err, DV_NOT_POSITIVE, DV_ARG_Q,
               "rate", NI, NI, "q.rate is 0; it must be > 0");
    x = s1(0, NAN);
    expect_err(dv_fam_poisson_check(&x, DV_ARG_P, &err), &err, DV_NOT_FINITE, DV_ARG_P,
               "rate", NI, NI, "p.rate is NaN");
    /* binomial */
    x = binom(2.5, 1, 0.5);
    expect_err(dv_fam_binomial_check(&x, DV_ARG_P, &err), &err, DV_BAD_PARAMETER, DV_ARG_P,
               "total_count", NI, NI, "p.total_count is 2.5; it must be an integer >= 0");
    x = binom(-1.0, 1, 0.5);
    expect_err(dv_fam_binomial_check(&x, DV_ARG_Q, &err), &err, DV_BAD_PARAMETER, DV_ARG_Q,
               "total_count", NI, NI, "q.total_count is -1");
    x = binom(3.0, 2, NAN);
    x.s[1] = NAN;
    expect_err(dv_fam_binomial_check(&x, DV_ARG_P, &err), &err, DV_BAD_PARAMETER, DV_ARG_P,
               NULL, NI, NI, "p needs probs or logits");
    /* the KL functions check both sides themselves */
    dv_fdist p = s1(0, 0.5), q = s1(0, 2.0);
    dv_fresult out;
    expect_err(dv_fam_bernoulli_bernoulli_kl(&p, &q, &out, &err), &err, DV_BAD_PARAMETER,
               DV_ARG_Q, "probs", NI, NI, "q.probs is 2");
    q = s1(0, -3.0);
    expect_err(dv_fam_bernoulli_poisson_kl(&p, &q, &out, &err), &err, DV_NOT_POSITIVE,
               DV_ARG_Q, "rate", NI, NI, "q.rate is -3");
}

/* ---- infinities and conventions ------------------------------------------------------------- */

static void test_scalar_infinities(void **state)
{
    (void)state;
    dv_fdist p = s1(0, 0.3), q = s1(0, 0.0);
    assert_true(isinf(kl_ok(dv_fam_bernoulli_bernoulli_kl, &p, &q)));
    q = s1(0, 1.0);
    assert_true(isinf(kl_ok(dv_fam_bernoulli_bernoulli_kl, &p, &q)));
    /* p = 0 against q in (0, 1): finite, −log(1 − q) */
    p = s1(0, 0.0);
    q = s1(0, 0.25);
    assert_rel(kl_ok(dv_fam_bernoulli_bernoulli_kl, &p, &q), -log1p(-0.25), 1e-15);
    /* logits never make a probability exactly 0: huge logits stay finite */
    p = s1(1, 800.0);
    q = s1(1, -800.0);
    assert_rel(kl_ok(dv_fam_bernoulli_bernoulli_kl, &p, &q), 800.0, 1e-15); /* −log σ(−800) */
    /* binomial: n_p > n_q, q's probs 1, p's support inside q's */
    p = binom(5.0, 1, 0.3);
    q = binom(4.0, 1, 0.3);
    assert_true(isinf(kl_ok(dv_fam_binomial_binomial_kl, &p, &q)));
    q = binom(8.0, 1, 1.0);
    assert_true(isinf(kl_ok(dv_fam_binomial_binomial_kl, &p, &q)));
    p = binom(5.0, 1, 1.0); /* point mass at 5 inside {0..8}: −log Q(5) */
    q = binom(8.0, 1, 0.5);
    assert_rel(kl_ok(dv_fam_binomial_binomial_kl, &p, &q), -log(56.0 / 256.0), 1e-14);
    p = binom(0.0, 1, 0.3); /* n = 0: the point mass at 0 */
    q = binom(0.0, 2, 4.0);
    assert_true(same(kl_ok(dv_fam_binomial_binomial_kl, &p, &q), 0.0));
    /* geometric: q always 0 */
    p = s1(0, 0.25);
    q = s1(0, 1.0);
    assert_true(isinf(kl_ok(dv_fam_geometric_geometric_kl, &p, &q)));
    p = s1(0, 1.0);
    q = s1(0, 0.25);
    assert_rel(kl_ok(dv_fam_geometric_geometric_kl, &p, &q), log(4.0), 1e-15);
    /* categorical: q = 0 where p > 0 */
    double pv[3] = {0.5, 0.5, 0.0}, qv[3] = {1.0, 0.0, 0.0};
    dv_fdist cp = row(), cq = row();
    cp.v[0] = pv;
    cp.d = 3;
    cq.v[0] = qv;
    cq.d = 3;
    assert_true(isinf(kl_ok(dv_fam_categorical_categorical_kl, &cp, &cq)));
    assert_rel(kl_ok(dv_fam_categorical_categorical_kl, &cq, &cp), log(2.0), 1e-15);
}

static void test_self_kl_is_zero(void **state)
{
    (void)state;
    const double probs[] = {0.0, 1e-300, 0.3, 0.5, 1.0 - 1e-16, 1.0};
    for (size_t i = 0; i < sizeof probs / sizeof probs[0]; i++) {
        dv_fdist p = s1(0, probs[i]);
        assert_true(same(kl_ok(dv_fam_bernoulli_bernoulli_kl, &p, &p), 0.0));
        dv_fdist b = binom(17.0, 1, probs[i]);
        assert_true(same(kl_ok(dv_fam_binomial_binomial_kl, &b, &b), 0.0));
        if (probs[i] > 0.0) {
            assert_true(same(kl_ok(dv_fam_geometric_geometric_kl, &p, &p), 0.0));
            assert_true(same(kl_ok(dv_fam_poisson_poisson_kl, &p, &p), 0.0));
        }
    }
    const double logits[] = {-700.0, -3.5, 0.0, 1e-300, 42.0, 1e300};
    for (size_t i = 0; i < sizeof logits / sizeof logits[0]; i++) {
        dv_fdist p = s1(1, logits[i]);
        assert_true(same(kl_ok(dv_fam_bernoulli_bernoulli_kl, &p, &p), 0.0));
        assert_true(same(kl_ok(dv_fam_geometric_geometric_kl, &p, &p), 0.0));
        dv_fdist b = binom(1e12, 2, logits[i]);
        assert_true(same(kl_ok(dv_fam_binomial_binomial_kl, &b, &b), 0.0));
    }
    double cl[4] = {1.0, -2.0, 3.0, 0.5};
    dv_fdist c = row();
    c.v[1] = cl;
    c.d = 4;
    assert_true(same(kl_ok(dv_fam_categorical_categorical_kl, &c, &c), 0.0));
}

/* Bernoulli ‖ Poisson: the two degenerate ends in closed form. */
static void test_bernoulli_poisson(void **state)
{
    (void)state;
    dv_fdist p = s1(0, 0.0), q = s1(0, 2.5);
    assert_rel(kl_ok(dv_fam_bernoulli_poisson_kl, &p, &q), 2.5, 1e-15);
    p = s1(0, 1.0);
    assert_rel(kl_ok(dv_fam_bernoulli_poisson_kl, &p, &q), 2.5 - log(2.5), 1e-15);
}

/* Categorical answers are dv_kl / dv_entropy's, bit for bit. */
static void test_categorical_identity(void **state)
{
    (void)state;
    double pv[5] = {0.1, 0.2, 0.3, 0.15, 0.25}, qv[5] = {0.3, 0.1, 0.2, 0.2, 0.2};
    double pcopy[5], qcopy[5];
    memcpy(pcopy, pv, sizeof pv);
    memcpy(qcopy, qv, sizeof qv);
    dv_dist dp, dq;
    dv_error err;
    assert_int_equal(dv_prepare_weights(pcopy, 5, false, DV_NAME(DV_ARG_P, "p"), &dp, &err), DV_OK);
    assert_int_equal(dv_prepare_weights(qcopy, 5, false, DV_NAME(DV_ARG_Q, "q"), &dq, &err), DV_OK);
    dv_fdist p = row(), q = row();
    p.v[0] = pv;
    p.d = 5;
    q.v[0] = qv;
    q.d = 5;
    assert_true(same(kl_ok(dv_fam_categorical_categorical_kl, &p, &q), dv_kl(&dp, &dq, NULL).nats));
    assert_true(same(h_ok(dv_fam_categorical_entropy, &p), dv_entropy(&dp, NULL)));
    /* errors: not normalised, negative (with index), empty, different sizes */
    double bad[3] = {0.5, 0.3, 0.1};
    dv_fdist b = row();
    b.v[0] = bad;
    b.d = 3;
    dv_fresult out;
    expect_err(dv_fam_categorical_check(&b, DV_ARG_Q, &err), &err, DV_NOT_NORMALIZED, DV_ARG_Q,
               "probs", NI, NI, "q.probs sums to 0.9");
    bad[2] = -0.1;
    bad[1] = 0.6;
    expect_err(dv_fam_categorical_check(&b, DV_ARG_P, &err), &err, DV_NEGATIVE, DV_ARG_P,
               "probs", 2, NI, "p.probs[2] is -0.1");
    b.d = 0;
    expect_err(dv_fam_categorical_check(&b, DV_ARG_P, &err), &err, DV_EMPTY, DV_ARG_P, "probs",
               NI, NI, "p.probs is empty");
    q.d = 4;
    qv[3] = 0.4;
    expect_err(dv_fam_categorical_categorical_kl(&p, &q, &out, &err), &err, DV_SHAPE_MISMATCH,
               DV_ARG_Q, "probs", NI, NI, "p has 5 categories but q has 4");
    double lg[2] = {0.0, NAN};
    dv_fdist l = row();
    l.v[1] = lg;
    l.d = 2;
    expect_err(dv_fam_categorical_check(&l, DV_ARG_Q, &err), &err, DV_NOT_FINITE, DV_ARG_Q,
               "logits", 1, NI, "q.logits[1]");
}

/* Limits: binomial sums beyond DV_FAM_SUM_MAX; the Poisson entropy regimes meet. */
static void test_limits(void **state)
{
    (void)state;
    dv_fdist b = binom(1e15, 1, 0.5), b2 = binom(2e15, 1, 0.25);
    dv_fresult out;
    dv_error err;
    expect_err(dv_fam_binomial_binomial_kl(&b, &b2, &out, &err), &err, DV_TOO_LARGE, DV_ARG_Q,
               "total_count", NI, NI, "too large");
    /* entropies switch to the asymptotic series: ½ log(2πe n/4) − 1/(24·(n/4)²)·(1/8) */
    assert_rel(h_ok(dv_fam_binomial_entropy, &b), 0.5 * log(2 * M_PI * M_E * 0.25e15), 1e-15);
    /* and meet the sum at n·p·(1−p) = 1e6 (H grows by ½ log(n'/n) there; the 1/n terms
     * vanish at p = ½ and the 1/n² ones differ by < 1e-20) */
    dv_fdist below = binom(4e6 - 4.0, 1, 0.5), at = binom(4e6, 1, 0.5);
    assert_rel(h_ok(dv_fam_binomial_entropy, &below) + 0.5 * log1p(4.0 / (4e6 - 4.0)),
               h_ok(dv_fam_binomial_entropy, &at), 1e-14);
    /* the same n needs no sum */
    dv_fdist c = binom(1e15, 1, 0.5 + 1e-9);
    assert_true(kl_ok(dv_fam_binomial_binomial_kl, &b, &c) > 0.0);
    /* 1e5 is where the asymptotic series takes over: both sides agree to ~1e-15 */
    dv_fdist lo = s1(0, nextafter(1e5, 0.0)), hi = s1(0, 1e5);
    double hl = h_ok(dv_fam_poisson_entropy, &lo), hh = h_ok(dv_fam_poisson_entropy, &hi);
    assert_rel(hl, hh, 1e-14);
    dv_fdist big = s1(0, 1e300);
    assert_rel(h_ok(dv_fam_poisson_entropy, &big), 0.5 * log(2 * M_PI * M_E * 1e300), 1e-15);
}

/* ---- no NaN anywhere: every extreme combination gives a value ≥ 0, +inf with a reason,
 * or an error with a message ------------------------------------------------------------- */

static void expect_sane_kl(dv_fam_kl_fn fn, const dv_fdist *p, const dv_fdist *q)
{
    dv_fresult out = {NAN, NULL};
    dv_error err;
    err.msg[0] = '\0';
    dv_status st = fn(p, q, &out, &err);
    if (st != DV_OK) {
        assert_true(err.msg[0] != '\0');
        return;
    }
    if (!(out.nats >= 0.0))
        fail_msg("KL %g for p (%g, %g, %g) q (%g, %g, %g)", out.nats, p->s[0], p->s[1],
                 p->s[2], q->s[0], q->s[1], q->s[2]);
    assert_true(isinf(out.nats) == (out.reason != NULL));
}

/* Discrete entropies are ≥ 0; differential ones (continuous = true) only finite. */
static void expect_sane_h_any(dv_fam_entropy_fn fn, const dv_fdist *p, bool continuous)
{
    dv_fresult out = {NAN, NULL};
    dv_error err;
    err.msg[0] = '\0';
    dv_status st = fn(p, &out, &err);
    if (st != DV_OK) {
        assert_true(err.msg[0] != '\0');
        return;
    }
    if (!(continuous || out.nats >= 0.0) || !isfinite(out.nats))
        fail_msg("entropy %g for (%g, %g, %g)", out.nats, p->s[0], p->s[1], p->s[2]);
}

static void expect_sane_h(dv_fam_entropy_fn fn, const dv_fdist *p)
{
    expect_sane_h_any(fn, p, false);
}

static void test_extremes_are_sane(void **state)
{
    (void)state;
    static const double probs[] = {0.0, 5e-324, 1e-300, 1e-17, 0.3, 0.5, 1.0 - 1e-16, 1.0};
    static const double logits[] = {-1e300, -800.0, -40.0, -1e-300, 0.0,
                                    1e-300, 40.0,   800.0, 1e300};
    static const double rates[] = {5e-324, 1e-300, 1e-5, 1.0, 99999.0, 1e5, 1e300, DBL_MAX};
    static const double counts[] = {0.0, 1.0, 7.0, 1e6, 0x1p53};
    enum { NP = sizeof probs / sizeof probs[0], NL = sizeof logits / sizeof logits[0] };
    dv_fdist t[NP + NL];
    for (size_t i = 0; i < NP; i++)
        t[i] = s1(0, probs[i]);
    for (size_t i = 0; i < NL; i++)
        t[NP + i] = s1(1, logits[i]);
    for (size_t i = 0; i < NP + NL; i++) {
        expect_sane_h(dv_fam_bernoulli_entropy, &t[i]);
        expect_sane_h(dv_fam_geometric_entropy, &t[i]);
        for (size_t j = 0; j < NP + NL; j++) {
            expect_sane_kl(dv_fam_bernoulli_bernoulli_kl, &t[i], &t[j]);
            expect_sane_kl(dv_fam_geometric_geometric_kl, &t[i], &t[j]);
        }
        for (size_t k = 0; k < sizeof rates / sizeof rates[0]; k++) {
            dv_fdist r = s1(0, rates[k]);
            expect_sane_kl(dv_fam_bernoulli_poisson_kl, &t[i], &r);
        }
        for (size_t a = 0; a < sizeof counts / sizeof counts[0]; a++) {
            dv_fdist bp = t[i];
            bp.s[2] = bp.s[1];
            bp.s[1] = bp.s[0];
            bp.s[0] = counts[a];
            expect_sane_h(dv_fam_binomial_entropy, &bp);
            for (size_t j = 0; j < NP + NL; j += 3)
                for (size_t b = 0; b < sizeof counts / sizeof counts[0]; b++) {
                    dv_fdist bq = t[j];
                    bq.s[2] = bq.s[1];
                    bq.s[1] = bq.s[0];
                    bq.s[0] = counts[b];
                    expect_sane_kl(dv_fam_binomial_binomial_kl, &bp, &bq);
                }
        }
    }
    for (size_t k = 0; k < sizeof rates / sizeof rates[0]; k++) {
        dv_fdist r = s1(0, rates[k]);
        expect_sane_h(dv_fam_poisson_entropy, &r);
        for (size_t j = 0; j < sizeof rates / sizeof rates[0]; j++) {
            dv_fdist q = s1(0, rates[j]);
            expect_sane_kl(dv_fam_poisson_poisson_kl, &r, &q);
        }
    }
}

/* ---- multivariate ---------------------------------------------------------------------------- */

static dv_fdist mvn(size_t d, const double *loc, int slot, const double *m)
{
    dv_fdist x = row();
    x.d = d;
    x.v[0] = loc;
    x.v[slot] = m;
    return x;
}

static void test_mvn_checks(void **state)
{
    (void)state;
    dv_error err;
    double loc[3] = {0.0, 1.0, 2.0};
    double cov[9] = {2, 0.5, 0.1, 0.5, 1, 0.2, 0.1, 0.2, 3};
    dv_fdist x = mvn(3, loc, 1, cov);
    assert_int_equal(dv_fam_multivariate_normal_check(&x, DV_ARG_P, &err), DV_OK);
    cov[2] = 0.2; /* [0][2] against [2][0] = 0.1 */
    expect_err(dv_fam_multivariate_normal_check(&x, DV_ARG_Q, &err), &err, DV_NOT_SYMMETRIC,
               DV_ARG_Q, "covariance_matrix", 2, 0, "q.covariance_matrix is not symmetric");
    cov[2] = 0.1;
    cov[8] = -3.0;
    expect_err(dv_fam_multivariate_normal_check(&x, DV_ARG_P, &err), &err,
               DV_NOT_POSITIVE_DEFINITE, DV_ARG_P, "covariance_matrix", 2, 2,
               "not positive definite");
    cov[8] = 3.0;
    cov[4] = INFINITY;
    expect_err(dv_fam_multivariate_normal_check(&x, DV_ARG_P, &err), &err, DV_NOT_FINITE,
               DV_ARG_P, "covariance_matrix", 1, 1, "p.covariance_matrix[1][1] is Infinity");
    cov[4] = 1.0;
    loc[1] = NAN;
    expect_err(dv_fam_multivariate_normal_check(&x, DV_ARG_P, &err), &err, DV_NOT_FINITE,
               DV_ARG_P, "loc", 1, NI, "p.loc[1] is NaN");
    loc[1] = 1.0;
    /* precision: the same symmetric / definite rules under its own name */
    x = mvn(3, loc, 3, cov);
    assert_int_equal(dv_fam_multivariate_normal_check(&x, DV_ARG_P, &err), DV_OK);
    cov[8] = 0.0;
    expect_err(dv_fam_multivariate_normal_check(&x, DV_ARG_P, &err), &err,
               DV_NOT_POSITIVE_DEFINITE, DV_ARG_P, "precision_matrix", 2, 2,
               "p.precision_matrix is not positive definite");
    cov[8] = 3.0;
    /* scale_tril: lower triangular, positive diagonal */
    double tril[4] = {1.0, 0.5, 0.2, 2.0};
    x = mvn(2, loc, 2, tril);
    expect_err(dv_fam_multivariate_normal_check(&x, DV_ARG_Q, &err), &err, DV_BAD_PARAMETER,
               DV_ARG_Q, "scale_tril", 0, 1, "q.scale_tril[0][1] is 0.5");
    tril[1] = 0.0;
    tril[3] = -2.0;
    expect_err(dv_fam_multivariate_normal_check(&x, DV_ARG_P, &err), &err, DV_NOT_POSITIVE,
               DV_ARG_P, "scale_tril", 1, 1, "the diagonal of scale_tril must be > 0");
    tril[3] = 2.0;
    assert_int_equal(dv_fam_multivariate_normal_check(&x, DV_ARG_P, &err), DV_OK);
    /* exactly one matrix */
    x.v[1] = cov;
    expect_err(dv_fam_multivariate_normal_check(&x, DV_ARG_P, &err), &err, DV_BAD_PARAMETER,
               DV_ARG_P, "scale_tril", NI, NI, "exactly one of covariance_matrix");
    x = mvn(2, loc, 1, NULL);
    expect_err(dv_fam_multivariate_normal_check(&x, DV_ARG_P, &err), &err, DV_BAD_PARAMETER,
               DV_ARG_P, NULL, NI, NI, "(0 given)");
    x = mvn(0, loc, 1, cov);
    expect_err(dv_fam_multivariate_normal_check(&x, DV_ARG_P, &err), &err, DV_EMPTY, DV_ARG_P,
               "loc", NI, NI, "p.loc is empty");
    /* dimensions must agree */
    dv_fdist p = mvn(3, loc, 1, cov), q = mvn(2, loc, 2, tril);
    dv_fresult out;
    expect_err(dv_fam_multivariate_normal_multivariate_normal_kl(&p, &q, &out, &err), &err,
               DV_SHAPE_MISMATCH, DV_ARG_Q, "loc", NI, NI,
               "p has dimension 3 but q has dimension 2");
    /* low rank */
    double w[6] = {1, 0, 0.5, 1, 0, 0}, diag[3] = {1, 0, 2};
    dv_fdist lr = row();
    lr.d = 3;
    lr.r = 2;
    lr.v[0] = loc;
    lr.v[1] = w;
    lr.v[2] = diag;
    expect_err(dv_fam_lowrank_multivariate_normal_check(&lr, DV_ARG_Q, &err), &err,
               DV_NOT_POSITIVE, DV_ARG_Q, "cov_diag", 1, NI,
               "q.cov_diag[1] is 0; it must be a finite number > 0");
    diag[1] = 1.0;
    w[3] = NAN;
    expect_err(dv_fam_lowrank_multivariate_normal_check(&lr, DV_ARG_P, &err), &err,
               DV_NOT_FINITE, DV_ARG_P, "cov_factor", 1, 1, "p.cov_factor[1][1] is NaN");
    w[3] = 1.0;
    assert_int_equal(dv_fam_lowrank_multivariate_normal_check(&lr, DV_ARG_P, &err), DV_OK);
}

/* covariance ‖ covariance is /gaussian-kl's computation; every kind of the same Σ agrees;
 * D(P‖P) = 0 exactly; a low-rank row with r = 0 is its diagonal covariance. */
static void test_mvn_identities(void **state)
{
    (void)state;
    double l1[3] = {0.5, -1.0, 2.0}, l2[3] = {0.0, 0.25, 1.0};
    double c1[9] = {4, 1, 0.5, 1, 3, 0.25, 0.5, 0.25, 2};
    double c2[9] = {1, 0.2, 0, 0.2, 2, 0.3, 0, 0.3, 1.5};
    dv_fdist p = mvn(3, l1, 1, c1), q = mvn(3, l2, 1, c2);
    dv_gauss gp = {0, 3, l1, DV_SCALE_COV, c1}, gq = {0, 3, l2, DV_SCALE_COV, c2};
    double ref;
    dv_error err;
    assert_int_equal(dv_gaussian_kl(&gp, &gq, &ref, &err), DV_OK);
    double v = kl_ok(dv_fam_multivariate_normal_multivariate_normal_kl, &p, &q);
    assert_true(same(v, ref));
    /* q's Σ as a precision and as its Cholesky factor: the same KL to ~1e-14 */
    /* the Cholesky factor of c2 (numpy, rounded to double) */
    const double t2[9] = {1, 0, 0, 0.2, 1.4, 0, 0, 0.21428571428571427, 1.2058530725810095};
    dv_fdist qt = mvn(3, l2, 2, t2);
    assert_rel(kl_ok(dv_fam_multivariate_normal_multivariate_normal_kl, &p, &qt), ref, 1e-13);
    for (int slot = 1; slot <= 3; slot++) {
        dv_fdist a = mvn(3, l1, slot, slot == 2 ? t2 : c1);
        assert_true(same(kl_ok(dv_fam_multivariate_normal_multivariate_normal_kl, &a, &a), 0.0));
    }
    double w[3] = {1.0, 0.5, -0.25}, diag[3] = {1.0, 2.0, 0.5};
    dv_fdist lr = row();
    lr.d = 3;
    lr.r = 1;
    lr.v[0] = l1;
    lr.v[1] = w;
    lr.v[2] = diag;
    assert_true(same(
        kl_ok(dv_fam_lowrank_multivariate_normal_lowrank_multivariate_normal_kl, &lr, &lr),
        0.0));
    /* r = 0 against the diagonal covariance with the same entries */
    double dcov[9] = {1, 0, 0, 0, 2, 0, 0, 0, 0.5};
    dv_fdist d0 = lr;
    d0.r = 0;
    d0.v[1] = NULL;
    dv_fdist dm = mvn(3, l2, 1, dcov);
    double a = kl_ok(dv_fam_lowrank_multivariate_normal_multivariate_normal_kl, &d0, &q);
    double b = kl_ok(dv_fam_multivariate_normal_multivariate_normal_kl,
                     &(dv_fdist){.d = 3, .v = {l1, dcov, NULL, NULL}, .s = {NAN, NAN, NAN, NAN}},
                     &q);
    assert_rel(a, b, 1e-14);
    assert_rel(h_ok(dv_fam_lowrank_multivariate_normal_entropy, &d0),
               h_ok(dv_fam_multivariate_normal_entropy, &dm), 1e-15);
    /* entropy of N(0, I_3) */
    double id[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    dv_fdist n3 = mvn(3, l1, 3, id);
    assert_rel(h_ok(dv_fam_multivariate_normal_entropy, &n3), 1.5 * (1.0 + log(2 * M_PI)),
               1e-15);
}


/* Multivariate extremes: every parametrisation against every other at scales 1e-150 …
 * 1e150 (precisions inverted) gives a value ≥ 0 or an error with a message. */
static void test_mvn_extremes_are_sane(void **state)
{
    (void)state;
    static const double scales[] = {1e-150, 1e-5, 1.0, 1e5, 1e150};
    enum { NS = sizeof scales / sizeof scales[0], NK = 4 };
    static double mats[NS][NK][4], locs[NS][2], diag[NS][2];
    dv_fdist x[NS * NK];
    for (size_t a = 0; a < NS; a++) {
        double c = scales[a];
        locs[a][0] = sqrt(c);
        locs[a][1] = -sqrt(c);
        double cov[4] = {2 * c, 0.5 * c, 0.5 * c, c};
        memcpy(mats[a][0], cov, sizeof cov);
        double l11 = sqrt(2 * c), l21 = 0.5 * c / l11, l22 = sqrt(c - l21 * l21);
        double tril[4] = {l11, 0, l21, l22};
        memcpy(mats[a][1], tril, sizeof tril);
        double det = 2 * c * c - 0.25 * c * c;
        double prec[4] = {c / det, -0.5 * c / det, -0.5 * c / det, 2 * c / det};
        memcpy(mats[a][2], prec, sizeof prec);
        double w[2] = {sqrt(c), 0.5 * sqrt(c)};
        memcpy(mats[a][3], w, sizeof w);
        diag[a][0] = c;
        diag[a][1] = 0.5 * c;
        for (int k = 0; k < 3; k++)
            x[a * NK + (size_t)k] = mvn(2, locs[a], k + 1, mats[a][k]);
        dv_fdist lr = row();
        lr.d = 2;
        lr.r = 1;
        lr.v[0] = locs[a];
        lr.v[1] = mats[a][3];
        lr.v[2] = diag[a];
        x[a * NK + 3] = lr;
    }
    for (size_t i = 0; i < NS * NK; i++) {
        bool il = i % NK == 3;
        expect_sane_h_any(il ? dv_fam_lowrank_multivariate_normal_entropy
                             : dv_fam_multivariate_normal_entropy,
                          &x[i], true);
        for (size_t j = 0; j < NS * NK; j++) {
            bool jl = j % NK == 3;
            dv_fam_kl_fn fn =
                il ? (jl ? dv_fam_lowrank_multivariate_normal_lowrank_multivariate_normal_kl
                         : dv_fam_lowrank_multivariate_normal_multivariate_normal_kl)
                   : (jl ? dv_fam_multivariate_normal_lowrank_multivariate_normal_kl
                         : dv_fam_multivariate_normal_multivariate_normal_kl);
            expect_sane_kl(fn, &x[i], &x[j]);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalar_checks),     cmocka_unit_test(test_scalar_infinities),
        cmocka_unit_test(test_self_kl_is_zero),   cmocka_unit_test(test_bernoulli_poisson),
        cmocka_unit_test(test_categorical_identity), cmocka_unit_test(test_limits),
        cmocka_unit_test(test_extremes_are_sane), cmocka_unit_test(test_mvn_checks),
        cmocka_unit_test(test_mvn_identities),    cmocka_unit_test(test_mvn_extremes_are_sane),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
