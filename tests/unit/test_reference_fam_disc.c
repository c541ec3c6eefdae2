/*
 * test_reference_fam_disc.c — the discrete and multivariate families (fam_disc.h)
 * against 50-digit references.
 *
 * Reads tests/data/reference_fam_disc.txt (DV_TEST_DATA overrides the directory), made by
 * tests/data/gen/gen_reference_fam_disc.py, whose closed forms were checked against exact
 * summation / explicit matrix algebra before they were written. Each case names a pair
 * (or a family, for entropies), a group (random, near3 … near9, extreme, …) and the
 * parameters as hex floats. The bar (SPEC §1, §8): 1e-12 relative for the scalar
 * families; 1e-9 relative for the multivariate normals (condition numbers ≤ 1e3); exactly
 * 0 where the reference is 0; +inf with a reason where it is "inf". Prints the worst
 * relative error per pair, kind and group.
 *
 * The dv_fdist rows are filled here with fam = NULL, which fam_disc's functions allow.
 * With DV_FAM_DUMP=<path> every case's value is also written there, one line per case
 * ("<case number> <%.17g>", "err" on failure), for tests/data/gen/compare_torch_fam_disc.py.
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

#include "fam_disc.h"

#define TOL_SCALAR 1e-12
#define TOL_MVN 1e-9
#define MAX_VALS 4096

typedef struct famdesc {
    const char *name;
    const char *params[DV_FAM_MAX_PARAMS];
    dv_fam_entropy_fn entropy;
    bool mvn;
} famdesc;

static const famdesc FAMS[] = {
    {"bernoulli", {"probs", "logits"}, dv_fam_bernoulli_entropy, false},
    {"binomial", {"total_count", "probs", "logits"}, dv_fam_binomial_entropy, false},
    {"categorical", {"probs", "logits"}, dv_fam_categorical_entropy, false},
    {"geometric", {"probs", "logits"}, dv_fam_geometric_entropy, false},
    {"poisson", {"rate"}, dv_fam_poisson_entropy, false},
    {"multivariate_normal", {"loc", "covariance_matrix", "scale_tril", "precision_matrix"},
     dv_fam_multivariate_normal_entropy, true},
    {"lowrank_multivariate_normal", {"loc", "cov_factor", "cov_diag"},
     dv_fam_lowrank_multivariate_normal_entropy, true},
};

typedef struct pairdesc {
    const char *name;
    dv_fam_kl_fn kl;
} pairdesc;

static const pairdesc PAIRS[] = {
    {"bernoulli-bernoulli", dv_fam_bernoulli_bernoulli_kl},
    {"bernoulli-poisson", dv_fam_bernoulli_poisson_kl},
    {"binomial-binomial", dv_fam_binomial_binomial_kl},
    {"categorical-categorical", dv_fam_categorical_categorical_kl},
    {"geometric-geometric", dv_fam_geometric_geometric_kl},
    {"poisson-poisson", dv_fam_poisson_poisson_kl},
    {"multivariate_normal-multivariate_normal",
     dv_fam_multivariate_normal_multivariate_normal_kl},
    {"multivariate_normal-lowrank_multivariate_normal",
     dv_fam_multivariate_normal_lowrank_multivariate_normal_kl},
    {"lowrank_multivariate_normal-multivariate_normal",
     dv_fam_lowrank_multivariate_normal_multivariate_normal_kl},
    {"lowrank_multivariate_normal-lowrank_multivariate_normal",
     dv_fam_lowrank_multivariate_normal_lowrank_multivariate_normal_kl},
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* One parsed distribution: the dv_fdist plus storage for its vectors. */
typedef struct tdist {
    dv_fdist x;
    const famdesc *fam;
    double store[DV_FAM_MAX_PARAMS][MAX_VALS];
} tdist;

/* Worst error per (label) */
#define MAX_GROUPS 128
typedef struct group {
    char label[160];
    double worst;
    double tol;
    int n;
} group;
static group GROUPS[MAX_GROUPS];
static size_t NGROUPS;

static group *group_for(const char *label, double tol)
{
    for (size_t i = 0; i < NGROUPS; i++)
        if (strcmp(GROUPS[i].label, label) == 0)
            return &GROUPS[i];
    assert_true(NGROUPS < MAX_GROUPS);
    group *g = &GROUPS[NGROUPS++];
    snprintf(g->label, sizeof g->label, "%s", label);
    g->worst = 0.0;
    g->tol = tol;
    g->n = 0;
    return g;
}

/* The next space-separated token of *cur (NUL-terminated in place), or NULL at the end. */
static char *next_tok(char **cur)
{
    char *p = *cur;
    while (*p == ' ')
        p++;
    if (*p == '\0')
        return NULL;
    char *start = p;
    while (*p && *p != ' ')
        p++;
    if (*p)
        *p++ = '\0';
    *cur = p;
    return start;
}

static const famdesc *find_fam(const char *name)
{
    for (size_t i = 0; i < NELEM(FAMS); i++)
        if (strcmp(FAMS[i].name, name) == 0)
            return &FAMS[i];
    fail_msg("unknown family %s", name);
    return NULL;
}

/* Parses "name=value" tokens after the family name into t until a token without '='. */
static char *parse_dist(char *name, char **save, tdist *t)
{
    const famdesc *f = find_fam(name);
    memset(&t->x, 0, sizeof t->x);
    t->fam = f;
    for (int i = 0; i < DV_FAM_MAX_PARAMS; i++) {
        t->x.s[i] = NAN;
        t->x.v[i] = NULL;
    }
    char *tok;
    while ((tok = next_tok(save)) != NULL) {
        char *eq = strchr(tok, '=');
        if (!eq || eq == tok)
            return tok;
        *eq = '\0';
        const char *val = eq + 1;
        int slot = -1;
        for (int i = 0; i < DV_FAM_MAX_PARAMS && f->params[i]; i++)
            if (strcmp(f->params[i], tok) == 0)
                slot = i;
        assert_true(slot >= 0);
        if (val[0] == 'v' || val[0] == 'm') {
            char *end;
            size_t rows = strtoull(val + 1, &end, 10), cols = 1;
            if (*end == 'x')
                cols = strtoull(end + 1, &end, 10);
            assert_true(*end == ':');
            size_t n = rows * cols;
            assert_true(n <= MAX_VALS);
            const char *s = end + 1;
            for (size_t i = 0; i < n; i++) {
                t->store[slot][i] = strtod(s, &end);
                s = end + (*end == ',');
            }
            t->x.v[slot] = t->store[slot];
            if (slot == 0 || (!f->mvn))
                t->x.d = rows;
            if (f->mvn && slot == 1 && strcmp(f->name, "lowrank_multivariate_normal") == 0)
                t->x.r = cols;
        } else {
            t->x.s[slot] = strtod(val, NULL);
        }
    }
    return NULL;
}

static void run_file(void **state)
{
    (void)state;
    char *text = test_data("reference_fam_disc.txt");
    static tdist P, Q;
    int cases = 0, failures = 0;
    const char *dump_path = getenv("DV_FAM_DUMP");
    FILE *dump = dump_path ? fopen(dump_path, "w") : NULL;
    for (char *line = text, *nl; *line; line = nl) {
        nl = strchr(line, '\n');
        if (nl)
            *nl++ = '\0';
        else
            nl = line + strlen(line);
        if (strncmp(line, "case ", 5) != 0)
            continue;
        char copy[65536];
        snprintf(copy, sizeof copy, "%s", line);
        char *save = copy;
        next_tok(&save); /* "case" */
        char *pair = next_tok(&save);
        char *kind = next_tok(&save);
        char *grp = next_tok(&save);
        char *tok = next_tok(&save);
        assert_non_null(tok);
        assert_string_equal(tok, "P");
        tok = parse_dist(next_tok(&save), &save, &P);
        bool kl = strcmp(kind, "kl") == 0;
        if (kl) {
            assert_string_equal(tok, "Q");
            tok = parse_dist(next_tok(&save), &save, &Q);
        }
        assert_string_equal(tok, "=");
        char *refs = next_tok(&save);
        bool ref_inf = strcmp(refs, "inf") == 0;
        double ref = ref_inf ? (double)INFINITY : strtod(refs, NULL);

        dv_fresult out = {NAN, NULL};
        dv_error err;
        memset(&err, 0, sizeof err);
        dv_status st;
        if (kl) {
            dv_fam_kl_fn fn = NULL;
            for (size_t i = 0; i < NELEM(PAIRS); i++)
                if (strcmp(PAIRS[i].name, pair) == 0)
                    fn = PAIRS[i].kl;
            assert_non_null(fn);
            st = fn(&P.x, &Q.x, &out, &err);
        } else {
            st = P.fam->entropy(&P.x, &out, &err);
        }
        double tol = (P.fam->mvn) ? TOL_MVN : TOL_SCALAR;
        char label[160];
        snprintf(label, sizeof label, "%s %s %s", pair, kind, grp);
        group *g = group_for(label, tol);
        g->n++;
        cases++;
        double rel;
        if (st != DV_OK) {
            rel = INFINITY;
            fprintf(stderr, "status %s (%s) on: %s\n", dv_status_name(st), err.msg, line);
        } else if (ref_inf) {
            rel = (isinf(out.nats) && out.reason) ? 0.0 : (double)INFINITY;
        } else if (same(ref, 0.0)) {
            rel = same(out.nats, 0.0) ? 0.0 : (double)INFINITY;
        } else {
            rel = fabs(out.nats - ref) / fabs(ref);
            if (isnan(rel))
                rel = INFINITY;
        }
        if (dump) {
            if (st == DV_OK)
                fprintf(dump, "%d %.17g\n", cases - 1, out.nats);
            else
                fprintf(dump, "%d err\n", cases - 1);
        }
        if (rel > g->worst)
            g->worst = rel;
        if (!(rel <= tol)) {
            failures++;
            if (failures <= 40)
                fprintf(stderr, "FAIL rel %.3g got %.17g want %s: %s\n", rel, out.nats, refs,
                        line);
        }
    }
    free(text);
    if (dump)
        fclose(dump);
    printf("%-70s %5s %10s\n", "pair kind group", "cases", "worst rel");
    for (size_t i = 0; i < NGROUPS; i++)
        printf("%-70s %5d %10.3g%s\n", GROUPS[i].label, GROUPS[i].n, GROUPS[i].worst,
               GROUPS[i].worst <= GROUPS[i].tol ? "" : "  > bar");
    printf("%d cases, %d over the bar\n", cases, failures);
    assert_true(cases > 0);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(run_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
