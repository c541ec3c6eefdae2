/*
 * family_in.c — parametric distributions from a request (see family_in.h).
 *
 * Shapes decide batching: a scalar parameter given as an array is a batch; a vector
 * parameter given as an array of arrays is a batch; a matrix parameter as an array of
 * matrices. Every batched parameter of a distribution must have the same length B.
 */
#include "family_in.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pointer.h"

/* "concentration, rate" or "probs or logits" … for messages. */
static void param_list(const dv_family_info *f, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < f->nparams && n < size; i++) {
        const char *sep =
            i == 0                                                                 ? ""
            : (f->params[i].group && f->params[i].group == f->params[i - 1].group) ? " | "
                                                                                   : ", ";
        int k = snprintf(buf + n, size - n, "%s%s", sep, f->params[i].name);
        if (k < 0)
            break;
        n += (size_t)k;
    }
}

static void family_list(char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < dv_family_count() && n < size; i++) {
        int k = snprintf(buf + n, size - n, "%s%s", i ? ", " : "", dv_family_at(i)->name);
        if (k < 0)
            break;
        n += (size_t)k;
    }
}

/* Copies a batch of matrices (array of B arrays of rows) into one row-major block. */
static bool read_matrix_batch(dv_req *r, const jv *v, const char *ptr, double **out,
                              size_t *b, size_t *rows, size_t *cols)
{
    double *all = NULL;
    for (size_t k = 0; k < v->n; k++) {
        char p[256];
        double *m;
        size_t nr, nc;
        if (!get_matrix(r, &v->u.items[k], ptr_index(p, sizeof p, ptr, k), &m, &nr, &nc))
            return false;
        if (k == 0) {
            *rows = nr;
            *cols = nc;
            if (nr > SIZE_MAX / nc || nr * nc > SIZE_MAX / v->n)
                return req_fail(r, E_PAYLOAD_TOO_LARGE, ptr, "%s is too large", ptr + 1);
            all = req_alloc(r, v->n * nr * nc, sizeof *all);
            if (!all)
                return false;
        } else if (nr != *rows || nc != *cols) {
            return req_fail(r, E_SHAPE_MISMATCH, p, "%s is %zu×%zu but %s/0 is %zu×%zu",
                            p + 1, nr, nc, ptr + 1, *rows, *cols);
        }
        memcpy(all + k * nr * nc, m, nr * nc * sizeof *m);
    }
    *out = all;
    *b = v->n;
    return true;
}

/* One parameter: sets par (present, batched, data, len) and *b (batch length or 0) and
   its shape (*d: vector length / matrix rows, *c: matrix columns). */
static bool read_param(dv_req *r, const jv *v, const char *ptr, dv_param_shape shape,
                       fam_param *par, size_t *b, size_t *d, size_t *c)
{
    double *x;
    size_t n, nr, nc;
    *b = *d = *c = 0;
    par->present = true;
    switch (shape) {
    case DV_PARAM_SCALAR:
        if (jv_is_number(v)) {
            par->data = &v->u.num;
            par->len = 1;
            return true;
        }
        if (!jv_is_array(v))
            return req_fail(
                r, E_WRONG_TYPE, ptr,
                "%s is %s; it must be a number or an array of numbers (a batch)", ptr + 1,
                json_kind(v));
        if (!get_vector(r, v, ptr, &x, &n))
            return false;
        if (n == 0)
            return req_fail(r, E_EMPTY, ptr, "%s is an empty batch", ptr + 1);
        par->batched = true;
        par->data = x;
        par->len = 1;
        *b = n;
        return true;
    case DV_PARAM_VECTOR:
        if (jv_is_array(v) && (v->numeric || v->n == 0)) {
            if (!get_vector(r, v, ptr, &x, &n))
                return false;
            if (n == 0)
                return req_fail(r, E_EMPTY, ptr, "%s is empty", ptr + 1);
            par->data = x;
            par->len = n;
            *d = n;
            return true;
        }
        if (!get_matrix(r, v, ptr, &x, &nr, &nc))
            return false;
        par->batched = true;
        par->data = x;
        par->len = nc;
        *b = nr;
        *d = nc;
        return true;
    case DV_PARAM_MATRIX: {
        jv tmp;
        const jv *first = jv_is_array(v) && v->n ? jv_at(v, 0, &tmp) : NULL;
        const jv *inner = jv_is_array(first) && first->n ? jv_at(first, 0, &tmp) : NULL;
        if (jv_is_array(inner)) {
            if (!read_matrix_batch(r, v, ptr, &x, b, &nr, &nc))
                return false;
            par->batched = true;
        } else {
            if (!get_matrix(r, v, ptr, &x, &nr, &nc))
                return false;
        }
        par->data = x;
        par->len = nr * nc;
        *d = nr;
        *c = nc;
        return true;
    }
    }
    return false;
}

bool fam_read(dv_req *r, const char *name, int arg, fam_in *in)
{
    memset(in, 0, sizeof *in);
    in->arg = arg;
    in->name = name;
    char base[64], ptr[256], list[400];
    ptr_member(base, sizeof base, "", name, strlen(name));
    const jv *v = body_member(r, name);
    if (!v)
        return req_fail(r, E_MISSING_MEMBER, base,
                        "%s is missing; give {\"%s\": {\"family\": \"normal\", \"loc\": 0, "
                        "\"scale\": 1}}",
                        name, name);
    if (!jv_is_object(v))
        return req_fail(r, E_WRONG_TYPE, base,
                        "%s is %s; it must be an object {\"family\": …, parameters…}", name,
                        json_kind(v));
    const jv *fj = jv_get(v, "family");
    snprintf(ptr, sizeof ptr, "%s/family", base);
    if (!fj)
        return req_fail(r, E_MISSING_MEMBER, ptr, "%s.family is missing", name);
    if (!jv_is_string(fj))
        return req_fail(r, E_WRONG_TYPE, ptr, "%s.family is %s; it must be a string", name,
                        json_kind(fj));
    in->fam = dv_family_find(fj->u.str, fj->n);
    if (!in->fam) {
        family_list(list, sizeof list);
        return req_fail(r, E_UNKNOWN_FAMILY, ptr,
                        "unknown family \"%.40s\"; the families are: %s", fj->u.str, list);
    }
    const dv_family_info *f = in->fam;
    param_list(f, list, sizeof list);
    for (size_t k = 0; k < v->n; k++) {
        const char *key = v->u.members[k].key;
        bool ok = strcmp(key, "family") == 0;
        for (size_t i = 0; i < f->nparams && !ok; i++)
            ok = strcmp(key, f->params[i].name) == 0;
        if (!ok)
            return req_fail(r, E_UNKNOWN_MEMBER,
                            ptr_member(ptr, sizeof ptr, base, key, v->u.members[k].key_len),
                            "unknown member %s.%.60s; %s has %s", name, key, f->name, list);
    }
    size_t vec_d = 0, mat_r = 0;
    const char *dname = NULL;
    for (size_t i = 0; i < f->nparams; i++) {
        const dv_param_info *pi = &f->params[i];
        const jv *pv = jv_get(v, pi->name);
        ptr_member(ptr, sizeof ptr, base, pi->name, strlen(pi->name));
        if (!pv)
            continue;
        size_t b, d, c;
        if (!read_param(r, pv, ptr, pi->shape, &in->par[i], &b, &d, &c))
            return false;
        r->values += in->par[i].batched ? b * in->par[i].len : in->par[i].len;
        if (b) {
            if (in->rows && b != in->rows)
                return req_fail(r, E_SHAPE_MISMATCH, ptr,
                                "%s.%s is a batch of %zu but the other batched parameters "
                                "have %zu",
                                name, pi->name, b, in->rows);
            in->rows = b;
        }
        if (pi->shape == DV_PARAM_SCALAR)
            continue;
        /* every vector has length d; matrices are d×d, except cov_factor (d×r) */
        if (!dname) {
            vec_d = d;
            dname = pi->name;
        } else if (d != vec_d) {
            return req_fail(r, E_SHAPE_MISMATCH, ptr, "%s.%s has %zu %s but %s.%s has %zu",
                            name, pi->name, d,
                            pi->shape == DV_PARAM_MATRIX ? "rows" : "entries", name, dname,
                            vec_d);
        }
        if (pi->shape == DV_PARAM_MATRIX) {
            if (strcmp(pi->name, "cov_factor") == 0)
                mat_r = c;
            else if (c != d)
                return req_fail(r, E_SHAPE_MISMATCH, ptr,
                                "%s.%s is %zu×%zu; it must be square", name, pi->name, d,
                                c);
        }
    }
    in->d = vec_d;
    in->r = mat_r;
    /* required parameters, and exactly one of each group of alternatives */
    for (size_t i = 0; i < f->nparams; i++) {
        const dv_param_info *pi = &f->params[i];
        ptr_member(ptr, sizeof ptr, base, pi->name, strlen(pi->name));
        if (pi->group == 0) {
            if (!in->par[i].present)
                return req_fail(r, E_MISSING_MEMBER, ptr, "%s.%s is missing; %s has %s",
                                name, pi->name, f->name, list);
            continue;
        }
        size_t given = 0, first = i;
        for (size_t j = 0; j < f->nparams; j++)
            if (f->params[j].group == pi->group && in->par[j].present) {
                if (given++ == 0)
                    first = j;
                else
                    return req_fail(r, E_INVALID_INPUT,
                                    ptr_member(ptr, sizeof ptr, base, f->params[j].name,
                                               strlen(f->params[j].name)),
                                    "%s gives both %s and %s; give exactly one", name,
                                    f->params[first].name, f->params[j].name);
            }
        if (given == 0)
            return req_fail(r, E_MISSING_MEMBER, ptr,
                            "%s needs one of its alternatives (%s)", name, list);
    }
    return true;
}

void fam_row(const fam_in *in, size_t b, dv_fdist *x)
{
    memset(x, 0, sizeof *x);
    x->fam = in->fam;
    x->d = in->d;
    x->r = in->r;
    for (size_t i = 0; i < DV_FAM_MAX_PARAMS; i++) {
        const fam_param *p = &in->par[i];
        x->s[i] = NAN;
        x->v[i] = NULL;
        if (!p->present)
            continue;
        const double *at = p->batched ? p->data + b * p->len : p->data;
        if (in->fam->params[i].shape == DV_PARAM_SCALAR)
            x->s[i] = *at;
        else
            x->v[i] = at;
    }
}

bool fam_fail(dv_req *r, const dv_error *e, size_t b, const fam_in *p, const fam_in *q)
{
    arg_names an = {{p ? p->name : NULL, q ? q->name : NULL}, {NULL, NULL}, {false, false}};
    dv_error e2 = *e;
    const fam_in *side = e->at.arg == DV_ARG_P ? p : e->at.arg == DV_ARG_Q ? q : NULL;
    bool prefixed = false;
    if (side && side->rows > 0 && e->at.member) {
        for (size_t i = 0; i < side->fam->nparams; i++)
            if (strcmp(side->fam->params[i].name, e->at.member) == 0 &&
                side->par[i].batched) {
                e2.at.idx[2] = e->at.idx[1];
                e2.at.idx[1] = e->at.idx[0];
                e2.at.idx[0] = b;
                prefixed = true;
            }
    }
    (void)prefixed;
    if ((p && p->rows > 0) || (q && q->rows > 0))
        snprintf(e2.msg, sizeof e2.msg, "row %zu: %.230s", b, e->msg);
    return fail_core(r, &e2, &an);
}
