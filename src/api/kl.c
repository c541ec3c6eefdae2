/*
 * h_kl.c — POST /kl: D(P‖Q) from arrays, labelled objects, samples or logits.
 */
#include "dists.h"
#include "handlers.h"
#include "reply.h"

void h_kl(dv_req *r)
{
    opts o;
    dist_set ds;
    double *terms;
    if (!pair_read(r, &ds, &o, &terms))
        return;
    dv_value kl = dv_kl(&ds.d[0], &ds.d[1], terms);

    jw *w = req_json(r);
    jw_obj(w);
    emit_value(w, "kl", kl.nats, &o.base);
    emit_dist_tail(w, &ds, &o, terms, kl.inf_index);
}
