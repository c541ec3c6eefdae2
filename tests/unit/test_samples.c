/*
 * test_samples.c — the insertion-ordered support set and empirical counts: the SPEC worked
 * example, JSON-value equality (1 == 1.0, −0 == 0, "1" and true are other keys), strings
 * with NUL bytes, growth through many distinct values, and the empty-sample errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "divergence.h"
#include <math.h>

static dv_key num(double x)
{
    dv_key k = {DV_KEY_NUMBER, x, NULL, 0, false};
    return k;
}

static dv_key str(const char *s, size_t len)
{
    dv_key k = {DV_KEY_STRING, 0.0, s, len, false};
    return k;
}

static dv_key boolean(bool b)
{
    dv_key k = {DV_KEY_BOOL, 0.0, NULL, 0, b};
    return k;
}

static void assert_counts(const double *got, const double *want, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!(fabs(got[i] - want[i]) <= 0.0))
            fail_msg("count[%zu] is %g, want %g", i, got[i], want[i]);
}

/* SPEC §2: p [1,1,2,2,3], q [1,1,1,1,1,2,3,3,3,3] → support [1,2,3], p [2,2,1], q [5,1,4]. */
static void test_spec_example(void **state)
{
    (void)state;
    dv_key ps[5], qs[10];
    const double pv[5] = {1, 1, 2, 2, 3}, qv[10] = {1, 1, 1, 1, 1, 2, 3, 3, 3, 3};
    for (int i = 0; i < 5; i++)
        ps[i] = num(pv[i]);
    for (int i = 0; i < 10; i++)
        qs[i] = num(qv[i]);
    dv_support *s;
    double *pc, *qc;
    dv_error err;
    assert_int_equal(dv_empirical(ps, 5, qs, 10, &s, &pc, &qc, &err), DV_OK);
    assert_int_equal(dv_support_size(s), 3);
    for (size_t i = 0; i < 3; i++) {
        const dv_key *k = dv_support_key(s, i);
        assert_int_equal(k->kind, DV_KEY_NUMBER);
        assert_true(fabs(k->num - (double)(i + 1)) <= 0.0);
    }
    assert_null(dv_support_key(s, 3));
    assert_counts(pc, (const double[]){2, 2, 1}, 3);
    assert_counts(qc, (const double[]){5, 1, 4}, 3);
    free(pc);
    free(qc);
    dv_support_free(s);
}

/* Q's new values follow P's, in Q's order of first appearance. */
static void test_support_order(void **state)
{
    (void)state;
    dv_key ps[3] = {str("b", 1), str("a", 1), str("b", 1)};
    dv_key qs[4] = {str("c", 1), str("a", 1), str("d", 1), str("c", 1)};
    dv_support *s;
    double *pc, *qc;
    dv_error err;
    assert_int_equal(dv_empirical(ps, 3, qs, 4, &s, &pc, &qc, &err), DV_OK);
    const char *want = "bacd";
    assert_int_equal(dv_support_size(s), 4);
    for (size_t i = 0; i < 4; i++)
        assert_memory_equal(dv_support_key(s, i)->str, want + i, 1);
    assert_counts(pc, (const double[]){2, 1, 0, 0}, 4);
    assert_counts(qc, (const double[]){0, 1, 2, 1}, 4);
    free(pc);
    free(qc);
    dv_support_free(s);

    /* No Q (entropy): q counts stay NULL. */
    assert_int_equal(dv_empirical(ps, 3, NULL, 0, &s, &pc, &qc, &err), DV_OK);
    assert_null(qc);
    assert_int_equal(dv_support_size(s), 2);
    free(pc);
    dv_support_free(s);
}

/* 1, 1.0, "1" and true are three keys; −0 and 0 are one; false ≠ 0 ≠ "". */
static void test_equality(void **state)
{
    (void)state;
    dv_support *s = dv_support_new(0);
    assert_non_null(s);
    size_t i;
    dv_key one = num(1), one_f = num(1.0), one_s = str("1", 1), t = boolean(true);
    assert_int_equal(dv_support_add(s, &one, &i), DV_OK);
    assert_int_equal(i, 0);
    assert_int_equal(dv_support_add(s, &one_f, &i), DV_OK);
    assert_int_equal(i, 0);
    assert_int_equal(dv_support_add(s, &one_s, &i), DV_OK);
    assert_int_equal(i, 1);
    assert_int_equal(dv_support_add(s, &t, &i), DV_OK);
    assert_int_equal(i, 2);

    dv_key z = num(0.0), nz = num(-0.0), f = boolean(false), empty = str("", 0);
    assert_int_equal(dv_support_add(s, &nz, &i), DV_OK);
    assert_int_equal(i, 3);
    assert_int_equal(dv_support_add(s, &z, &i), DV_OK);
    assert_int_equal(i, 3);
    assert_int_equal(dv_support_add(s, &f, &i), DV_OK);
    assert_int_equal(i, 4);
    assert_int_equal(dv_support_add(s, &empty, &i), DV_OK);
    assert_int_equal(i, 5);
    assert_int_equal(dv_support_size(s), 6);

    /* Strings compare by bytes, NUL included; a prefix is another key. */
    dv_key a = str("a\0b", 3), a2 = str("a\0c", 3), a3 = str("a", 1), a4 = str("a\0b", 3);
    assert_int_equal(dv_support_add(s, &a, &i), DV_OK);
    assert_int_equal(i, 6);
    assert_int_equal(dv_support_add(s, &a2, &i), DV_OK);
    assert_int_equal(i, 7);
    assert_int_equal(dv_support_add(s, &a3, &i), DV_OK);
    assert_int_equal(i, 8);
    assert_int_equal(dv_support_find(s, &a4), 6);

    dv_key missing = num(2.0), tr = boolean(true);
    assert_true(dv_support_find(s, &missing) == DV_NO_INDEX);
    assert_int_equal(dv_support_find(s, &tr), 2);
    assert_int_equal(dv_support_find(s, &z), 3);
    dv_support_free(s);
    dv_support_free(NULL);
}

/* 10^6 samples, half of them distinct: growth keeps order and counts; and it is fast. */
static void test_many_distinct(void **state)
{
    (void)state;
    enum { N = 1000000 };
    dv_key *ps = malloc(N * sizeof *ps);
    assert_non_null(ps);
    for (size_t i = 0; i < N; i++)
        ps[i] = num((double)(i % (N / 2)) * 0.5);
    dv_support *s;
    double *pc, *qc;
    dv_error err;
    clock_t t0 = clock();
    assert_int_equal(dv_empirical(ps, N, NULL, 0, &s, &pc, &qc, &err), DV_OK);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    assert_int_equal(dv_support_size(s), N / 2);
    for (size_t i = 0; i < N / 2; i += 9973) {
        assert_true(fabs(dv_support_key(s, i)->num - (double)i * 0.5) <= 0.0);
        assert_true(fabs(pc[i] - 2.0) <= 0.0);
    }
    /* Timing is reported, never asserted: speed lives in benchmarks. */
    print_message("samples: 10^6 numbers (5e5 distinct) counted in %.3f s\n", secs);
    free(pc);
    dv_support_free(s);

    /* Many distinct strings through dv_support_add directly. */
    char(*buf)[16] = malloc(200000 * sizeof *buf);
    assert_non_null(buf);
    dv_support *t = dv_support_new(4);
    assert_non_null(t);
    for (size_t i = 0; i < 200000; i++) {
        int len = snprintf(buf[i], sizeof buf[i], "s%zu", i);
        dv_key k = str(buf[i], (size_t)len);
        size_t idx;
        assert_int_equal(dv_support_add(t, &k, &idx), DV_OK);
        assert_int_equal(idx, i);
    }
    for (size_t i = 0; i < 200000; i += 997) {
        dv_key k = str(buf[i], strlen(buf[i]));
        assert_int_equal(dv_support_find(t, &k), i);
    }
    dv_support_free(t);
    free(buf);
    free(ps);
}

static void test_empty(void **state)
{
    (void)state;
    dv_key k = num(1);
    dv_support *s = (dv_support *)&k; /* must be overwritten with NULL */
    double *pc = &k.num, *qc = &k.num;
    dv_error err;
    assert_int_equal(dv_empirical(&k, 0, &k, 1, &s, &pc, &qc, &err), DV_EMPTY);
    assert_int_equal(err.at.arg, DV_ARG_P);
    assert_null(s);
    assert_null(pc);
    assert_null(qc);
    assert_int_equal(dv_empirical(&k, 1, &k, 0, &s, &pc, &qc, &err), DV_EMPTY);
    assert_int_equal(err.at.arg, DV_ARG_Q);
    assert_null(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_example),
        cmocka_unit_test(test_support_order),
        cmocka_unit_test(test_equality),
        cmocka_unit_test(test_many_distinct),
        cmocka_unit_test(test_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
