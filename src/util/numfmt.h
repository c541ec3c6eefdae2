/*
 * numfmt.h — the one double → text formatter of the service: the shortest decimal that
 * reads back to exactly the same double (what %.15g, %.16g or %.17g would print, the
 * first of them that round-trips), used by JSON responses and by every message alike, so
 * a value in a "reason" or "detail" reads the same as in the result ("0.4", not
 * "0.40000000000000002").
 */
#ifndef DV_NUMFMT_H
#define DV_NUMFMT_H

#include <stddef.h>

/* x finite; out must hold 32 bytes; returns the length (out is NUL-terminated). */
int numfmt_shortest(char *out, double x);
/* For messages: also "NaN", "Infinity", "-Infinity"; truncated to size. */
void numfmt_msg(char *buf, size_t size, double x);

#endif
