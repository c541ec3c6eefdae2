/*
 * test_multipart.c — the streaming multipart/form-data parser (src/util/multipart.c).
 *
 * Each body is parsed whole, then at every split into two chunks and every split into
 * three (all pairs of cut points), then one byte at a time: the callbacks (a transcript
 * of part headers and data bytes) and the error (kind, offset, text) must be the same
 * every time. Covers boundary extraction from Content-Type (quoting, case, duplicates,
 * bad bytes), preamble/epilogue, transport padding, near-delimiters inside data, header
 * quoting and folding, every error kind, the limits, a callback that stops the parser,
 * the one-call-per-part property for a body fed whole, and .npy parts decoded through
 * the npy decoder while both stream.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"
#include "multipart.h"
#include "npy.h"

/* ---- a recorder for the callbacks --------------------------------------------------- */

typedef struct rec {
    char *t;            /* transcript: "<B name|filename|type>" data… "<E>" per part */
    size_t len, cap;
    size_t data_calls;  /* part_data calls in the current part */
    size_t max_calls;   /* the most part_data calls any part needed */
    const char *body;   /* when set: data must point into body[0..body_len) */
    size_t body_len;
    int stop_at;        /* stop (return 1) at this callback number (1-based), 0 = never */
    int calls;
} rec;

static void put(rec *r, const char *s, size_t n)
{
    if (r->len + n > r->cap) {
        size_t cap = (r->len + n) * 2 + 64;
        char *t = realloc(r->t, cap);
        assert_non_null(t);
        r->t = t;
        r->cap = cap;
    }
    memcpy(r->t + r->len, s, n);
    r->len += n;
}

static void puts_(rec *r, const char *s)
{
    put(r, s, strlen(s));
}

static int on_begin(void *user, const dv_mp_part *p)
{
    rec *r = user;
    if (++r->calls == r->stop_at)
        return 1;
    puts_(r, "<B ");
    put(r, p->name, p->name_len);
    assert_int_equal(strlen(p->name), p->name_len);
    puts_(r, "|");
    if (p->filename) {
        assert_int_equal(strlen(p->filename), p->filename_len);
        put(r, p->filename, p->filename_len);
    } else {
        puts_(r, "-");
    }
    puts_(r, "|");
    puts_(r, p->content_type ? p->content_type : "-");
    puts_(r, ">");
    r->data_calls = 0;
    return 0;
}

static int on_data(void *user, const char *d, size_t n)
{
    rec *r = user;
    if (++r->calls == r->stop_at)
        return 1;
    assert_true(n > 0);
    if (r->body)
        assert_true(d >= r->body && d + n <= r->body + r->body_len);
    put(r, d, n);
    r->data_calls++;
    return 0;
}

static int on_end(void *user)
{
    rec *r = user;
    if (++r->calls == r->stop_at)
        return 1;
    puts_(r, "<E>");
    if (r->data_calls > r->max_calls)
        r->max_calls = r->data_calls;
    return 0;
}

static const dv_mp_callbacks CB = {on_begin, on_data, on_end};

typedef struct outcome {
    dv_mp_kind kind;
    dv_mp_error err;
    rec r;
} outcome;

/* Parses body[0..n) cut at cuts[0..ncut) (sorted), or byte by byte. */
static outcome run(const char *ct, const char *body, size_t n, const size_t *cuts,
                   size_t ncut, bool bytewise, const dv_mp_limits *lim, int stop_at,
                   bool whole_check)
{
    outcome o;
    memset(&o, 0, sizeof o);
    o.r.stop_at = stop_at;
    if (whole_check) {
        o.r.body = body;
        o.r.body_len = n;
    }
    dv_mp_error err;
    dv_mp_parser *p = dv_mp_new(ct, strlen(ct), lim, &CB, &o.r, &err);
    if (!p) {
        o.kind = err.kind;
        o.err = err;
        return o;
    }
    size_t pos = 0;
    dv_mp_kind k = DV_MP_OK;
    for (size_t c = 0; c <= ncut && !bytewise; c++) {
        size_t end = c < ncut ? cuts[c] : n;
        k = dv_mp_feed(p, body + pos, end - pos);
        pos = end;
    }
    for (; bytewise && pos < n; pos++)
        k = dv_mp_feed(p, body + pos, 1);
    (void)k;
    o.kind = dv_mp_finish(p);
    o.err = *dv_mp_error_of(p);
    assert_int_equal(o.kind, o.err.kind);
    dv_mp_free(p);
    return o;
}

static void same_outcome(const outcome *a, const outcome *b, const char *what, size_t c1,
                         size_t c2)
{
    if (a->kind != b->kind)
        fail_msg("%s cut at %zu,%zu: %s (%s), whole gives %s (%s)", what, c1, c2,
                 dv_mp_kind_name(b->kind), b->err.text, dv_mp_kind_name(a->kind),
                 a->err.text);
    if (a->kind != DV_MP_OK &&
        (a->err.offset != b->err.offset || strcmp(a->err.text, b->err.text) != 0 ||
         a->err.part != b->err.part))
        fail_msg("%s cut at %zu,%zu: error at %llu \"%s\", whole at %llu \"%s\"", what, c1,
                 c2, (unsigned long long)b->err.offset, b->err.text,
                 (unsigned long long)a->err.offset, a->err.text);
    if (a->r.len != b->r.len || (a->r.len && memcmp(a->r.t, b->r.t, a->r.len) != 0))
        fail_msg("%s cut at %zu,%zu: transcript \"%.*s\", whole \"%.*s\"", what, c1, c2,
                 (int)b->r.len, b->r.t, (int)a->r.len, a->r.t);
}

static size_t g_runs;

/* The whole-body outcome, after checking every 2- and 3-chunk split and bytewise. */
static outcome check_splits(const char *what, const char *ct, const char *body, size_t n,
                            const dv_mp_limits *lim, int stop_at)
{
    outcome whole = run(ct, body, n, NULL, 0, false, lim, stop_at, true);
    if (whole.kind == DV_MP_OK)
        assert_true(whole.r.max_calls <= 1); /* fed whole: one part_data call per part */
    for (size_t c1 = 0; c1 <= n; c1++) {
        for (size_t c2 = c1; c2 <= n; c2++) {
            size_t cuts[2] = {c1, c2};
            outcome o = run(ct, body, n, cuts, 2, false, lim, stop_at, false);
            same_outcome(&whole, &o, what, c1, c2);
            free(o.r.t);
            g_runs++;
        }
    }
    outcome b = run(ct, body, n, NULL, 0, true, lim, stop_at, false);
    same_outcome(&whole, &b, what, 1, 1);
    free(b.r.t);
    return whole;
}

#define S(lit) (lit), (sizeof(lit) - 1)

/* ---- Content-Type ------------------------------------------------------------------- */

static void test_content_type(void **state)
{
    (void)state;
    static const struct {
        const char *ct;
        dv_mp_kind want;
        const char *boundary; /* for the OK cases: the delimiter it must use */
    } cases[] = {
        {"multipart/form-data; boundary=abc", DV_MP_OK, "abc"},
        {"Multipart/Form-Data;boundary=\"a b:c=?\"", DV_MP_OK, "a b:c=?"},
        {"multipart/form-data; charset=utf-8; boundary=xyz", DV_MP_OK, "xyz"},
        {"  multipart/form-data ; BOUNDARY = \"q\\\"x\" ; ", DV_MP_OK, "q\"x"},
        {"multipart/form-data; x=\"a;boundary=no\"; boundary=yes", DV_MP_OK, "yes"},
        {"multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW", DV_MP_OK,
         "----WebKitFormBoundary7MA4YWxkTrZu0gW"},
        {"multipart/form-data; boundary="
         "1234567890123456789012345678901234567890123456789012345678901234567890",
         DV_MP_OK, "1234567890123456789012345678901234567890123456789012345678901234567890"},
        {"multipart/form-data; boundary="
         "12345678901234567890123456789012345678901234567890123456789012345678901",
         DV_MP_BAD_BOUNDARY, NULL},
        {"multipart/form-data", DV_MP_NO_BOUNDARY, NULL},
        {"multipart/form-data; charset=utf-8", DV_MP_NO_BOUNDARY, NULL},
        {"multipart/form-data; boundary=", DV_MP_BAD_BOUNDARY, NULL},
        {"multipart/form-data; boundary=\"\"", DV_MP_BAD_BOUNDARY, NULL},
        {"multipart/form-data; boundary=\"abc", DV_MP_BAD_BOUNDARY, NULL},
        {"multipart/form-data; boundary=\"abc \"", DV_MP_BAD_BOUNDARY, NULL},
        {"multipart/form-data; boundary=\"a\rb\"", DV_MP_BAD_BOUNDARY, NULL},
        {"multipart/form-data; boundary=\"a\x01\"", DV_MP_BAD_BOUNDARY, NULL},
        {"multipart/form-data; boundary=a; boundary=b", DV_MP_BAD_BOUNDARY, NULL},
        {"multipart/form-data; foo", DV_MP_BAD_BOUNDARY, NULL},
        {"multipart/form-data boundary=x", DV_MP_BAD_BOUNDARY, NULL},
        {"application/json", DV_MP_NOT_MULTIPART, NULL},
        {"multipart/mixed; boundary=x", DV_MP_NOT_MULTIPART, NULL},
        {"multipart/form-datax; boundary=x", DV_MP_NOT_MULTIPART, NULL},
        {"", DV_MP_NOT_MULTIPART, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dv_mp_error err;
        dv_mp_parser *p = dv_mp_new(cases[i].ct, strlen(cases[i].ct), NULL, NULL, NULL,
                                    &err);
        if (cases[i].want != DV_MP_OK) {
            if (p || err.kind != cases[i].want)
                fail_msg("Content-Type \"%s\": %s, want %s", cases[i].ct,
                         p ? "ok" : dv_mp_kind_name(err.kind),
                         dv_mp_kind_name(cases[i].want));
            assert_true(err.text[0] != '\0');
            continue;
        }
        if (!p)
            fail_msg("Content-Type \"%s\": %s (%s)", cases[i].ct, dv_mp_kind_name(err.kind),
                     err.text);
        char body[256];
        int n = snprintf(body, sizeof body, "--%s--", cases[i].boundary);
        assert_int_equal(dv_mp_feed(p, body, (size_t)n), DV_MP_OK);
        assert_int_equal(dv_mp_finish(p), DV_MP_OK);
        dv_mp_free(p);
    }
    /* No NUL needed: the length bounds the value. */
    dv_mp_error err;
    dv_mp_parser *p = dv_mp_new("multipart/form-data; boundary=abcXYZ", 33, NULL, NULL,
                                NULL, &err);
    assert_non_null(p);
    assert_int_equal(dv_mp_feed(p, S("--abc--")), DV_MP_OK);
    assert_int_equal(dv_mp_finish(p), DV_MP_OK);
    dv_mp_free(p);
    /* caller memory */
    size_t need = dv_mp_footprint(NULL);
    assert_true(need > 2 * DV_MP_DEFAULT_HEADER_BYTES);
    void *mem = malloc(need);
    p = dv_mp_init(mem, need, S("multipart/form-data; boundary=b"), NULL, NULL, NULL, &err);
    assert_ptr_equal(p, mem);
    assert_int_equal(dv_mp_feed(p, S("--b--")), DV_MP_OK);
    assert_int_equal(dv_mp_finish(p), DV_MP_OK);
    free(mem);
    dv_mp_limits huge = {SIZE_MAX / 2, 1};
    assert_int_equal(dv_mp_footprint(&huge), 0);
}

/* ---- well-formed bodies ------------------------------------------------------------- */

#define CT_CURL "multipart/form-data; boundary=------------------------d74496d66958873e"
#define B_CURL "------------------------d74496d66958873e"

static void test_bodies(void **state)
{
    (void)state;
    /* Data holding CR, "\r\n--", "\r\n-" + the boundary, the delimiter less its last
     * byte, NULs: none of them ends the part. */
    static const char ok1[] =
        "--" B_CURL "\r\n"
        "Content-Disposition: form-data; name=\"p\"; filename=\"p.npy\"\r\n"
        "Content-Type: application/octet-stream\r\n"
        "\r\n"
        "\x93NUMPY\r\r\n\r\n-\r\n--\r\n-" B_CURL
        "\r\n--------------------------d74496d66958873"
        "\0\r\n\0\r\r\n--------------------------d74496d66958873\r\n"
        "\r\n--" B_CURL "\r\n"
        "Content-Disposition: form-data; name=\"base\"\r\n"
        "\r\n"
        "2\r\n"
        "--" B_CURL "--\r\n";
    static const char want1[] =
        "<B p|p.npy|application/octet-stream>"
        "\x93NUMPY\r\r\n\r\n-\r\n--\r\n-" B_CURL
        "\r\n--------------------------d74496d66958873"
        "\0\r\n\0\r\r\n--------------------------d74496d66958873\r\n<E>"
        "<B base|-|->2<E>";
    outcome o = check_splits("curl-like", CT_CURL, ok1, sizeof ok1 - 1, NULL, 0);
    if (o.kind)
        fail_msg("curl-like: %s", o.err.text);
    assert_int_equal(o.r.len, sizeof want1 - 1);
    assert_memory_equal(o.r.t, want1, sizeof want1 - 1);
    free(o.r.t);

    /* Preamble, transport padding, lower-case and folded headers, quoting, an empty
     * part, an epilogue holding a delimiter. */
    static const char ok2[] =
        "This is a preamble.\r\n--b not a delimiter\r\n"
        "--b \t\r\n"
        "content-disposition: FORM-DATA;\r\n name=\"a\\\"b\\\\c;d\";\r\n\tfilename=x.npy\r\n"
        "CONTENT-TYPE:Application/X-NPY; charset=binary\r\n"
        "X-Other: ignored\r\n"
        "Content-Transfer-Encoding: binary\r\n"
        "\r\n"
        "\r\n--b\r\n"
        "Content-Disposition: form-data; name=q; filename=\"\"\r\n"
        "\r\n"
        "x\r\n--b--  trailing\r\n--b\r\nContent-Disposition: form-data; name=r\r\n\r\n";
    static const char want2[] = "<B a\"b\\c;d|x.npy|application/x-npy><E><B q||->x<E>";
    o = check_splits("preamble", "multipart/form-data; boundary=b", S(ok2), NULL, 0);
    if (o.kind)
        fail_msg("preamble: %s", o.err.text);
    assert_int_equal(o.r.len, sizeof want2 - 1);
    assert_memory_equal(o.r.t, want2, sizeof want2 - 1);
    free(o.r.t);

    /* No parts; a body starting with CRLF; UTF-8 names. */
    o = check_splits("no parts", "multipart/form-data; boundary=b", S("--b--"), NULL, 0);
    assert_int_equal(o.kind, DV_MP_OK);
    assert_int_equal(o.r.len, 0);
    free(o.r.t);
    static const char ok3[] = "\r\n--b\r\nContent-Disposition: form-data; "
                              "name=\"/p/\xc3\xa9\"\r\n\r\n[1,2]\r\n--b--";
    static const char want3[] = "<B /p/\xc3\xa9|-|->[1,2]<E>";
    o = check_splits("crlf first", "multipart/form-data; boundary=b", S(ok3), NULL, 0);
    assert_int_equal(o.kind, DV_MP_OK);
    assert_int_equal(o.r.len, sizeof want3 - 1);
    assert_memory_equal(o.r.t, want3, sizeof want3 - 1);
    free(o.r.t);
    /* Limits met exactly are fine. */
    static const char hdr[] = "--b\r\nContent-Disposition: form-data; name=a\r\n\r\n"
                              "1\r\n--b\r\nContent-Disposition: form-data; name=b\r\n\r\n"
                              "2\r\n--b--";
    dv_mp_limits lim = {sizeof "Content-Disposition: form-data; name=a\r\n\r\n" - 1, 2};
    o = check_splits("limits met", "multipart/form-data; boundary=b", S(hdr), &lim, 0);
    assert_int_equal(o.kind, DV_MP_OK);
    free(o.r.t);
}

/* Long parts (beyond the scan's CR window, so memmem is used), with near-delimiters
 * scattered through them: every 2-chunk split and bytewise give the exact data. */
static void test_long_parts(void **state)
{
    (void)state;
    static const char *near[] = {"\r", "\r\n", "\r\n-", "\r\n--", "\r\n---",
                                 "\r\n--" B_CURL, "\r\n--------------------------d74496d"};
    size_t cap = 16384;
    char *body = malloc(cap), *want = malloc(cap);
    assert_non_null(body);
    assert_non_null(want);
    size_t n = 0, w = 0;
    uint32_t x = 12345;
    for (int part = 0; part < 3; part++) {
        char h[128];
        int hl = snprintf(h, sizeof h,
                          "--" B_CURL "\r\nContent-Disposition: form-data; name=p%d\r\n\r\n",
                          part);
        if (part > 0) {
            memcpy(body + n, "\r\n", 2);
            n += 2;
        }
        memcpy(body + n, h, (size_t)hl);
        n += (size_t)hl;
        char t[32];
        int tl = snprintf(t, sizeof t, "<B p%d|-|->", part);
        memcpy(want + w, t, (size_t)tl);
        w += (size_t)tl;
        size_t len = part == 0 ? 1200 : part == 1 ? 255 : 3000;
        size_t end = n + len;
        while (n < end) {
            x = x * 1103515245u + 12345u;
            const char *piece;
            char byte;
            size_t pl;
            if ((x >> 16) % 7 == 0) {
                /* a near-delimiter, never a whole one: "\r\n--" + boundary is followed
                 * below by 'X' only when it would be complete, so drop its last byte */
                piece = near[(x >> 8) % 7];
                pl = strlen(piece);
                if (pl == 2 + 2 + strlen(B_CURL))
                    pl--;
            } else {
                byte = (char)(x >> 24);
                piece = &byte;
                pl = 1;
            }
            if (n + pl > end)
                pl = end - n;
            memcpy(body + n, piece, pl);
            memcpy(want + w, piece, pl);
            n += pl;
            w += pl;
        }
        memcpy(want + w, "<E>", 3);
        w += 3;
    }
    static const char close[] = "\r\n--" B_CURL "--\r\n";
    memcpy(body + n, close, sizeof close - 1);
    n += sizeof close - 1;
    assert_true(n < cap);
    outcome whole = run(CT_CURL, body, n, NULL, 0, false, NULL, 0, true);
    if (whole.kind)
        fail_msg("long parts: %s", whole.err.text);
    assert_int_equal(whole.r.len, w);
    assert_memory_equal(whole.r.t, want, w);
    assert_true(whole.r.max_calls <= 1);
    for (size_t c = 0; c <= n; c++) {
        outcome o = run(CT_CURL, body, n, &c, 1, false, NULL, 0, false);
        same_outcome(&whole, &o, "long parts", c, c);
        free(o.r.t);
    }
    static size_t cuts[16384];
    for (size_t step = 2; step < 600; step += 7) { /* regular chunk sizes */
        size_t nc = 0;
        for (size_t c = step; c < n; c += step)
            cuts[nc++] = c;
        outcome o = run(CT_CURL, body, n, cuts, nc, false, NULL, 0, false);
        same_outcome(&whole, &o, "long parts, regular", step, nc);
        free(o.r.t);
    }
    outcome b = run(CT_CURL, body, n, NULL, 0, true, NULL, 0, false);
    same_outcome(&whole, &b, "long parts", 1, 1);
    free(b.r.t);
    free(whole.r.t);
    free(body);
    free(want);
}

/* ---- errors ------------------------------------------------------------------------- */

static void test_errors(void **state)
{
    (void)state;
    static const struct {
        const char *what, *body;
        dv_mp_kind want;
        uint64_t offset;
        size_t max_header, max_parts;
    } cases[] = {
        {"no delimiter", "just some bytes\r\n", DV_MP_MISSING_DELIMITER, 17, 0, 0},
        {"empty body", "", DV_MP_MISSING_DELIMITER, 0, 0, 0},
        {"other boundary", "--c\r\n\r\n--c--", DV_MP_MISSING_DELIMITER, 12, 0, 0},
        {"no close", "--b\r\nContent-Disposition: form-data; name=a\r\n\r\n1", DV_MP_TRUNCATED,
         48, 0, 0},
        {"close cut", "--b\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--b-",
         DV_MP_TRUNCATED, 54, 0, 0},
        {"ends in headers", "--b\r\nContent-Disposition: form-data; na", DV_MP_TRUNCATED,
         39, 0, 0},
        {"ends after delimiter", "--b", DV_MP_TRUNCATED, 3, 0, 0},
        {"ends after padding", "--b  \r", DV_MP_TRUNCATED, 6, 0, 0},
        /* In the preamble a near-delimiter is preamble text (ignored) ... */
        {"boundary longer", "--bX\r\n", DV_MP_MISSING_DELIMITER, 6, 0, 0},
        {"single dash", "--b-X", DV_MP_MISSING_DELIMITER, 5, 0, 0},
        {"bare CR after", "--b\rX", DV_MP_MISSING_DELIMITER, 5, 0, 0},
        {"preamble then cut", "--b \r\r\n--b\r\n", DV_MP_TRUNCATED, 12, 0, 0},
        /* ... after a part it is an error (RFC 2046: never inside a part) */
        {"single dash in part",
         "--b\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--b-X",
         DV_MP_BAD_DELIMITER, 54, 0, 0},
        {"bare CR in part",
         "--b\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--b \rX",
         DV_MP_BAD_DELIMITER, 55, 0, 0},
        {"delimiter in data",
         "--b\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--bb\r\n--b--",
         DV_MP_BAD_DELIMITER, 53, 0, 0},
        {"header too long", "--b\r\nContent-Disposition: form-data; name=abcdefgh\r\n\r\n",
         DV_MP_HEADER_TOO_LONG, 25, 20, 0},
        {"too many parts",
         "--b\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n"
         "--b\r\nContent-Disposition: form-data; name=b\r\n\r\n2\r\n"
         "--b\r\nContent-Disposition: form-data; name=c\r\n\r\n3\r\n--b--",
         DV_MP_TOO_MANY_PARTS, 105, 0, 2},
        {"no headers", "--b\r\n\r\ndata\r\n--b--", DV_MP_NO_NAME, 5, 0, 0},
        {"no disposition", "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--", DV_MP_NO_NAME,
         5, 0, 0},
        {"no name", "--b\r\nContent-Disposition: form-data; filename=a\r\n\r\n\r\n--b--",
         DV_MP_NO_NAME, 5, 0, 0},
        {"empty name", "--b\r\nContent-Disposition: form-data; name=\"\"\r\n\r\n\r\n--b--",
         DV_MP_NO_NAME, 5, 0, 0},
        {"attachment", "--b\r\nContent-Disposition: attachment; name=a\r\n\r\n\r\n--b--",
         DV_MP_BAD_HEADER, 26, 0, 0},
        {"two names",
         "--b\r\nContent-Disposition: form-data; name=a; name=b\r\n\r\n\r\n--b--",
         DV_MP_BAD_HEADER, 45, 0, 0},
        {"unterminated quote",
         "--b\r\nContent-Disposition: form-data; name=\"a\r\n\r\n\r\n--b--", DV_MP_BAD_HEADER,
         42, 0, 0},
        {"missing =", "--b\r\nContent-Disposition: form-data; name\r\n\r\n\r\n--b--",
         DV_MP_BAD_HEADER, 41, 0, 0},
        {"junk after value",
         "--b\r\nContent-Disposition: form-data; name=\"a\"x\r\n\r\n\r\n--b--",
         DV_MP_BAD_HEADER, 45, 0, 0},
        {"no colon", "--b\r\nContent-Disposition form-data; name=a\r\n\r\n\r\n--b--",
         DV_MP_BAD_HEADER, 5, 0, 0},
        {"bare LF", "--b\r\nContent-Disposition: form-data; name=a\nX: y\r\n\r\n\r\n--b--",
         DV_MP_BAD_HEADER, 43, 0, 0},
        {"NUL in header", "--b\r\nContent-Disposition: form-data; name=a\0\r\n\r\n\r\n--b--",
         DV_MP_BAD_HEADER, 43, 0, 0},
        {"leading space", "--b\r\n Content-Disposition: form-data; name=a\r\n\r\n\r\n--b--",
         DV_MP_BAD_HEADER, 5, 0, 0},
        {"base64",
         "--b\r\nContent-Disposition: form-data; name=a\r\n"
         "Content-Transfer-Encoding: base64\r\n\r\n\r\n--b--",
         DV_MP_BAD_HEADER, 45, 0, 0},
        {"two types",
         "--b\r\nContent-Disposition: form-data; name=a\r\nContent-Type: a/b\r\n"
         "Content-Type: c/d\r\n\r\n\r\n--b--",
         DV_MP_BAD_HEADER, 64, 0, 0},
        {"empty type", "--b\r\nContent-Disposition: form-data; name=a\r\nContent-Type: \r\n\r\n"
                       "\r\n--b--",
         DV_MP_BAD_HEADER, 45, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        /* bodies with a NUL: their length is the literal's, so measure up to "--b--" */
        const char *body = cases[i].body;
        size_t n = strlen(body);
        if (strcmp(cases[i].what, "NUL in header") == 0)
            n = sizeof "--b\r\nContent-Disposition: form-data; name=a\0\r\n\r\n\r\n--b--" - 1;
        dv_mp_limits lim = {cases[i].max_header, cases[i].max_parts};
        outcome o = check_splits(cases[i].what, "multipart/form-data; boundary=b", body, n,
                                 &lim, 0);
        if (o.kind != cases[i].want || o.err.offset != cases[i].offset)
            fail_msg("%s: %s at %llu (%s), want %s at %llu", cases[i].what,
                     dv_mp_kind_name(o.kind), (unsigned long long)o.err.offset, o.err.text,
                     dv_mp_kind_name(cases[i].want), (unsigned long long)cases[i].offset);
        assert_true(o.err.text[0] != '\0');
        for (const char *c = o.err.text; *c; c++) /* printable ASCII, whatever the body */
            assert_true(*c >= 0x20 && *c < 0x7f);
        if (getenv("MP_VERBOSE"))
            printf("  %-22s %-18s @%-3llu %s\n", cases[i].what, dv_mp_kind_name(o.kind),
                   (unsigned long long)o.err.offset, o.err.text);
        free(o.r.t);
    }
    /* A callback that stops: at each callback of a two-part body in turn. */
    static const char two[] = "--b\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n"
                              "--b\r\nContent-Disposition: form-data; name=b\r\n\r\n2\r\n"
                              "--b--";
    for (int stop = 1; stop <= 6; stop++) {
        outcome o = run("multipart/form-data; boundary=b", S(two), NULL, 0, false, NULL,
                        stop, false);
        assert_int_equal(o.kind, DV_MP_ABORTED);
        free(o.r.t);
    }
    /* After an error, feeding does nothing and returns the error. */
    dv_mp_error err;
    dv_mp_parser *p = dv_mp_new(S("multipart/form-data; boundary=b"), NULL, &CB, NULL, &err);
    assert_int_equal(dv_mp_feed(p, S("--b\r\n\r\n")), DV_MP_NO_NAME);
    assert_int_equal(dv_mp_feed(p, S("\r\n")), DV_MP_NO_NAME);
    assert_int_equal(dv_mp_finish(p), DV_MP_NO_NAME);
    assert_int_equal(dv_mp_error_of(p)->offset, 5);
    dv_mp_free(p);
}

/* ---- .npy parts through the npy decoder, both streaming ----------------------------- */

typedef struct npy_sink {
    dv_npy d;
    bool is_npy;
    double out[64];
    size_t n;
    dv_npy_status st;
    double got[4][64]; /* per part */
    size_t count[4];
    size_t parts;
} npy_sink;

static int npy_begin(void *user, const dv_mp_part *p)
{
    npy_sink *s = user;
    size_t l = p->filename ? p->filename_len : 0;
    s->is_npy = (p->content_type && strcmp(p->content_type, "application/x-npy") == 0) ||
                (l >= 4 && memcmp(p->filename + l - 4, ".npy", 4) == 0);
    dv_npy_init(&s->d);
    s->st = DV_NPY_OK;
    return 0;
}

static int npy_data(void *user, const char *data, size_t len)
{
    npy_sink *s = user;
    if (!s->is_npy)
        return 0;
    while (len > 0) {
        size_t used;
        s->st = dv_npy_feed(&s->d, data, len, &used);
        data += used;
        len -= used;
        if (s->st == DV_NPY_HEADER_READY) {
            const dv_npy_info *in = dv_npy_info_of(&s->d);
            if (in->count > 64) /* the caller's element limit, before allocating */
                return 1;
            dv_npy_set_output(&s->d, s->out, in->count);
            s->st = DV_NPY_OK;
        } else if (s->st != DV_NPY_OK) {
            return 1;
        }
    }
    return 0;
}

static int npy_end(void *user)
{
    npy_sink *s = user;
    if (!s->is_npy)
        return 0;
    s->st = dv_npy_finish(&s->d);
    if (s->st != DV_NPY_OK)
        return 1;
    assert_true(s->parts < 4);
    memcpy(s->got[s->parts], s->out, dv_npy_info_of(&s->d)->count * sizeof(double));
    s->count[s->parts++] = dv_npy_info_of(&s->d)->count;
    return 0;
}

static char *slurp(const char *name, size_t *len)
{
    const char *dir = getenv("DV_TEST_DATA");
    char path[1024];
    snprintf(path, sizeof path, "%s/npy/%s", dir ? dir : "tests/data", name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot read %s (run from the repository root or set DV_TEST_DATA)", path);
    static char buf[4096];
    *len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    char *c = malloc(*len);
    assert_non_null(c);
    memcpy(c, buf, *len);
    return c;
}

static void test_npy_parts(void **state)
{
    (void)state;
    size_t l1, l2;
    char *f1 = slurp("f8be_f_3x4_v1.npy", &l1);
    char *f2 = slurp("i2le_c_5_v3.npy", &l2);
    char body[8192];
    size_t n = 0;
#define ADD(p, len) (memcpy(body + n, (p), (len)), n += (len))
#define ADDS(lit) ADD(lit, sizeof(lit) - 1)
    ADDS(("--xyz\r\nContent-Disposition: form-data; name=\"p\"; filename=\"p.npy\"\r\n"
          "Content-Type: application/octet-stream\r\n\r\n"));
    ADD(f1, l1);
    ADDS(("\r\n--xyz\r\nContent-Disposition: form-data; name=base\r\n\r\n2\r\n"
          "--xyz\r\nContent-Disposition: form-data; name=q\r\n"
          "Content-Type: application/x-npy\r\n\r\n"));
    ADD(f2, l2);
    ADDS(("\r\n--xyz--\r\n"));
    static const dv_mp_callbacks cb = {npy_begin, npy_data, npy_end};
    /* reference: each file decoded on its own */
    double want[2][64];
    const char *files[2] = {f1, f2};
    size_t lens[2] = {l1, l2}, counts[2];
    for (int k = 0; k < 2; k++) {
        dv_npy d;
        dv_npy_init(&d);
        size_t used;
        assert_int_equal(dv_npy_feed(&d, files[k], lens[k], &used), DV_NPY_HEADER_READY);
        counts[k] = dv_npy_info_of(&d)->count;
        dv_npy_set_output(&d, want[k], 64);
        assert_int_equal(dv_npy_feed(&d, files[k] + used, lens[k] - used, &used), DV_NPY_OK);
        assert_int_equal(dv_npy_finish(&d), DV_NPY_OK);
    }
    assert_int_equal(counts[0], 12);
    for (size_t c1 = 0; c1 <= n; c1++) {
        static npy_sink s;
        memset(&s, 0, sizeof s);
        dv_mp_error err;
        dv_mp_parser *p = dv_mp_new(S("multipart/form-data; boundary=xyz"), NULL, &cb, &s,
                                    &err);
        assert_non_null(p);
        assert_int_equal(dv_mp_feed(p, body, c1), DV_MP_OK);
        assert_int_equal(dv_mp_feed(p, body + c1, n - c1), DV_MP_OK);
        assert_int_equal(dv_mp_finish(p), DV_MP_OK);
        dv_mp_free(p);
        assert_int_equal(s.parts, 2);
        for (int k = 0; k < 2; k++) {
            assert_int_equal(s.count[k], counts[k]);
            assert_memory_equal(s.got[k], want[k], counts[k] * sizeof(double));
        }
    }
    /* A truncated .npy part stops the parser through its callback. */
    n = 0;
    ADDS(("--xyz\r\nContent-Disposition: form-data; name=\"p\"; filename=\"p.npy\"\r\n\r\n"));
    ADD(f1, l1 - 1);
    ADDS(("\r\n--xyz--"));
    static npy_sink s;
    memset(&s, 0, sizeof s);
    dv_mp_error err;
    dv_mp_parser *p = dv_mp_new(S("multipart/form-data; boundary=xyz"), NULL, &cb, &s, &err);
    assert_int_equal(dv_mp_feed(p, body, n), DV_MP_ABORTED);
    assert_int_equal(s.st, DV_NPY_TRUNCATED);
    dv_mp_free(p);
#undef ADD
#undef ADDS
    free(f1);
    free(f2);
    printf("multipart: %zu split parses, all identical\n", g_runs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_content_type),
        cmocka_unit_test(test_bodies),
        cmocka_unit_test(test_long_parts),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_npy_parts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
