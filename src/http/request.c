/*
 * request.c — per-request helpers used by every handler (see request.h).
 */
#include "request.h"

#include <stdlib.h>

#include "decode.h"
#include "routes.h"

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

static void render_problem(dv_req *r)
{
    const problem_info *pi = problem_get(r->code);
    jw_free(&r->out);
    jw *w = &r->out;
    char type[96];
    snprintf(type, sizeof type, "urn:divergenced:problem:%s", pi->code);
    jw_obj(w);
    jw_key(w, "type");
    jw_str(w, type);
    jw_key(w, "title");
    jw_str(w, pi->title);
    jw_key(w, "status");
    jw_uint(w, pi->status);
    jw_key(w, "detail");
    jw_str(w, r->detail);
    jw_key(w, "code");
    jw_str(w, pi->code);
    if (r->pointer[0]) {
        jw_key(w, "pointer");
        jw_str(w, r->pointer);
    }
    jw_obj_end(w);
    r->status = pi->status;
    r->content_type = "application/problem+json";
}


void req_execute(dv_req *r)
{
    if (r->failed || !r->route)
        return;
    if (strcmp(r->route->method, "GET") == 0 || body_parse(r))
        r->route->handler(r);
}

void req_finalize(dv_req *r)
{
    if (r->failed)
        render_problem(r);
    else if (r->status == 0)
        r->status = 200;
}

void req_release(dv_req *r)
{
    for (cleanup *k = r->cleanups; k; k = k->next)
        k->fn(k->arg);
    r->cleanups = NULL;
    arena_release(&r->mem);
    jw_free(&r->out);
    free(r->body);
    r->body = NULL;
}
