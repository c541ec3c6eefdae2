/*
 * h_js.c — POST /js: the Jensen–Shannon divergence and its square root, the distance.
 */
#include <math.h>

#include "dists.h"
#include "handlers.h"
#include "reply.h"

void h_js(dv_req *r)
{
    opts o;
    dist_set ds;
    double *terms;
    if (!pair_read(r, &ds, &o, &terms))
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
    emit_dist_tail(w, &ds, &o, terms, DV_NO_INDEX);
}
