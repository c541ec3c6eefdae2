/*
 * alloc_test.c — allocation-failure injection along every route's request path.
 *
 * Linked with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free, so every
 * allocation our objects (src/api, src/http, src/json, src/core, src/util) make goes
 * through the wrappers below (jansson only reads answers here, while disarmed). For each
 * representative body
 * the request is run once to count its N allocations, then N more times with the k-th
 * allocation failing (k = 1 … N) and N times with the k-th and every later one failing.
 * Each run must answer exactly what the unfailing run answered, or 503 out_of_memory
 * problem+json (the static body server.c sends when the writer itself ran out), never
 * crash (run under SAN=1), and leave no allocation live after req_release. After each
 * failing run the same body runs again unfailing and must give the original answer, so
 * no failure leaves state behind.
 *
 * Besides the representative bodies, two sweeps: arrays whose sizes straddle the arena's
 * block boundaries (4, 8, 16 and 64 KiB of doubles), and sample sets whose distinct
 * counts straddle the support hash table's growth points — where an allocation made and
 * then handed to the request can be lost if the hand-over fails (it once was).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "request.h"
#include "routes.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);

/* ---- the failing allocator ---------------------------------------------------------- */

static size_t g_calls;    /* allocation calls while armed */
static size_t g_fail_at;  /* 1-based call that fails; 0 = none */
static bool g_fail_after; /* every call from g_fail_at on fails */
static bool g_armed;

/* Live pointers (open addressing, no allocation of its own). */
#define SLOTS (1u << 20)
static void *g_live[SLOTS];
static size_t g_nlive;
#define TOMB ((void *)1)

static size_t slot_of(const void *p)
{
    uint64_t h = (uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15u;
    return (size_t)(h >> 44) & (SLOTS - 1);
}

static void track(void *p)
{
    if (!p)
        return;
    if (g_nlive >= SLOTS / 2) {
        fprintf(stderr, "alloc_test: too many live allocations to track\n");
        abort();
    }
    size_t i = slot_of(p);
    while (g_live[i] && g_live[i] != TOMB)
        i = (i + 1) & (SLOTS - 1);
    g_live[i] = p;
    g_nlive++;
}

static void untrack(void *p)
{
    if (!p)
        return;
    for (size_t i = slot_of(p); g_live[i]; i = (i + 1) & (SLOTS - 1)) {
        if (g_live[i] == p) {
            g_live[i] = TOMB;
            g_nlive--;
            return;
        }
    }
    /* Not ours (allocated by libc on our behalf): free it all the same. */
}

static bool fail_now(void)
{
    if (!g_armed)
        return false;
    g_calls++;
    return g_fail_at && (g_calls == g_fail_at || (g_fail_after && g_calls > g_fail_at));
}

void *__wrap_malloc(size_t n)
{
    if (fail_now())
        return NULL;
    void *p = __real_malloc(n);
    track(p);
    return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
    if (fail_now())
        return NULL;
    void *p = __real_calloc(n, size);
    track(p);
    return p;
}

void *__wrap_realloc(void *p, size_t n)
{
    if (fail_now())
        return NULL; /* p stays valid and owned by the caller */
    void *q = __real_realloc(p, n);
    if (q || n == 0)
        untrack(p);
    track(q);
    return q;
}

void __wrap_free(void *p)
{
    untrack(p);
    __real_free(p);
}

/* ---- one request -------------------------------------------------------------------- */

typedef struct outcome {
    unsigned status;
    char *body; /* the exact bytes (malloc'd, untracked: made while disarmed) */
    size_t len;
    bool oom; /* the writer ran out: server.c sends its static 503 body */
} outcome;

static dv_config g_cfg;

static outcome run(const char *path, const char *body, size_t fail_at, bool after,
                   size_t *calls, size_t *leaked)
{
    dv_req r;
    memset(&r, 0, sizeof r);
    r.cfg = &g_cfg;
    r.path = path;
    snprintf(r.method, sizeof r.method, "POST");
    r.route = route_find(&api_routes, path, &r.route_index);
    size_t n = strlen(body);
    size_t live0 = g_nlive;
    r.body = malloc(n ? n : 1); /* as server.c: the body is the request's from here on */
    memcpy(r.body, body, n);
    r.body_len = r.body_cap = r.bytes_in = n;

    g_calls = 0;
    g_fail_at = fail_at;
    g_fail_after = after;
    g_armed = true;
    req_execute(&r);
    req_finalize(&r);
    g_armed = false;

    outcome o = {r.status, NULL, 0, r.out.oom};
    if (!o.oom) {
        o.len = r.out.len;
        o.body = __real_malloc(o.len + 1);
        memcpy(o.body, r.out.buf ? r.out.buf : "", o.len);
        o.body[o.len] = '\0';
    }
    g_armed = true; /* release may not allocate either (count only) */
    req_release(&r);
    g_armed = false;
    *calls = g_calls;
    *leaked = g_nlive - live0;
    return o;
}

static bool same(const outcome *a, const outcome *b)
{
    return a->status == b->status && !a->oom && !b->oom && a->len == b->len &&
           memcmp(a->body, b->body, a->len) == 0;
}

/* A 503 out_of_memory problem+json, or the writer's own OOM (static body). */
static bool is_oom_answer(const outcome *o)
{
    if (o->oom)
        return true;
    if (o->status != 503)
        return false;
    json_t *j = json_loadb(o->body, o->len, 0, NULL);
    bool ok = json_is_object(j) && json_is_string(json_object_get(j, "code")) &&
              strcmp(json_string_value(json_object_get(j, "code")), "out_of_memory") == 0 &&
              json_integer_value(json_object_get(j, "status")) == 503;
    json_decref(j);
    return ok;
}

typedef struct sample {
    const char *path;
    const char *body;
} sample;

static sample samples[] = {
    {"/entropy", NULL}, /* big bodies, filled in main() */
    {"/kl", NULL},
    {"/js", NULL},
    {"/gaussian-kl", NULL},
    {"/batch/categorical-kl", NULL},
    {"/entropy", "{\"p\": [0.5, 0.25, 0.25], \"terms\": true, \"base\": 2}"},
    {"/entropy", "{\"samples\": [1, \"a\", true, 1.0, \"a\", null, \"b\\u0000c\"]}"},
    {"/entropy", "{\"p_logits\": [1, 2, 3], \"temperature\": 0.5, \"terms\": true}"},
    {"/entropy", "{\"p\": {\"x\": 1, \"y\": 3}, \"normalize\": true, \"terms\": true}"},
    {"/entropy", "{\"p\": [0.5, -0.5]}"},
    {"/entropy", "{\"p\": [0.5, 0.5], \"bogus\": 1}"},
    {"/entropy", "{\"p\": [0.5, 0.5"},
    {"/kl", "{\"p\": [0.5, 0.5], \"q\": [0.9, 0.1], \"terms\": true}"},
    {"/kl", "{\"p\": [0.5, 0.5], \"q\": [1, 0]}"},
    {"/kl",
     "{\"p\": {\"a\": 1, \"b\": 1}, \"q\": {\"b\": 1, \"c\": 3}, \"normalize\": true, "
     "\"terms\": true}"},
    {"/kl", "{\"p_samples\": [\"x\", \"y\", \"x\"], \"q_samples\": [\"y\", \"z\"], "
            "\"terms\": true}"},
    {"/kl", "{\"p_logits\": [0, 1e300], \"q\": [0.5, 0.5], \"base\": 10}"},
    {"/kl", "{\"p\": [0.5, 0.5], \"q\": [1e999, 0]}"},
    {"/js", "{\"p\": [0.5, 0.5], \"q\": [0.9, 0.1], \"terms\": true}"},
    {"/js", "{\"p_samples\": [1, 2, 2, 3], \"q_samples\": [3, 3, 4]}"},
    {"/cross-entropy", "{\"label\": 1, \"q_logits\": [0.1, 2.0, -1.0], "
                       "\"label_smoothing\": 0.1, \"terms\": true}"},
    {"/cross-entropy", "{\"p\": {\"a\": 0.5, \"b\": 0.5}, \"q\": {\"a\": 1}}"},
    {"/cross-entropy", "{\"p_samples\": [true, false], \"q_samples\": [true]}"},
    {"/gaussian-kl",
     "{\"p\": {\"mean\": 0, \"std\": 1}, \"q\": {\"mean\": 1, \"var\": 2}}"},
    {"/gaussian-kl", "{\"p\": {\"mean\": [0, 1], \"cov\": [[2, 0.5], [0.5, 1]]}, "
                     "\"q\": {\"mean\": [1, 0], \"cov\": [[1, 0], [0, 1]]}, \"base\": 2}"},
    {"/gaussian-kl", "{\"p\": {\"mean\": [[0, 1], [1, 2], [3, 4]], \"log_var\": [[0, 0], "
                     "[1, 1], [2, 2]]}, \"q\": {\"mean\": [0, 0], \"std\": [1, 2]}}"},
    {"/gaussian-kl", "{\"p\": {\"mean\": [0, 1], \"cov\": [[1, 2], [2, 1]]}}"},
    {"/batch/categorical-kl", "{\"p_logits\": [[1, 2, 3], [0, 0, 0]], \"q_logits\": "
                              "[[3, 2, 1], [0, 0, 1e3]], \"temperature\": 2}"},
    {"/batch/categorical-kl", "{\"p\": [[0.5, 0.5], [1, 0]], \"q\": [[0.5, 0.5], [0, 1]]}"},
    {"/batch/categorical-kl", "{\"p\": [[0.5, 0.5]], \"q\": [[0.5, 0.5, 0]]}"},
    {"/drift", "{\"reference\": {\"x\": [1, 2, 3, 4, 5, 6, 7, 8], \"c\": [\"a\", \"b\", "
               "\"a\", null]}, \"current\": {\"x\": [2, 3, 9, 9, null], \"c\": [\"a\", "
               "\"z\"]}, \"bins\": 4}"},
    {"/drift", "{\"reference\": {\"x\": {\"profile\": {\"kind\": \"numeric\", \"edges\": "
               "[2, 4], \"counts\": [2, 2, 2], \"missing\": 0, \"n\": 6}}}, \"current\": "
               "{\"x\": [1, 5, 5]}, \"measures\": [\"psi\", \"tv\"]}"},
    {"/drift", "{\"reference\": {\"x\": [1, 2]}, \"current\": {\"y\": [1]}}"},
    {"/divergences",
     "{\"p\": [0.5, 0.3, 0.2], \"q\": [0.2, 0.3, 0.5], \"alpha\": [0.5, 2], "
     "\"terms\": true, \"positions\": [3, 1, 2]}"},
    {"/divergences",
     "{\"p\": {\"a\": 1, \"b\": 0}, \"q\": {\"b\": 1}, \"normalize\": true, "
     "\"measures\": [\"kl\", \"chi2\", \"renyi\"], \"alpha\": 3}"},
    {"/divergences",
     "{\"p_samples\": [1, 2, 2], \"q_samples\": [2, 3], \"smoothing\": 0.01}"},
    {"/divergences", "{\"p\": [1], \"q\": [1], \"measures\": [\"nope\"]}"},
};

/* Bodies big enough to grow every buffer: arena blocks, the support table, the
 * response writer, the covariance work space. Built once, before anything is armed. */
enum item { NUM_HALF, LABEL, SAMPLE, NUM_QUARTER, NUM_ONE, SAMPLE_ONE };

static int item(char *b, size_t cap, enum item k, int i)
{
    switch (k) {
    case NUM_HALF: return snprintf(b, cap, "%d.5", i);
    case LABEL: return snprintf(b, cap, "\"l%d\": %d", i, i % 7 + 1);
    case SAMPLE: return snprintf(b, cap, "\"s%d\", %d", i, i % 7 + 1);
    case NUM_QUARTER: return snprintf(b, cap, "%d.25", i);
    case NUM_ONE: return snprintf(b, cap, "1");
    case SAMPLE_ONE: return snprintf(b, cap, "\"s%d\"", i);
    }
    return 0;
}

static char *build(const char *head, enum item k, int n, const char *tail)
{
    size_t cap = strlen(head) + strlen(tail) + (size_t)n * 48 + 1, len = 0;
    char *b = __real_malloc(cap);
    len += (size_t)snprintf(b + len, cap - len, "%s", head);
    for (int i = 0; i < n; i++) {
        if (i)
            b[len++] = ',';
        len += (size_t)item(b + len, cap - len, k, i);
    }
    snprintf(b + len, cap - len, "%s", tail);
    return b;
}

static char *build_cov(int d)
{
    size_t cap = (size_t)d * (size_t)d * 8 + (size_t)d * 8 + 64, len = 0;
    char *b = __real_malloc(cap);
    len += (size_t)snprintf(b + len, cap - len, "{\"p\": {\"mean\": [");
    for (int i = 0; i < d; i++)
        len += (size_t)snprintf(b + len, cap - len, "%s%d", i ? "," : "", i % 3);
    len += (size_t)snprintf(b + len, cap - len, "], \"cov\": [");
    for (int i = 0; i < d; i++) {
        len += (size_t)snprintf(b + len, cap - len, "%s[", i ? "," : "");
        for (int j = 0; j < d; j++)
            len += (size_t)snprintf(b + len, cap - len, "%s%s", j ? "," : "",
                                    i == j ? "2" : "0.5");
        len += (size_t)snprintf(b + len, cap - len, "]");
    }
    snprintf(b + len, cap - len, "]}}");
    return b;
}

/* Every failing run of one body; returns the failures and counts the runs. */
static int check_body(const char *path, const char *body, bool verbose, size_t *runs)
{
    int failures = 0;
    size_t n, leaked;
    outcome base = run(path, body, 0, false, &n, &leaked);
    if (leaked) {
        printf("FAIL %s %.200s: %zu allocations live after req_release (no failure)\n",
               path, body, leaked);
        failures++;
    }
    size_t oom = 0, ok = 0;
    for (int mode = 0; mode < 2; mode++) {
        for (size_t k = 1; k <= n; k++) {
            size_t calls;
            outcome o = run(path, body, k, mode == 1, &calls, &leaked);
            (*runs)++;
            const char *why = NULL;
            if (leaked)
                why = "allocations live after req_release";
            else if (same(&o, &base))
                ok++;
            else if (is_oom_answer(&o))
                oom++;
            else
                why = "neither the normal answer nor 503 out_of_memory";
            if (why) {
                printf(
                    "FAIL %s %.200s: allocation %zu%s failing: %s (%zu leaked): %u %.*s\n",
                    path, body, k, mode ? " and later" : "", why, leaked, o.status,
                    (int)(o.len > 300 ? 300 : o.len), o.body ? o.body : "");
                failures++;
            }
            __real_free(o.body);
            /* The next request must be unaffected. */
            outcome again = run(path, body, 0, false, &calls, &leaked);
            if (!same(&again, &base) || leaked) {
                printf("FAIL %s %.200s: the request after a failure at %zu differs\n", path,
                       body, k);
                failures++;
            }
            __real_free(again.body);
        }
    }
    if (verbose)
        printf("%-22s %7zu bytes  k = 1..%-5zu %5zu x 503 out_of_memory, %5zu x normal "
               "answer (%u)  %.60s\n",
               path, strlen(body), n, oom, ok, base.status, body);
    __real_free(base.body);
    return failures;
}

/* {"p": [1, 1, …] (n ones), "normalize": true} */
static char *ones(int n)
{
    return build("{\"normalize\": true, \"p\": [", NUM_ONE, n, "]}");
}

int main(int argc, char **argv)
{
    bool verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
    snprintf(g_cfg.bind, sizeof g_cfg.bind, "127.0.0.1");
    g_cfg.max_body = 1u << 20;
    g_cfg.max_elements = 1u << 18;
    snprintf(g_cfg.cors_origin, sizeof g_cfg.cors_origin, "*");
    g_cfg.log_level = LOG_ERROR;

    /* 3000 weights with terms; 2500 distinct labels per side; 2000 samples; a 24×24
     * covariance; 60 rows of 40 logits. */
    samples[0].body =
        build("{\"p\": [", NUM_HALF, 3000, "], \"normalize\": true, \"terms\": true}");
    samples[1].body = build("{\"normalize\": true, \"terms\": true, \"p\": {", LABEL, 2500,
                            "}, \"q\": {\"l0\": 1, \"l1\": 2}}");
    samples[2].body = build("{\"p_samples\": [", SAMPLE, 1000,
                            "], \"q_samples\": [1, 2, \"s1\"], \"terms\": true}");
    samples[3].body = build_cov(24);
    {
        char *row = build("[", NUM_QUARTER, 40, "]");
        size_t rl = strlen(row), cap = 2 * (60 * (rl + 1)) + 64, len = 0;
        char *b = __real_malloc(cap);
        for (int side = 0; side < 2; side++) {
            len += (size_t)snprintf(b + len, cap - len, "%s\"%s\": [", side ? "], " : "{",
                                    side ? "q_logits" : "p_logits");
            for (int i = 0; i < 60; i++)
                len += (size_t)snprintf(b + len, cap - len, "%s%s", i ? "," : "", row);
        }
        snprintf(b + len, cap - len, "]}");
        __real_free(row);
        samples[4].body = b;
    }
    int failures = 0;
    size_t runs = 0, bodies = 0;
    for (size_t s = 0; s < sizeof samples / sizeof samples[0]; s++, bodies++)
        failures += check_body(samples[s].path, samples[s].body, true, &runs);
    /* Sweep 1: doubles arrays straddling arena block boundaries (bytes / 8 entries). */
    static const int edges[] = {512, 1024, 2048, 8192};
    for (size_t e = 0; e < sizeof edges / sizeof edges[0]; e++) {
        for (int d = -2; d <= 2; d++, bodies++) {
            char *b = ones(edges[e] + d);
            failures += check_body("/entropy", b, verbose, &runs);
            __real_free(b);
        }
    }
    /* Sweep 2: distinct samples around the support table's growth (it doubles). */
    for (int n = 4; n <= 140; n++, bodies++) {
        char *b = build("{\"q_samples\": [\"s0\"], \"p_samples\": [", SAMPLE_ONE, n, "]}");
        failures += check_body("/kl", b, verbose, &runs);
        __real_free(b);
    }
    /* Past the first MiB of body (the decoding pipe's blocks) and 65536 categories (the
     * KL's helper thread and its buffers): 2 × 100000 numbers, 1.3 MB. */
    {
        char *pp = build("{\"normalize\": true, \"p\": [", NUM_HALF, 100000, "], \"q\": ");
        char *qq = build("[", NUM_QUARTER, 100000, "]}");
        size_t lp = strlen(pp), lq = strlen(qq);
        char *b = __real_malloc(lp + lq + 1);
        memcpy(b, pp, lp);
        memcpy(b + lp, qq, lq + 1);
        failures += check_body("/kl", b, verbose, &runs);
        bodies++;
        __real_free(b);
        __real_free(qq);
        __real_free(pp);
    }
    printf("alloc: %zu failing runs over %zu bodies, %d failures\n", runs, bodies,
           failures);
    return failures ? 1 : 0;
}
