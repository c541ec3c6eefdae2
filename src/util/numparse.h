/*
 * numparse.h — JSON number text → double, correctly rounded (bit-identical to strtod).
 *
 * The request decoder spends most of its time here on large bodies, so the common case
 * (≤ 19 significant digits, decimal exponent in the range a 128-bit product can resolve)
 * is done with integer arithmetic; the rare inputs it cannot decide are handed to strtod.
 */
#ifndef DV_NUMPARSE_H
#define DV_NUMPARSE_H

#include <stddef.h>

/* Parses one JSON number (RFC 8259 grammar, no leading '+', no leading zeros, no
 * NaN/Infinity) at the start of s[0..n). Returns the bytes consumed, or 0 if s does not
 * start with a valid JSON number. *out receives the correctly rounded double,
 * bit-identical to strtod on the same text; ±inf when the magnitude overflows, ±0 or
 * subnormals on underflow exactly as strtod. s need not be NUL-terminated. */
size_t dv_parse_json_number(const char *s, size_t n, double *out);

#endif
