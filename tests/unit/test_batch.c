/*
 * test_batch.c — row-wise categorical KL: each row equals a single dv_kl, the sum and
 * mean are compensated, an infinite row makes the sum infinite, zero rows are fine.
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

#define ROWS 4
#define K 5

static void test_logit_rows(void **state)
{
    (void)state;
    double x[ROWS][K], y[ROWS][K];
    for (int r = 0; r < ROWS; r++)
        for (int k = 0; k < K; k++) {
            x[r][k] = sin(r * 3.1 + k) * 20;
            y[r][k] = cos(r * 1.3 + k * 0.7) * 20;
        }
    y[2][0] = x[2][0];
    for (int k = 0; k < K; k++)
        y[3][k] = x[3][k]; /* an identical row: exactly 0 */
    dv_dist p[ROWS], q[ROWS];
    for (int r = 0; r < ROWS; r++) {
        assert_int_equal(dv_prepare_logits(x[r], K, 2.0, DV_NAME(DV_ARG_P, "p_logits"), &p[r], NULL), DV_OK);
        assert_int_equal(dv_prepare_logits(y[r], K, 2.0, DV_NAME(DV_ARG_Q, "q_logits"), &q[r], NULL), DV_OK);
    }
    dv_value out[ROWS];
    double sum, mean;
    dv_batch_kl(p, q, ROWS, out, &sum, &mean);
    double s = 0;
    for (int r = 0; r < ROWS; r++) {
        dv_value one = dv_kl(&p[r], &q[r], NULL);
        assert_true(same(out[r].nats, one.nats));
        assert_true(out[r].inf_index == DV_NO_INDEX);
        s += one.nats;
    }
    assert_true(same(out[3].nats, 0.0));
    assert_true(fabs(sum - s) <= 1e-15 * s);
    assert_true(fabs(mean - s / ROWS) <= 1e-15 * s);
}

static void test_weight_rows_with_inf(void **state)
{
    (void)state;
    double p[2][3] = {{1, 2, 3}, {1, 1, 0}}, q[2][3] = {{3, 2, 1}, {0, 1, 1}};
    dv_dist P[2], Q[2];
    for (int r = 0; r < 2; r++) {
        assert_int_equal(dv_prepare_weights(p[r], 3, true, DV_NAME(DV_ARG_P, "p"), &P[r], NULL), DV_OK);
        assert_int_equal(dv_prepare_weights(q[r], 3, true, DV_NAME(DV_ARG_Q, "q"), &Q[r], NULL), DV_OK);
    }
    dv_value out[2];
    double sum, mean;
    dv_batch_kl(P, Q, 2, out, &sum, &mean);
    double want = (1.0 / 6) * log(1.0 / 3) + (3.0 / 6) * log(3.0);
    assert_true(fabs(out[0].nats - want) <= 1e-15 * want);
    assert_true(isinf(out[1].nats));
    assert_int_equal(out[1].inf_index, 0);
    assert_true(isinf(sum) && sum > 0);
    assert_true(isinf(mean) && mean > 0);
}

/* Past DV_PARALLEL_MIN numbers half the rows are prepared and computed on a second
 * thread: every row as alone, and an error is still the first failing row's. */
static void test_large_rows(void **state)
{
    (void)state;
    enum { R = 300, C = 400 };
    static double x[R * C], y[R * C], x1[C], y1[C];
    static dv_dist p[R], q[R];
    for (size_t i = 0; i < (size_t)R * C; i++) {
        x[i] = sin((double)i * 0.37) * 6;
        y[i] = cos((double)i * 0.11) * 6;
    }
    dv_error e;
    assert_int_equal(dv_prepare_rows(x, R, C, true, 1.5, false, DV_ARG_P, "p_logits", p, &e), DV_OK);
    assert_int_equal(dv_prepare_rows(y, R, C, true, 1.5, false, DV_ARG_Q, "q_logits", q, &e), DV_OK);
    static dv_value out[R];
    double sum, mean;
    dv_batch_kl(p, q, R, out, &sum, &mean);
    for (size_t r = 0; r < R; r++) {
        memcpy(x1, x + r * C, sizeof x1);
        memcpy(y1, y + r * C, sizeof y1);
        dv_dist a, b;
        assert_int_equal(dv_prepare_logits(x1, C, 1.5, DV_NAME(DV_ARG_P, "p_logits"), &a, NULL), DV_OK);
        assert_int_equal(dv_prepare_logits(y1, C, 1.5, DV_NAME(DV_ARG_Q, "q_logits"), &b, NULL), DV_OK);
        assert_true(same(a.total, p[r].total) && same(a.total_lo, p[r].total_lo));
        assert_true(same(out[r].nats, dv_kl(&a, &b, NULL).nats));
    }
    /* weights with negative entries in rows 250 and 270, then also in row 40 */
    static double w[R * C];
    for (size_t i = 0; i < (size_t)R * C; i++)
        w[i] = 1.0 + (double)(i % 7);
    w[250 * C + 3] = -1.0;
    w[270 * C + 5] = -1.0;
    assert_int_equal(dv_prepare_rows(w, R, C, false, 1.0, true, DV_ARG_Q, "q", q, &e), DV_NEGATIVE);
    assert_int_equal(e.at.idx[0], 250);
    assert_int_equal(e.at.idx[1], 3);
    assert_non_null(strstr(e.msg, "q[250][3]"));
    w[40 * C + 9] = -2.0;
    assert_int_equal(dv_prepare_rows(w, R, C, false, 1.0, true, DV_ARG_Q, "q", q, &e), DV_NEGATIVE);
    assert_int_equal(e.at.idx[0], 40);
    assert_int_equal(e.at.idx[1], 9);
}

static void test_no_rows(void **state)
{
    (void)state;
    double sum = -1, mean = -1;
    dv_batch_kl(NULL, NULL, 0, NULL, &sum, &mean);
    assert_true(same(sum, 0.0) && same(mean, 0.0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_logit_rows),
        cmocka_unit_test(test_weight_rows_with_inf),
        cmocka_unit_test(test_large_rows),
        cmocka_unit_test(test_no_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
