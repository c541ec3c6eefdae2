/*
 * validate.c — turning caller arrays into dv_dist values: the checks (with messages that
 * name the element), the compensated total of weights, the log-sum-exp of logits, label
 * smoothing. Nothing here allocates; a dv_dist borrows the caller's array.
 */
#include <float.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

/* Weight totals outside [2^-64, 2^64] are brought to [0.5, 1) by an exact power of two.
 * Why: the KL/JS kernels form products p_i·Σq and q_i·Σp; totals near the ends of the
 * double range would make those overflow (1e200·1e200) or underflow (and lose the
 * exactness the fma difference relies on). */
#define DV_TOTAL_MAX 0x1p64
#define DV_TOTAL_MIN 0x1p-64

/* Which argument a name concerns, for err->arg: "q…" is the second, anything else the
 * first. Callers that name arguments differently may overwrite err->arg. */
static int arg_of(const char *name)
{
    return (name && name[0] == 'q') ? 1 : 0;
}

void dv_fmt_double(char *buf, size_t size, double x)
{
    if (isnan(x)) {
        snprintf(buf, size, "NaN");
        return;
    }
    if (isinf(x)) {
        snprintf(buf, size, x > 0 ? "Infinity" : "-Infinity");
        return;
    }
    /* Shortest of %.15g/%.16g/%.17g that reads back as x: "0.9", not "0.90000000000000002". */
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, x);
        char *end = NULL;
        double back = strtod(buf, &end);
        if (!(back < x) && !(back > x))
            return;
    }
}

/* Two-sum of a Neumaier accumulator into a double-double (hi, lo). */
static void acc_split(const dv_acc *a, double *hi, double *lo)
{
    double s = a->s + a->c;
    double bb = s - a->s;
    /* Knuth's two-sum: exact error of s = a.s + a.c, whichever is larger. */
    *lo = (a->s - (s - bb)) + (a->c - bb);
    *hi = s;
}

static void weights_total(const double *v, size_t n, double *hi, double *lo)
{
    dv_acc a = {0.0, 0.0};
    for (size_t i = 0; i < n; i++)
        dv_acc_add(&a, v[i]);
    if (!isfinite(a.s)) {
        /* Overflow: the compensation became inf − inf = NaN; report the total as +inf. */
        *hi = INFINITY;
        *lo = 0.0;
        return;
    }
    acc_split(&a, hi, lo);
}

/* Scale v by 2^k in place. Exact except for entries pushed below DBL_MIN, whose share of
 * the total is then < 2^-900: far below anything a result can show. */
static void scale_pow2(double *v, size_t n, int k)
{
    for (size_t i = 0; i < n; i++)
        v[i] = ldexp(v[i], k);
}

dv_status dv_prepare_weights(double *v, size_t n, bool normalize, const char *name,
                             dv_dist *out, dv_error *err)
{
    int arg = arg_of(name);
    if (n == 0)
        return dv_fail(err, DV_EMPTY, DV_NO_INDEX, arg, "%s is empty", name);
    char num[40];
    double vmax = 0.0;
    for (size_t i = 0; i < n; i++) {
        double x = v[i];
        if (!isfinite(x)) {
            dv_fmt_double(num, sizeof num, x);
            return dv_fail(err, DV_NOT_FINITE, i, arg,
                           "%s[%zu] is %s; probabilities must be finite numbers", name, i,
                           num);
        }
        if (x < 0.0) {
            dv_fmt_double(num, sizeof num, x);
            return dv_fail(err, DV_NEGATIVE, i, arg,
                           "%s[%zu] is %s; probabilities must be >= 0", name, i, num);
        }
        if (x > vmax)
            vmax = x;
    }
    if (!(vmax > 0.0))
        return dv_fail(err, DV_ZERO_TOTAL, DV_NO_INDEX, arg, "every weight in %s is 0",
                       name);

    double hi, lo;
    weights_total(v, n, &hi, &lo);
    if (!normalize) {
        /* hi is +inf here only for totals far from 1, which fail this test as well. */
        double dev = (hi - 1.0) + lo;
        if (!(fabs(dev) <= DV_NORM_TOL)) {
            dv_fmt_double(num, sizeof num, hi);
            return dv_fail(err, DV_NOT_NORMALIZED, DV_NO_INDEX, arg,
                           "%s sums to %s; probabilities must sum to 1 within 1e-6 — pass "
                           "\"normalize\": true to rescale weights",
                           name, num);
        }
    } else if (!(hi <= DV_TOTAL_MAX) || hi < DV_TOTAL_MIN) {
        int e;
        /* An overflowing total ([1e308, 1e308]) is scaled by the largest entry instead:
         * afterwards every entry is < 1, so the new total is < n and finite. */
        (void)frexp(isfinite(hi) ? hi : vmax, &e);
        scale_pow2(v, n, -e);
        weights_total(v, n, &hi, &lo);
    }
    out->kind = DV_WEIGHTS;
    out->v = v;
    out->n = n;
    out->total = hi;
    out->total_lo = lo;
    out->temperature = 1.0;
    return DV_OK;
}

dv_status dv_prepare_logits(const double *v, size_t n, double temperature, const char *name,
                            dv_dist *out, dv_error *err)
{
    int arg = arg_of(name);
    char num[40];
    if (!isfinite(temperature) || !(temperature > 0.0)) {
        dv_fmt_double(num, sizeof num, temperature);
        return dv_fail(err, DV_BAD_PARAMETER, DV_NO_INDEX, arg,
                       "temperature is %s; it must be a finite number > 0", num);
    }
    if (n == 0)
        return dv_fail(err, DV_EMPTY, DV_NO_INDEX, arg, "%s is empty", name);
    bool unit = !(temperature < 1.0) && !(temperature > 1.0);
    size_t imax = 0;
    double m = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(v[i])) {
            dv_fmt_double(num, sizeof num, v[i]);
            return dv_fail(err, DV_NOT_FINITE, i, arg,
                           "%s[%zu] is %s; logits must be finite numbers", name, i, num);
        }
        double x = unit ? v[i] : v[i] / temperature;
        if (!isfinite(x))
            return dv_fail(err, DV_NOT_FINITE, i, arg, "%s[%zu] / temperature overflows",
                           name, i);
        if (x > m) {
            m = x;
            imax = i;
        }
    }
    /* log Σ exp(x_i) = m + log1p(Σ_{i≠imax} exp(x_i − m)). Why the max shift: exp(1000)
     * overflows. Why log1p of the rest rather than log of the whole: when one category
     * dominates, 1 + rest rounds the rest away and −log P_max (≈ rest) would become 0. */
    dv_acc rest = {0.0, 0.0};
    for (size_t i = 0; i < n; i++) {
        if (i == imax)
            continue;
        double x = unit ? v[i] : v[i] / temperature;
        dv_acc_add(&rest, exp(x - m));
    }
    double ls = log1p(dv_acc_value(&rest));
    /* Keep m + ls as a double-double: with m = 1000 the sum rounds off ls's low bits. */
    double hi = m + ls;
    double bb = hi - m;
    out->total_lo = (m - (hi - bb)) + (ls - bb);
    out->total = hi;
    out->kind = DV_LOGITS;
    out->v = v;
    out->n = n;
    out->temperature = temperature;
    return DV_OK;
}

dv_status dv_check_same_n(const dv_dist *p, const dv_dist *q, const char *pname,
                          const char *qname, dv_error *err)
{
    if (p->n == q->n)
        return DV_OK;
    return dv_fail(err, DV_SHAPE_MISMATCH, DV_NO_INDEX, 1, "%s has %zu entries but %s has %zu",
                   pname, p->n, qname, q->n);
}

dv_status dv_smooth(const dv_dist *p, double alpha, double *w_out, dv_dist *out,
                    dv_error *err)
{
    if (!isfinite(alpha) || alpha < 0.0 || !(alpha < 1.0)) {
        char num[40];
        dv_fmt_double(num, sizeof num, alpha);
        return dv_fail(err, DV_BAD_PARAMETER, DV_NO_INDEX, 0,
                       "label_smoothing is %s; it must be in [0, 1)", num);
    }
    size_t n = p->n;
    double u = alpha / (double)n;
    double keep = 1.0 - alpha;
    for (size_t i = 0; i < n; i++)
        w_out[i] = fma(keep, dv_prob(p, i), u);
    /* The smoothed weights sum to 1 only up to rounding; normalising rescales exactly. */
    return dv_prepare_weights(w_out, n, true, "p", out, err);
}
