/*
 * routes.h — the route table: one row per endpoint drives dispatch, 404/405 (with Allow
 * built from the row), CORS, auth and the metrics label. A new endpoint is one handler
 * file and one row.
 */
#ifndef DV_ROUTES_H
#define DV_ROUTES_H

#include <stdbool.h>
#include <stddef.h>

#include "request.h"

typedef void (*handler_fn)(dv_req *r);

typedef struct route {
    const char *path;   /* also the metrics label */
    const char *method; /* "GET" (HEAD too) or "POST" */
    handler_fn handler;
    bool auth;          /* needs the API key when one is configured */
    const char *allow;  /* the Allow header for 405 */
} route;

extern const route routes[];
extern const size_t route_count;

/* The route for a path (exact match), or NULL; *index is its metrics label index, or
 * route_count ("other") when there is none. */
const route *route_find(const char *path, int *index);

#endif
