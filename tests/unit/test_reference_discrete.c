/*
 * test_reference_discrete.c — the discrete core against exact references.
 *
 * Reads tests/data/reference_discrete.txt (DV_TEST_DATA overrides the directory), made by
 * tests/data/gen/gen_reference_discrete.py with mpmath at 50 digits on the same double inputs,
 * and checks every KL, entropy, cross-entropy and JS (bases e, 2, 10) and every batch
 * against SPEC §1: 1e-12 relative (exactly 0 where the reference is 0); for cases with
 * logits 1e-12 relative or 1e-15 absolute. Prints the worst relative error per quantity.
 */
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

#include "divergence.h"

#define REL_TOL 1e-12
#define ABS_TOL_LOGITS 1e-15

/* ---- reading ------------------------------------------------------------------------ */

typedef struct tdist {
    bool logits;
    double T;
    bool norm;
    double *v;
    size_t n;
} tdist;

/* Same LCG and formulas as gen_values() in the generator; each step one IEEE operation. */
static uint64_t lcg_next(uint64_t *x)
{
    *x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
    return *x >> 11;
}

static void gen_values(const char *mode, uint64_t seed, size_t n, uint64_t a, uint64_t b,
                       int64_t c, double *out)
{
    uint64_t x = seed;
    for (size_t i = 0; i < n; i++) {
        uint64_t r = lcg_next(&x);
        uint64_t r2 = lcg_next(&x);
        if (strcmp(mode, "w") == 0) {
            out[i] = (double)(1 + r % a);
        } else if (strcmp(mode, "wz") == 0) {
            out[i] = (r2 % b == 0) ? 0.0 : (double)(1 + r % a);
        } else if (strcmp(mode, "wp") == 0) {
            int64_t k = (int64_t)(r2 % (uint64_t)(2 * c + 1));
            out[i] = (double)(1 + r % a) + (double)(k - c) * ldexp(1.0, -(int)b);
        } else if (strcmp(mode, "l") == 0) {
            double v = (double)((int64_t)(r % a) - (int64_t)(a / 2)) * 0x1p-10;
            v = v * (double)b;
            out[i] = v + (double)c;
        } else {
            fail_msg("unknown gen mode %s", mode);
        }
    }
}

/* Parses one "dist …" line at *s (advanced past it). */
static void parse_dist(char **s, tdist *d)
{
    char *p = *s;
    assert_true(strncmp(p, "dist ", 5) == 0);
    p += 5;
    d->logits = strncmp(p, "logits", 6) == 0;
    p = strchr(p, ' ') + 1;
    d->T = strtod(p, &p);
    d->norm = strtol(p, &p, 10) != 0;
    while (*p == ' ')
        p++;
    if (strncmp(p, "list", 4) == 0) {
        d->n = (size_t)strtoull(p + 4, &p, 10);
        d->v = malloc(d->n * sizeof *d->v);
        assert_non_null(d->v);
        for (size_t i = 0; i < d->n; i++)
            d->v[i] = strtod(p, &p);
    } else {
        char mode[8] = {0};
        p += 4;
        while (*p == ' ')
            p++;
        size_t k = 0;
        while (*p != ' ' && k < sizeof mode - 1)
            mode[k++] = *p++;
        uint64_t seed = strtoull(p, &p, 10);
        d->n = (size_t)strtoull(p, &p, 10);
        uint64_t a = strtoull(p, &p, 10);
        uint64_t b = strtoull(p, &p, 10);
        int64_t c = strtoll(p, &p, 10);
        d->v = malloc(d->n * sizeof *d->v);
        assert_non_null(d->v);
        gen_values(mode, seed, d->n, a, b, c, d->v);
    }
    *s = strchr(p, '\n') + 1;
}

static const char *cur_case = "";

static void prepare(tdist *t, const char *name, dv_dist *d)
{
    dv_error err;
    dv_status st = t->logits ? dv_prepare_logits(t->v, t->n, t->T, DV_NAME(name[0] == 'q' ? DV_ARG_Q : DV_ARG_P, name), d, &err)
                             : dv_prepare_weights(t->v, t->n, t->norm, DV_NAME(name[0] == 'q' ? DV_ARG_Q : DV_ARG_P, name), d, &err);
    if (st != DV_OK)
        fail_msg("%s: prepare %s: %s", cur_case, name, err.msg);
}

/* ---- checking ----------------------------------------------------------------------- */

enum { Q_KL, Q_H, Q_CE, Q_JS, Q_BATCH, NQ };
static const char *QNAME[NQ] = {"kl", "entropy", "cross-entropy", "js", "batch"};
static double worst[NQ];
static int ncases[NQ];
static int failures;

static void check(int q, const char *cname, const char *what, double got, double ref,
                  bool logits)
{
    double err = fabs(got - ref);
    double rel = ref > 0.0 ? err / ref : (err > 0.0 ? (double)INFINITY : 0.0);
    bool ok = rel <= REL_TOL || (logits && err <= ABS_TOL_LOGITS);
    /* The worst error reported is relative, except where the absolute bar was used. */
    double shown = (rel <= REL_TOL || !logits) ? rel : 0.0;
    if (shown > worst[q])
        worst[q] = shown;
    if (getenv("DV_TEST_VERBOSE") && shown > 1e-15)
        printf("  %s %s %s: rel err %.2g\n", cname, QNAME[q], what, shown);
    if (!ok) {
        print_error("%s %s %s: got %.17g, reference %.17g (rel err %.3g)\n", cname,
                    QNAME[q], what, got, ref, rel);
        failures++;
    }
}

/* "ref Q nats bits hartleys" or "ref Q inf I". */
static void check_ref(char **s, int q, const char *cname, dv_value got, bool logits)
{
    char *p = *s;
    assert_true(strncmp(p, "ref ", 4) == 0);
    p = strchr(p + 4, ' ') + 1;
    if (strncmp(p, "inf", 3) == 0) {
        size_t idx = (size_t)strtoull(p + 3, NULL, 10);
        if (!isinf(got.nats) || got.inf_index != idx) {
            print_error("%s %s: got %.17g (index %zu), reference inf at %zu\n", cname,
                        QNAME[q], got.nats, got.inf_index, idx);
            failures++;
        }
        ncases[q]++;
    } else {
        double r[3];
        for (int k = 0; k < 3; k++)
            r[k] = strtod(p, &p);
        dv_base b2, b10;
        assert_int_equal(dv_base_from(2.0, &b2, NULL), DV_OK);
        assert_int_equal(dv_base_from(10.0, &b10, NULL), DV_OK);
        check(q, cname, "nats", got.nats, r[0], logits);
        check(q, cname, "bits", dv_to_base(got.nats, &b2), r[1], logits);
        check(q, cname, "hartleys", dv_to_base(got.nats, &b10), r[2], logits);
        ncases[q]++;
    }
    *s = next_line(*s);
}

static void run_case(char **s, const char *cname)
{
    cur_case = cname;
    tdist tp, tq;
    parse_dist(s, &tp);
    parse_dist(s, &tq);
    dv_dist p, q;
    prepare(&tp, "p", &p);
    prepare(&tq, "q", &q);
    bool logits = tp.logits || tq.logits;
    dv_value kl = dv_kl(&p, &q, NULL);
    dv_value h = {dv_entropy(&p, NULL), DV_NO_INDEX};
    dv_value ce = dv_cross_entropy(&p, &q, NULL);
    dv_value js = {dv_js(&p, &q, NULL), DV_NO_INDEX};
    check_ref(s, Q_KL, cname, kl, logits);
    check_ref(s, Q_H, cname, h, logits);
    check_ref(s, Q_CE, cname, ce, logits);
    check_ref(s, Q_JS, cname, js, logits);
    free(tp.v);
    free(tq.v);
}

static void run_batch(char **s, const char *cname, size_t rows)
{
    cur_case = cname;
    tdist *tp = calloc(rows, sizeof *tp), *tq = calloc(rows, sizeof *tq);
    dv_dist *p = calloc(rows, sizeof *p), *q = calloc(rows, sizeof *q);
    dv_value *out = calloc(rows, sizeof *out);
    assert_true(tp && tq && p && q && out);
    bool logits = false;
    for (size_t r = 0; r < rows; r++) {
        parse_dist(s, &tp[r]);
        parse_dist(s, &tq[r]);
        prepare(&tp[r], "p", &p[r]);
        prepare(&tq[r], "q", &q[r]);
        logits = logits || tp[r].logits || tq[r].logits;
    }
    double sum, mean;
    dv_batch_kl(p, q, rows, out, &sum, &mean);
    char *l = *s;
    assert_true(strncmp(l, "ref rows ", 9) == 0);
    l += 9;
    for (size_t r = 0; r < rows; r++)
        check(Q_BATCH, cname, "row", out[r].nats, strtod(l, &l), logits);
    l = next_line(*s);
    assert_true(strncmp(l, "ref sum ", 8) == 0);
    check(Q_BATCH, cname, "sum", sum, strtod(l + 8, NULL), logits);
    l = next_line(l);
    assert_true(strncmp(l, "ref mean ", 9) == 0);
    check(Q_BATCH, cname, "mean", mean, strtod(l + 9, NULL), logits);
    *s = next_line(l);
    ncases[Q_BATCH]++;
    for (size_t r = 0; r < rows; r++) {
        free(tp[r].v);
        free(tq[r].v);
    }
    free(tp);
    free(tq);
    free(p);
    free(q);
    free(out);
}

static void test_reference(void **state)
{
    (void)state;
    char *buf = test_data("reference_discrete.txt");
    char *s = buf;
    while (*s) {
        char name[128] = {0};
        if (strncmp(s, "case ", 5) == 0) {
            sscanf(s + 5, "%127s", name);
            s = next_line(s);
            run_case(&s, name);
        } else if (strncmp(s, "batch ", 6) == 0) {
            size_t rows = 0;
            sscanf(s + 6, "%127s %zu", name, &rows);
            s = next_line(s);
            run_batch(&s, name, rows);
        } else if (*s == '#' || strncmp(s, "end", 3) == 0 || *s == '\n') {
            s = next_line(s);
        } else {
            fail_msg("unexpected line in reference_discrete.txt: %.40s", s);
        }
    }
    free(buf);
    for (int q = 0; q < NQ; q++)
        printf("reference %s: %d cases, worst rel err %.2g\n", QNAME[q], ncases[q], worst[q]);
    assert_int_equal(failures, 0);
    assert_true(ncases[Q_KL] > 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
