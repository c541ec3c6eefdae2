/*
 * test_npy.c — the .npy and raw float64 decoders (src/util/npy.c).
 *
 * Reads tests/data/npy/MANIFEST (DV_TEST_DATA overrides "tests/data"), written with the
 * files beside it by tests/data/gen/gen_npy.py using Debian's numpy: every supported
 * dtype × byte order × version 1.0/2.0/3.0 × 0-D/1-D/2-D C/2-D Fortran, edge shapes, and
 * malformed files with the status they must give. Each file is decoded whole, at every
 * split into two chunks, and one byte at a time: the doubles (bit for bit), the info and
 * the error (kind and offset) must not change. Inline cases add sizes that overflow,
 * huge declared shapes checked before any allocation, and the raw float64 decoder.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"
#include "npy.h"

/* ---- helpers ------------------------------------------------------------------------ */

static unsigned char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    unsigned char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            unsigned char *nb = realloc(buf, cap *= 2);
            if (!nb)
                free(buf);
            buf = nb;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

static const char *data_dir(void)
{
    const char *d = getenv("DV_TEST_DATA");
    return d ? d : "tests/data";
}

static bool bits_equal(double a, double b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    uint64_t x, y;
    memcpy(&x, &a, sizeof x);
    memcpy(&y, &b, sizeof y);
    return x == y;
}

/* The outcome of one decode. */
typedef struct result {
    dv_npy_status st;
    dv_npy_error err;
    dv_npy_info info;
    double *vals; /* info.count doubles, malloc'd (NULL on error before the header) */
} result;

/* Decodes buf[0..n) fed in chunks cut at the sorted cuts[0..ncut) (chunk = 0 for
 * byte-at-a-time instead). With out_null, the output is NULL (length check only). */
static result decode(const unsigned char *buf, size_t n, const size_t *cuts, size_t ncut,
                     bool bytewise, bool out_null)
{
    result r = {0};
    dv_npy d;
    dv_npy_init(&d);
    size_t pos = 0, ci = 0;
    dv_npy_status st = DV_NPY_OK;
    while (pos < n) {
        size_t end = bytewise ? pos + 1 : (ci < ncut ? cuts[ci] : n);
        if (end > n)
            end = n;
        size_t used = 0;
        st = dv_npy_feed(&d, buf + pos, end - pos, &used);
        assert_true(used <= end - pos);
        pos += used;
        if (st == DV_NPY_HEADER_READY) {
            const dv_npy_info *in = dv_npy_info_of(&d);
            if (in->count <= (1u << 20)) {
                r.vals = calloc(in->count ? in->count : 1, sizeof(double));
                assert_non_null(r.vals);
                dv_npy_set_output(&d, out_null ? NULL : r.vals, in->count);
            } else {
                dv_npy_set_output(&d, NULL, 0); /* huge: never allocated */
            }
            st = DV_NPY_OK;
            continue;
        }
        if (st != DV_NPY_OK)
            break;
        assert_int_equal(pos, end); /* all used when OK */
        if (!bytewise && ci < ncut && pos == cuts[ci])
            ci++;
    }
    r.st = st != DV_NPY_OK ? st : dv_npy_finish(&d);
    r.err = *dv_npy_error_of(&d);
    r.info = *dv_npy_info_of(&d);
    return r;
}

static void same_result(const result *a, const result *b, const char *name, size_t cut)
{
    if (a->st != b->st)
        fail_msg("%s cut at %zu: status %s, whole gives %s", name, cut,
                 dv_npy_status_name(b->st), dv_npy_status_name(a->st));
    if (a->st != DV_NPY_OK) {
        if (a->err.offset != b->err.offset || strcmp(a->err.text, b->err.text) != 0)
            fail_msg("%s cut at %zu: error at %llu \"%s\", whole at %llu \"%s\"", name, cut,
                     (unsigned long long)b->err.offset, b->err.text,
                     (unsigned long long)a->err.offset, a->err.text);
        return;
    }
    assert_int_equal(a->info.count, b->info.count);
    assert_int_equal(a->info.inexact, b->info.inexact);
    for (size_t k = 0; k < a->info.count; k++)
        if (!bits_equal(a->vals[k], b->vals[k]))
            fail_msg("%s cut at %zu: element %zu is %a, whole gives %a", name, cut, k,
                     b->vals[k], a->vals[k]);
}

/* ---- the manifest ------------------------------------------------------------------- */

static size_t g_ok, g_bad, g_splits;

static void check_ok_line(char *line)
{
    char name[128], descr[16], shape[64];
    int fortran, ndim, inexact, consumed;
    size_t count;
    if (sscanf(line, "ok %127s %15s %d %d %63s %d %zu%n", name, descr, &fortran, &ndim,
               shape, &inexact, &count, &consumed) != 7)
        fail_msg("bad manifest line: %s", line);
    double *want = calloc(count ? count : 1, sizeof(double));
    assert_non_null(want);
    char *s = line + consumed;
    for (size_t k = 0; k < count; k++) {
        char *end;
        want[k] = strtod(s, &end);
        if (end == s)
            fail_msg("%s: manifest has fewer than %zu values", name, count);
        s = end;
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/npy/%s", data_dir(), name);
    size_t n;
    unsigned char *buf = read_all(path, &n);
    if (!buf)
        fail_msg("cannot read %s (run from the repository root or set DV_TEST_DATA)", path);

    result whole = decode(buf, n, NULL, 0, false, false);
    if (whole.st != DV_NPY_OK)
        fail_msg("%s: %s: %s", name, dv_npy_status_name(whole.st), whole.err.text);
    const dv_npy_info *in = &whole.info;
    assert_string_equal(in->descr, descr);
    assert_int_equal(in->fortran_order, fortran);
    assert_int_equal(in->ndim, ndim);
    assert_int_equal(in->count, count);
    assert_int_equal(in->inexact, inexact);
    assert_true(in->major >= 1 && in->major <= 3 && in->minor == 0);
    assert_int_equal(in->data_offset + in->data_bytes, n);
    if (ndim > 0) {
        char sh[64];
        if (ndim == 1)
            snprintf(sh, sizeof sh, "%zu", in->shape[0]);
        else
            snprintf(sh, sizeof sh, "%zu,%zu", in->shape[0], in->shape[1]);
        assert_string_equal(sh, shape);
    }
    for (size_t k = 0; k < count; k++)
        if (!bits_equal(whole.vals[k], want[k]))
            fail_msg("%s: element %zu is %a, numpy says %a", name, k, whole.vals[k],
                     want[k]);
    /* in_place: exactly when the data bytes are the output's bytes (then aliasing is
     * correct); numpy pads the header so the data start 64-byte aligned. */
    bool same_bytes = count == 0 || memcmp(buf + in->data_offset, whole.vals,
                                           count * sizeof(double)) == 0;
    if (in->in_place) {
        assert_true(in->itemsize == 8 && same_bytes);
        assert_int_equal(in->data_offset % 16, 0);
    }
    bool f8le = strcmp(descr, "<f8") == 0;
    bool rowmajor = !fortran || ndim < 2 || in->shape[0] <= 1 || in->shape[1] <= 1;
    assert_int_equal(in->in_place, f8le && rowmajor);

    for (size_t cut = 0; cut <= n; cut++) {
        result r = decode(buf, n, &cut, 1, false, false);
        same_result(&whole, &r, name, cut);
        free(r.vals);
        g_splits++;
    }
    result b = decode(buf, n, NULL, 0, true, false);
    same_result(&whole, &b, name, 1);
    free(b.vals);
    result v = decode(buf, n, NULL, 0, false, true); /* length check only */
    assert_int_equal(v.st, DV_NPY_OK);
    free(v.vals);
    free(whole.vals);
    free(want);
    free(buf);
    g_ok++;
}

static void check_bad_line(char *line)
{
    char name[128], want[32];
    if (sscanf(line, "bad %127s %31s", name, want) != 2)
        fail_msg("bad manifest line: %s", line);
    char path[1024];
    snprintf(path, sizeof path, "%s/npy/%s", data_dir(), name);
    size_t n;
    unsigned char *buf = read_all(path, &n);
    if (!buf)
        fail_msg("cannot read %s", path);
    result whole = decode(buf, n, NULL, 0, false, false);
    if (strcmp(dv_npy_status_name(whole.st), want) != 0)
        fail_msg("%s: %s (%s), want %s", name, dv_npy_status_name(whole.st),
                 whole.err.text, want);
    assert_true(whole.err.text[0] != '\0');
    assert_true(whole.err.offset <= n);
    for (size_t cut = 0; cut <= n; cut++) {
        result r = decode(buf, n, &cut, 1, false, false);
        same_result(&whole, &r, name, cut);
        free(r.vals);
        g_splits++;
    }
    result b = decode(buf, n, NULL, 0, true, false);
    same_result(&whole, &b, name, 1);
    free(b.vals);
    if (getenv("NPY_VERBOSE"))
        printf("  %-28s %-12s @%-4llu %s\n", name, want,
               (unsigned long long)whole.err.offset, whole.err.text);
    free(whole.vals);
    free(buf);
    g_bad++;
}

static void test_manifest(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/npy/MANIFEST", data_dir());
    size_t n;
    char *text = (char *)read_all(path, &n);
    if (!text)
        fail_msg("cannot read %s (run from the repository root or set DV_TEST_DATA)", path);
    char *z = realloc(text, n + 1);
    assert_non_null(z);
    text = z;
    text[n] = '\0';
    for (char *line = text; *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (strncmp(line, "ok ", 3) == 0)
            check_ok_line(line);
        else if (strncmp(line, "bad ", 4) == 0)
            check_bad_line(line);
        line = nl ? nl + 1 : line + strlen(line);
    }
    free(text);
    printf("npy: %zu good files, %zu malformed, %zu split decodes, all identical\n", g_ok,
           g_bad, g_splits);
    assert_true(g_ok >= 200 && g_bad >= 20);
}

/* ---- inline cases ------------------------------------------------------------------- */

/* A 1.0 file with this header text (padded to 64 as numpy does) and data bytes. */
static size_t make_npy(unsigned char *out, size_t cap, const char *hdr, const void *data,
                       size_t dlen)
{
    size_t t = strlen(hdr);
    size_t total = 10 + t + 1;
    size_t pad = (64 - total % 64) % 64;
    size_t hl = t + pad + 1;
    assert_true(10 + hl + dlen <= cap);
    memcpy(out, "\x93NUMPY\x01\x00", 8);
    out[8] = (unsigned char)(hl & 0xff);
    out[9] = (unsigned char)(hl >> 8);
    memcpy(out + 10, hdr, t);
    memset(out + 10 + t, ' ', pad);
    out[10 + t + pad] = '\n';
    if (dlen)
        memcpy(out + 10 + hl, data, dlen);
    return 10 + hl + dlen;
}

static dv_npy_status header_status(const char *hdr, dv_npy_info *info)
{
    unsigned char buf[1024];
    size_t n = make_npy(buf, sizeof buf, hdr, NULL, 0);
    dv_npy d;
    dv_npy_init(&d);
    size_t used;
    dv_npy_status st = dv_npy_feed(&d, buf, n, &used);
    if (info)
        *info = *dv_npy_info_of(&d);
    return st;
}

static void test_headers(void **state)
{
    (void)state;
    static const struct {
        const char *hdr;
        dv_npy_status want;
    } cases[] = {
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", DV_NPY_HEADER_READY},
        {"{\"descr\": \"<f8\", \"fortran_order\": False, \"shape\": (3,)}",
         DV_NPY_HEADER_READY},
        {"{'shape': (2, 3), 'fortran_order': True, 'descr': '>i4'}", DV_NPY_HEADER_READY},
        {"{'descr': '=f8', 'fortran_order': False, 'shape': ()}", DV_NPY_HEADER_READY},
        {"{'descr': '<b1', 'fortran_order': False, 'shape': (3L,)}", DV_NPY_HEADER_READY},
        {"{'descr': '|i4', 'fortran_order': False, 'shape': (3,)}", DV_NPY_BAD_DTYPE},
        {"{'descr': '<f16', 'fortran_order': False, 'shape': (3,)}", DV_NPY_BAD_DTYPE},
        {"{'descr': 'f8', 'fortran_order': False, 'shape': (3,)}", DV_NPY_BAD_DTYPE},
        {"{'descr': '<i3', 'fortran_order': False, 'shape': (3,)}", DV_NPY_BAD_DTYPE},
        {"{'descr': '<f800000000000', 'fortran_order': False, 'shape': (3,)}",
         DV_NPY_BAD_DTYPE},
        {"{'descr': '<M8[ns]', 'fortran_order': False, 'shape': (3,)}", DV_NPY_BAD_DTYPE},
        {"{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (3,)}",
         DV_NPY_BAD_DTYPE},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (-1,)}", DV_NPY_BAD_HEADER},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4, 5)}", DV_NPY_BAD_SHAPE},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (1,,)}", DV_NPY_BAD_HEADER},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (,)}", DV_NPY_BAD_HEADER},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (1 2)}", DV_NPY_BAD_HEADER},
        {"{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (1,)}",
         DV_NPY_BAD_HEADER},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (1,)} x", DV_NPY_BAD_HEADER},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (1,)", DV_NPY_BAD_HEADER},
        {"{'descr': '<f8\\n', 'fortran_order': False, 'shape': (1,)}", DV_NPY_BAD_HEADER},
        {"{'descr': '<f8', 'fortran_order': false, 'shape': (1,)}", DV_NPY_BAD_HEADER},
        {"", DV_NPY_BAD_HEADER},
        /* sizes: a dimension beyond size_t, a count beyond it, a byte size beyond it */
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999999,)}",
         DV_NPY_TOO_LARGE},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296)}",
         DV_NPY_TOO_LARGE},
        {"{'descr': '|u1', 'fortran_order': False, 'shape': (2305843009213693952,)}",
         DV_NPY_TOO_LARGE},
        {"{'descr': '|u1', 'fortran_order': False, 'shape': (2305843009213693951,)}",
         DV_NPY_HEADER_READY},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (0, 18446744073709551615)}",
         DV_NPY_HEADER_READY},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dv_npy_info info;
        dv_npy_status st = header_status(cases[i].hdr, &info);
        if (st != cases[i].want)
            fail_msg("header %s: %s, want %s", cases[i].hdr, dv_npy_status_name(st),
                     dv_npy_status_name(cases[i].want));
    }
    /* A huge declared shape: the count is known before any allocation. */
    dv_npy_info info;
    assert_int_equal(header_status("{'descr': '<f8', 'fortran_order': False, 'shape': "
                                   "(1000000, 1000000)}", &info), DV_NPY_HEADER_READY);
    assert_int_equal(info.count, (size_t)1000000 * 1000000);
    assert_int_equal(info.data_bytes, (size_t)8000000 * 1000000);
    assert_int_equal(info.ndim, 2);
}

/* Values through every converter, hand-made (independent of numpy). */
static void test_converters(void **state)
{
    (void)state;
    unsigned char buf[512];
    double out[8];
    struct {
        const char *descr;
        unsigned char bytes[16];
        size_t n;
        double want[2];
        bool inexact;
    } cases[] = {
        {"<i2", {0x01, 0x80, 0xff, 0x7f}, 2, {-32767.0, 32767.0}, false},
        {">i2", {0x80, 0x01, 0x7f, 0xff}, 2, {-32767.0, 32767.0}, false},
        {">u4", {0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1}, 2, {4294967295.0, 1.0}, false},
        {"<f4", {0, 0, 0x80, 0x3f, 0, 0, 0xc0, 0xff}, 2, {1.0, -NAN}, false},
        {">f8", {0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0}, 2, {1.0, -0.0},
         false},
        {"<i8", {1, 0, 0, 0, 0, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0x80}, 2,
         {9007199254740992.0, -9223372036854775808.0}, true},
        {"<u8", {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0x20, 0},
         2, {18446744073709551616.0, 9007199254740992.0}, true},
        {"|i1", {0x80, 0x7f}, 2, {-128.0, 127.0}, false},
        {"|b1", {1, 0}, 2, {1.0, 0.0}, false},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char hdr[128];
        snprintf(hdr, sizeof hdr, "{'descr': '%s', 'fortran_order': False, 'shape': (2,)}",
                 cases[c].descr);
        size_t isz = (size_t)(cases[c].descr[2] - '0');
        size_t n = make_npy(buf, sizeof buf, hdr, cases[c].bytes, 2 * isz);
        result r = decode(buf, n, NULL, 0, false, false);
        assert_int_equal(r.st, DV_NPY_OK);
        for (size_t k = 0; k < 2; k++)
            if (!bits_equal(r.vals[k], cases[c].want[k]) &&
                !(isnan(cases[c].want[k]) && isnan(r.vals[k])))
                fail_msg("%s element %zu: %a, want %a", cases[c].descr, k, r.vals[k],
                         cases[c].want[k]);
        assert_int_equal(r.info.inexact, cases[c].inexact);
        free(r.vals);
    }
    (void)out;
}

/* Fortran order into row-major, also with cuts inside an element. */
static void test_fortran(void **state)
{
    (void)state;
    /* 2 × 3, column-major: columns (1,4) (2,5) (3,6) → rows 1 2 3 / 4 5 6 */
    int16_t col[6] = {1, 4, 2, 5, 3, 6};
    unsigned char buf[256];
    size_t n = make_npy(buf, sizeof buf,
                        "{'descr': '<i2', 'fortran_order': True, 'shape': (2, 3)}", col,
                        sizeof col);
    for (size_t cut = 0; cut <= n; cut++) {
        result r = decode(buf, n, &cut, 1, false, false);
        assert_int_equal(r.st, DV_NPY_OK);
        for (size_t k = 0; k < 6; k++)
            assert_true(same(r.vals[k], (double)(k + 1)));
        free(r.vals);
    }
}

static void test_feed_protocol(void **state)
{
    (void)state;
    unsigned char buf[256];
    double v[3] = {1.5, 2.5, 3.5};
    size_t n = make_npy(buf, sizeof buf,
                        "{'descr': '<f8', 'fortran_order': False, 'shape': (3,)}", v,
                        sizeof v);
    dv_npy d;
    dv_npy_init(&d);
    size_t used = 0;
    assert_int_equal(dv_npy_feed(&d, buf, n, &used), DV_NPY_HEADER_READY);
    assert_int_equal(used, n - sizeof v);
    assert_int_equal(dv_npy_info_of(&d)->data_offset, used);
    assert_int_equal(used % 64, 0);
    double out[3];
    dv_npy_set_output(&d, out, 3);
    assert_int_equal(dv_npy_feed(&d, buf + used, n - used, &used), DV_NPY_OK);
    assert_int_equal(used, 24);
    assert_int_equal(dv_npy_finish(&d), DV_NPY_OK);
    assert_true(same(out[2], 3.5));
    /* trailing byte after a complete file, then finish keeps the error */
    assert_int_equal(dv_npy_feed(&d, "x", 1, &used), DV_NPY_TRAILING);
    assert_int_equal(used, 0);
    assert_int_equal(dv_npy_finish(&d), DV_NPY_TRAILING);
    assert_int_equal(dv_npy_error_of(&d)->offset, n);
    /* a header of length 0, alone or followed by bytes */
    dv_npy_init(&d);
    assert_int_equal(dv_npy_feed(&d, "\x93NUMPY\x01\x00\x00\x00", 10, &used),
                     DV_NPY_BAD_HEADER);
    assert_int_equal(dv_npy_finish(&d), DV_NPY_BAD_HEADER);
    dv_npy_init(&d);
    assert_int_equal(dv_npy_feed(&d, "\x93NUMPY\x02\x00\x00\x00\x00\x00{}", 14, &used),
                     DV_NPY_BAD_HEADER);
    /* an empty part */
    dv_npy_init(&d);
    assert_int_equal(dv_npy_finish(&d), DV_NPY_TRUNCATED);
    /* an empty array needs no data and no feed after the header */
    n = make_npy(buf, sizeof buf, "{'descr': '<f8', 'fortran_order': False, 'shape': (0,)}",
                 NULL, 0);
    dv_npy_init(&d);
    assert_int_equal(dv_npy_feed(&d, buf, n, &used), DV_NPY_HEADER_READY);
    dv_npy_set_output(&d, NULL, 0);
    assert_int_equal(dv_npy_finish(&d), DV_NPY_OK);
}

/* ---- raw float64 -------------------------------------------------------------------- */

static void test_raw(void **state)
{
    (void)state;
    double src[5] = {0.1, -2.0, 1e300, 5e-324, -0.0};
    const unsigned char *b = (const unsigned char *)src;
    size_t n = sizeof src;
    for (size_t c1 = 0; c1 <= n; c1++) {
        for (size_t c2 = c1; c2 <= n; c2++) {
            dv_raw_f64 r;
            dv_raw_f64_init(&r);
            double out[5] = {0};
            size_t k = 0;
            size_t cuts[3] = {c1, c2, n};
            size_t pos = 0;
            for (size_t i = 0; i < 3; i++) {
                size_t len = cuts[i] - pos;
                size_t want = dv_raw_f64_pending(&r, len);
                assert_true(k + want <= 5);
                assert_int_equal(dv_raw_f64_feed(&r, b + pos, len, out + k), want);
                k += want;
                pos = cuts[i];
            }
            assert_int_equal(k, 5);
            assert_int_equal(dv_raw_f64_count(&r), 5);
            assert_int_equal(dv_raw_f64_finish(&r), DV_NPY_OK);
            assert_memory_equal(out, src, sizeof src);
        }
    }
    for (size_t len = 1; len < 8; len++) {
        dv_raw_f64 r;
        dv_raw_f64_init(&r);
        double out[2];
        dv_raw_f64_feed(&r, b, 8 + len, out);
        assert_int_equal(dv_raw_f64_finish(&r), DV_NPY_BAD_LENGTH);
        assert_int_equal(r.err.offset, 8 + len);
        assert_non_null(strstr(r.err.text, "multiple of 8"));
    }
    dv_raw_f64 r;
    dv_raw_f64_init(&r);
    assert_int_equal(dv_raw_f64_pending(&r, SIZE_MAX), SIZE_MAX / 8);
    assert_int_equal(dv_raw_f64_finish(&r), DV_NPY_OK); /* empty: 0 doubles */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manifest),      cmocka_unit_test(test_headers),
        cmocka_unit_test(test_converters),    cmocka_unit_test(test_fortran),
        cmocka_unit_test(test_feed_protocol), cmocka_unit_test(test_raw),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
