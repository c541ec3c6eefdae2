/*
 * base.c — the log base of a result. Everything is computed in nats and converted once,
 * by one division, so base-2 results equal base-e results divided by ln 2 to 1 ulp.
 */
#include "internal.h"
#include "numfmt.h"

dv_base dv_base_natural(void)
{
    dv_base b = {M_E, 1.0, true};
    return b;
}

dv_status dv_base_from(double base, dv_base *out, dv_error *err)
{
    if (!isfinite(base) || !(base > 0.0)) {
        char num[40];
        numfmt_msg(num, sizeof num, base);
        return dv_fail_at(err, DV_BAD_PARAMETER, dv_at(DV_ARG_NONE, "base"),
                          "base is %s; it must be a finite number > 0 and != 1, or \"e\"",
                          num);
    }
    /* log(base) is 0 only for base == 1; near 1 glibc's log is still accurate. */
    double ln = log(base);
    if (!(fabs(ln) > 0.0))
        return dv_fail_at(err, DV_BAD_PARAMETER, dv_at(DV_ARG_NONE, "base"),
                       "base is 1; a logarithm to base 1 is undefined (use 2, 10 or \"e\")");
    out->base = base;
    out->ln = ln;
    out->natural = false;
    return DV_OK;
}

double dv_to_base(double nats, const dv_base *b)
{
    return b->natural ? nats : nats / b->ln;
}

void dv_to_base_n(double *x, size_t n, const dv_base *b)
{
    if (b->natural)
        return;
    for (size_t i = 0; i < n; i++)
        x[i] /= b->ln;
}
