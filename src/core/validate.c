/*
 * validate.c — turning caller arrays into dv_dist values: the checks (with messages that
 * name the element), the compensated total of weights, the log-sum-exp of logits, label
 * smoothing. Nothing here allocates; a dv_dist borrows the caller's array.
 */
#include <float.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"
#include "numfmt.h"

/* Weight totals outside [2^-64, 2^64] are brought to [0.5, 1) by an exact power of two.
 * Why: the KL/JS kernels form products p_i·Σq and q_i·Σp; totals near the ends of the
 * double range would make those overflow (1e200·1e200) or underflow (and lose the
 * exactness the fma difference relies on). */
#define DV_TOTAL_MAX 0x1p64
#define DV_TOTAL_MIN 0x1p-64

void dv_whole_name(char *buf, size_t size, const dv_name *nm)
{
    if (nm->row != DV_NO_INDEX)
        snprintf(buf, size, "%s[%zu]", nm->member, nm->row);
    else
        snprintf(buf, size, "%s", nm->member);
}

void dv_elem_name(char *buf, size_t size, const dv_name *nm, size_t i)
{
    char whole[96];
    dv_whole_name(whole, sizeof whole, nm);
    if (nm->labels && i < dv_support_size(nm->labels)) {
        const dv_key *k = dv_support_key(nm->labels, i);
        if (k->kind == DV_KEY_STRING) {
            snprintf(buf, size, "%s[\"%.*s\"]", whole, (int)(k->len > 100 ? 100 : k->len),
                     k->str);
            return;
        }
    }
    snprintf(buf, size, "%s[%zu]", whole, i);
}

dv_loc dv_whole_at(const dv_name *nm)
{
    return nm->row != DV_NO_INDEX ? dv_at1(nm->arg, NULL, nm->row) : dv_at(nm->arg, NULL);
}

dv_loc dv_elem_at(const dv_name *nm, size_t i)
{
    return nm->row != DV_NO_INDEX ? dv_at2(nm->arg, NULL, nm->row, i)
                                  : dv_at1(nm->arg, NULL, i);
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

dv_status dv_prepare_weights(double *v, size_t n, bool normalize, const dv_name *name,
                             dv_dist *out, dv_error *err)
{
    char whole[96], el[160], num[40];
    if (n == 0) {
        dv_whole_name(whole, sizeof whole, name);
        return dv_fail_at(err, DV_EMPTY, dv_whole_at(name), "%s is empty", whole);
    }
    double vmax = 0.0;
    for (size_t i = 0; i < n; i++) {
        double x = v[i];
        if (!isfinite(x) || x < 0.0) {
            numfmt_msg(num, sizeof num, x);
            dv_elem_name(el, sizeof el, name, i);
            if (!isfinite(x))
                return dv_fail_at(err, DV_NOT_FINITE, dv_elem_at(name, i),
                                  "%s is %s; probabilities must be finite numbers", el,
                                  num);
            return dv_fail_at(err, DV_NEGATIVE, dv_elem_at(name, i),
                              "%s is %s; probabilities must be >= 0", el, num);
        }
        if (x > vmax)
            vmax = x;
    }
    if (!(vmax > 0.0)) {
        dv_whole_name(whole, sizeof whole, name);
        return dv_fail_at(err, DV_ZERO_TOTAL, dv_whole_at(name), "every weight in %s is 0",
                          whole);
    }

    double hi, lo;
    weights_total(v, n, &hi, &lo);
    if (!normalize) {
        /* hi is +inf here only for totals far from 1, which fail this test as well. */
        double dev = (hi - 1.0) + lo;
        if (!(fabs(dev) <= DV_NORM_TOL)) {
            numfmt_msg(num, sizeof num, hi);
            dv_whole_name(whole, sizeof whole, name);
            return dv_fail_at(
                err, DV_NOT_NORMALIZED, dv_whole_at(name),
                "%s sums to %s; probabilities must sum to 1 within 1e-6 — pass "
                "\"normalize\": true to rescale weights",
                whole, num);
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

dv_status dv_prepare_logits(const double *v, size_t n, double temperature,
                            const dv_name *name, dv_dist *out, dv_error *err)
{
    char whole[96], el[160], num[40];
    if (!isfinite(temperature) || !(temperature > 0.0)) {
        numfmt_msg(num, sizeof num, temperature);
        return dv_fail_at(err, DV_BAD_PARAMETER, dv_at(DV_ARG_NONE, "temperature"),
                          "temperature is %s; it must be a finite number > 0", num);
    }
    if (n == 0) {
        dv_whole_name(whole, sizeof whole, name);
        return dv_fail_at(err, DV_EMPTY, dv_whole_at(name), "%s is empty", whole);
    }
    bool unit = !(temperature < 1.0) && !(temperature > 1.0);
    size_t imax = 0;
    double m = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(v[i])) {
            numfmt_msg(num, sizeof num, v[i]);
            dv_elem_name(el, sizeof el, name, i);
            return dv_fail_at(err, DV_NOT_FINITE, dv_elem_at(name, i),
                              "%s is %s; logits must be finite numbers", el, num);
        }
        double x = unit ? v[i] : v[i] / temperature;
        if (!isfinite(x)) {
            dv_elem_name(el, sizeof el, name, i);
            return dv_fail_at(err, DV_NOT_FINITE, dv_elem_at(name, i),
                              "%s / temperature overflows", el);
        }
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

dv_status dv_check_same_n(const dv_dist *p, const dv_dist *q, const dv_name *pname,
                          const dv_name *qname, dv_error *err)
{
    if (p->n == q->n)
        return DV_OK;
    char a[96], b[96];
    dv_whole_name(a, sizeof a, pname);
    dv_whole_name(b, sizeof b, qname);
    return dv_fail_at(err, DV_SHAPE_MISMATCH, dv_whole_at(qname),
                      "%s has %zu entries but %s has %zu", a, p->n, b, q->n);
}

dv_status dv_smooth(const dv_dist *p, double alpha, double *w_out, dv_dist *out,
                    dv_error *err)
{
    if (!isfinite(alpha) || alpha < 0.0 || !(alpha < 1.0)) {
        char num[40];
        numfmt_msg(num, sizeof num, alpha);
        return dv_fail_at(err, DV_BAD_PARAMETER, dv_at(DV_ARG_NONE, "label_smoothing"),
                          "label_smoothing is %s; it must be in [0, 1)", num);
    }
    size_t n = p->n;
    double u = alpha / (double)n;
    double keep = 1.0 - alpha;
    for (size_t i = 0; i < n; i++)
        w_out[i] = fma(keep, dv_prob(p, i), u);
    /* The smoothed weights sum to 1 only up to rounding; normalising rescales exactly. */
    return dv_prepare_weights(w_out, n, true, DV_NAME(DV_ARG_P, "p"), out, err);
}
