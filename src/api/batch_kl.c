/*
 * batch_kl.c — POST /batch/categorical-kl: row-wise D(P_b ‖ Q_b) over B×K logits
 * (softmax with temperature) or probability rows — the distillation and policy-drift case.
 */
#include <stdio.h>

#include "numfmt.h"
#include "read.h"
#include "handlers.h"
#include "reply.h"
#include "where.h"

static const char *const allowed[] = {"p_logits",    "q_logits",  "p",    "q",
                                      "temperature", "normalize", "base", NULL};

typedef struct rows_in {
    int arg; /* DV_ARG_P or DV_ARG_Q */
    const char *member;
    bool logits;
    double *x;
    size_t rows, cols;
    dv_dist *d;
} rows_in;

static bool read_rows(dv_req *r, int arg, const char *w_name, const char *l_name,
                      rows_in *in)
{
    in->arg = arg;
    const jv *w = body_member(r, w_name), *l = body_member(r, l_name);
    char ptr[64];
    if (w && l) {
        snprintf(ptr, sizeof ptr, "/%s", l_name);
        return req_fail(r, E_INVALID_INPUT, ptr,
                        "both %s and %s are given; send only one of them", w_name, l_name);
    }
    if (!w && !l) {
        snprintf(ptr, sizeof ptr, "/%s", l_name);
        return req_fail(r, E_MISSING_MEMBER, ptr,
                        "missing input: give %s (B×K logits) or "
                        "%s (B×K probability rows)",
                        l_name, w_name);
    }
    in->logits = l != NULL;
    in->member = in->logits ? l_name : w_name;
    snprintf(ptr, sizeof ptr, "/%s", in->member);
    return get_matrix(r, in->logits ? l : w, ptr, &in->x, &in->rows, &in->cols);
}

static bool prepare_rows(dv_req *r, rows_in *in, const opts *o)
{
    in->d = req_alloc(r, in->rows, sizeof *in->d);
    if (!in->d)
        return false;
    arg_names an = {0};
    an.member[in->arg] = in->member;
    dv_error e;
    if (dv_prepare_rows(in->x, in->rows, in->cols, in->logits, o->temperature, o->normalize,
                        in->arg, in->member, in->d, &e) != DV_OK)
        return fail_core(r, &e, &an);
    r->values += in->rows * in->cols;
    return true;
}

void h_batch_kl(dv_req *r)
{
    opts o;
    rows_in p, q;
    if (!body_only(r, allowed) || !get_opts(r, &o) ||
        !read_rows(r, DV_ARG_P, "p", "p_logits", &p) ||
        !read_rows(r, DV_ARG_Q, "q", "q_logits", &q))
        return;
    if (p.rows != q.rows || p.cols != q.cols) {
        char ptr[64];
        snprintf(ptr, sizeof ptr, "/%s", q.member);
        req_fail(r, E_SHAPE_MISMATCH, ptr,
                 "%s is %zu×%zu but %s is %zu×%zu; they must match", p.member, p.rows,
                 p.cols, q.member, q.rows, q.cols);
        return;
    }
    if (o.has_temperature && !p.logits && !q.logits) {
        req_fail(r, E_INVALID_PARAMETER, "/temperature",
                 "temperature applies only to logits; remove it or send p_logits/q_logits");
        return;
    }
    if (!prepare_rows(r, &p, &o) || !prepare_rows(r, &q, &o))
        return;
    dv_value *kl = req_alloc(r, p.rows, sizeof *kl);
    if (!kl)
        return;
    double sum, mean;
    dv_batch_kl(p.d, q.d, p.rows, kl, &sum, &mean);

    jw *w = req_json(r);
    jw_obj(w);
    jw_key(w, "kl");
    jw_arr(w);
    size_t inf_row = DV_NO_INDEX;
    for (size_t b = 0; b < p.rows; b++) {
        jw_num(w, dv_to_base(kl[b].nats, &o.base));
        if (inf_row == DV_NO_INDEX && kl[b].inf_index != DV_NO_INDEX)
            inf_row = b;
    }
    jw_arr_end(w);
    emit_value(w, "mean", mean, &o.base);
    emit_value(w, "sum", sum, &o.base);
    jw_key(w, "rows");
    jw_uint(w, p.rows);
    jw_key(w, "classes");
    jw_uint(w, p.cols);
    emit_base_unit(w, &o);
    if (inf_row != DV_NO_INDEX) {
        char buf[256], pv[32];
        size_t i = kl[inf_row].inf_index;
        numfmt_shortest(pv, dv_prob(&p.d[inf_row], i));
        snprintf(buf, sizeof buf,
                 "row %zu: %s[%zu][%zu] is %s but %s[%zu][%zu] is 0, so the divergence is "
                 "infinite",
                 inf_row, p.member, inf_row, i, pv, q.member, inf_row, i);
        jw_key(w, "reason");
        jw_str(w, buf);
    }
    jw_obj_end(w);
}
