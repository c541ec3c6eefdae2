/*
 * h_gaussian.c — POST /gaussian-kl: D(p ‖ q) for univariate, diagonal and full-covariance
 * Gaussians, and for a batch of diagonal rows (the VAE case); q defaults to N(0, I).
 */
#include <stdio.h>
#include <string.h>

#include "decode.h"
#include "handlers.h"
#include "reply.h"

static const char *const allowed[] = {"p", "q", "base", NULL};
static const char *const scale_names[] = {"std", "var", "log_var", "cov"};
static const dv_scale_kind scale_kinds[] = {DV_SCALE_STD, DV_SCALE_VAR, DV_SCALE_LOGVAR,
                                            DV_SCALE_COV};

typedef struct gauss_in {
    const char *name; /* "p" or "q" */
    dv_gauss g;
    const char *scale_name;
    bool scalar; /* mean given as a number */
} gauss_in;

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

static bool read_gauss(dv_req *r, const char *name, const jv *v, gauss_in *in)
{
    char base[8], ptr[256];
    snprintf(base, sizeof base, "/%s", name);
    memset(in, 0, sizeof *in);
    in->name = name;
    if (!jv_is_object(v))
        return req_fail(r, E_WRONG_TYPE, base,
                        "%s is %s; it must be an object {\"mean\": …, \"std\": …}", name,
                        json_kind(v));
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
    const jv *mean = jv_get(v, "mean");
    if (!mean) {
        snprintf(ptr, sizeof ptr, "%s/mean", base);
        return req_fail(r, E_MISSING_MEMBER, ptr, "%s.mean is missing", name);
    }
    const jv *scale = NULL;
    for (size_t i = 0; i < 4; i++) {
        const jv *s = jv_get(v, scale_names[i]);
        if (!s)
            continue;
        if (scale) {
            snprintf(ptr, sizeof ptr, "%s/%s", base, scale_names[i]);
            return req_fail(r, E_INVALID_INPUT, ptr,
                            "%s has both %s and %s; give exactly one of std, var, log_var "
                            "or cov",
                            name, in->scale_name, scale_names[i]);
        }
        scale = s;
        in->scale_name = scale_names[i];
        in->g.kind = scale_kinds[i];
    }
    if (!scale) {
        snprintf(ptr, sizeof ptr, "%s/std", base);
        return req_fail(r, E_MISSING_MEMBER, ptr,
                        "%s has no scale; give one of std, var, log_var or cov", name);
    }
    snprintf(ptr, sizeof ptr, "%s/mean", base);
    dv_gauss *g = &in->g;
    if (jv_is_number(mean)) {
        double *x = req_alloc(r, 1, sizeof *x);
        if (!x)
            return false;
        *x = mean->u.num;
        g->mean = x;
        g->dim = 1;
        in->scalar = true;
    } else if (jv_is_array(mean) && mean->n > 0 && !mean->numeric &&
               jv_is_array(&mean->u.items[0])) {
        double *x;
        if (!get_matrix(r, mean, ptr, &x, &g->rows, &g->dim))
            return false;
        g->mean = x;
    } else {
        double *x;
        if (!get_vector(r, mean, ptr, &x, &g->dim))
            return false;
        if (g->dim == 0)
            return req_fail(r, E_EMPTY, ptr, "%s.mean is empty", name);
        g->mean = x;
    }
    snprintf(ptr, sizeof ptr, "%s/%s", base, in->scale_name);
    if (!read_scale(r, in, scale, ptr))
        return false;
    size_t means = (g->rows ? g->rows : 1) * g->dim;
    r->values += means + (g->kind == DV_SCALE_COV ? g->dim * g->dim : means);
    return true;
}

/* A flat index into mean or scale → its JSON Pointer. */
static const char *element_ptr(char *buf, size_t size, const gauss_in *in, bool is_scale,
                               size_t idx)
{
    const dv_gauss *g = &in->g;
    const char *member = is_scale ? in->scale_name : "mean";
    if (in->scalar || idx == DV_NO_INDEX)
        snprintf(buf, size, "/%s/%s", in->name, member);
    else if (g->rows > 0 || (is_scale && g->kind == DV_SCALE_COV))
        snprintf(buf, size, "/%s/%s/%zu/%zu", in->name, member, idx / g->dim,
                 idx % g->dim);
    else
        snprintf(buf, size, "/%s/%s/%zu", in->name, member, idx);
    return buf;
}

static bool check(dv_req *r, const gauss_in *in)
{
    dv_error e;
    if (dv_check_gauss(&in->g, in->name, &e) == DV_OK)
        return true;
    char ptr[256];
    return req_fail(r, problem_from_core(e.status),
                    element_ptr(ptr, sizeof ptr, in, e.arg == 1, e.index), "%s", e.msg);
}

void h_gaussian_kl(dv_req *r)
{
    opts o;
    gauss_in p, q;
    const jv *qj = body_member(r, "q");
    if (!body_only(r, allowed) || !get_opts(r, &o))
        return;
    if (!body_member(r, "p")) {
        req_fail(r, E_MISSING_MEMBER, "/p",
                 "p is missing; give {\"p\": {\"mean\": …, \"std\": …}} (q defaults to the "
                 "standard normal)");
        return;
    }
    if (!read_gauss(r, "p", body_member(r, "p"), &p) || !check(r, &p) ||
        (qj && (!read_gauss(r, "q", qj, &q) || !check(r, &q))))
        return;
    const dv_gauss *qg = qj ? &q.g : NULL;
    if (qg && qg->dim != p.g.dim)
        return (void)req_fail(r, E_SHAPE_MISMATCH, "/q/mean",
                              "p has %zu dimensions but q has %zu", p.g.dim, qg->dim);
    if (qg && qg->rows > 0 && qg->rows != p.g.rows)
        return (void)req_fail(r, E_SHAPE_MISMATCH, "/q/mean",
                              "q is a batch of %zu rows but p has %zu; give q as one "
                              "Gaussian (broadcast) or as many rows as p",
                              qg->rows, p.g.rows);

    dv_error e;
    jw *w;
    if (p.g.rows == 0) {
        double kl;
        dv_status st = dv_gaussian_kl(&p.g, qg, &kl, &e);
        if (st != DV_OK) {
            req_fail(r, problem_from_core(st), e.arg == 1 ? "/q/cov" : "/p/cov", "%s",
                     e.msg);
            return;
        }
        w = req_json(r);
        jw_obj(w);
        emit_value(w, "kl", kl, &o.base);
    } else {
        double *kl = req_alloc(r, p.g.rows, sizeof *kl), sum, mean;
        if (!kl)
            return;
        dv_status st = dv_gaussian_kl_rows(&p.g, qg, kl, &sum, &mean, &e);
        if (st != DV_OK) {
            req_fail(r, problem_from_core(st), e.arg == 1 ? "/q" : "/p", "%s", e.msg);
            return;
        }
        dv_to_base_n(kl, p.g.rows, &o.base);
        w = req_json(r);
        jw_obj(w);
        jw_key(w, "kl");
        jw_nums(w, kl, p.g.rows);
        emit_value(w, "mean", mean, &o.base);
        emit_value(w, "sum", sum, &o.base);
        jw_key(w, "rows");
        jw_uint(w, p.g.rows);
    }
    jw_key(w, "dim");
    jw_uint(w, p.g.dim);
    emit_base_unit(w, &o);
    jw_obj_end(w);
}
