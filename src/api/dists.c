/*
 * dists.c — discrete distribution inputs (see dists.h).
 */
#include "dists.h"

#include "numfmt.h"
#include "reply.h"
#include "where.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool read_samples(dv_req *r, side *s, const char *ptr)
{
    if (!jv_is_array(s->json))
        return req_fail(r, E_WRONG_TYPE, ptr,
                        "%s is %s; it must be an array of numbers, strings or booleans",
                        s->member, json_kind(s->json));
    size_t n = s->json->n;
    if (n == 0)
        return req_fail(r, E_EMPTY, ptr, "%s is empty; give at least one sample",
                        s->member);
    dv_key *k = req_alloc(r, n, sizeof *k);
    if (!k)
        return false;
    for (size_t i = 0; i < n; i++) {
        jv tmp;
        const jv *e = jv_at(s->json, i, &tmp);
        memset(&k[i], 0, sizeof k[i]);
        if (jv_is_number(e)) {
            k[i].kind = DV_KEY_NUMBER;
            k[i].num = e->u.num;
        } else if (jv_is_string(e)) {
            k[i].kind = DV_KEY_STRING;
            k[i].str = e->u.str;
            k[i].len = e->n;
        } else if (jv_is_bool(e)) {
            k[i].kind = DV_KEY_BOOL;
            k[i].boolean = e->kind == JV_TRUE;
        } else {
            char p[256];
            return req_fail(r, E_WRONG_TYPE, ptr_index(p, sizeof p, ptr, i),
                            "%s[%zu] is %s; samples must be numbers, strings or booleans",
                            s->member, i, json_kind(e));
        }
    }
    s->keys = k;
    s->nkeys = n;
    return true;
}

static bool read_labelled(dv_req *r, side *s, const char *ptr)
{
    if (s->json->n == 0)
        return req_fail(r, E_EMPTY, ptr, "%s is an empty object; give at least one label",
                        s->member);
    for (size_t m = 0; m < s->json->n; m++) {
        const char *key = s->json->u.members[m].key;
        const jv *v = &s->json->u.members[m].val;
        if (!jv_is_number(v)) {
            char p[256];
            return req_fail(r, E_WRONG_TYPE, ptr_member(p, sizeof p, ptr, key, strlen(key)),
                            "%s[\"%.100s\"] is %s; weights must be numbers", s->member, key,
                            json_kind(v));
        }
    }
    return true;
}

bool side_find(dv_req *r, const side_names *names, side *out)
{
    const char *cand[3] = {names->weights, names->logits, names->samples};
    const side_form form[3] = {FORM_ARRAY, FORM_LOGITS, FORM_SAMPLES};
    int found = -1;
    memset(out, 0, sizeof *out);
    for (int i = 0; i < 3; i++) {
        if (!cand[i] || !body_member(r, cand[i]))
            continue;
        if (found >= 0) {
            char p[128];
            snprintf(p, sizeof p, "/%s", cand[i]);
            return req_fail(r, E_INVALID_INPUT, p,
                            "both %s and %s are given; send only one of them", cand[found],
                            cand[i]);
        }
        found = i;
    }
    if (found < 0) {
        char p[128], list[128];
        snprintf(p, sizeof p, "/%s", names->weights);
        snprintf(list, sizeof list, "%s%s%s%s%s", names->weights, names->logits ? ", " : "",
                 names->logits ? names->logits : "", names->samples ? " or " : "",
                 names->samples ? names->samples : "");
        return req_fail(r, E_MISSING_MEMBER, p, "missing input: give %s", list);
    }
    out->member = cand[found];
    out->form = form[found];
    out->json = body_member(r, out->member);
    char ptr[128];
    ptr_member(ptr, sizeof ptr, "", out->member, strlen(out->member));
    if (out->form == FORM_SAMPLES)
        return read_samples(r, out, ptr);
    if (out->form == FORM_ARRAY && jv_is_object(out->json)) {
        out->form = FORM_LABELLED;
        return read_labelled(r, out, ptr);
    }
    if (!jv_is_array(out->json))
        return req_fail(r, E_WRONG_TYPE, ptr, "%s is %s; it must be %s", out->member,
                        json_kind(out->json),
                        out->form == FORM_ARRAY
                            ? "an array of probabilities or an object {label: weight}"
                            : "an array of numbers");
    if (!get_vector(r, out->json, ptr, &out->v, &out->n))
        return false;
    if (out->n == 0)
        return req_fail(r, E_EMPTY, ptr, "%s is empty; give at least one category",
                        out->member);
    return true;
}

static void free_support(void *s)
{
    dv_support_free(s);
}

/* Labelled sides: the support is every label of P in order, then Q's new ones; a label
 * missing on one side has weight 0 there. */
static bool align_labels(dv_req *r, dist_set *ds)
{
    size_t hint = 0;
    for (int i = 0; i < ds->count; i++)
        hint += ds->s[i].json->n;
    dv_support *sup = dv_support_new(hint);
    if (!sup)
        return req_fail(r, E_OUT_OF_MEMORY, NULL, "out of memory matching labels");
    if (!req_adopt(r, sup, free_support))
        return false;
    ds->support = sup;
    for (int i = 0; i < ds->count; i++) {
        for (size_t m = 0; m < ds->s[i].json->n; m++) {
            const jv_member *mb = &ds->s[i].json->u.members[m];
            dv_key k = {.kind = DV_KEY_STRING, .str = mb->key, .len = mb->key_len};
            size_t idx;
            if (dv_support_add(sup, &k, &idx) != DV_OK)
                return req_fail(r, E_OUT_OF_MEMORY, NULL, "out of memory matching labels");
        }
    }
    size_t m = dv_support_size(sup);
    for (int i = 0; i < ds->count; i++) {
        side *s = &ds->s[i];
        s->v = req_alloc(r, m, sizeof(double));
        if (!s->v)
            return false;
        s->n = m;
        for (size_t j = 0; j < s->json->n; j++) {
            const jv_member *mb = &s->json->u.members[j];
            dv_key k = {.kind = DV_KEY_STRING, .str = mb->key, .len = mb->key_len};
            s->v[dv_support_find(sup, &k)] = mb->val.u.num;
        }
    }
    return true;
}

static bool count_samples(dv_req *r, dist_set *ds)
{
    double *counts[2] = {NULL, NULL};
    dv_error err;
    dv_status st = dv_empirical(
        ds->s[0].keys, ds->s[0].nkeys, ds->count > 1 ? ds->s[1].keys : NULL,
        ds->count > 1 ? ds->s[1].nkeys : 0, &ds->support, &counts[0], &counts[1], &err);
    if (st != DV_OK)
        return fail_core(r, &err, NULL);
    /* Every adoption is attempted (no short circuit): each object then has an owner,
     * the request or the free() that a failed adoption runs at once. */
    bool ok = req_adopt(r, ds->support, free_support);
    for (int i = 0; i < 2; i++)
        ok = req_adopt(r, counts[i], free) && ok;
    if (!ok) {
        ds->support = NULL;
        return false;
    }
    for (int i = 0; i < ds->count; i++) {
        ds->s[i].v = counts[i];
        ds->s[i].n = dv_support_size(ds->support);
    }
    return true;
}

/* How this set spells its arguments, for error pointers. */
static void set_names(const dist_set *ds, arg_names *an)
{
    memset(an, 0, sizeof *an);
    for (int i = 0; i < ds->count; i++) {
        an->member[i] = ds->s[i].member;
        an->labels[i] = ds->s[i].form == FORM_LABELLED ? ds->support : NULL;
        an->whole[i] = ds->s[i].form == FORM_SAMPLES;
    }
}

bool dists_prepare(dv_req *r, dist_set *ds, const opts *o)
{
    int labelled = 0, samples = 0, logits = 0;
    for (int i = 0; i < ds->count; i++) {
        labelled += ds->s[i].form == FORM_LABELLED;
        samples += ds->s[i].form == FORM_SAMPLES;
        logits += ds->s[i].form == FORM_LOGITS;
    }
    char p1[128];
    if (ds->count > 1)
        snprintf(p1, sizeof p1, "/%s", ds->s[1].member);
    if (labelled && labelled != ds->count)
        return req_fail(r, E_SHAPE_MISMATCH, p1,
                        "%s is labelled (an object) but %s is not; give both as objects "
                        "{label: weight} or both as arrays",
                        ds->s[0].form == FORM_LABELLED ? ds->s[0].member : ds->s[1].member,
                        ds->s[0].form == FORM_LABELLED ? ds->s[1].member : ds->s[0].member);
    if (samples && samples != ds->count)
        return req_fail(r, E_INVALID_INPUT, p1,
                        "samples on one side need samples on the other: give both %s and "
                        "%s as samples",
                        ds->s[0].member, ds->s[1].member);
    if (o->has_temperature && !logits)
        return req_fail(
            r, E_INVALID_PARAMETER, "/temperature",
            "temperature applies only to logits inputs; remove it or send logits");
    if (labelled && !align_labels(r, ds))
        return false;
    if (samples && !count_samples(r, ds))
        return false;
    arg_names an;
    set_names(ds, &an);
    dv_name nm[2];
    for (int i = 0; i < ds->count; i++) {
        side *s = &ds->s[i];
        nm[i] = (dv_name){i, s->member, DV_NO_INDEX, an.labels[i]};
        dv_error e;
        dv_status st;
        if (s->form == FORM_LOGITS)
            st = dv_prepare_logits(s->v, s->n, o->temperature, &nm[i], &ds->d[i], &e);
        else
            st = dv_prepare_weights(s->v, s->n, o->normalize || s->form == FORM_SAMPLES,
                                    &nm[i], &ds->d[i], &e);
        if (st != DV_OK)
            return fail_core(r, &e, &an);
        r->values += s->form == FORM_SAMPLES ? s->nkeys : s->n;
    }
    if (ds->count > 1) {
        dv_error e;
        if (dv_check_same_n(&ds->d[0], &ds->d[1], &nm[0], &nm[1], &e) != DV_OK)
            return fail_core(r, &e, &an);
    }
    return true;
}

static void emit_key(jw *w, const dv_key *k)
{
    switch (k->kind) {
    case DV_KEY_NUMBER: jw_num(w, k->num); break;
    case DV_KEY_STRING: jw_strn(w, k->str, k->len); break;
    case DV_KEY_BOOL: jw_bool(w, k->boolean); break;
    }
}

void emit_support_and_empirical(jw *w, const dist_set *ds)
{
    if (!ds->support)
        return;
    size_t m = dv_support_size(ds->support);
    jw_key(w, "support");
    jw_arr(w);
    for (size_t i = 0; i < m; i++)
        emit_key(w, dv_support_key(ds->support, i));
    jw_arr_end(w);
    if (ds->s[0].form != FORM_SAMPLES)
        return;
    static const char *const names[2] = {"p", "q"};
    for (int s = 0; s < ds->count; s++) {
        jw_key(w, names[s]);
        jw_arr(w);
        for (size_t i = 0; i < m; i++)
            jw_num(w, dv_prob(&ds->d[s], i));
        jw_arr_end(w);
    }
}

void emit_terms(jw *w, const dist_set *ds, double *terms, const dv_base *b)
{
    size_t n = ds->d[0].n;
    dv_to_base_n(terms, n, b);
    jw_key(w, "terms");
    if (ds->s[0].form != FORM_LABELLED) {
        jw_nums(w, terms, n);
        return;
    }
    jw_obj(w);
    for (size_t i = 0; i < n; i++) {
        const dv_key *k = dv_support_key(ds->support, i);
        jw_keyn(w, k->str, k->len);
        jw_num(w, terms[i]);
    }
    jw_obj_end(w);
}

void emit_reason(jw *w, const dist_set *ds, size_t i)
{
    char buf[512];
    const side *p = &ds->s[0], *q = &ds->s[1];
    char pv[40];
    numfmt_msg(pv, sizeof pv, dv_prob(&ds->d[0], i));
    if (p->form == FORM_SAMPLES) {
        char v[64] = "";
        const dv_key *k = dv_support_key(ds->support, i);
        if (k->kind == DV_KEY_NUMBER)
            numfmt_shortest(v, k->num);
        snprintf(buf, sizeof buf,
                 "the value %s%.*s%s occurs in %s but never in %s, so the divergence is "
                 "infinite",
                 k->kind == DV_KEY_STRING ? "\"" : "",
                 k->kind == DV_KEY_STRING ? (int)(k->len > 100 ? 100 : k->len)
                 : k->kind == DV_KEY_BOOL ? 5
                                          : (int)strlen(v),
                 k->kind == DV_KEY_STRING ? k->str
                 : k->kind == DV_KEY_BOOL ? (k->boolean ? "true" : "false")
                                          : v,
                 k->kind == DV_KEY_STRING ? "\"" : "", p->member, q->member);
    } else if (p->form == FORM_LABELLED) {
        const dv_key *k = dv_support_key(ds->support, i);
        int len = (int)(k->len > 100 ? 100 : k->len);
        snprintf(buf, sizeof buf,
                 "%s[\"%.*s\"] is %s but %s[\"%.*s\"] is 0, so the divergence is "
                 "infinite",
                 p->member, len, k->str, pv, q->member, len, k->str);
    } else {
        snprintf(buf, sizeof buf,
                 "%s[%zu] is %s but %s[%zu] is 0, so the divergence is infinite", p->member,
                 i, pv, q->member, i);
    }
    jw_key(w, "reason");
    jw_str(w, buf);
}

static const char *const pair_members[] = {
    "p",    "q",         "p_logits", "q_logits",    "p_samples", "q_samples",
    "base", "normalize", "terms",    "temperature", NULL};
static const side_names pair_p = {"p", "p_logits", "p_samples"};
static const side_names pair_q = {"q", "q_logits", "q_samples"};

bool pair_read(dv_req *r, dist_set *ds, opts *o, double **terms)
{
    memset(ds, 0, sizeof *ds);
    ds->count = 2;
    *terms = NULL;
    if (!body_only(r, pair_members) || !get_opts(r, o) ||
        !side_find(r, &pair_p, &ds->s[0]) || !side_find(r, &pair_q, &ds->s[1]) ||
        !dists_prepare(r, ds, o))
        return false;
    return !o->terms || (*terms = req_alloc(r, ds->d[0].n, sizeof **terms)) != NULL;
}

void emit_dist_tail(jw *w, const dist_set *ds, const opts *o, double *terms,
                    size_t inf_index)
{
    jw_key(w, "n");
    jw_uint(w, ds->d[0].n);
    emit_base_unit(w, o);
    if (inf_index != DV_NO_INDEX)
        emit_reason(w, ds, inf_index);
    if (terms)
        emit_terms(w, ds, terms, &o->base);
    emit_support_and_empirical(w, ds);
    jw_obj_end(w);
}
