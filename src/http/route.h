/*
 * route.h — what the HTTP layer needs to know of a route: one row per endpoint drives
 * dispatch, 404/405 (with Allow built from the row), CORS, auth and the metrics label.
 * The table itself belongs to the API layer (src/api/routes.c) and is handed to
 * server_start(); a new endpoint is one handler file and one row there.
 */
#ifndef DV_ROUTE_H
#define DV_ROUTE_H

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

typedef struct route_table {
    const route *rows;
    size_t count;
} route_table;

/* The route for a path (exact match), or NULL; *index is its metrics label index, or
 * t->count ("other") when there is none. */
const route *route_find(const route_table *t, const char *path, int *index);

#endif
