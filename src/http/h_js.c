/*
 * h_js.c — POST /js: the Jensen–Shannon divergence and its square root, the distance.
 */
#include <math.h>

#include "dist_in.h"
#include "handlers.h"
#include "reply.h"

static const char *const allowed[] = {"p",    "q",         "p_logits", "q_logits",
                                      "p_samples", "q_samples", "base",   "normalize",
                                      "terms", "temperature", NULL};
static const side_names p_names = {"p", "p_logits", "p_samples"};
static const side_names q_names = {"q", "q_logits", "q_samples"};

void h_js(dv_req *r)
{
    opts o;
    dist_set ds = {.count = 2};
    if (!body_only(r, allowed) || !get_opts(r, &o) || !side_find(r, &p_names, &ds.s[0]) ||
        !side_find(r, &q_names, &ds.s[1]) || !dists_prepare(r, &ds, &o))
        return;
    double *terms = NULL;
    if (o.terms && !(terms = req_alloc(r, ds.d[0].n, sizeof *terms)))
        return;
    double js = dv_to_base(dv_js(&ds.d[0], &ds.d[1], terms), &o.base);

    jw *w = req_json(r);
    jw_obj(w);
    jw_key(w, "js");
    jw_num(w, js);
    /* The distance is defined for bases > 1, where js ≥ 0; a base below 1 flips the
     * sign of every logarithm, so the distance is taken of |js|. */
    jw_key(w, "distance");
    jw_num(w, sqrt(fabs(js)));
    jw_key(w, "n");
    jw_uint(w, ds.d[0].n);
    emit_base_unit(w, &o);
    if (terms)
        emit_terms(w, &ds, terms, &o.base);
    emit_support_and_empirical(w, &ds);
    jw_obj_end(w);
}
