/*
 * form.c — multipart/form-data bodies into request objects (see form.h).
 *
 * The parts fill a small tree of named nodes (one per pointer segment) while the body
 * streams through src/util/multipart.c; each part's value is decoded by src/util/npy.c
 * (arrays) or a JSON decoder of its own (src/json/decoder.c); at the end the tree becomes
 * jv objects with exactly sized member arrays, all in the request's arena.
 */
#include "form.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "multipart.h"
#include "npy.h"
#include "pointer.h"
#include "request.h"

enum { MAX_SEGMENTS = 4, TEXT_KEEP = 1024 };

/* A member of the object being assembled: an object of further nodes, or a value. */
typedef struct fnode {
    const char *name;
    size_t len;
    bool object;
    bool given; /* a part has set it (a value, or an object made by its own part) */
    jv val;
    struct fnode *kids, *last, *next;
    size_t nkids;
} fnode;

typedef enum pkind { P_NPY, P_RAW, P_JSON } pkind;

struct form {
    arena *mem;
    size_t max_elements, numbers;
    dv_mp_parser *mp;
    bool failed;
    form_error err;
    fnode root;

    /* the part being read */
    pkind kind;
    char ptr[256];
    fnode *target;
    dv_npy npy;
    bool npy_ready;
    double *out;
    dv_raw_f64 raw;
    double *rbuf;
    size_t rcap;
    jparser *jp;
    char text[TEXT_KEEP];
    size_t text_len;
    bool text_long;
};

bool form_is_type(const char *ct)
{
    return req_media_type_is(ct, "multipart/form-data");
}

/* Records the first problem; returns non-zero so a callback can stop the parser. */
static int fail(form *f, err_code c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(form *f, err_code c, const char *fmt, ...)
{
    if (f->failed)
        return 1;
    f->failed = true;
    f->err.code = c;
    snprintf(f->err.pointer, sizeof f->err.pointer, "%s", f->ptr);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->err.text, sizeof f->err.text, fmt, ap);
    va_end(ap);
    return 1;
}

static int no_memory(form *f)
{
    return fail(f, E_OUT_OF_MEMORY,
                "the server ran out of memory for this request; retry later or send a "
                "smaller input");
}

static fnode *child(form *f, fnode *parent, const char *name, size_t len, bool create)
{
    for (fnode *k = parent->kids; k; k = k->next)
        if (k->len == len && memcmp(k->name, name, len) == 0)
            return k;
    if (!create)
        return NULL;
    fnode *k = arena_calloc(f->mem, 1, sizeof *k);
    char *copy = arena_alloc(f->mem, len + 1);
    if (!k || !copy)
        return NULL;
    memcpy(copy, name, len);
    copy[len] = '\0';
    k->name = copy;
    k->len = len;
    if (parent->last)
        parent->last->next = k;
    else
        parent->kids = k;
    parent->last = k;
    parent->nkids++;
    return k;
}

/* The part's name as a pointer ("p" → "/p"), and the node it sets. */
static int locate(form *f, const dv_mp_part *part)
{
    const char *s = part->name;
    size_t n = part->name_len;
    snprintf(f->ptr, sizeof f->ptr, "%s%.*s", (n && s[0] == '/') ? "" : "/",
             (int)(n > 200 ? 200 : n), s);
    if (n && s[0] == '/') {
        s++;
        n--;
    }
    fnode *at = &f->root;
    for (int depth = 0;; depth++) {
        const char *slash = memchr(s, '/', n);
        size_t seg = slash ? (size_t)(slash - s) : n;
        char name[256];
        size_t len = 0;
        for (size_t i = 0; i < seg && len < sizeof name; i++) { /* RFC 6901 unescaping */
            if (s[i] == '~' && i + 1 < seg && (s[i + 1] == '0' || s[i + 1] == '1')) {
                name[len++] = s[i + 1] == '0' ? '~' : '/';
                i++;
            } else {
                name[len++] = s[i];
            }
        }
        if (len == 0 || depth >= MAX_SEGMENTS)
            return fail(
                f, E_INVALID_INPUT,
                "part %zu is named \"%s\"; a part's name must be a JSON Pointer to a "
                "member, like p or /p/mean",
                part->index + 1, f->ptr);
        if (at->given && !at->object)
            return fail(f, E_INVALID_INPUT,
                        "part %zu sets %s inside a member an earlier part gave as a value",
                        part->index + 1, f->ptr);
        at->object = true;
        fnode *k = child(f, at, name, len, true);
        if (!k)
            return no_memory(f);
        if (!slash) {
            if (k->given || k->kids)
                return fail(f, E_INVALID_INPUT, "%s is given by two parts; send it once",
                            f->ptr);
            f->target = k;
            return 0;
        }
        at = k;
        s = slash + 1;
        n -= seg + 1;
    }
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return s && n >= k && strcasecmp(s + n - k, suffix) == 0;
}

static int part_begin(void *user, const dv_mp_part *part)
{
    form *f = user;
    if (locate(f, part))
        return 1;
    const char *ct = part->content_type;
    if ((ct && strcmp(ct, "application/x-npy") == 0) ||
        ends_with(part->filename, part->filename_len, ".npy")) {
        f->kind = P_NPY;
        dv_npy_init(&f->npy);
        f->npy_ready = false;
        f->out = NULL;
    } else if (ct && strcmp(ct, "application/octet-stream") == 0) {
        f->kind = P_RAW;
        dv_raw_f64_init(&f->raw);
        f->rbuf = NULL;
        f->rcap = 0;
    } else {
        f->kind = P_JSON;
        f->text_len = 0;
        f->text_long = false;
        f->jp = jp_new(f->mem, f->max_elements - f->numbers);
        if (!f->jp)
            return no_memory(f);
    }
    return 0;
}

static int too_many(form *f, size_t more)
{
    return fail(f, E_PAYLOAD_TOO_LARGE,
                "%s holds %zu more numbers; this server accepts at most %zu per request "
                "(--max-elements)",
                f->ptr, more, f->max_elements);
}

static int npy_data(form *f, const char *data, size_t len)
{
    while (len > 0) {
        size_t used;
        dv_npy_status st = dv_npy_feed(&f->npy, data, len, &used);
        if (st == DV_NPY_HEADER_READY && !f->npy_ready) {
            const dv_npy_info *in = dv_npy_info_of(&f->npy);
            if (in->count > f->max_elements - f->numbers)
                return too_many(f, in->count);
            f->out = arena_alloc(f->mem, (in->count ? in->count : 1) * sizeof(double));
            if (!f->out)
                return no_memory(f);
            dv_npy_set_output(&f->npy, f->out, in->count);
            f->npy_ready = true;
        } else if (st != DV_NPY_OK && st != DV_NPY_HEADER_READY) {
            return fail(f, E_BAD_ARRAY, "%s is not a usable .npy array: %s", f->ptr,
                        dv_npy_error_of(&f->npy)->text);
        }
        data += used;
        len -= used;
    }
    return 0;
}

static int raw_data(form *f, const char *data, size_t len)
{
    size_t more = dv_raw_f64_pending(&f->raw, len);
    size_t have = (size_t)dv_raw_f64_count(&f->raw);
    if (more > f->max_elements - f->numbers - have)
        return too_many(f, have + more);
    if (have + more > f->rcap) {
        size_t cap = f->rcap ? f->rcap : 1024;
        while (cap < have + more)
            cap *= 2;
        /* Grown in place while it is the arena's newest allocation, else copied. */
        if (!f->rbuf || !arena_extend(f->mem, f->rbuf, f->rcap * sizeof(double),
                                      cap * sizeof(double))) {
            double *nb = arena_alloc(f->mem, cap * sizeof(double));
            if (!nb)
                return no_memory(f);
            if (have)
                memcpy(nb, f->rbuf, have * sizeof(double));
            f->rbuf = nb;
        }
        f->rcap = cap;
    }
    dv_raw_f64_feed(&f->raw, data, len, f->rbuf ? f->rbuf + have : NULL);
    return 0;
}

static int part_data(void *user, const char *data, size_t len)
{
    form *f = user;
    if (f->failed)
        return 1;
    switch (f->kind) {
    case P_NPY: return npy_data(f, data, len);
    case P_RAW: return raw_data(f, data, len);
    case P_JSON:
        if (f->text_len + len <= sizeof f->text) {
            memcpy(f->text + f->text_len, data, len);
            f->text_len += len;
        } else {
            f->text_long = true;
        }
        jp_feed(f->jp, data, len);
        return 0;
    }
    return 0;
}

/* An array of n numbers at x, or of n booleans. */
static int set_vector(form *f, jv *v, double *x, size_t n, bool boolean)
{
    *v = (jv){.kind = JV_ARRAY, .n = n};
    if (!boolean) {
        v->numeric = true;
        v->u.nums = n ? x : NULL;
        return 0;
    }
    jv *items = arena_alloc(f->mem, (n ? n : 1) * sizeof *items);
    if (!items)
        return no_memory(f);
    for (size_t i = 0; i < n; i++)
        items[i] = (jv){.kind = x[i] > 0.5 ? JV_TRUE : JV_FALSE}; /* 0.0 or 1.0 */
    v->u.items = items;
    return 0;
}

static int npy_end(form *f)
{
    dv_npy_status st = f->npy_ready ? dv_npy_finish(&f->npy) : DV_NPY_TRUNCATED;
    if (st != DV_NPY_OK)
        return fail(f, E_BAD_ARRAY, "%s is not a usable .npy array: %s", f->ptr,
                    f->npy_ready || dv_npy_error_of(&f->npy)->kind != DV_NPY_OK
                        ? dv_npy_error_of(&f->npy)->text
                        : "the part ends inside the file's header");
    const dv_npy_info *in = dv_npy_info_of(&f->npy);
    bool boolean = in->type == DV_NPY_BOOL;
    jv *v = &f->target->val;
    f->numbers += in->count;
    if (in->ndim == 0) {
        *v = boolean ? (jv){.kind = f->out[0] > 0.5 ? JV_TRUE : JV_FALSE}
                     : (jv){.kind = JV_NUMBER, .u.num = f->out[0]};
        return 0;
    }
    if (in->ndim == 1)
        return set_vector(f, v, f->out, in->count, boolean);
    size_t rows = in->shape[0], cols = in->shape[1];
    jv *items = arena_alloc(f->mem, (rows ? rows : 1) * sizeof *items);
    if (!items)
        return no_memory(f);
    for (size_t r = 0; r < rows; r++) /* rows alias the one array: no copy */
        if (set_vector(f, &items[r], f->out + r * cols, cols, boolean))
            return 1;
    *v = (jv){.kind = JV_ARRAY, .n = rows, .u.items = items};
    return 0;
}

static int json_end(form *f)
{
    const jv *root;
    json_error e;
    if (jp_finish_value(f->jp, &root, &e)) {
        f->numbers += e.numbers;
        f->target->val = *root;
        return 0;
    }
    /* `curl -F base=e`: a short text that is not JSON (and does not try to be) is a string. */
    bool plain = !f->text_long && e.kind == JSON_SYNTAX && f->text_len > 0 &&
                 !memchr(f->text, '"', f->text_len) && !memchr(f->text, '[', f->text_len) &&
                 !memchr(f->text, '{', f->text_len);
    if (plain) {
        char *s = arena_alloc(f->mem, f->text_len + 1);
        if (!s)
            return no_memory(f);
        memcpy(s, f->text, f->text_len);
        s[f->text_len] = '\0';
        f->target->val = (jv){.kind = JV_STRING, .n = f->text_len, .u.str = s};
        return 0;
    }
    switch (e.kind) {
    case JSON_TOO_MANY_NUMBERS: return too_many(f, e.numbers);
    case JSON_NO_MEMORY: return no_memory(f);
    case JSON_NOT_FINITE: {
        int r = fail(f, E_NON_FINITE, "%s: %s", f->ptr, e.text);
        size_t k = strlen(f->err.pointer);
        snprintf(f->err.pointer + k, sizeof f->err.pointer - k, "%s", e.pointer);
        return r;
    }
    default:
        return fail(f, E_MALFORMED_JSON, "part %s is not a JSON text: %s", f->ptr, e.text);
    }
}

static int part_end(void *user)
{
    form *f = user;
    if (f->failed)
        return 1;
    int r = 0;
    switch (f->kind) {
    case P_NPY: r = npy_end(f); break;
    case P_RAW:
        if (dv_raw_f64_finish(&f->raw) != DV_NPY_OK)
            return fail(f, E_BAD_ARRAY, "%s is not raw float64: %s", f->ptr,
                        f->raw.err.text);
        f->numbers += (size_t)dv_raw_f64_count(&f->raw);
        r = set_vector(f, &f->target->val, f->rbuf, (size_t)dv_raw_f64_count(&f->raw),
                       false);
        break;
    case P_JSON: r = json_end(f); break;
    }
    f->target->given = true;
    f->ptr[0] = '\0';
    return r;
}

form *form_new(arena *mem, const char *content_type, size_t max_elements, form_error *err)
{
    memset(err, 0, sizeof *err);
    form *f = arena_calloc(mem, 1, sizeof *f);
    size_t need = dv_mp_footprint(NULL);
    void *mp_mem = f && need ? arena_alloc(mem, need) : NULL;
    if (!mp_mem) {
        err->code = E_OUT_OF_MEMORY;
        snprintf(err->text, sizeof err->text, "out of memory for the multipart decoder");
        return NULL;
    }
    f->mem = mem;
    f->max_elements = max_elements;
    f->root.object = true;
    static const dv_mp_callbacks cb = {part_begin, part_data, part_end};
    dv_mp_error me;
    f->mp = dv_mp_init(mp_mem, need, content_type, content_type ? strlen(content_type) : 0,
                       NULL, &cb, f, &me);
    if (!f->mp) {
        err->code = E_MALFORMED_JSON;
        snprintf(err->text, sizeof err->text, "the multipart body cannot be read: %s",
                 me.text);
        return NULL;
    }
    return f;
}

void form_feed(form *f, const char *data, size_t n)
{
    if (!f->failed)
        dv_mp_feed(f->mp, data, n);
}

/* The assembled tree as jv objects (members in the order their parts came). */
static bool build(form *f, const fnode *node, jv *out)
{
    if (!node->object) {
        *out = node->val;
        return true;
    }
    jv_member *m = arena_alloc(f->mem, (node->nkids ? node->nkids : 1) * sizeof *m);
    if (!m)
        return false;
    size_t i = 0;
    for (const fnode *k = node->kids; k; k = k->next, i++) {
        m[i].key = k->name;
        m[i].key_len = k->len;
        if (!build(f, k, &m[i].val))
            return false;
    }
    *out = (jv){.kind = JV_OBJECT, .n = node->nkids, .u.members = m};
    return true;
}

bool form_finish(form *f, const jv **root, form_error *err)
{
    if (!f->failed && dv_mp_finish(f->mp) != DV_MP_OK)
        fail(f, E_MALFORMED_JSON, "the multipart body cannot be read: %s",
             dv_mp_error_of(f->mp)->text);
    jv *r = f->failed ? NULL : arena_alloc(f->mem, sizeof *r);
    if (!f->failed && (!r || !build(f, &f->root, r)))
        no_memory(f);
    if (f->failed) {
        *err = f->err;
        return false;
    }
    *root = r;
    return true;
}
