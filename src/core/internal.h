/*
 * internal.h — helpers shared by the core's .c files; not part of the public contract.
 */
#ifndef DV_INTERNAL_H
#define DV_INTERNAL_H

#include <math.h>
#include <pthread.h>
#include <stdarg.h>

#include "divergence.h"

/* Inputs of at least this many numbers are worth a second thread (discrete.c,
 * measures.c, batch.c): a thread costs ~30 µs, 65536 categories take a few ms. */
enum { DV_PARALLEL_MIN = 1 << 16 };

/*
 * A second thread for a share of the work of a parallel path. dv_helper_start runs
 * fn(arg) on it and returns true, or returns false and starts nothing (the caller then
 * does that share itself) when work < DV_PARALLEL_MIN, when called on a helper thread
 * (no nesting: the cores are busy already), or when no thread can be had.
 * dv_helper_join waits for it (a no-op when nothing was started). h must live until then.
 */
typedef struct dv_helper {
    pthread_t thread;
    void *(*fn)(void *);
    void *arg;
    bool running;
} dv_helper;
bool dv_helper_start(dv_helper *h, size_t work, void *(*fn)(void *), void *arg);
void dv_helper_join(dv_helper *h);
/* fn(first) here and fn(second) on a helper (dv_helper_start's rules), or both here, in
 * that order; returns when both are done. */
void dv_run_two(void *(*fn)(void *), void *first, void *second, size_t work);

/*
 * Neumaier's compensated accumulator. Why: a plain running sum of 10^6 terms loses up to
 * ~20 bits when terms differ in size; the compensation term keeps the error at ~1 ulp of
 * the result. `c` must not be folded into `s` until the end (no -ffast-math here).
 */
typedef struct dv_acc {
    double s;
    double c;
} dv_acc;

static inline void dv_acc_add(dv_acc *a, double x)
{
    double t = a->s + x;
    if (fabs(a->s) >= fabs(x))
        a->c += (a->s - t) + x;
    else
        a->c += (x - t) + a->s;
    a->s = t;
}

static inline double dv_acc_value(const dv_acc *a)
{
    /* Once the sum is infinite the compensation is inf − inf = NaN: the sum answers. */
    if (!isfinite(a->s))
        return a->s;
    return a->s + a->c;
}

/* Fills err (when not NULL) with status, the structured location (see dv_loc in
 * divergence.h) and a printf-style sentence; returns status so callers can
 * `return dv_fail_at(...)`. */
dv_status dv_fail_at(dv_error *err, dv_status status, dv_loc at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* out = a·b for d×d row-major matrices (out distinct from both), each entry one fma
 * chain in index order (gaussian.c; shared with the multivariate families). */
void dv_mat_mul(const double *a, const double *b, size_t d, double *out);

/* Lower Cholesky factor of the symmetric d×d a (read from its lower triangle) into l
 * (upper part zeroed), one fma-rounding per update. Returns d on success, else the
 * failing pivot (gaussian.c; shared with the multivariate families). */
size_t dv_chol_lower(const double *a, size_t d, double *l);

/* Σ ψ(1 + β_i) over the eigenvalues β of the symmetric d×d B (b, symmetrised in place)
 * by Σ_{k≥2} (−1)^k tr(B^k)/k when ‖B‖_F < 1/16, else −1; w holds 2d² doubles. */
double dv_psi_eig_series(double *b, size_t d, double *w);

/* Element i of a named vector in messages: "p[2]", "p_logits[3][2]", q["cat"]. */
void dv_elem_name(char *buf, size_t size, const dv_name *nm, size_t i);
/* The whole vector: "p", "p_logits[3]". */
void dv_whole_name(char *buf, size_t size, const dv_name *nm);
/* Locations of the same. */
dv_loc dv_elem_at(const dv_name *nm, size_t i);
dv_loc dv_whole_at(const dv_name *nm);

#endif /* DV_INTERNAL_H */
