/*
 * metrics.h — the Prometheus registry (SPEC §5). Counters are relaxed atomics in fixed
 * arrays indexed by route, method, status and error code — all from fixed tables, never
 * from user input, so the number of series is bounded. No lock on the request path.
 * The registry is the one piece of global mutable state besides the configuration.
 */
#ifndef DV_METRICS_H
#define DV_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "route.h"
#include "writer.h"

enum { METHOD_GET, METHOD_POST, METHOD_OPTIONS, METHOD_HEAD, METHOD_OTHER, METHOD_COUNT };

/* Labels series by the routes of t (and "other"); call once before serving. */
void metrics_init(const route_table *t);
int metrics_method_index(const char *method);
/* code: an err_code, or -1 for a success. */
void metrics_record(int route, int method, unsigned status, int code, double seconds,
                    uint64_t bytes_in, uint64_t bytes_out, uint64_t values);
void metrics_in_flight(int delta);
/* The exposition text (format 0.0.4) appended to w. */
void metrics_render(jw *w);

#endif
