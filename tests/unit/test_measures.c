/*
 * test_measures.c — the discrete family of SPEC §7 (dv_measures): the name table, the
 * identities between measures, the conventions (zeros, disjoint supports, P against
 * itself), terms, smoothing, positions, base conversion, bit-equality with the
 * single-measure core, and every error with its structured location.
 * Exact references are in test_reference_measures.c.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"
#include "divergence.h"
#include "measures.h"

#define ALL ((dv_measure_set)(DV_MSET(DV_M_COUNT) - 1u))
#define NA 6
static const double ALPHAS[NA] = {0.1, 0.5, 1.0, 2.0, 10.0, 1.0 + 1e-7};

/* ---- helpers ------------------------------------------------------------------------- */

static uint64_t rng = 88172645463325252ULL;
static double urand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) * 0x1p-53;
}

static void prep(double *v, size_t n, bool normalize, const char *name, dv_dist *d)
{
    dv_error err;
    int arg = name[0] == 'q' ? DV_ARG_Q : DV_ARG_P;
    if (dv_prepare_weights(v, n, normalize, DV_NAME(arg, name), d, &err) != DV_OK)
        fail_msg("prepare %s: %s", name, err.msg);
}

static void prep_logits(const double *v, size_t n, const char *name, dv_dist *d)
{
    dv_error err;
    int arg = name[0] == 'q' ? DV_ARG_Q : DV_ARG_P;
    if (dv_prepare_logits(v, n, 1.0, DV_NAME(arg, name), d, &err) != DV_OK)
        fail_msg("prepare %s: %s", name, err.msg);
}

typedef struct run {
    dv_measures_res res;
    dv_mvalue renyi[NA], tsallis[NA];
} run;

/* Every measure with the standard α list; fails the test on an error. */
static void compute(const dv_dist *p, const dv_dist *q, double smoothing, const double *pos,
                    run *r)
{
    dv_measures_req req = {.set = ALL,
                           .alpha = ALPHAS,
                           .n_alpha = NA,
                           .smoothing = smoothing,
                           .positions = pos,
                           .n_positions = pos ? p->n : 0};
    memset(r, 0, sizeof *r);
    r->res.renyi = r->renyi;
    r->res.tsallis = r->tsallis;
    dv_error err;
    if (dv_measures(p, q, &req, &r->res, &err) != DV_OK)
        fail_msg("dv_measures: %s", err.msg);
}

static double val(const run *r, dv_measure m)
{
    return r->res.m[m].value;
}

/* ---- the table ---------------------------------------------------------------------- */

static void test_names(void **state)
{
    (void)state;
    static const char *names[DV_M_COUNT] = {
        "kl",        "reverse_kl",    "psi",        "js",   "js_distance", "cross_entropy",
        "hellinger", "bhattacharyya", "tv",         "linf", "chi2",        "neyman_chi2",
        "renyi",     "tsallis",       "wasserstein"};
    for (int m = 0; m < DV_M_COUNT; m++) {
        assert_string_equal(dv_measure_name((dv_measure)m), names[m]);
        dv_measure got;
        assert_true(dv_measure_lookup(names[m], strlen(names[m]), &got));
        assert_int_equal(got, m);
    }
    dv_measure got;
    assert_false(dv_measure_lookup("KL", 2, &got));
    assert_false(dv_measure_lookup("kl2", 3, &got));
    assert_false(dv_measure_lookup("", 0, &got));
    assert_false(dv_measure_lookup("klx", 2 + 1, &got));
    assert_true(dv_measure_lookup("klx", 2, &got)); /* length-delimited */
    assert_null(dv_measure_name(DV_M_COUNT));

    dv_measure_set def = dv_measure_default_set(false);
    dv_measure_set defp = dv_measure_default_set(true);
    assert_true(defp == (def | DV_MSET(DV_M_WASSERSTEIN)));
    assert_false(def &
                 (DV_MSET(DV_M_RENYI) | DV_MSET(DV_M_TSALLIS) | DV_MSET(DV_M_WASSERSTEIN)));
    assert_true(def & DV_MSET(DV_M_KL));
    assert_true(dv_measure_flags(DV_M_RENYI) & DV_MF_NEEDS_ALPHA);
    assert_true(dv_measure_flags(DV_M_RENYI) & DV_MF_IN_UNIT);
    assert_false(dv_measure_flags(DV_M_TSALLIS) & DV_MF_IN_UNIT);
    assert_true(dv_measure_flags(DV_M_TSALLIS) & DV_MF_HAS_TERMS);
    assert_false(dv_measure_flags(DV_M_HELLINGER) & DV_MF_IN_UNIT);
    assert_true(dv_measure_flags(DV_M_BHATTACHARYYA) & DV_MF_IN_UNIT);
    assert_false(dv_measure_flags(DV_M_LINF) & DV_MF_HAS_TERMS);
}

static void test_to_base(void **state)
{
    (void)state;
    dv_base b2, e = dv_base_natural();
    assert_int_equal(dv_base_from(2.0, &b2, NULL), DV_OK);
    assert_true(same(dv_measure_to_base(DV_M_KL, 1.5, &b2), 1.5 / M_LN2));
    assert_true(same(dv_measure_to_base(DV_M_KL, 1.5, &e), 1.5));
    assert_true(same(dv_measure_to_base(DV_M_TV, 0.25, &b2), 0.25));
    assert_true(same(dv_measure_to_base(DV_M_TSALLIS, 0.25, &b2), 0.25));
    assert_true(isinf(dv_measure_to_base(DV_M_KL, INFINITY, &b2)));
    /* js_distance = √JS in the base: √(js / ln 2). */
    assert_rel(dv_measure_to_base(DV_M_JS_DISTANCE, sqrt(0.3), &b2), sqrt(0.3 / M_LN2),
               1e-15);
}

/* ---- identities ---------------------------------------------------------------------- */

static void check_identities(const run *r, double tol)
{
    double kl = val(r, DV_M_KL), rkl = val(r, DV_M_REVERSE_KL);
    assert_true(same(val(r, DV_M_PSI), kl + rkl));
    /* α = 1 is the KL itself, bit for bit; α = 1 + 1e-7 is within ~1e-7 of it. */
    assert_true(same(r->renyi[2].value, kl) && same(r->tsallis[2].value, kl));
    assert_rel(r->renyi[5].value, kl, 1e-5);
    assert_rel(r->tsallis[5].value, kl, 1e-5);
    double h = val(r, DV_M_HELLINGER), bh = val(r, DV_M_BHATTACHARYYA);
    assert_rel(bh, -log1p(-h * h), tol);
    assert_true(val(r, DV_M_TV) <= h * sqrt(2.0) * (1 + 1e-15));
    assert_true(h * h <= val(r, DV_M_TV) * (1 + 1e-15));
    assert_true(val(r, DV_M_LINF) <= val(r, DV_M_TV) * 2 * (1 + 1e-15));
    /* Rényi ½ is twice Bhattacharyya; Tsallis ½ is 2H²; Tsallis 2 is χ². */
    assert_rel(r->renyi[1].value, 2.0 * bh, tol);
    assert_rel(r->tsallis[1].value, 2.0 * h * h, tol);
    assert_rel(r->tsallis[3].value, val(r, DV_M_CHI2), tol);
    /* Rényi is non-decreasing in α. */
    assert_true(r->renyi[0].value <= r->renyi[1].value * (1 + 1e-14));
    assert_true(r->renyi[1].value <= kl * (1 + 1e-14));
    assert_true(kl <= r->renyi[3].value * (1 + 1e-14));
    assert_true(r->renyi[3].value <= r->renyi[4].value * (1 + 1e-14));
    assert_true(same(val(r, DV_M_JS_DISTANCE), sqrt(val(r, DV_M_JS))));
    assert_true(val(r, DV_M_JS) <= M_LN2);
    /* cross-entropy = H(P) + KL */
    for (int m = 0; m < DV_M_COUNT; m++) {
        assert_true(r->res.m[m].value >= 0.0 && !signbit(r->res.m[m].value));
        assert_int_equal(r->res.m[m].cause, DV_INF_NONE);
    }
}

static void test_identities_random(void **state)
{
    (void)state;
    static const size_t sizes[] = {2, 3, 10, 100, 1000};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
        assert_true(a && b);
        for (int rep = 0; rep < 5; rep++) {
            for (size_t i = 0; i < n; i++) {
                a[i] = urand() + 1e-3;
                b[i] = pow(urand(), 3.0) + 1e-3;
            }
            dv_dist p, q;
            prep(a, n, true, "p", &p);
            prep(b, n, true, "q", &q);
            run r;
            compute(&p, &q, 0.0, NULL, &r);
            check_identities(&r, 1e-12);
            assert_rel(val(&r, DV_M_CROSS_ENTROPY), dv_entropy(&p, NULL) + val(&r, DV_M_KL),
                       1e-15);
            compute(&p, &q, 1e-3, NULL, &r);
            check_identities(&r, 1e-12);
        }
        free(a);
        free(b);
    }
}

static void test_identities_near(void **state)
{
    (void)state;
    /* P ≈ Q at 1e-7: the identities still hold to 1e-12 (no measure has cancelled). */
    enum { N = 200 };
    double a[N], b[N];
    for (size_t i = 0; i < N; i++) {
        a[i] = urand() + 0.01;
        b[i] = a[i] * (1.0 + 1e-7 * (2.0 * urand() - 1.0));
    }
    dv_dist p, q;
    prep(a, N, true, "p", &p);
    prep(b, N, true, "q", &q);
    run r;
    compute(&p, &q, 0.0, NULL, &r);
    check_identities(&r, 1e-12);
    /* Second order: KL ≈ χ²/2 ≈ 4H² ≈ reverse KL. */
    assert_rel(val(&r, DV_M_KL), 0.5 * val(&r, DV_M_CHI2), 1e-6);
    assert_rel(val(&r, DV_M_KL), 4.0 * pow(val(&r, DV_M_HELLINGER), 2.0), 1e-6);
    assert_rel(val(&r, DV_M_KL), val(&r, DV_M_REVERSE_KL), 1e-6);
}

/* ---- conventions -------------------------------------------------------------------- */

static void assert_zero_all(const run *r)
{
    for (int m = 0; m < DV_M_COUNT; m++) {
        if (m == DV_M_CROSS_ENTROPY) /* H(P, P) = H(P) */
            continue;
        if (!same(r->res.m[m].value, 0.0) || signbit(r->res.m[m].value))
            fail_msg("%s of P against itself is %a, not 0", dv_measure_name((dv_measure)m),
                     r->res.m[m].value);
    }
    for (int k = 0; k < NA; k++)
        assert_true(same(r->renyi[k].value, 0.0) && same(r->tsallis[k].value, 0.0));
}

static void test_self_is_zero(void **state)
{
    (void)state;
    double a[] = {0.1, 0.0, 0.2, 0.7}, b[] = {0.1, 0.0, 0.2, 0.7};
    double pos[] = {3.0, -1.0, 3.0, 0.5};
    dv_dist p, q;
    prep(a, 4, false, "p", &p);
    prep(b, 4, false, "q", &q);
    run r;
    compute(&p, &p, 0.0, NULL, &r);
    assert_zero_all(&r);
    compute(&p, &q, 0.0, pos, &r);
    assert_zero_all(&r);
    compute(&p, &q, 1e-4, pos, &r);
    assert_zero_all(&r);
    /* Same distribution, other scale (normalize). */
    double c[] = {1, 0, 2, 7}, d[] = {3, 0, 6, 21};
    prep(c, 4, true, "p", &p);
    prep(d, 4, true, "q", &q);
    compute(&p, &q, 0.0, NULL, &r);
    assert_zero_all(&r);
    double x[] = {0.5, -3.0, 2.0, 1e3}, y[] = {0.5, -3.0, 2.0, 1e3};
    prep_logits(x, 4, "p", &p);
    prep_logits(y, 4, "q", &q);
    compute(&p, &q, 0.0, NULL, &r);
    assert_zero_all(&r);
    compute(&p, &q, 0.01, NULL, &r);
    assert_zero_all(&r);
}

static void assert_inf(const dv_mvalue *v, dv_inf_cause cause, size_t index)
{
    if (!isinf(v->value) || v->cause != cause || v->index != index)
        fail_msg("got %g (cause %d, index %zu), want inf (cause %d, index %zu)", v->value,
                 (int)v->cause, v->index, (int)cause, index);
}

static void test_zeros(void **state)
{
    (void)state;
    /* Category 1: P = 0 < Q; category 3: Q = 0 < P; category 0: both 0. */
    double a[] = {0.0, 0.0, 0.5, 0.5}, b[] = {0.0, 0.5, 0.5, 0.0};
    dv_dist p, q;
    prep(a, 4, false, "p", &p);
    prep(b, 4, false, "q", &q);
    run r;
    compute(&p, &q, 0.0, NULL, &r);
    assert_inf(&r.res.m[DV_M_KL], DV_INF_Q_ZERO, 3);
    assert_inf(&r.res.m[DV_M_CROSS_ENTROPY], DV_INF_Q_ZERO, 3);
    assert_inf(&r.res.m[DV_M_CHI2], DV_INF_Q_ZERO, 3);
    assert_inf(&r.res.m[DV_M_REVERSE_KL], DV_INF_P_ZERO, 1);
    assert_inf(&r.res.m[DV_M_NEYMAN_CHI2], DV_INF_P_ZERO, 1);
    assert_inf(&r.res.m[DV_M_PSI], DV_INF_P_ZERO, 1); /* the first of either kind */
    for (int k = 0; k < NA; k++) {
        if (ALPHAS[k] >= 1.0) {
            assert_inf(&r.renyi[k], DV_INF_Q_ZERO, 3);
            assert_inf(&r.tsallis[k], DV_INF_Q_ZERO, 3);
        } else {
            assert_true(isfinite(r.renyi[k].value) && isfinite(r.tsallis[k].value));
        }
    }
    /* Exact values: BC = ½, H² = ½, TV = ½, L∞ = ½, JS = ½ ln 2, W1 = ½. */
    assert_rel(val(&r, DV_M_BHATTACHARYYA), M_LN2, 1e-15);
    assert_rel(val(&r, DV_M_HELLINGER), sqrt(0.5), 1e-15);
    assert_rel(val(&r, DV_M_TV), 0.5, 1e-15);
    assert_rel(val(&r, DV_M_LINF), 0.5, 1e-15);
    assert_rel(val(&r, DV_M_JS), 0.5 * M_LN2, 1e-15);
    assert_rel(val(&r, DV_M_WASSERSTEIN), 1.0, 1e-15); /* mass ½ moves 2 places */
    /* Tsallis α < 1: (Σ P^α Q^{1−α} − 1)/(α − 1) = (½ − 1)/(α − 1). */
    assert_rel(r.tsallis[0].value, 0.5 / 0.9, 1e-15);
    assert_rel(r.renyi[0].value, log(2.0) / 0.9, 1e-15);

    /* Smoothing makes every measure finite. */
    compute(&p, &q, 1e-4, NULL, &r);
    for (int m = 0; m < DV_M_COUNT; m++)
        assert_true(isfinite(r.res.m[m].value));
}

static void test_disjoint(void **state)
{
    (void)state;
    double a[] = {0.5, 0.0, 0.5, 0.0}, b[] = {0.0, 0.25, 0.0, 0.75};
    dv_dist p, q;
    prep(a, 4, false, "p", &p);
    prep(b, 4, false, "q", &q);
    run r;
    compute(&p, &q, 0.0, NULL, &r);
    assert_true(same(val(&r, DV_M_HELLINGER), 1.0));
    assert_true(same(val(&r, DV_M_TV), 1.0));
    assert_true(same(val(&r, DV_M_LINF), 0.75));
    assert_true(same(val(&r, DV_M_JS), M_LN2));
    assert_inf(&r.res.m[DV_M_BHATTACHARYYA], DV_INF_DISJOINT, DV_NO_INDEX);
    assert_inf(&r.renyi[0], DV_INF_DISJOINT, DV_NO_INDEX);
    assert_inf(&r.renyi[1], DV_INF_DISJOINT, DV_NO_INDEX);
    assert_rel(r.tsallis[0].value, 1.0 / 0.9, 1e-15);
    assert_rel(r.tsallis[1].value, 2.0, 1e-15);
    assert_inf(&r.renyi[3], DV_INF_Q_ZERO, 0);
    assert_inf(&r.res.m[DV_M_PSI], DV_INF_Q_ZERO, 0);
    /* Almost disjoint: a shared category of 1e-30 keeps Bhattacharyya and Rényi α < 1
     * finite and exact (−log Σ√(PQ) = 69.07…). */
    double c[] = {1.0, 1e-30, 0.0}, d[] = {0.0, 1e-30, 1.0};
    prep(c, 3, true, "p", &p);
    prep(d, 3, true, "q", &q);
    compute(&p, &q, 0.0, NULL, &r);
    assert_rel(val(&r, DV_M_BHATTACHARYYA), -log(1e-30 / (1.0 + 1e-30)), 1e-14);
    assert_rel(r.renyi[1].value, 2.0 * val(&r, DV_M_BHATTACHARYYA), 1e-14);
}

static void test_overflow(void **state)
{
    (void)state;
    /* χ² and Tsallis α = 10 beyond the largest double: +inf with DV_INF_OVERFLOW, while
     * Rényi α = 10 (a logarithm) stays finite. */
    double a[] = {0.5, 0.5}, b[] = {1e-300, 1.0};
    dv_dist p, q;
    prep(a, 2, true, "p", &p);
    prep(b, 2, true, "q", &q);
    run r;
    compute(&p, &q, 0.0, NULL, &r);
    assert_rel(val(&r, DV_M_CHI2), 0.25 / 1e-300, 1e-14);
    assert_inf(&r.tsallis[4], DV_INF_OVERFLOW, DV_NO_INDEX);
    /* log(0.5^10 · 1e-300^-9) / 9 */
    assert_rel(r.renyi[4].value, (10 * log(0.5) + 2700 * log(10.0)) / 9.0, 1e-14);
}

/* ---- terms --------------------------------------------------------------------------- */

/* kl, js and cross-entropy and their terms (in terms[]) are what dv_kl, dv_js and
 * dv_cross_entropy give, bit for bit; t: scratch for p->n terms. */
static void assert_same_as_cores(const dv_dist *p, const dv_dist *q,
                                 const dv_measures_res *res, double *const *terms,
                                 double *t)
{
    size_t bytes = p->n * sizeof *t;
    dv_value kl = dv_kl(p, q, t);
    assert_true(same(res->m[DV_M_KL].value, kl.nats));
    assert_memory_equal(t, terms[DV_M_KL], bytes);
    double js = dv_js(p, q, t);
    assert_true(same(res->m[DV_M_JS].value, js));
    assert_memory_equal(t, terms[DV_M_JS], bytes);
    dv_value ce = dv_cross_entropy(p, q, t);
    assert_true(same(res->m[DV_M_CROSS_ENTROPY].value, ce.nats));
    assert_memory_equal(t, terms[DV_M_CROSS_ENTROPY], bytes);
}

static void test_terms(void **state)
{
    (void)state;
    enum { N = 50 };
    double a[N], b[N], *terms[DV_M_COUNT] = {0};
    static double store[DV_M_COUNT][N * NA];
    for (size_t i = 0; i < N; i++) {
        a[i] = urand() + 0.05;
        b[i] = urand() + 0.05;
    }
    for (int zs = 0; zs < 3; zs++) {
        dv_dist p, q;
        prep(a, N, true, "p", &p);
        prep(b, N, true, "q", &q);
        dv_measures_req req = {
            .set = ALL, .alpha = ALPHAS, .n_alpha = NA, .smoothing = zs == 1 ? 1e-3 : 0.0};
        for (int m = 0; m < DV_M_COUNT; m++) {
            for (size_t i = 0; i < N * NA; i++)
                store[m][i] = -12345.0;
            req.terms[m] = store[m];
            terms[m] = store[m];
        }
        dv_mvalue ren[NA], tsa[NA];
        dv_measures_res res = {.renyi = ren, .tsallis = tsa};
        assert_int_equal(dv_measures(&p, &q, &req, &res, NULL), DV_OK);
        for (int m = 0; m < DV_M_COUNT; m++) {
            bool has = dv_measure_flags((dv_measure)m) & DV_MF_HAS_TERMS;
            if (!has) {
                assert_true(same(terms[m][0], -12345.0)); /* not written */
                continue;
            }
            size_t reps = m == DV_M_TSALLIS ? NA : 1;
            for (size_t k = 0; k < reps; k++) {
                double want = m == DV_M_TSALLIS ? tsa[k].value : res.m[m].value;
                double s = dv_sum(terms[m] + k * N, N);
                if (!isinf(want))
                    assert_rel(s, want, 1e-12);
            }
        }
        if (zs == 0) {
            /* Bit-equal to the single-measure core, terms and all. */
            double t[N];
            assert_same_as_cores(&p, &q, &res, terms, t);
            dv_value kl = dv_kl(&p, &q, NULL), ce = dv_cross_entropy(&p, &q, NULL);
            /* and without terms */
            memset(req.terms, 0, sizeof req.terms);
            assert_int_equal(dv_measures(&p, &q, &req, &res, NULL), DV_OK);
            assert_true(same(res.m[DV_M_CROSS_ENTROPY].value, ce.nats));
            assert_true(same(res.m[DV_M_KL].value, kl.nats));
        }
        if (zs == 1) {
            a[3] = 0.0; /* next round: a zero in P and one in Q */
            b[7] = 0.0;
        }
        if (zs == 2) {
            assert_true(isinf(terms[DV_M_CHI2][7]) && isinf(terms[DV_M_KL][7]));
            assert_true(isinf(terms[DV_M_NEYMAN_CHI2][3]) && isinf(terms[DV_M_PSI][3]));
            assert_true(isinf(terms[DV_M_PSI][7]));
            assert_true(same(terms[DV_M_KL][3], 0.0));
        }
    }
}

/* From 65536 categories the single-measure cores run on a second thread beside the main
 * pass (measures.c, DV_PARALLEL_MIN): every value and term must be what each computes alone. */
static void test_large_threaded(void **state)
{
    (void)state;
    enum { N = 100000 };
    static double a[N], b[N], store[DV_M_COUNT][N], t[N];
    for (size_t i = 0; i < N; i++) {
        a[i] = urand() + 1e-3;
        b[i] = urand() + 1e-3;
    }
    const double alpha2 = 2.0;
    dv_dist p, q;
    prep(a, N, true, "p", &p);
    prep(b, N, true, "q", &q);
    dv_measures_req req = {.set = ALL, .alpha = &alpha2, .n_alpha = 1};
    dv_mvalue ren, tsa;
    /* Without terms and with α = 2, the reverse KL is dv_kl(q, p) (on the thread too). */
    dv_measures_res res = {.renyi = &ren, .tsallis = &tsa};
    assert_int_equal(dv_measures(&p, &q, &req, &res, NULL), DV_OK);
    dv_value rkl = dv_kl(&q, &p, NULL);
    assert_true(same(res.m[DV_M_REVERSE_KL].value, rkl.nats));
    /* With terms (psi's make the main pass form the reverse KL itself). */
    for (int m = 0; m < DV_M_COUNT; m++)
        req.terms[m] = store[m];
    assert_int_equal(dv_measures(&p, &q, &req, &res, NULL), DV_OK);
    assert_same_as_cores(&p, &q, &res, req.terms, t);

    /* The main pass alone (no single-measure core asked for, so no thread): the same. */
    dv_measures_res alone = {.renyi = &ren, .tsallis = &tsa};
    req.set = DV_MSET(DV_M_HELLINGER) | DV_MSET(DV_M_BHATTACHARYYA) | DV_MSET(DV_M_TV) |
              DV_MSET(DV_M_LINF) | DV_MSET(DV_M_CHI2) | DV_MSET(DV_M_NEYMAN_CHI2) |
              DV_MSET(DV_M_RENYI) | DV_MSET(DV_M_TSALLIS);
    memset(req.terms, 0, sizeof req.terms);
    assert_int_equal(dv_measures(&p, &q, &req, &alone, NULL), DV_OK);
    const dv_measure main_ones[] = {DV_M_HELLINGER, DV_M_BHATTACHARYYA, DV_M_TV,
                                    DV_M_LINF,      DV_M_CHI2,          DV_M_NEYMAN_CHI2,
                                    DV_M_TSALLIS};
    for (size_t k = 0; k < sizeof main_ones / sizeof main_ones[0]; k++)
        assert_true(same(res.m[main_ones[k]].value, alone.m[main_ones[k]].value));
    assert_true(res.m[DV_M_KL].value > 0.0 && res.m[DV_M_HELLINGER].value > 0.0);
}

/* ---- smoothing ----------------------------------------------------------------------- */

static void test_smoothing_equals_explicit(void **state)
{
    (void)state;
    /* (P_i + ε)/(1 + nε) computed by hand and passed as weights: the same values. */
    enum { N = 40 };
    double a[N], b[N], as[N], bs[N];
    const double eps = 1e-3;
    for (size_t i = 0; i < N; i++) {
        a[i] = (i % 5 == 0) ? 0.0 : urand();
        b[i] = (i % 7 == 0) ? 0.0 : urand();
    }
    dv_dist p, q, ps, qs;
    prep(a, N, true, "p", &p);
    prep(b, N, true, "q", &q);
    for (size_t i = 0; i < N; i++) {
        as[i] = dv_prob(&p, i) + eps;
        bs[i] = dv_prob(&q, i) + eps;
    }
    prep(as, N, true, "p", &ps);
    prep(bs, N, true, "q", &qs);
    run r1, r2;
    compute(&p, &q, eps, NULL, &r1);
    compute(&ps, &qs, 0.0, NULL, &r2);
    for (int m = 0; m < DV_M_COUNT; m++)
        assert_rel(val(&r1, (dv_measure)m), val(&r2, (dv_measure)m), 1e-13);
    for (int k = 0; k < NA; k++)
        assert_rel(r1.renyi[k].value, r2.renyi[k].value, 1e-13);
}

/* ---- positions ----------------------------------------------------------------------- */

static double w1(const dv_dist *p, const dv_dist *q, const double *pos, void *work,
                 size_t work_size)
{
    dv_measures_req req = {.set = DV_MSET(DV_M_WASSERSTEIN),
                           .positions = pos,
                           .n_positions = pos ? p->n : 0,
                           .work = work,
                           .work_size = work_size};
    dv_measures_res res;
    memset(&res, 0, sizeof res);
    dv_error err;
    if (dv_measures(p, q, &req, &res, &err) != DV_OK)
        fail_msg("%s", err.msg);
    return res.m[DV_M_WASSERSTEIN].value;
}

static void test_positions(void **state)
{
    (void)state;
    enum { N = 30 };
    double a[N], b[N], pa[N], pb[N], pos[N], ppos[N], idx[N];
    size_t perm[N];
    for (size_t i = 0; i < N; i++) {
        a[i] = urand();
        b[i] = urand();
        pos[i] = floor(20.0 * urand()) - 10.0; /* duplicates, out of order */
        idx[i] = (double)i;
        perm[i] = i;
    }
    for (size_t i = N - 1; i > 0; i--) {
        size_t j = (size_t)(urand() * (double)(i + 1));
        size_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (size_t i = 0; i < N; i++) {
        pa[i] = a[perm[i]];
        pb[i] = b[perm[i]];
        ppos[i] = pos[perm[i]];
    }
    dv_dist p, q, pp, pq;
    prep(a, N, true, "p", &p);
    prep(b, N, true, "q", &q);
    prep(pa, N, true, "p", &pp);
    prep(pb, N, true, "q", &pq);
    /* Default positions are the category index. */
    assert_true(same(w1(&p, &q, NULL, NULL, 0), w1(&p, &q, idx, NULL, 0)));
    /* Permuting categories with their positions changes nothing (to rounding). */
    double w = w1(&p, &q, pos, NULL, 0);
    assert_rel(w1(&pp, &pq, ppos, NULL, 0), w, 1e-14);
    /* Caller work memory gives the same bits. */
    dv_measures_req req = {.set = DV_MSET(DV_M_WASSERSTEIN), .positions = pos};
    size_t need = dv_measures_work_size(&req, N);
    assert_true(need >= N * sizeof(double));
    void *work = malloc(need);
    assert_non_null(work);
    assert_true(same(w1(&p, &q, pos, work, need), w));
    free(work);
    req.positions = idx;
    assert_int_equal(dv_measures_work_size(&req, N), 0); /* sorted: no work */
    req.positions = NULL;
    assert_int_equal(dv_measures_work_size(&req, N), 0);
    /* Scale and shift: W1(2x + 7) = 2 W1(x). */
    double sp[N];
    for (size_t i = 0; i < N; i++)
        sp[i] = 2.0 * pos[i] + 7.0;
    assert_rel(w1(&p, &q, sp, NULL, 0), 2.0 * w, 1e-14);
    /* All at one place: 0. */
    double one[N];
    for (size_t i = 0; i < N; i++)
        one[i] = 4.5;
    assert_true(same(w1(&p, &q, one, NULL, 0), 0.0));
    /* Two point masses: W1 = |x1 − x0| · moved mass. */
    double c[] = {1.0, 0.0}, d[] = {0.0, 1.0}, x2[] = {1e300, -1e300};
    prep(c, 2, false, "p", &p);
    prep(d, 2, false, "q", &q);
    assert_rel(w1(&p, &q, x2, NULL, 0), 2e300, 1e-15);
    double big[] = {-1.5e308, 1.5e308};
    assert_true(isinf(w1(&p, &q, big, NULL, 0))); /* 3e308 does not fit a double */
}

/* ---- errors -------------------------------------------------------------------------- */

static dv_status call(const dv_dist *p, const dv_dist *q, dv_measure_set set,
                      const double *alpha, size_t na, double smoothing, const double *pos,
                      size_t npos, dv_error *err)
{
    dv_measures_req req = {.set = set,
                           .alpha = alpha,
                           .n_alpha = na,
                           .smoothing = smoothing,
                           .positions = pos,
                           .n_positions = npos};
    dv_mvalue rr[4], tt[4];
    dv_measures_res res = {.renyi = rr, .tsallis = tt};
    memset(err, 0, sizeof *err);
    return dv_measures(p, q, &req, &res, err);
}

static void assert_err(const dv_error *err, dv_status st, int arg, const char *member,
                       size_t idx)
{
    assert_int_equal(err->status, st);
    assert_loc(err, arg, member, idx, DV_NO_INDEX);
    assert_true(strlen(err->msg) > 10);
}

static void test_errors(void **state)
{
    (void)state;
    double a[] = {0.25, 0.25, 0.5}, b[] = {0.5, 0.25, 0.25}, c[] = {0.5, 0.5};
    dv_dist p, q, q2;
    prep(a, 3, false, "p", &p);
    prep(b, 3, false, "q", &q);
    prep(c, 2, false, "q", &q2);
    dv_error err;
    const dv_measure_set R = DV_MSET(DV_M_RENYI), T = DV_MSET(DV_M_TSALLIS);
    const double good[] = {0.5, 2.0}, bad0[] = {2.0, 0.0}, badn[] = {NAN},
                 badi[] = {INFINITY};
    const double badneg[] = {1.0, 1.0, -0.5};

    assert_int_equal(call(&p, &q2, DV_MSET(DV_M_KL), NULL, 0, 0.0, NULL, 0, &err),
                     DV_SHAPE_MISMATCH);
    assert_err(&err, DV_SHAPE_MISMATCH, DV_ARG_Q, NULL, DV_NO_INDEX);

    assert_int_equal(call(&p, &q, R, NULL, 0, 0.0, NULL, 0, &err), DV_BAD_PARAMETER);
    assert_err(&err, DV_BAD_PARAMETER, DV_ARG_NONE, "alpha", DV_NO_INDEX);
    assert_int_equal(call(&p, &q, T, good, 0, 0.0, NULL, 0, &err), DV_BAD_PARAMETER);
    assert_err(&err, DV_BAD_PARAMETER, DV_ARG_NONE, "alpha", DV_NO_INDEX);
    assert_int_equal(call(&p, &q, R, bad0, 2, 0.0, NULL, 0, &err), DV_BAD_PARAMETER);
    assert_err(&err, DV_BAD_PARAMETER, DV_ARG_NONE, "alpha", 1);
    assert_non_null(strstr(err.msg, "alpha[1] is 0"));
    assert_int_equal(call(&p, &q, T, badneg, 3, 0.0, NULL, 0, &err), DV_BAD_PARAMETER);
    assert_err(&err, DV_BAD_PARAMETER, DV_ARG_NONE, "alpha", 2);
    assert_int_equal(call(&p, &q, R, badn, 1, 0.0, NULL, 0, &err), DV_BAD_PARAMETER);
    assert_err(&err, DV_BAD_PARAMETER, DV_ARG_NONE, "alpha", 0);
    assert_int_equal(call(&p, &q, R, badi, 1, 0.0, NULL, 0, &err), DV_BAD_PARAMETER);
    /* alpha is checked whenever it is given, even when no measure uses it */
    assert_int_equal(call(&p, &q, DV_MSET(DV_M_KL), bad0, 2, 0.0, NULL, 0, &err),
                     DV_BAD_PARAMETER);
    assert_err(&err, DV_BAD_PARAMETER, DV_ARG_NONE, "alpha", 1);
    assert_int_equal(call(&p, &q, DV_MSET(DV_M_KL), good, 2, 0.0, NULL, 0, &err), DV_OK);

    assert_int_equal(call(&p, &q, DV_MSET(DV_M_KL), NULL, 0, -1e-3, NULL, 0, &err),
                     DV_BAD_PARAMETER);
    assert_err(&err, DV_BAD_PARAMETER, DV_ARG_NONE, "smoothing", DV_NO_INDEX);
    assert_non_null(strstr(err.msg, "-0.001"));
    assert_int_equal(call(&p, &q, DV_MSET(DV_M_KL), NULL, 0, NAN, NULL, 0, &err),
                     DV_BAD_PARAMETER);
    assert_int_equal(call(&p, &q, DV_MSET(DV_M_KL), NULL, 0, INFINITY, NULL, 0, &err),
                     DV_BAD_PARAMETER);

    const double pos_bad[] = {0.0, NAN, 1.0}, pos_ok[] = {0.0, 1.0, 1.0};
    assert_int_equal(
        call(&p, &q, DV_MSET(DV_M_WASSERSTEIN), NULL, 0, 0.0, pos_bad, 3, &err),
        DV_NOT_FINITE);
    assert_err(&err, DV_NOT_FINITE, DV_ARG_NONE, "positions", 1);
    assert_int_equal(call(&p, &q, DV_MSET(DV_M_WASSERSTEIN), NULL, 0, 0.0, pos_ok, 2, &err),
                     DV_SHAPE_MISMATCH);
    assert_err(&err, DV_SHAPE_MISMATCH, DV_ARG_NONE, "positions", DV_NO_INDEX);
    assert_int_equal(call(&p, &q, DV_MSET(DV_M_WASSERSTEIN), NULL, 0, 0.0, pos_ok, 3, &err),
                     DV_OK); /* duplicates are fine */

    assert_int_equal(call(&p, &q, DV_MSET(DV_M_COUNT), NULL, 0, 0.0, NULL, 0, &err),
                     DV_BAD_PARAMETER);
    assert_err(&err, DV_BAD_PARAMETER, DV_ARG_NONE, "measures", DV_NO_INDEX);

    /* No room for the per-α results. */
    dv_measures_req req = {.set = R, .alpha = good, .n_alpha = 2};
    dv_measures_res res;
    memset(&res, 0, sizeof res);
    assert_int_equal(dv_measures(&p, &q, &req, &res, &err), DV_BAD_PARAMETER);
    /* An empty set computes nothing and succeeds; NULL err is fine. */
    req.set = 0;
    assert_int_equal(dv_measures(&p, &q, &req, &res, NULL), DV_OK);
}

/* ---- only what is asked -------------------------------------------------------------- */

static void test_subsets(void **state)
{
    (void)state;
    enum { N = 64 };
    double a[N], b[N];
    for (size_t i = 0; i < N; i++) {
        a[i] = urand();
        b[i] = urand();
    }
    dv_dist p, q;
    prep(a, N, true, "p", &p);
    prep(b, N, true, "q", &q);
    run all;
    compute(&p, &q, 0.0, NULL, &all);
    /* Each measure alone gives the same bits as in the full set. */
    for (int m = 0; m < DV_M_COUNT; m++) {
        dv_measures_req req = {.set = DV_MSET(m), .alpha = ALPHAS, .n_alpha = NA};
        dv_mvalue ren[NA], tsa[NA];
        dv_measures_res res = {.renyi = ren, .tsallis = tsa};
        assert_int_equal(dv_measures(&p, &q, &req, &res, NULL), DV_OK);
        for (int o = 0; o < DV_M_COUNT; o++) {
            if (o == m)
                assert_true(same(res.m[o].value, all.res.m[o].value));
            else
                assert_true(same(res.m[o].value, 0.0));
        }
    }
}

/* ---- logits -------------------------------------------------------------------------- */

static void test_logits_match_weights(void **state)
{
    (void)state;
    enum { N = 100 };
    double a[N], b[N], x[N], y[N];
    for (size_t i = 0; i < N; i++) {
        x[i] = 4.0 * urand() - 2.0;
        y[i] = 4.0 * urand() - 2.0;
    }
    dv_dist p, q, lp, lq;
    prep_logits(x, N, "p", &lp);
    prep_logits(y, N, "q", &lq);
    for (size_t i = 0; i < N; i++) {
        a[i] = dv_prob(&lp, i);
        b[i] = dv_prob(&lq, i);
    }
    prep(a, N, true, "p", &p);
    prep(b, N, true, "q", &q);
    run rw, rl, rm;
    compute(&p, &q, 0.0, NULL, &rw);
    compute(&lp, &lq, 0.0, NULL, &rl);
    compute(&p, &lq, 0.0, NULL, &rm);
    for (int m = 0; m < DV_M_COUNT; m++) {
        assert_rel(val(&rl, (dv_measure)m), val(&rw, (dv_measure)m), 1e-13);
        assert_rel(val(&rm, (dv_measure)m), val(&rw, (dv_measure)m), 1e-13);
    }
    check_identities(&rl, 1e-12);
}

static bool val_ok_range(const dv_measures_res *res)
{
    return res->m[DV_M_HELLINGER].value <= 1.0 && res->m[DV_M_TV].value <= 1.0 &&
           res->m[DV_M_LINF].value <= 1.0 && res->m[DV_M_JS].value <= M_LN2;
}

/* ---- extremes ------------------------------------------------------------------------ */

/* Random inputs across the double range (weights from 1e-300 to 1e300, zeros, logits of
 * ±1000, near-equal pairs, orders from 1e-300 to 1e300, smoothing up to 1e300, positions
 * up to ±5e307): no NaN, no negative or −0 value, no infinity without a cause, the ranges
 * of SPEC §7, and Rényi non-decreasing in α. */
static void test_extremes(void **state)
{
    (void)state;
    static const double al[] = {1e-300, 1e-6,  0.01, 0.1,  0.5, 0.999,
                                1.0,    1.001, 2.0,  10.0, 1e3, 1e300};
    enum { NAX = sizeof al / sizeof al[0], MAXN = 7 };
    static double tt[DV_M_COUNT][MAXN * NAX];
    int checked = 0;
    for (int it = 0; it < 4000; it++) {
        size_t n = 1 + (size_t)(urand() * (MAXN - 1));
        double a[MAXN], b[MAXN], pos[MAXN];
        int kind = (int)(urand() * 4); /* 0, 2: weights; 1: logits; 3: 1e±300 weights */
        for (size_t i = 0; i < n; i++) {
            double span = kind == 3 ? 600.0 : 20.0;
            double e1 = urand() < 0.2 ? 0.0 : pow(10.0, (urand() - 0.5) * span);
            double e2 = urand() < 0.2 ? 0.0 : pow(10.0, (urand() - 0.5) * span);
            if (kind == 1) {
                e1 = (urand() - 0.5) * 2000.0;
                e2 = (urand() - 0.5) * 2000.0;
            }
            a[i] = e1;
            b[i] = urand() < 0.3 ? e1 * (1.0 + 1e-9 * (urand() - 0.5)) : e2;
            pos[i] = (urand() - 0.5) * (urand() < 0.1 ? 1e308 : 10.0);
        }
        dv_dist p, q;
        bool lq = kind == 1 && urand() < 0.7;
        dv_status sp = kind == 1
                           ? dv_prepare_logits(a, n, 1.0, DV_NAME(0, "p"), &p, NULL)
                           : dv_prepare_weights(a, n, true, DV_NAME(0, "p"), &p, NULL);
        dv_status sq = lq ? dv_prepare_logits(b, n, 1.0, DV_NAME(1, "q"), &q, NULL)
                          : dv_prepare_weights(b, n, true, DV_NAME(1, "q"), &q, NULL);
        if (sp != DV_OK || sq != DV_OK)
            continue; /* all-zero weights */
        dv_measures_req req = {.set = ALL, .alpha = al, .n_alpha = NAX};
        req.smoothing =
            urand() < 0.3 ? fmin(pow(10.0, (urand() - 0.5) * 600.0), 1e300) : 0.0;
        req.positions = urand() < 0.5 ? pos : NULL;
        req.n_positions = req.positions ? n : 0;
        for (int m = 0; m < DV_M_COUNT; m++)
            req.terms[m] = tt[m];
        dv_mvalue ren[NAX], tsa[NAX];
        dv_measures_res res = {.renyi = ren, .tsallis = tsa};
        dv_error err;
        if (dv_measures(&p, &q, &req, &res, &err) != DV_OK)
            fail_msg("iteration %d: %s", it, err.msg);
        checked++;
        for (int m = 0; m < DV_M_COUNT; m++) {
            const dv_mvalue *v = &res.m[m];
            if (isnan(v->value) || v->value < 0.0 || signbit(v->value) ||
                (isinf(v->value) != (v->cause != DV_INF_NONE)))
                fail_msg("iteration %d: %s = %g (cause %d)", it,
                         dv_measure_name((dv_measure)m), v->value, (int)v->cause);
            size_t nt = (dv_measure_flags((dv_measure)m) & DV_MF_HAS_TERMS)
                            ? n * (m == DV_M_TSALLIS ? NAX : 1)
                            : 0;
            for (size_t i = 0; i < nt; i++)
                if (isnan(tt[m][i]))
                    fail_msg("iteration %d: %s term %zu is NaN", it,
                             dv_measure_name((dv_measure)m), i);
        }
        assert_true(val_ok_range(&res));
        for (size_t k = 0; k < NAX; k++) {
            if (isnan(ren[k].value) || ren[k].value < 0.0 || isnan(tsa[k].value) ||
                tsa[k].value < 0.0)
                fail_msg("iteration %d: alpha %g: renyi %g tsallis %g", it, al[k],
                         ren[k].value, tsa[k].value);
            /* Non-decreasing in α, up to rounding (relative, and absolute at 1e-280 where
             * the values are only rounding noise of 0). */
            if (k > 0 && isfinite(ren[k].value) &&
                ren[k].value < ren[k - 1].value * (1.0 - 1e-9) - 1e-280)
                fail_msg("iteration %d: renyi(%g) = %g < renyi(%g) = %g", it, al[k],
                         ren[k].value, al[k - 1], ren[k - 1].value);
        }
    }
    assert_true(checked > 2000);
}

/* Many orders (more than ride along the main pass) give exactly what each order gives
 * alone: the grouping of orders into passes changes no operation. */
static void test_many_alphas(void **state)
{
    (void)state;
    enum { N = 40, K = 21 };
    double a[N], b[N], al[K];
    for (size_t i = 0; i < N; i++) {
        a[i] = urand() + 0.01;
        b[i] = (i % 9 == 0) ? 0.0 : urand() + 0.01;
    }
    for (size_t k = 0; k < K; k++)
        al[k] = 0.05 + 0.25 * (double)k;
    static double tt[N * K], t1[N];
    dv_dist p, q;
    prep(a, N, true, "p", &p);
    prep(b, N, true, "q", &q);
    dv_measures_req req = {.set = DV_MSET(DV_M_RENYI) | DV_MSET(DV_M_TSALLIS) |
                                  DV_MSET(DV_M_TV),
                           .alpha = al,
                           .n_alpha = K};
    req.terms[DV_M_TSALLIS] = tt;
    dv_mvalue ren[K], tsa[K];
    dv_measures_res res = {.renyi = ren, .tsallis = tsa};
    assert_int_equal(dv_measures(&p, &q, &req, &res, NULL), DV_OK);
    for (size_t k = 0; k < K; k++) {
        dv_measures_req one = req;
        one.set = DV_MSET(DV_M_RENYI) | DV_MSET(DV_M_TSALLIS);
        one.alpha = &al[k];
        one.n_alpha = 1;
        one.terms[DV_M_TSALLIS] = t1;
        dv_mvalue r1, s1;
        dv_measures_res res1 = {.renyi = &r1, .tsallis = &s1};
        assert_int_equal(dv_measures(&p, &q, &one, &res1, NULL), DV_OK);
        if (isinf(r1.value)) {
            assert_true(isinf(ren[k].value) && ren[k].index == r1.index);
        } else {
            assert_true(same(ren[k].value, r1.value));
            assert_true(same(tsa[k].value, s1.value));
        }
        assert_memory_equal(tt + k * N, t1, sizeof t1);
    }
    /* Q has zeros where P > 0: α ≥ 1 infinite at the first, α < 1 finite. */
    assert_true(isinf(ren[K - 1].value) && ren[K - 1].index == 0);
    assert_true(isfinite(ren[0].value));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_to_base),
        cmocka_unit_test(test_identities_random),
        cmocka_unit_test(test_identities_near),
        cmocka_unit_test(test_self_is_zero),
        cmocka_unit_test(test_zeros),
        cmocka_unit_test(test_disjoint),
        cmocka_unit_test(test_overflow),
        cmocka_unit_test(test_terms),
        cmocka_unit_test(test_large_threaded),
        cmocka_unit_test(test_smoothing_equals_explicit),
        cmocka_unit_test(test_positions),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_subsets),
        cmocka_unit_test(test_logits_match_weights),
        cmocka_unit_test(test_extremes),
        cmocka_unit_test(test_many_alphas),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
