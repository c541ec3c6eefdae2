/*
 * check.h — comparisons shared by the unit tests (include after <cmocka.h>).
 */
#ifndef DV_TEST_CHECK_H
#define DV_TEST_CHECK_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>

#include "divergence.h"

/* Exact equality without -Wfloat-equal's complaint (and false for NaN). */
static inline bool same(double a, double b)
{
    return !(a < b) && !(a > b) && !isnan(a) && !isnan(b);
}

/* |got − want| ≤ tol·|want|, else the test fails with both values. */
static inline void assert_rel(double got, double want, double tol)
{
    double err = fabs(got - want);
    if (!(err <= tol * fabs(want)))
        fail_msg("got %.17g, want %.17g (rel err %.3g > %.3g)", got, want,
                 err / fabs(want), tol);
}

/* The error's location is (arg, member, i, j); member NULL = the argument itself. */
static inline void assert_loc(const dv_error *e, int arg, const char *member, size_t i,
                              size_t j)
{
    assert_int_equal(e->at.arg, arg);
    if (member)
        assert_string_equal(e->at.member ? e->at.member : "(none)", member);
    else
        assert_null(e->at.member);
    assert_true(e->at.idx[0] == i);
    assert_true(e->at.idx[1] == j);
}

#endif
