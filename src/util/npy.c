/*
 * npy.c — the .npy and raw float64 decoders of npy.h.
 *
 * The .npy layout (numpy.lib.format): the magic "\x93NUMPY", major and minor version
 * bytes, the header length (2 bytes little-endian in 1.0, 4 bytes in 2.0 and 3.0), the
 * header — a Python dict literal {'descr': '<f8', 'fortran_order': False, 'shape': (3,)}
 * padded with spaces and a '\n' — and the elements. We parse only that literal subset
 * (strings, True/False, a tuple of non-negative integers), strictly: numpy writes exactly
 * this and anything else is a file we would be guessing about.
 *
 * Data are converted element by element from the caller's chunk into the output; an
 * element cut by a chunk boundary is completed in a small buffer. Fortran-order 2-D data
 * arrive column by column and are scattered into row-major positions with a running
 * (row, col) pair, so no division per element.
 */
#include "npy.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum { S_PREFIX, S_HEADER, S_WAIT, S_DATA, S_DONE, S_ERROR };

/* Element converters: kind and size, byte order handled by a swap. */
enum { C_F8, C_F4, C_I1, C_U1, C_B1, C_I2, C_U2, C_I4, C_U4, C_I8, C_U8 };

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define HOST_BIG true
#else
#define HOST_BIG false
#endif

static const unsigned char MAGIC[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

const char *dv_npy_status_name(dv_npy_status s)
{
    switch (s) {
    case DV_NPY_OK: return "ok";
    case DV_NPY_HEADER_READY: return "header_ready";
    case DV_NPY_BAD_MAGIC: return "bad_magic";
    case DV_NPY_BAD_VERSION: return "bad_version";
    case DV_NPY_BAD_HEADER: return "bad_header";
    case DV_NPY_BAD_DTYPE: return "bad_dtype";
    case DV_NPY_BAD_SHAPE: return "bad_shape";
    case DV_NPY_TOO_LARGE: return "too_large";
    case DV_NPY_TRUNCATED: return "truncated";
    case DV_NPY_TRAILING: return "trailing";
    case DV_NPY_BAD_VALUE: return "bad_value";
    case DV_NPY_BAD_LENGTH: return "bad_length";
    }
    return "unknown";
}

static void set_err(dv_npy_error *e, dv_npy_status kind, uint64_t offset, const char *fmt,
                    va_list ap) __attribute__((format(printf, 4, 0)));

static void set_err(dv_npy_error *e, dv_npy_status kind, uint64_t offset, const char *fmt,
                    va_list ap)
{
    e->kind = kind;
    e->offset = offset;
    vsnprintf(e->text, sizeof e->text, fmt, ap);
}

/* Records the first error, makes it sticky, returns its kind. */
static dv_npy_status fail(dv_npy *d, dv_npy_status kind, uint64_t offset, const char *fmt,
                          ...) __attribute__((format(printf, 4, 5)));

static dv_npy_status fail(dv_npy *d, dv_npy_status kind, uint64_t offset, const char *fmt,
                          ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_err(&d->err, kind, offset, fmt, ap);
    va_end(ap);
    d->state = S_ERROR;
    return kind;
}

/* Header text quoted in a message: printable ASCII, else '?', at most 24 bytes. */
static const char *echo(char out[32], const char *s, size_t n)
{
    size_t k = 0;
    for (; k < n && k < 24; k++) {
        unsigned char c = (unsigned char)s[k];
        out[k] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    if (k < n) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k] = '\0';
    return out;
}

void dv_npy_init(dv_npy *d)
{
    memset(d, 0, sizeof *d);
    d->state = S_PREFIX;
}

const dv_npy_info *dv_npy_info_of(const dv_npy *d)
{
    return &d->info;
}

const dv_npy_error *dv_npy_error_of(const dv_npy *d)
{
    return &d->err;
}

/* ---- the header dict ---------------------------------------------------------------- */

typedef struct cursor {
    const char *s;
    size_t n, i;
    uint64_t base; /* part offset of s[0], for messages */
} cursor;

static void skip_ws(cursor *c)
{
    while (c->i < c->n && (c->s[c->i] == ' ' || c->s[c->i] == '\t' || c->s[c->i] == '\n' ||
                           c->s[c->i] == '\r'))
        c->i++;
}

static bool eat(cursor *c, char ch)
{
    skip_ws(c);
    if (c->i < c->n && c->s[c->i] == ch) {
        c->i++;
        return true;
    }
    return false;
}

/* A Python string literal in ' or " without escapes: sets *at, *len. */
static bool read_str(cursor *c, const char **at, size_t *len)
{
    skip_ws(c);
    if (c->i >= c->n || (c->s[c->i] != '\'' && c->s[c->i] != '"'))
        return false;
    char q = c->s[c->i++];
    size_t a = c->i;
    while (c->i < c->n && c->s[c->i] != q) {
        if (c->s[c->i] == '\\' || c->s[c->i] == '\n')
            return false;
        c->i++;
    }
    if (c->i >= c->n)
        return false;
    *at = c->s + a;
    *len = c->i - a;
    c->i++;
    return true;
}

static bool word_is(const char *s, size_t n, const char *w)
{
    return strlen(w) == n && memcmp(s, w, n) == 0;
}

/* Checks descr and fills the type fields of the info, or fails with BAD_DTYPE. */
static dv_npy_status parse_descr(dv_npy *d, const char *s, size_t n, uint64_t off)
{
    dv_npy_info *in = &d->info;
    char eb[32];
    if (n >= sizeof in->descr)
        goto bad;
    memcpy(in->descr, s, n);
    in->descr[n] = '\0';
    if (n < 3 || !strchr("<>|=", s[0]) || s[0] == '\0')
        goto bad;
    size_t size = 0;
    for (size_t k = 2; k < n; k++) {
        if (s[k] < '0' || s[k] > '9' || size > 8)
            goto bad;
        size = size * 10 + (size_t)(s[k] - '0');
    }
    static const struct {
        char kind;
        size_t size;
        dv_npy_type type;
        int code;
    } table[] = {
        {'f', 8, DV_NPY_FLOAT, C_F8}, {'f', 4, DV_NPY_FLOAT, C_F4},
        {'i', 1, DV_NPY_INT, C_I1},   {'i', 2, DV_NPY_INT, C_I2},
        {'i', 4, DV_NPY_INT, C_I4},   {'i', 8, DV_NPY_INT, C_I8},
        {'u', 1, DV_NPY_UINT, C_U1},  {'u', 2, DV_NPY_UINT, C_U2},
        {'u', 4, DV_NPY_UINT, C_U4},  {'u', 8, DV_NPY_UINT, C_U8},
        {'b', 1, DV_NPY_BOOL, C_B1},
    };
    for (size_t t = 0; t < sizeof table / sizeof table[0]; t++) {
        if (table[t].kind != s[1] || table[t].size != size)
            continue;
        if (s[0] == '|' && size > 1)
            return fail(d, DV_NPY_BAD_DTYPE, off,
                        "the .npy dtype '%s' has no byte order ('|') but %zu-byte "
                        "elements; it must start with '<' or '>'", echo(eb, s, n), size);
        in->type = table[t].type;
        in->itemsize = size;
        in->big_endian = size > 1 && (s[0] == '>' || (s[0] == '=' && HOST_BIG));
        d->code = table[t].code;
        return DV_NPY_OK;
    }
bad:
    return fail(d, DV_NPY_BAD_DTYPE, off,
                "the .npy dtype is '%s'; supported are float64, float32, int8-int64, "
                "uint8-uint64 and bool ('<f8', '>f4', '<i8', '|u1', '|b1', ...)",
                echo(eb, s, n));
}

/* The shape tuple: ( ), (n,), (r, c) with an optional trailing comma after the last. */
static dv_npy_status parse_shape(dv_npy *d, cursor *c)
{
    dv_npy_info *in = &d->info;
    uint64_t off = c->base + c->i;
    if (!eat(c, '('))
        return fail(d, DV_NPY_BAD_HEADER, off, "the .npy 'shape' is not a tuple");
    size_t nd = 0;
    bool comma = false;
    for (;;) {
        if (eat(c, ')'))
            break;
        if (nd > 0 && !comma)
            return fail(d, DV_NPY_BAD_HEADER, c->base + c->i,
                        "the .npy 'shape' tuple is malformed");
        skip_ws(c);
        size_t a = c->i;
        size_t v = 0;
        while (c->i < c->n && c->s[c->i] >= '0' && c->s[c->i] <= '9') {
            size_t dig = (size_t)(c->s[c->i] - '0');
            if (v > (SIZE_MAX - dig) / 10)
                return fail(d, DV_NPY_TOO_LARGE, c->base + a,
                            "a .npy shape dimension does not fit in %zu bits",
                            sizeof(size_t) * 8);
            v = v * 10 + dig;
            c->i++;
        }
        if (c->i == a)
            return fail(d, DV_NPY_BAD_HEADER, c->base + a,
                        "the .npy 'shape' tuple is malformed");
        if (c->i < c->n && c->s[c->i] == 'L') /* Python 2's long suffix (old files) */
            c->i++;
        if (nd == 2)
            return fail(d, DV_NPY_BAD_SHAPE, off,
                        "the .npy array has more than 2 dimensions; at most 2 (rows x "
                        "columns) are supported");
        in->shape[nd++] = v;
        comma = eat(c, ',');
    }
    /* Python: "(3)" is the integer 3, not a tuple; numpy never writes it. */
    if (nd == 1 && !comma)
        return fail(d, DV_NPY_BAD_HEADER, off,
                    "the .npy 'shape' is (n) without a comma; a 1-D shape is (n,)");
    in->ndim = nd;
    return DV_NPY_OK;
}

/* Parses the dict in buf[prefix .. prefix + hlen) and fills the info. */
static dv_npy_status parse_header(dv_npy *d, size_t prefix)
{
    dv_npy_info *in = &d->info;
    cursor c = {d->buf + prefix, d->hlen, 0, prefix};
    bool seen_descr = false, seen_order = false, seen_shape = false;
    if (!eat(&c, '{'))
        return fail(d, DV_NPY_BAD_HEADER, prefix, "the .npy header is not a dict");
    for (;;) {
        if (eat(&c, '}'))
            break;
        uint64_t koff = c.base + c.i;
        const char *k;
        size_t kn;
        if (!read_str(&c, &k, &kn))
            return fail(d, DV_NPY_BAD_HEADER, koff,
                        "the .npy header dict is malformed at byte %llu",
                        (unsigned long long)koff);
        if (!eat(&c, ':'))
            return fail(d, DV_NPY_BAD_HEADER, c.base + c.i,
                        "the .npy header dict is malformed at byte %llu",
                        (unsigned long long)(c.base + c.i));
        skip_ws(&c);
        uint64_t voff = c.base + c.i;
        char eb[32];
        if (word_is(k, kn, "descr") && !seen_descr) {
            seen_descr = true;
            const char *v;
            size_t vn;
            if (c.i < c.n && c.s[c.i] == '[')
                return fail(d, DV_NPY_BAD_DTYPE, voff,
                            "the .npy dtype is a structured (record) dtype; only plain "
                            "numeric and bool arrays are supported");
            if (!read_str(&c, &v, &vn))
                return fail(d, DV_NPY_BAD_HEADER, voff,
                            "the .npy 'descr' is not a string");
            if (parse_descr(d, v, vn, voff))
                return d->err.kind;
        } else if (word_is(k, kn, "fortran_order") && !seen_order) {
            seen_order = true;
            if (c.n - c.i >= 4 && memcmp(c.s + c.i, "True", 4) == 0) {
                in->fortran_order = true;
                c.i += 4;
            } else if (c.n - c.i >= 5 && memcmp(c.s + c.i, "False", 5) == 0) {
                in->fortran_order = false;
                c.i += 5;
            } else {
                return fail(d, DV_NPY_BAD_HEADER, voff,
                            "the .npy 'fortran_order' is not True or False");
            }
        } else if (word_is(k, kn, "shape") && !seen_shape) {
            seen_shape = true;
            if (parse_shape(d, &c))
                return d->err.kind;
        } else {
            return fail(d, DV_NPY_BAD_HEADER, koff,
                        "the .npy header has an unexpected or repeated key '%s'",
                        echo(eb, k, kn));
        }
        if (!eat(&c, ',')) {
            if (eat(&c, '}'))
                break;
            return fail(d, DV_NPY_BAD_HEADER, c.base + c.i,
                        "the .npy header dict is malformed at byte %llu",
                        (unsigned long long)(c.base + c.i));
        }
    }
    skip_ws(&c);
    if (c.i != c.n)
        return fail(d, DV_NPY_BAD_HEADER, c.base + c.i,
                    "the .npy header has bytes after its dict (at byte %llu)",
                    (unsigned long long)(c.base + c.i));
    if (!seen_descr || !seen_order || !seen_shape)
        return fail(d, DV_NPY_BAD_HEADER, prefix, "the .npy header lacks '%s'",
                    !seen_descr ? "descr" : !seen_order ? "fortran_order" : "shape");

    /* Sizes, each product checked before it is formed. */
    size_t count = 1;
    for (size_t k = 0; k < in->ndim; k++) {
        size_t dim = in->shape[k];
        if (dim != 0 && count > SIZE_MAX / dim)
            return fail(d, DV_NPY_TOO_LARGE, prefix,
                        "the .npy shape's element count overflows %zu bits",
                        sizeof(size_t) * 8);
        count *= dim;
    }
    if (count > SIZE_MAX / sizeof(double))
        return fail(d, DV_NPY_TOO_LARGE, prefix,
                    "the .npy shape declares %zu elements, more than can be held", count);
    in->count = count;
    in->data_bytes = count * in->itemsize; /* itemsize ≤ 8: bounded by the check above */
    in->data_offset = prefix + d->hlen;
    if (in->data_bytes > SIZE_MAX - in->data_offset)
        return fail(d, DV_NPY_TOO_LARGE, prefix, "the .npy data size overflows");
    /* Row-major already when the order flag cannot matter (≤ 1-D, or a 2-D array with
     * one row or one column: both orders lay it out identically). */
    bool row_major = !in->fortran_order || in->ndim < 2 || in->shape[0] <= 1 ||
                     in->shape[1] <= 1;
    in->in_place = d->code == C_F8 && in->big_endian == HOST_BIG && row_major;
    d->transpose = !row_major;
    return DV_NPY_OK;
}

/* ---- elements ----------------------------------------------------------------------- */

static uint16_t load16(const unsigned char *b, bool swap)
{
    uint16_t v;
    memcpy(&v, b, sizeof v);
    return swap ? __builtin_bswap16(v) : v;
}

static uint32_t load32(const unsigned char *b, bool swap)
{
    uint32_t v;
    memcpy(&v, b, sizeof v);
    return swap ? __builtin_bswap32(v) : v;
}

static uint64_t load64(const unsigned char *b, bool swap)
{
    uint64_t v;
    memcpy(&v, b, sizeof v);
    return swap ? __builtin_bswap64(v) : v;
}

#define TWO63 9223372036854775808.0
#define TWO64 18446744073709551616.0

/* Stores v at the next destination: out[k] in row-major order, or, for Fortran-order
 * data (which arrive column by column), at (row, col) with a running pair. */
#define EMIT(val)                                                                      \
    do {                                                                               \
        double v_ = (val);                                                             \
        if (tr) {                                                                      \
            out[row * cols + col] = v_;                                                \
            if (++row == rows) {                                                       \
                row = 0;                                                               \
                col++;                                                                 \
            }                                                                          \
        } else {                                                                       \
            out[k] = v_;                                                               \
        }                                                                              \
        k++;                                                                           \
    } while (0)

/* One loop per element type, the type switch outside it. */
#define EACH(isz, expr)                                                                \
    for (size_t e = 0; e < m; e++) {                                                   \
        const unsigned char *b = s + e * (isz);                                        \
        EMIT(expr);                                                                    \
    }

static double f8_of(const unsigned char *b, bool swap)
{
    uint64_t u = load64(b, swap);
    double v;
    memcpy(&v, &u, sizeof v);
    return v;
}

static double f4_of(const unsigned char *b, bool swap)
{
    uint32_t u = load32(b, swap);
    float f;
    memcpy(&f, &u, sizeof f);
    return (double)f; /* exact: every float is a double */
}

/* Every |x| ≤ 2^53 has an exact double; beyond, x is exact iff converting back gives
 * x. 2^63 (what 2^63 − 1 rounds to) is out of int64's range, so it is tested first: the
 * cast would be undefined. */
static double i8_of(const unsigned char *b, bool swap, bool *inexact)
{
    int64_t x = (int64_t)load64(b, swap);
    double v = (double)x;
    if ((x > ((int64_t)1 << 53) || x < -((int64_t)1 << 53)) &&
        (!(v < TWO63) || (int64_t)v != x))
        *inexact = true;
    return v;
}

static double u8_of(const unsigned char *b, bool swap, bool *inexact)
{
    uint64_t x = load64(b, swap);
    double v = (double)x;
    if (x > ((uint64_t)1 << 53) && (!(v < TWO64) || (uint64_t)v != x))
        *inexact = true;
    return v;
}

/* Converts the m whole elements at s; false (with the error set) on a bool byte other
 * than 0 or 1. Without an output only bools are looked at (the length is the check). */
static bool convert(dv_npy *d, const unsigned char *s, size_t m)
{
    if (d->code == C_B1) {
        for (size_t e = 0; e < m; e++) {
            if (s[e] > 1) {
                fail(d, DV_NPY_BAD_VALUE, d->info.data_offset + d->k + e,
                     "bool element %zu of the .npy data is byte 0x%02x; it must be 0 or 1",
                     d->k + e, (unsigned)s[e]);
                return false;
            }
        }
    }
    if (!d->out) {
        d->k += m;
        return true;
    }
    const bool swap = d->info.big_endian != HOST_BIG;
    const bool tr = d->transpose;
    const size_t rows = d->info.shape[0];
    const size_t cols = d->info.ndim == 2 ? d->info.shape[1] : 0;
    double *out = d->out;
    size_t k = d->k, row = d->row, col = d->col;
    bool inexact = false;
    switch (d->code) {
    case C_F8: EACH(8, f8_of(b, swap)); break;
    case C_F4: EACH(4, f4_of(b, swap)); break;
    case C_I1: EACH(1, (double)(int8_t)b[0]); break;
    case C_U1: EACH(1, (double)b[0]); break;
    case C_B1: EACH(1, (double)b[0]); break;
    case C_I2: EACH(2, (double)(int16_t)load16(b, swap)); break;
    case C_U2: EACH(2, (double)load16(b, swap)); break;
    case C_I4: EACH(4, (double)(int32_t)load32(b, swap)); break;
    case C_U4: EACH(4, (double)load32(b, swap)); break;
    case C_I8: EACH(8, i8_of(b, swap, &inexact)); break;
    case C_U8: EACH(8, u8_of(b, swap, &inexact)); break;
    default: assert(0);
    }
    d->k = k;
    d->row = row;
    d->col = col;
    if (inexact)
        d->info.inexact = true;
    return true;
}

#undef EACH
#undef EMIT

/* Consumes data bytes s[0..n) (n ≤ the data still due); false on a bad element. */
static bool data_bytes(dv_npy *d, const unsigned char *s, size_t n)
{
    size_t isz = d->info.itemsize;
    size_t i = 0;
    if (d->plen) {
        size_t take = isz - d->plen < n ? isz - d->plen : n;
        memcpy(d->part + d->plen, s, take);
        d->plen += take;
        i = take;
        if (d->plen < isz)
            return true;
        d->plen = 0;
        if (!convert(d, d->part, 1))
            return false;
    }
    size_t whole = (n - i) / isz;
    if (d->info.in_place && d->out) {
        /* Already host doubles in order: one copy, no per-element work. */
        memcpy(d->out + d->k, s + i, whole * sizeof(double));
        d->k += whole;
    } else if (!convert(d, s + i, whole)) {
        return false;
    }
    i += whole * isz;
    if (i < n) {
        assert(n - i < isz);
        memcpy(d->part, s + i, n - i);
        d->plen = n - i;
    }
    return true;
}

/* ---- feeding ------------------------------------------------------------------------ */

static size_t prefix_len(const dv_npy *d)
{
    return d->info.major == 1 ? 10 : 12;
}

/* One prefix byte; false on error. */
static bool prefix_byte(dv_npy *d, unsigned char c)
{
    size_t g = d->got;
    if (g < 6 && c != MAGIC[g]) {
        fail(d, DV_NPY_BAD_MAGIC, g,
             "the part is not a .npy file: byte %zu is 0x%02x, the magic is "
             "\\x93NUMPY", g, (unsigned)c);
        return false;
    }
    if (g == 6) {
        if (c < 1 || c > 3) {
            fail(d, DV_NPY_BAD_VERSION, g,
                 "the .npy format version is %u.x; 1.0, 2.0 and 3.0 are supported",
                 (unsigned)c);
            return false;
        }
        d->info.major = c;
    }
    if (g == 7) {
        if (c != 0) {
            fail(d, DV_NPY_BAD_VERSION, g,
                 "the .npy format version is %u.%u; 1.0, 2.0 and 3.0 are supported",
                 d->info.major, (unsigned)c);
            return false;
        }
        d->info.minor = 0;
    }
    d->buf[d->got++] = (char)c;
    if (d->got < 8 || d->got < prefix_len(d))
        return true;
    const unsigned char *b = (const unsigned char *)d->buf;
    d->hlen = d->info.major == 1 ? (size_t)b[8] | (size_t)b[9] << 8
                                 : (size_t)b[8] | (size_t)b[9] << 8 |
                                       (size_t)b[10] << 16 | (size_t)b[11] << 24;
    if (d->hlen == 0) {
        /* Refused here: with no header byte to come, nothing would trigger the parse. */
        fail(d, DV_NPY_BAD_HEADER, 8, "the .npy header is empty (length 0)");
        return false;
    }
    if (d->hlen > DV_NPY_MAX_HEADER) {
        fail(d, DV_NPY_BAD_HEADER, 8,
             "the .npy header is %zu bytes long; at most %d are supported", d->hlen,
             DV_NPY_MAX_HEADER);
        return false;
    }
    d->state = S_HEADER;
    return true;
}

dv_npy_status dv_npy_feed(dv_npy *d, const void *data, size_t len, size_t *used)
{
    const unsigned char *s = data;
    size_t i = 0;
    dv_npy_status st = DV_NPY_OK;
    assert(data != NULL || len == 0);
    while (i < len && st == DV_NPY_OK && d->state != S_ERROR) {
        switch (d->state) {
        case S_PREFIX:
            if (prefix_byte(d, s[i]))
                i++;
            break;
        case S_HEADER: {
            size_t pl = prefix_len(d);
            size_t need = pl + d->hlen - d->got;
            size_t take = need < len - i ? need : len - i;
            memcpy(d->buf + d->got, s + i, take);
            d->got += take;
            i += take;
            if (d->got == pl + d->hlen) {
                if (parse_header(d, pl) == DV_NPY_OK) {
                    d->state = S_WAIT;
                    st = DV_NPY_HEADER_READY;
                }
            }
            break;
        }
        case S_WAIT:
            /* The caller must call dv_npy_set_output first. */
            assert(d->state != S_WAIT); /* dv_npy_feed before dv_npy_set_output */
            st = DV_NPY_HEADER_READY;
            break;
        case S_DATA: {
            uint64_t due = d->info.data_bytes - d->data_got;
            size_t take = due < len - i ? (size_t)due : len - i;
            if (!data_bytes(d, s + i, take))
                break;
            d->data_got += take;
            i += take;
            if (d->data_got == d->info.data_bytes)
                d->state = S_DONE;
            break;
        }
        case S_DONE:
            fail(d, DV_NPY_TRAILING, d->info.data_offset + d->info.data_bytes,
                 "the .npy part has bytes after the %zu data bytes its header declares "
                 "(%zu elements of %s)", d->info.data_bytes, d->info.count, d->info.descr);
            break;
        default:
            assert(0);
        }
    }
    if (used)
        *used = i;
    if (d->state == S_ERROR)
        return d->err.kind;
    return st;
}

void dv_npy_set_output(dv_npy *d, double *out, size_t cap)
{
    assert(d->state == S_WAIT);
    assert(out == NULL || cap >= d->info.count);
    (void)cap;
    d->out = out;
    d->state = d->info.data_bytes == 0 ? S_DONE : S_DATA;
}

dv_npy_status dv_npy_finish(dv_npy *d)
{
    switch (d->state) {
    case S_ERROR:
        return d->err.kind;
    case S_DONE:
        return DV_NPY_OK;
    case S_PREFIX:
        return fail(d, DV_NPY_TRUNCATED, d->got,
                    d->got < 6 ? "the part is not a .npy file: it has only %zu bytes"
                               : "the .npy file ends after %zu bytes, inside its prefix",
                    d->got);
    case S_HEADER:
        return fail(d, DV_NPY_TRUNCATED, d->got,
                    "the .npy file ends inside its header (%zu of %zu header bytes)",
                    d->got - prefix_len(d), d->hlen);
    case S_WAIT:  /* no output was set, so no data were read either */
    case S_DATA:
        if (d->info.data_bytes == 0)
            return DV_NPY_OK;
        return fail(d, DV_NPY_TRUNCATED, d->info.data_offset + d->data_got,
                    "the .npy data end after %llu of the %zu bytes its header declares "
                    "(%zu elements of %s)", (unsigned long long)d->data_got,
                    d->info.data_bytes, d->info.count, d->info.descr);
    default:
        assert(0);
    }
    return d->err.kind;
}

/* ---- raw float64 -------------------------------------------------------------------- */

void dv_raw_f64_init(dv_raw_f64 *r)
{
    memset(r, 0, sizeof *r);
}

size_t dv_raw_f64_pending(const dv_raw_f64 *r, size_t len)
{
    /* (plen + len) / 8 without overflow: plen < 8. */
    return len / 8 + (r->plen + len % 8) / 8;
}

size_t dv_raw_f64_feed(dv_raw_f64 *r, const void *data, size_t len, double *out)
{
    const unsigned char *s = data;
    size_t n = dv_raw_f64_pending(r, len);
    size_t k = 0, i = 0;
    assert(out != NULL || n == 0);
    (void)n; /* read by the assert only */
    if (r->plen) {
        size_t take = 8 - r->plen < len ? 8 - r->plen : len;
        memcpy(r->part + r->plen, s, take);
        r->plen += take;
        i = take;
        if (r->plen == 8) {
            uint64_t u = load64(r->part, HOST_BIG);
            memcpy(&out[k++], &u, sizeof u);
            r->plen = 0;
        }
    }
    size_t whole = (len - i) / 8;
    if (!HOST_BIG) {
        memcpy(out + k, s + i, whole * sizeof(double));
        k += whole;
        i += whole * 8;
    } else {
        for (size_t e = 0; e < whole; e++, i += 8) {
            uint64_t u = load64(s + i, true);
            memcpy(&out[k++], &u, sizeof u);
        }
    }
    if (i < len) {
        memcpy(r->part + r->plen, s + i, len - i);
        r->plen += len - i;
        assert(r->plen < 8);
    }
    r->bytes += len;
    assert(k == n);
    return k;
}

uint64_t dv_raw_f64_count(const dv_raw_f64 *r)
{
    return r->bytes / 8;
}

dv_npy_status dv_raw_f64_finish(dv_raw_f64 *r)
{
    if (r->bytes % 8 == 0)
        return DV_NPY_OK;
    r->err.kind = DV_NPY_BAD_LENGTH;
    r->err.offset = r->bytes;
    snprintf(r->err.text, sizeof r->err.text,
             "the raw float64 part has %llu bytes, not a multiple of 8",
             (unsigned long long)r->bytes);
    return DV_NPY_BAD_LENGTH;
}
