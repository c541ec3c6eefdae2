/*
 * status.c — the core's error vocabulary: status names and the one place that fills a
 * dv_error. A switch without default, so -Wswitch flags a status without a name.
 */
#include <stdio.h>

#include "internal.h"

const char *dv_status_name(dv_status s)
{
    switch (s) {
    case DV_OK: return "ok";
    case DV_EMPTY: return "empty";
    case DV_NEGATIVE: return "negative";
    case DV_NOT_FINITE: return "not_finite";
    case DV_NOT_NORMALIZED: return "not_normalized";
    case DV_ZERO_TOTAL: return "zero_total";
    case DV_SHAPE_MISMATCH: return "shape_mismatch";
    case DV_BAD_PARAMETER: return "bad_parameter";
    case DV_NOT_POSITIVE: return "not_positive";
    case DV_NOT_SYMMETRIC: return "not_symmetric";
    case DV_NOT_POSITIVE_DEFINITE: return "not_positive_definite";
    case DV_NO_MEMORY: return "no_memory";
    case DV_TOO_LARGE: return "too_large";
    }
    return "unknown";
}

dv_status dv_fail_at(dv_error *err, dv_status status, dv_loc at, const char *fmt, ...)
{
    if (err) {
        err->status = status;
        err->at = at;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return status;
}
