/*
 * request.c — one request's life: its arena (the single owner of everything it holds),
 * its first failure, its body decoder, and its pipeline (see request.h).
 */
#include "request.h"

#include <stdlib.h>

#include "bpipe.h"
#include "form.h"
#include "route.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

bool req_media_type_is(const char *ct, const char *type)
{
    if (!ct)
        return false;
    while (*ct == ' ')
        ct++;
    size_t n = strlen(type);
    if (strncasecmp(ct, type, n) != 0)
        return false;
    ct += n;
    while (*ct == ' ')
        ct++;
    return *ct == '\0' || *ct == ';';
}

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

static const char oom_detail[] =
    "the server ran out of memory for this request; retry later or send a smaller input";

void *req_alloc(dv_req *r, size_t n, size_t size)
{
    void *p = arena_calloc(&r->mem, n, size);
    if (!p)
        req_fail(r, E_OUT_OF_MEMORY, NULL, "%s", oom_detail);
    return p;
}

bool req_adopt(dv_req *r, void *obj, void (*dispose)(void *))
{
    if (arena_adopt(&r->mem, obj, dispose))
        return true;
    return req_fail(r, E_OUT_OF_MEMORY, NULL, "%s", oom_detail);
}

static bool start_stream(dv_req *r)
{
    if (!r->form && !r->stream && !r->failed && form_is_type(r->body_type)) {
        form_error e;
        r->form = form_new(&r->mem, r->body_type, r->cfg->max_elements, &e);
        if (!r->form)
            return req_fail(r, e.code, NULL, "%s", e.text);
        return true;
    }
    if (!r->form && !r->stream && !r->failed) {
        r->stream = jp_new(&r->mem, r->cfg->max_elements);
        if (!r->stream)
            req_fail(r, E_OUT_OF_MEMORY, NULL, "out of memory while parsing JSON");
    }
    return r->stream != NULL || r->form != NULL;
}

static void feed_now(void *ctx, const char *data, size_t n)
{
    dv_req *r = ctx;
    if (r->form)
        form_feed(r->form, data, n);
    else
        jp_feed(r->stream, data, n);
}

/* A JSON body past PIPE_AFTER bytes is decoded on a second thread from then on
 * (bpipe.h): the event thread goes back to reading the socket while it decodes. The
 * decoder then owns the arena until req_drain; the event thread touches neither. Not for
 * multipart bodies: an .npy part is copied, not parsed, so there is nothing to overlap
 * (measured: the 16 MB .npy /kl took as long either way) and the blocks would only add
 * their megabyte to the request's memory. */
enum { PIPE_AFTER = 1024 * 1024 };

void req_feed(dv_req *r, const char *data, size_t n)
{
    if (!start_stream(r))
        return;
    if (!r->pipe && !r->pipe_tried && r->stream && r->body_len > PIPE_AFTER) {
        r->pipe_tried = true;
        r->pipe = bpipe_start(feed_now, r);
    }
    if (r->pipe)
        bpipe_put(r->pipe, data, n);
    else
        feed_now(r, data, n);
}

void req_drain(dv_req *r)
{
    if (r->pipe)
        bpipe_finish(r->pipe);
    r->pipe = NULL;
}

/* The decoder's error kinds as problems (the codec knows nothing of HTTP). */
static err_code json_problem(json_err_kind k)
{
    switch (k) {
    case JSON_OK:
    case JSON_SYNTAX:
    case JSON_NOT_OBJECT:
    case JSON_TOO_DEEP: return E_MALFORMED_JSON;
    case JSON_TOO_MANY_NUMBERS: return E_PAYLOAD_TOO_LARGE;
    case JSON_NOT_FINITE: return E_NON_FINITE;
    case JSON_NO_MEMORY: return E_OUT_OF_MEMORY;
    }
    return E_MALFORMED_JSON;
}

bool req_parse(dv_req *r)
{
    if (!r->stream && !r->form) {
        if (!start_stream(r))
            return false;
        req_feed(r, r->body ? r->body : "", r->body ? r->body_len : 0);
    }
    req_drain(r);
    if (r->form) {
        form_error fe;
        if (form_finish(r->form, &r->json, &fe))
            return true;
        return req_fail(r, fe.code, fe.pointer[0] ? fe.pointer : NULL, "%s", fe.text);
    }
    json_error e;
    if (jp_finish(r->stream, &r->json, &e))
        return true;
    if (e.kind == JSON_TOO_MANY_NUMBERS)
        return req_fail(r, E_PAYLOAD_TOO_LARGE, NULL,
                        "the body holds %zu numbers; this server accepts at most %zu per "
                        "request (--max-elements)",
                        e.numbers, r->cfg->max_elements);
    return req_fail(r, json_problem(e.kind), e.pointer[0] ? e.pointer : NULL, "%s", e.text);
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
    if (strcmp(r->route->method, "GET") == 0 || req_parse(r))
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
    req_drain(r); /* the decoder thread is done with the arena before it goes */
    arena_release(&r->mem);
    jw_free(&r->out);
    free(r->body);
    r->body = NULL;
}
