/*
 * reply.h — members every compute response shares: base, unit, n, values that may be
 * "Infinity".
 */
#ifndef DV_REPLY_H
#define DV_REPLY_H

#include "read.h"

/* "base": as sent ("e" by default), "unit": nat | bit | hartley | log<base>. */
void emit_base_unit(jw *w, const opts *o);
/* key: value converted to the requested base ("Infinity" for +inf). */
void emit_value(jw *w, const char *key, double nats, const dv_base *b);

#endif
