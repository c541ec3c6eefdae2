/*
 * test_reference_gaussian.c — Gaussian KL against exact references (mpmath, 50 digits).
 *
 * Reads tests/data/reference_gaussian.txt (written by tests/data/gen/gen_reference_gaussian.py;
 * the directory can be overridden with DV_TEST_DATA), checks every case against SPEC §1's
 * bar (1e-12 relative for univariate/diagonal, 1e-9 for full covariances) and prints the
 * worst relative error of each group so a regression in accuracy is visible before it
 * becomes a failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "divergence.h"
#include <math.h>

#define MAX_GROUPS 16

typedef struct group_stats {
    char name[32];
    size_t cases;
    double worst;
    size_t worst_case;
} group_stats;

static dv_scale_kind parse_kind(const char *s)
{
    if (strcmp(s, "std") == 0)
        return DV_SCALE_STD;
    if (strcmp(s, "var") == 0)
        return DV_SCALE_VAR;
    if (strcmp(s, "log_var") == 0)
        return DV_SCALE_LOGVAR;
    assert_string_equal(s, "cov");
    return DV_SCALE_COV;
}

/* Parses "<tag> x0 x1 …" into a fresh array of exactly n doubles. */
static double *parse_vec(char *line, const char *tag, size_t n)
{
    size_t tl = strlen(tag);
    assert_true(strncmp(line, tag, tl) == 0 && line[tl] == ' ');
    double *v = malloc((n ? n : 1) * sizeof *v);
    assert_non_null(v);
    char *p = line + tl, *end;
    for (size_t i = 0; i < n; i++) {
        v[i] = strtod(p, &end);
        assert_true(end != p);
        p = end;
    }
    while (*p == ' ' || *p == '\n')
        p++;
    assert_true(*p == '\0');
    return v;
}

static char *next_line(FILE *f, char **buf, size_t *cap)
{
    for (;;) {
        if (getline(buf, cap, f) < 0)
            return NULL;
        if ((*buf)[0] != '#')
            return *buf;
    }
}

static group_stats *group_for(group_stats *g, size_t *ng, const char *name)
{
    for (size_t i = 0; i < *ng; i++)
        if (strcmp(g[i].name, name) == 0)
            return &g[i];
    assert_true(*ng < MAX_GROUPS);
    group_stats *s = &g[(*ng)++];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    return s;
}

static void test_reference(void **state)
{
    (void)state;
    const char *dir = getenv("DV_TEST_DATA");
    char path[1024];
    snprintf(path, sizeof path, "%s/reference_gaussian.txt", dir ? dir : "tests/data");
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s (run from the repository root or set DV_TEST_DATA)", path);

    group_stats groups[MAX_GROUPS];
    size_t ngroups = 0, total = 0, failures = 0;
    char *buf = NULL, *line;
    size_t cap = 0;
    while ((line = next_line(f, &buf, &cap)) != NULL) {
        char group[32], pks[16], qks[16];
        size_t dim;
        double expected;
        assert_int_equal(sscanf(line, "case %31s %zu %15s %15s %la", group, &dim, pks, qks,
                                &expected),
                         5);
        dv_scale_kind pk = parse_kind(pks);
        bool has_q = strcmp(qks, "none") != 0;
        dv_scale_kind qk = has_q ? parse_kind(qks) : DV_SCALE_STD;
        size_t pn = pk == DV_SCALE_COV ? dim * dim : dim;
        size_t qn = qk == DV_SCALE_COV ? dim * dim : dim;
        double *pm = parse_vec(next_line(f, &buf, &cap), "pm", dim);
        double *ps = parse_vec(next_line(f, &buf, &cap), "ps", pn);
        double *qm = NULL, *qs = NULL;
        if (has_q) {
            qm = parse_vec(next_line(f, &buf, &cap), "qm", dim);
            qs = parse_vec(next_line(f, &buf, &cap), "qs", qn);
        }
        dv_gauss p = {0, dim, pm, pk, ps}, q = {0, dim, qm, qk, qs};
        dv_error err;
        double got = -1.0;
        dv_status st = dv_gaussian_kl(&p, has_q ? &q : NULL, &got, &err);
        if (st != DV_OK)
            fail_msg("case %zu (%s): status %s: %s", total, group, dv_status_name(st),
                     err.msg);
        double rel = fabs(got - expected) / fabs(expected);
        double bar = (pk == DV_SCALE_COV || qk == DV_SCALE_COV) ? 1e-9 : 1e-12;
        group_stats *g = group_for(groups, &ngroups, group);
        g->cases++;
        if (rel > g->worst || isnan(rel)) {
            g->worst = rel;
            g->worst_case = total;
        }
        if (!(rel <= bar)) {
            failures++;
            print_message("case %zu (%s, dim %zu, %s vs %s): got %.17g expected %.17g, "
                          "rel err %.3g > %g\n",
                          total, group, dim, pks, qks, got, expected, rel, bar);
        }
        total++;
        free(pm);
        free(ps);
        free(qm);
        free(qs);
    }
    free(buf);
    fclose(f);
    for (size_t i = 0; i < ngroups; i++)
        print_message("reference gaussian %s: %zu cases, worst rel err %.2g (case %zu)\n",
                      groups[i].name, groups[i].cases, groups[i].worst, groups[i].worst_case);
    assert_true(total > 0);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
