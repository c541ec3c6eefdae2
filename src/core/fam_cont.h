/*
 * fam_cont.h — the continuous families' check / entropy / KL functions (fam_cont.c),
 * wired into the tables of families.c. Internal to the core: callers use families.h.
 * Parameter order in dv_fdist.s[] / v[] is the order of the family's params[] row.
 */
#ifndef DV_FAM_CONT_H
#define DV_FAM_CONT_H

#include "families.h"

// clang-format off
#define DV_FAM_CONT_FAMILIES(X) \
    X(normal)                   \
    X(laplace)                  \
    X(cauchy)                   \
    X(gumbel)                   \
    X(half_normal)              \
    X(log_normal)               \
    X(exponential)              \
    X(gamma)                    \
    X(chi2)                     \
    X(weibull)                  \
    X(pareto)                   \
    X(uniform)                  \
    X(beta)                     \
    X(continuous_bernoulli)     \
    X(von_mises)                \
    X(dirichlet)
// clang-format on

#define DV_FAM_DECL(f)                                                                     \
    dv_status dv_fam_##f##_check(const dv_fdist *x, int arg, dv_error *err);               \
    dv_status dv_fam_##f##_entropy(const dv_fdist *x, dv_fresult *out, dv_error *err);
DV_FAM_CONT_FAMILIES(DV_FAM_DECL)
#undef DV_FAM_DECL

/* KL functions: same-family pairs, cross-family closed forms, and the pairs whose KL is
 * always +inf. exponential and chi2 are gamma(1, rate) and gamma(df/2, ½): every
 * function taking a gamma on either side accepts all three. */
// clang-format off
#define DV_FAM_CONT_PAIRS(X)                      \
    X(normal, normal)                             \
    X(laplace, laplace)                           \
    X(cauchy, cauchy)                             \
    X(gumbel, gumbel)                             \
    X(half_normal, half_normal)                   \
    X(log_normal, log_normal)                     \
    X(gamma, gamma)                               \
    X(weibull, weibull)                           \
    X(pareto, pareto)                             \
    X(uniform, uniform)                           \
    X(beta, beta)                                 \
    X(continuous_bernoulli, continuous_bernoulli) \
    X(von_mises, von_mises)                       \
    X(dirichlet, dirichlet)                       \
    X(beta, continuous_bernoulli)                 \
    X(beta, gamma)                                \
    X(beta, normal)                               \
    X(beta, uniform)                              \
    X(continuous_bernoulli, exponential)          \
    X(continuous_bernoulli, normal)               \
    X(continuous_bernoulli, uniform)              \
    X(gamma, gumbel)                              \
    X(gamma, normal)                              \
    X(gumbel, normal)                             \
    X(laplace, normal)                            \
    X(normal, gumbel)                             \
    X(normal, laplace)                            \
    X(pareto, gamma)                              \
    X(pareto, normal)                             \
    X(uniform, beta)                              \
    X(uniform, continuous_bernoulli)              \
    X(uniform, gamma)                             \
    X(uniform, gumbel)                            \
    X(uniform, normal)                            \
    X(uniform, pareto)                            \
    X(weibull, gamma)                             \
    X(support, infinite)                          \
    X(tails, infinite)
// clang-format on

#define DV_FAM_DECL2(a, b)                                                                 \
    dv_status dv_fam_##a##_##b##_kl(const dv_fdist *p, const dv_fdist *q, dv_fresult *out, \
                                    dv_error *err);
DV_FAM_CONT_PAIRS(DV_FAM_DECL2)
#undef DV_FAM_DECL2

#endif /* DV_FAM_CONT_H */
