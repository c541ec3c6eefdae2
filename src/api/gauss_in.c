/*
 * gauss_in.c — Gaussians from a request (see gauss_in.h).
 */
#include "gauss_in.h"

#include <stdio.h>
#include <string.h>

static const char *const scale_names[] = {"std", "var", "log_var", "cov"};
static const dv_scale_kind scale_kinds[] = {DV_SCALE_STD, DV_SCALE_VAR, DV_SCALE_LOGVAR,
                                            DV_SCALE_COV};

static bool read_scale(dv_req *r, gauss_in *in, const jv *s, const char *ptr)
{
    dv_gauss *g = &in->g;
    size_t rows, cols;
    double *x;
    if (in->scalar) {
        if (g->kind == DV_SCALE_COV)
            return req_fail(r, E_INVALID_INPUT, ptr,
                            "%s.cov needs mean as an array; for one dimension give std, var "
                            "or log_var",
                            in->name);
        if (!jv_is_number(s))
            return req_fail(r, E_WRONG_TYPE, ptr,
                            "%s.%s is %s; with a number as mean it must be a number",
                            in->name, in->scale_name, json_kind(s));
        double *v = req_alloc(r, 1, sizeof *v);
        if (!v)
            return false;
        *v = s->u.num;
        g->scale = v;
        return true;
    }
    if (g->rows > 0 || g->kind == DV_SCALE_COV) {
        if (g->rows > 0 && g->kind == DV_SCALE_COV)
            return req_fail(r, E_INVALID_INPUT, ptr,
                            "a batch of Gaussians (mean as rows) takes std, var or log_var "
                            "rows, not cov");
        if (!get_matrix(r, s, ptr, &x, &rows, &cols))
            return false;
        size_t want_rows = g->kind == DV_SCALE_COV ? g->dim : g->rows;
        if (rows != want_rows || cols != g->dim)
            return req_fail(r, E_SHAPE_MISMATCH, ptr,
                            "%s.%s is %zu×%zu but %s.mean needs %zu×%zu", in->name,
                            in->scale_name, rows, cols, in->name, want_rows, g->dim);
    } else {
        if (!get_vector(r, s, ptr, &x, &cols))
            return false;
        if (cols != g->dim)
            return req_fail(r, E_SHAPE_MISMATCH, ptr,
                            "%s.%s has %zu entries but %s.mean has %zu", in->name,
                            in->scale_name, cols, in->name, g->dim);
    }
    g->scale = x;
    return true;
}

/* The members: mean and exactly one scale, nothing else. Sets in->scale_name and kind. */
static bool read_members(dv_req *r, const jv *v, gauss_in *in, const char *base,
                         const jv **mean, const jv **scale)
{
    const char *name = in->name;
    char ptr[256];
    for (size_t k = 0; k < v->n; k++) {
        const char *key = v->u.members[k].key;
        bool ok = strcmp(key, "mean") == 0;
        for (size_t i = 0; i < 4 && !ok; i++)
            ok = strcmp(key, scale_names[i]) == 0;
        if (!ok)
            return req_fail(r, E_UNKNOWN_MEMBER,
                            ptr_member(ptr, sizeof ptr, base, key, strlen(key)),
                            "unknown member %s.%.100s; a Gaussian has mean and one of std, "
                            "var, log_var or cov",
                            name, key);
    }
    *mean = jv_get(v, "mean");
    if (!*mean) {
        snprintf(ptr, sizeof ptr, "%s/mean", base);
        return req_fail(r, E_MISSING_MEMBER, ptr, "%s.mean is missing", name);
    }
    *scale = NULL;
    for (size_t i = 0; i < 4; i++) {
        const jv *s = jv_get(v, scale_names[i]);
        if (!s)
            continue;
        if (*scale) {
            snprintf(ptr, sizeof ptr, "%s/%s", base, scale_names[i]);
            return req_fail(r, E_INVALID_INPUT, ptr,
                            "%s has both %s and %s; give exactly one of std, var, log_var "
                            "or cov",
                            name, in->scale_name, scale_names[i]);
        }
        *scale = s;
        in->scale_name = scale_names[i];
        in->g.kind = scale_kinds[i];
    }
    if (!*scale) {
        snprintf(ptr, sizeof ptr, "%s/std", base);
        return req_fail(r, E_MISSING_MEMBER, ptr,
                        "%s has no scale; give one of std, var, log_var or cov", name);
    }
    return true;
}

/* mean: a number (univariate), an array (d dimensions) or rows (a batch). */
static bool read_mean(dv_req *r, const jv *mean, gauss_in *in, const char *ptr)
{
    dv_gauss *g = &in->g;
    double *x;
    if (jv_is_number(mean)) {
        if (!(x = req_alloc(r, 1, sizeof *x)))
            return false;
        *x = mean->u.num;
        g->dim = 1;
        in->scalar = true;
    } else if (jv_is_array(mean) && mean->n > 0 && !mean->numeric &&
               jv_is_array(&mean->u.items[0])) {
        if (!get_matrix(r, mean, ptr, &x, &g->rows, &g->dim))
            return false;
    } else {
        if (!get_vector(r, mean, ptr, &x, &g->dim))
            return false;
        if (g->dim == 0)
            return req_fail(r, E_EMPTY, ptr, "%s.mean is empty", in->name);
    }
    g->mean = x;
    return true;
}

bool gauss_read(dv_req *r, int arg, const jv *v, gauss_in *in)
{
    const char *name = arg == DV_ARG_Q ? "q" : "p";
    char base[8], ptr[256];
    snprintf(base, sizeof base, "/%s", name);
    memset(in, 0, sizeof *in);
    in->name = name;
    in->arg = arg;
    if (!jv_is_object(v))
        return req_fail(r, E_WRONG_TYPE, base,
                        "%s is %s; it must be an object {\"mean\": …, \"std\": …}", name,
                        json_kind(v));
    const jv *mean = NULL, *scale = NULL;
    if (!read_members(r, v, in, base, &mean, &scale))
        return false;
    snprintf(ptr, sizeof ptr, "%s/mean", base);
    if (!read_mean(r, mean, in, ptr))
        return false;
    snprintf(ptr, sizeof ptr, "%s/%s", base, in->scale_name);
    if (!read_scale(r, in, scale, ptr))
        return false;
    const dv_gauss *g = &in->g;
    size_t means = (g->rows ? g->rows : 1) * g->dim;
    r->values += means + (g->kind == DV_SCALE_COV ? g->dim * g->dim : means);
    return true;
}

void gauss_names(const gauss_in *p, const gauss_in *q, arg_names *an)
{
    memset(an, 0, sizeof *an);
    an->member[DV_ARG_P] = "p";
    an->member[DV_ARG_Q] = "q";
    an->whole[DV_ARG_P] = p && p->scalar;
    an->whole[DV_ARG_Q] = q && q->scalar;
}

bool gauss_check(dv_req *r, const gauss_in *in)
{
    dv_error e;
    if (dv_check_gauss(&in->g, in->arg, &e) == DV_OK)
        return true;
    arg_names an;
    gauss_names(in->arg == DV_ARG_P ? in : NULL, in->arg == DV_ARG_Q ? in : NULL, &an);
    return fail_core(r, &e, &an);
}

