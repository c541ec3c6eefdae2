/*
 * numfmt.c — doubles as the shortest decimal text that reads back exactly (see numfmt.h).
 */
#include "numfmt.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "numparse.h"

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
 * tests/unit/test_util_numfmt.c compares the result with the plain loop on millions of doubles. */
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

int numfmt_shortest(char *out, double x)
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
