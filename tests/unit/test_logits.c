/*
 * test_logits.c — distributions given as logits: stable softmax and log-softmax, shift
 * invariance, extremes (×1e4, +1000, ±1e300), temperature, mixing weights with logits.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "check.h"
#include "divergence.h"

static void logits(const double *v, size_t n, double T, dv_dist *d)
{
    dv_error err;
    if (dv_prepare_logits(v, n, T, DV_NAME(DV_ARG_P, "p_logits"), d, &err) != DV_OK)
        fail_msg("prepare: %s", err.msg);
}

static void test_softmax(void **state)
{
    (void)state;
    double x[] = {1.0, 2.0, 3.0};
    dv_dist d;
    logits(x, 3, 1.0, &d);
    double z = exp(1.0) + exp(2.0) + exp(3.0);
    for (size_t i = 0; i < 3; i++) {
        assert_rel(dv_prob(&d, i), exp(x[i]) / z, 1e-15);
        assert_rel(dv_log_prob(&d, i), x[i] - log(z), 1e-15);
    }
    assert_rel(d.total + d.total_lo, log(z), 1e-15);
    /* One dominant class: log P_max ≈ −e^-50 keeps its digits (log of a rounded 1 would
     * give 0). */
    double y[] = {0.0, -50.0};
    logits(y, 2, 1.0, &d);
    assert_rel(dv_log_prob(&d, 0), -exp(-50.0), 1e-15);
    assert_rel(dv_entropy(&d, NULL), exp(-50.0) * 51.0, 1e-14);
    /* Softmax is shift invariant; +1000 and +1e300 do not overflow. */
    double s[] = {1001.0, 1002.0, 1003.0};
    logits(s, 3, 1.0, &d);
    assert_rel(dv_prob(&d, 2), exp(3.0) / z, 1e-15);
    double h[] = {1e300, 1e300};
    logits(h, 2, 1.0, &d);
    assert_true(same(dv_prob(&d, 0), 0.5));
    assert_true(same(dv_entropy(&d, NULL), log(2.0)));
}

static void test_extremes(void **state)
{
    (void)state;
    dv_dist P, Q;
    /* Q's second class has probability e^-1e300: KL is huge but finite, never inf/NaN. */
    double x[] = {0.0, 0.0}, y[] = {0.0, -1e300};
    logits(x, 2, 1.0, &P);
    logits(y, 2, 1.0, &Q);
    dv_value kl = dv_kl(&P, &Q, NULL);
    assert_rel(kl.nats, 5e299, 1e-15);
    assert_true(kl.inf_index == DV_NO_INDEX);
    double js = dv_js(&P, &Q, NULL);
    double want = 0.5 * (0.5 * log(0.5 / 0.75) + 0.5 * log(2.0) + log(1 / 0.75));
    assert_rel(js, want, 1e-15);
    dv_value ce = dv_cross_entropy(&P, &Q, NULL);
    assert_rel(ce.nats, 5e299, 1e-15);
    /* ±1e300 swapped: P = (1, 0), log Q_0 = −2e300. */
    double a[] = {1e300, -1e300}, b[] = {-1e300, 1e300};
    logits(a, 2, 1.0, &P);
    logits(b, 2, 1.0, &Q);
    assert_rel(dv_kl(&P, &Q, NULL).nats, 2e300, 1e-15);
    assert_rel(dv_js(&P, &Q, NULL), log(2.0), 1e-15);
    assert_true(same(dv_entropy(&P, NULL), 0.0));
    /* ×1e4: near one-hot softmaxes; everything finite and consistent. */
    double u[] = {1.2e4, -3.1e4, 0.7e4, 1.1e4}, v[] = {1.1e4, 2.0e4, -0.5e4, 1.2e4};
    logits(u, 4, 1.0, &P);
    logits(v, 4, 1.0, &Q);
    kl = dv_kl(&P, &Q, NULL);
    assert_true(isfinite(kl.nats) && kl.nats > 0);
    /* P is one-hot at 0 (the others are e^-1000 behind); log Q_0 = 1.1e4 − 2e4. */
    assert_rel(kl.nats, 9000.0, 1e-15);
    assert_rel(dv_cross_entropy(&P, &Q, NULL).nats, 9000.0, 1e-15);
}

static void test_near_equal_and_zero(void **state)
{
    (void)state;
    double x[50], y[50], z[50];
    for (int i = 0; i < 50; i++) {
        x[i] = sin(i * 1.7) * 3;
        y[i] = x[i];
        z[i] = x[i] + 1e-7 * cos(i * 0.3);
    }
    dv_dist P, Q, Z;
    logits(x, 50, 1.0, &P);
    logits(y, 50, 1.0, &Q);
    logits(z, 50, 1.0, &Z);
    assert_true(same(dv_kl(&P, &Q, NULL).nats, 0.0));
    assert_true(same(dv_js(&P, &Q, NULL), 0.0));
    assert_true(same(dv_cross_entropy(&P, &Q, NULL).nats, dv_entropy(&P, NULL)));
    /* KL ≈ ½ Var_P(d) ~ 1e-15: positive, and about 4× the JS. */
    double kl = dv_kl(&P, &Z, NULL).nats, js = dv_js(&P, &Z, NULL);
    assert_true(kl > 0 && kl < 1e-13);
    assert_rel(js * 4, kl, 1e-6);
}

/* A dominant logit shifted far out: Lx − Ly must not round the small part away
 * (x = [s, 0] against y = [0, 0] is P = [1, 0] against Q = [½, ½]: KL = ln 2). */
static void test_huge_shift_on_p(void **state)
{
    (void)state;
    const double shifts[] = {1e5, 1e10, 1e20, 1e300};
    const double y[2] = {0.0, 0.0};
    dv_dist dq;
    logits(y, 2, 1.0, &dq);
    for (size_t k = 0; k < sizeof shifts / sizeof shifts[0]; k++) {
        double x[2] = {shifts[k], 0.0};
        dv_dist dp;
        logits(x, 2, 1.0, &dp);
        assert_rel(dv_kl(&dp, &dq, NULL).nats, M_LN2, 1e-15);
        /* JS(P = [1, 0], Q = [½, ½]) with M = [¾, ¼], in closed form. */
        double js = 0.5 * (log(4.0 / 3.0)) + 0.25 * log(2.0 / 3.0) + 0.25 * log(2.0);
        assert_rel(dv_js(&dp, &dq, NULL), js, 1e-15);
    }
}

static void test_temperature(void **state)
{
    (void)state;
    /* Dividing by T = 2 is exact, so T = 2 on x must equal T = 1 on x/2 bit for bit. */
    double x[] = {3.0, -1.0, 0.5, 7.25}, y[] = {1.0, 1.0, -2.0, 4.0};
    double xh[4], yh[4];
    for (int i = 0; i < 4; i++) {
        xh[i] = x[i] / 2;
        yh[i] = y[i] / 2;
    }
    dv_dist P2, Q2, P1, Q1;
    logits(x, 4, 2.0, &P2);
    logits(y, 4, 2.0, &Q2);
    logits(xh, 4, 1.0, &P1);
    logits(yh, 4, 1.0, &Q1);
    assert_true(same(dv_kl(&P2, &Q2, NULL).nats, dv_kl(&P1, &Q1, NULL).nats));
    assert_true(same(dv_entropy(&P2, NULL), dv_entropy(&P1, NULL)));
    assert_true(same(dv_js(&P2, &Q2, NULL), dv_js(&P1, &Q1, NULL)));
    /* High temperature flattens towards uniform. */
    dv_dist Ph;
    logits(x, 4, 1e6, &Ph);
    assert_rel(dv_entropy(&Ph, NULL), log(4.0), 1e-9);
}

static void test_mixed_weights_logits(void **state)
{
    (void)state;
    /* Logits log(w) describe the same distribution as weights w (up to rounding of log). */
    double w[] = {0.1, 0.2, 0.3, 0.4}, lw[4], q[] = {0.25, 0.25, 0.25, 0.25}, lq[4];
    for (int i = 0; i < 4; i++) {
        lw[i] = log(w[i]);
        lq[i] = log(q[i]);
    }
    dv_dist Pw, Pl, Qw, Ql;
    assert_int_equal(dv_prepare_weights(w, 4, false, DV_NAME(DV_ARG_P, "p"), &Pw, NULL), DV_OK);
    assert_int_equal(dv_prepare_weights(q, 4, false, DV_NAME(DV_ARG_Q, "q"), &Qw, NULL), DV_OK);
    logits(lw, 4, 1.0, &Pl);
    logits(lq, 4, 1.0, &Ql);
    double ref = dv_kl(&Pw, &Qw, NULL).nats;
    assert_rel(dv_kl(&Pw, &Ql, NULL).nats, ref, 1e-13);
    assert_rel(dv_kl(&Pl, &Qw, NULL).nats, ref, 1e-13);
    assert_rel(dv_kl(&Pl, &Ql, NULL).nats, ref, 1e-13);
    double jref = dv_js(&Pw, &Qw, NULL);
    assert_rel(dv_js(&Pw, &Ql, NULL), jref, 1e-13);
    assert_rel(dv_js(&Pl, &Qw, NULL), jref, 1e-13);
    /* One-hot target (weights) against predicted logits: −log softmax(y)_2. */
    double t[] = {0, 0, 1, 0}, y[] = {0.5, -1.0, 2.0, 0.0};
    dv_dist T, Y;
    assert_int_equal(dv_prepare_weights(t, 4, false, DV_NAME(DV_ARG_P, "p"), &T, NULL), DV_OK);
    logits(y, 4, 1.0, &Y);
    double z = exp(0.5) + exp(-1.0) + exp(2.0) + exp(0.0);
    double terms[4];
    dv_value ce = dv_cross_entropy(&T, &Y, terms);
    assert_rel(ce.nats, log(z) - 2.0, 1e-15);
    assert_rel(terms[2], log(z) - 2.0, 1e-15);
    assert_true(same(terms[0], 0.0));
    /* Zero weights against logits: finite; logits against a zero weight: inf at it. */
    double pz[] = {0.0, 0.5, 0.5, 0.0};
    dv_dist Pz;
    assert_int_equal(dv_prepare_weights(pz, 4, false, DV_NAME(DV_ARG_P, "p"), &Pz, NULL), DV_OK);
    assert_true(isfinite(dv_kl(&Pz, &Y, NULL).nats));
    dv_value inf = dv_kl(&Y, &Pz, terms);
    assert_true(isinf(inf.nats));
    assert_int_equal(inf.inf_index, 0);
    assert_true(isinf(terms[0]) && isinf(terms[3]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_softmax),
        cmocka_unit_test(test_extremes),
        cmocka_unit_test(test_near_equal_and_zero),
        cmocka_unit_test(test_huge_shift_on_p),
        cmocka_unit_test(test_temperature),
        cmocka_unit_test(test_mixed_weights_logits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
