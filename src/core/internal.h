/*
 * internal.h — helpers shared by the core's .c files; not part of the public contract.
 */
#ifndef DV_INTERNAL_H
#define DV_INTERNAL_H

#include <math.h>
#include <stdarg.h>

#include "divergence.h"

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
    return a->s + a->c;
}

/* Fills err (when not NULL) with status, index, arg and a printf-style sentence;
 * returns status so callers can `return dv_fail(...)`. */
dv_status dv_fail(dv_error *err, dv_status status, size_t index, int arg, const char *fmt,
                  ...) __attribute__((format(printf, 5, 6)));

/* The same with a structured location (see dv_loc in divergence.h). */
dv_status dv_fail_at(dv_error *err, dv_status status, dv_loc at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Writes x into buf as the shortest decimal that reads back as x ("0.9", "-0.1"), or
 * "NaN" / "Infinity" / "-Infinity"; for messages. */
void dv_fmt_double(char *buf, size_t size, double x);

#endif /* DV_INTERNAL_H */
