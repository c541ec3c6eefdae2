/*
 * jw.c — JSON writer (see jw.h).
 */
#include "jw.h"
#include "utf8.h"

#include "numparse.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jw_init(jw *w)
{
    memset(w, 0, sizeof *w);
}

void jw_free(jw *w)
{
    free(w->buf);
    jw_init(w);
}

char *jw_take(jw *w, size_t *len)
{
    char *b = w->buf;
    *len = w->len;
    w->buf = NULL;
    jw_free(w);
    return b;
}

static bool reserve(jw *w, size_t extra)
{
    if (w->oom)
        return false;
    if (w->cap - w->len >= extra)
        return true;
    size_t cap = w->cap ? w->cap : 256;
    while (cap - w->len < extra) {
        if (cap > SIZE_MAX / 2) {
            w->oom = true;
            return false;
        }
        cap *= 2;
    }
    char *nb = realloc(w->buf, cap);
    if (!nb) {
        w->oom = true;
        return false;
    }
    w->buf = nb;
    w->cap = cap;
    return true;
}

void jw_raw(jw *w, const char *s, size_t len)
{
    if (!reserve(w, len))
        return;
    memcpy(w->buf + w->len, s, len);
    w->len += len;
}

static void put(jw *w, char c)
{
    if (reserve(w, 1))
        w->buf[w->len++] = c;
}

/* Comma handling: a value directly after a key needs none; otherwise every element but
 * the first of its container gets one. */
static void sep(jw *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth > 0) {
        if (!w->first[w->depth - 1])
            put(w, ',');
        w->first[w->depth - 1] = false;
    }
}

static void open(jw *w, char c)
{
    sep(w);
    put(w, c);
    if (w->depth < JW_MAX_DEPTH)
        w->first[w->depth] = true;
    w->depth++;
}

static void close_(jw *w, char c)
{
    if (w->depth > 0)
        w->depth--;
    put(w, c);
}

void jw_obj(jw *w) { open(w, '{'); }
void jw_obj_end(jw *w) { close_(w, '}'); }
void jw_arr(jw *w) { open(w, '['); }
void jw_arr_end(jw *w) { close_(w, ']'); }

static void escaped(jw *w, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    put(w, '"');
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) {
            size_t k = utf8_seq((const unsigned char *)s + i, len - i);
            if (k > 0) {
                i += k - 1;
                continue;
            }
            jw_raw(w, s + start, i - start);
            start = i + 1;
            jw_raw(w, UTF8_REPLACEMENT, 3);
            continue;
        }
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        jw_raw(w, s + start, i - start);
        start = i + 1;
        switch (c) {
        case '"': jw_raw(w, "\\\"", 2); break;
        case '\\': jw_raw(w, "\\\\", 2); break;
        case '\n': jw_raw(w, "\\n", 2); break;
        case '\r': jw_raw(w, "\\r", 2); break;
        case '\t': jw_raw(w, "\\t", 2); break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            jw_raw(w, u, 6);
        }
        }
    }
    jw_raw(w, s + start, len - start);
    put(w, '"');
}

void jw_keyn(jw *w, const char *key, size_t len)
{
    sep(w);
    escaped(w, key, len);
    put(w, ':');
    w->after_key = true;
}

void jw_key(jw *w, const char *key) { jw_keyn(w, key, strlen(key)); }

void jw_strn(jw *w, const char *s, size_t len)
{
    sep(w);
    escaped(w, s, len);
}

void jw_str(jw *w, const char *s) { jw_strn(w, s, strlen(s)); }

void jw_bool(jw *w, bool b)
{
    sep(w);
    if (b)
        jw_raw(w, "true", 4);
    else
        jw_raw(w, "false", 5);
}

void jw_uint(jw *w, uint64_t x)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)x);
    sep(w);
    jw_raw(w, tmp, (size_t)n);
}

static bool same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* The shortest of %.15g, %.16g, %.17g that reads back to x (x finite), as
 * snprintf+strtod would pick it, with one snprintf in the common case.
 *
 * Why: the straightforward loop costs up to three snprintf and three strtod calls per
 * number. Here %.16e gives the 17 significant digits once; the 15- and 16-digit
 * candidates are that string rounded — exactly what %.15g / %.16g print, except when the
 * dropped digits are exactly one half (then double rounding could differ, and snprintf is
 * asked directly). Candidates are checked with the correctly rounded numparse.c, and the
 * %g layout (fixed or exponent, trailing zeros removed) is rebuilt by hand.
 * tests/unit/test_http_jw.c compares the result with the plain loop on millions of doubles. */
static int layout(char *out, bool neg, const char *dig, int nd, int e10, int prec)
{
    int o = 0;
    if (neg)
        out[o++] = '-';
    while (nd > 1 && dig[nd - 1] == '0')
        nd--;
    if (e10 < -4 || e10 >= prec) {
        out[o++] = dig[0];
        if (nd > 1) {
            out[o++] = '.';
            memcpy(out + o, dig + 1, (size_t)nd - 1);
            o += nd - 1;
        }
        out[o++] = 'e';
        out[o++] = e10 < 0 ? '-' : '+';
        int a = e10 < 0 ? -e10 : e10;
        if (a >= 100)
            out[o++] = (char)('0' + a / 100);
        out[o++] = (char)('0' + a / 10 % 10);
        out[o++] = (char)('0' + a % 10);
    } else if (e10 < 0) {
        out[o++] = '0';
        out[o++] = '.';
        for (int k = -1; k > e10; k--)
            out[o++] = '0';
        memcpy(out + o, dig, (size_t)nd);
        o += nd;
    } else {
        for (int k = 0; k <= e10; k++)
            out[o++] = k < nd ? dig[k] : '0';
        if (nd > e10 + 1) {
            out[o++] = '.';
            memcpy(out + o, dig + e10 + 1, (size_t)(nd - e10 - 1));
            o += nd - e10 - 1;
        }
    }
    out[o] = '\0';
    return o;
}

/* Does the decimal dig[0..nd) × 10^(e10 - nd + 1) read back to x? */
static bool reads_back(const char *dig, int nd, int e10, bool neg, double x)
{
    char t[48];
    int o = 0;
    if (neg)
        t[o++] = '-';
    memcpy(t + o, dig, (size_t)nd);
    o += nd;
    o += snprintf(t + o, sizeof t - (size_t)o, "e%d", e10 - nd + 1);
    double y;
    return dv_parse_json_number(t, (size_t)o, &y) == (size_t)o && same_bits(x, y);
}

int jw_format_double(char *out, double x)
{
    char e[40];
    snprintf(e, sizeof e, "%.16e", x); /* [-]d.dddddddddddddddde±XX */
    bool neg = e[0] == '-';
    const char *m = e + neg;
    char dig[17];
    dig[0] = m[0];
    memcpy(dig + 1, m + 2, 16);
    int e10 = 0; /* m[18] is 'e', m[19] the sign, then two or three digits */
    for (const char *d = m + 20; *d >= '0' && *d <= '9'; d++)
        e10 = e10 * 10 + (*d - '0');
    if (m[19] == '-')
        e10 = -e10;
    for (int prec = 15; prec <= 16; prec++) {
        /* the digits dropped: exactly one half → let snprintf decide */
        const char *tail = dig + prec;
        int tn = 17 - prec;
        bool half = tail[0] == '5';
        for (int k = 1; k < tn && half; k++)
            half = tail[k] == '0';
        if (half) {
            int n = snprintf(out, 32, "%.*g", prec, x);
            double y;
            if (dv_parse_json_number(out, (size_t)n, &y) == (size_t)n && same_bits(x, y))
                return n;
            continue;
        }
        char r[17];
        memcpy(r, dig, (size_t)prec);
        int re = e10;
        if (tail[0] >= '5') {
            int k = prec - 1;
            while (k >= 0 && r[k] == '9')
                r[k--] = '0';
            if (k >= 0) {
                r[k]++;
            } else {
                memmove(r + 1, r, (size_t)prec - 1);
                r[0] = '1';
                re++;
            }
        }
        if (reads_back(r, prec, re, neg, x))
            return layout(out, neg, r, prec, re, prec);
    }
    return layout(out, neg, dig, 17, e10, 17);
}

void jw_num(jw *w, double x)
{
    if (isinf(x) && x > 0) {
        jw_str(w, "Infinity");
        return;
    }
    sep(w);
    if (!isfinite(x)) {
        /* Never produced by the core; written as null rather than invalid JSON. */
        jw_raw(w, "null", 4);
        return;
    }
    char tmp[32];
    int n = jw_format_double(tmp, x);
    jw_raw(w, tmp, (size_t)n);
}

void jw_nums(jw *w, const double *x, size_t n)
{
    jw_arr(w);
    for (size_t i = 0; i < n; i++)
        jw_num(w, x[i]);
    jw_arr_end(w);
}
