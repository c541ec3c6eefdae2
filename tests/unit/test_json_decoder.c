/*
 * test_json_decoder.c — the streaming body decoder (src/json/decoder.c) against jansson,
 * and against itself under every way of cutting the body into chunks.
 *
 * 1. Differential: seed bodies and tens of thousands of random mutations of them are
 *    decoded by jp_* and by jansson (JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL |
 *    JSON_DECODE_INT_AS_REAL, the flags the daemon used before); both must accept the
 *    same inputs (a top-level object), find the same number overflow, and build equal
 *    trees (numbers bit for bit).
 * 2. Chunking: each body fed whole, byte by byte and in random pieces gives the same
 *    outcome — tree, or error kind, pointer and error position.
 * Links only src/json and src/util: the decoder knows nothing of requests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "decoder.h"

enum { MAX_ELEMENTS = 1000 };

/* The decoder's result and the arena that holds its tree. */
typedef struct run {
    arena mem;
    const jv *json;
} run;

static void run_release(run *r)
{
    arena_release(&r->mem);
}
static uint64_t g_rng = 42;

static uint64_t rnd(void)
{
    uint64_t z = (g_rng += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

typedef struct outcome {
    bool ok;
    json_err_kind code;
    char pointer[256];
    char detail[512];
} outcome;

/* The kinds a client sees as 400 malformed_json. */
static bool malformed(json_err_kind k)
{
    return k == JSON_SYNTAX || k == JSON_NOT_OBJECT || k == JSON_TOO_DEEP;
}

static const char *kind_name(json_err_kind k)
{
    static const char *const names[] = {"ok",           "syntax",     "not_object", "too_deep",
                                        "too_many_numbers", "not_finite", "no_memory"};
    return names[k];
}

/* Decodes text with the given chunk sizes (0: whole; 1: bytes; 2: random). */
static outcome decode(const char *text, size_t n, int mode, run *r)
{
    memset(r, 0, sizeof *r);
    jparser *p = jp_new(&r->mem, MAX_ELEMENTS);
    assert_non_null(p);
    if (mode == 0) {
        jp_feed(p, text, n);
    } else {
        for (size_t i = 0; i < n;) {
            size_t k = mode == 1 ? 1 : 1 + (size_t)(rnd() % 7);
            if (k > n - i)
                k = n - i;
            jp_feed(p, text + i, k);
            i += k;
        }
    }
    json_error e;
    outcome o = {.ok = jp_finish(p, &r->json, &e)};
    if (!o.ok) {
        o.code = e.kind;
        memcpy(o.pointer, e.pointer, sizeof o.pointer);
        snprintf(o.detail, sizeof o.detail, "%s", e.text);
    }
    return o;
}

static bool same_tree(const jv *a, const json_t *b)
{
    switch (a->kind) {
    case JV_NULL: return json_is_null(b);
    case JV_TRUE: return json_is_true(b);
    case JV_FALSE: return json_is_false(b);
    case JV_NUMBER: {
        double x = json_number_value(b);
        return json_is_number(b) && memcmp(&x, &a->u.num, sizeof x) == 0;
    }
    case JV_STRING:
        return json_is_string(b) && json_string_length(b) == a->n &&
               memcmp(json_string_value(b), a->u.str, a->n) == 0 && a->u.str[a->n] == '\0';
    case JV_ARRAY:
        if (!json_is_array(b) || json_array_size(b) != a->n)
            return false;
        for (size_t i = 0; i < a->n; i++) {
            jv tmp;
            if (!same_tree(jv_at(a, i, &tmp), json_array_get(b, i)))
                return false;
        }
        return true;
    case JV_OBJECT:
        if (!json_is_object(b) || json_object_size(b) != a->n)
            return false;
        for (size_t i = 0; i < a->n; i++) {
            const json_t *v = json_object_get(b, a->u.members[i].key);
            if (!v || !same_tree(&a->u.members[i].val, v))
                return false;
        }
        return true;
    }
    return false;
}

static unsigned long g_cases, g_accepted, g_failures;

static void check(const char *text, size_t n)
{
    run r;
    outcome whole = decode(text, n, 0, &r);
    json_error_t e;
    json_t *j = json_loadb(text, n,
                           JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL, &e);
    bool j_ok = j && json_is_object(j);
    bool j_overflow = !j && strstr(e.text, "overflow");
    bool agree = whole.ok == j_ok;
    if (agree && whole.ok)
        agree = same_tree(r.json, j);
    /* Where a body is malformed right next to an overflowing number ("[1 -1e999]",
     * "[1e999\xc3\x28]"), jansson's lexer may report either problem first; so may we.
     * Both are client errors; only an overflow in an otherwise valid body must be 422. */
    if (agree && !whole.ok && whole.code != JSON_TOO_MANY_NUMBERS &&
        whole.code != JSON_TOO_DEEP && (whole.code == JSON_NOT_FINITE) != j_overflow)
        agree = j && !whole.ok ? false
                               : (whole.code == JSON_NOT_FINITE || malformed(whole.code));
    run_release(&r);
    json_decref(j);
    g_cases++;
    g_accepted += whole.ok;
    for (int mode = 1; mode <= 2 && agree; mode++) {
        run r2;
        outcome o = decode(text, n, mode, &r2);
        /* the wording may differ when a chunk ends inside a UTF-8 sequence; the
         * position may not */
        const char *wl = strstr(whole.detail, " line "), *ol = strstr(o.detail, " line ");
        if (o.ok != whole.ok ||
            (!o.ok && (o.code != whole.code || strcmp(o.pointer, whole.pointer) != 0 ||
                       !wl != !ol || (wl && strcmp(wl, ol) != 0))))
            agree = false;
        if (!agree)
            fprintf(stderr, "mode %d: %s %s\n", mode, kind_name(o.code), o.detail);
        run_release(&r2);
    }
    if (!agree && g_failures++ < 10)
        fprintf(stderr, "disagree on %zu bytes: %.*s\n  ours: %s %s\n  jansson: %s\n", n,
                (int)(n > 300 ? 300 : n), text, kind_name(whole.code),
                whole.detail, j_ok ? "ok" : e.text);
}

static const char *const seeds[] = {
    "{\"p\": [0.5, 0.5], \"q\": [0.25, 0.75]}",
    "{\"p\":[1,2,3e-5,-0,0.1E+2],\"normalize\":true,\"base\":\"e\"}",
    "{\"p_samples\": [1, \"a\", true, false, 1.0, \"\\u0000x\", \"\\ud83d\\ude00\"]}",
    "{\"p\": {\"a\": 0.5, \"b/c~\": 0.5}, \"q\": {\"b/c~\": 1}}",
    "{\"p\": {\"mean\": [[1, 2], [3, 4]], \"std\": [[1, 1], [2, 2]]}}",
    "{\n  \"p_logits\": [[1e300, -1e300], [0, 0]],\n  \"temperature\": 0.5\n}",
    "{\"a\": null, \"b\": [], \"c\": {}, \"d\": [[], [[]]], \"e\": \"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}",
    "{\"x\": \"h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80\", \"y\": [1e999]}",
    "{\"p\": [1, 2], \"p\": [3]}",
    "[1, 2, 3]",
    "{\"k\": [1, \"two\", 3]}",
    "{\"big\": [123456789012345678901234567890, 4.9e-324, 2.2250738585072014e-308]}",
};

static void mutate(char *buf, size_t *n, size_t cap)
{
    static const char alphabet[] = "{}[],:\"\\0123456789-+.eE tfnrulaxNI\n\x80\xc3\xff";
    int ops = 1 + (int)(rnd() % 3);
    for (int k = 0; k < ops && *n > 0; k++) {
        size_t at = (size_t)(rnd() % *n);
        switch (rnd() % 4) {
        case 0: /* delete */
            memmove(buf + at, buf + at + 1, *n - at - 1);
            (*n)--;
            break;
        case 1: /* insert */
            if (*n + 1 < cap) {
                memmove(buf + at + 1, buf + at, *n - at);
                buf[at] = alphabet[rnd() % (sizeof alphabet - 1)];
                (*n)++;
            }
            break;
        case 2: /* replace */
            buf[at] = alphabet[rnd() % (sizeof alphabet - 1)];
            break;
        default: { /* duplicate a short span */
            size_t len = 1 + (size_t)(rnd() % 8);
            if (at + len <= *n && *n + len < cap) {
                memmove(buf + at + len, buf + at, *n - at);
                (*n) += len;
            }
        }
        }
    }
}

static void differential(void **state)
{
    (void)state;
    char buf[1024];
    size_t nseeds = sizeof seeds / sizeof *seeds;
    for (size_t i = 0; i < nseeds; i++)
        check(seeds[i], strlen(seeds[i]));
    for (int i = 0; i < 30000; i++) {
        const char *s = seeds[rnd() % nseeds];
        size_t n = strlen(s);
        memcpy(buf, s, n);
        mutate(buf, &n, sizeof buf);
        check(buf, n);
    }
    fprintf(stderr, "json decoder: %lu bodies (%lu accepted) vs jansson, whole/bytewise/random "
            "chunks: %lu disagreements\n", g_cases, g_accepted, g_failures);
    assert_int_equal(g_failures, 0);
}

static void limits(void **state)
{
    (void)state;
    char deep[200];
    run r;
    /* 64 levels pass, 65 do not (the top-level object is level 1) */
    size_t o = 0;
    deep[o++] = '{';
    memcpy(deep + o, "\"a\":", 4);
    o += 4;
    for (int i = 0; i < 63; i++)
        deep[o++] = '[';
    for (int i = 0; i < 63; i++)
        deep[o++] = ']';
    deep[o++] = '}';
    assert_true(decode(deep, o, 2, &r).ok);
    run_release(&r);
    memmove(deep + 6, deep + 5, o - 5);
    deep[5] = '[';
    o++;
    memmove(deep + o - 63, deep + o - 64, 64);
    deep[o - 64] = ']';
    o++;
    outcome d = decode(deep, o, 1, &r);
    assert_false(d.ok);
    assert_int_equal(d.code, JSON_TOO_DEEP);
    assert_non_null(strstr(d.detail, "deeper"));
    run_release(&r);
    /* more numbers than the limit: reported even after a syntax error */
    char many[8000];
    o = (size_t)snprintf(many, sizeof many, "{\"p\": [x");
    for (int i = 0; i < 1001; i++)
        o += (size_t)snprintf(many + o, sizeof many - o, ",1");
    many[o++] = ']';
    many[o++] = '}';
    d = decode(many, o, 2, &r);
    assert_int_equal(d.code, JSON_TOO_MANY_NUMBERS);
    run_release(&r);
    /* overflow: pointer to the element */
    d = decode("{\"p\": {\"mean\": [[1, 2], [3, 1e999]]}}", 37, 1, &r);
    assert_int_equal(d.code, JSON_NOT_FINITE);
    assert_string_equal(d.pointer, "/p/mean/1/1");
    run_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(limits),
        cmocka_unit_test(differential),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
