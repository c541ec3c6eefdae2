/*
 * families.h — parametric distribution families (SPEC §8): parameters, validation,
 * entropy and closed-form KL, one row at a time. Batching and broadcasting belong to the
 * caller (the API layer loops over rows and fills one dv_fdist per row).
 *
 * A family is a row of a static table (families.c): its name, its parameters (names as
 * PyTorch spells them, shape, domain sentence), its support, and three functions (check,
 * entropy, kl). The KL of a pair is found in a second table of (p family, q family, fn)
 * rows, which also answers "which q families does p have a KL with".
 *
 * Errors use dv_fail_at: arg = DV_ARG_P or DV_ARG_Q (passed in by the caller), member =
 * the parameter's name ("concentration"), idx[0] = element index within a vector
 * parameter, (idx[0], idx[1]) = (row, column) of a matrix parameter. The caller prepends
 * the batch row when it has one. Results are in nats.
 */
#ifndef DV_FAMILIES_H
#define DV_FAMILIES_H

#include "divergence.h"

#define DV_FAM_MAX_PARAMS 4

typedef enum dv_param_shape {
    DV_PARAM_SCALAR, /* one number per distribution                         */
    DV_PARAM_VECTOR, /* d numbers (loc of an MVN, concentration of Dirichlet) */
    DV_PARAM_MATRIX, /* d×d (covariance_matrix …) or d×r (cov_factor), row-major */
} dv_param_shape;

typedef struct dv_param_info {
    const char *name; /* "concentration"                                       */
    dv_param_shape shape;
    const char *domain; /* "> 0", "in (0, 1)", "finite", "integer >= 0" (for docs)  */
    int group;          /* parameters with the same non-zero group are alternatives:
                             exactly one of them must be given (probs / logits;
                             covariance_matrix / scale_tril / precision_matrix)       */
} dv_param_info;

/*
 * One distribution (one row of a batch). s[i] holds scalar parameter i and v[i] points at
 * vector/matrix parameter i (i = index in the family's params[]); absent alternatives are
 * NaN / NULL. d = vector length, r = columns of a d×r matrix (cov_factor). Borrowed
 * memory: the caller keeps v[] alive.
 */
typedef struct dv_fdist {
    const struct dv_family_info *fam;
    double s[DV_FAM_MAX_PARAMS];
    const double *v[DV_FAM_MAX_PARAMS];
    size_t d;
    size_t r;
} dv_fdist;

/* A KL or entropy result: nats (+INFINITY allowed for KL) and, when infinite, a constant
 * sentence saying why ("p's support [0, inf) is not inside q's [scale, inf)"). */
typedef struct dv_fresult {
    double nats;
    const char *reason; /* NULL unless nats is +inf */
} dv_fresult;

typedef dv_status (*dv_fam_check_fn)(const dv_fdist *x, int arg, dv_error *err);
typedef dv_status (*dv_fam_entropy_fn)(const dv_fdist *x, dv_fresult *out, dv_error *err);
typedef dv_status (*dv_fam_kl_fn)(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                                  dv_error *err);

typedef struct dv_family_info {
    const char *name;    /* "gamma"                                    */
    const char *support; /* "(0, inf)", "{0, 1, ...}", "R^d", "simplex" */
    bool discrete;       /* mass function rather than density          */
    size_t nparams;
    dv_param_info params[DV_FAM_MAX_PARAMS];
    dv_fam_check_fn check;     /* validates one row; NULL = nothing to check */
    dv_fam_entropy_fn entropy; /* every family has one                    */
} dv_family_info;

size_t dv_family_count(void);
const dv_family_info *dv_family_at(size_t i);
/* NULL when no family has this name (the caller lists dv_family_at(i)->name in its 422). */
const dv_family_info *dv_family_find(const char *name, size_t len);
/* The KL function for the pair, or NULL (unsupported_pair). */
dv_fam_kl_fn dv_family_kl_fn(const dv_family_info *p, const dv_family_info *q);

/* The q families that p has a KL with, in table order: writes up to cap of them to out
 * and returns how many there are (for unsupported_pair's detail and GET /distributions). */
size_t dv_family_kl_targets(const dv_family_info *p, const dv_family_info **out,
                            size_t cap);

/* True when the pair's KL is +inf for every parameter value (supports that never nest,
 * or tails always too heavy: normal‖exponential, cauchy‖normal …). */
bool dv_family_kl_always_infinite(const dv_family_info *p, const dv_family_info *q);

/* Convenience wrappers: check both, then compute (checks are repeated as a safety net). */
dv_status dv_family_entropy(const dv_fdist *x, dv_fresult *out, dv_error *err);
dv_status dv_family_kl(const dv_fdist *p, const dv_fdist *q, dv_fresult *out,
                       dv_error *err);

#endif /* DV_FAMILIES_H */
