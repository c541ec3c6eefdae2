/*
 * read.c — the typed view of a decoded request body (see read.h). The decoding itself,
 * limits and error precedence included, is src/json/decoder.c.
 */
#include "read.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const jv *body_member(dv_req *r, const char *name)
{
    return jv_get(r->json, name);
}

bool body_only(dv_req *r, const char *const *allowed)
{
    const jv *body = r->json;
    for (size_t m = 0; body && m < body->n; m++) {
        const char *key = body->u.members[m].key;
        bool ok = false;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = strcmp(*a, key) == 0;
        if (!ok) {
            char ptr[256];
            ptr_member(ptr, sizeof ptr, "", key, strlen(key));
            char list[512] = "";
            size_t used = 0;
            for (const char *const *a = allowed; *a; a++) {
                int n =
                    snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "", *a);
                if (n < 0 || (size_t)n >= sizeof list - used)
                    break;
                used += (size_t)n;
            }
            return req_fail(r, E_UNKNOWN_MEMBER, ptr,
                            "unknown member \"%.100s\"; this route accepts: %s", key, list);
        }
    }
    return true;
}

const char *json_kind(const jv *v)
{
    return jv_kind_name(v);
}

bool get_bool(dv_req *r, const char *name, bool dflt, bool *out)
{
    const jv *v = body_member(r, name);
    *out = dflt;
    if (!v)
        return true;
    if (!jv_is_bool(v)) {
        char ptr[128];
        return req_fail(r, E_WRONG_TYPE,
                        ptr_member(ptr, sizeof ptr, "", name, strlen(name)),
                        "%s is %s; it must be true or false", name, json_kind(v));
    }
    *out = v->kind == JV_TRUE;
    return true;
}

bool get_number(dv_req *r, const char *name, double *out, bool *present)
{
    const jv *v = body_member(r, name);
    *present = v != NULL;
    if (!v)
        return true;
    if (!jv_is_number(v)) {
        char ptr[128];
        return req_fail(r, E_WRONG_TYPE,
                        ptr_member(ptr, sizeof ptr, "", name, strlen(name)),
                        "%s is %s; it must be a number", name, json_kind(v));
    }
    *out = v->u.num;
    return true;
}

bool get_opts(dv_req *r, opts *o)
{
    memset(o, 0, sizeof *o);
    o->base = dv_base_natural();
    o->temperature = 1.0;
    const jv *b = body_member(r, "base");
    if (b) {
        if (jv_is_string(b)) {
            if (strcmp(b->u.str, "e") != 0)
                return req_fail(r, E_INVALID_PARAMETER, "/base",
                                "base is \"%.40s\"; use a number > 0 and != 1, or \"e\"",
                                b->u.str);
        } else if (jv_is_number(b)) {
            dv_error err;
            if (dv_base_from(b->u.num, &o->base, &err) != DV_OK)
                return req_fail(r, E_INVALID_PARAMETER, "/base", "%s", err.msg);
        } else {
            return req_fail(r, E_WRONG_TYPE, "/base",
                            "base is %s; use a number > 0 and != 1, or \"e\"",
                            json_kind(b));
        }
    }
    if (!get_bool(r, "normalize", false, &o->normalize) ||
        !get_bool(r, "terms", false, &o->terms) ||
        !get_number(r, "temperature", &o->temperature, &o->has_temperature))
        return false;
    if (o->has_temperature && !(isfinite(o->temperature) && o->temperature > 0))
        return req_fail(r, E_INVALID_PARAMETER, "/temperature",
                        "temperature is %g; it must be a finite number > 0",
                        o->temperature);
    return true;
}

bool get_vector(dv_req *r, const jv *v, const char *ptr, double **out, size_t *n)
{
    if (!jv_is_array(v))
        return req_fail(r, E_WRONG_TYPE, ptr, "%s is %s; it must be an array of numbers",
                        ptr, json_kind(v));
    if (!v->numeric) {
        for (size_t i = 0; i < v->n; i++) {
            const jv *e = &v->u.items[i];
            if (!jv_is_number(e)) {
                char p[256];
                return req_fail(r, E_WRONG_TYPE, ptr_index(p, sizeof p, ptr, i),
                                "%s[%zu] is %s; it must be a number", ptr + 1, i,
                                json_kind(e));
            }
        }
    }
    if (v->numeric && v->n > 0) {
        *out = v->u.nums; /* no copy: the array is the request's own */
    } else {
        double *x = req_alloc(r, v->n ? v->n : 1, sizeof *x);
        if (!x)
            return false;
        for (size_t i = 0; i < v->n; i++)
            x[i] = v->u.items[i].u.num;
        *out = x;
    }
    *n = v->n;
    return true;
}

/* Row i of a matrix: an array of exactly nc numbers, copied to x. */
static bool matrix_row(dv_req *r, const jv *row, const char *ptr, size_t i, size_t nc,
                       double *x)
{
    char p[256];
    ptr_index(p, sizeof p, ptr, i);
    if (!jv_is_array(row))
        return req_fail(r, E_WRONG_TYPE, p,
                        "%s[%zu] is %s; each row must be an array of numbers", ptr + 1, i,
                        json_kind(row));
    if (row->n != nc)
        return req_fail(r, E_SHAPE_MISMATCH, p,
                        "%s[%zu] has %zu entries but %s[0] has %zu; all rows need the "
                        "same length",
                        ptr + 1, i, row->n, ptr + 1, nc);
    if (row->numeric) {
        memcpy(x, row->u.nums, nc * sizeof *x);
        return true;
    }
    for (size_t j = 0; j < nc; j++) {
        const jv *e = &row->u.items[j];
        if (!jv_is_number(e)) {
            char q[256];
            return req_fail(r, E_WRONG_TYPE, ptr_index(q, sizeof q, p, j),
                            "%s[%zu][%zu] is %s; it must be a number", ptr + 1, i, j,
                            json_kind(e));
        }
        x[j] = e->u.num;
    }
    return true;
}

bool get_matrix(dv_req *r, const jv *v, const char *ptr, double **out, size_t *rows,
                size_t *cols)
{
    if (!jv_is_array(v))
        return req_fail(r, E_WRONG_TYPE, ptr,
                        "%s is %s; it must be an array of rows (arrays of numbers)", ptr,
                        json_kind(v));
    size_t nr = v->n;
    if (nr == 0)
        return req_fail(r, E_EMPTY, ptr, "%s has no rows", ptr + 1);
    jv tmp;
    const jv *first = jv_at(v, 0, &tmp);
    if (!jv_is_array(first)) {
        char p[256];
        return req_fail(r, E_WRONG_TYPE, ptr_index(p, sizeof p, ptr, 0),
                        "%s[0] is %s; each row must be an array of numbers", ptr + 1,
                        json_kind(first));
    }
    size_t nc = first->n;
    if (nc == 0) {
        char p[256];
        return req_fail(r, E_EMPTY, ptr_index(p, sizeof p, ptr, 0), "%s[0] is empty",
                        ptr + 1);
    }
    /* v is not numeric here (its first element is an array) */
    if (nc > SIZE_MAX / sizeof(double))
        return req_fail(r, E_OUT_OF_MEMORY, NULL, "the matrix %s is too large", ptr + 1);
    double *x = req_alloc(r, nr, nc * sizeof *x);
    if (!x)
        return false;
    for (size_t i = 0; i < nr; i++)
        if (!matrix_row(r, &v->u.items[i], ptr, i, nc, x + i * nc))
            return false;
    *out = x;
    *rows = nr;
    *cols = nc;
    return true;
}
