/*
 * h_entropy.c — POST /entropy: H(P) and its perplexity, from p, p_logits or samples.
 */
#include "dists.h"
#include "handlers.h"
#include "reply.h"

static const char *const allowed[] = {"p",    "p_logits",  "samples",     "base",
                                      "normalize", "terms", "temperature", NULL};
static const side_names p_names = {"p", "p_logits", "samples"};

void h_entropy(dv_req *r)
{
    opts o;
    dist_set ds = {.count = 1};
    if (!body_only(r, allowed) || !get_opts(r, &o) || !side_find(r, &p_names, &ds.s[0]) ||
        !dists_prepare(r, &ds, &o))
        return;
    double *terms = NULL;
    if (o.terms && !(terms = req_alloc(r, ds.d[0].n, sizeof *terms)))
        return;
    double h = dv_entropy(&ds.d[0], terms);

    jw *w = req_json(r);
    jw_obj(w);
    emit_value(w, "entropy", h, &o.base);
    jw_key(w, "perplexity");
    jw_num(w, dv_perplexity(h));
    emit_dist_tail(w, &ds, &o, terms, DV_NO_INDEX);
}
