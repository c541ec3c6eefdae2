/*
 * test_reference_measures.c — every measure of SPEC §7 against exact references.
 *
 * Reads tests/data/reference_measures.txt (DV_TEST_DATA overrides the directory), made by
 * tests/data/gen/gen_reference_measures.py with mpmath at 50 digits on the same double
 * inputs, runs dv_measures() with every measure on each case and checks SPEC §7:
 * 1e-12 relative (exactly 0 where the reference is 0; for cases with logits 1e-12
 * relative or 1e-15 absolute), infinities with their cause and index. Without smoothing
 * it also checks that kl, js and cross_entropy are bit-equal to dv_kl, dv_js and
 * dv_cross_entropy. Prints the worst relative error per measure (and per α).
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
#include "measures.h"

#define REL_TOL 1e-12
#define ABS_TOL_LOGITS 1e-15
#define MAX_ALPHA 16

typedef struct tdist {
    bool logits;
    double T;
    bool norm;
    double *v;
    size_t n;
} tdist;

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static double *read_doubles(char **p, size_t n)
{
    double *v = malloc((n ? n : 1) * sizeof *v);
    assert_non_null(v);
    for (size_t i = 0; i < n; i++)
        v[i] = strtod(*p, p);
    return v;
}

/* "dist KIND T NORM N values…" */
static void parse_dist(char **s, tdist *d)
{
    char *p = *s;
    assert_true(starts(p, "dist "));
    p += 5;
    d->logits = starts(p, "logits");
    p = strchr(p, ' ') + 1;
    d->T = strtod(p, &p);
    d->norm = strtol(p, &p, 10) != 0;
    d->n = (size_t)strtoull(p, &p, 10);
    d->v = read_doubles(&p, d->n);
    *s = next_line(*s);
}

/* A reference value: a number, or inf:q:I / inf:p:I / inf:d / inf:o. */
typedef struct tref {
    bool inf;
    dv_inf_cause cause;
    size_t index;
    double v;
} tref;

static tref parse_ref(char **p)
{
    tref r = { false, DV_INF_NONE, DV_NO_INDEX, 0.0 };
    while (**p == ' ')
        (*p)++;
    if (starts(*p, "inf:")) {
        r.inf = true;
        char k = (*p)[4];
        r.cause = k == 'q'   ? DV_INF_Q_ZERO
                  : k == 'p' ? DV_INF_P_ZERO
                  : k == 'o' ? DV_INF_OVERFLOW
                             : DV_INF_DISJOINT;
        *p += 5;
        if (k == 'q' || k == 'p')
            r.index = (size_t)strtoull(*p + 1, p, 10);
    } else {
        r.v = strtod(*p, p);
    }
    return r;
}

/* ---- checking ----------------------------------------------------------------------- */

/* Rows of the report: the measures, then renyi and tsallis per α of the main list. */
enum { NROW = DV_M_COUNT + 2 * MAX_ALPHA };
static double worst[NROW];
static int ncases[NROW];
static char rowname[NROW][48];
static int failures;
static int nbitchecks;

static void check(int row, const char *cname, dv_mvalue got, tref ref, bool logits)
{
    ncases[row]++;
    if (ref.inf) {
        if (!isinf(got.value) || got.cause != ref.cause || got.index != ref.index) {
            print_error("%s %s: got %.17g (cause %d, index %zu), reference inf (cause %d, "
                        "index %zu)\n",
                        cname, rowname[row], got.value, (int)got.cause, got.index,
                        (int)ref.cause, ref.index);
            failures++;
        }
        return;
    }
    double err = fabs(got.value - ref.v);
    double rel = ref.v > 0.0 ? err / ref.v : (err > 0.0 ? (double)INFINITY : 0.0);
    bool ok = rel <= REL_TOL || (logits && err <= ABS_TOL_LOGITS);
    double shown = (rel <= REL_TOL || !logits) ? rel : 0.0;
    if (shown > worst[row])
        worst[row] = shown;
    if (getenv("DV_TEST_VERBOSE") && shown > 1e-14)
        printf("  %s %s: rel err %.2g\n", cname, rowname[row], shown);
    if (!ok || got.cause != DV_INF_NONE || got.value < 0.0 || signbit(got.value)) {
        print_error("%s %s: got %.17g, reference %.17g (rel err %.3g)\n", cname,
                    rowname[row], got.value, ref.v, rel);
        failures++;
    }
}

static void bit_equal(const char *cname, const char *what, double a, double b)
{
    nbitchecks++;
    if (memcmp(&a, &b, sizeof a) != 0 && !(isinf(a) && isinf(b))) {
        print_error("%s: %s is %a, the single-measure core says %a\n", cname, what, a, b);
        failures++;
    }
}

static void prepare(tdist *t, const char *name, dv_dist *d, const char *cname)
{
    dv_error err;
    const dv_name *nm = DV_NAME(name[0] == 'q' ? DV_ARG_Q : DV_ARG_P, name);
    dv_status st = t->logits ? dv_prepare_logits(t->v, t->n, t->T, nm, d, &err)
                             : dv_prepare_weights(t->v, t->n, t->norm, nm, d, &err);
    if (st != DV_OK)
        fail_msg("%s: prepare %s: %s", cname, name, err.msg);
}

static double main_alpha[MAX_ALPHA];
static size_t n_main_alpha;

/* The report row of renyi (tsallis) at α, or -1 when α is not in the first case's list. */
static int alpha_row(bool tsallis, double a)
{
    for (size_t k = 0; k < n_main_alpha; k++)
        if (same(main_alpha[k], a))
            return DV_M_COUNT + (int)(2 * k) + (tsallis ? 1 : 0);
    return -1;
}

static void run_case(char **s, const char *cname)
{
    tdist tp, tq;
    parse_dist(s, &tp);
    parse_dist(s, &tq);
    char *l = *s;
    assert_true(starts(l, "smoothing "));
    double smoothing = strtod(l + 10, NULL);
    l = next_line(l);
    assert_true(starts(l, "alpha "));
    char *p = l + 6;
    size_t na = (size_t)strtoull(p, &p, 10);
    assert_true(na >= 1 && na <= MAX_ALPHA);
    double *alpha = read_doubles(&p, na);
    if (n_main_alpha == 0) {
        n_main_alpha = na;
        for (size_t k = 0; k < na; k++) {
            main_alpha[k] = alpha[k];
            snprintf(rowname[DV_M_COUNT + 2 * k], sizeof rowname[0], "renyi(a=%g)",
                     alpha[k]);
            snprintf(rowname[DV_M_COUNT + 2 * k + 1], sizeof rowname[0], "tsallis(a=%g)",
                     alpha[k]);
        }
    }
    l = next_line(l);
    assert_true(starts(l, "positions "));
    double *pos = NULL;
    size_t npos = 0;
    if (!starts(l, "positions none")) {
        p = l + 10;
        npos = (size_t)strtoull(p, &p, 10);
        pos = read_doubles(&p, npos);
    }
    l = next_line(l);

    dv_dist P, Q;
    prepare(&tp, "p", &P, cname);
    prepare(&tq, "q", &Q, cname);
    bool logits = tp.logits || tq.logits;
    dv_measures_req req;
    memset(&req, 0, sizeof req);
    req.set = (dv_measure_set)(DV_MSET(DV_M_COUNT) - 1u);
    req.alpha = alpha;
    req.n_alpha = na;
    req.smoothing = smoothing;
    req.positions = pos;
    req.n_positions = npos;
    dv_mvalue renyi[MAX_ALPHA], tsallis[MAX_ALPHA];
    dv_measures_res res = { .renyi = renyi, .tsallis = tsallis };
    dv_error err;
    if (dv_measures(&P, &Q, &req, &res, &err) != DV_OK)
        fail_msg("%s: dv_measures: %s", cname, err.msg);

    for (int m = 0; m < DV_M_COUNT; m++) {
        if (m == DV_M_RENYI || m == DV_M_TSALLIS)
            continue;
        assert_true(starts(l, "ref "));
        p = l + 4;
        const char *want = dv_measure_name((dv_measure)m);
        size_t wl = strlen(want);
        if (strncmp(p, want, wl) != 0 || p[wl] != ' ')
            fail_msg("%s: expected ref %s, found %.30s", cname, want, p);
        p += wl;
        check(m, cname, res.m[m], parse_ref(&p), logits);
        l = next_line(l);
    }
    for (int t = 0; t < 2; t++) {
        assert_true(starts(l, t ? "ref tsallis " : "ref renyi "));
        p = l + (t ? 12 : 10);
        for (size_t k = 0; k < na; k++) {
            tref r = parse_ref(&p);
            int row = alpha_row(t == 1, alpha[k]);
            check(t ? DV_M_TSALLIS : DV_M_RENYI, cname, t ? tsallis[k] : renyi[k], r,
                  logits);
            if (row >= 0)
                check(row, cname, t ? tsallis[k] : renyi[k], r, logits);
        }
        l = next_line(l);
    }
    assert_true(starts(l, "end"));
    *s = next_line(l);

    if (!(smoothing > 0.0)) {
        dv_value kl = dv_kl(&P, &Q, NULL);
        bit_equal(cname, "kl", res.m[DV_M_KL].value, kl.nats);
        assert_true(res.m[DV_M_KL].index == kl.inf_index);
        bit_equal(cname, "js", res.m[DV_M_JS].value, dv_js(&P, &Q, NULL));
        bit_equal(cname, "cross_entropy", res.m[DV_M_CROSS_ENTROPY].value,
                  dv_cross_entropy(&P, &Q, NULL).nats);
    }
    free(tp.v);
    free(tq.v);
    free(alpha);
    free(pos);
}

static void test_reference(void **state)
{
    (void)state;
    for (int m = 0; m < DV_M_COUNT; m++)
        snprintf(rowname[m], sizeof rowname[0], "%s", dv_measure_name((dv_measure)m));
    char *buf = test_data("reference_measures.txt");
    char *s = buf;
    int total = 0;
    while (*s) {
        if (starts(s, "case ")) {
            char name[128] = { 0 };
            sscanf(s + 5, "%127s", name);
            s = next_line(s);
            run_case(&s, name);
            total++;
        } else if (*s == '#' || *s == '\n') {
            s = next_line(s);
        } else {
            fail_msg("unexpected line in reference_measures.txt: %.40s", s);
        }
    }
    free(buf);
    for (int r = 0; r < NROW; r++)
        if (ncases[r] > 0)
            printf("measures: %s worst %.2g over %d cases\n", rowname[r], worst[r],
                   ncases[r]);
    printf("measures: %d cases, %d bit-equality checks against dv_kl/dv_js/"
           "dv_cross_entropy\n",
           total, nbitchecks);
    assert_int_equal(failures, 0);
    assert_true(total > 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
