/*
 * cases.c — the data side of the suite: load the case tables written by
 * tests/data/gen/gen_reference_http.py, build request bodies from them, and compare responses
 * with the expected members (exact member set; numbers within the case's tolerance;
 * "Infinity" strings; {"$contains": s} and {"$any": true} matchers).
 */
#include "harness.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glob.h>

json_t *dv_load_table(const char *file, const char *key, json_t **root)
{
    char path[1024];
    json_error_t err;
    *root = json_load_file(dv_data_path(file, path, sizeof path), 0, &err);
    if (!*root) {
        fprintf(stderr, "integration: cannot load %s: %s (line %d)\n", path, err.text,
                err.line);
        return NULL;
    }
    json_t *arr = json_object_get(*root, key);
    if (!json_is_array(arr) || json_array_size(arr) == 0) {
        fprintf(stderr, "integration: %s has no \"%s\" array\n", path, key);
        json_decref(*root);
        *root = NULL;
        return NULL;
    }
    return arr;
}

/* ------------------------------------------------------------ table groups */
static dv_daemon *g_default; /* the flags of a plain `divergenced` */
static dv_daemon *g_limits;  /* --max-body 4096 --max-elements 100 */

static int table_setup(void **state)
{
    (void)state;
    return dv_start_default_and_limits(&g_default, &g_limits);
}

static int table_teardown(void **state)
{
    (void)state;
    return dv_stop_pair(&g_default, &g_limits);
}

dv_daemon *dv_case_daemon(const json_t *c)
{
    const char *which = json_string_value(json_object_get(c, "daemon"));
    return which && strcmp(which, "limits") == 0 ? g_limits : g_default;
}

void dv_case_request(const json_t *c, dv_resp *r)
{
    size_t len = 0;
    char *body = dv_case_body(c, &len);
    dv_req req = {
        .method = json_string_value(json_object_get(c, "method")),
        .path = json_string_value(json_object_get(c, "path")),
        .body = body,
        .body_len = len,
        .content_type = json_string_value(json_object_get(c, "content_type")),
    };
    if (body && len == 0)
        req.body = "";
    dv_http(dv_case_daemon(c), &req, r);
    free(body);
}

int dv_run_table(const char *file, const char *key, const char *group,
                 void (*run)(void **state))
{
    json_t *root = NULL;
    json_t *cases = dv_load_table(file, key, &root);
    if (!cases)
        return 1;
    size_t n = json_array_size(cases);
    struct CMUnitTest *tests = calloc(n, sizeof *tests);
    if (!tests) {
        json_decref(root);
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *c = json_array_get(cases, i);
        tests[i].name = json_string_value(json_object_get(c, "name"));
        tests[i].test_func = run;
        tests[i].initial_state = c;
    }
    int failed = _cmocka_run_group_tests(group, tests, n, table_setup, table_teardown);
    free(tests);
    json_decref(root);
    return failed;
}

int dv_run_tables(const char *file, const char *key, const char *group,
                  void (*run)(void **state))
{
    char label[512];
    snprintf(label, sizeof label, "%s (tests/data/%s)", group, file);
    int failed = dv_run_table(file, key, label, run);
    /* Route-specific tables beside it: http_cases.json → http_cases.*.json. */
    char dir[1024], pattern[1200];
    dv_data_path("", dir, sizeof dir);
    const char *dot = strrchr(file, '.');
    snprintf(pattern, sizeof pattern, "%s/%.*s.*%s", dir, (int)(dot - file), file, dot);
    glob_t g;
    if (glob(pattern, 0, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; i++) {
            const char *name = strrchr(g.gl_pathv[i], '/') + 1;
            snprintf(label, sizeof label, "%s (tests/data/%s)", group, name);
            failed += dv_run_table(name, key, label, run);
        }
        globfree(&g);
    }
    return failed;
}

/* ------------------------------------------------------------------ bodies */
typedef struct sbuf {
    char *p;
    size_t n, cap;
    bool oom;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 1024;
        while (nc < b->n + n + 1)
            nc *= 2;
        char *np = realloc(b->p, nc);
        if (!np) {
            b->oom = true;
            return;
        }
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_str(sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* {"n": N, "arrays": {"p": cycle, ...}} + the other members of "body". */
static void gen_body(sbuf *b, const json_t *gen, const json_t *body)
{
    json_int_t n = json_integer_value(json_object_get(gen, "n"));
    json_t *arrays = json_object_get(gen, "arrays");
    const char *key;
    json_t *cycle;
    bool first = true;
    sb_str(b, "{");
    json_object_foreach(arrays, key, cycle) {
        size_t len = json_array_size(cycle);
        char **items = calloc(len ? len : 1, sizeof *items);
        for (size_t i = 0; i < len && items; i++)
            items[i] = json_dumps(json_array_get(cycle, i),
                                  JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
        if (!first)
            sb_str(b, ",");
        first = false;
        sb_str(b, "\"");
        sb_str(b, key);
        sb_str(b, "\":[");
        for (json_int_t i = 0; i < n && items && len; i++) {
            if (i)
                sb_str(b, ",");
            sb_str(b, items[(size_t)i % len]);
        }
        sb_str(b, "]");
        for (size_t i = 0; i < len && items; i++)
            free(items[i]);
        free(items);
    }
    json_t *v;
    json_object_foreach((json_t *)(uintptr_t)body, key, v) {
        json_t *ks = json_string(key);
        char *kj = ks ? json_dumps(ks, JSON_ENCODE_ANY) : NULL;
        json_decref(ks);
        char *vj = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(17));
        if (!first)
            sb_str(b, ",");
        first = false;
        sb_str(b, kj ? kj : "\"\"");
        sb_str(b, ":");
        sb_str(b, vj ? vj : "null");
        free(kj);
        free(vj);
    }
    sb_str(b, "}");
}

char *dv_case_body(const json_t *c, size_t *len)
{
    sbuf b = {0};
    json_t *raw = json_object_get(c, "raw");
    json_t *hex = json_object_get(c, "raw_hex");
    json_t *rgen = json_object_get(c, "raw_gen");
    json_t *body = json_object_get(c, "body");
    json_t *gen = json_object_get(c, "gen");
    if (json_is_string(raw)) {
        sb_add(&b, json_string_value(raw), json_string_length(raw));
    } else if (json_is_string(hex)) {
        const char *h = json_string_value(hex);
        for (size_t i = 0; h[i] && h[i + 1]; i += 2) {
            char ch = (char)(hexval(h[i]) * 16 + hexval(h[i + 1]));
            sb_add(&b, &ch, 1);
        }
    } else if (json_is_array(rgen)) {
        size_t i;
        json_t *part;
        json_array_foreach(rgen, i, part) {
            json_t *t = json_array_get(part, 0);
            json_int_t k = json_integer_value(json_array_get(part, 1));
            for (json_int_t r = 0; r < k; r++)
                sb_add(&b, json_string_value(t), json_string_length(t));
        }
    } else if (gen) {
        gen_body(&b, gen, body);
    } else if (body) {
        char *s = json_dumps(body, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(17));
        if (s)
            sb_str(&b, s);
        free(s);
    } else {
        return NULL;
    }
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    if (!b.p)
        b.p = calloc(1, 1);
    *len = b.n;
    return b.p;
}

/* ------------------------------------------------------------------ matching */
typedef struct errs {
    char *buf;
    size_t cap, len;
    int n;
} errs;

__attribute__((format(printf, 2, 3))) static void err(errs *e, const char *fmt, ...)
{
    e->n++;
    if (e->len + 2 >= e->cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(e->buf + e->len, e->cap - e->len, fmt, ap);
    va_end(ap);
    if (w > 0)
        e->len += (size_t)w;
    if (e->len >= e->cap)
        e->len = e->cap - 1;
    if (e->len + 2 < e->cap) {
        e->buf[e->len++] = ';';
        e->buf[e->len++] = ' ';
        e->buf[e->len] = '\0';
    }
}

typedef struct tol {
    double rtol, atol;
} tol;

static bool is_zero(double x) { return !(x < 0) && !(x > 0); }

static bool close_enough(double got, double want, tol t)
{
    if (isnan(got) || isinf(got))
        return false;
    if (is_zero(want) && is_zero(t.atol))
        return is_zero(got);
    double d = fabs(got - want);
    double lim = fmax(t.rtol * fabs(want), t.atol);
    return d <= lim;
}

static void match(errs *e, const char *where, const json_t *want, const json_t *got, tol t,
                  bool lenient_int)
{
    char sub[512];
    if (!got) {
        err(e, "%s missing", where);
        return;
    }
    if (json_is_object(want)) {
        json_t *contains = json_object_get(want, "$contains");
        if (contains) {
            const char *g = json_string_value(got);
            if (!g || !strstr(g, json_string_value(contains)))
                err(e, "%s = %s, want a string containing \"%s\"", where,
                    g ? g : "(not a string)", json_string_value(contains));
            return;
        }
        if (json_object_get(want, "$any"))
            return;
        if (!json_is_object(got)) {
            err(e, "%s is not an object", where);
            return;
        }
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)(uintptr_t)want, k, v) {
            snprintf(sub, sizeof sub, "%s.%s", where, k);
            match(e, sub, v, json_object_get(got, k), t, false);
        }
        json_object_foreach((json_t *)(uintptr_t)got, k, v) {
            if (!json_object_get(want, k))
                err(e, "%s has unexpected member \"%s\"", where, k);
        }
        /* Labelled terms / support follow the documented order: check it. */
        void *iw = json_object_iter((json_t *)(uintptr_t)want);
        void *ig = json_object_iter((json_t *)(uintptr_t)got);
        while (iw && ig) {
            if (strcmp(json_object_iter_key(iw), json_object_iter_key(ig)) != 0) {
                err(e, "%s: member order %s where %s was expected", where,
                    json_object_iter_key(ig), json_object_iter_key(iw));
                break;
            }
            iw = json_object_iter_next((json_t *)(uintptr_t)want, iw);
            ig = json_object_iter_next((json_t *)(uintptr_t)got, ig);
        }
        return;
    }
    if (json_is_array(want)) {
        if (!json_is_array(got) || json_array_size(got) != json_array_size(want)) {
            err(e, "%s: want an array of %zu, got %s", where, json_array_size(want),
                json_is_array(got) ? "an array of another length" : "no array");
            return;
        }
        for (size_t i = 0; i < json_array_size(want); i++) {
            snprintf(sub, sizeof sub, "%s[%zu]", where, i);
            match(e, sub, json_array_get(want, i), json_array_get(got, i), t, lenient_int);
        }
        return;
    }
    if (json_is_string(want)) {
        const char *g = json_string_value(got);
        if (!g || strcmp(g, json_string_value(want)) != 0) {
            char *gs = json_dumps(got, JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
            err(e, "%s = %s, want \"%s\"", where, gs ? gs : "?", json_string_value(want));
            free(gs);
        }
        return;
    }
    if (json_is_integer(want)) {
        if (json_is_integer(got)) {
            if (json_integer_value(got) != json_integer_value(want))
                err(e, "%s = %lld, want %lld", where, (long long)json_integer_value(got),
                    (long long)json_integer_value(want));
        } else if (lenient_int && json_is_real(got) &&
                   is_zero(json_real_value(got) - (double)json_integer_value(want))) {
            /* base echoed as 2.0 for 2: numerically the same, accepted. */
        } else {
            char *gs = json_dumps(got, JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
            err(e, "%s = %s, want the integer %lld", where, gs ? gs : "?",
                (long long)json_integer_value(want));
            free(gs);
        }
        return;
    }
    if (json_is_real(want)) {
        if (!json_is_number(got)) {
            char *gs = json_dumps(got, JSON_ENCODE_ANY);
            err(e, "%s = %s, want the number %.17g", where, gs ? gs : "?",
                json_real_value(want));
            free(gs);
            return;
        }
        double g = json_number_value(got), w = json_real_value(want);
        if (!close_enough(g, w, t))
            err(e, "%s = %.17g, want %.17g (rel err %.3g, rtol %.3g, atol %.3g)", where, g, w,
                is_zero(w) ? fabs(g) : fabs(g - w) / fabs(w), t.rtol, t.atol);
        return;
    }
    if (!json_equal((json_t *)(uintptr_t)want, (json_t *)(uintptr_t)got))
        err(e, "%s differs from the expected literal", where);
}

static double num_or(const json_t *j, double dflt)
{
    return json_is_number(j) ? json_number_value(j) : dflt;
}

static void check_terms(errs *e, const json_t *c, const json_t *resp)
{
    const char *member = json_string_value(json_object_get(c, "check_terms"));
    if (!member)
        return;
    json_t *terms = json_object_get(resp, "terms");
    json_t *val = json_object_get(resp, member);
    if (!terms || !json_is_number(val))
        return; /* already reported by match() */
    double sum = 0, abs_sum = 0;
    size_t n = 0;
    if (json_is_array(terms)) {
        size_t i;
        json_t *t;
        json_array_foreach(terms, i, t) {
            sum += json_number_value(t);
            abs_sum += fabs(json_number_value(t));
            n++;
        }
    } else {
        const char *k;
        json_t *t;
        json_object_foreach(terms, k, t) {
            sum += json_number_value(t);
            abs_sum += fabs(json_number_value(t));
            n++;
        }
    }
    double v = json_number_value(val);
    double lim = 1e-12 * fmax(abs_sum, fabs(v)) + num_or(json_object_get(c, "atol"), 0) +
                 4.0 * (double)n * 2.2e-16 * abs_sum;
    if (fabs(sum - v) > lim)
        err(e, "terms sum to %.17g but %s is %.17g", sum, member, v);
}

const char *dv_case_check(const json_t *c, const dv_resp *r, char *buf, size_t cap)
{
    errs e = {buf, cap, 0, 0};
    buf[0] = '\0';
    long want_status = (long)json_integer_value(json_object_get(c, "status"));
    if (r->status != want_status) {
        snprintf(buf, cap, "status %ld, want %ld; body: %.600s%s", r->status, want_status,
                 r->body ? r->body : "", r->status ? "" : r->error);
        return buf;
    }
    const char *ct = r->content_type;
    if (!ct || strncmp(ct, "application/json", 16) != 0 || (ct[16] && ct[16] != ';'))
        err(&e, "Content-Type %s, want application/json", ct ? ct : "(none)");
    if (!dv_header(r, "Access-Control-Allow-Origin"))
        err(&e, "no Access-Control-Allow-Origin header");
    if (!dv_header(r, "X-Request-Id"))
        err(&e, "no X-Request-Id header");
    if (!json_is_object(r->json)) {
        err(&e, "body is not a JSON object: %.300s", r->body ? r->body : "");
        return buf;
    }
    tol dflt = {num_or(json_object_get(c, "rtol"), 1e-12), num_or(json_object_get(c, "atol"), 0)};
    json_t *overrides = json_object_get(c, "tol");
    json_t *expect = json_object_get(c, "expect");
    const char *k;
    json_t *v;
    json_object_foreach(expect, k, v) {
        tol t = dflt;
        json_t *o = json_object_get(overrides, k);
        if (o) {
            t.rtol = num_or(json_object_get(o, "rtol"), t.rtol);
            t.atol = num_or(json_object_get(o, "atol"), t.atol);
        }
        match(&e, k, v, json_object_get(r->json, k), t, strcmp(k, "base") == 0);
    }
    json_object_foreach(r->json, k, v) {
        if (!json_object_get(expect, k)) {
            char *vs = json_dumps(v, JSON_ENCODE_ANY);
            err(&e, "unexpected member \"%s\": %.80s", k, vs ? vs : "?");
            free(vs);
        }
    }
    check_terms(&e, c, r->json);
    return e.n ? buf : NULL;
}
