/*
 * test_families.c — the family table and the checks: lookup, parameter rows (SPEC §8
 * names and order), the pair table (inherited gamma pairs, unsupported pairs), validation
 * messages and structured locations, +inf results and their reasons, and identities
 * (KL(p‖p) = 0, normal–normal equal to dv_gaussian_kl bit for bit).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"
#include "families.h"

static const dv_family_info *fam(const char *name)
{
    const dv_family_info *f = dv_family_find(name, strlen(name));
    if (!f)
        fail_msg("no family %s", name);
    return f;
}

static dv_fdist mk(const char *name, double a, double b)
{
    dv_fdist x;
    memset(&x, 0, sizeof x);
    x.fam = fam(name);
    for (size_t i = 0; i < DV_FAM_MAX_PARAMS; i++)
        x.s[i] = NAN;
    x.s[0] = a;
    x.s[1] = b;
    return x;
}

static void test_table(void **state)
{
    (void)state;
    static const char *names[] = {"normal", "multivariate_normal", "lowrank_multivariate_normal",
                                  "laplace", "cauchy", "gumbel", "half_normal", "log_normal",
                                  "exponential", "gamma", "chi2", "weibull", "pareto", "uniform",
                                  "beta", "continuous_bernoulli", "von_mises", "dirichlet",
                                  "bernoulli", "binomial", "categorical", "geometric", "poisson"};
    /* SPEC §8's table, in its order (its rows "laplace, cauchy, gumbel" are three). */
    assert_int_equal(dv_family_count(), sizeof names / sizeof names[0]);
    for (size_t i = 0; i < dv_family_count(); i++)
        assert_string_equal(dv_family_at(i)->name, names[i]);
    for (size_t i = 0; i < dv_family_count(); i++) {
        const dv_family_info *f = dv_family_at(i);
        assert_non_null(f);
        assert_ptr_equal(dv_family_find(f->name, strlen(f->name)), f);
        assert_true(f->nparams >= 1 && f->nparams <= DV_FAM_MAX_PARAMS);
    }
    assert_null(dv_family_at(dv_family_count()));
    assert_null(dv_family_find("studentt", 8));
    assert_null(dv_family_find("gam", 3));
    assert_non_null(dv_family_find("gammaXYZ", 5)); /* length-delimited */
    const dv_family_info *w = fam("weibull");
    assert_string_equal(w->params[0].name, "scale");
    assert_string_equal(w->params[1].name, "concentration");
    const dv_family_info *cb = fam("continuous_bernoulli");
    assert_int_equal(cb->params[0].group, cb->params[1].group);
    assert_true(cb->params[0].group != 0);
    assert_string_equal(fam("beta")->params[0].name, "concentration1");
    assert_int_equal(fam("dirichlet")->params[0].shape, DV_PARAM_VECTOR);
}

static void test_pairs(void **state)
{
    (void)state;
    /* inherited: exponential and chi2 wherever gamma is */
    assert_non_null(dv_family_kl_fn(fam("exponential"), fam("chi2")));
    assert_non_null(dv_family_kl_fn(fam("weibull"), fam("chi2")));
    assert_non_null(dv_family_kl_fn(fam("chi2"), fam("gumbel")));
    assert_non_null(dv_family_kl_fn(fam("uniform"), fam("exponential")));
    /* no closed form */
    assert_null(dv_family_kl_fn(fam("continuous_bernoulli"), fam("beta")));
    assert_null(dv_family_kl_fn(fam("cauchy"), fam("gumbel")));
    assert_null(dv_family_kl_fn(fam("von_mises"), fam("normal")));
    const dv_family_info *t[64];
    size_t n = dv_family_kl_targets(fam("uniform"), t, 64);
    assert_int_equal(n, 9); /* uniform, beta, continuous_bernoulli, gamma, exponential, chi2, gumbel, normal, pareto */
    bool has_pareto = false;
    for (size_t i = 0; i < n; i++)
        has_pareto |= strcmp(t[i]->name, "pareto") == 0;
    assert_true(has_pareto);
    assert_int_equal(dv_family_kl_targets(fam("von_mises"), t, 64), 1);
    assert_true(dv_family_kl_always_infinite(fam("normal"), fam("exponential")));
    assert_true(dv_family_kl_always_infinite(fam("cauchy"), fam("laplace")));
    assert_false(dv_family_kl_always_infinite(fam("pareto"), fam("normal"))); /* alpha > 2 */
    assert_false(dv_family_kl_always_infinite(fam("uniform"), fam("beta")));
    assert_false(dv_family_kl_always_infinite(fam("cauchy"), fam("gumbel"))); /* no pair */

    dv_fdist p = mk("cauchy", 0, 1), q = mk("gumbel", 0, 1);
    dv_fresult r;
    dv_error err;
    assert_int_equal(dv_family_kl(&p, &q, &r, &err), DV_BAD_PARAMETER);
    assert_non_null(strstr(err.msg, "no closed-form KL from cauchy to gumbel"));
}

static void expect_error(dv_fdist x, int arg, dv_status st, const char *member, size_t idx,
                         const char *msg)
{
    dv_fresult r;
    dv_error err;
    memset(&err, 0, sizeof err);
    dv_fdist ok = mk("normal", 0, 1); /* only normal is used on the q side */
    dv_status got = arg == DV_ARG_P ? dv_family_entropy(&x, &r, &err)
                                    : dv_family_kl(&ok, &x, &r, &err);
    assert_int_equal(got, st);
    assert_int_equal(err.at.arg, arg);
    assert_string_equal(err.at.member, member);
    assert_true(err.at.idx[0] == idx);
    if (!strstr(err.msg, msg))
        fail_msg("message \"%s\" lacks \"%s\"", err.msg, msg);
}

static void test_validation(void **state)
{
    (void)state;
    expect_error(mk("normal", 0, -1), DV_ARG_P, DV_NOT_POSITIVE, "scale", DV_NO_INDEX,
                 "p.scale is -1; it must be > 0");
    expect_error(mk("normal", 0, -1), DV_ARG_Q, DV_NOT_POSITIVE, "scale", DV_NO_INDEX,
                 "q.scale is -1; it must be > 0");
    expect_error(mk("normal", INFINITY, 1), DV_ARG_P, DV_NOT_FINITE, "loc", DV_NO_INDEX,
                 "p.loc is Infinity; it must be finite");
    expect_error(mk("gamma", 0, 1), DV_ARG_P, DV_NOT_POSITIVE, "concentration", DV_NO_INDEX,
                 "p.concentration is 0; it must be > 0");
    expect_error(mk("gamma", 2, NAN), DV_ARG_P, DV_BAD_PARAMETER, "rate", DV_NO_INDEX,
                 "p.rate is missing");
    expect_error(mk("uniform", 2, 1), DV_ARG_P, DV_BAD_PARAMETER, "high", DV_NO_INDEX,
                 "p.high is 1 but p.low is 2; high must be > low");
    expect_error(mk("continuous_bernoulli", 0.5, 0.1), DV_ARG_P, DV_BAD_PARAMETER, "logits",
                 DV_NO_INDEX, "exactly one of probs and logits");
    expect_error(mk("continuous_bernoulli", NAN, NAN), DV_ARG_P, DV_BAD_PARAMETER, "probs",
                 DV_NO_INDEX, "neither was given");
    expect_error(mk("continuous_bernoulli", 1.0, NAN), DV_ARG_P, DV_BAD_PARAMETER, "probs",
                 DV_NO_INDEX, "p.probs is 1; it must be in (0, 1)");
    expect_error(mk("von_mises", 0, -0.5), DV_ARG_P, DV_NEGATIVE, "concentration",
                 DV_NO_INDEX, "p.concentration is -0.5; it must be >= 0");
    double a[3] = {1.0, -1.0, 2.0};
    dv_fdist d = mk("dirichlet", NAN, NAN);
    d.v[0] = a;
    d.d = 3;
    expect_error(d, DV_ARG_P, DV_NOT_POSITIVE, "concentration", 1,
                 "p.concentration[1] is -1; it must be > 0");
    d.d = 1;
    expect_error(d, DV_ARG_P, DV_SHAPE_MISMATCH, "concentration", DV_NO_INDEX,
                 "at least 2");
    /* Dirichlet lengths must agree */
    double b[2] = {1.0, 2.0}, c[3] = {1.0, 2.0, 3.0};
    dv_fdist p = mk("dirichlet", NAN, NAN), q = mk("dirichlet", NAN, NAN);
    p.v[0] = b;
    p.d = 2;
    q.v[0] = c;
    q.d = 3;
    dv_fresult r;
    dv_error err;
    assert_int_equal(dv_family_kl(&p, &q, &r, &err), DV_SHAPE_MISMATCH);
    assert_int_equal(err.at.arg, DV_ARG_Q);
}

static void expect_inf(dv_fdist p, dv_fdist q, const char *reason_part)
{
    dv_fresult r = {0, NULL};
    dv_error err;
    assert_int_equal(dv_family_kl(&p, &q, &r, &err), DV_OK);
    assert_true(isinf(r.nats) && r.nats > 0);
    assert_non_null(r.reason);
    if (!strstr(r.reason, reason_part))
        fail_msg("reason \"%s\" lacks \"%s\"", r.reason, reason_part);
}

static void test_infinite(void **state)
{
    (void)state;
    expect_inf(mk("normal", 0, 1), mk("exponential", 1, NAN), "support");
    expect_inf(mk("beta", 2, 3), mk("pareto", 1, 2), "support");
    expect_inf(mk("cauchy", 0, 1), mk("normal", 0, 1), "tails");
    expect_inf(mk("cauchy", 0, 1), mk("laplace", 0, 1), "tails");
    expect_inf(mk("pareto", 1, 2), mk("normal", 0, 1), "alpha <= 2");
    expect_inf(mk("pareto", 1, 1), mk("exponential", 1, NAN), "alpha <= 1");
    expect_inf(mk("pareto", 1, 0.5), mk("gamma", 2, 1), "alpha <= 1");
    expect_inf(mk("pareto", 1, 2), mk("pareto", 2, 2), "p.scale < q.scale");
    expect_inf(mk("uniform", -1, 1), mk("uniform", 0, 2), "[low, high]");
    expect_inf(mk("uniform", -1, 1), mk("gamma", 2, 2), "[low, high]");
    expect_inf(mk("uniform", 0.5, 2), mk("beta", 2, 2), "[low, high]");
    expect_inf(mk("uniform", 0.5, 2), mk("pareto", 1, 2), "[low, high]");
    expect_inf(mk("beta", 2, 2), mk("uniform", 0.1, 1), "[low, high]");
    expect_inf(mk("gumbel", 0, 1), mk("chi2", 3, NAN), "support");
    /* finite where the conditions hold */
    dv_fresult r;
    dv_error err;
    dv_fdist p = mk("pareto", 1, 2.5), q = mk("normal", 0, 1);
    assert_int_equal(dv_family_kl(&p, &q, &r, &err), DV_OK);
    assert_true(isfinite(r.nats) && r.nats > 0 && r.reason == NULL);
}

static void test_identities(void **state)
{
    (void)state;
    const char *names[] = {"normal", "laplace", "cauchy", "gumbel", "log_normal", "gamma",
                           "weibull", "pareto", "uniform", "beta", "von_mises"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        dv_fdist p = mk(names[i], 0.75, 1.5);
        dv_fresult r;
        dv_error err;
        assert_int_equal(dv_family_kl(&p, &p, &r, &err), DV_OK);
        if (!same(r.nats, 0.0))
            fail_msg("%s: KL(p||p) = %.17g", names[i], r.nats);
    }
    dv_fdist e = mk("exponential", 2.0, NAN), cb = mk("continuous_bernoulli", 0.3, NAN);
    dv_fresult r;
    dv_error err;
    assert_int_equal(dv_family_kl(&e, &e, &r, &err), DV_OK);
    assert_true(same(r.nats, 0.0));
    assert_int_equal(dv_family_kl(&cb, &cb, &r, &err), DV_OK);
    assert_true(same(r.nats, 0.0));

    /* normal–normal is dv_gaussian_kl, bit for bit */
    double m1 = 0.3, s1 = 1.7, m2 = -0.2, s2 = 0.9, g;
    dv_gauss gp = {0, 1, &m1, DV_SCALE_STD, &s1}, gq = {0, 1, &m2, DV_SCALE_STD, &s2};
    assert_int_equal(dv_gaussian_kl(&gp, &gq, &g, &err), DV_OK);
    dv_fdist p = mk("normal", m1, s1), q = mk("normal", m2, s2);
    assert_int_equal(dv_family_kl(&p, &q, &r, &err), DV_OK);
    assert_true(same(r.nats, g));
    /* exponential(λ) is gamma(1, λ); chi2(k) is gamma(k/2, ½) */
    dv_fdist g1 = mk("gamma", 1.0, 2.0), x2 = mk("chi2", 3.0, NAN), g2 = mk("gamma", 1.5, 0.5);
    dv_fresult a, b;
    assert_int_equal(dv_family_kl(&e, &x2, &a, &err), DV_OK);
    assert_int_equal(dv_family_kl(&g1, &g2, &b, &err), DV_OK);
    assert_true(same(a.nats, b.nats));
    assert_int_equal(dv_family_entropy(&e, &a, &err), DV_OK);
    assert_int_equal(dv_family_entropy(&g1, &b, &err), DV_OK);
    assert_true(same(a.nats, b.nats));
}

static void test_overflow(void **state)
{
    (void)state;
    dv_fdist p = mk("gumbel", 0, 100), q = mk("gumbel", -100, 0.01);
    dv_fresult r;
    dv_error err;
    assert_int_equal(dv_family_kl(&p, &q, &r, &err), DV_NOT_FINITE);
    assert_non_null(strstr(err.msg, "largest double"));
}

/* A deterministic generator (xorshift) of parameters over the whole double range. */
static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static double urand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) * 0x1p-53;
}
static double pos(void) /* 10^U(−300, 300), sometimes small integers */
{
    return urand() < 0.2 ? (double)(1 + (int)(urand() * 5)) : pow(10.0, -300.0 + 600.0 * urand());
}
static double any(void)
{
    return (urand() < 0.5 ? -1.0 : 1.0) * (urand() < 0.2 ? 0.0 : pos());
}

/* All parameters of x within [1e-100, 1e100] in magnitude (or 0): there every
   intermediate term fits a double, so a NaN is a bug, not an overflow. */
static bool moderate(const dv_fdist *x)
{
    double v[DV_FAM_MAX_PARAMS + 3];
    size_t n = 0;
    if (x->v[0])
        for (size_t i = 0; i < x->d; i++)
            v[n++] = x->v[0][i];
    for (size_t i = 0; i < DV_FAM_MAX_PARAMS; i++)
        if (!isnan(x->s[i]))
            v[n++] = x->s[i];
    for (size_t i = 0; i < n; i++)
        if (fpclassify(v[i]) != FP_ZERO && !(fabs(v[i]) >= 1e-100 && fabs(v[i]) <= 1e100))
            return false;
    return true;
}

/* "(a, b)" or "[a, b, c]" for failure messages. */
static const char *show(const dv_fdist *x, char *buf, size_t n)
{
    if (x->v[0])
        snprintf(buf, n, "[%a, %a, %a]", x->v[0][0], x->v[0][1], x->v[0][2]);
    else
        snprintf(buf, n, "(%a, %a)", x->s[0], x->s[1]);
    return buf;
}

static dv_fdist random_dist(const dv_family_info *f, double *vec)
{
    dv_fdist x;
    memset(&x, 0, sizeof x);
    x.fam = f;
    for (size_t i = 0; i < DV_FAM_MAX_PARAMS; i++)
        x.s[i] = NAN;
    const char *n = f->name;
    if (!strcmp(n, "uniform")) {
        double a = any(), b = any();
        x.s[0] = fmin(a, b);
        x.s[1] = fmax(a, b);
        if (!(x.s[0] < x.s[1]))
            x.s[1] = nextafter(x.s[0], INFINITY);
    } else if (!strcmp(n, "continuous_bernoulli")) {
        if (urand() < 0.5)
            x.s[0] = fmin(fmax(urand(), 0x1p-60), 1.0 - 0x1p-53);
        else
            x.s[1] = any();
    } else if (!strcmp(n, "dirichlet")) {
        x.d = 3;
        for (size_t i = 0; i < 3; i++)
            vec[i] = pos();
        x.v[0] = vec;
    } else if (!strcmp(n, "von_mises")) {
        x.s[0] = any();
        x.s[1] = urand() < 0.1 ? 0.0 : pos();
    } else {
        for (size_t i = 0; i < f->nparams; i++)
            x.s[i] = (!strcmp(f->params[i].name, "loc")) ? any() : pos();
    }
    return x;
}

/* Over random parameters spanning the double range, every continuous pair and entropy
   answers a non-negative KL (or +inf with a reason), a finite entropy, or a
   not-representable error — never NaN, never a negative KL, never a crash; and with
   parameters within 1e±100, never a NaN even internally. */
static void test_random_sanity(void **state)
{
    (void)state;
    size_t checked = 0;
    for (int round = 0; round < 3000; round++) {
        for (size_t i = 0; i < dv_family_count(); i++) {
            const dv_family_info *pf = dv_family_at(i);
            if (pf->discrete || !pf->entropy || !strcmp(pf->name, "multivariate_normal") ||
                !strcmp(pf->name, "lowrank_multivariate_normal"))
                continue;
            double pv[3], qv[3];
            dv_fdist p = random_dist(pf, pv);
            dv_fresult r;
            dv_error err;
            dv_status st = dv_family_entropy(&p, &r, &err);
            if (st == DV_OK && !isfinite(r.nats))
                fail_msg("entropy %s: %.17g", pf->name, r.nats);
            char b0[128];
            if (st != DV_OK && (st != DV_NOT_FINITE || (strstr(err.msg, "terms overflow") && moderate(&p))))
                fail_msg("entropy %s%s: %s", pf->name, show(&p, b0, sizeof b0), err.msg);
            for (size_t j = 0; j < dv_family_count(); j++) {
                const dv_family_info *qf = dv_family_at(j);
                if (!dv_family_kl_fn(pf, qf) || qf->discrete || !qf->entropy)
                    continue;
                dv_fdist q = random_dist(qf, qv);
                st = dv_family_kl(&p, &q, &r, &err);
                checked++;
                char b1[128], b2[128];
                if (st == DV_NOT_FINITE && strstr(err.msg, "terms overflow") && moderate(&p) && moderate(&q))
                    fail_msg("kl %s%s||%s%s: %s", pf->name, show(&p, b1, sizeof b1), qf->name,
                             show(&q, b2, sizeof b2), err.msg);
                if (st == DV_NOT_FINITE)
                    continue;
                if (st != DV_OK)
                    fail_msg("kl %s||%s: %s", pf->name, qf->name, err.msg);
                if (isnan(r.nats) || r.nats < 0.0 || (isinf(r.nats) && !r.reason))
                    fail_msg("kl %s%s||%s%s = %.17g", pf->name, show(&p, b1, sizeof b1),
                             qf->name, show(&q, b2, sizeof b2), r.nats);
            }
        }
    }
    assert_true(checked > 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),      cmocka_unit_test(test_pairs),
        cmocka_unit_test(test_validation), cmocka_unit_test(test_infinite),
        cmocka_unit_test(test_identities), cmocka_unit_test(test_overflow),
        cmocka_unit_test(test_random_sanity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
