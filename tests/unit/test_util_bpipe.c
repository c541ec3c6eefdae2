/*
 * test_util_bpipe.c — the decoding pipe: every byte reaches the sink once and in order,
 * whatever the sizes put (including blocks split anywhere and puts larger than the whole
 * ring), the sink runs on another thread, and no more pipes start than there are other
 * CPUs (bpipe_start then says NULL and the caller decodes itself).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bpipe.h"

typedef struct sink_state {
    unsigned char *got;
    size_t n, cap;
    size_t calls;
    size_t largest;
    pthread_t caller;
    int on_other_thread;
} sink_state;

static void sink(void *ctx, const char *data, size_t n)
{
    sink_state *s = ctx;
    assert_true(s->n + n <= s->cap);
    memcpy(s->got + s->n, data, n);
    s->n += n;
    s->calls++;
    if (n > s->largest)
        s->largest = n;
    if (!pthread_equal(pthread_self(), s->caller))
        s->on_other_thread = 1;
}

static unsigned char byte_at(size_t i)
{
    return (unsigned char)((i * 2654435761u) >> 13);
}

/* Puts total bytes in pieces drawn from sizes[] (cycled), then finishes. */
static void run(size_t total, const size_t *sizes, size_t nsizes)
{
    unsigned char *src = malloc(total ? total : 1);
    assert_non_null(src);
    for (size_t i = 0; i < total; i++)
        src[i] = byte_at(i);
    sink_state s = {
        .got = malloc(total ? total : 1), .cap = total, .caller = pthread_self()};
    assert_non_null(s.got);
    bpipe *p = bpipe_start(sink, &s);
    if (!p) { /* a single-CPU machine runs no pipe: nothing to test here */
        assert_true(sysconf(_SC_NPROCESSORS_ONLN) <= 1);
        free(s.got);
        free(src);
        return;
    }
    size_t off = 0;
    for (size_t k = 0; off < total; k++) {
        size_t n = sizes[k % nsizes];
        if (n > total - off)
            n = total - off;
        bpipe_put(p, (const char *)src + off, n);
        off += n;
    }
    bpipe_finish(p);
    assert_int_equal(s.n, total);
    assert_memory_equal(s.got, src, total);
    assert_true(s.largest <= BPIPE_BLOCK);
    if (total > 0) {
        assert_true(s.on_other_thread);
        /* whole blocks: ceil(total / BPIPE_BLOCK) calls, not one per put */
        assert_int_equal(s.calls, (total + BPIPE_BLOCK - 1) / BPIPE_BLOCK);
    }
    free(s.got);
    free(src);
}

static void t_order_and_completeness(void **state)
{
    (void)state;
    const size_t tiny[] = {1, 7, 3};
    const size_t http[] = {16222, 14122, 16384, 248};
    const size_t huge[] = {(size_t)BPIPE_BLOCK * BPIPE_BLOCKS * 3 + 5};
    const size_t edge[] = {BPIPE_BLOCK - 1, 1, BPIPE_BLOCK, BPIPE_BLOCK + 1};
    run(0, tiny, 3);
    run(100000, tiny, 3);
    run((size_t)9 << 20, http, 4);
    run((size_t)BPIPE_BLOCK * BPIPE_BLOCKS * 3 + 5, huge, 1);
    run((size_t)BPIPE_BLOCK * 7, edge, 4);
}

static void t_at_most_one_per_other_cpu(void **state)
{
    (void)state;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t max = cpus > 1 ? (size_t)(cpus - 1) : 0;
    sink_state s = {.got = malloc(1), .cap = 0, .caller = pthread_self()};
    bpipe **p = calloc(max + 1, sizeof *p);
    assert_non_null(p);
    for (size_t i = 0; i < max; i++) {
        p[i] = bpipe_start(sink, &s);
        assert_non_null(p[i]);
    }
    assert_null(bpipe_start(sink, &s));
    for (size_t i = 0; i < max; i++)
        bpipe_finish(p[i]);
    if (max > 0) { /* a finished pipe frees its place */
        bpipe *again = bpipe_start(sink, &s);
        assert_non_null(again);
        bpipe_finish(again);
    }
    free(p);
    free(s.got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_order_and_completeness),
        cmocka_unit_test(t_at_most_one_per_other_cpu),
    };
    return cmocka_run_group_tests_name("util: bpipe", tests, NULL, NULL);
}
