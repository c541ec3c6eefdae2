/*
 * test_reference_families.c — the continuous families against 50-digit references.
 *
 * Reads tests/data/reference_families.txt (DV_TEST_DATA overrides the directory), made by
 * tests/data/gen/gen_reference_families.py with mpmath on the same double inputs, and
 * checks every KL and entropy through dv_family_kl / dv_family_entropy: 1e-12 relative
 * (exactly 0 where the reference is 0; +inf with a reason where it is inf). Prints the
 * worst relative error per pair and per entropy, and per tag (wide / near / extreme).
 */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"

#include "families.h"

#define REL_TOL 1e-12
#define MAXG 256
#define MAXV 16

typedef struct group {
    char name[96];
    double worst;
    int n;
} group;

static FILE *dump; /* DV_TEST_DUMP: one line per case, "<got %a>" or "error", for
                      tests/data/gen/compare_torch_families.py */
static group groups[MAXG];
static int ngroups;
static int failures;

static group *group_of(const char *name)
{
    for (int i = 0; i < ngroups; i++)
        if (strcmp(groups[i].name, name) == 0)
            return &groups[i];
    assert_true(ngroups < MAXG);
    group *g = &groups[ngroups++];
    snprintf(g->name, sizeof g->name, "%s", name);
    return g;
}

static void note(const char *gname, double rel)
{
    group *g = group_of(gname);
    g->n++;
    if (rel > g->worst)
        g->worst = rel;
}

static char *word(char **s)
{
    while (**s == ' ')
        (*s)++;
    char *w = *s;
    while (**s && **s != ' ' && **s != '\n')
        (*s)++;
    if (**s == ' ')
        *(*s)++ = '\0';
    return w;
}

/* "<fam> <n> <v...>" into x (vals must outlive x). */
static void parse_dist(char **s, dv_fdist *x, double *vals)
{
    char *fam = word(s);
    x->fam = dv_family_find(fam, strlen(fam));
    if (!x->fam)
        fail_msg("unknown family %s", fam);
    size_t n = (size_t)strtoul(word(s), NULL, 10);
    assert_true(n <= MAXV);
    for (size_t i = 0; i < n; i++)
        vals[i] = strtod(word(s), NULL);
    for (size_t i = 0; i < DV_FAM_MAX_PARAMS; i++) {
        x->s[i] = NAN;
        x->v[i] = NULL;
    }
    x->d = x->r = 0;
    if (x->fam->params[0].shape == DV_PARAM_VECTOR) {
        x->v[0] = vals;
        x->d = n;
    } else {
        for (size_t i = 0; i < n; i++)
            x->s[i] = vals[i];
    }
}

static void check_one(const char *tag, const char *gname, const char *line_copy,
                      dv_status st, const dv_error *err, const dv_fresult *r, const char *ref)
{
    char tg[128];
    snprintf(tg, sizeof tg, "[%s]", tag);
    if (dump) {
        if (st == DV_OK)
            fprintf(dump, "%a\n", r->nats);
        else
            fprintf(dump, "error\n");
    }
    if (st == DV_NOT_FINITE && strcmp(ref, "inf") != 0 && !(fabs(strtod(ref, NULL)) <= DBL_MAX)) {
        note("[beyond a double: not_finite as expected]", 0.0);
        return; /* a finite KL above 1.8e308 is reported as not representable */
    }
    if (st != DV_OK) {
        print_error("%s: error %s\n", line_copy, err->msg);
        failures++;
        return;
    }
    if (strcmp(ref, "inf") == 0) {
        if (!isinf(r->nats) || !r->reason) {
            print_error("%s: got %.17g, want inf with a reason\n", line_copy, r->nats);
            failures++;
        }
        note(gname, 0.0);
        return;
    }
    double want = strtod(ref, NULL);
    double e = fabs(r->nats - want);
    double rel = fabs(want) > 0 ? e / fabs(want) : (e > 0 ? (double)INFINITY : 0.0);
    note(gname, rel);
    note(tg, rel);
    if (!(rel <= REL_TOL)) {
        print_error("%s: got %.17g, want %s (rel err %.3g)\n", line_copy, r->nats, ref, rel);
        failures++;
    }
}

static void test_reference(void **state)
{
    (void)state;
    char *buf = test_data("reference_families.txt");
    int ncases = 0;
    const char *dpath = getenv("DV_TEST_DUMP");
    dump = dpath ? fopen(dpath, "w") : NULL;
    for (char *line = buf; *line;) {
        char *end = strchr(line, '\n');
        if (end)
            *end = '\0';
        char copy[1024];
        snprintf(copy, sizeof copy, "%s", line);
        char *s = line;
        if (strncmp(s, "case ", 5) == 0) {
            s += 5;
            char *tag = word(&s), *kind = word(&s);
            double pv[MAXV], qv[MAXV];
            dv_fdist p, q;
            dv_fresult r = {0, NULL};
            dv_error err;
            memset(&err, 0, sizeof err);
            char gname[96];
            parse_dist(&s, &p, pv);
            if (strcmp(kind, "kl") == 0) {
                parse_dist(&s, &q, qv);
                snprintf(gname, sizeof gname, "kl %s||%s", p.fam->name, q.fam->name);
                dv_status st = dv_family_kl(&p, &q, &r, &err);
                check_one(tag, gname, copy, st, &err, &r, word(&s));
            } else {
                snprintf(gname, sizeof gname, "entropy %s", p.fam->name);
                dv_status st = dv_family_entropy(&p, &r, &err);
                check_one(tag, gname, copy, st, &err, &r, word(&s));
            }
            ncases++;
        }
        line = end ? end + 1 : line + strlen(line);
    }
    free(buf);
    if (dump)
        fclose(dump);
    printf("%d cases; worst relative error per group (bar %.0e):\n", ncases, REL_TOL);
    for (int i = 0; i < ngroups; i++)
        printf("  %-50s %5d  %.2e%s\n", groups[i].name, groups[i].n, groups[i].worst,
               groups[i].worst > REL_TOL ? "  FAIL" : "");
    assert_true(ncases > 0);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_reference)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
