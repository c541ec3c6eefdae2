/*
 * decode.c — request body decoding (see decode.h).
 *
 * Before jansson sees the body, one byte scan rejects nesting deeper than DV_MAX_DEPTH
 * (so nothing recurses on hostile input) and counts number tokens against
 * --max-elements (so a 64 MiB body of "0,0,0,…" never becomes tens of millions of tree
 * nodes).
 */
#include "decode.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct scan {
    size_t numbers;
    size_t line, column; /* where the depth limit was crossed */
    bool too_deep;
} scan;

static scan prescan(const char *b, size_t n)
{
    scan s = {0, 1, 1, false};
    size_t line = 1, col = 0;
    int depth = 0;
    bool in_str = false, esc = false, in_num = false;
    for (size_t i = 0; i < n; i++) {
        char c = b[i];
        col++;
        if (c == '\n') {
            line++;
            col = 0;
        }
        if (in_str) {
            if (esc)
                esc = false;
            else if (c == '\\')
                esc = true;
            else if (c == '"')
                in_str = false;
            continue;
        }
        bool numch = (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' ||
                     c == 'e' || c == 'E';
        if (!in_num && ((c >= '0' && c <= '9') || c == '-')) {
            s.numbers++;
            in_num = true;
        } else if (!numch) {
            in_num = false;
        }
        if (c == '"') {
            in_str = true;
        } else if (c == '[' || c == '{') {
            if (++depth > DV_MAX_DEPTH) {
                s.too_deep = true;
                s.line = line;
                s.column = col;
                return s;
            }
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return s;
}

/*
 * The JSON Pointer of the last scalar that starts before byte `offset` (jansson reports
 * where a number overflowed, not which member it was). Walks the text with a minimal
 * tokenizer; used only on that error path. Member names are taken as written.
 */
static void pointer_at(const char *b, size_t n, size_t offset, char *out, size_t size)
{
    struct frame {
        bool obj;
        size_t index;
        const char *key;
        size_t key_len;
    } st[DV_MAX_DEPTH + 1];
    int depth = 0;
    bool expect_key = false;
    out[0] = '\0';
    for (size_t i = 0; i < n && i < offset; i++) {
        char c = b[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ':')
            continue;
        if (c == '{' || c == '[') {
            if (depth > DV_MAX_DEPTH)
                return;
            st[depth++] = (struct frame){c == '{', 0, NULL, 0};
            expect_key = c == '{';
        } else if (c == '}' || c == ']') {
            depth -= depth > 0;
        } else if (c == ',') {
            if (depth > 0 && !st[depth - 1].obj)
                st[depth - 1].index++;
            expect_key = depth > 0 && st[depth - 1].obj;
        } else {
            size_t start = i;
            if (c == '"') {
                for (i++; i < n && b[i] != '"'; i++)
                    i += b[i] == '\\';
                if (expect_key && depth > 0) {
                    st[depth - 1].key = b + start + 1;
                    st[depth - 1].key_len = i - start - 1;
                    expect_key = false;
                    continue;
                }
            } else {
                while (i + 1 < n && !strchr(",]} \t\r\n", b[i + 1]))
                    i++;
            }
            size_t o = 0;
            out[0] = '\0';
            for (int d = 0; d < depth && o + 1 < size; d++) {
                char seg[256];
                if (st[d].obj)
                    ptr_member(seg, sizeof seg, "", st[d].key ? st[d].key : "",
                               st[d].key_len);
                else
                    ptr_index(seg, sizeof seg, "", st[d].index);
                int w = snprintf(out + o, size - o, "%s", seg);
                if (w < 0 || (size_t)w >= size - o)
                    break;
                o += (size_t)w;
            }
        }
    }
}

static void release_json(void *p)
{
    json_decref(p);
}

bool body_parse(dv_req *r)
{
    scan s = prescan(r->body ? r->body : "", r->body_len);
    if (s.too_deep)
        return req_fail(r, E_MALFORMED_JSON, NULL,
                        "the body nests arrays/objects deeper than %d levels (line %zu, "
                        "column %zu); flatten the input",
                        DV_MAX_DEPTH, s.line, s.column);
    if (s.numbers > r->cfg->max_elements)
        return req_fail(r, E_PAYLOAD_TOO_LARGE, NULL,
                        "the body holds %zu numbers; this server accepts at most %zu per "
                        "request (--max-elements)",
                        s.numbers, r->cfg->max_elements);
    json_error_t e;
    json_t *root = json_loadb(r->body ? r->body : "", r->body_len,
                              JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL |
                                  JSON_ALLOW_NUL,
                              &e);
    if (!root) {
        if (strstr(e.text, "overflow")) {
            char ptr[256];
            pointer_at(r->body, r->body_len, (size_t)e.position, ptr, sizeof ptr);
            return req_fail(r, E_NON_FINITE, ptr[0] ? ptr : NULL,
                            "the number at line %d, column %d does not fit in a double "
                            "(its magnitude is above 1.8e308); send a finite value",
                            e.line, e.column);
        }
        if (json_error_code(&e) == json_error_out_of_memory)
            return req_fail(r, E_OUT_OF_MEMORY, NULL, "out of memory while parsing JSON");
        return req_fail(r, E_MALFORMED_JSON, NULL,
                        "the body is not valid JSON: %s at line %d, column %d", e.text,
                        e.line, e.column);
    }
    if (!req_defer(r, release_json, root)) {
        json_decref(root);
        return false;
    }
    r->json = root;
    if (!json_is_object(root))
        return req_fail(r, E_MALFORMED_JSON, NULL,
                        "the body is %s; it must be a JSON object like {\"p\": [...]}",
                        json_kind(root));
    return true;
}

json_t *body_member(dv_req *r, const char *name)
{
    return r->json ? json_object_get(r->json, name) : NULL;
}

bool body_only(dv_req *r, const char *const *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)r->json, key, v) {
        bool ok = false;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = strcmp(*a, key) == 0;
        if (!ok) {
            char ptr[256];
            ptr_member(ptr, sizeof ptr, "", key, strlen(key));
            char list[512] = "";
            size_t used = 0;
            for (const char *const *a = allowed; *a; a++) {
                int n = snprintf(list + used, sizeof list - used, "%s%s",
                                 used ? ", " : "", *a);
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

const char *json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "a value";
}

bool get_bool(dv_req *r, const char *name, bool dflt, bool *out)
{
    json_t *v = body_member(r, name);
    *out = dflt;
    if (!v)
        return true;
    char ptr[128];
    snprintf(ptr, sizeof ptr, "/%s", name);
    if (!json_is_boolean(v))
        return req_fail(r, E_WRONG_TYPE, ptr, "%s is %s; it must be true or false", name,
                        json_kind(v));
    *out = json_is_true(v);
    return true;
}

bool get_number(dv_req *r, const char *name, double *out, bool *present)
{
    json_t *v = body_member(r, name);
    *present = v != NULL;
    if (!v)
        return true;
    char ptr[128];
    snprintf(ptr, sizeof ptr, "/%s", name);
    if (!json_is_number(v))
        return req_fail(r, E_WRONG_TYPE, ptr, "%s is %s; it must be a number", name,
                        json_kind(v));
    *out = json_number_value(v);
    return true;
}

bool get_opts(dv_req *r, opts *o)
{
    memset(o, 0, sizeof *o);
    o->base = dv_base_natural();
    o->temperature = 1.0;
    json_t *b = body_member(r, "base");
    if (b) {
        if (json_is_string(b)) {
            if (strcmp(json_string_value(b), "e") != 0)
                return req_fail(r, E_INVALID_PARAMETER, "/base",
                                "base is \"%.40s\"; use a number > 0 and != 1, or \"e\"",
                                json_string_value(b));
        } else if (json_is_number(b)) {
            dv_error err;
            if (dv_base_from(json_number_value(b), &o->base, &err) != DV_OK)
                return req_fail(r, E_INVALID_PARAMETER, "/base", "%s", err.msg);
        } else {
            return req_fail(r, E_WRONG_TYPE, "/base",
                            "base is %s; use a number > 0 and != 1, or \"e\"",
                            json_kind(b));
        }
        o->base_json = b;
    }
    if (!get_bool(r, "normalize", false, &o->normalize) ||
        !get_bool(r, "terms", false, &o->terms) ||
        !get_number(r, "temperature", &o->temperature, &o->has_temperature))
        return false;
    if (o->has_temperature && !(isfinite(o->temperature) && o->temperature > 0))
        return req_fail(r, E_INVALID_PARAMETER, "/temperature",
                        "temperature is %g; it must be a finite number > 0", o->temperature);
    return true;
}

const char *ptr_index(char *buf, size_t size, const char *base, size_t i)
{
    if (snprintf(buf, size, "%s/%zu", base, i) >= (int)size)
        buf[size - 1] = '\0'; /* truncated pointers stay strings */
    return buf;
}

const char *ptr_member(char *buf, size_t size, const char *base, const char *name,
                       size_t len)
{
    size_t o = (size_t)snprintf(buf, size, "%s/", base);
    for (size_t i = 0; i < len && o + 3 < size; i++) {
        if (name[i] == '~') {
            buf[o++] = '~';
            buf[o++] = '0';
        } else if (name[i] == '/') {
            buf[o++] = '~';
            buf[o++] = '1';
        } else if (name[i] != '\0') {
            buf[o++] = name[i];
        }
    }
    if (o < size)
        buf[o] = '\0';
    return buf;
}

bool get_vector(dv_req *r, json_t *v, const char *ptr, double **out, size_t *n)
{
    if (!json_is_array(v))
        return req_fail(r, E_WRONG_TYPE, ptr, "%s is %s; it must be an array of numbers",
                        ptr, json_kind(v));
    size_t len = json_array_size(v);
    double *x = req_alloc(r, len ? len : 1, sizeof *x);
    if (!x)
        return false;
    for (size_t i = 0; i < len; i++) {
        json_t *e = json_array_get(v, i);
        if (!json_is_number(e)) {
            char p[256];
            return req_fail(r, E_WRONG_TYPE, ptr_index(p, sizeof p, ptr, i),
                            "%s[%zu] is %s; it must be a number", ptr + 1, i, json_kind(e));
        }
        x[i] = json_number_value(e);
    }
    *out = x;
    *n = len;
    return true;
}

bool get_matrix(dv_req *r, json_t *v, const char *ptr, double **out, size_t *rows,
                size_t *cols)
{
    if (!json_is_array(v))
        return req_fail(r, E_WRONG_TYPE, ptr,
                        "%s is %s; it must be an array of rows (arrays of numbers)", ptr,
                        json_kind(v));
    size_t nr = json_array_size(v);
    if (nr == 0)
        return req_fail(r, E_EMPTY, ptr, "%s has no rows", ptr + 1);
    json_t *first = json_array_get(v, 0);
    if (!json_is_array(first)) {
        char p[256];
        return req_fail(r, E_WRONG_TYPE, ptr_index(p, sizeof p, ptr, 0),
                        "%s[0] is %s; each row must be an array of numbers", ptr + 1,
                        json_kind(first));
    }
    size_t nc = json_array_size(first);
    if (nc == 0) {
        char p[256];
        return req_fail(r, E_EMPTY, ptr_index(p, sizeof p, ptr, 0), "%s[0] is empty",
                        ptr + 1);
    }
    double *x = req_alloc(r, nr, nc * sizeof *x);
    if (nc > SIZE_MAX / sizeof *x || !x)
        return false;
    for (size_t i = 0; i < nr; i++) {
        json_t *row = json_array_get(v, i);
        char p[256];
        ptr_index(p, sizeof p, ptr, i);
        if (!json_is_array(row))
            return req_fail(r, E_WRONG_TYPE, p,
                            "%s[%zu] is %s; each row must be an array of numbers", ptr + 1,
                            i, json_kind(row));
        if (json_array_size(row) != nc)
            return req_fail(r, E_SHAPE_MISMATCH, p,
                            "%s[%zu] has %zu entries but %s[0] has %zu; all rows need the "
                            "same length",
                            ptr + 1, i, json_array_size(row), ptr + 1, nc);
        for (size_t j = 0; j < nc; j++) {
            json_t *e = json_array_get(row, j);
            if (!json_is_number(e)) {
                char q[256];
                return req_fail(r, E_WRONG_TYPE, ptr_index(q, sizeof q, p, j),
                                "%s[%zu][%zu] is %s; it must be a number", ptr + 1, i, j,
                                json_kind(e));
            }
            x[i * nc + j] = json_number_value(e);
        }
    }
    *out = x;
    *rows = nr;
    *cols = nc;
    return true;
}
