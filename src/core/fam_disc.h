/*
 * fam_disc.h — the discrete and multivariate families of SPEC §8 (bernoulli, binomial,
 * categorical, geometric, poisson, multivariate_normal, lowrank_multivariate_normal):
 * parameter checks, entropies and the KL pairs among them, as plain functions with the
 * dv_fam_check_fn / dv_fam_entropy_fn / dv_fam_kl_fn types of families.h. The family
 * table (families.c) points at them; nothing here reads x->fam, so a caller may pass a
 * dv_fdist with fam == NULL (the unit tests do).
 *
 * Parameter slots (the order of the family's params[] in the table, SPEC §8 names):
 *   bernoulli                    s[0] probs, s[1] logits                (one of them)
 *   binomial                     s[0] total_count, s[1] probs, s[2] logits
 *   categorical                  v[0] probs, v[1] logits (d entries)    (one of them)
 *   geometric                    s[0] probs, s[1] logits
 *   poisson                      s[0] rate
 *   multivariate_normal          v[0] loc (d), one of v[1] covariance_matrix,
 *                                v[2] scale_tril, v[3] precision_matrix (d×d row-major)
 *   lowrank_multivariate_normal  v[0] loc (d), v[1] cov_factor (d×r row-major),
 *                                v[2] cov_diag (d)
 * An absent alternative is NaN (scalar) / NULL (vector, matrix). d ≥ 1; r ≥ 0 (r = 0 is
 * a diagonal covariance, v[1] may then be NULL). The caller guarantees that every v[i]
 * it passes has the size above (a matrix's squareness is the caller's shape check).
 *
 * Errors (dv_fail_at): arg = DV_ARG_P / DV_ARG_Q (checks: the `arg` passed in; KL: the
 * side at fault), member = the parameter's name, idx = (element) or (row, column). A KL
 * function re-runs both checks first, so it may be called on unchecked input.
 * Infinite KL: nats = +INFINITY and reason = a constant sentence.
 * Allocation: only the multivariate functions allocate (work space, O(d²) or
 * O(d·r + r²)); they return DV_NO_MEMORY on failure and leave nothing allocated.
 */
#ifndef DV_FAM_DISC_H
#define DV_FAM_DISC_H

#include "families.h"

/* Summation limit of the binomial KL with different total_count (the windows of p and of
 * q, each mean ± (40σ + 60)): a sum that would need more terms than this fails with
 * DV_TOO_LARGE instead of running for seconds; it allows n·p·(1−p) up to about 6e8.
 * (Entropies never hit it: large windows switch to asymptotic series, see fam_disc.c.) */
#define DV_FAM_SUM_MAX (1u << 22)

dv_status dv_fam_bernoulli_check(const dv_fdist *x, int arg, dv_error *err);
dv_status dv_fam_bernoulli_entropy(const dv_fdist *x, dv_fresult *out, dv_error *err);
dv_status dv_fam_bernoulli_bernoulli_kl(const dv_fdist *p, const dv_fdist *q,
                                        dv_fresult *out, dv_error *err);
dv_status dv_fam_bernoulli_poisson_kl(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                                      dv_error *err);

dv_status dv_fam_binomial_check(const dv_fdist *x, int arg, dv_error *err);
dv_status dv_fam_binomial_entropy(const dv_fdist *x, dv_fresult *out, dv_error *err);
dv_status dv_fam_binomial_binomial_kl(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                                      dv_error *err);

dv_status dv_fam_categorical_check(const dv_fdist *x, int arg, dv_error *err);
dv_status dv_fam_categorical_entropy(const dv_fdist *x, dv_fresult *out, dv_error *err);
dv_status dv_fam_categorical_categorical_kl(const dv_fdist *p, const dv_fdist *q,
                                            dv_fresult *out, dv_error *err);

dv_status dv_fam_geometric_check(const dv_fdist *x, int arg, dv_error *err);
dv_status dv_fam_geometric_entropy(const dv_fdist *x, dv_fresult *out, dv_error *err);
dv_status dv_fam_geometric_geometric_kl(const dv_fdist *p, const dv_fdist *q,
                                        dv_fresult *out, dv_error *err);

dv_status dv_fam_poisson_check(const dv_fdist *x, int arg, dv_error *err);
dv_status dv_fam_poisson_entropy(const dv_fdist *x, dv_fresult *out, dv_error *err);
dv_status dv_fam_poisson_poisson_kl(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                                    dv_error *err);

dv_status dv_fam_multivariate_normal_check(const dv_fdist *x, int arg, dv_error *err);
dv_status dv_fam_multivariate_normal_entropy(const dv_fdist *x, dv_fresult *out,
                                             dv_error *err);
dv_status dv_fam_multivariate_normal_multivariate_normal_kl(const dv_fdist *p,
                                                            const dv_fdist *q,
                                                            dv_fresult *out, dv_error *err);
dv_status dv_fam_multivariate_normal_lowrank_multivariate_normal_kl(const dv_fdist *p,
                                                                    const dv_fdist *q,
                                                                    dv_fresult *out,
                                                                    dv_error *err);

dv_status dv_fam_lowrank_multivariate_normal_check(const dv_fdist *x, int arg,
                                                   dv_error *err);
dv_status dv_fam_lowrank_multivariate_normal_entropy(const dv_fdist *x, dv_fresult *out,
                                                     dv_error *err);
dv_status dv_fam_lowrank_multivariate_normal_lowrank_multivariate_normal_kl(
    const dv_fdist *p, const dv_fdist *q, dv_fresult *out, dv_error *err);
dv_status dv_fam_lowrank_multivariate_normal_multivariate_normal_kl(const dv_fdist *p,
                                                                    const dv_fdist *q,
                                                                    dv_fresult *out,
                                                                    dv_error *err);

/* Shared by fam_disc.c and fam_mvn.c: a finite result; the error for a KL past the
 * largest double ("… the two <pair> are too far apart to report it"). */
dv_status dv_fam_finite(dv_fresult *out, double nats);
dv_status dv_fam_kl_overflow(dv_error *err, const char *pair);

#endif /* DV_FAM_DISC_H */
