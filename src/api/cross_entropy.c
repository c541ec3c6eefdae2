/*
 * cross_entropy.c — POST /cross-entropy: H(P,Q) with H(P) and D(P‖Q), for a target
 * distribution, a class label (one-hot) or samples, optionally label-smoothed, against
 * probabilities, logits or samples.
 */
#include <math.h>

#include "dists.h"
#include "handlers.h"
#include "numfmt.h"
#include "reply.h"
#include "where.h"

static const char *const allowed[] = {
    "p",    "label", "p_samples", "q",         "q_logits",    "q_samples",
    "base", "normalize", "terms", "label_smoothing", "temperature", NULL};
static const side_names p_names = {"p", NULL, "p_samples"};
static const side_names q_names = {"q", "q_logits", "q_samples"};

/* The target as a one-hot vector over q's K categories. */
static bool one_hot(dv_req *r, dist_set *ds, double label)
{
    if (body_member(r, "p") || body_member(r, "p_samples"))
        return req_fail(r, E_INVALID_INPUT, "/label",
                        "both label and %s are given; send one target",
                        body_member(r, "p") ? "p" : "p_samples");
    side *q = &ds->s[1];
    if (q->form == FORM_SAMPLES || q->form == FORM_LABELLED)
        return req_fail(r, E_INVALID_INPUT, "/label",
                        "label is a class index, so the prediction must be an array q or "
                        "q_logits, not %s",
                        q->form == FORM_SAMPLES ? "samples" : "an object");
    size_t k = q->n;
    if (!(label >= 0 && label < (double)k) || label - floor(label) > 0)
    {
        char num[40];
        numfmt_msg(num, sizeof num, label);
        return req_fail(r, E_INVALID_PARAMETER, "/label",
                        "label is %s; it must be a whole number from 0 to %zu (q has %zu "
                        "categories)",
                        num, k ? k - 1 : 0, k);
    }
    double *v = req_alloc(r, k, sizeof *v);
    if (!v)
        return false;
    v[(size_t)label] = 1.0;
    ds->s[0] = (side){.form = FORM_ARRAY, .member = "label", .v = v, .n = k};
    dv_error e;
    static const arg_names label_names = {.member = {"label", NULL}, .whole = {true, false}};
    if (dv_prepare_weights(v, k, false, DV_NAME(DV_ARG_P, "label"), &ds->d[0], &e) != DV_OK)
        return fail_core(r, &e, &label_names);
    return true;
}

void h_cross_entropy(dv_req *r)
{
    opts o;
    double label = 0, alpha = 0;
    bool has_label, has_alpha;
    dist_set ds = {.count = 2};
    if (!body_only(r, allowed) || !get_opts(r, &o) ||
        !get_number(r, "label", &label, &has_label) ||
        !get_number(r, "label_smoothing", &alpha, &has_alpha))
        return;
    if (has_label) {
        /* Prepare q alone (it is the only distribution given), then the one-hot target. */
        dist_set qs = {.count = 1};
        if (!side_find(r, &q_names, &qs.s[0]) || !dists_prepare(r, &qs, &o))
            return;
        ds.s[1] = qs.s[0];
        ds.d[1] = qs.d[0];
        if (!one_hot(r, &ds, label))
            return;
    } else if (!side_find(r, &p_names, &ds.s[0]) || !side_find(r, &q_names, &ds.s[1]) ||
               !dists_prepare(r, &ds, &o)) {
        return;
    }
    if (has_alpha) {
        double *w = req_alloc(r, ds.d[0].n, sizeof *w);
        dv_error e;
        if (!w)
            return;
        if (dv_smooth(&ds.d[0], alpha, w, &ds.d[0], &e) != DV_OK) {
            fail_core(r, &e, NULL);
            return;
        }
    }
    double *terms = NULL;
    if (o.terms && !(terms = req_alloc(r, ds.d[0].n, sizeof *terms)))
        return;
    double h;
    dv_value kl;
    dv_value ce = dv_cross_entropy_parts(&ds.d[0], &ds.d[1], terms, &h, &kl);

    jw *w = req_json(r);
    jw_obj(w);
    emit_value(w, "cross_entropy", ce.nats, &o.base);
    emit_value(w, "entropy", h, &o.base);
    emit_value(w, "kl", kl.nats, &o.base);
    jw_key(w, "perplexity");
    jw_num(w, dv_perplexity(ce.nats));
    emit_dist_tail(w, &ds, &o, terms, ce.inf_index);
}
