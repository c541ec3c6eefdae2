/*
 * check.h — comparisons shared by the unit tests (include after <cmocka.h>).
 */
#ifndef DV_TEST_CHECK_H
#define DV_TEST_CHECK_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* The whole of tests/data/<name> (DV_TEST_DATA overrides the directory), NUL-terminated;
 * the test fails when it cannot be read. The caller frees it. */
static inline char *test_data(const char *name)
{
    const char *dir = getenv("DV_TEST_DATA");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/data", name);
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long len = -1;
    if (f && fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0)
        buf = malloc((size_t)len + 1);
    if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
        free(buf);
        buf = NULL;
    }
    if (f)
        fclose(f);
    if (!buf)
        fail_msg("cannot read %s (run from the repository root or set DV_TEST_DATA)", path);
    buf[len] = '\0';
    return buf;
}

/* The line after the one s points into (or the end of the text). */
static inline char *next_line(char *s)
{
    char *e = strchr(s, '\n');
    return e ? e + 1 : s + strlen(s);
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
