/*
 * divergences.c — POST /divergences (SPEC §7): many measures of one P, Q pair in one
 * call. Reads the /kl inputs (arrays, labelled objects, samples, logits; base,
 * normalize, terms, temperature) plus `measures`, `alpha`, `smoothing` and `positions`,
 * hands everything to dv_measures() (src/core/measures.h) and writes one member per
 * measure, with `reasons` for infinite ones and `terms` by measure.
 *
 * Choices the SPEC leaves open, made here and documented in the contract:
 *  - the default set is every measure that needs no parameter, plus `wasserstein` when
 *    positions are known (arrays and logits: the index; numeric samples: the values;
 *    else an explicit `positions`) and `renyi`/`tsallis` when `alpha` is given;
 *  - measures are written in the order of the SPEC §7 table, whatever the request order;
 *    a name given twice counts once;
 *  - `alpha` as a number answers numbers, as an array (at most MAX_ALPHA orders)
 *    answers arrays aligned with it; it is checked even when no measure uses it.
 * `kl`, `js` and `cross_entropy` are computed by the same core calls as /kl, /js and
 * /cross-entropy and written the same way, so they agree bit for bit.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dists.h"
#include "handlers.h"
#include "measures.h"
#include "numfmt.h"
#include "reply.h"
#include "where.h"

static const char *const allowed[] = {"p",         "q",           "p_logits", "q_logits",
                                      "p_samples", "q_samples",   "base",     "normalize",
                                      "terms",     "temperature", "measures", "alpha",
                                      "smoothing", "positions",   NULL};
/* The most orders one request may ask for (see read_alpha). */
#define MAX_ALPHA 64

static const side_names p_names = {"p", "p_logits", "p_samples"};
static const side_names q_names = {"q", "q_logits", "q_samples"};

typedef struct params {
    bool has_measures;
    dv_measure_set set;
    const double *alpha;
    size_t n_alpha;
    bool alpha_scalar; /* "alpha": 2 rather than [2]: answers numbers, not arrays */
    double smoothing;
    const double *positions; /* NULL: the core's default (category index)         */
    bool positions_known;    /* wasserstein can be computed                        */
} params;

/* "kl, reverse_kl, …" for messages. */
static void measure_list(char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int m = 0; m < DV_M_COUNT; m++) {
        int k = snprintf(buf + used, size - used, "%s%s", m ? ", " : "",
                         dv_measure_name((dv_measure)m));
        if (k < 0 || (size_t)k >= size - used)
            return;
        used += (size_t)k;
    }
}

static bool read_measures(dv_req *r, params *pa)
{
    const jv *v = body_member(r, "measures");
    pa->has_measures = v != NULL;
    if (!v)
        return true;
    char list[256];
    measure_list(list, sizeof list);
    if (!jv_is_array(v))
        return req_fail(r, E_WRONG_TYPE, "/measures",
                        "measures is %s; it must be an array of names (%s)", json_kind(v),
                        list);
    if (v->n == 0)
        return req_fail(r, E_EMPTY, "/measures",
                        "measures is empty; name at least one of %s (or leave it out for "
                        "the default set)",
                        list);
    for (size_t i = 0; i < v->n; i++) {
        jv tmp;
        const jv *e = jv_at(v, i, &tmp);
        char p[64];
        ptr_index(p, sizeof p, "/measures", i);
        if (!jv_is_string(e))
            return req_fail(r, E_WRONG_TYPE, p,
                            "measures[%zu] is %s; it must be a name (%s)", i, json_kind(e),
                            list);
        dv_measure m;
        if (!dv_measure_lookup(e->u.str, e->n, &m))
            return req_fail(r, E_UNKNOWN_MEASURE, p,
                            "measures[%zu] is \"%.60s\", which is not a measure; use %s", i,
                            e->u.str, list);
        pa->set |= DV_MSET(m);
    }
    return true;
}

static bool read_alpha(dv_req *r, params *pa)
{
    const jv *v = body_member(r, "alpha");
    if (!v)
        return true;
    if (jv_is_number(v)) {
        pa->alpha = &v->u.num;
        pa->n_alpha = 1;
        pa->alpha_scalar = true;
        return true;
    }
    if (!jv_is_array(v))
        return req_fail(r, E_WRONG_TYPE, "/alpha",
                        "alpha is %s; it must be a number > 0 or an array of them",
                        json_kind(v));
    double *a;
    size_t n;
    if (!get_vector(r, v, "/alpha", &a, &n))
        return false;
    if (n == 0)
        return req_fail(r, E_EMPTY, "/alpha",
                        "alpha is empty; give at least one order > 0");
    /* Each order is a pass over every category: a bound keeps one request's work
     * proportional to its size (10^6 categories × 64 orders is a few seconds). */
    if (n > MAX_ALPHA)
        return req_fail(r, E_INVALID_PARAMETER, "/alpha",
                        "alpha has %zu orders; at most %d are accepted in one request", n,
                        MAX_ALPHA);
    pa->alpha = a;
    pa->n_alpha = n;
    r->values += n;
    return true;
}

/* Numeric samples place each category at its value. */
static bool numeric_support(const dist_set *ds)
{
    if (!ds->support || ds->s[0].form != FORM_SAMPLES)
        return false;
    for (size_t i = 0; i < dv_support_size(ds->support); i++)
        if (dv_support_key(ds->support, i)->kind != DV_KEY_NUMBER)
            return false;
    return true;
}

static bool string_support(const dist_set *ds)
{
    if (!ds->support)
        return false;
    for (size_t i = 0; i < dv_support_size(ds->support); i++)
        if (dv_support_key(ds->support, i)->kind != DV_KEY_STRING)
            return false;
    return true;
}

/* positions as {label: x}: one entry per category of the support, nothing else. */
static bool positions_by_label(dv_req *r, const jv *v, const dist_set *ds, double *x)
{
    size_t n = dv_support_size(ds->support);
    for (size_t m = 0; m < v->n; m++) {
        const jv_member *mb = &v->u.members[m];
        char p[256];
        ptr_member(p, sizeof p, "/positions", mb->key, mb->key_len);
        dv_key k = {.kind = DV_KEY_STRING, .str = mb->key, .len = mb->key_len};
        size_t i = dv_support_find(ds->support, &k);
        if (i == DV_NO_INDEX)
            return req_fail(r, E_INVALID_INPUT, p,
                            "positions[\"%.100s\"] names no category of %s or %s", mb->key,
                            ds->s[0].member, ds->s[1].member);
        if (!jv_is_number(&mb->val))
            return req_fail(r, E_WRONG_TYPE, p,
                            "positions[\"%.100s\"] is %s; it must be a "
                            "number",
                            mb->key, json_kind(&mb->val));
        x[i] = mb->val.u.num;
    }
    if (v->n != n) {
        /* Some label has no position: name the first. */
        for (size_t i = 0; i < n; i++) {
            const dv_key *k = dv_support_key(ds->support, i);
            if (!jv_get(v, k->str))
                return req_fail(
                    r, E_MISSING_MEMBER, "/positions",
                    "positions has no entry for \"%.*s\"; give one position per "
                    "category",
                    (int)(k->len > 100 ? 100 : k->len), k->str);
        }
    }
    return true;
}

static bool read_positions(dv_req *r, const dist_set *ds, params *pa)
{
    const jv *v = body_member(r, "positions");
    size_t n = ds->d[0].n;
    if (!v) {
        if (numeric_support(ds)) {
            double *x = req_alloc(r, n, sizeof *x);
            if (!x)
                return false;
            for (size_t i = 0; i < n; i++)
                x[i] = dv_support_key(ds->support, i)->num;
            pa->positions = x;
            pa->positions_known = true;
        } else {
            /* Arrays and logits: the core's default, the category index. */
            pa->positions_known = !ds->support;
        }
        return true;
    }
    pa->positions_known = true;
    if (jv_is_object(v)) {
        if (!string_support(ds))
            return req_fail(r, E_WRONG_TYPE, "/positions",
                            "positions is an object, but the categories have no labels; "
                            "give an array of numbers, one per category");
        double *x = req_alloc(r, n, sizeof *x);
        if (!x || !positions_by_label(r, v, ds, x))
            return false;
        pa->positions = x;
        r->values += n;
        return true;
    }
    if (!jv_is_array(v))
        return req_fail(
            r, E_WRONG_TYPE, "/positions",
            "positions is %s; it must be an array of numbers, one per category%s",
            json_kind(v),
            ds->support ? " (in support order), or an object "
                          "{label: position}"
                        : "");
    double *x;
    size_t nx;
    if (!get_vector(r, v, "/positions", &x, &nx))
        return false;
    if (nx != n)
        return req_fail(r, E_SHAPE_MISMATCH, "/positions",
                        "positions has %zu entries but %s and %s have %zu categories", nx,
                        ds->s[0].member, ds->s[1].member, n);
    pa->positions = x;
    r->values += nx;
    return true;
}

/* The default set, and the checks that need to know the inputs. */
static bool settle_set(dv_req *r, params *pa)
{
    const dv_measure_set rt = DV_MSET(DV_M_RENYI) | DV_MSET(DV_M_TSALLIS);
    if (!pa->has_measures) {
        pa->set = dv_measure_default_set(pa->positions_known);
        if (pa->alpha)
            pa->set |= rt;
    }
    if ((pa->set & rt) && !pa->alpha)
        return req_fail(r, E_MISSING_MEMBER, "/alpha",
                        "renyi and tsallis need alpha: a number > 0 or an array of them "
                        "(alpha = 1 gives the KL divergence)");
    if ((pa->set & DV_MSET(DV_M_WASSERSTEIN)) && !pa->positions_known)
        return req_fail(r, E_MISSING_MEMBER, "/positions",
                        "wasserstein needs positions for labelled categories: an object "
                        "{label: position} or an array in support order");
    return true;
}

/* ---- the answer --------------------------------------------------------------------- */

/* How a category reads in a sentence: p[3], p["cat"], or the sample value. */
static void cat_name(char *buf, size_t size, const dist_set *ds, int which, size_t i)
{
    const char *member = ds->s[which].member;
    if (ds->s[0].form == FORM_LABELLED) {
        const dv_key *k = dv_support_key(ds->support, i);
        snprintf(buf, size, "%s[\"%.*s\"]", member, (int)(k->len > 100 ? 100 : k->len),
                 k->str);
    } else {
        snprintf(buf, size, "%s[%zu]", member, i);
    }
}

static void sample_value(char *buf, size_t size, const dv_key *k)
{
    char num[32];
    switch (k->kind) {
    case DV_KEY_NUMBER:
        numfmt_shortest(num, k->num);
        snprintf(buf, size, "%s", num);
        break;
    case DV_KEY_STRING:
        snprintf(buf, size, "\"%.*s\"", (int)(k->len > 100 ? 100 : k->len), k->str);
        break;
    case DV_KEY_BOOL: snprintf(buf, size, "%s", k->boolean ? "true" : "false"); break;
    }
}

/* The sentence for an infinite value of measure `what` ("kl", "renyi (alpha 2)"). */
static void reason(char *buf, size_t size, const dist_set *ds, const char *what,
                   const dv_mvalue *v)
{
    const char *pm = ds->s[0].member, *qm = ds->s[1].member;
    switch (v->cause) {
    case DV_INF_Q_ZERO:
    case DV_INF_P_ZERO: {
        int pos = v->cause == DV_INF_Q_ZERO ? 0 : 1; /* the side that is positive */
        if (ds->s[0].form == FORM_SAMPLES) {
            char val[128];
            sample_value(val, sizeof val, dv_support_key(ds->support, v->index));
            snprintf(buf, size,
                     "the value %s occurs in %s but never in %s, so %s is infinite", val,
                     ds->s[pos].member, ds->s[1 - pos].member, what);
        } else {
            char a[160], b[160], num[40];
            cat_name(a, sizeof a, ds, pos, v->index);
            cat_name(b, sizeof b, ds, 1 - pos, v->index);
            numfmt_msg(num, sizeof num, dv_prob(&ds->d[pos], v->index));
            snprintf(buf, size, "%s is %s but %s is 0, so %s is infinite", a, num, b, what);
        }
        break;
    }
    case DV_INF_DISJOINT:
        snprintf(buf, size,
                 "%s and %s have no category in common (no P_i > 0 where Q_i > 0), so %s "
                 "is infinite",
                 pm, qm, what);
        break;
    case DV_INF_OVERFLOW:
    case DV_INF_NONE:
        snprintf(buf, size, "%s is finite but larger than the largest double (~1.8e308)",
                 what);
        break;
    }
}

static void emit_mvalue(jw *w, dv_measure m, const dv_mvalue *v, const dv_base *b)
{
    jw_num(w, dv_measure_to_base(m, v->value, b));
}

/* The first infinite value of measure m (k: its α index, or 0). */
static const dv_mvalue *first_inf(const dv_measures_res *res, dv_measure m, size_t na,
                                  size_t *k)
{
    *k = 0;
    if (m != DV_M_RENYI && m != DV_M_TSALLIS)
        return res->m[m].cause != DV_INF_NONE ? &res->m[m] : NULL;
    const dv_mvalue *arr = m == DV_M_RENYI ? res->renyi : res->tsallis;
    for (size_t i = 0; i < na; i++) {
        if (arr[i].cause != DV_INF_NONE) {
            *k = i;
            return &arr[i];
        }
    }
    return NULL;
}

static void emit_term_vector(jw *w, const dist_set *ds, double *t, size_t n, bool in_unit,
                             const dv_base *b)
{
    if (in_unit)
        dv_to_base_n(t, n, b);
    if (ds->s[0].form != FORM_LABELLED) {
        jw_nums(w, t, n);
        return;
    }
    jw_obj(w);
    for (size_t i = 0; i < n; i++) {
        const dv_key *k = dv_support_key(ds->support, i);
        jw_keyn(w, k->str, k->len);
        jw_num(w, t[i]);
    }
    jw_obj_end(w);
}

static void emit_answer(jw *w, const dist_set *ds, const opts *o, const params *pa,
                        const dv_measures_req *req, const dv_measures_res *res)
{
    size_t n = ds->d[0].n;
    jw_obj(w);
    bool any_inf = false;
    for (int m = 0; m < DV_M_COUNT; m++) {
        if (!(pa->set & DV_MSET(m)))
            continue;
        jw_key(w, dv_measure_name((dv_measure)m));
        if ((m == DV_M_RENYI || m == DV_M_TSALLIS) && !pa->alpha_scalar) {
            const dv_mvalue *arr = m == DV_M_RENYI ? res->renyi : res->tsallis;
            jw_arr(w);
            for (size_t k = 0; k < pa->n_alpha; k++)
                emit_mvalue(w, (dv_measure)m, &arr[k], &o->base);
            jw_arr_end(w);
        } else {
            emit_mvalue(w, (dv_measure)m, &res->m[m], &o->base);
        }
        size_t k;
        any_inf = any_inf || first_inf(res, (dv_measure)m, pa->n_alpha, &k);
    }
    jw_key(w, "n");
    jw_uint(w, n);
    emit_base_unit(w, o);
    if (any_inf) {
        jw_key(w, "reasons");
        jw_obj(w);
        for (int m = 0; m < DV_M_COUNT; m++) {
            size_t k;
            const dv_mvalue *v;
            if (!(pa->set & DV_MSET(m)) ||
                !(v = first_inf(res, (dv_measure)m, pa->n_alpha, &k)))
                continue;
            char what[80], buf[512], num[40];
            if (m == DV_M_RENYI || m == DV_M_TSALLIS) {
                numfmt_msg(num, sizeof num, pa->alpha[k]);
                snprintf(what, sizeof what, "%s (alpha %s)", dv_measure_name((dv_measure)m),
                         num);
            } else {
                snprintf(what, sizeof what, "%s", dv_measure_name((dv_measure)m));
            }
            reason(buf, sizeof buf, ds, what, v);
            jw_key(w, dv_measure_name((dv_measure)m));
            jw_str(w, buf);
        }
        jw_obj_end(w);
    }
    if (o->terms) {
        jw_key(w, "terms");
        jw_obj(w);
        for (int m = 0; m < DV_M_COUNT; m++) {
            double *t = req->terms[m];
            if (!t)
                continue;
            bool in_unit = dv_measure_flags((dv_measure)m) & DV_MF_IN_UNIT;
            jw_key(w, dv_measure_name((dv_measure)m));
            if (m == DV_M_TSALLIS && !pa->alpha_scalar) {
                jw_arr(w);
                for (size_t k = 0; k < pa->n_alpha; k++)
                    emit_term_vector(w, ds, t + k * n, n, in_unit, &o->base);
                jw_arr_end(w);
            } else {
                emit_term_vector(w, ds, t, n, in_unit, &o->base);
            }
        }
        jw_obj_end(w);
    }
    emit_support_and_empirical(w, ds);
    jw_obj_end(w);
}

/* ---- the handler -------------------------------------------------------------------- */

void h_divergences(dv_req *r)
{
    opts o;
    dist_set ds;
    params pa;
    memset(&ds, 0, sizeof ds);
    memset(&pa, 0, sizeof pa);
    ds.count = 2;
    bool has_smoothing;
    if (!body_only(r, allowed) || !get_opts(r, &o) || !side_find(r, &p_names, &ds.s[0]) ||
        !side_find(r, &q_names, &ds.s[1]) || !read_measures(r, &pa) ||
        !read_alpha(r, &pa) || !get_number(r, "smoothing", &pa.smoothing, &has_smoothing) ||
        !dists_prepare(r, &ds, &o) || !read_positions(r, &ds, &pa) || !settle_set(r, &pa))
        return;
    size_t n = ds.d[0].n;

    dv_measures_req req;
    memset(&req, 0, sizeof req);
    req.set = pa.set;
    req.alpha = pa.alpha;
    req.n_alpha = pa.n_alpha;
    req.smoothing = pa.smoothing;
    req.positions = pa.positions;
    req.n_positions = pa.positions ? n : 0;
    dv_measures_res res;
    memset(&res, 0, sizeof res);
    size_t na = pa.n_alpha ? pa.n_alpha : 1;
    if (!(res.renyi = req_alloc(r, na, sizeof *res.renyi)) ||
        !(res.tsallis = req_alloc(r, na, sizeof *res.tsallis)))
        return;
    if (o.terms) {
        for (int m = 0; m < DV_M_COUNT; m++) {
            if (!(pa.set & DV_MSET(m)) ||
                !(dv_measure_flags((dv_measure)m) & DV_MF_HAS_TERMS))
                continue;
            size_t reps = m == DV_M_TSALLIS ? na : 1;
            if (reps > SIZE_MAX / n) {
                req_fail(r, E_PAYLOAD_TOO_LARGE, "/alpha",
                         "terms for %zu alphas of %zu categories are too many", reps, n);
                return;
            }
            if (!(req.terms[m] = req_alloc(r, n * reps, sizeof(double))))
                return;
        }
    }
    size_t wsize = dv_measures_work_size(&req, n);
    if (wsize > 0 && wsize < SIZE_MAX) {
        req.work = req_alloc(r, 1, wsize);
        if (!req.work)
            return;
        req.work_size = wsize;
    }

    dv_error err;
    if (dv_measures(&ds.d[0], &ds.d[1], &req, &res, &err) != DV_OK) {
        /* An element of a scalar alpha is the member itself: "/alpha", "alpha is 0". */
        if (pa.alpha_scalar && err.at.member && strcmp(err.at.member, "alpha") == 0 &&
            err.at.idx[0] != DV_NO_INDEX) {
            char num[40];
            numfmt_msg(num, sizeof num, pa.alpha[0]);
            req_fail(r, E_INVALID_PARAMETER, "/alpha",
                     "alpha is %s; it must be a finite number > 0", num);
            return;
        }
        arg_names an;
        memset(&an, 0, sizeof an);
        an.member[0] = ds.s[0].member;
        an.member[1] = ds.s[1].member;
        fail_core(r, &err, &an);
        return;
    }
    emit_answer(req_json(r), &ds, &o, &pa, &req, &res);
}
