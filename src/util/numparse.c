/*
 * numparse.c — JSON number text → correctly rounded double (see numparse.h).
 *
 * Three steps, each exact where it answers:
 *  1. grammar + significand: up to 19 significant digits go into a uint64 w, the rest
 *     only set a "truncated" flag; the value is w × 10^q.
 *  2. Clinger's fast path: w ≤ 2^53 and |q| ≤ 22 — w and 10^|q| are exact doubles, so one
 *     IEEE multiply or divide rounds once, correctly.
 *  3. Eisel–Lemire: multiply the normalised w by a 128-bit truncation of 5^q (table from
 *     src/util/gen_numparse_pow5.py) and read the 53-bit significand off the high word.
 *     When the discarded bits are too close to a rounding boundary to be sure, or when
 *     digits were truncated and w and w+1 round differently, the text goes to strtod.
 *     The fallback is rare (tests/unit/test_numparse.c counts it) and always correct.
 */
#include "numparse.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numparse_pow5.h"

static double from_bits(uint64_t b)
{
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

/*
 * strtod on a NUL-terminated copy (s is not terminated); the rare hard cases only.
 *
 * Why no malloc for long texts: a number must never fail, or be misread, because memory
 * is short. At most 767 significant digits can decide how a decimal rounds to binary64
 * (the longest exact midpoint between two doubles has 767), so a long significand is cut
 * after SIG_KEEP digits and everything after them only says "some non-zero digit
 * follows": one sticky '1' in the next place keeps the rounding direction, and the
 * exponent is adjusted for the digits moved. The copy then always fits on the stack.
 */
enum { SIG_KEEP = 780 };

static double slow_path(const char *s, size_t n)
{
    char buf[SIG_KEEP + 48];
    size_t o = 0, i = 0, sig = 0;
    int64_t shift = 0; /* the value is digits × 10^(shift + exponent) */
    bool sticky = false;
    if (i < n && s[i] == '-')
        buf[o++] = s[i++];
    for (bool frac = false; i < n; i++) {
        char c = s[i];
        if (c == '.' && !frac) {
            frac = true;
            continue;
        }
        if (c < '0' || c > '9')
            break;
        if (sig == 0 && c == '0') { /* leading zeros carry no digit */
            shift -= frac;
            continue;
        }
        if (sig < SIG_KEEP) {
            buf[o++] = c;
            sig++;
            shift -= frac;
        } else {
            shift += !frac;
            sticky |= c != '0';
        }
    }
    if (sig == 0)
        buf[o++] = '0';
    if (sticky) {
        buf[o++] = '1';
        shift--;
    }
    int64_t e = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool eneg = i < n && s[i] == '-';
        if (i < n && (s[i] == '-' || s[i] == '+'))
            i++;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            if (e < 100000000) /* far past any double's range: saturate */
                e = e * 10 + (s[i] - '0');
        if (eneg)
            e = -e;
    }
    snprintf(buf + o, sizeof buf - o, "e%lld", (long long)(e + shift));
    return strtod(buf, NULL);
}

/* w × 10^q for w != 0 by Eisel–Lemire; false when it cannot decide. */
static bool eisel_lemire(uint64_t w, int64_t q, bool neg, double *out)
{
    uint64_t sign = (uint64_t)neg << 63;
    if (q < DV_POW5_MIN) {
        *out = from_bits(sign); /* below half the smallest subnormal */
        return true;
    }
    if (q > DV_POW5_MAX) {
        *out = from_bits(sign | 0x7ff0000000000000u);
        return true;
    }
    int lz = __builtin_clzll(w);
    w <<= lz;
    const uint64_t *t = dv_pow5[q - DV_POW5_MIN];
    unsigned __int128 p = (unsigned __int128)w * t[0];
    uint64_t hi = (uint64_t)(p >> 64), lo = (uint64_t)p;
    if ((hi & 0x1ff) == 0x1ff) {
        /* The low 9 bits decide rounding and may be off by the truncated table part:
         * add the product with the low half of the table. */
        unsigned __int128 p2 = (unsigned __int128)w * t[1];
        uint64_t hi2 = (uint64_t)(p2 >> 64);
        lo += hi2;
        hi += lo < hi2;
        if (lo == UINT64_MAX && (q < -27 || q > 55))
            return false;
    }
    int upper = (int)(hi >> 63);
    uint64_t m = hi >> (upper + 9);
    /* floor(log2(10^q)) + 63, exact for |q| ≤ 1700 */
    int64_t pow2 = (((152170 + 65536) * q) >> 16) + 63;
    int64_t e = pow2 + upper - lz + 1023;
    if (e <= 0) {
        /* subnormal (or zero): shift into place, then round half up — an exact tie is
         * impossible here with ≤ 19 digits */
        if (-e + 1 >= 64) {
            *out = from_bits(sign);
            return true;
        }
        m >>= -e + 1;
        m += m & 1;
        m >>= 1;
        e = m < ((uint64_t)1 << 52) ? 0 : 1;
        *out = from_bits(sign | ((uint64_t)e << 52) | (m & (((uint64_t)1 << 52) - 1)));
        return true;
    }
    /* An exact halfway value (possible only for small q, where the product is exact):
     * round to even instead of up. */
    if (lo <= 1 && q >= -4 && q <= 23 && (m & 3) == 1 && (m << (upper + 9)) == hi)
        m &= ~(uint64_t)1;
    m += m & 1;
    m >>= 1;
    if (m >= ((uint64_t)2 << 52)) {
        m = (uint64_t)1 << 52;
        e++;
    }
    if (e >= 0x7ff) {
        *out = from_bits(sign | 0x7ff0000000000000u);
        return true;
    }
    *out = from_bits(sign | ((uint64_t)e << 52) | (m & (((uint64_t)1 << 52) - 1)));
    return true;
}

static const double exact_pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static inline bool is_digit(char c)
{
    return (unsigned)(c - '0') < 10u;
}

static const uint64_t pow10_u64[] = {1u,      10u,      100u,      1000u,     10000u,
                                     100000u, 1000000u, 10000000u, 100000000u};

/* Eight ASCII digits, byte 0 the most significant, minus '0' each → their value:
 * pairs, then quads, then all eight. */
static inline uint64_t swar_value(uint64_t x)
{
    x = x * 10 + (x >> 8);
    return (((x & 0x000000ff000000ffu) * (100 + (1000000ull << 32))) +
            (((x >> 16) & 0x000000ff000000ffu) * (1 + (10000ull << 32)))) >>
           32;
}

/* The leading run of up to eight ASCII digits at p (eight bytes must be readable) → its
 * length, and its value in *v, with a handful of 64-bit operations (SWAR) instead of a
 * loop and a branch per digit. */
static inline unsigned digit_run(const char *p, uint64_t *v)
{
    uint64_t x;
    memcpy(&x, p, 8);
    /* A byte is a digit iff its high nibble is 3 and adding 6 does not carry into it. A
     * carry out of a non-digit byte (≥ 0xfa) can only spoil the bytes after it, which the
     * run does not use (little-endian: byte 0 is the first character). */
    uint64_t bad =
        ((x & 0xf0f0f0f0f0f0f0f0u) ^ 0x3030303030303030u) |
        (((x + 0x0606060606060606u) & 0xf0f0f0f0f0f0f0f0u) ^ 0x3030303030303030u);
    if (bad == 0) { /* the common case of a long number: no shift, no table */
        *v = swar_value(x - 0x3030303030303030u);
        return 8;
    }
    /* bit 7 of each byte that is not zero; the first one ends the run */
    bad = (bad | ((bad & 0x7f7f7f7f7f7f7f7fu) + 0x7f7f7f7f7f7f7f7fu)) & 0x8080808080808080u;
    unsigned len = (unsigned)__builtin_ctzll(bad) / 8;
    /* The run's bytes move to the top; the zero bytes shifted in are leading zeros. The
     * borrow of the subtraction runs upwards only, from bytes past the run. */
    *v = len ? swar_value((x - 0x3030303030303030u) << (8 * (8 - len))) : 0;
    return len;
}

/* Appends the digits at s[*i..] to *w, up to eight at a time while w has room for eight
 * more (19 in all); returns how many were taken. The caller's scalar loop takes the rest. */
static inline int digit_runs(const char *s, size_t n, size_t *i, uint64_t *w, int nd)
{
    int taken = 0;
    while (nd + taken <= 11 && *i + 8 <= n) {
        uint64_t v;
        unsigned len = digit_run(s + *i, &v);
        *w = *w * pow10_u64[len] + v;
        *i += len;
        taken += (int)len;
        if (len < 8)
            break;
    }
    return taken;
}

size_t dv_parse_json_number(const char *s, size_t n, double *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < n && s[i] == '-') {
        neg = true;
        i++;
    }
    if (i >= n || !is_digit(s[i]))
        return 0;
    uint64_t w = 0;
    int nd = 0;       /* significant digits kept in w */
    int64_t dexp = 0; /* decimal exponent adjustment for dropped / fraction digits */
    bool truncated = false;
    if (s[i] == '0') {
        i++;
    } else {
        nd += digit_runs(s, n, &i, &w, nd);
        while (i < n && is_digit(s[i])) {
            unsigned d = (unsigned)(s[i] - '0');
            if (nd < 19) {
                w = w * 10 + d;
                nd++;
            } else {
                dexp++;
                truncated |= d != 0;
            }
            i++;
        }
    }
    if (i < n && s[i] == '.') {
        i++;
        if (i >= n || !is_digit(s[i]))
            return 0;
        if (w == 0) /* leading zeros are not significant digits */
            for (; i < n && s[i] == '0'; i++)
                dexp--;
        int taken = digit_runs(s, n, &i, &w, nd);
        nd += taken;
        dexp -= taken;
        while (i < n && is_digit(s[i])) {
            unsigned d = (unsigned)(s[i] - '0');
            if (nd < 19) {
                if (w != 0 || d != 0) {
                    w = w * 10 + d;
                    nd++;
                }
                dexp--;
            } else {
                truncated |= d != 0;
            }
            i++;
        }
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < n && (s[i] == '+' || s[i] == '-')) {
            eneg = s[i] == '-';
            i++;
        }
        if (i >= n || !is_digit(s[i]))
            return 0;
        int64_t ev = 0;
        while (i < n && is_digit(s[i])) {
            if (ev < 100000000)
                ev = ev * 10 + (s[i] - '0');
            i++;
        }
        dexp += eneg ? -ev : ev;
    }
    if (w == 0) {
        *out = neg ? -0.0 : 0.0;
        return i;
    }
    if (!truncated && w <= ((uint64_t)1 << 53) && dexp >= -22 && dexp <= 22) {
        double d = (double)w;
        d = dexp < 0 ? d / exact_pow10[-dexp] : d * exact_pow10[dexp];
        *out = neg ? -d : d;
        return i;
    }
    double a, b;
    if (eisel_lemire(w, dexp, neg, &a) &&
        (!truncated ||
         (eisel_lemire(w + 1, dexp, neg, &b) && memcmp(&a, &b, sizeof a) == 0))) {
        *out = a;
        return i;
    }
    *out = slow_path(s, i);
    return i;
}
