/*
 * fuzz_multipart.c — the multipart/form-data parser and the .npy / raw float64 decoders
 * (src/util/multipart.c, src/util/npy.c) under random input and random chunking.
 *
 * Input: byte 0 = flags, bytes 1–2 = the seed of the chunk sizes, then a Content-Type
 * line (up to the first '\n') and the body. Flag 0x80 instead feeds everything after
 * the seed to the .npy decoder directly (to reach its header parser quickly).
 *
 * Each body is parsed three ways — whole, in random chunks, one byte at a time — with
 * every .npy part (type application/x-npy or a .npy filename) fed to the npy decoder and
 * every application/octet-stream part to the raw float64 decoder, in the chunks the
 * parser hands out. Asserted: the three transcripts (part headers, data bytes, decoded
 * doubles, statuses, error kind/offset/text) are identical; fed whole, a part's data
 * arrive in one call pointing into the body; no zero-length data call; names non-empty
 * and NUL-terminated at their length; media types lower-case without parameters; error
 * texts non-empty printable ASCII with offsets inside the body; a decoded .npy part is
 * exactly data_offset + data_bytes long. Any violation aborts.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "multipart.h"
#include "npy.h"

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "fuzz_multipart: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    abort();
}

/* ---- a transcript ------------------------------------------------------------------- */

typedef struct tr {
    unsigned char *b;
    size_t len, cap;
} tr;

static void tr_put(tr *t, const void *s, size_t n)
{
    if (n == 0)
        return;
    if (t->len + n > t->cap) {
        size_t cap = (t->len + n) * 2 + 256;
        unsigned char *nb = realloc(t->b, cap);
        if (!nb)
            abort();
        t->b = nb;
        t->cap = cap;
    }
    memcpy(t->b + t->len, s, n);
    t->len += n;
}

static void tr_str(tr *t, const char *s)
{
    tr_put(t, s, strlen(s));
}

static void tr_u64(tr *t, uint64_t v)
{
    tr_put(t, &v, sizeof v);
}

static void check_text(const char *text, uint64_t offset, uint64_t limit)
{
    if (!text[0])
        die("an error without a text");
    for (const char *c = text; *c; c++)
        if (*c < 0x20 || *c > 0x7e)
            die("error text has byte 0x%02x: %s", (unsigned)(unsigned char)*c, text);
    if (offset > limit)
        die("error offset %llu beyond %llu: %s", (unsigned long long)offset,
            (unsigned long long)limit, text);
}

/* ---- the decoders of one part ------------------------------------------------------- */

enum { K_JSON, K_NPY, K_RAW };
#define MAX_ELEMS 4096 /* the caller's element limit, checked before "allocating" */

typedef struct sink {
    tr t;
    const char *body; /* set for the whole-body run: data must point into it */
    size_t body_len;
    size_t calls;     /* part_data calls in this part */
    int kind;
    size_t part_len;
    dv_npy npy;
    dv_npy_status nst;
    dv_raw_f64 raw;
    double out[MAX_ELEMS];
    size_t nout;
    bool header_seen;
} sink;

static int on_begin(void *user, const dv_mp_part *p)
{
    sink *s = user;
    if (p->name_len == 0 || strlen(p->name) != p->name_len)
        die("part %zu: name length %zu, strlen %zu", p->index, p->name_len,
            strlen(p->name));
    if (p->filename && strlen(p->filename) != p->filename_len)
        die("part %zu: filename length mismatch", p->index);
    if (p->content_type) {
        if (!p->content_type[0])
            die("part %zu: empty media type", p->index);
        for (const char *c = p->content_type; *c; c++)
            if ((*c >= 'A' && *c <= 'Z') || *c == ';' || *c == ' ' || *c == '\t')
                die("part %zu: media type \"%s\" not normalised", p->index,
                    p->content_type);
    }
    tr_str(&s->t, "<B");
    tr_u64(&s->t, p->index);
    tr_put(&s->t, p->name, p->name_len + 1);
    tr_put(&s->t, p->filename ? p->filename : "-", p->filename ? p->filename_len + 1 : 2);
    tr_str(&s->t, p->content_type ? p->content_type : "-");
    size_t fl = p->filename ? p->filename_len : 0;
    bool npy = (p->content_type && strcmp(p->content_type, "application/x-npy") == 0) ||
               (fl >= 4 && memcmp(p->filename + fl - 4, ".npy", 4) == 0);
    bool raw = !npy && p->content_type &&
               strcmp(p->content_type, "application/octet-stream") == 0;
    s->kind = npy ? K_NPY : raw ? K_RAW : K_JSON;
    s->calls = 0;
    s->part_len = 0;
    s->nout = 0;
    s->nst = DV_NPY_OK;
    s->header_seen = false;
    dv_npy_init(&s->npy);
    dv_raw_f64_init(&s->raw);
    return 0;
}

/* Feeds one chunk of an .npy part; the caller's protocol of npy.h. */
static void npy_chunk(sink *s, const char *d, size_t n)
{
    while (n > 0 && s->nst == DV_NPY_OK) {
        size_t used = 0;
        dv_npy_status st = dv_npy_feed(&s->npy, d, n, &used);
        if (used > n)
            die("npy used %zu of %zu", used, n);
        d += used;
        n -= used;
        if (st == DV_NPY_HEADER_READY) {
            const dv_npy_info *in = dv_npy_info_of(&s->npy);
            if (in->ndim > 2 || in->count > SIZE_MAX / 8)
                die("npy info out of range");
            size_t c = 1;
            for (size_t k = 0; k < in->ndim; k++)
                c *= in->shape[k];
            if (c != in->count || in->data_bytes != in->count * in->itemsize)
                die("npy count %zu, shape product %zu", in->count, c);
            s->header_seen = true; /* written at the part's end: chunk-independent */
            if (in->count <= MAX_ELEMS)
                dv_npy_set_output(&s->npy, s->out, MAX_ELEMS);
            else
                dv_npy_set_output(&s->npy, NULL, 0); /* over the limit: check only */
            s->nout = in->count <= MAX_ELEMS ? in->count : 0;
        } else if (st != DV_NPY_OK) {
            s->nst = st;
        } else if (n != 0) {
            die("npy OK but %zu bytes unused", n);
        }
    }
}

static int on_data(void *user, const char *d, size_t n)
{
    sink *s = user;
    if (n == 0)
        die("a zero-length data call");
    if (s->body) {
        if (d < s->body || d + n > s->body + s->body_len)
            die("fed whole, part data do not point into the body");
        if (++s->calls > 1)
            die("fed whole, a part's data came in %zu calls", s->calls);
    }
    s->part_len += n;
    tr_put(&s->t, d, n);
    if (s->kind == K_NPY) {
        npy_chunk(s, d, n);
    } else if (s->kind == K_RAW) {
        /* The caller's protocol: ask how many doubles come, check the limit, convert. */
        size_t want = dv_raw_f64_pending(&s->raw, n);
        if (s->nout + want > MAX_ELEMS) {
            s->kind = K_JSON; /* over the limit: the caller would answer 413 */
            return 0;
        }
        size_t got = dv_raw_f64_feed(&s->raw, d, n, s->out + s->nout);
        if (got != want)
            die("raw wrote %zu doubles, announced %zu", got, want);
        s->nout += got;
    }
    return 0;
}

static int on_end(void *user)
{
    sink *s = user;
    tr_str(&s->t, "<E");
    if (s->kind == K_NPY) {
        dv_npy_status st = s->nst != DV_NPY_OK ? s->nst : dv_npy_finish(&s->npy);
        tr_u64(&s->t, (uint64_t)st);
        if (s->header_seen) {
            tr_u64(&s->t, dv_npy_info_of(&s->npy)->count);
            tr_u64(&s->t, dv_npy_info_of(&s->npy)->data_offset);
        }
        if (st == DV_NPY_OK) {
            const dv_npy_info *in = dv_npy_info_of(&s->npy);
            if (in->data_offset + in->data_bytes != s->part_len)
                die("npy OK on a %zu-byte part, declares %zu + %zu", s->part_len,
                    in->data_offset, in->data_bytes);
            tr_put(&s->t, s->out, s->nout * sizeof(double));
            tr_u64(&s->t, in->inexact);
        } else {
            const dv_npy_error *e = dv_npy_error_of(&s->npy);
            check_text(e->text, e->offset, s->part_len);
            tr_str(&s->t, e->text);
            tr_u64(&s->t, e->offset);
        }
    } else if (s->kind == K_RAW) {
        dv_npy_status st = dv_raw_f64_finish(&s->raw);
        tr_u64(&s->t, (uint64_t)st);
        tr_put(&s->t, s->out, s->nout * sizeof(double));
        if (dv_raw_f64_count(&s->raw) != s->nout)
            die("raw count %llu, %zu doubles written",
                (unsigned long long)dv_raw_f64_count(&s->raw), s->nout);
        if ((st == DV_NPY_OK) != (s->part_len % 8 == 0))
            die("raw status %d on %zu bytes", (int)st, s->part_len);
    }
    return 0;
}

static const dv_mp_callbacks CB = {on_begin, on_data, on_end};

/* ---- runs --------------------------------------------------------------------------- */

typedef struct rng {
    uint32_t x;
} rng;

static uint32_t next(rng *r)
{
    r->x ^= r->x << 13;
    r->x ^= r->x >> 17;
    r->x ^= r->x << 5;
    return r->x;
}

/* mode 0: whole; 1: random chunks; 2: bytewise. */
static void run_mp(const char *ct, size_t ctlen, const char *body, size_t n,
                   const dv_mp_limits *lim, int mode, uint32_t seed, sink *s)
{
    memset(&s->t, 0, sizeof s->t);
    s->body = mode == 0 ? body : NULL;
    s->body_len = n;
    dv_mp_error err;
    dv_mp_parser *p = dv_mp_new(ct, ctlen, lim, &CB, s, &err);
    if (!p) {
        if (err.kind == DV_MP_OK || err.kind == DV_MP_NO_MEMORY)
            die("dv_mp_new failed with %s", dv_mp_kind_name(err.kind));
        check_text(err.text, err.offset, 0);
        tr_u64(&s->t, err.kind);
        tr_str(&s->t, err.text);
        return;
    }
    rng r = {seed | 1};
    size_t pos = 0;
    while (pos < n) {
        size_t len = n - pos;
        if (mode == 2) {
            len = 1;
        } else if (mode == 1) {
            uint32_t v = next(&r);
            size_t cap = (v & 0x300) == 0 ? 1 : (v & 0x300) == 0x100 ? 8 : 300;
            size_t l = (size_t)(v % cap) + (v & 0x400 ? 0 : 1); /* 0-byte feeds too */
            if (l < len)
                len = l;
        }
        dv_mp_kind k = dv_mp_feed(p, body + pos, len);
        pos += len;
        if (k != DV_MP_OK && k != dv_mp_error_of(p)->kind)
            die("feed returned %s, error is %s", dv_mp_kind_name(k),
                dv_mp_kind_name(dv_mp_error_of(p)->kind));
    }
    dv_mp_kind k = dv_mp_finish(p);
    const dv_mp_error *e = dv_mp_error_of(p);
    if (k != e->kind)
        die("finish returned %s, error is %s", dv_mp_kind_name(k), dv_mp_kind_name(e->kind));
    tr_str(&s->t, "<F");
    tr_u64(&s->t, k);
    if (k != DV_MP_OK) {
        if (k == DV_MP_ABORTED || k == DV_MP_NO_MEMORY || k == DV_MP_NOT_MULTIPART ||
            k == DV_MP_NO_BOUNDARY || k == DV_MP_BAD_BOUNDARY)
            die("a body gave %s", dv_mp_kind_name(k));
        check_text(e->text, e->offset, n);
        tr_u64(&s->t, e->offset);
        tr_u64(&s->t, e->part);
        tr_str(&s->t, e->text);
    }
    dv_mp_free(p);
}

/* The .npy decoder on its own: whole vs random chunks. */
static void run_npy(const unsigned char *d, size_t n, int mode, uint32_t seed, sink *s)
{
    memset(&s->t, 0, sizeof s->t);
    s->body = NULL;
    s->kind = K_NPY;
    s->part_len = n;
    s->nout = 0;
    s->nst = DV_NPY_OK;
    s->header_seen = false;
    dv_npy_init(&s->npy);
    rng r = {seed | 1};
    size_t pos = 0;
    while (pos < n) {
        size_t len = n - pos;
        if (mode == 1) {
            size_t l = next(&r) % 97;
            if (l < len)
                len = l;
        }
        npy_chunk(s, (const char *)d + pos, len);
        pos += len;
    }
    on_end(s);
}

static sink g_s[3];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    unsigned flags = data[0];
    uint32_t seed = (uint32_t)data[1] << 8 | data[2];
    data += 3;
    size -= 3;
    if (flags & 0x80) {
        for (int m = 0; m < 2; m++)
            run_npy(data, size, m, seed, &g_s[m]);
    } else {
        const char *all = (const char *)data;
        const char *nl = memchr(all, '\n', size);
        size_t ctlen = nl ? (size_t)(nl - all) : size;
        const char *body = nl ? nl + 1 : all + size;
        size_t n = nl ? size - ctlen - 1 : 0;
        dv_mp_limits lim = {flags & 1 ? 64 : 0, flags & 2 ? 3 : 0};
        for (int m = 0; m < 3; m++)
            run_mp(all, ctlen, body, n, &lim, m, seed, &g_s[m]);
    }
    int runs = flags & 0x80 ? 2 : 3;
    for (int m = 1; m < runs; m++) {
        const tr *a = &g_s[0].t, *b = &g_s[m].t;
        size_t k = 0;
        while (k < a->len && k < b->len && a->b[k] == b->b[k])
            k++;
        if (k < a->len || k < b->len)
            die("run %d differs from the whole-input run at transcript byte %zu (%zu vs %zu "
                "bytes): \"%.*s\" vs \"%.*s\"", m, k, b->len, a->len,
                (int)(b->len - k < 40 ? b->len - k : 40), (const char *)b->b + k,
                (int)(a->len - k < 40 ? a->len - k : 40), (const char *)a->b + k);
    }
    for (int m = 0; m < runs; m++) {
        free(g_s[m].t.b);
        g_s[m].t.b = NULL;
    }
    return 0;
}
