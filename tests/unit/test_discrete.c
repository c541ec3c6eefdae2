/*
 * test_discrete.c — entropy, KL, cross-entropy, JS and perplexity of weights: the worked
 * examples of the SPEC, the conventions (0·log 0, +inf with its index, D(P‖P) = 0
 * exactly, never negative), the identities, base conversion, per-category terms,
 * label smoothing.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "check.h"
#include "divergence.h"

static void prep(double *v, size_t n, bool normalize, const char *name, dv_dist *d)
{
    dv_error err;
    if (dv_prepare_weights(v, n, normalize,
                           DV_NAME(name[0] == 'q' ? DV_ARG_Q : DV_ARG_P, name), d,
                           &err) != DV_OK)
        fail_msg("prepare %s: %s", name, err.msg);
}

/* Logits at temperature 1, named p_logits / q_logits after the side. */
static void prep_logits(const double *v, size_t n, bool q_side, dv_dist *d)
{
    dv_error err;
    if (dv_prepare_logits(v, n, 1.0,
                          q_side ? DV_NAME(DV_ARG_Q, "q_logits")
                                 : DV_NAME(DV_ARG_P, "p_logits"),
                          d, &err) != DV_OK)
        fail_msg("prepare logits: %s", err.msg);
}

static double bits(double nats)
{
    dv_base b;
    assert_int_equal(dv_base_from(2.0, &b, NULL), DV_OK);
    return dv_to_base(nats, &b);
}

/* ---- worked examples ------------------------------------------------------------------ */

static void test_entropy_examples(void **state)
{
    (void)state;
    dv_dist p;
    double a[] = {0.99, 0.01};
    prep(a, 2, false, "p", &p);
    assert_rel(bits(dv_entropy(&p, NULL)), 0.0807931358959, 1e-12);
    double b[] = {0.9, 0.05, 0.025, 0.025};
    prep(b, 4, false, "p", &p);
    assert_rel(bits(dv_entropy(&p, NULL)), 0.618995593589, 1e-12);
    double c[] = {0.3, 0.2, 0.25, 0.25};
    prep(c, 4, false, "p", &p);
    assert_rel(bits(dv_entropy(&p, NULL)), 1.98547529722733, 1e-14);
    double u[] = {1, 1, 1, 1, 1, 1, 1, 1};
    prep(u, 8, true, "p", &p);
    assert_rel(bits(dv_entropy(&p, NULL)), 3.0, 1e-15);
    assert_rel(dv_perplexity(dv_entropy(&p, NULL)), 8.0, 1e-15);
}

static void test_cross_entropy_onehot(void **state)
{
    (void)state;
    double t[] = {0, 0, 1, 0}, q[] = {0.05, 0.1, 0.75, 0.1};
    dv_dist P, Q;
    prep(t, 4, false, "p", &P);
    prep(q, 4, false, "q", &Q);
    double terms[4];
    dv_value ce = dv_cross_entropy(&P, &Q, terms);
    assert_rel(ce.nats, 0.287682072451781, 1e-14);
    assert_true(ce.inf_index == DV_NO_INDEX);
    assert_true(same(terms[0], 0.0) && same(terms[1], 0.0) && same(terms[3], 0.0));
    assert_rel(terms[2], -log(0.75), 1e-15);
    assert_true(same(dv_entropy(&P, NULL), 0.0)); /* a one-hot target has zero entropy */
    assert_rel(dv_perplexity(ce.nats), 1 / 0.75, 1e-15);
}

static void test_kl_counts_example(void **state)
{
    (void)state;
    /* p_samples [1,1,2,2,3] and q_samples [1,1,1,1,1,2,3,3,3,3] as counts. */
    double p[] = {2, 2, 1}, q[] = {5, 1, 4};
    dv_dist P, Q;
    prep(p, 3, true, "p", &P);
    prep(q, 3, true, "q", &Q);
    dv_value kl = dv_kl(&P, &Q, NULL);
    assert_rel(kl.nats, 0.32663088781028327, 2e-16);
    assert_rel(bits(kl.nats), 0.47122876204505504, 2e-16);
    /* The same as probabilities. */
    double pp[] = {0.4, 0.4, 0.2}, qq[] = {0.5, 0.1, 0.4};
    prep(pp, 3, false, "p", &P);
    prep(qq, 3, false, "q", &Q);
    assert_rel(dv_kl(&P, &Q, NULL).nats, 0.32663088781028327, 1e-15);
}

/* ---- conventions ----------------------------------------------------------------------- */

static void test_zero_conventions(void **state)
{
    (void)state;
    double p[] = {0.0, 0.5, 0.5, 0.0}, q[] = {0.25, 0.25, 0.5, 0.0};
    dv_dist P, Q;
    prep(p, 4, false, "p", &P);
    prep(q, 4, false, "q", &Q);
    double terms[4];
    /* 0·log 0 = 0 and 0·log(0/Q) = 0: finite KL although Q has a zero where P does. */
    dv_value kl = dv_kl(&P, &Q, terms);
    assert_rel(kl.nats, 0.5 * log(2.0), 1e-15);
    assert_true(kl.inf_index == DV_NO_INDEX);
    assert_true(same(terms[0], 0.0) && same(terms[3], 0.0));
    assert_rel(dv_entropy(&P, NULL), log(2.0), 1e-15);
    /* P > 0 where Q = 0: +inf and the first such index, for KL and cross-entropy. */
    dv_value r = dv_kl(&Q, &P, terms);
    assert_true(isinf(r.nats) && r.nats > 0);
    assert_int_equal(r.inf_index, 0);
    assert_true(isinf(terms[0]));
    assert_true(same(terms[3], 0.0));
    dv_value ce = dv_cross_entropy(&Q, &P, terms);
    assert_true(isinf(ce.nats));
    assert_int_equal(ce.inf_index, 0);
    assert_true(isinf(terms[0]));
    /* JS is finite and ≤ ln 2 even for disjoint supports. */
    double a[] = {1, 0}, b[] = {0, 1};
    prep(a, 2, false, "p", &P);
    prep(b, 2, false, "q", &Q);
    double js = dv_js(&P, &Q, NULL);
    assert_rel(js, log(2.0), 1e-15);
    assert_true(js <= M_LN2);
    dv_value inf2 = dv_kl(&P, &Q, NULL);
    assert_true(isinf(inf2.nats));
    assert_int_equal(inf2.inf_index, 0);
}

static void test_self_divergence_exactly_zero(void **state)
{
    (void)state;
    double p[1000], q[1000], s[1000];
    uint64_t x = 42;
    for (int i = 0; i < 1000; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        p[i] = (double)(x >> 11) * 0x1p-53;
        q[i] = p[i];
        s[i] = 4.0 * p[i]; /* proportional by a power of two: the same P */
    }
    dv_dist P, Q, S;
    prep(p, 1000, true, "p", &P);
    prep(q, 1000, true, "q", &Q);
    prep(s, 1000, true, "q", &S);
    assert_true(same(dv_kl(&P, &Q, NULL).nats, 0.0));
    assert_true(same(dv_kl(&P, &P, NULL).nats, 0.0));
    assert_true(same(dv_kl(&P, &S, NULL).nats, 0.0));
    assert_true(same(dv_js(&P, &Q, NULL), 0.0));
    assert_true(same(dv_js(&P, &S, NULL), 0.0));
    double h = dv_entropy(&P, NULL);
    dv_value ce = dv_cross_entropy(&P, &Q, NULL);
    assert_true(same(ce.nats, h)); /* H(P,P) = H(P) + 0 */
}

static void test_never_negative_near_equal(void **state)
{
    (void)state;
    /* Tiny perturbations of every size: KL and JS stay ≥ 0 and are ~ε²-sized. */
    double p[64], q[64];
    for (int e = 1; e <= 16; e++) {
        double eps = pow(10.0, -e);
        for (int i = 0; i < 64; i++) {
            p[i] = 1.0 / 64;
            q[i] = p[i] * (1.0 + ((i % 2) ? eps : -eps));
        }
        dv_dist P, Q;
        prep(p, 64, true, "p", &P);
        prep(q, 64, true, "q", &Q);
        double kl = dv_kl(&P, &Q, NULL).nats, js = dv_js(&P, &Q, NULL);
        assert_true(kl >= 0.0 && js >= 0.0);
        if (e <= 7) {
            /* Exactly: D = ½[(1+ε)… ] ≈ ε²/2, JS ≈ ε²/8 to O(ε⁴) … within 1e-4 here is
             * enough to see every digit was not lost. */
            assert_rel(kl, eps * eps / 2, eps > 1e-3 ? 1e-1 : 1e-4);
            assert_rel(js, eps * eps / 8, eps > 1e-3 ? 1e-1 : 1e-4);
        }
    }
}

/* ---- identities ------------------------------------------------------------------------- */

static void test_identities_and_bases(void **state)
{
    (void)state;
    double p[200], q[200];
    uint64_t x = 7;
    for (int i = 0; i < 200; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        p[i] = (double)(x >> 40) + 1.0;
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        q[i] = (double)(x >> 45) + 1.0;
    }
    dv_dist P, Q;
    prep(p, 200, true, "p", &P);
    prep(q, 200, true, "q", &Q);
    double h = dv_entropy(&P, NULL);
    dv_value kl = dv_kl(&P, &Q, NULL);
    dv_value ce = dv_cross_entropy(&P, &Q, NULL);
    assert_rel(ce.nats, h + kl.nats, 1e-15);
    dv_base b2, b10;
    assert_int_equal(dv_base_from(2.0, &b2, NULL), DV_OK);
    assert_int_equal(dv_base_from(10.0, &b10, NULL), DV_OK);
    assert_rel(dv_to_base(kl.nats, &b2), kl.nats / M_LN2, 1e-15);
    assert_rel(dv_to_base(kl.nats, &b10), kl.nats / M_LN10, 1e-15);
    /* Perplexity in any base: b^(H_b) = e^H. */
    assert_rel(pow(2.0, dv_to_base(h, &b2)), dv_perplexity(h), 1e-13);
    /* JS is symmetric and ≤ ln 2. */
    double js1 = dv_js(&P, &Q, NULL), js2 = dv_js(&Q, &P, NULL);
    assert_rel(js1, js2, 1e-15);
    assert_true(js1 > 0 && js1 <= M_LN2);
}

/* ---- terms -------------------------------------------------------------------------------- */

static double sum_abs(const double *t, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += fabs(t[i]);
    return s;
}

static void test_terms_sum_to_value(void **state)
{
    (void)state;
    double p[] = {0.1, 0.0, 0.3, 0.6}, q[] = {0.2, 0.2, 0.2, 0.4};
    dv_dist P, Q;
    prep(p, 4, false, "p", &P);
    prep(q, 4, false, "q", &Q);
    double t[4];
    double h = dv_entropy(&P, t);
    assert_true(fabs(dv_sum(t, 4) - h) <= 1e-15 * sum_abs(t, 4));
    assert_rel(t[0], -0.1 * log(0.1), 1e-15);
    assert_true(same(t[1], 0.0));
    dv_value kl = dv_kl(&P, &Q, t);
    assert_true(fabs(dv_sum(t, 4) - kl.nats) <= 1e-15 * sum_abs(t, 4));
    assert_rel(t[0], 0.1 * log(0.5), 1e-14);
    assert_rel(t[3], 0.6 * log(1.5), 1e-14);
    dv_value ce = dv_cross_entropy(&P, &Q, t);
    assert_true(fabs(dv_sum(t, 4) - ce.nats) <= 1e-15 * sum_abs(t, 4));
    assert_rel(t[2], -0.3 * log(0.2), 1e-15);
    double js = dv_js(&P, &Q, t);
    assert_true(fabs(dv_sum(t, 4) - js) <= 1e-15 * sum_abs(t, 4));
    /* category 1: P = 0, Q = 0.2: ½·0.2·log(0.2/0.1) */
    assert_rel(t[1], 0.1 * log(2.0), 1e-15);
    double m0 = 0.15;
    assert_rel(t[0], 0.5 * (0.1 * log(0.1 / m0) + 0.2 * log(0.2 / m0)), 1e-14);
    for (int i = 0; i < 4; i++)
        assert_true(t[i] >= 0.0);
}

/* ---- inputs that sum to 1 only within the tolerance --------------------------------------- */

static void test_rescaled_within_tolerance(void **state)
{
    (void)state;
    /* 0.5000005 + 0.5 = 1 + 5e-7: accepted, and P is rescaled exactly (P_0 > ½). */
    double p[] = {0.5000005, 0.5}, q[] = {0.5, 0.5};
    dv_dist P, Q;
    prep(p, 2, false, "p", &P);
    prep(q, 2, false, "q", &Q);
    double p0 = 0.5000005 / 1.0000005, p1 = 0.5 / 1.0000005;
    assert_rel(dv_prob(&P, 0), p0, 1e-15);
    assert_rel(dv_entropy(&P, NULL), -(p0 * log(p0) + p1 * log(p1)), 1e-15);
    /* KL ≈ 2(Δ)² with Δ = 2.5e-7: ~1.25e-13, computed without losing digits. */
    double d = p0 - 0.5; /* Sterbenz: exact given p0 */
    assert_rel(dv_kl(&P, &Q, NULL).nats, 2 * d * d, 1e-6);
}

/* ---- label smoothing ------------------------------------------------------------------------ */

static void test_smoothing(void **state)
{
    (void)state;
    double t[] = {0, 0, 1, 0}, w[4];
    dv_dist P, S;
    dv_error err;
    prep(t, 4, false, "p", &P);
    assert_int_equal(dv_smooth(&P, 0.1, w, &S, &err), DV_OK);
    assert_rel(dv_prob(&S, 2), 0.9 + 0.025, 1e-15);
    assert_rel(dv_prob(&S, 0), 0.025, 1e-15);
    assert_int_equal(S.n, 4);
    assert_int_equal(dv_smooth(&P, 0.0, w, &S, &err), DV_OK);
    assert_true(same(dv_prob(&S, 2), 1.0) && same(dv_prob(&S, 0), 0.0));
    assert_int_equal(dv_smooth(&P, 1.0, w, &S, &err), DV_BAD_PARAMETER);
    assert_string_equal(err.msg, "label_smoothing is 1; it must be in [0, 1)");
    assert_int_equal(dv_smooth(&P, -0.1, w, &S, &err), DV_BAD_PARAMETER);
    assert_int_equal(dv_smooth(&P, NAN, w, &S, &err), DV_BAD_PARAMETER);
}

/* ---- normalisation of huge and tiny totals ---------------------------------------------------- */

static void test_extreme_totals(void **state)
{
    (void)state;
    double a[] = {1e308, 1e308}, b[] = {1e308, 3e307};
    dv_dist P, Q;
    prep(a, 2, true, "p", &P);
    prep(b, 2, true, "q", &Q);
    assert_rel(dv_prob(&P, 0), 0.5, 1e-16);
    assert_rel(dv_entropy(&P, NULL), log(2.0), 1e-15);
    double q0 = 1e308 / 1.3e308, q1 = 3e307 / 1.3e308;
    assert_rel(dv_kl(&P, &Q, NULL).nats, 0.5 * log(0.5 / q0) + 0.5 * log(0.5 / q1), 1e-14);
    double c[] = {3e-320, 1e-320}; /* subnormal weights: still exact ratios */
    prep(c, 2, true, "p", &P);
    assert_rel(dv_prob(&P, 0), 0.75, 1e-3); /* the subnormals themselves are coarse */
    assert_rel(dv_prob(&P, 0), c[0] / (c[0] + c[1]), 1e-15);
}

/* Logits of opposite signs past ±DBL_MAX/2: x − y overflows (fuzz_core found a NaN KL
 * term, which the sum turned into a KL of 0). Every term is finite, and infinite sums
 * stay +inf instead of becoming NaN in the compensation. */
static void test_logits_past_half_dbl_max(void **state)
{
    (void)state;
    double x[] = {1.2920919406822896e308}, y[] = {-1.3427871623186926e308};
    dv_dist P, Q;
    prep_logits(x, 1, false, &P);
    prep_logits(y, 1, true, &Q);
    double t[1] = {NAN}, u[1] = {NAN};
    dv_value kl = dv_kl(&P, &Q, t);
    assert_true(same(kl.nats, 0.0) && same(t[0], 0.0));
    assert_true(same(dv_js(&P, &Q, u), 0.0) && same(u[0], 0.0));

    /* P = [1/2, 1/2], Q = [e^−2e308 (0 as a double), 1]: log P₀/Q₀ ≈ 2e308 is past the
     * doubles, P₀·log P₀/Q₀ ≈ 1e308 is not. KL = 1e308 − ln 2 (mpmath: 1e308 to double
     * precision); JS = ¼ ln 2 + ¼ ln ⅔ + ½ ln 4/3. */
    double a[] = {1e308, 1e308}, b[] = {-1e308, 1e308}, tt[2], ce[2];
    prep_logits(a, 2, false, &P);
    prep_logits(b, 2, true, &Q);
    kl = dv_kl(&P, &Q, tt);
    assert_rel(kl.nats, 1e308, 1e-15);
    assert_true(kl.inf_index == DV_NO_INDEX);
    assert_rel(tt[0], 1e308, 1e-15);
    assert_rel(tt[1], -0.5 * log(2.0), 1e-15);
    assert_rel(dv_js(&P, &Q, NULL), 0.21576155433883565, 1e-15);
    dv_value h = dv_cross_entropy(&P, &Q, ce);
    assert_rel(h.nats, 1e308, 1e-15);
    assert_rel(ce[0], 1e308, 1e-15); /* −P₀ log Q₀, with log Q₀ = −2e308 */
    assert_true(same(ce[1], 0.0));
}

/* ---- a large vector is fast and accurate ------------------------------------------------------ */

static void test_million(void **state)
{
    (void)state;
    size_t n = 1000000;
    double *p = malloc(n * sizeof *p), *q = malloc(n * sizeof *q);
    assert_true(p && q);
    for (size_t i = 0; i < n; i++) {
        p[i] = 1.0;
        q[i] = (i % 2) ? 1.0 + 0x1p-30 : 1.0 - 0x1p-30;
    }
    dv_dist P, Q;
    prep(p, n, true, "p", &P);
    prep(q, n, true, "q", &Q);
    /* Exactly: ½ log(1/(1−δ²)) with δ = 2^-30 (both totals are n exactly). */
    double d = 0x1p-30;
    double want = -0.5 * log1p(-d * d);
    assert_rel(dv_kl(&P, &Q, NULL).nats, want, 1e-13);
    assert_rel(dv_entropy(&P, NULL), log((double)n), 1e-15);
    free(p);
    free(q);
}

/* From DV_PARALLEL_MIN categories an entropy, KL or JS without terms has every other
 * chunk of its terms computed on a second thread (term_sum); with terms it is one pass. Both must give the same bits and the same
 * first infinite index, for weights, logits and mixed pairs. */
static void test_large_threaded_equals_one_pass(void **state)
{
    (void)state;
    enum { N = 100000 };
    static double x[N], y[N], terms[N];
    uint64_t r = 0x2545f4914f6cdd1dULL;
    for (size_t i = 0; i < N; i++) {
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        x[i] = (double)(r >> 11) * 0x1p-53 * 8.0 - 4.0;
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        y[i] = (double)(r >> 11) * 0x1p-53 * 8.0 - 4.0;
    }
    for (int kinds = 0; kinds < 4; kinds++) {
        static double a[N], b[N];
        dv_dist P, Q;
        for (size_t i = 0; i < N; i++) {
            a[i] = kinds & 1 ? x[i] : exp(x[i]) * (i % 97 == 0 ? 0.0 : 1.0);
            b[i] = kinds & 2 ? y[i] : exp(y[i]);
        }
        if (kinds & 1)
            prep_logits(a, N, false, &P);
        else
            prep(a, N, true, "p", &P);
        if (kinds & 2)
            prep_logits(b, N, true, &Q);
        else
            prep(b, N, true, "q", &Q);
        dv_value two = dv_kl(&P, &Q, NULL), one = dv_kl(&P, &Q, terms);
        assert_true(same(two.nats, one.nats));
        assert_true(two.nats > 0.0 && two.inf_index == DV_NO_INDEX);
        /* entropy and JS sum their terms the same way */
        assert_true(same(dv_entropy(&P, NULL), dv_entropy(&P, terms)));
        assert_true(same(dv_js(&P, &Q, NULL), dv_js(&P, &Q, terms)));
        assert_true(dv_js(&P, &Q, NULL) > 0.0 && dv_entropy(&P, NULL) > 0.0);
        if (kinds & 2)
            continue; /* Q logits have no zero */
        /* zeros in Q, each earlier than the last, in chunks of either thread (chunks of
         * 32768: 99999 in the helper's last, partial one, 70000 in this thread's, 40000 in
         * the helper's first, 10 in this thread's first) */
        const size_t zeros[] = {99999, 70000, 40000, 10};
        for (int z = 0; z < 4; z++) {
            b[zeros[z]] = 0.0;
            prep(b, N, true, "q", &Q);
            two = dv_kl(&P, &Q, NULL);
            one = dv_kl(&P, &Q, terms);
            assert_true(isinf(two.nats) && isinf(one.nats));
            assert_int_equal(two.inf_index, zeros[z]);
            assert_int_equal(one.inf_index, zeros[z]);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_entropy_examples),
        cmocka_unit_test(test_cross_entropy_onehot),
        cmocka_unit_test(test_kl_counts_example),
        cmocka_unit_test(test_zero_conventions),
        cmocka_unit_test(test_self_divergence_exactly_zero),
        cmocka_unit_test(test_never_negative_near_equal),
        cmocka_unit_test(test_identities_and_bases),
        cmocka_unit_test(test_terms_sum_to_value),
        cmocka_unit_test(test_rescaled_within_tolerance),
        cmocka_unit_test(test_smoothing),
        cmocka_unit_test(test_extreme_totals),
        cmocka_unit_test(test_logits_past_half_dbl_max),
        cmocka_unit_test(test_million),
        cmocka_unit_test(test_large_threaded_equals_one_pass),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
