/*
 * drift.c — POST /drift (SPEC §9): feature drift between a reference and a current sample.
 *
 * decode → validate → compute → encode, per feature, in the order the reference lists
 * them. Every feature is first read and computed into a `feat` (nothing is written until
 * every feature has succeeded, so a problem in the last feature leaves no half-written
 * body), then the answer is emitted.
 *
 *  - Kinds: a feature whose first non-null value (reference first, then current) is a
 *    number is numeric; a string or boolean, categorical. Any later value of another kind
 *    → 422 wrong_type pointing at it. A reference given as {"profile": …} (the `profile`
 *    an earlier answer returned) is binned with its frozen bins and counts.
 *  - Numbers and nulls go to the core as values + a null mask (dv_drift_numeric: sorted
 *    once, edges, counts, W1, W1/σ, KS); categories as dv_key + mask
 *    (dv_drift_categorical); counts to dv_chi2_homogeneity.
 *  - Measures on the binned proportions are SPEC §7's, with the reference as P and the
 *    current sample as Q, after `smoothing` (default 1e-4), from dv_measures()
 *    (src/core/measures.h), the same code as /divergences.
 *  - Core error locations are the core's (arg P/Q, element index); this file only puts the
 *    feature name in as the location's member, so where.c builds
 *    /reference/<feature>/<i> (and /bins/<feature>/<i> for edges) — no pointer is
 *    formatted here for a core error.
 *  - Thresholds are compared with the values as reported (in the requested base);
 *    p-values (ks, chi2_test) drift when below theirs, everything else at or above.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drift.h"
#include "handlers.h"
#include "numfmt.h"
#include "pointer.h"
#include "read.h"
#include "reply.h"
#include "where.h"

#include "measures.h"

/* ---- the measures /drift answers ---------------------------------------------------------- */

/* Binned measures, in the order of SPEC §7's table (= measures.h's dv_measure). */
enum {
    B_KL,
    B_REVERSE_KL,
    B_PSI,
    B_JS,
    B_JS_DISTANCE,
    B_CROSS_ENTROPY,
    B_HELLINGER,
    B_BHATTACHARYYA,
    B_TV,
    B_LINF,
    B_CHI2,
    B_NEYMAN_CHI2,
    NB_BINNED,
    /* the sample and table measures */
    M_WASSERSTEIN = NB_BINNED,
    M_WASSERSTEIN_NORMED,
    M_KS,
    M_CHI2_TEST,
    NM
};
_Static_assert((int)DV_M_NEYMAN_CHI2 == (int)B_NEYMAN_CHI2 && (int)DV_M_PSI == (int)B_PSI,
               "the binned measures follow dv_measure's order");

/* The binned measures are named by measures.h; these are the sample and table ones. */
static const char *const SAMPLE_NAMES[NM - NB_BINNED] = {
    "wasserstein", "wasserstein_normed", "ks", "chi2_test"};

static const char *measure_name(int m)
{
    return m < NB_BINNED ? dv_measure_name((dv_measure)m) : SAMPLE_NAMES[m - NB_BINNED];
}

/* The /drift measure called s[0..n), or -1. */
static int find_measure(const char *s, size_t n)
{
    for (int k = NB_BINNED; k < NM; k++)
        if (strlen(SAMPLE_NAMES[k - NB_BINNED]) == n &&
            memcmp(SAMPLE_NAMES[k - NB_BINNED], s, n) == 0)
            return k;
    dv_measure m;
    return dv_measure_lookup(s, n, &m) && (int)m < NB_BINNED ? (int)m : -1;
}

typedef uint32_t mset;
#define MS(m) ((mset)1u << (unsigned)(m))
#define MS_DEFAULT_NUMERIC                                                                 \
    (MS(B_PSI) | MS(B_JS_DISTANCE) | MS(B_HELLINGER) | MS(M_WASSERSTEIN) |                 \
     MS(M_WASSERSTEIN_NORMED) | MS(M_KS))
#define MS_DEFAULT_CATEGORICAL                                                             \
    (MS(B_PSI) | MS(B_JS_DISTANCE) | MS(B_HELLINGER) | MS(B_TV) | MS(B_LINF) |             \
     MS(M_CHI2_TEST))
#define MS_BINNED (MS(NB_BINNED) - 1u)
#define MS_SAMPLE (MS(M_WASSERSTEIN) | MS(M_WASSERSTEIN_NORMED) | MS(M_KS))

/* SPEC §9's default thresholds (NAN: none). */
static double default_threshold(int m)
{
    switch (m) {
    case B_PSI: return 0.2;
    case B_JS_DISTANCE:
    case B_HELLINGER:
    case B_TV:
    case B_LINF:
    case M_WASSERSTEIN_NORMED: return 0.1;
    case M_KS:
    case M_CHI2_TEST: return 0.05;
    default: return NAN;
    }
}

#define DEFAULT_BINS 10
/* Bins per feature from a count: 10^4 is far past any drift dashboard (10–100 is usual)
 * and bounds the work and the answer a short request can ask for (10^6 bins of three
 * values took 1.7 s and a 25 MB answer; the fuzzer found it). Explicit edges may be
 * more: they are counted against --max-elements like any number. */
#define MAX_BINS 10000
#define DEFAULT_SMOOTHING 1e-4

/* ---- the request ---------------------------------------------------------------------------- */

enum { K_NUMERIC, K_CATEGORICAL };

typedef struct feat {
    const char *name;
    size_t name_len;
    const jv *ref, *cur; /* the arrays; ref is the {"profile": …} object when profiled  */
    const jv *prof;      /* the profile object, or NULL                                 */
    const jv *bins;      /* bins for this feature (number / array), or NULL             */
    char bins_ptr[256];  /* its pointer                                                 */
    int kind;
    size_t n_ref, n_cur; /* every value, nulls included                                 */
    /* bins and counts */
    double *edges;
    size_t n_edges;
    const dv_key *cats; /* categorical: the reference's categories                    */
    size_t n_cats;
    double *rc, *cc;
    size_t nbins;
    bool missing;
    double ref_nulls;
    /* results */
    mset have;
    double val[NM]; /* as reported (base applied); ks/chi2_test: their p-value     */
    size_t inf_bin[NB_BINNED];
    double w1, w1n;
    dv_ks ks;
    dv_chi2_test chi2;
    bool drift;
} feat;

typedef struct dreq {
    opts o;
    mset asked; /* 0: the defaults per kind                                           */
    double thr[NM];
    double smoothing;
    size_t k_default;
    feat *f;
    size_t nf;
} dreq;

static const char *const ALLOWED[] = {"reference",  "current",   "bins", "measures",
                                      "thresholds", "smoothing", "base", NULL};

static const char *feat_ptr(char *buf, size_t size, const char *side, const feat *f)
{
    return ptr_member(buf, size, side, f->name, f->name_len);
}

/* A core error inside feature f: the feature becomes the location's member. */
static bool fail_feature(dv_req *r, const feat *f, dv_error *e)
{
    char name[256];
    size_t n = f->name_len < sizeof name - 1 ? f->name_len : sizeof name - 1;
    memcpy(name, f->name, n);
    name[n] = '\0';
    arg_names an = {{"reference", "current"}, {NULL, NULL}, {false, false}};
    if (e->at.arg == DV_ARG_NONE && e->at.member && strcmp(e->at.member, "bins") == 0) {
        /* an explicit edge: /bins/<feature>/<i> */
        e->at.arg = DV_ARG_P;
        an.member[0] = "bins";
    }
    e->at.member = name;
    return fail_core(r, e, &an);
}

static bool read_measures(dv_req *r, dreq *q)
{
    const jv *m = body_member(r, "measures");
    if (!m)
        return true;
    if (!jv_is_array(m))
        return req_fail(r, E_WRONG_TYPE, "/measures",
                        "measures is %s; it must be an array of measure names",
                        json_kind(m));
    for (size_t i = 0; i < m->n; i++) {
        jv tmp;
        const jv *e = jv_at(m, i, &tmp);
        char p[64];
        ptr_index(p, sizeof p, "/measures", i);
        if (!jv_is_string(e))
            return req_fail(r, E_WRONG_TYPE, p, "measures[%zu] is %s; it must be a name", i,
                            json_kind(e));
        int found = find_measure(e->u.str, e->n);
        if (found < 0 &&
            (strcmp(e->u.str, "renyi") == 0 || strcmp(e->u.str, "tsallis") == 0))
            return req_fail(r, E_INVALID_PARAMETER, p,
                            "%s needs alpha, which /drift does not take; use /divergences "
                            "on the counts for it",
                            e->u.str);
        if (found < 0)
            return req_fail(r, E_UNKNOWN_MEASURE, p,
                            "unknown measure \"%.60s\"; /drift knows kl, reverse_kl, psi, "
                            "js, js_distance, cross_entropy, hellinger, bhattacharyya, tv, "
                            "linf, chi2, neyman_chi2, wasserstein, wasserstein_normed, ks, "
                            "chi2_test",
                            e->u.str);
        q->asked |= MS(found);
        if (found == M_WASSERSTEIN || found == M_WASSERSTEIN_NORMED)
            q->asked |= MS(M_WASSERSTEIN) | MS(M_WASSERSTEIN_NORMED);
    }
    if (q->asked == 0)
        q->asked = MS(NM); /* an empty list: no measure (a bit no feature can have) */
    return true;
}

static bool read_thresholds(dv_req *r, dreq *q)
{
    for (int m = 0; m < NM; m++)
        q->thr[m] = default_threshold(m);
    const jv *t = body_member(r, "thresholds");
    if (!t)
        return true;
    if (!jv_is_object(t))
        return req_fail(r, E_WRONG_TYPE, "/thresholds",
                        "thresholds is %s; it must be an object {measure: number}",
                        json_kind(t));
    for (size_t i = 0; i < t->n; i++) {
        const jv_member *mb = &t->u.members[i];
        char p[256];
        ptr_member(p, sizeof p, "/thresholds", mb->key, mb->key_len);
        int found = find_measure(mb->key, mb->key_len);
        if (found < 0)
            return req_fail(r, E_UNKNOWN_MEASURE, p,
                            "no measure is called \"%.60s\"; thresholds are keyed by "
                            "measure name",
                            mb->key);
        if (!jv_is_number(&mb->val))
            return req_fail(r, E_WRONG_TYPE, p, "thresholds.%s is %s; it must be a number",
                            measure_name(found), json_kind(&mb->val));
        q->thr[found] = mb->val.u.num;
    }
    return true;
}

static bool read_bins_count(dv_req *r, const jv *v, const char *ptr, size_t *k)
{
    double x = v->u.num;
    if (!(x >= 1.0 && x <= MAX_BINS) || !(floor(x) >= x)) {
        char num[40];
        numfmt_msg(num, sizeof num, x);
        return req_fail(r, E_INVALID_PARAMETER, ptr,
                        "bins is %s; it must be an integer from 1 to %d, or an array of "
                        "edges",
                        num, MAX_BINS);
    }
    *k = (size_t)x;
    return true;
}

/* The features: the reference's members, each present in current with the same name. */
static bool read_features(dv_req *r, dreq *q)
{
    const jv *ref = body_member(r, "reference"), *cur = body_member(r, "current");
    if (!ref)
        return req_fail(r, E_MISSING_MEMBER, "/reference",
                        "missing reference: an object {feature: [values…]}");
    if (!cur)
        return req_fail(r, E_MISSING_MEMBER, "/current",
                        "missing current: an object {feature: [values…]}");
    if (!jv_is_object(ref))
        return req_fail(r, E_WRONG_TYPE, "/reference",
                        "reference is %s; it must be an object {feature: [values…]}",
                        json_kind(ref));
    if (!jv_is_object(cur))
        return req_fail(r, E_WRONG_TYPE, "/current",
                        "current is %s; it must be an object {feature: [values…]}",
                        json_kind(cur));
    if (ref->n == 0)
        return req_fail(r, E_EMPTY, "/reference", "reference has no features");
    q->nf = ref->n;
    q->f = req_alloc(r, ref->n, sizeof *q->f);
    if (!q->f)
        return false;
    for (size_t i = 0; i < ref->n; i++) {
        feat *f = &q->f[i];
        const jv_member *mb = &ref->u.members[i];
        f->name = mb->key;
        f->name_len = mb->key_len;
        f->ref = &mb->val;
        f->cur = jv_get(cur, mb->key);
        char p[256];
        if (!f->cur)
            return req_fail(r, E_MISSING_MEMBER, feat_ptr(p, sizeof p, "/current", f),
                            "current has no feature \"%.100s\"; the same features must "
                            "appear on both sides",
                            f->name);
    }
    for (size_t i = 0; i < cur->n; i++) {
        const jv_member *mb = &cur->u.members[i];
        if (!jv_get(ref, mb->key)) {
            char p[256];
            return req_fail(r, E_INVALID_INPUT,
                            ptr_member(p, sizeof p, "/current", mb->key, mb->key_len),
                            "reference has no feature \"%.100s\"; the same features must "
                            "appear on both sides",
                            mb->key);
        }
    }
    return true;
}

static bool read_bins(dv_req *r, dreq *q)
{
    q->k_default = DEFAULT_BINS;
    const jv *b = body_member(r, "bins");
    if (!b)
        return true;
    if (jv_is_number(b))
        return read_bins_count(r, b, "/bins", &q->k_default);
    if (!jv_is_object(b))
        return req_fail(r, E_WRONG_TYPE, "/bins",
                        "bins is %s; it must be a number of bins, or an object {feature: "
                        "bins or [edges…]}",
                        json_kind(b));
    for (size_t i = 0; i < b->n; i++) {
        const jv_member *mb = &b->u.members[i];
        char p[256];
        ptr_member(p, sizeof p, "/bins", mb->key, mb->key_len);
        feat *f = NULL;
        for (size_t j = 0; j < q->nf && !f; j++)
            if (q->f[j].name_len == mb->key_len &&
                memcmp(q->f[j].name, mb->key, mb->key_len) == 0)
                f = &q->f[j];
        if (!f)
            return req_fail(r, E_INVALID_INPUT, p,
                            "bins names \"%.100s\", which is not a feature of reference",
                            mb->key);
        if (!jv_is_number(&mb->val) && !jv_is_array(&mb->val))
            return req_fail(r, E_WRONG_TYPE, p,
                            "bins for \"%.100s\" is %s; it must be a number of bins or an "
                            "array of edges",
                            mb->key, json_kind(&mb->val));
        f->bins = &mb->val;
        memcpy(f->bins_ptr, p, sizeof p);
    }
    return true;
}

/* ---- kinds and values --------------------------------------------------------------------- */

/* 0 null, 1 number, 2 string, 3 boolean, 4 anything else */
static int value_class(const jv *v)
{
    if (!v || v->kind == JV_NULL)
        return 0;
    if (v->kind == JV_NUMBER)
        return 1;
    if (v->kind == JV_STRING)
        return 2;
    if (jv_is_bool(v))
        return 3;
    return 4;
}

static const char *class_name(int c, bool plural)
{
    static const char *const one[] = {"null", "a number", "a string", "a boolean", "?"};
    static const char *const many[] = {"nulls", "numbers", "strings", "booleans", "?"};
    return (plural ? many : one)[c < 0 || c > 4 ? 4 : c];
}

/* The class of the first non-null element of arr (0 when none). */
static int first_class(const jv *arr)
{
    if (arr->numeric)
        return arr->n ? 1 : 0;
    for (size_t i = 0; i < arr->n; i++) {
        int c = value_class(&arr->u.items[i]);
        if (c != 0)
            return c;
    }
    return 0;
}

/* Every element of arr is null or of class `want`; else the problem at the first other. */
static bool check_classes(dv_req *r, const feat *f, const jv *arr, const char *side,
                          int want)
{
    if (arr->numeric && (want == 1 || arr->n == 0))
        return true;
    for (size_t i = 0; i < arr->n; i++) {
        int c = arr->numeric ? 1 : value_class(&arr->u.items[i]);
        if (c == 0 || c == want)
            continue;
        char p[256], p2[300];
        feat_ptr(p, sizeof p, side, f);
        ptr_index(p2, sizeof p2, p, i);
        if (c == 4)
            return req_fail(r, E_WRONG_TYPE, p2,
                            "value %zu of %s.%.100s is %s; feature values must be numbers, "
                            "strings, booleans or null",
                            i, side + 1, f->name, json_kind(&arr->u.items[i]));
        /* (numeric arrays never reach c == 4) */
        return req_fail(r, E_WRONG_TYPE, p2,
                        "value %zu of %s.%.100s is %s, but the feature holds %s (its first "
                        "non-null value is one); a feature must not mix kinds",
                        i, side + 1, f->name, class_name(c, false), class_name(want, true));
    }
    return true;
}

/* Numbers + null mask of a numeric feature's array (in place when it is all numbers). */
static bool numeric_values(dv_req *r, const jv *arr, const double **x, const bool **null)
{
    if (arr->numeric) {
        *x = arr->u.nums;
        *null = NULL;
        return true;
    }
    double *v = req_alloc(r, arr->n ? arr->n : 1, sizeof *v);
    bool *m = req_alloc(r, arr->n ? arr->n : 1, sizeof *m);
    if (!v || !m)
        return false;
    for (size_t i = 0; i < arr->n; i++) {
        m[i] = arr->u.items[i].kind == JV_NULL;
        v[i] = m[i] ? 0.0 : arr->u.items[i].u.num;
    }
    *x = v;
    *null = m;
    return true;
}

static dv_key key_of(const jv *e)
{
    dv_key k;
    memset(&k, 0, sizeof k);
    if (e->kind == JV_STRING) {
        k.kind = DV_KEY_STRING;
        k.str = e->u.str;
        k.len = e->n;
    } else if (jv_is_bool(e)) {
        k.kind = DV_KEY_BOOL;
        k.boolean = e->kind == JV_TRUE;
    } else if (e->kind == JV_NUMBER) {
        k.kind = DV_KEY_NUMBER;
        k.num = e->u.num;
    }
    return k;
}

static bool key_values(dv_req *r, const jv *arr, dv_key **keys, bool **null)
{
    dv_key *k = req_alloc(r, arr->n ? arr->n : 1, sizeof *k);
    bool *m = req_alloc(r, arr->n ? arr->n : 1, sizeof *m);
    if (!k || !m)
        return false;
    for (size_t i = 0; i < arr->n; i++) {
        m[i] = arr->u.items[i].kind == JV_NULL;
        k[i] = key_of(&arr->u.items[i]);
    }
    *keys = k;
    *null = m;
    return true;
}

static void free_support(void *p)
{
    dv_support_free(p);
}

/* ---- profiles ------------------------------------------------------------------------------ */

static const char *const PROFILE_MEMBERS[] = {"kind",    "edges", "categories", "counts",
                                              "missing", "n",     NULL};

/* Non-negative integer counts (as doubles) from a profile member. */
static bool profile_counts(dv_req *r, const jv *v, const char *ptr, size_t want,
                           double *out)
{
    if (!jv_is_array(v))
        return req_fail(r, E_WRONG_TYPE, ptr, "%s is %s; it must be an array of counts",
                        ptr + 1, json_kind(v));
    if (v->n != want)
        return req_fail(r, E_SHAPE_MISMATCH, ptr,
                        "%s has %zu entries; the profile's bins need %zu", ptr + 1, v->n,
                        want);
    for (size_t i = 0; i < v->n; i++) {
        jv tmp;
        const jv *e = jv_at(v, i, &tmp);
        char p[300];
        ptr_index(p, sizeof p, ptr, i);
        if (!jv_is_number(e) || !(e->u.num >= 0.0) || !(floor(e->u.num) >= e->u.num) ||
            !(e->u.num <= 9007199254740992.0))
            return req_fail(r, E_INVALID_PARAMETER, p,
                            "%s must be a count: an integer >= 0", p + 1);
        out[i] = e->u.num;
    }
    return true;
}

/*
 * A reference given as {"profile": {kind, edges | categories, counts, missing, n}}: the
 * frozen bins. counts has one entry per numeric bin (len(edges) + 1) or per category;
 * missing counts the reference's nulls.
 */
static bool read_profile(dv_req *r, feat *f)
{
    char base[256], pp[300], p[340];
    feat_ptr(base, sizeof base, "/reference", f);
    ptr_member(pp, sizeof pp, base, "profile", 7);
    const jv *pr = jv_get(f->ref, "profile");
    if (!pr || f->ref->n != 1)
        return req_fail(r, E_WRONG_TYPE, base,
                        "reference.%.100s is an object; a feature is an array of values or "
                        "{\"profile\": …} (a profile returned by an earlier call)",
                        f->name);
    if (!jv_is_object(pr))
        return req_fail(r, E_WRONG_TYPE, pp, "the profile is %s; it must be an object",
                        json_kind(pr));
    for (size_t i = 0; i < pr->n; i++) {
        bool ok = false;
        for (const char *const *a = PROFILE_MEMBERS; *a && !ok; a++)
            ok = strcmp(*a, pr->u.members[i].key) == 0;
        if (!ok)
            return req_fail(
                r, E_UNKNOWN_MEMBER,
                ptr_member(p, sizeof p, pp, pr->u.members[i].key, pr->u.members[i].key_len),
                "unknown profile member \"%.60s\"; a profile has kind, edges or "
                "categories, counts, missing, n",
                pr->u.members[i].key);
    }
    f->prof = pr;
    const jv *kind = jv_get(pr, "kind");
    ptr_member(p, sizeof p, pp, "kind", 4);
    if (!kind)
        return req_fail(r, E_MISSING_MEMBER, p, "the profile has no kind");
    if (jv_is_string(kind) && strcmp(kind->u.str, "numeric") == 0)
        f->kind = K_NUMERIC;
    else if (jv_is_string(kind) && strcmp(kind->u.str, "categorical") == 0)
        f->kind = K_CATEGORICAL;
    else
        return req_fail(r, E_INVALID_PARAMETER, p,
                        "the profile's kind must be \"numeric\" or \"categorical\"");
    if (f->bins)
        return req_fail(r, E_INVALID_PARAMETER, f->bins_ptr,
                        "feature \"%.100s\" comes as a profile, whose bins are frozen; "
                        "drop its bins",
                        f->name);
    size_t nb;
    if (f->kind == K_NUMERIC) {
        const jv *e = jv_get(pr, "edges");
        ptr_member(p, sizeof p, pp, "edges", 5);
        if (!e)
            return req_fail(r, E_MISSING_MEMBER, p, "a numeric profile needs its edges");
        double *edges;
        size_t ne;
        if (!get_vector(r, e, p, &edges, &ne))
            return false;
        dv_error err;
        if (dv_drift_check_edges(edges, ne, &err) != DV_OK) {
            char q[360];
            return req_fail(r, problem_from_core(err.status),
                            ptr_index(q, sizeof q, p, err.at.idx[0]), "%s", err.msg);
        }
        f->edges = edges;
        f->n_edges = ne;
        nb = ne + 1;
    } else {
        const jv *c = jv_get(pr, "categories");
        ptr_member(p, sizeof p, pp, "categories", 10);
        if (!c)
            return req_fail(r, E_MISSING_MEMBER, p,
                            "a categorical profile needs its categories");
        if (!jv_is_array(c) || c->numeric)
            return req_fail(r, E_WRONG_TYPE, p,
                            "the profile's categories must be an array of strings or "
                            "booleans");
        dv_key *k = req_alloc(r, c->n ? c->n : 1, sizeof *k);
        if (!k)
            return false;
        dv_support *s = dv_support_new(c->n);
        if (!s || !req_adopt(r, s, free_support))
            return s ? false : req_fail(r, E_OUT_OF_MEMORY, NULL, "out of memory");
        int want = c->n ? value_class(&c->u.items[0]) : 2;
        for (size_t i = 0; i < c->n; i++) {
            char q[360];
            ptr_index(q, sizeof q, p, i);
            int cl = value_class(&c->u.items[i]);
            if ((cl != 2 && cl != 3) || cl != want)
                return req_fail(r, E_WRONG_TYPE, q,
                                "categories must all be strings or all booleans");
            k[i] = key_of(&c->u.items[i]);
            size_t idx;
            if (dv_support_add(s, &k[i], &idx) != DV_OK)
                return req_fail(r, E_OUT_OF_MEMORY, NULL, "out of memory");
            if (idx != i)
                return req_fail(r, E_INVALID_PARAMETER, q, "a category appears twice");
        }
        f->cats = k;
        f->n_cats = c->n;
        nb = c->n;
    }
    f->rc = req_alloc(r, nb + 2, sizeof *f->rc);
    f->cc = req_alloc(r, nb + 2, sizeof *f->cc);
    if (!f->rc || !f->cc)
        return false;
    const jv *counts = jv_get(pr, "counts");
    ptr_member(p, sizeof p, pp, "counts", 6);
    if (!counts)
        return req_fail(r, E_MISSING_MEMBER, p, "the profile has no counts");
    if (!profile_counts(r, counts, p, nb, f->rc))
        return false;
    const jv *miss = jv_get(pr, "missing");
    f->ref_nulls = 0.0;
    if (miss) {
        ptr_member(p, sizeof p, pp, "missing", 7);
        if (!jv_is_number(miss) || !(miss->u.num >= 0.0) ||
            !(floor(miss->u.num) >= miss->u.num))
            return req_fail(r, E_INVALID_PARAMETER, p, "missing must be an integer >= 0");
        f->ref_nulls = miss->u.num;
    }
    double total = f->ref_nulls;
    for (size_t i = 0; i < nb; i++)
        total += f->rc[i];
    const jv *n = jv_get(pr, "n");
    if (n) {
        ptr_member(p, sizeof p, pp, "n", 1);
        if (!jv_is_number(n) || n->u.num < total || n->u.num > total)
            return req_fail(r, E_INVALID_PARAMETER, p,
                            "n must equal the sum of counts and missing");
    }
    if (!(total > 0.0))
        return req_fail(r, E_ZERO_TOTAL, pp, "the profile counts no values");
    f->n_ref = (size_t)total;
    return true;
}

/* ---- computing one feature ------------------------------------------------------------------ */

/* Current values of a profiled feature into the frozen bins. */
static bool count_profiled(dv_req *r, feat *f)
{
    size_t nulls = 0;
    if (f->kind == K_NUMERIC) {
        const double *x;
        const bool *null;
        if (!numeric_values(r, f->cur, &x, &null))
            return false;
        dv_drift_count(f->edges, f->n_edges, x, null, f->cur->n, f->cc, &nulls);
        f->nbins = f->n_edges + 1;
    } else {
        dv_support *s = dv_support_new(f->n_cats);
        if (!s || !req_adopt(r, s, free_support))
            return s ? false : req_fail(r, E_OUT_OF_MEMORY, NULL, "out of memory");
        for (size_t i = 0; i < f->n_cats; i++) {
            size_t idx;
            if (dv_support_add(s, &f->cats[i], &idx) != DV_OK)
                return req_fail(r, E_OUT_OF_MEMORY, NULL, "out of memory");
        }
        f->rc[f->n_cats] = 0.0; /* unseen: the reference has none by construction */
        for (size_t i = 0; i <= f->n_cats; i++)
            f->cc[i] = 0.0;
        for (size_t i = 0; i < f->cur->n; i++) {
            const jv *e = &f->cur->u.items[i];
            if (e->kind == JV_NULL) {
                nulls++;
                continue;
            }
            dv_key k = key_of(e);
            size_t idx = dv_support_find(s, &k);
            f->cc[idx == DV_NO_INDEX ? f->n_cats : idx] += 1.0;
        }
        f->nbins = f->n_cats + 1;
    }
    if (f->ref_nulls > 0.0 || nulls > 0) {
        f->missing = true;
        f->rc[f->nbins] = f->ref_nulls;
        f->cc[f->nbins] = (double)nulls;
        f->nbins++;
    }
    return true;
}

static bool compute_numeric(dv_req *r, dreq *q, feat *f, double *work, bool sample)
{
    const double *rx, *cx;
    const bool *rn, *cn;
    if (!numeric_values(r, f->ref, &rx, &rn) || !numeric_values(r, f->cur, &cx, &cn))
        return false;
    dv_drift_numeric_in in;
    memset(&in, 0, sizeof in);
    in.ref = rx;
    in.ref_null = rn;
    in.n_ref = f->ref->n;
    in.cur = cx;
    in.cur_null = cn;
    in.n_cur = f->cur->n;
    in.k = q->k_default;
    in.sample_measures = sample;
    if (f->bins && jv_is_number(f->bins)) {
        if (!read_bins_count(r, f->bins, f->bins_ptr, &in.k))
            return false;
    } else if (f->bins) {
        double *e;
        size_t ne;
        if (!get_vector(r, f->bins, f->bins_ptr, &e, &ne))
            return false;
        in.edges = e;
        in.n_edges = ne;
    }
    size_t cap = in.edges ? in.n_edges : (in.k > 1 ? in.k - 1 : 0);
    f->edges = req_alloc(r, cap + 1, sizeof *f->edges);
    f->rc = req_alloc(r, cap + 3, sizeof *f->rc);
    f->cc = req_alloc(r, cap + 3, sizeof *f->cc);
    if (!f->edges || !f->rc || !f->cc)
        return false;
    dv_drift_numeric_out out;
    memset(&out, 0, sizeof out);
    out.edges = f->edges;
    out.ref_counts = f->rc;
    out.cur_counts = f->cc;
    dv_error err;
    if (dv_drift_numeric(&in, work, &out, &err) != DV_OK)
        return fail_feature(r, f, &err);
    f->n_edges = out.n_edges;
    f->nbins = out.n_bins;
    f->missing = out.has_missing;
    f->ref_nulls = out.has_missing ? f->rc[out.n_bins - 1] : 0.0;
    if (out.has_sample) {
        f->w1 = out.wasserstein;
        f->ks = out.ks;
        f->have |= MS(M_WASSERSTEIN) | MS(M_KS);
        if (out.has_normed) {
            f->w1n = out.wasserstein_normed;
            f->have |= MS(M_WASSERSTEIN_NORMED);
        }
    }
    r->values += in.n_ref + in.n_cur;
    return true;
}

static bool compute_categorical(dv_req *r, feat *f)
{
    dv_key *rk, *ck;
    bool *rn, *cn;
    if (!key_values(r, f->ref, &rk, &rn) || !key_values(r, f->cur, &ck, &cn))
        return false;
    dv_drift_cat c;
    dv_error err;
    if (dv_drift_categorical(rk, rn, f->ref->n, ck, cn, f->cur->n, &c, &err) != DV_OK)
        return fail_feature(r, f, &err);
    /* ownership of the core's allocations passes to the request at once */
    bool ok = req_adopt(r, c.categories, free_support);
    ok = req_adopt(r, c.ref_counts, free) && ok;
    ok = req_adopt(r, c.cur_counts, free) && ok;
    if (!ok)
        return false;
    dv_key *cats = req_alloc(r, c.n_categories ? c.n_categories : 1, sizeof *cats);
    if (!cats)
        return false;
    for (size_t i = 0; i < c.n_categories; i++)
        cats[i] = *dv_support_key(c.categories, i);
    f->cats = cats;
    f->n_cats = c.n_categories;
    f->rc = c.ref_counts;
    f->cc = c.cur_counts;
    f->nbins = c.n_bins;
    f->missing = c.has_missing;
    f->ref_nulls = c.has_missing ? c.ref_counts[c.n_bins - 1] : 0.0;
    r->values += f->ref->n + f->cur->n;
    return true;
}

/* Binned measures in `want`, reported values (base applied) into f->val. */
static bool binned_measures(dv_req *r, dreq *q, feat *f, mset want)
{
    double *P = req_alloc(r, 2 * f->nbins, sizeof *P);
    if (!P)
        return false;
    memcpy(P, f->rc, f->nbins * sizeof *P);
    memcpy(P + f->nbins, f->cc, f->nbins * sizeof *P);
    dv_dist dp, dq;
    dv_error err;
    if (dv_prepare_weights(P, f->nbins, true, DV_NAME(DV_ARG_P, "reference"), &dp, &err) !=
            DV_OK ||
        dv_prepare_weights(P + f->nbins, f->nbins, true, DV_NAME(DV_ARG_Q, "current"), &dq,
                           &err) != DV_OK)
        return fail_feature(r, f, &err);
    dv_measures_req mr;
    memset(&mr, 0, sizeof mr);
    mr.set = (dv_measure_set)want;
    mr.smoothing = q->smoothing;
    dv_measures_res res;
    memset(&res, 0, sizeof res);
    if (dv_measures(&dp, &dq, &mr, &res, &err) != DV_OK)
        return fail_feature(r, f, &err);
    for (int m = 0; m < NB_BINNED; m++) {
        if (!(want & MS(m)))
            continue;
        f->val[m] = dv_measure_to_base((dv_measure)m, res.m[m].value, &q->o.base);
        f->inf_bin[m] = res.m[m].index;
    }
    f->have |= want;
    return true;
}

static bool compute_feature(dv_req *r, dreq *q, feat *f, double *work)
{
    char p[256];
    if (jv_is_object(f->ref)) {
        if (!read_profile(r, f))
            return false;
    } else if (!jv_is_array(f->ref)) {
        return req_fail(r, E_WRONG_TYPE, feat_ptr(p, sizeof p, "/reference", f),
                        "reference.%.100s is %s; a feature is an array of values or "
                        "{\"profile\": …}",
                        f->name, json_kind(f->ref));
    }
    if (!jv_is_array(f->cur))
        return req_fail(r, E_WRONG_TYPE, feat_ptr(p, sizeof p, "/current", f),
                        "current.%.100s is %s; a feature is an array of values", f->name,
                        json_kind(f->cur));
    if (!f->prof && f->ref->n == 0)
        return req_fail(r, E_EMPTY, feat_ptr(p, sizeof p, "/reference", f),
                        "reference.%.100s is empty; give at least one value", f->name);
    if (f->cur->n == 0)
        return req_fail(r, E_EMPTY, feat_ptr(p, sizeof p, "/current", f),
                        "current.%.100s is empty; give at least one value", f->name);
    /* the kind: the profile's, or the first non-null value's */
    int want;
    if (f->prof) {
        if (f->kind == K_NUMERIC)
            want = 1;
        else if (f->n_cats)
            want = f->cats[0].kind == DV_KEY_BOOL ? 3 : 2;
        else
            want = first_class(f->cur) == 3 ? 3 : 2;
    } else {
        want = first_class(f->ref);
        if (want == 0)
            want = first_class(f->cur);
        if (want == 0)
            return req_fail(r, E_EMPTY, feat_ptr(p, sizeof p, "/reference", f),
                            "feature \"%.100s\" has only nulls; its kind cannot be known",
                            f->name);
        if (want == 4) /* an object or array: check_classes names it (nothing matches) */
            want = 1;
        f->kind = want == 1 ? K_NUMERIC : K_CATEGORICAL;
        if (!check_classes(r, f, f->ref, "/reference", want))
            return false;
    }
    if (!check_classes(r, f, f->cur, "/current", want))
        return false;
    if (f->kind == K_CATEGORICAL && f->bins)
        return req_fail(
            r, E_INVALID_PARAMETER, f->bins_ptr,
            "feature \"%.100s\" is categorical: its bins are its categories, so "
            "it takes no bins",
            f->name);
    mset want_m =
        q->asked ? q->asked
                 : (f->kind == K_NUMERIC ? MS_DEFAULT_NUMERIC : MS_DEFAULT_CATEGORICAL);
    if (f->prof) {
        f->n_cur = f->cur->n;
        if (!count_profiled(r, f))
            return false;
        r->values += f->cur->n;
    } else {
        f->n_ref = f->ref->n;
        f->n_cur = f->cur->n;
        bool ok = f->kind == K_NUMERIC
                      ? compute_numeric(r, q, f, work, (want_m & MS_SAMPLE) != 0)
                      : compute_categorical(r, f);
        if (!ok)
            return false;
    }
    if (f->kind == K_CATEGORICAL && (want_m & MS(M_CHI2_TEST))) {
        dv_error err;
        if (dv_chi2_homogeneity(f->rc, f->cc, f->nbins, &f->chi2, &err) != DV_OK)
            return fail_feature(r, f, &err);
        f->have |= MS(M_CHI2_TEST);
    }
    f->have &= want_m; /* e.g. ks computed alongside wasserstein but not asked */
    if (!binned_measures(r, q, f, want_m & MS_BINNED))
        return false;
    /* reported values of the sample measures, and the drift flag */
    f->val[M_WASSERSTEIN] = f->w1;
    f->val[M_WASSERSTEIN_NORMED] = f->w1n;
    f->val[M_KS] = f->ks.p_value;
    f->val[M_CHI2_TEST] = f->chi2.p_value;
    for (int m = 0; m < NM; m++) {
        if (!(f->have & MS(m)) || isnan(q->thr[m]))
            continue;
        bool pv = m == M_KS || m == M_CHI2_TEST;
        if (pv ? f->val[m] < q->thr[m] : f->val[m] >= q->thr[m])
            f->drift = true;
    }
    return true;
}

/* ---- the answer -------------------------------------------------------------------------------- */

static void emit_key(jw *w, const dv_key *k)
{
    if (k->kind == DV_KEY_BOOL)
        jw_bool(w, k->boolean);
    else if (k->kind == DV_KEY_STRING)
        jw_strn(w, k->str, k->len);
    else
        jw_num(w, k->num);
}

static void emit_bins(jw *w, const feat *f, const char *counts_key)
{
    if (f->kind == K_NUMERIC) {
        jw_key(w, "edges");
        jw_nums(w, f->edges, f->n_edges);
    } else {
        jw_key(w, "categories");
        jw_arr(w);
        for (size_t i = 0; i < f->n_cats; i++)
            emit_key(w, &f->cats[i]);
        jw_arr_end(w);
    }
    if (counts_key) {
        jw_key(w, counts_key);
        /* the profile's counts: one per numeric bin or category (no unseen, no missing) */
        jw_nums(w, f->rc, f->kind == K_NUMERIC ? f->n_edges + 1 : f->n_cats);
    }
}

static void emit_feature(jw *w, const dreq *q, const feat *f)
{
    jw_keyn(w, f->name, f->name_len);
    jw_obj(w);
    jw_key(w, "kind");
    jw_str(w, f->kind == K_NUMERIC ? "numeric" : "categorical");
    jw_key(w, "n_reference");
    jw_uint(w, f->n_ref);
    jw_key(w, "n_current");
    jw_uint(w, f->n_cur);
    emit_bins(w, f, NULL);
    jw_key(w, "missing");
    jw_bool(w, f->missing);
    jw_key(w, "reference_counts");
    jw_nums(w, f->rc, f->nbins);
    jw_key(w, "current_counts");
    jw_nums(w, f->cc, f->nbins);
    bool any_inf = false;
    for (int m = 0; m < NB_BINNED; m++) {
        if (!(f->have & MS(m)))
            continue;
        jw_key(w, measure_name(m));
        jw_num(w, f->val[m]);
        any_inf = any_inf || isinf(f->val[m]);
    }
    if (f->have & MS(M_WASSERSTEIN)) {
        jw_key(w, "wasserstein");
        jw_num(w, f->w1);
    }
    if (f->have & MS(M_WASSERSTEIN_NORMED)) {
        jw_key(w, "wasserstein_normed");
        jw_num(w, f->w1n);
    }
    if (f->have & MS(M_KS)) {
        jw_key(w, "ks");
        jw_obj(w);
        jw_key(w, "statistic");
        jw_num(w, f->ks.statistic);
        jw_key(w, "p_value");
        jw_num(w, f->ks.p_value);
        jw_obj_end(w);
    }
    if (f->have & MS(M_CHI2_TEST)) {
        jw_key(w, "chi2_test");
        jw_obj(w);
        jw_key(w, "statistic");
        jw_num(w, f->chi2.statistic);
        jw_key(w, "dof");
        jw_uint(w, f->chi2.dof);
        jw_key(w, "p_value");
        jw_num(w, f->chi2.p_value);
        jw_obj_end(w);
    }
    if (any_inf) {
        jw_key(w, "reasons");
        jw_obj(w);
        for (int m = 0; m < NB_BINNED; m++) {
            if (!(f->have & MS(m)) || !isinf(f->val[m]))
                continue;
            jw_key(w, measure_name(m));
            jw_str(w, "a bin is empty on one side but not on the other; smoothing > 0 "
                      "keeps every measure finite");
        }
        jw_obj_end(w);
    }
    jw_key(w, "drift");
    jw_bool(w, f->drift);
    jw_key(w, "profile");
    jw_obj(w);
    jw_key(w, "kind");
    jw_str(w, f->kind == K_NUMERIC ? "numeric" : "categorical");
    emit_bins(w, f, "counts");
    jw_key(w, "missing");
    jw_num(w, f->ref_nulls);
    jw_key(w, "n");
    jw_uint(w, f->n_ref);
    jw_obj_end(w);
    jw_obj_end(w);
    (void)q;
}

void h_drift(dv_req *r)
{
    dreq q;
    memset(&q, 0, sizeof q);
    bool has_eps;
    if (!body_only(r, ALLOWED) || !get_opts(r, &q.o) || !read_features(r, &q) ||
        !read_bins(r, &q) || !read_measures(r, &q) || !read_thresholds(r, &q) ||
        !get_number(r, "smoothing", &q.smoothing, &has_eps))
        return;
    if (!has_eps)
        q.smoothing = DEFAULT_SMOOTHING;
    if (!(q.smoothing >= 0.0 && isfinite(q.smoothing))) {
        char num[40];
        numfmt_msg(num, sizeof num, q.smoothing);
        req_fail(r, E_INVALID_PARAMETER, "/smoothing",
                 "smoothing is %s; it must be a finite number >= 0", num);
        return;
    }
    /* one work buffer, sized for the largest numeric feature, serves them all */
    size_t wmax = 0;
    for (size_t i = 0; i < q.nf; i++) {
        const feat *f = &q.f[i];
        /* numeric features only: the first non-null value is a number */
        int c = jv_is_array(f->ref) ? first_class(f->ref) : -1;
        if (c == 0 && jv_is_array(f->cur))
            c = first_class(f->cur);
        if (c == 1 && jv_is_array(f->cur)) {
            size_t w = dv_drift_numeric_work(f->ref->n, f->cur->n);
            if (w == 0) {
                req_fail(r, E_PAYLOAD_TOO_LARGE, NULL, "the samples are too large");
                return;
            }
            wmax = w > wmax ? w : wmax;
        }
    }
    double *work = req_alloc(r, wmax ? wmax : 1, sizeof *work);
    if (!work)
        return;
    size_t drifted = 0;
    for (size_t i = 0; i < q.nf; i++) {
        if (!compute_feature(r, &q, &q.f[i], work))
            return;
        drifted += q.f[i].drift;
    }

    jw *w = req_json(r);
    jw_obj(w);
    jw_key(w, "features");
    jw_obj(w);
    for (size_t i = 0; i < q.nf; i++)
        emit_feature(w, &q, &q.f[i]);
    jw_obj_end(w);
    jw_key(w, "features_total");
    jw_uint(w, q.nf);
    jw_key(w, "drifted");
    jw_uint(w, drifted);
    jw_key(w, "drifted_features");
    jw_arr(w);
    for (size_t i = 0; i < q.nf; i++)
        if (q.f[i].drift)
            jw_strn(w, q.f[i].name, q.f[i].name_len);
    jw_arr_end(w);
    double share = (double)drifted / (double)q.nf;
    jw_key(w, "drift_share");
    jw_num(w, share);
    jw_key(w, "dataset_drift");
    jw_bool(w, share >= 0.5);
    jw_key(w, "smoothing");
    jw_num(w, q.smoothing);
    emit_base_unit(w, &q.o);
    jw_obj_end(w);
}
