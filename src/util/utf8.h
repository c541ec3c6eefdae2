/*
 * utf8.h — the length of one well-formed UTF-8 sequence. Why: everything we write (JSON
 * bodies, log lines) must be valid UTF-8, but some text we echo is cut to a length (a
 * label in a message, %.100s) or comes raw from the request line (a path); a cut can land
 * inside a character. Writers replace what this rejects with U+FFFD.
 */
#ifndef DV_UTF8_H
#define DV_UTF8_H

#include <stddef.h>

/* Bytes in the well-formed sequence at s[0..n) (1 to 4), or 0 when it is not one. */
static inline size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0; /* no overlong forms */
        if (c == 0xED)
            hi = 0x9F; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F; /* nothing above U+10FFFF */
    } else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return len;
}

#define UTF8_REPLACEMENT "\xEF\xBF\xBD"

#endif
