/*
 * test_util_numparse.c — dv_parse_json_number against glibc strtod, bit for bit.
 *
 * `make test` runs a 200k-case sample (random and adversarial decimal strings: printed
 * doubles at every precision, raw digit strings with 1–40 digits and exponents across
 * the whole range, exact halfway points between neighbouring doubles and strings just
 * either side of them, subnormals, the overflow boundary, long runs of zeros). Pass a
 * count to run more: `build/tests/test_util_numparse 5000000`; `--bench` times both parsers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <math.h>

#include <cmocka.h>

#include "numparse.h"

static unsigned long g_cases = 200000;

/* Linked with -Wl,--wrap=malloc (Makefile): while g_fail_malloc is set every malloc fails,
 * so the long-number test proves the parser needs no heap (it once ran strtod on a
 * truncated prefix when its copy could not be allocated, and misread the number). */
static bool g_fail_malloc;
void *__real_malloc(size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_malloc(size_t n)
{
    return g_fail_malloc ? NULL : __real_malloc(n);
}
static uint64_t g_rng = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void)
{
    uint64_t z = (g_rng += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static unsigned rndn(unsigned n)
{
    return (unsigned)(rnd() % n);
}

static double bits_to_double(uint64_t b)
{
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

static unsigned long g_checked, g_mismatch;

/* One differential check; the text must be a complete JSON number. */
static void check_text(const char *s)
{
    size_t n = strlen(s);
    double want = strtod(s, NULL), got = 0;
    size_t used = dv_parse_json_number(s, n, &got);
    g_checked++;
    if (used != n || memcmp(&want, &got, sizeof got) != 0) {
        if (g_mismatch++ < 10)
            fprintf(stderr, "mismatch: \"%s\": used %zu of %zu, got %.17g want %.17g\n", s,
                    used, n, got, want);
    }
}

/* A finite double printed the way clients print them. */
static void case_printed(void)
{
    uint64_t b = rnd();
    double d = bits_to_double(b);
    if (!isfinite(d))
        return;
    char s[64];
    int prec = 1 + (int)rndn(20);
    snprintf(s, sizeof s, rndn(2) ? "%.*g" : "%.*e", prec, d);
    check_text(s);
}

/* Random digits, random point, random exponent: covers 19–20+ digit mantissas. */
static void case_digits(void)
{
    char s[128];
    size_t o = 0;
    if (rndn(2))
        s[o++] = '-';
    unsigned ndig = 1 + rndn(rndn(4) ? 22 : 40);
    unsigned point = rndn(ndig + 1);
    if (point == 0 || rndn(4) == 0) {
        s[o++] = '0';
        s[o++] = '.';
        unsigned zeros = rndn(4) == 0 ? rndn(30) : 0;
        for (unsigned i = 0; i < zeros; i++)
            s[o++] = '0';
        for (unsigned i = 0; i < ndig; i++)
            s[o++] = (char)('0' + rndn(10));
    } else {
        s[o++] = (char)('1' + rndn(9));
        for (unsigned i = 1; i < ndig; i++) {
            if (i == point && point < ndig)
                s[o++] = '.';
            s[o++] = (char)('0' + (rndn(8) == 0 ? 9 : rndn(10)));
        }
    }
    if (rndn(3)) {
        s[o++] = rndn(2) ? 'e' : 'E';
        unsigned k = rndn(3);
        if (k == 1)
            s[o++] = '-';
        else if (k == 2)
            s[o++] = '+';
        o += (size_t)snprintf(s + o, sizeof s - o, "%u", rndn(rndn(4) ? 360 : 700));
    }
    s[o] = '\0';
    check_text(s);
}

/* The exact midpoint between a double and its successor, and strings just off it. */
static void case_halfway(void)
{
    uint64_t b = rnd() & 0x7fffffffffffffffu;
    if (rndn(4) == 0)
        b &= 0x000fffffffffffffu; /* subnormal */
    else if (rndn(3) == 0)
        b = (b & 0x800fffffffffffffu) | ((uint64_t)(1023 + rndn(120) - 60) << 52);
    double d = bits_to_double(b), e = nextafter(d, INFINITY);
    if (!isfinite(d) || !isfinite(e))
        return;
    long double mid = ((long double)d + (long double)e) / 2;
    static char s[1200];
    snprintf(s, sizeof s, "%.800Le", mid); /* glibc prints the exact expansion */
    char *ex = strchr(s, 'e');
    char expo[16];
    snprintf(expo, sizeof expo, "%s", ex);
    /* trim trailing zeros of the mantissa: the exact midpoint text */
    char *z = ex;
    while (z[-1] == '0')
        z--;
    if (z[-1] == '.')
        z--;
    char *point = strchr(s, '.');
    size_t mant_len = (size_t)(z - s);
    char t[1300];
    snprintf(t, sizeof t, "%.*s%s", (int)mant_len, s, expo);
    check_text(t);
    if (point && mant_len > 3) {
        /* truncated to k digits (just below) and with a 1 appended (just above) */
        size_t k = (size_t)(point - s) + 1 + rndn((unsigned)(mant_len - (size_t)(point - s)));
        if (k > mant_len)
            k = mant_len;
        if (s[k - 1] != '.') {
            snprintf(t, sizeof t, "%.*s%s", (int)k, s, expo);
            check_text(t);
        }
        snprintf(t, sizeof t, "%.*s000001%s", (int)mant_len, s, expo);
        if (point < z)
            check_text(t);
    }
}

static void case_edges(void)
{
    static const char *const fixed[] = {
        "0", "-0", "0.0", "-0.0", "1", "-1", "0e0", "0e-999999", "0e999999", "1e308",
        "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308",
        "1.797693134862315807937289714053e308", "1.797693134862315708145274237317e308",
        "1.7976931348623157081452742373170436e308", "1e309", "-1e309", "1e999",
        "2.2250738585072014e-308", "2.2250738585072011e-308", "2.2250738585072012e-308",
        "4.9406564584124654e-324", "2.4703282292062327e-324", "2.4703282292062328e-324",
        "2.470328229206232720882778e-324", "1e-324", "1e-400", "-1e-400",
        "9007199254740993", "9007199254740992", "9007199254740993.0000000001",
        "18446744073709551615", "18446744073709551616", "99999999999999999999",
        "9999999999999999999", "10000000000000000000", "12345678901234567890123",
        "0.1", "0.2", "0.3", "1e23", "8.98846567431158e307", "123456789012345678e-30",
        "7.2057594037927933e16", "3.0517578125e-05", "1.00000000000000011102230246251565",
        "1.00000000000000011102230246251566", "1.00000000000000011102230246251564",
        "0.000000000000000000000000000000000000000000001e45", "1e-22", "1e22", "1e-23",
        "4503599627370496.5", "4503599627370497.5", "9007199254740993e0",
        "2.225073858507201136057409796709131975934819546351645648e-308",
    };
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        check_text(fixed[i]);
    /* long run of zeros before and after the significant digits */
    static char s[4096];
    memset(s, '0', sizeof s);
    s[0] = '0';
    s[1] = '.';
    s[3000] = '1';
    snprintf(s + 3001, 16, "e3000");
    check_text(s);
    memset(s, '0', sizeof s);
    s[0] = '1';
    snprintf(s + 3000, 16, "e-3000");
    check_text(s);
}

static void differential(void **state)
{
    (void)state;
    case_edges();
    for (unsigned long i = 0; i < g_cases; i++) {
        switch (i % 4) {
        case 0: case_printed(); break;
        case 1: case_digits(); break;
        case 2: case_digits(); break;
        default:
            if (i % 16 == 3)
                case_halfway();
            else
                case_printed();
        }
    }
    fprintf(stderr, "numparse: %lu strings checked against strtod, %lu mismatches\n",
            g_checked, g_mismatch);
    assert_int_equal(g_mismatch, 0);
}

static void grammar(void **state)
{
    (void)state;
    static const char *const bad[] = {"", "-", "+1", ".5", "1.", "1.e5", "1e", "1e+", "-e1",
                                      "NaN", "Infinity", "-Infinity", "x", "-.1", "--1"};
    double d;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(dv_parse_json_number(bad[i], strlen(bad[i]), &d), 0);
    /* a valid prefix is consumed; the caller decides what may follow */
    assert_int_equal(dv_parse_json_number("01", 2, &d), 1);
    assert_int_equal(dv_parse_json_number("1.5,", 4, &d), 3);
    assert_true(d > 1.49 && d < 1.51);
    assert_int_equal(dv_parse_json_number("-0]", 3, &d), 2);
    assert_true(signbit(d));
    /* the length bound is respected: no read past n */
    assert_int_equal(dv_parse_json_number("12345", 3, &d), 3);
    assert_true(d > 122.9 && d < 123.1);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Throughput on typical request numbers (probabilities printed with 17 digits). */
static int bench(void)
{
    enum { N = 1 << 20 };
    char *text = malloc((size_t)N * 32);
    size_t *off = malloc(sizeof *off * (N + 1)), o = 0;
    if (!text || !off)
        return 1;
    for (size_t i = 0; i < N; i++) {
        off[i] = o;
        o += (size_t)snprintf(text + o, 32, "%.17g", (double)(rnd() >> 11) * 0x1p-53) + 1;
    }
    off[N] = o;
    double *a = malloc(sizeof *a * N), *b = malloc(sizeof *b * N);
    if (!a || !b)
        return 1;
    double t0 = now();
    for (size_t i = 0; i < N; i++)
        a[i] = strtod(text + off[i], NULL);
    double t1 = now();
    for (size_t i = 0; i < N; i++)
        dv_parse_json_number(text + off[i], off[i + 1] - off[i] - 1, &b[i]);
    double t2 = now();
    size_t differ = 0;
    for (size_t i = 0; i < N; i++)
        differ += memcmp(&a[i], &b[i], sizeof *a) != 0;
    free(a);
    free(b);
    printf("numparse_bench numbers=%d bytes=%zu strtod_MBps=%.1f numparse_MBps=%.1f "
           "speedup=%.2f mismatches=%zu\n",
           N, o, (double)o / (t1 - t0) / 1e6, (double)o / (t2 - t1) / 1e6,
           (t1 - t0) / (t2 - t1), differ);
    free(text);
    free(off);
    return 0;
}

/*
 * Numbers of 800 to 1,200 significant digits, where only the digits past the 767th
 * decide the rounding: the exact midpoint between two neighbouring doubles (printed
 * exactly from a long double, which holds it), then the same with a 1 in the last
 * place (just above the midpoint) — parsed with malloc failing throughout.
 */
static void long_numbers(void **state)
{
    (void)state;
    static char text[1400];
    g_mismatch = 0;
    for (int k = 0; k < 4000; k++) {
        uint64_t bits = rnd() & 0x7fefffffffffffffu;
        if (k % 3 == 0)
            bits &= 0x000fffffffffffffu; /* subnormals: the longest midpoints */
        double a = bits_to_double(bits), b = nextafter(a, INFINITY);
        long double mid = ((long double)a + (long double)b) / 2;
        int digits = 800 + (int)rndn(400);
        snprintf(text, sizeof text, "%.*Le", digits, mid);
        g_fail_malloc = true;
        check_text(text);
        char *e = strchr(text, 'e');
        e[-1] = '1'; /* now just above the midpoint */
        check_text(text);
        g_fail_malloc = false;
    }
    g_fail_malloc = false;
    assert_int_equal(g_mismatch, 0);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--bench") == 0)
        return bench();
    if (argc > 1)
        g_cases = strtoul(argv[1], NULL, 10);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(grammar),
        cmocka_unit_test(differential),
        cmocka_unit_test(long_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
