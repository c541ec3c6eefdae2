/*
 * distributions.c — the parametric families of SPEC §8:
 *   POST /distributions/kl       {"p": {"family": …, params…}, "q": {…}, "base"?}
 *   POST /distributions/entropy  {"p": {…}, "base"?}
 *   GET  /distributions          the family table: parameters, domains, supports, and
 *                                the q families each p has a KL with.
 * Parameters may be batches (arrays of B values); unbatched ones broadcast, and p and q
 * broadcast against each other. Results are single values or arrays of B; an infinite KL
 * is "Infinity" with a reason (for a batch: "infinite": [{"row", "reason"}…]).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "family_in.h"
#include "handlers.h"
#include "reply.h"

static const char *const kl_allowed[] = {"p", "q", "base", NULL};
static const char *const h_allowed[] = {"p", "base", NULL};

static void emit_family(jw *w, const char *key, const fam_in *in)
{
    jw_key(w, key);
    jw_str(w, in->fam->name);
}

/* The q families p has a KL with, for unsupported_pair's detail: those with a finite
   closed form first, then those where it is always +inf. */
static void targets(const dv_family_info *p, char *buf, size_t size)
{
    const dv_family_info *t[64];
    size_t n = dv_family_kl_targets(p, t, 64), k = 0;
    if (n > 64)
        n = 64;
    buf[0] = '\0';
    for (int pass = 0; pass < 2; pass++) {
        bool first = true;
        for (size_t i = 0; i < n && k < size; i++) {
            if (dv_family_kl_always_infinite(p, t[i]) != (pass == 1))
                continue;
            const char *lead =
                first ? (pass ? (k ? "; always +inf with: " : "always +inf with: ") : "")
                      : ", ";
            int m = snprintf(buf + k, size - k, "%s%s", lead, t[i]->name);
            if (m < 0)
                return;
            k += (size_t)m;
            first = false;
        }
    }
    if (n == 0)
        snprintf(buf, size, "(none)");
}

static void emit_results(dv_req *r, jw *w, const char *key, const dv_fresult *res,
                         size_t rows, bool batch, const opts *o)
{
    if (!batch) {
        emit_value(w, key, res[0].nats, &o->base);
        if (res[0].reason) {
            jw_key(w, "reason");
            jw_str(w, res[0].reason);
        }
        return;
    }
    bool any_inf = false;
    jw_key(w, key);
    jw_arr(w);
    for (size_t b = 0; b < rows; b++) {
        jw_num(w, dv_to_base(res[b].nats, &o->base));
        any_inf |= res[b].reason != NULL;
    }
    jw_arr_end(w);
    if (any_inf) {
        /* the rows whose value is "Infinity", each with its reason */
        jw_key(w, "infinite");
        jw_arr(w);
        for (size_t b = 0; b < rows; b++) {
            if (!res[b].reason)
                continue;
            jw_obj(w);
            jw_key(w, "row");
            jw_uint(w, b);
            jw_key(w, "reason");
            jw_str(w, res[b].reason);
            jw_obj_end(w);
        }
        jw_arr_end(w);
    }
    /* mean and sum over the rows: compensated, +inf when a row is (SPEC §3.1's batch
     * members, as /gaussian-kl and /batch/categorical-kl answer them) */
    double *x = req_alloc(r, rows, sizeof *x);
    if (!x)
        return;
    bool inf = false;
    for (size_t b = 0; b < rows; b++) {
        x[b] = res[b].nats;
        inf |= isinf(x[b]);
    }
    double sum = inf ? (double)INFINITY : dv_sum(x, rows);
    emit_value(w, "mean", inf ? (double)INFINITY : sum / (double)rows, &o->base);
    emit_value(w, "sum", sum, &o->base);
    jw_key(w, "rows");
    jw_uint(w, rows);
}

void h_distributions_kl(dv_req *r)
{
    opts o;
    fam_in p, q;
    if (!body_only(r, kl_allowed) || !get_opts(r, &o) || !fam_read(r, "p", DV_ARG_P, &p) ||
        !fam_read(r, "q", DV_ARG_Q, &q))
        return;
    dv_fam_kl_fn fn = dv_family_kl_fn(p.fam, q.fam);
    if (!fn) {
        char list[400];
        targets(p.fam, list, sizeof list);
        req_fail(r, E_UNSUPPORTED_PAIR, "/q/family",
                 "there is no closed-form KL from %s to %s; %s has one with: %s",
                 p.fam->name, q.fam->name, p.fam->name, list);
        return;
    }
    if (p.rows && q.rows && p.rows != q.rows) {
        req_fail(
            r, E_SHAPE_MISMATCH, "/q",
            "p is a batch of %zu but q of %zu; give equal batches, or one side unbatched "
            "(it broadcasts)",
            p.rows, q.rows);
        return;
    }
    bool batch = p.rows || q.rows;
    size_t rows = batch ? (p.rows ? p.rows : q.rows) : 1;
    dv_fresult *res = req_alloc(r, rows, sizeof *res);
    if (!res)
        return;
    for (size_t b = 0; b < rows; b++) {
        dv_fdist x, y;
        dv_error e;
        fam_row(&p, b, &x);
        fam_row(&q, b, &y);
        if (dv_family_kl(&x, &y, &res[b], &e) != DV_OK) {
            fam_fail(r, &e, b, &p, &q);
            return;
        }
    }
    jw *w = req_json(r);
    jw_obj(w);
    emit_results(r, w, "kl", res, rows, batch, &o);
    emit_family(w, "p_family", &p);
    emit_family(w, "q_family", &q);
    emit_base_unit(w, &o);
    jw_obj_end(w);
}

void h_distributions_entropy(dv_req *r)
{
    opts o;
    fam_in p;
    if (!body_only(r, h_allowed) || !get_opts(r, &o) || !fam_read(r, "p", DV_ARG_P, &p))
        return;
    bool batch = p.rows > 0;
    size_t rows = batch ? p.rows : 1;
    dv_fresult *res = req_alloc(r, rows, sizeof *res);
    if (!res)
        return;
    for (size_t b = 0; b < rows; b++) {
        dv_fdist x;
        dv_error e;
        fam_row(&p, b, &x);
        if (dv_family_entropy(&x, &res[b], &e) != DV_OK) {
            fam_fail(r, &e, b, &p, NULL);
            return;
        }
    }
    jw *w = req_json(r);
    jw_obj(w);
    emit_results(r, w, "entropy", res, rows, batch, &o);
    emit_family(w, "family", &p);
    emit_base_unit(w, &o);
    jw_obj_end(w);
}

static const char *shape_name(dv_param_shape s)
{
    switch (s) {
    case DV_PARAM_SCALAR: return "scalar";
    case DV_PARAM_VECTOR: return "vector";
    case DV_PARAM_MATRIX: return "matrix";
    }
    return "scalar";
}

void h_distributions(dv_req *r)
{
    jw *w = req_json(r);
    jw_obj(w);
    jw_key(w, "families");
    jw_arr(w);
    for (size_t i = 0; i < dv_family_count(); i++) {
        const dv_family_info *f = dv_family_at(i);
        jw_obj(w);
        jw_key(w, "family");
        jw_str(w, f->name);
        jw_key(w, "support");
        jw_str(w, f->support);
        jw_key(w, "discrete");
        jw_bool(w, f->discrete);
        jw_key(w, "parameters");
        jw_arr(w);
        for (size_t k = 0; k < f->nparams; k++) {
            const dv_param_info *pi = &f->params[k];
            jw_obj(w);
            jw_key(w, "name");
            jw_str(w, pi->name);
            jw_key(w, "shape");
            jw_str(w, shape_name(pi->shape));
            jw_key(w, "domain");
            jw_str(w, pi->domain);
            if (pi->group) {
                jw_key(w, "one_of");
                jw_arr(w);
                for (size_t j = 0; j < f->nparams; j++)
                    if (f->params[j].group == pi->group)
                        jw_str(w, f->params[j].name);
                jw_arr_end(w);
            }
            jw_obj_end(w);
        }
        jw_arr_end(w);
        jw_key(w, "entropy");
        jw_bool(w, f->entropy != NULL);
        const dv_family_info *t[64];
        size_t n = dv_family_kl_targets(f, t, 64);
        for (int pass = 0; pass < 2; pass++) {
            jw_key(w, pass ? "kl_infinite_with" : "kl_with");
            jw_arr(w);
            for (size_t j = 0; j < n && j < 64; j++)
                if (dv_family_kl_always_infinite(f, t[j]) == (pass == 1))
                    jw_str(w, t[j]->name);
            jw_arr_end(w);
        }
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_key(w, "count");
    jw_uint(w, dv_family_count());
    jw_obj_end(w);
}
