/*
 * h_kl.c — POST /kl: D(P‖Q) from arrays, labelled objects, samples or logits.
 */
#include "dist_in.h"
#include "handlers.h"
#include "reply.h"

static const char *const allowed[] = {"p",    "q",         "p_logits", "q_logits",
                                      "p_samples", "q_samples", "base",   "normalize",
                                      "terms", "temperature", NULL};
static const side_names p_names = {"p", "p_logits", "p_samples"};
static const side_names q_names = {"q", "q_logits", "q_samples"};

void h_kl(dv_req *r)
{
    opts o;
    dist_set ds = {.count = 2};
    if (!body_only(r, allowed) || !get_opts(r, &o) || !side_find(r, &p_names, &ds.s[0]) ||
        !side_find(r, &q_names, &ds.s[1]) || !dists_prepare(r, &ds, &o))
        return;
    double *terms = NULL;
    if (o.terms && !(terms = req_alloc(r, ds.d[0].n, sizeof *terms)))
        return;
    dv_value kl = dv_kl(&ds.d[0], &ds.d[1], terms);

    jw *w = req_json(r);
    jw_obj(w);
    emit_value(w, "kl", kl.nats, &o.base);
    jw_key(w, "n");
    jw_uint(w, ds.d[0].n);
    emit_base_unit(w, &o);
    if (kl.inf_index != DV_NO_INDEX)
        emit_reason(w, &ds, kl.inf_index);
    if (terms)
        emit_terms(w, &ds, terms, &o.base);
    emit_support_and_empirical(w, &ds);
    jw_obj_end(w);
}
