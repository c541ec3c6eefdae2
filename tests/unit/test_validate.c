/*
 * test_validate.c — every validation error of the discrete core: status, index, arg and
 * the exact sentence; normalisation (including totals that overflow a double);
 * temperature; shape checks.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"
#include "divergence.h"

/* name: "p" or "q" (the argument follows), or "p[3]" (row 3 of a batch of P). */
static void expect_weights_error(double *v, size_t n, bool normalize, const char *name,
                                 dv_status st, size_t index, int arg, const char *msg)
{
    dv_dist d;
    dv_error err;
    memset(&err, 0, sizeof err);
    bool row = strcmp(name, "p[3]") == 0;
    const dv_name nm = {arg, row ? "p" : name, row ? 3 : DV_NO_INDEX, NULL};
    assert_int_equal(dv_prepare_weights(v, n, normalize, &nm, &d, &err), st);
    assert_int_equal(err.status, st);
    if (row)
        assert_loc(&err, arg, NULL, 3, index);
    else
        assert_loc(&err, arg, NULL, index, DV_NO_INDEX);
    assert_string_equal(err.msg, msg);
}

static void test_negative(void **state)
{
    (void)state;
    double q[] = {0.5, 0.6, -0.1};
    expect_weights_error(q, 3, false, "q", DV_NEGATIVE, 2, 1,
                         "q[2] is -0.1; probabilities must be >= 0");
    expect_weights_error(q, 3, true, "q", DV_NEGATIVE, 2, 1,
                         "q[2] is -0.1; probabilities must be >= 0");
    double p[] = {-1e-300, 1.0};
    expect_weights_error(p, 2, true, "p", DV_NEGATIVE, 0, 0,
                         "p[0] is -1e-300; probabilities must be >= 0");
}

static void test_not_finite(void **state)
{
    (void)state;
    double p[] = {0.5, NAN, 0.5};
    expect_weights_error(p, 3, true, "p", DV_NOT_FINITE, 1, 0,
                         "p[1] is NaN; probabilities must be finite numbers");
    double q[] = {0.5, 0.5, INFINITY};
    expect_weights_error(q, 3, true, "q", DV_NOT_FINITE, 2, 1,
                         "q[2] is Infinity; probabilities must be finite numbers");
    double r[] = {-INFINITY};
    expect_weights_error(r, 1, true, "p[3]", DV_NOT_FINITE, 0, 0,
                         "p[3][0] is -Infinity; probabilities must be finite numbers");
}

static void test_empty_and_zero(void **state)
{
    (void)state;
    double none[1] = {0};
    expect_weights_error(none, 0, true, "p", DV_EMPTY, DV_NO_INDEX, 0, "p is empty");
    double z[] = {0.0, 0.0, -0.0};
    expect_weights_error(z, 3, true, "p", DV_ZERO_TOTAL, DV_NO_INDEX, 0,
                         "every weight in p is 0");
    expect_weights_error(z, 3, false, "q", DV_ZERO_TOTAL, DV_NO_INDEX, 1,
                         "every weight in q is 0");
}

static void test_not_normalized(void **state)
{
    (void)state;
    double p[] = {0.5, 0.4};
    expect_weights_error(p, 2, false, "p", DV_NOT_NORMALIZED, DV_NO_INDEX, 0,
                         "p sums to 0.9; probabilities must sum to 1 within 1e-6 — pass "
                         "\"normalize\": true to rescale weights");
    double c[] = {2, 2, 1};
    expect_weights_error(c, 3, false, "q", DV_NOT_NORMALIZED, DV_NO_INDEX, 1,
                         "q sums to 5; probabilities must sum to 1 within 1e-6 — pass "
                         "\"normalize\": true to rescale weights");
    double big[] = {1e308, 1e308};
    expect_weights_error(big, 2, false, "p", DV_NOT_NORMALIZED, DV_NO_INDEX, 0,
                         "p sums to Infinity; probabilities must sum to 1 within 1e-6 — "
                         "pass \"normalize\": true to rescale weights");
    /* Within the tolerance on both sides: accepted as is. */
    dv_dist d;
    double lo[] = {0.5, 0.4999991}, hi[] = {0.5, 0.5000009}, out[] = {0.5, 0.500002};
    assert_int_equal(dv_prepare_weights(lo, 2, false, DV_NAME(DV_ARG_P, "p"), &d, NULL), DV_OK);
    assert_int_equal(dv_prepare_weights(hi, 2, false, DV_NAME(DV_ARG_P, "p"), &d, NULL), DV_OK);
    assert_int_equal(dv_prepare_weights(out, 2, false, DV_NAME(DV_ARG_P, "p"), &d, NULL), DV_NOT_NORMALIZED);
}

static void test_normalize(void **state)
{
    (void)state;
    dv_dist d;
    double c[] = {2, 2, 1};
    assert_int_equal(dv_prepare_weights(c, 3, true, DV_NAME(DV_ARG_P, "p"), &d, NULL), DV_OK);
    assert_true(same(dv_prob(&d, 0), 0.4) && same(dv_prob(&d, 2), 0.2));
    assert_true(same(c[0], 2.0)); /* ordinary totals leave v untouched */
    assert_int_equal(d.kind, DV_WEIGHTS);
    assert_int_equal(d.n, 3);
    /* A total that overflows a double: v is rescaled by a power of two, P is unchanged. */
    double big[] = {1e308, 1e308};
    assert_int_equal(dv_prepare_weights(big, 2, true, DV_NAME(DV_ARG_P, "p"), &d, NULL), DV_OK);
    assert_true(same(dv_prob(&d, 0), 0.5) && same(dv_prob(&d, 1), 0.5));
    assert_true(isfinite(d.total));
    assert_true(same(big[0], big[1]));
    assert_true(same(ldexp(big[0], 1024), 1e308)); /* exactly a power of two */
    double huge[] = {1.7976931348623157e308, 1.7976931348623157e308, 1.7976931348623157e308};
    assert_int_equal(dv_prepare_weights(huge, 3, true, DV_NAME(DV_ARG_P, "p"), &d, NULL), DV_OK);
    assert_true(fabs(dv_prob(&d, 1) - 1.0 / 3) <= 1e-16);
    /* A tiny total is scaled up the same way. */
    double tiny[] = {1e-300, 3e-300};
    assert_int_equal(dv_prepare_weights(tiny, 2, true, DV_NAME(DV_ARG_P, "p"), &d, NULL), DV_OK);
    assert_true(fabs(dv_prob(&d, 1) - 0.75) <= 1e-16);
    assert_true(fabs(dv_log_prob(&d, 0) - log(0.25)) <= 1e-15);
}

static void test_logits_errors(void **state)
{
    (void)state;
    dv_dist d;
    dv_error err;
    double x[] = {1, 2, 3, 4, 1e300};
    assert_int_equal(dv_prepare_logits(x, 5, 0.0, DV_NAME(DV_ARG_P, "p_logits"), &d, &err), DV_BAD_PARAMETER);
    assert_string_equal(err.msg, "temperature is 0; it must be a finite number > 0");
    assert_loc(&err, DV_ARG_NONE, "temperature", DV_NO_INDEX, DV_NO_INDEX);
    assert_int_equal(dv_prepare_logits(x, 5, -2.5, DV_NAME(DV_ARG_P, "p_logits"), &d, &err), DV_BAD_PARAMETER);
    assert_string_equal(err.msg, "temperature is -2.5; it must be a finite number > 0");
    assert_int_equal(dv_prepare_logits(x, 5, INFINITY, DV_NAME(DV_ARG_P, "p_logits"), &d, &err),
                     DV_BAD_PARAMETER);
    assert_string_equal(err.msg, "temperature is Infinity; it must be a finite number > 0");
    assert_int_equal(dv_prepare_logits(x, 5, NAN, DV_NAME(DV_ARG_P, "p_logits"), &d, &err), DV_BAD_PARAMETER);
    /* 1e300 / 1e-10 overflows. */
    assert_int_equal(dv_prepare_logits(x, 5, 1e-10, DV_NAME(DV_ARG_P, "p_logits"), &d, &err), DV_NOT_FINITE);
    assert_string_equal(err.msg, "p_logits[4] / temperature overflows");
    assert_loc(&err, DV_ARG_P, NULL, 4, DV_NO_INDEX);
    double y[] = {0, NAN};
    assert_int_equal(dv_prepare_logits(y, 2, 1.0, DV_NAME(DV_ARG_Q, "q_logits"), &d, &err), DV_NOT_FINITE);
    assert_string_equal(err.msg, "q_logits[1] is NaN; logits must be finite numbers");
    assert_loc(&err, DV_ARG_Q, NULL, 1, DV_NO_INDEX);
    assert_int_equal(dv_prepare_logits(y, 0, 1.0, DV_NAME(DV_ARG_Q, "q_logits"), &d, &err), DV_EMPTY);
    assert_string_equal(err.msg, "q_logits is empty");
    assert_int_equal(dv_prepare_logits(x, 5, 1.0, DV_NAME(DV_ARG_P, "p_logits"), &d, &err), DV_OK);
    assert_int_equal(d.kind, DV_LOGITS);
    assert_true(same(d.temperature, 1.0));
}

static void test_same_n(void **state)
{
    (void)state;
    double p[] = {0.2, 0.3, 0.5}, q[] = {0.25, 0.25, 0.25, 0.25};
    dv_dist P, Q;
    dv_error err;
    assert_int_equal(dv_prepare_weights(p, 3, false, DV_NAME(DV_ARG_P, "p"), &P, NULL), DV_OK);
    assert_int_equal(dv_prepare_weights(q, 4, false, DV_NAME(DV_ARG_Q, "q"), &Q, NULL), DV_OK);
    assert_int_equal(dv_check_same_n(&P, &Q, DV_NAME(DV_ARG_P, "p"), DV_NAME(DV_ARG_Q, "q"), &err), DV_SHAPE_MISMATCH);
    assert_string_equal(err.msg, "p has 3 entries but q has 4");
    assert_loc(&err, DV_ARG_Q, NULL, DV_NO_INDEX, DV_NO_INDEX);
    assert_int_equal(dv_check_same_n(&P, &P, DV_NAME(DV_ARG_P, "p"), DV_NAME(DV_ARG_Q, "q"), &err), DV_OK);
    assert_int_equal(dv_check_same_n(&P, &Q, DV_NAME(DV_ARG_P, "p"), DV_NAME(DV_ARG_Q, "q"), NULL), DV_SHAPE_MISMATCH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_negative),      cmocka_unit_test(test_not_finite),
        cmocka_unit_test(test_empty_and_zero), cmocka_unit_test(test_not_normalized),
        cmocka_unit_test(test_normalize),     cmocka_unit_test(test_logits_errors),
        cmocka_unit_test(test_same_n),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
