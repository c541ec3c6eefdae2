/*
 * request.c — per-request helpers used by every handler (see request.h).
 */
#include "request.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

bool req_fail(dv_req *r, err_code c, const char *pointer, const char *fmt, ...)
{
    if (r->failed)
        return false;
    r->failed = true;
    r->code = c;
    snprintf(r->pointer, sizeof r->pointer, "%s", pointer ? pointer : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->detail, sizeof r->detail, fmt, ap);
    va_end(ap);
    return false;
}

void *req_alloc(dv_req *r, size_t n, size_t size)
{
    void *p = arena_calloc(&r->mem, n, size);
    if (!p)
        req_fail(r, E_OUT_OF_MEMORY, NULL,
                 "the server ran out of memory for this request; retry later or send a "
                 "smaller input");
    return p;
}

bool req_defer(dv_req *r, void (*fn)(void *), void *arg)
{
    cleanup *c = req_alloc(r, 1, sizeof *c);
    if (!c)
        return false;
    c->fn = fn;
    c->arg = arg;
    c->next = r->cleanups;
    r->cleanups = c;
    return true;
}

jw *req_json(dv_req *r)
{
    return &r->out;
}
