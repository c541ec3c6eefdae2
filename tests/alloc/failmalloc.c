/*
 * failmalloc.c — an LD_PRELOAD shim for the daemon-level allocation-failure check
 * (tests/alloc/daemon_oom.py): inside a time window, malloc/calloc/realloc fail at random
 * with probability 1/DV_FAILMALLOC_ONE_IN. The window starts DV_FAILMALLOC_ARM_MS after
 * the process loads (so start-up is unaffected) and lasts DV_FAILMALLOC_MS.
 */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t n);

static int64_t g_from_ns = -1, g_to_ns;
static uint64_t g_one_in;
static _Thread_local uint64_t t_rng;

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

__attribute__((constructor)) static void setup(void)
{
    const char *a = getenv("DV_FAILMALLOC_ARM_MS"), *d = getenv("DV_FAILMALLOC_MS"),
               *o = getenv("DV_FAILMALLOC_ONE_IN");
    if (!a || !d || !o)
        return;
    g_one_in = strtoull(o, NULL, 10);
    int64_t t = now_ns();
    g_from_ns = t + (int64_t)strtoll(a, NULL, 10) * 1000000;
    g_to_ns = g_from_ns + (int64_t)strtoll(d, NULL, 10) * 1000000;
}

static int fail(void)
{
    if (g_from_ns < 0 || g_one_in == 0)
        return 0;
    int64_t t = now_ns();
    if (t < g_from_ns || t > g_to_ns)
        return 0;
    if (t_rng == 0)
        t_rng = (uint64_t)t | 1;
    t_rng ^= t_rng << 13;
    t_rng ^= t_rng >> 7;
    t_rng ^= t_rng << 17;
    return t_rng % g_one_in == 0;
}

void *malloc(size_t n)
{
    return fail() ? NULL : __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
    return fail() ? NULL : __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
    return fail() ? NULL : __libc_realloc(p, n);
}
