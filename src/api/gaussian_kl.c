/*
 * gaussian_kl.c — POST /gaussian-kl: D(p ‖ q) for univariate, diagonal and full-covariance
 * Gaussians, and for a batch of diagonal rows (the VAE case); q defaults to N(0, I).
 */
#include <stdio.h>
#include <string.h>

#include "gauss_in.h"
#include "handlers.h"
#include "reply.h"

static const char *const allowed[] = {"p", "q", "base", NULL};

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
    if (!gauss_read(r, DV_ARG_P, body_member(r, "p"), &p) || !gauss_check(r, &p) ||
        (qj && (!gauss_read(r, DV_ARG_Q, qj, &q) || !gauss_check(r, &q))))
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
    arg_names an;
    gauss_names(&p, qj ? &q : NULL, &an);
    jw *w;
    if (p.g.rows == 0) {
        double kl;
        dv_status st = dv_gaussian_kl(&p.g, qg, &kl, &e);
        if (st != DV_OK) {
            fail_core(r, &e, &an);
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
            fail_core(r, &e, &an);
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
