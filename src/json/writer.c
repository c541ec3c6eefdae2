/*
 * writer.c — JSON writer (see writer.h).
 */
#include <assert.h>
#include "writer.h"
#include "utf8.h"

#include "numfmt.h"

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
    assert(w->depth < JW_MAX_DEPTH); /* the responses nest 3 levels at most */
    sep(w);
    put(w, c);
    if (w->depth < JW_MAX_DEPTH)
        w->first[w->depth] = true;
    w->depth++;
}

static void close_(jw *w, char c)
{
    assert(w->depth > 0 && !w->after_key); /* balanced, and no key left without a value */
    if (w->depth > 0)
        w->depth--;
    put(w, c);
}

void jw_obj(jw *w)
{
    open(w, '{');
}
void jw_obj_end(jw *w)
{
    close_(w, '}');
}
void jw_arr(jw *w)
{
    open(w, '[');
}
void jw_arr_end(jw *w)
{
    close_(w, ']');
}

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

void jw_key(jw *w, const char *key)
{
    jw_keyn(w, key, strlen(key));
}

void jw_strn(jw *w, const char *s, size_t len)
{
    sep(w);
    escaped(w, s, len);
}

void jw_str(jw *w, const char *s)
{
    jw_strn(w, s, strlen(s));
}

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
    char tmp[20]; /* 2^64 − 1 has 20 digits; written from the end */
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + x % 10);
        x /= 10;
    } while (x);
    sep(w);
    jw_raw(w, tmp + i, sizeof tmp - i);
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
    int n = numfmt_shortest(tmp, x);
    jw_raw(w, tmp, (size_t)n);
}

void jw_nums(jw *w, const double *x, size_t n)
{
    jw_arr(w);
    for (size_t i = 0; i < n; i++)
        jw_num(w, x[i]);
    jw_arr_end(w);
}
