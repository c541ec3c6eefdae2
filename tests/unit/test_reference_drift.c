/*
 * test_reference_drift.c — the drift core against numpy / scipy / mpmath references.
 *
 * Reads tests/data/reference_drift.txt (DV_TEST_DATA overrides the directory), made by
 * tests/data/gen/gen_reference_drift.py with Debian's numpy and scipy, and checks SPEC §9's
 * agreement bar: quantile edges, W1, W1/σ, the KS statistic and the χ² statistic within
 * 1e-9 relative; counts exactly; KS and χ² p-values (and kstwo.sf) within 1e-6 relative,
 * or 1e-16 absolute where the reference is below 1e-10; the incomplete gamma within 1e-12
 * relative of mpmath. Prints the worst relative error per figure (DV_TEST_VERBOSE=1 adds
 * every case above 1e-15).
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

#include "drift.h"

#define REL_FIG 1e-9
#define REL_P 1e-6
#define ABS_P 1e-16
#define SMALL_P 1e-10
#define REL_GAMMA 1e-12

enum { F_EDGES, F_COUNTS, F_W1, F_W1N, F_STD, F_KS_D, F_KS_P, F_CHI2, F_CHI2_P, F_KSTWO,
       F_GAMMA, NF };
static const char *FNAME[NF] = {"edges",      "counts (mismatches)", "wasserstein",
                                "wasserstein_normed", "std (vs exact)", "ks statistic",
                                "ks p-value", "chi2 statistic", "chi2 p-value",
                                "kstwo sf", "gamma P/Q (vs mpmath)"};
static double worst[NF];
static int nchecked[NF];
static int failures;
static int edges_bit_exact, edges_total;

static double rel_err(double got, double ref)
{
    double e = fabs(got - ref);
    if (!(fabs(ref) > 0.0)) /* an exact reference zero */
        return e > 0.0 ? (double)INFINITY : 0.0;
    return e / fabs(ref);
}

static void check_rel(int f, const char *cname, double got, double ref, double tol)
{
    double r = rel_err(got, ref);
    nchecked[f]++;
    if (r > worst[f])
        worst[f] = r;
    if (getenv("DV_TEST_VERBOSE") && r > 1e-15)
        printf("  %s %s: rel err %.3g\n", cname, FNAME[f], r);
    if (!(r <= tol)) {
        print_error("%s %s: got %.17g, reference %.17g (rel err %.3g)\n", cname, FNAME[f],
                    got, ref, r);
        failures++;
    }
}

/* p-values: relative, or absolute below SMALL_P (the worst shown is relative where the
 * relative bar applies). */
static void check_p(int f, const char *cname, double got, double ref)
{
    double r = rel_err(got, ref);
    nchecked[f]++;
    bool small = ref < SMALL_P;
    bool ok = small ? fabs(got - ref) <= ABS_P : r <= REL_P;
    if (!small && r > worst[f])
        worst[f] = r;
    if (getenv("DV_TEST_VERBOSE") && !small && r > 1e-15)
        printf("  %s %s: rel err %.3g\n", cname, FNAME[f], r);
    if (!ok) {
        print_error("%s %s: got %.17g, reference %.17g (rel err %.3g)\n", cname, FNAME[f],
                    got, ref, r);
        failures++;
    }
}

/* Expects the line at *s to start with `tag`; returns the text after it. */
static char *expect(char **s, const char *tag)
{
    char *p = *s;
    size_t n = strlen(tag);
    if (strncmp(p, tag, n) != 0 || p[n] != ' ')
        fail_msg("expected a '%s' line, found '%.40s'", tag, p);
    *s = next_line(p);
    return p + n + 1;
}

static void skip_spaces(char **p)
{
    while (**p == ' ')
        (*p)++;
}

/* "tag n v v v …" with "null" tokens into values/mask. */
static size_t read_values(char **s, const char *tag, double **vals, bool **mask)
{
    char *p = expect(s, tag);
    size_t n = (size_t)strtoull(p, &p, 10);
    *vals = calloc(n ? n : 1, sizeof **vals);
    *mask = calloc(n ? n : 1, sizeof **mask);
    assert_non_null(*vals);
    assert_non_null(*mask);
    for (size_t i = 0; i < n; i++) {
        skip_spaces(&p);
        if (strncmp(p, "null", 4) == 0) {
            (*mask)[i] = true;
            p += 4;
        } else {
            (*vals)[i] = strtod(p, &p);
        }
    }
    return n;
}

static size_t read_doubles(char **s, const char *tag, double **vals)
{
    char *p = expect(s, tag);
    size_t n = (size_t)strtoull(p, &p, 10);
    *vals = calloc(n ? n : 1, sizeof **vals);
    assert_non_null(*vals);
    for (size_t i = 0; i < n; i++)
        (*vals)[i] = strtod(p, &p);
    return n;
}

static void check_counts(const char *cname, const char *which, const double *got,
                         size_t ngot, const double *ref, size_t nref)
{
    nchecked[F_COUNTS]++;
    bool ok = ngot == nref;
    for (size_t i = 0; ok && i < nref; i++)
        ok = !(got[i] < ref[i]) && !(got[i] > ref[i]);
    if (!ok) {
        print_error("%s %s counts differ (%zu vs %zu bins)\n", cname, which, ngot, nref);
        worst[F_COUNTS] += 1.0;
        failures++;
    }
}

static void run_numeric(char **s, const char *cname, size_t k)
{
    double *rv, *cv, *edges_ref, *rc_ref, *cc_ref;
    bool *rm, *cm;
    size_t nr = read_values(s, "ref", &rv, &rm);
    size_t nc = read_values(s, "cur", &cv, &cm);
    size_t ne = read_doubles(s, "edges", &edges_ref);
    size_t nrc = read_doubles(s, "rcounts", &rc_ref);
    size_t ncc = read_doubles(s, "ccounts", &cc_ref);
    char *p = expect(s, "w1");
    double w1 = strtod(p, &p);
    skip_spaces(&p);
    bool has_wn = strncmp(p, "none", 4) != 0;
    double wn = has_wn ? strtod(p, &p) : 0.0;
    p = expect(s, "std");
    double sd = strtod(p, &p);
    p = expect(s, "ks");
    double ksd = strtod(p, &p), ksp = strtod(p, &p);
    int ks_exact = (int)strtol(p, &p, 10);

    size_t nw = dv_drift_numeric_work(nr, nc);
    assert_true(nw > 0);
    double *work = malloc(nw * sizeof *work);
    size_t cap = k + 2;
    double *edges = malloc(cap * sizeof *edges);
    double *rc = malloc(cap * sizeof *rc), *cc = malloc(cap * sizeof *cc);
    assert_non_null(work);
    assert_non_null(edges);
    assert_non_null(rc);
    assert_non_null(cc);
    dv_drift_numeric_in in = {rv, rm, nr, cv, cm, nc, NULL, 0, k, true};
    dv_drift_numeric_out out = {.edges = edges, .ref_counts = rc, .cur_counts = cc};
    dv_error err;
    dv_status st = dv_drift_numeric(&in, work, &out, &err);
    if (st != DV_OK)
        fail_msg("%s: %s", cname, err.msg);

    if (out.n_edges != ne) {
        print_error("%s: %zu edges, reference %zu\n", cname, out.n_edges, ne);
        failures++;
    } else {
        for (size_t i = 0; i < ne; i++) {
            check_rel(F_EDGES, cname, edges[i], edges_ref[i], REL_FIG);
            edges_total++;
            if (!(edges[i] < edges_ref[i]) && !(edges[i] > edges_ref[i]))
                edges_bit_exact++;
        }
    }
    check_counts(cname, "reference", rc, out.n_bins, rc_ref, nrc);
    check_counts(cname, "current", cc, out.n_bins, cc_ref, ncc);
    /* The per-value counter must agree with the sorted one. */
    double *rc2 = malloc(cap * sizeof *rc2);
    assert_non_null(rc2);
    size_t nulls = 0;
    dv_drift_count(edges, out.n_edges, cv, cm, nc, rc2, &nulls);
    if (out.has_missing)
        rc2[out.n_edges + 1] = (double)nulls;
    check_counts(cname, "current (per value)", rc2, out.n_bins, cc_ref, ncc);
    free(rc2);

    assert_true(out.has_sample);
    check_rel(F_W1, cname, out.wasserstein, w1, REL_FIG);
    if (out.has_normed != has_wn) {
        print_error("%s: wasserstein_normed %s, reference %s\n", cname,
                    out.has_normed ? "present" : "absent", has_wn ? "present" : "absent");
        failures++;
    } else if (has_wn) {
        check_rel(F_W1N, cname, out.wasserstein_normed, wn, REL_FIG);
    }
    check_rel(F_STD, cname, out.ref_std, sd, 1e-12);
    check_rel(F_KS_D, cname, out.ks.statistic, ksd, REL_FIG);
    check_p(F_KS_P, cname, out.ks.p_value, ksp);
    if ((int)out.ks.exact != ks_exact) {
        print_error("%s: KS mode %s, scipy's %s\n", cname, out.ks.exact ? "exact" : "asymp",
                    ks_exact ? "exact" : "asymp");
        failures++;
    }
    free(rv);
    free(cv);
    free(rm);
    free(cm);
    free(edges_ref);
    free(rc_ref);
    free(cc_ref);
    free(work);
    free(edges);
    free(rc);
    free(cc);
}

static void check_chi2_line(char **s, const char *cname, const double *rc, const double *cc,
                            size_t m)
{
    char *p = expect(s, "chi2");
    double stat = strtod(p, &p);
    size_t dof = (size_t)strtoull(p, &p, 10);
    double pv = strtod(p, &p);
    dv_chi2_test t;
    dv_error err;
    if (dv_chi2_homogeneity(rc, cc, m, &t, &err) != DV_OK)
        fail_msg("%s: %s", cname, err.msg);
    if (t.dof != dof) {
        print_error("%s: dof %zu, scipy %zu\n", cname, t.dof, dof);
        failures++;
    }
    if (stat > 0.0)
        check_rel(F_CHI2, cname, t.statistic, stat, REL_FIG);
    else if (t.statistic > 1e-300) {
        print_error("%s: statistic %.17g, scipy 0\n", cname, t.statistic);
        failures++;
    }
    check_p(F_CHI2_P, cname, t.p_value, pv);
}

/* Token "s:XX" / "true" / "false" / "null" into a key (strings point into the buffer,
 * which is NUL-terminated in place). */
static size_t read_keys(char **s, const char *tag, dv_key **keys, bool **mask)
{
    char *p = expect(s, tag);
    size_t n = (size_t)strtoull(p, &p, 10);
    *keys = calloc(n ? n : 1, sizeof **keys);
    *mask = calloc(n ? n : 1, sizeof **mask);
    assert_non_null(*keys);
    assert_non_null(*mask);
    for (size_t i = 0; i < n; i++) {
        skip_spaces(&p);
        char *e = p;
        while (*e != ' ' && *e != '\n' && *e != '\0')
            e++;
        dv_key *k = &(*keys)[i];
        if (strncmp(p, "null", 4) == 0 && e == p + 4) {
            (*mask)[i] = true;
        } else if (strncmp(p, "true", 4) == 0 && e == p + 4) {
            k->kind = DV_KEY_BOOL;
            k->boolean = true;
        } else if (strncmp(p, "false", 5) == 0 && e == p + 5) {
            k->kind = DV_KEY_BOOL;
            k->boolean = false;
        } else {
            assert_true(strncmp(p, "s:", 2) == 0);
            k->kind = DV_KEY_STRING;
            k->str = p + 2;
            k->len = (size_t)(e - p - 2);
        }
        p = e;
    }
    return n;
}

static void run_cat(char **s, const char *cname)
{
    dv_key *rk, *ck;
    bool *rm, *cm;
    double *rc_ref, *cc_ref;
    size_t nr = read_keys(s, "ref", &rk, &rm);
    size_t nc = read_keys(s, "cur", &ck, &cm);
    size_t nrc = read_doubles(s, "rcounts", &rc_ref);
    size_t ncc = read_doubles(s, "ccounts", &cc_ref);
    dv_drift_cat c;
    dv_error err;
    if (dv_drift_categorical(rk, rm, nr, ck, cm, nc, &c, &err) != DV_OK)
        fail_msg("%s: %s", cname, err.msg);
    check_counts(cname, "reference", c.ref_counts, c.n_bins, rc_ref, nrc);
    check_counts(cname, "current", c.cur_counts, c.n_bins, cc_ref, ncc);
    check_chi2_line(s, cname, c.ref_counts, c.cur_counts, c.n_bins);
    dv_drift_cat_free(&c);
    free(rk);
    free(ck);
    free(rm);
    free(cm);
    free(rc_ref);
    free(cc_ref);
}

static void run_chi2_counts(char **s, const char *cname, size_t m)
{
    double *rc = malloc(m * sizeof *rc), *cc = malloc(m * sizeof *cc);
    assert_non_null(rc);
    assert_non_null(cc);
    char *p = expect(s, "r");
    for (size_t i = 0; i < m; i++)
        rc[i] = strtod(p, &p);
    p = expect(s, "c");
    for (size_t i = 0; i < m; i++)
        cc[i] = strtod(p, &p);
    check_chi2_line(s, cname, rc, cc, m);
    free(rc);
    free(cc);
}

static void test_reference(void **state)
{
    (void)state;
    char *buf = test_data("reference_drift.txt");
    char *s = buf;
    char cname[128];
    while (*s) {
        if (*s == '#' || *s == '\n') {
            s = next_line(s);
            continue;
        }
        char *p = s;
        if (strncmp(p, "num ", 4) == 0) {
            size_t k;
            if (sscanf(p + 4, "%127s %zu", cname, &k) != 2)
                fail_msg("bad num line");
            s = next_line(s);
            run_numeric(&s, cname, k);
        } else if (strncmp(p, "cat ", 4) == 0) {
            if (sscanf(p + 4, "%127s", cname) != 1)
                fail_msg("bad cat line");
            s = next_line(s);
            run_cat(&s, cname);
        } else if (strncmp(p, "chi2counts ", 11) == 0) {
            size_t m;
            if (sscanf(p + 11, "%127s %zu", cname, &m) != 2)
                fail_msg("bad chi2counts line");
            s = next_line(s);
            run_chi2_counts(&s, cname, m);
        } else if (strncmp(p, "kstwo ", 6) == 0) {
            p += 6;
            size_t n = (size_t)strtoull(p, &p, 10);
            double d = strtod(p, &p), sf = strtod(p, &p);
            snprintf(cname, sizeof cname, "kstwo(n=%zu, d=%.6g)", n, d);
            check_p(F_KSTWO, cname, dv_kolmogorov_sf(n, d), sf);
            s = next_line(s);
        } else if (strncmp(p, "gamma ", 6) == 0) {
            p += 6;
            double a = strtod(p, &p), x = strtod(p, &p);
            double q = strtod(p, &p), pp = strtod(p, &p);
            snprintf(cname, sizeof cname, "gamma(a=%.6g, x=%.6g)", a, x);
            if (q > 1e-300)
                check_rel(F_GAMMA, cname, dv_gamma_q(a, x), q, REL_GAMMA);
            if (pp > 1e-300)
                check_rel(F_GAMMA, cname, dv_gamma_p(a, x), pp, REL_GAMMA);
            s = next_line(s);
        } else {
            fail_msg("unknown line '%.40s'", p);
        }
    }
    free(buf);
    printf("worst relative error per figure (cases checked):\n");
    for (int f = 0; f < NF; f++)
        printf("  %-22s %.3g  (%d)\n", FNAME[f], worst[f], nchecked[f]);
    printf("  edges bit-identical to numpy: %d of %d\n", edges_bit_exact, edges_total);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
