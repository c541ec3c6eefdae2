/*
 * numfmt.c — doubles as the shortest decimal text that reads back exactly (see numfmt.h).
 */
#include "numfmt.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "numparse.h"

static bool same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* The shortest of %.15g, %.16g, %.17g that reads back to x (x finite), as
 * snprintf+strtod would pick it.
 *
 * Why: the straightforward loop costs up to three snprintf and three strtod calls per
 * number. For most doubles (exact_digits below) each candidate's digits and whether it
 * reads back come from exact integer arithmetic on x's bits, with no snprintf and no
 * parse. Elsewhere (shortest_by_printf) %.16e gives the 17 significant digits once; the
 * 15- and 16-digit candidates are that string rounded — exactly what %.15g / %.16g print,
 * except when the dropped digits are exactly one half (then snprintf is asked directly) —
 * and they are checked with the correctly rounded numparse.c. Either way the %g layout
 * (fixed or exponent, trailing zeros removed) is rebuilt by hand (layout).
 * tests/unit/test_util_numfmt.c compares the result with the plain loop on millions of
 * doubles. */
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
    t[o++] = 'e';
    int e = e10 - nd + 1;
    if (e < 0) {
        t[o++] = '-';
        e = -e;
    }
    char d[8];
    int k = 0;
    do {
        d[k++] = (char)('0' + e % 10);
        e /= 10;
    } while (e);
    while (k)
        t[o++] = d[--k];
    double y;
    return dv_parse_json_number(t, (size_t)o, &y) == (size_t)o && same_bits(x, y);
}

/*
 * The nd (15, 16 or 17) significant digits of x > 0 correctly rounded, ties to even — what
 * %.{nd-1}e prints — and the decimal exponent, in exact integer arithmetic, for normal
 * doubles from 10^(nd−33) (q ≤ 32 below) to 2^128; false elsewhere (the caller asks
 * snprintf).
 *
 * x = m·2^e; D = round(x·10^q) with q = nd − 1 − k, k = ⌊log10 x⌋, so D has nd digits.
 * For q ≥ 0, x·10^q = m·5^q·2^(e+q), and m·5^q < 2^128 while q ≤ 32; for q < 0 it is
 * (m·2^e) / 10^−q, all in 128 bits while x < 2^128. Either way quotient and remainder are
 * exact, so the rounding is too. k is estimated from the binary exponent (it is k or k − 1) and
 * corrected when D comes out with one digit too many.
 */
typedef unsigned __int128 u128;

static const uint64_t pow5_64[28] = {1u,
                                     5u,
                                     25u,
                                     125u,
                                     625u,
                                     3125u,
                                     15625u,
                                     78125u,
                                     390625u,
                                     1953125u,
                                     9765625u,
                                     48828125u,
                                     244140625u,
                                     1220703125u,
                                     6103515625u,
                                     30517578125u,
                                     152587890625u,
                                     762939453125u,
                                     3814697265625u,
                                     19073486328125u,
                                     95367431640625u,
                                     476837158203125u,
                                     2384185791015625u,
                                     11920928955078125u,
                                     59604644775390625u,
                                     298023223876953125u,
                                     1490116119384765625u,
                                     7450580596923828125u};

static u128 pow5(int q) /* q ≤ 54 */
{
    return q <= 27 ? pow5_64[q] : (u128)pow5_64[27] * pow5_64[q - 27];
}

/* v < 10^8 as eight ASCII digits, two at a time (two short chains instead of one long). */
static void eight_digits(char *out, uint32_t v)
{
    static const char pairs[] = "00010203040506070809101112131415161718192021222324"
                                "25262728293031323334353637383940414243444546474849"
                                "50515253545556575859606162636465666768697071727374"
                                "75767778798081828384858687888990919293949596979899";
    uint32_t a = v / 10000u, b = v % 10000u;
    memcpy(out, pairs + 2 * (a / 100u), 2);
    memcpy(out + 2, pairs + 2 * (a % 100u), 2);
    memcpy(out + 4, pairs + 2 * (b / 100u), 2);
    memcpy(out + 6, pairs + 2 * (b % 100u), 2);
}

static const uint64_t pow10_64[18] = {1u,
                                      10u,
                                      100u,
                                      1000u,
                                      10000u,
                                      100000u,
                                      1000000u,
                                      10000000u,
                                      100000000u,
                                      1000000000u,
                                      10000000000u,
                                      100000000000u,
                                      1000000000000u,
                                      10000000000000u,
                                      100000000000000u,
                                      1000000000000000u,
                                      10000000000000000u,
                                      100000000000000000u};

/*
 * Whether a decimal `diff` units from x (below it when `below`) reads back to x: it must
 * lie within half the gap to x's neighbour, `unit` being one ulp of x in those units; the
 * gap below a power of two is half as wide; exactly half-way reads as x when x's
 * significand is even (round half to even).
 */
static bool reads_as_x(u128 diff, u128 unit, bool below, bool narrow_below, bool even)
{
    if (diff >= unit)
        return false;
    u128 twice = (below && narrow_below ? 4 : 2) * diff;
    return twice < unit || (twice == unit && even);
}

static bool exact_digits(double x, int nd, char dig[17], int *e10, bool *back)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    int be = (int)(bits >> 52 & 0x7ff);
    if (be == 0 || be == 0x7ff)
        return false;
    uint64_t frac = bits & (((uint64_t)1 << 52) - 1), m = frac | (uint64_t)1 << 52;
    int e = be - 1075;
    bool narrow = frac == 0 && be > 1, even = (m & 1) == 0;
    int k = (int)floor((e + 52) * 0.30102999566398120); /* x ∈ [2^(e+52), 2^(e+53)) */
    for (int tries = 0; tries < 2; tries++, k++) {
        int q = nd - 1 - k;
        u128 d, rem, span, unit; /* x·10^q = d + rem/span; an ulp of x is unit/span */
        if (q >= 0) {
            if (q > 32)
                return false;
            u128 n = (u128)m * pow5(q);
            int sh = -(e + q);
            if (sh <= 0) { /* an integer already (x·10^q < 2^57, so −sh ≤ 4) */
                d = n << -sh;
                rem = 0;
                span = unit = 1;
            } else {
                if (sh > 120)
                    return false;
                d = n >> sh;
                rem = n & (((u128)1 << sh) - 1);
                span = (u128)1 << sh;
                unit = pow5(q); /* 2^e·10^q = 5^q / 2^sh */
            }
        } else {
            /* x·10^q = (m·2^e) / 10^−q; a negative e joins the divisor */
            int down = -q + (e < 0 ? -e : 0); /* the divisor: 5^−q · 2^down < 2^127 */
            if (e > 74 || -q > 38 || down + (-q * 2322 + 999) / 1000 > 126)
                return false;
            u128 n = (u128)m << (e > 0 ? e : 0);
            span = pow5(-q) << down;
            d = n / span;
            rem = n % span;
            unit = (u128)1 << (e > 0 ? e : 0); /* 2^e·10^q·span = 2^max(e, 0) */
        }
        /* round half to even; the decimal d is then rem (below x) or span − rem away */
        bool up = rem > span - rem || (rem == span - rem && (d & 1));
        if (up)
            d++;
        if (d >= pow10_64[nd])
            continue; /* one digit too many: k was one too small */
        *back = rem == 0 || reads_as_x(up ? span - rem : rem, unit, !up, narrow, even);
        /* D as 17 digits (nd < 17: scaled up, trailing zeros), in three groups */
        uint64_t v = (uint64_t)d * pow10_64[17 - nd], hi = v / 100000000u;
        dig[0] = (char)('0' + hi / 100000000u);
        eight_digits(dig + 1, (uint32_t)(hi % 100000000u));
        eight_digits(dig + 9, (uint32_t)(v % 100000000u));
        *e10 = k;
        return true;
    }
    return false;
}

/* The same with snprintf for the digits, where exact_digits does not reach (subnormals,
 * |x| below about 1e-16, |x| ≥ 2^128). */
static int shortest_by_printf(char *out, double x)
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

int numfmt_shortest(char *out, double x)
{
    bool neg = signbit(x);
    if (fpclassify(x) == FP_ZERO) /* %.15g prints "0" or "-0" */
        return layout(out, neg, "0", 1, 0, 15);
    char dig[17];
    int e10;
    bool back;
    for (int prec = 15; prec <= 17; prec++) {
        if (!exact_digits(fabs(x), prec, dig, &e10, &back))
            return shortest_by_printf(out, x);
        if (prec == 17 || back)
            return layout(out, neg, dig, prec, e10, prec);
    }
    return 0; /* not reached: prec 17 always returns */
}

void numfmt_msg(char *buf, size_t size, double x)
{
    if (size == 0)
        return;
    if (isnan(x)) {
        snprintf(buf, size, "NaN");
        return;
    }
    if (isinf(x)) {
        snprintf(buf, size, x > 0 ? "Infinity" : "-Infinity");
        return;
    }
    char t[32];
    int n = numfmt_shortest(t, x);
    snprintf(buf, size, "%.*s", n, t);
}
