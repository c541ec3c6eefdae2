/*
 * families.c — the table of the 21 parametric families of SPEC §8 (names, parameters in
 * PyTorch's spelling and order, domains, supports, check and entropy functions), the
 * table of KL pairs, lookup, and the checking wrappers dv_family_entropy/dv_family_kl.
 *
 * Why tables: the API layer lists families and pairs in its 422s and in GET
 * /distributions from the same rows that dispatch the computation, so the documentation
 * cannot drift from what is implemented. The continuous families' functions live in
 * fam_cont.c, the discrete and multivariate ones in fam_disc.c / fam_mvn.c (fam_disc.h,
 * famdisc's branch: wired in here as soon as that header is in the tree).
 */
#include <string.h>

#include "fam_cont.h"
#include "families.h"
#include "internal.h"

#include "fam_disc.h"

/* The discrete and multivariate families' functions (fam_disc.c, fam_mvn.c). */
#define DISC(f) dv_fam_##f##_check, dv_fam_##f##_entropy

#define S(n, dom)                                                                          \
    {                                                                                      \
        n, DV_PARAM_SCALAR, dom, 0                                                         \
    }
#define SG(n, dom, g)                                                                      \
    {                                                                                      \
        n, DV_PARAM_SCALAR, dom, g                                                         \
    }
#define V(n, dom)                                                                          \
    {                                                                                      \
        n, DV_PARAM_VECTOR, dom, 0                                                         \
    }
#define VG(n, dom, g)                                                                      \
    {                                                                                      \
        n, DV_PARAM_VECTOR, dom, g                                                         \
    }
#define MG(n, dom, g)                                                                      \
    {                                                                                      \
        n, DV_PARAM_MATRIX, dom, g                                                         \
    }
#define M(n, dom)                                                                          \
    {                                                                                      \
        n, DV_PARAM_MATRIX, dom, 0                                                         \
    }
#define CONT(f) dv_fam_##f##_check, dv_fam_##f##_entropy

static const dv_family_info FAMILIES[] = {
    {"normal", "R", false, 2, {S("loc", "finite"), S("scale", "> 0")}, CONT(normal)},
    {"multivariate_normal",
     "R^d",
     false,
     4,
     {V("loc", "finite"), MG("covariance_matrix", "symmetric positive definite", 1),
      MG("scale_tril", "lower triangular, positive diagonal", 1),
      MG("precision_matrix", "symmetric positive definite", 1)},
     DISC(multivariate_normal)},
    {"lowrank_multivariate_normal",
     "R^d",
     false,
     3,
     {V("loc", "finite"), M("cov_factor", "finite, d x r"), V("cov_diag", "> 0")},
     DISC(lowrank_multivariate_normal)},
    {"laplace", "R", false, 2, {S("loc", "finite"), S("scale", "> 0")}, CONT(laplace)},
    {"cauchy", "R", false, 2, {S("loc", "finite"), S("scale", "> 0")}, CONT(cauchy)},
    {"gumbel", "R", false, 2, {S("loc", "finite"), S("scale", "> 0")}, CONT(gumbel)},
    {"half_normal", "[0, inf)", false, 1, {S("scale", "> 0")}, CONT(half_normal)},
    {"log_normal",
     "(0, inf)",
     false,
     2,
     {S("loc", "finite"), S("scale", "> 0")},
     CONT(log_normal)},
    {"exponential", "[0, inf)", false, 1, {S("rate", "> 0")}, CONT(exponential)},
    {"gamma",
     "(0, inf)",
     false,
     2,
     {S("concentration", "> 0"), S("rate", "> 0")},
     CONT(gamma)},
    {"chi2", "(0, inf)", false, 1, {S("df", "> 0")}, CONT(chi2)},
    {"weibull",
     "[0, inf)",
     false,
     2,
     {S("scale", "> 0"), S("concentration", "> 0")},
     CONT(weibull)},
    {"pareto",
     "[scale, inf)",
     false,
     2,
     {S("scale", "> 0"), S("alpha", "> 0")},
     CONT(pareto)},
    {"uniform",
     "[low, high]",
     false,
     2,
     {S("low", "finite, < high"), S("high", "finite, > low")},
     CONT(uniform)},
    {"beta",
     "[0, 1]",
     false,
     2,
     {S("concentration1", "> 0"), S("concentration0", "> 0")},
     CONT(beta)},
    {"continuous_bernoulli",
     "[0, 1]",
     false,
     2,
     {SG("probs", "in (0, 1)", 1), SG("logits", "finite", 1)},
     CONT(continuous_bernoulli)},
    {"von_mises",
     "[-pi, pi)",
     false,
     2,
     {S("loc", "finite"), S("concentration", ">= 0")},
     CONT(von_mises)},
    {"dirichlet",
     "simplex",
     false,
     1,
     {V("concentration", "> 0, at least 2 entries")},
     CONT(dirichlet)},
    {"bernoulli",
     "{0, 1}",
     true,
     2,
     {SG("probs", "in [0, 1]", 1), SG("logits", "finite", 1)},
     DISC(bernoulli)},
    {"binomial",
     "{0, ..., total_count}",
     true,
     3,
     {S("total_count", "integer >= 0"), SG("probs", "in [0, 1]", 1),
      SG("logits", "finite", 1)},
     DISC(binomial)},
    {"categorical",
     "{0, ..., k-1}",
     true,
     2,
     {VG("probs", ">= 0, sum to 1 (within 1e-6)", 1), VG("logits", "finite", 1)},
     DISC(categorical)},
    {"geometric",
     "{0, 1, ...}",
     true,
     2,
     {SG("probs", "in (0, 1]", 1), SG("logits", "finite", 1)},
     DISC(geometric)},
    {"poisson", "{0, 1, ...}", true, 1, {S("rate", "> 0")}, DISC(poisson)},
};

#define NFAM (sizeof FAMILIES / sizeof FAMILIES[0])

typedef struct pair_row {
    const char *p, *q;
    dv_fam_kl_fn kl;
} pair_row;

#define P(a, b, fn)                                                                        \
    {                                                                                      \
#a, #b, dv_fam_##fn##_kl                                                           \
    }
#define GAMMA3(a, fn) P(a, gamma, fn), P(a, exponential, fn), P(a, chi2, fn)
#define FROM_GAMMA3(b, fn) P(gamma, b, fn), P(exponential, b, fn), P(chi2, b, fn)
#define INF_TO(a)                                                                          \
    P(a, beta, support_infinite), P(a, continuous_bernoulli, support_infinite),            \
        P(a, pareto, support_infinite), P(a, uniform, support_infinite)

/* Order: same family, cross-family closed forms, always-infinite pairs. */
static const pair_row PAIRS[] = {
    P(normal, normal, normal_normal),
    P(laplace, laplace, laplace_laplace),
    P(cauchy, cauchy, cauchy_cauchy),
    P(gumbel, gumbel, gumbel_gumbel),
    P(half_normal, half_normal, half_normal_half_normal),
    P(log_normal, log_normal, log_normal_log_normal),
    GAMMA3(gamma, gamma_gamma),
    GAMMA3(exponential, gamma_gamma),
    GAMMA3(chi2, gamma_gamma),
    P(weibull, weibull, weibull_weibull),
    P(pareto, pareto, pareto_pareto),
    P(uniform, uniform, uniform_uniform),
    P(beta, beta, beta_beta),
    P(continuous_bernoulli, continuous_bernoulli,
      continuous_bernoulli_continuous_bernoulli),
    P(von_mises, von_mises, von_mises_von_mises),
    P(dirichlet, dirichlet, dirichlet_dirichlet),
    /* discrete and multivariate (fam_disc.c, fam_mvn.c) */
    P(bernoulli, bernoulli, bernoulli_bernoulli),
    P(binomial, binomial, binomial_binomial),
    P(categorical, categorical, categorical_categorical),
    P(geometric, geometric, geometric_geometric),
    P(poisson, poisson, poisson_poisson),
    P(multivariate_normal, multivariate_normal, multivariate_normal_multivariate_normal),
    P(multivariate_normal, lowrank_multivariate_normal,
      multivariate_normal_lowrank_multivariate_normal),
    P(lowrank_multivariate_normal, lowrank_multivariate_normal,
      lowrank_multivariate_normal_lowrank_multivariate_normal),
    P(lowrank_multivariate_normal, multivariate_normal,
      lowrank_multivariate_normal_multivariate_normal),
    P(bernoulli, poisson, bernoulli_poisson),
    /* cross-family */
    P(beta, continuous_bernoulli, beta_continuous_bernoulli),
    GAMMA3(beta, beta_gamma),
    P(beta, normal, beta_normal),
    P(beta, uniform, beta_uniform),
    P(continuous_bernoulli, exponential, continuous_bernoulli_exponential),
    P(continuous_bernoulli, normal, continuous_bernoulli_normal),
    P(continuous_bernoulli, uniform, continuous_bernoulli_uniform),
    FROM_GAMMA3(gumbel, gamma_gumbel),
    FROM_GAMMA3(normal, gamma_normal),
    P(gumbel, normal, gumbel_normal),
    P(laplace, normal, laplace_normal),
    P(normal, gumbel, normal_gumbel),
    P(normal, laplace, normal_laplace),
    GAMMA3(pareto, pareto_gamma),
    P(pareto, normal, pareto_normal),
    P(uniform, beta, uniform_beta),
    P(uniform, continuous_bernoulli, uniform_continuous_bernoulli),
    GAMMA3(uniform, uniform_gamma),
    P(uniform, gumbel, uniform_gumbel),
    P(uniform, normal, uniform_normal),
    P(uniform, pareto, uniform_pareto),
    GAMMA3(weibull, weibull_gamma),
    /* +inf: p's support is not inside q's, or p's tails are too heavy */
    P(beta, pareto, support_infinite),
    P(continuous_bernoulli, pareto, support_infinite),
    INF_TO(gamma),
    INF_TO(exponential),
    INF_TO(chi2),
    INF_TO(gumbel),
    GAMMA3(gumbel, support_infinite),
    INF_TO(laplace),
    GAMMA3(laplace, support_infinite),
    INF_TO(normal),
    GAMMA3(normal, support_infinite),
    P(pareto, beta, support_infinite),
    P(pareto, continuous_bernoulli, support_infinite),
    P(pareto, uniform, support_infinite),
    P(poisson, bernoulli, support_infinite),
    P(poisson, binomial, support_infinite),
    P(cauchy, normal, tails_infinite),
    P(cauchy, laplace, tails_infinite),
};

#define NPAIR (sizeof PAIRS / sizeof PAIRS[0])

size_t dv_family_count(void)
{
    return NFAM;
}

const dv_family_info *dv_family_at(size_t i)
{
    return i < NFAM ? &FAMILIES[i] : NULL;
}

const dv_family_info *dv_family_find(const char *name, size_t len)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < NFAM; i++)
        if (strlen(FAMILIES[i].name) == len && memcmp(FAMILIES[i].name, name, len) == 0)
            return &FAMILIES[i];
    return NULL;
}

dv_fam_kl_fn dv_family_kl_fn(const dv_family_info *p, const dv_family_info *q)
{
    if (!p || !q)
        return NULL;
    for (size_t i = 0; i < NPAIR; i++)
        if (strcmp(PAIRS[i].p, p->name) == 0 && strcmp(PAIRS[i].q, q->name) == 0)
            return PAIRS[i].kl;
    return NULL;
}

bool dv_family_kl_always_infinite(const dv_family_info *p, const dv_family_info *q)
{
    dv_fam_kl_fn fn = dv_family_kl_fn(p, q);
    return fn == dv_fam_support_infinite_kl || fn == dv_fam_tails_infinite_kl;
}

size_t dv_family_kl_targets(const dv_family_info *p, const dv_family_info **out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; p && i < NPAIR; i++) {
        if (strcmp(PAIRS[i].p, p->name) != 0)
            continue;
        if (n < cap)
            out[n] = dv_family_find(PAIRS[i].q, strlen(PAIRS[i].q));
        n++;
    }
    return n;
}

static dv_status check_one(const dv_fdist *x, int arg, dv_error *err)
{
    if (!x || !x->fam)
        return dv_fail_at(err, DV_BAD_PARAMETER, dv_at(arg, "family"), "%s has no family",
                          arg == DV_ARG_Q ? "q" : "p");
    return x->fam->check ? x->fam->check(x, arg, err) : DV_OK;
}

dv_status dv_family_entropy(const dv_fdist *x, dv_fresult *out, dv_error *err)
{
    dv_status st = check_one(x, DV_ARG_P, err);
    if (st)
        return st;
    if (!x->fam->entropy)
        return dv_fail_at(err, DV_BAD_PARAMETER, dv_at(DV_ARG_P, "family"),
                          "the entropy of %s is not available in this build", x->fam->name);
    return x->fam->entropy(x, out, err);
}

dv_status dv_family_kl(const dv_fdist *p, const dv_fdist *q, dv_fresult *out, dv_error *err)
{
    dv_status st = check_one(p, DV_ARG_P, err);
    if (!st)
        st = check_one(q, DV_ARG_Q, err);
    if (st)
        return st;
    dv_fam_kl_fn fn = dv_family_kl_fn(p->fam, q->fam);
    if (!fn)
        return dv_fail_at(err, DV_BAD_PARAMETER, dv_at(DV_ARG_Q, "family"),
                          "there is no closed-form KL from %s to %s", p->fam->name,
                          q->fam->name);
    return fn(p, q, out, err);
}
