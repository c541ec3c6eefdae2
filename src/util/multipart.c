/*
 * multipart.c — the streaming multipart/form-data parser of multipart.h.
 *
 * The body is read as if it began with CRLF, so the first delimiter (which RFC 2046
 * lets start the body without one) is the same string as every other: "\r\n--boundary".
 * A boundary never contains CR (we refuse one that does), so a delimiter can only start
 * at a '\r' and, once a partial match fails, no other match can start inside the bytes
 * already matched: the scan needs no KMP table. Whole delimiters are found with memmem,
 * a partial one at the end of a chunk with memchr('\r') + memcmp over the last
 * dlen − 1 bytes. A partial match is remembered as a count (`match`); the withheld bytes
 * are a prefix of the delimiter, so if the match then fails they are re-emitted from our
 * own copy of the delimiter and nothing of the caller's chunk is ever kept.
 *
 * Part headers are the only bytes copied: into a buffer of limits.max_header_bytes
 * placed right after the struct; the values we keep (name, filename, media type) are
 * unescaped into a second buffer of the same size + 4, since an unescaped value is never
 * longer than its text and at most three are kept, each with one NUL.
 */
#include "multipart.h"

#include <assert.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum {
    ST_PREAMBLE, /* before the first delimiter: bytes discarded */
    ST_AFTER,    /* just after a delimiter: "--", or white space + CRLF */
    ST_HEADERS,  /* collecting a part's header block */
    ST_DATA,     /* a part's bytes, up to the next delimiter */
    ST_EPILOGUE, /* after the close delimiter: bytes discarded */
    ST_ERROR
};

enum { AD_START, AD_DASH, AD_LWSP, AD_CR };

#define DELIM_MAX (4 + DV_MP_MAX_BOUNDARY)

struct dv_mp_parser {
    dv_mp_callbacks cb;
    void *user;
    size_t max_header;
    size_t max_parts;
    char delim[DELIM_MAX + 1]; /* "\r\n--" boundary, NUL-terminated for messages */
    size_t dlen;
    int state;
    int after;        /* AD_* while state == ST_AFTER */
    bool in_preamble; /* ST_AFTER was entered from the preamble */
    size_t match;     /* delimiter bytes matched at the end of the last chunk */
    size_t hlen;      /* header bytes collected */
    uint64_t hstart;  /* body offset of the first header byte */
    size_t parts;     /* parts begun */
    uint64_t offset;  /* body bytes consumed by earlier feeds */
    bool heap;        /* made by dv_mp_new */
    dv_mp_part part;  /* the current part (strings in vbuf) */
    dv_mp_error err;
    char *hbuf; /* max_header bytes, right after the struct */
    char *vbuf; /* max_header + 4 bytes: unescaped values, NUL-ended */
    size_t vused;
};

/* ---- errors ------------------------------------------------------------------------- */

static void set_error(dv_mp_error *e, dv_mp_kind kind, uint64_t offset, size_t part,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void set_error(dv_mp_error *e, dv_mp_kind kind, uint64_t offset, size_t part,
                      const char *fmt, ...)
{
    e->kind = kind;
    e->offset = offset;
    e->part = part;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->text, sizeof e->text, fmt, ap);
    va_end(ap);
}

/* Records the first error, makes it sticky and returns its kind. */
static dv_mp_kind fail(struct dv_mp_parser *p, dv_mp_kind kind, uint64_t offset,
                       size_t part, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static dv_mp_kind fail(struct dv_mp_parser *p, dv_mp_kind kind, uint64_t offset,
                       size_t part, const char *fmt, ...)
{
    p->err.kind = kind;
    p->err.offset = offset;
    p->err.part = part;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err.text, sizeof p->err.text, fmt, ap);
    va_end(ap);
    p->state = ST_ERROR;
    return kind;
}

const char *dv_mp_kind_name(dv_mp_kind kind)
{
    switch (kind) {
    case DV_MP_OK: return "ok";
    case DV_MP_NOT_MULTIPART: return "not_multipart";
    case DV_MP_NO_BOUNDARY: return "no_boundary";
    case DV_MP_BAD_BOUNDARY: return "bad_boundary";
    case DV_MP_MISSING_DELIMITER: return "missing_delimiter";
    case DV_MP_BAD_DELIMITER: return "bad_delimiter";
    case DV_MP_HEADER_TOO_LONG: return "header_too_long";
    case DV_MP_BAD_HEADER: return "bad_header";
    case DV_MP_NO_NAME: return "no_name";
    case DV_MP_TOO_MANY_PARTS: return "too_many_parts";
    case DV_MP_TRUNCATED: return "truncated";
    case DV_MP_ABORTED: return "aborted";
    case DV_MP_NO_MEMORY: return "no_memory";
    }
    return "unknown";
}

/* Input bytes quoted in a message: printable ASCII kept, anything else (control bytes,
 * bytes of UTF-8 sequences that may be cut or invalid) shown as '?', at most 40 bytes,
 * so an error text is always valid ASCII whatever the body held. */
typedef struct echo_buf {
    char s[48];
} echo_buf;

static const char *echo(echo_buf *b, const char *s, size_t n)
{
    size_t k = 0;
    for (; k < n && k < 40; k++) {
        unsigned char c = (unsigned char)s[k];
        b->s[k] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    if (k < n) {
        memcpy(b->s + k, "...", 3);
        k += 3;
    }
    b->s[k] = '\0';
    return b->s;
}

/* ---- small lexing helpers (shared by Content-Type and part headers) ----------------- */

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* RFC 9110 tchar. */
static bool is_tchar(unsigned char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return true;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static size_t skip_ows(const char *s, size_t i, size_t n)
{
    while (i < n && is_ows(s[i]))
        i++;
    return i;
}

static size_t skip_token(const char *s, size_t i, size_t n)
{
    while (i < n && is_tchar((unsigned char)s[i]))
        i++;
    return i;
}

/* Reads a parameter value at s[i..n): a token, or a quoted string whose backslash
 * escapes the next byte. The unescaped value's length goes to *out_len and its first
 * min(length, cap) bytes to out. Returns the index after the value, or (size_t)-1 when a
 * quoted string is unterminated or an unquoted value is empty. */
static size_t read_value(const char *s, size_t i, size_t n, char *out, size_t cap,
                         size_t *out_len)
{
    size_t k = 0;
    if (i < n && s[i] == '"') {
        i++;
        while (i < n && s[i] != '"') {
            if (s[i] == '\\' && i + 1 < n)
                i++;
            if (k < cap)
                out[k] = s[i];
            k++;
            i++;
        }
        if (i >= n)
            return (size_t)-1;
        *out_len = k;
        return i + 1;
    }
    /* An unquoted value: RFC 9110 says a token; browsers and curl quote, and a few
     * clients send unquoted boundaries with '=' or '/', so we run to ';' or OWS. */
    while (i < n && s[i] != ';' && !is_ows(s[i]) && s[i] != '"') {
        if (k < cap)
            out[k] = s[i];
        k++;
        i++;
    }
    if (k == 0)
        return (size_t)-1;
    *out_len = k;
    return i;
}

/* ---- Content-Type → boundary ------------------------------------------------------ */

static bool boundary_byte_ok(unsigned char c)
{
    /* RFC 2046's bchars are a subset of visible ASCII + space; we take all of it. What
     * matters for the scan is that CR (and LF) can never occur. */
    return c >= 0x20 && c <= 0x7e;
}

/* One step of a header's parameter list: over `; attr =` from s[*i]. Returns 1 with the
 * attribute at s[*a0 .. *a0 + *alen) and *i at its value; 0 at the end of the list (a
 * trailing ';' is harmless); −1 when malformed, *i then the byte at fault. */
static int next_param(const char *s, size_t n, size_t *i, size_t *a0, size_t *alen)
{
    size_t j = skip_ows(s, *i, n);
    int r = -1;
    if (j < n && s[j] == ';') {
        j = skip_ows(s, j + 1, n);
        r = j == n ? 0 : 1;
    } else if (j == n) {
        r = 0;
    }
    if (r == 1) {
        *a0 = j;
        j = skip_token(s, j, n);
        *alen = j - *a0;
        j = skip_ows(s, j, n);
        if (*alen == 0 || j == n || s[j] != '=')
            r = -1;
        else
            j = skip_ows(s, j + 1, n);
    }
    *i = j;
    return r;
}

static dv_mp_kind parse_content_type(const char *ct, size_t n, char *boundary, size_t *blen,
                                     dv_mp_error *err)
{
    static const char mt[] = "multipart/form-data";
    size_t i = skip_ows(ct, 0, n);
    size_t t0 = i;
    while (i < n && ct[i] != ';' && !is_ows(ct[i]))
        i++;
    if (i - t0 != sizeof mt - 1 || strncasecmp(ct + t0, mt, sizeof mt - 1) != 0) {
        echo_buf eb;
        set_error(err, DV_MP_NOT_MULTIPART, 0, SIZE_MAX,
                  "the Content-Type is \"%s\", not multipart/form-data", echo(&eb, ct, n));
        return DV_MP_NOT_MULTIPART;
    }
    bool found = false;
    char tmp[DV_MP_MAX_BOUNDARY];
    for (;;) {
        size_t a0, alen;
        int np = next_param(ct, n, &i, &a0, &alen);
        if (np == 0)
            break;
        if (np < 0) {
            set_error(err, DV_MP_BAD_BOUNDARY, 0, SIZE_MAX,
                      "the Content-Type parameters are malformed at byte %zu", i);
            return DV_MP_BAD_BOUNDARY;
        }
        bool is_b = alen == 8 && strncasecmp(ct + a0, "boundary", 8) == 0;
        size_t vlen = 0;
        size_t next = read_value(ct, i, n, tmp, sizeof tmp, &vlen);
        if (next == (size_t)-1) {
            set_error(err, DV_MP_BAD_BOUNDARY, 0, SIZE_MAX,
                      "the Content-Type parameter at byte %zu has an empty or "
                      "unterminated value",
                      a0);
            return DV_MP_BAD_BOUNDARY;
        }
        i = next;
        if (!is_b)
            continue;
        if (found) {
            set_error(err, DV_MP_BAD_BOUNDARY, 0, SIZE_MAX,
                      "the Content-Type has two boundary parameters");
            return DV_MP_BAD_BOUNDARY;
        }
        found = true;
        if (vlen == 0 || vlen > DV_MP_MAX_BOUNDARY) {
            set_error(err, DV_MP_BAD_BOUNDARY, 0, SIZE_MAX,
                      "the boundary has %zu bytes; it must have 1 to %d", vlen,
                      DV_MP_MAX_BOUNDARY);
            return DV_MP_BAD_BOUNDARY;
        }
        for (size_t k = 0; k < vlen; k++) {
            if (!boundary_byte_ok((unsigned char)tmp[k])) {
                set_error(err, DV_MP_BAD_BOUNDARY, 0, SIZE_MAX,
                          "the boundary has byte 0x%02x at %zu; only printable ASCII is "
                          "allowed",
                          (unsigned)(unsigned char)tmp[k], k);
                return DV_MP_BAD_BOUNDARY;
            }
        }
        if (tmp[vlen - 1] == ' ') {
            set_error(err, DV_MP_BAD_BOUNDARY, 0, SIZE_MAX,
                      "the boundary ends with a space (RFC 2046 forbids it)");
            return DV_MP_BAD_BOUNDARY;
        }
        memcpy(boundary, tmp, vlen);
        *blen = vlen;
    }
    if (!found) {
        set_error(err, DV_MP_NO_BOUNDARY, 0, SIZE_MAX,
                  "the Content-Type multipart/form-data has no boundary parameter");
        return DV_MP_NO_BOUNDARY;
    }
    return DV_MP_OK;
}

/* ---- construction ------------------------------------------------------------------- */

static void limits_of(const dv_mp_limits *l, size_t *hdr, size_t *parts)
{
    *hdr = l && l->max_header_bytes ? l->max_header_bytes : DV_MP_DEFAULT_HEADER_BYTES;
    *parts = l && l->max_parts ? l->max_parts : DV_MP_DEFAULT_PARTS;
}

size_t dv_mp_footprint(const dv_mp_limits *limits)
{
    size_t hdr, parts;
    limits_of(limits, &hdr, &parts);
    /* struct + hbuf (hdr) + vbuf (hdr + 4), without wrapping around */
    if (hdr > (SIZE_MAX - sizeof(struct dv_mp_parser) - 4) / 2)
        return 0;
    return sizeof(struct dv_mp_parser) + 2 * hdr + 4;
}

dv_mp_parser *dv_mp_init(void *mem, size_t mem_size, const char *content_type,
                         size_t ct_len, const dv_mp_limits *limits,
                         const dv_mp_callbacks *cb, void *user, dv_mp_error *err)
{
    dv_mp_error local;
    if (!err)
        err = &local;
    memset(err, 0, sizeof *err);
    err->part = SIZE_MAX;
    size_t need = dv_mp_footprint(limits);
    (void)need; /* read by the asserts only */
    assert(mem != NULL && need != 0 && mem_size >= need);
    assert((uintptr_t)mem % _Alignof(struct dv_mp_parser) == 0);
    (void)mem_size;
    if (!content_type)
        ct_len = 0;
    char boundary[DV_MP_MAX_BOUNDARY];
    size_t blen = 0;
    if (parse_content_type(content_type ? content_type : "", ct_len, boundary, &blen, err))
        return NULL;
    struct dv_mp_parser *p = mem;
    memset(p, 0, sizeof *p);
    if (cb)
        p->cb = *cb;
    p->user = user;
    limits_of(limits, &p->max_header, &p->max_parts);
    memcpy(p->delim, "\r\n--", 4);
    memcpy(p->delim + 4, boundary, blen);
    p->dlen = 4 + blen;
    p->delim[p->dlen] = '\0';
    p->state = ST_PREAMBLE;
    p->match = 2; /* the virtual CRLF before the body (see the header comment) */
    p->err.part = SIZE_MAX;
    p->hbuf = (char *)(p + 1);
    p->vbuf = p->hbuf + p->max_header;
    return p;
}

dv_mp_parser *dv_mp_new(const char *content_type, size_t ct_len, const dv_mp_limits *limits,
                        const dv_mp_callbacks *cb, void *user, dv_mp_error *err)
{
    size_t need = dv_mp_footprint(limits);
    (void)need; /* read by the asserts only */
    void *mem = need ? malloc(need) : NULL;
    if (!mem) {
        if (err)
            set_error(err, DV_MP_NO_MEMORY, 0, SIZE_MAX,
                      "no memory for the multipart parser");
        return NULL;
    }
    dv_mp_parser *p = dv_mp_init(mem, need, content_type, ct_len, limits, cb, user, err);
    if (!p) {
        free(mem);
        return NULL;
    }
    p->heap = true;
    return p;
}

void dv_mp_free(dv_mp_parser *p)
{
    if (p) {
        assert(p->heap);
        free(p);
    }
}

const dv_mp_error *dv_mp_error_of(const dv_mp_parser *p)
{
    return &p->err;
}

size_t dv_mp_parts(const dv_mp_parser *p)
{
    return p->parts;
}

/* ---- part headers ------------------------------------------------------------------- */

/* The part index for messages: the one whose headers or data we are in. */
static size_t cur_part(const struct dv_mp_parser *p)
{
    return p->parts ? p->parts - 1 : SIZE_MAX;
}

/* Reserves len + 1 bytes of vbuf for a value. The caller has checked, by construction,
 * that the values kept fit: each is at most as long as its header text. */
static char *vbuf_take(struct dv_mp_parser *p, size_t len)
{
    assert(p->vused + len + 1 <= p->max_header + 4);
    char *out = p->vbuf + p->vused;
    p->vused += len + 1;
    return out;
}

/* Parses the Content-Disposition value v[0..n) (n bytes, not NUL-terminated); off is the
 * body offset of v[0]. Keeps name and filename in vbuf. */
static dv_mp_kind parse_disposition(struct dv_mp_parser *p, const char *v, size_t n,
                                    uint64_t off)
{
    size_t ip = cur_part(p);
    echo_buf eb;
    size_t i = skip_token(v, 0, n);
    if (i != 9 || strncasecmp(v, "form-data", 9) != 0)
        return fail(p, DV_MP_BAD_HEADER, off, ip,
                    "part %zu has Content-Disposition \"%s\"; it must be form-data", ip + 1,
                    echo(&eb, v, n));
    for (;;) {
        size_t a0, alen;
        int np = next_param(v, n, &i, &a0, &alen);
        if (np == 0)
            break;
        if (np < 0)
            return fail(p, DV_MP_BAD_HEADER, off + i, ip,
                        "part %zu: Content-Disposition is malformed at byte %zu", ip + 1,
                        i);
        bool is_name = alen == 4 && strncasecmp(v + a0, "name", 4) == 0;
        bool is_file = alen == 8 && strncasecmp(v + a0, "filename", 8) == 0;
        if ((is_name && p->part.name) || (is_file && p->part.filename))
            return fail(p, DV_MP_BAD_HEADER, off + a0, ip,
                        "part %zu: Content-Disposition gives %s twice", ip,
                        is_name ? "name" : "filename");
        /* Unescape into the free end of vbuf; only name and filename are then kept. */
        char *out = p->vbuf + p->vused;
        size_t vlen = 0;
        assert(p->vused + (n - i) + 1 <= p->max_header + 4);
        size_t next = read_value(v, i, n, out, n - i, &vlen);
        if (next == (size_t)-1)
            return fail(p, DV_MP_BAD_HEADER, off + i, ip,
                        "part %zu: Content-Disposition has an empty or unterminated "
                        "value at byte %zu",
                        ip + 1, i);
        if (is_name || is_file) {
            out = vbuf_take(p, vlen);
            out[vlen] = '\0';
            if (is_name) {
                p->part.name = out;
                p->part.name_len = vlen;
            } else {
                p->part.filename = out;
                p->part.filename_len = vlen;
            }
        }
        i = next;
    }
    return DV_MP_OK;
}

static bool value_is(const char *v, size_t n, const char *word)
{
    size_t w = strlen(word);
    return n == w && strncasecmp(v, word, w) == 0;
}

/* The header block hbuf[0..hlen) is complete (it ends with an empty line): checks it,
 * unfolds it and fills p->part. */
static dv_mp_kind parse_headers(struct dv_mp_parser *p)
{
    char *h = p->hbuf;
    size_t n = p->hlen;
    size_t ip = cur_part(p);
    assert(n >= 2 && h[n - 2] == '\r' && h[n - 1] == '\n');
    for (size_t k = 0; k < n; k++) {
        unsigned char c = (unsigned char)h[k];
        bool bad = (c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f;
        if (c == '\r')
            bad = k + 1 >= n || h[k + 1] != '\n';
        if (c == '\n')
            bad = k == 0 || h[k - 1] != '\r';
        if (bad)
            return fail(p, DV_MP_BAD_HEADER, p->hstart + k, ip,
                        "part %zu: header byte %zu is 0x%02x (a control byte or a bare "
                        "CR/LF)",
                        ip + 1, k, (unsigned)c);
    }
    if (is_ows(h[0]))
        return fail(p, DV_MP_BAD_HEADER, p->hstart, ip,
                    "part %zu: the first header line starts with white space", ip + 1);
    /* Obsolete line folding (CRLF + SP/HT continues a line): join by blanking the CRLF. */
    for (size_t k = 0; k + 2 < n; k++)
        if (h[k] == '\r' && is_ows(h[k + 2]))
            h[k] = h[k + 1] = ' ';
    memset(&p->part, 0, sizeof p->part);
    p->part.index = ip;
    p->vused = 0;
    bool seen_cd = false, seen_ct = false;
    size_t pos = 0;
    while (pos < n) {
        const char *cr = memchr(h + pos, '\r', n - pos);
        assert(cr != NULL);
        size_t e = (size_t)(cr - h);
        if (e == pos)
            break; /* the empty line */
        uint64_t off = p->hstart + pos;
        const char *line = h + pos;
        size_t len = e - pos;
        size_t c = skip_token(line, 0, len);
        echo_buf eb;
        if (c == 0 || c == len || line[c] != ':')
            return fail(p, DV_MP_BAD_HEADER, off, ip,
                        "part %zu: header line \"%s\" is not \"Name: value\"", ip + 1,
                        echo(&eb, line, len));
        size_t v0 = skip_ows(line, c + 1, len);
        size_t v1 = len;
        while (v1 > v0 && is_ows(line[v1 - 1]))
            v1--;
        const char *v = line + v0;
        size_t vn = v1 - v0;
        if (value_is(line, c, "content-disposition")) {
            if (seen_cd)
                return fail(p, DV_MP_BAD_HEADER, off, ip,
                            "part %zu has two Content-Disposition headers", ip + 1);
            seen_cd = true;
            if (parse_disposition(p, v, vn, off + v0))
                return p->err.kind;
        } else if (value_is(line, c, "content-type")) {
            if (seen_ct)
                return fail(p, DV_MP_BAD_HEADER, off, ip,
                            "part %zu has two Content-Type headers", ip + 1);
            seen_ct = true;
            size_t m = 0;
            while (m < vn && v[m] != ';' && !is_ows(v[m]))
                m++;
            if (m == 0)
                return fail(p, DV_MP_BAD_HEADER, off, ip,
                            "part %zu has an empty Content-Type", ip + 1);
            char *out = vbuf_take(p, m);
            for (size_t k = 0; k < m; k++) {
                char ch = v[k];
                out[k] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
            }
            out[m] = '\0';
            p->part.content_type = out;
        } else if (value_is(line, c, "content-transfer-encoding")) {
            if (!value_is(v, vn, "binary") && !value_is(v, vn, "8bit") &&
                !value_is(v, vn, "7bit"))
                return fail(p, DV_MP_BAD_HEADER, off, ip,
                            "part %zu has Content-Transfer-Encoding \"%s\"; send the "
                            "bytes as they are (binary)",
                            ip + 1, echo(&eb, v, vn));
        }
        pos = e + 2;
    }
    if (!p->part.name)
        return fail(p, DV_MP_NO_NAME, p->hstart, ip,
                    "part %zu has no name; each part needs Content-Disposition: "
                    "form-data; name=\"...\"",
                    ip + 1);
    if (p->part.name_len == 0)
        return fail(p, DV_MP_NO_NAME, p->hstart, ip, "part %zu has an empty name", ip + 1);
    return DV_MP_OK;
}

/* ---- the delimiter scan ------------------------------------------------------------- */

/* Hands len bytes of part data to the caller (nothing in the preamble). */
static bool deliver(struct dv_mp_parser *p, const char *s, size_t len, uint64_t off)
{
    if (len == 0 || p->state != ST_DATA || !p->cb.part_data)
        return true;
    if (p->cb.part_data(p->user, s, len) != 0) {
        fail(p, DV_MP_ABORTED, off, cur_part(p), "part %zu: the data callback stopped",
             cur_part(p) + 1);
        return false;
    }
    return true;
}

/* Bytes after the scan's start searched CR by CR before memmem takes over. */
#define SCAN_WINDOW 256

/* The scan found d[0..k) at s[c] (k = dlen: the whole delimiter; else a prefix ending
 * the chunk): delivers the data before it and returns the bytes consumed. */
static size_t found_at(struct dv_mp_parser *p, const char *s, size_t start, size_t c,
                       size_t k, size_t n, bool *found)
{
    if (!deliver(p, s + start, c - start, p->offset + start))
        return 0;
    if (k == p->dlen) {
        *found = true;
        return c + k;
    }
    assert(c + k == n);
    p->match = k; /* a prefix of d ends the chunk: withhold it */
    return n;
}

/* Scans s[0..n) for the delimiter, delivering the bytes before it (in ST_DATA). Returns
 * the bytes consumed; *found says whether the delimiter was completed (then the bytes
 * consumed end with it). On a callback failure the state is ST_ERROR. */
static size_t scan(struct dv_mp_parser *p, const char *s, size_t n, bool *found)
{
    const char *d = p->delim;
    size_t dl = p->dlen;
    size_t i = 0;
    *found = false;
    if (p->match > 0) {
        /* Continue the match left at the end of the last chunk. */
        size_t m = p->match;
        while (i < n && m < dl && s[i] == d[m]) {
            i++;
            m++;
        }
        if (m == dl) {
            p->match = 0;
            *found = true;
            return i;
        }
        if (i == n) {
            p->match = m;
            return n;
        }
        /* Failed at s[i]: the withheld bytes d[0..p->match) and s[0..i) are data (they
         * are both prefixes of d, so deliver d[0..m)). d has '\r' only at 0, so the next
         * match can only start at s[i] or later; s[i] is not consumed. */
        p->match = 0;
        if (!deliver(p, d, m, p->offset))
            return 0;
    }
    size_t start = i;
    /* First the CRs of a short window, each compared with the delimiter (as far as the
     * chunk goes): cheap when the part is short. Then glibc's memmem, which skips ahead
     * by a table of byte pairs (linear worst case) — several times faster than stopping
     * at every CR of binary data, but it builds that table on each call, which would
     * dominate for parts of a few bytes. */
    size_t window = n - i < SCAN_WINDOW ? n : i + SCAN_WINDOW;
    size_t c = i;
    for (;;) {
        const char *cr = memchr(s + c, '\r', window - c);
        if (!cr)
            break;
        c = (size_t)(cr - s);
        size_t k = n - c < dl ? n - c : dl;
        if (memcmp(s + c, d, k) == 0)
            return found_at(p, s, start, c, k, n, found);
        c++;
    }
    if (window < n) {
        const char *hit = memmem(s + window, n - window, d, dl);
        if (hit)
            return found_at(p, s, start, (size_t)(hit - s), dl, n, found);
        /* Else only a CR in the last dl − 1 bytes can start a partial match, and at
         * most one can (d has no CR after d[0], so a matching tail holds no other CR). */
        for (c = n - window >= dl ? n - dl + 1 : window; c < n; c++) {
            const char *cr = memchr(s + c, '\r', n - c);
            if (!cr)
                break;
            c = (size_t)(cr - s);
            if (memcmp(s + c, d, n - c) == 0)
                return found_at(p, s, start, c, n - c, n, found);
        }
    }
    if (!deliver(p, s + start, n - start, p->offset + start))
        return 0;
    return n;
}

/* ---- feeding ------------------------------------------------------------------------ */

static dv_mp_kind begin_headers(struct dv_mp_parser *p, uint64_t off)
{
    if (p->parts == p->max_parts)
        return fail(p, DV_MP_TOO_MANY_PARTS, off, SIZE_MAX,
                    "the body has more than %zu parts", p->max_parts);
    p->parts++;
    p->hlen = 0;
    p->hstart = off;
    p->state = ST_HEADERS;
    return DV_MP_OK;
}

/* One byte after a delimiter: "--" closes the body; white space + CRLF opens a part.
 * Returns whether the byte was consumed (not when a preamble "delimiter" fails on it). */
static bool after_byte(struct dv_mp_parser *p, char c, uint64_t off)
{
    switch (p->after) {
    case AD_START:
    case AD_LWSP:
        if (c == '-' && p->after == AD_START) {
            p->after = AD_DASH;
            return true;
        }
        if (is_ows(c)) {
            p->after = AD_LWSP;
            return true;
        }
        if (c == '\r') {
            p->after = AD_CR;
            return true;
        }
        break;
    case AD_DASH:
        if (c == '-') {
            p->state = ST_EPILOGUE;
            return true;
        }
        break;
    case AD_CR:
        if (c == '\n') {
            begin_headers(p, off + 1);
            return true;
        }
        break;
    default: assert(0);
    }
    if (p->in_preamble) {
        /* Not a delimiter after all, but the preamble is ignored text: go on scanning
         * it from this byte (a CR here may start the real delimiter). */
        p->state = ST_PREAMBLE;
        p->match = 0;
        return false;
    }
    fail(p, DV_MP_BAD_DELIMITER, off, cur_part(p),
         "the boundary delimiter \"%s\" is followed by byte 0x%02x; it must be "
         "followed by CRLF or \"--\" (and must not occur inside a part)",
         p->delim + 2, (unsigned)(unsigned char)c);
    return true;
}

/* Copies header bytes from s[0..n) until the empty line; returns the bytes used. */
static size_t header_bytes(struct dv_mp_parser *p, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        /* Copy up to and including the next LF (the only byte that can end the block). */
        const char *lf = memchr(s + i, '\n', n - i);
        size_t take = lf ? (size_t)(lf - s) + 1 - i : n - i;
        size_t room = p->max_header - p->hlen;
        if (take > room) {
            fail(p, DV_MP_HEADER_TOO_LONG, p->offset + i + room, cur_part(p),
                 "part %zu: the part headers are longer than %zu bytes", cur_part(p) + 1,
                 p->max_header);
            return i + room;
        }
        memcpy(p->hbuf + p->hlen, s + i, take);
        p->hlen += take;
        i += take;
        if (!lf)
            break;
        const char *h = p->hbuf;
        size_t l = p->hlen;
        bool end =
            (l == 2 && h[0] == '\r') || (l >= 4 && memcmp(h + l - 4, "\r\n\r\n", 4) == 0);
        if (!end)
            continue;
        if (parse_headers(p))
            return i;
        p->state = ST_DATA;
        p->match = 0;
        if (p->cb.part_begin && p->cb.part_begin(p->user, &p->part) != 0)
            fail(p, DV_MP_ABORTED, p->offset + i, cur_part(p),
                 "part %zu: the part_begin callback stopped", cur_part(p) + 1);
        return i;
    }
    return n;
}

dv_mp_kind dv_mp_feed(dv_mp_parser *p, const void *data, size_t len)
{
    assert(p != NULL && (data != NULL || len == 0));
    const char *s = data;
    size_t i = 0;
    while (i < len && p->state != ST_ERROR) {
        size_t used = 0;
        switch (p->state) {
        case ST_PREAMBLE:
        case ST_DATA: {
            bool found = false;
            bool in_data = p->state == ST_DATA;
            used = scan(p, s + i, len - i, &found);
            if (p->state == ST_ERROR)
                break;
            if (found) {
                if (in_data && p->cb.part_end && p->cb.part_end(p->user) != 0) {
                    fail(p, DV_MP_ABORTED, p->offset + used, cur_part(p),
                         "part %zu: the part_end callback stopped", cur_part(p) + 1);
                    break;
                }
                p->in_preamble = !in_data;
                p->state = ST_AFTER;
                p->after = AD_START;
            }
            break;
        }
        case ST_AFTER: used = after_byte(p, s[i], p->offset) ? 1 : 0; break;
        case ST_HEADERS: used = header_bytes(p, s + i, len - i); break;
        case ST_EPILOGUE: used = len - i; break;
        default: assert(0);
        }
        i += used;
        p->offset += used;
    }
    return p->state == ST_ERROR ? p->err.kind : DV_MP_OK;
}

dv_mp_kind dv_mp_finish(dv_mp_parser *p)
{
    size_t ip = cur_part(p);
    echo_buf eb;
    switch (p->state) {
    case ST_ERROR: return p->err.kind;
    case ST_EPILOGUE: return DV_MP_OK;
    case ST_PREAMBLE:
        return fail(p, DV_MP_MISSING_DELIMITER, p->offset, SIZE_MAX,
                    "the body does not contain the boundary delimiter \"%s\"",
                    p->delim + 2);
    case ST_AFTER:
        return fail(p, DV_MP_TRUNCATED, p->offset, ip,
                    "the body ends right after a delimiter; the last one must be "
                    "\"%s--\"",
                    p->delim + 2);
    case ST_HEADERS:
        return fail(p, DV_MP_TRUNCATED, p->offset, ip,
                    "the body ends inside the headers of part %zu", ip + 1);
    case ST_DATA:
        return fail(p, DV_MP_TRUNCATED, p->offset, ip,
                    "the body ends inside part %zu (\"%s\") before its closing "
                    "delimiter \"%s\"",
                    ip + 1, echo(&eb, p->part.name, p->part.name_len), p->delim + 2);
    default: assert(0);
    }
    return DV_MP_OK;
}
