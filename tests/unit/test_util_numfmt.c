/*
 * test_util_numfmt.c — numfmt_shortest against the plain definition it replaces: the first
 * of snprintf %.15g / %.16g / %.17g that strtod reads back to the same double. Text must
 * be identical, on random bit patterns, random values in [0, 1), integers (also past 2^53),
 * powers of ten and values near them, halves and quarters near 1e15 (exact ties), and
 * powers of two and their neighbours (where the gap below x is half the gap above). `build/tests/test_util_numfmt N` runs N cases; --bench times both.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <time.h>

#include <cmocka.h>

#include "numfmt.h"

static unsigned long g_cases = 300000;
static uint64_t g_rng = 7;

static uint64_t rnd(void)
{
    uint64_t z = (g_rng += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static int reference(char *out, double x)
{
    int n = 0;
    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(out, 32, "%.*g", prec, x);
        double y = strtod(out, NULL);
        if (prec == 17 || memcmp(&x, &y, sizeof x) == 0)
            break;
    }
    return n;
}

static double sample(unsigned long i)
{
    uint64_t b = rnd();
    double d;
    switch (i % 10) {
    case 0: memcpy(&d, &b, sizeof d); return d;
    case 1: return (double)(b >> 11) * 0x1p-53;
    case 2: return (double)(int64_t)(b % 2000001) - 1000000.0;
    case 3: return pow(10.0, (double)(int)(b % 600) - 300);
    case 4:
        return nextafter(pow(10.0, (double)(int)(b % 40) - 20), (b >> 40) & 1 ? 0 : 1e300);
    /* 53-bit integers over 2^k near 1e15: the 17th digit is then often an exact tie */
    case 6: return (double)(b >> 11) * pow(2.0, -(double)(b % 4));
    /* integers past 2^53 (the division branch of the exact 17-digit path) */
    case 7: return (double)(b >> (b % 64 | 1)) * 0x1p20;
    /* powers of two and their neighbours: the gap below is half the gap above */
    case 8: {
        double two = ldexp(1.0, (int)(b % 240) - 80);
        return (b >> 40) % 3 == 0 ? two : nextafter(two, (b >> 40) % 3 == 1 ? 0.0 : 1e300);
    }
    default: return (double)(b >> 11) * 0x1p-53 * pow(2.0, (double)(int)(b % 200) - 100);
    }
}

static void same_text(void **state)
{
    (void)state;
    unsigned long bad = 0, n = 0;
    for (unsigned long i = 0; i < g_cases; i++) {
        double x = sample(i);
        if (!isfinite(x))
            continue;
        char a[32], b[32];
        int la = numfmt_shortest(a, x), lb = reference(b, x);
        n++;
        if (la != lb || strcmp(a, b) != 0) {
            if (bad++ < 10)
                fprintf(stderr, "%a: got %s want %s\n", x, a, b);
        }
    }
    /* every power of two of the normal range and its two neighbours */
    for (int k = -1022; k <= 1023; k++) {
        double two = ldexp(1.0, k),
               around[3] = {two, nextafter(two, 0.0), nextafter(two, 1e308)};
        for (int j = 0; j < 3; j++) {
            char a[32], b[32];
            int la = numfmt_shortest(a, around[j]), lb = reference(b, around[j]);
            n++;
            if ((la != lb || strcmp(a, b) != 0) && bad++ < 10)
                fprintf(stderr, "%a: got %s want %s\n", around[j], a, b);
        }
    }
    fprintf(stderr, "jw: %lu doubles formatted, %lu differ from %%.15g/16g/17g+strtod\n", n,
            bad);
    assert_int_equal(bad, 0);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--bench") == 0) {
        enum { N = 1 << 19 };
        char buf[32];
        size_t sum = 0;
        double t0 = now();
        for (unsigned long i = 0; i < N; i++)
            sum +=
                (size_t)reference(buf, (double)(i * 2654435761u % 1000003) / 1000003.0 / 7);
        double t1 = now();
        for (unsigned long i = 0; i < N; i++)
            sum += (size_t)numfmt_shortest(buf, (double)(i * 2654435761u % 1000003) /
                                                    1000003.0 / 7);
        double t2 = now();
        printf("jw_bench numbers=%d reference_ns=%.0f jw_ns=%.0f speedup=%.2f (%zu)\n", N,
               (t1 - t0) / N * 1e9, (t2 - t1) / N * 1e9, (t1 - t0) / (t2 - t1), sum);
        return 0;
    }
    if (argc > 1)
        g_cases = strtoul(argv[1], NULL, 10);
    const struct CMUnitTest tests[] = {cmocka_unit_test(same_text)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
