/*
 * request.h — the state of one HTTP request, from the first libmicrohttpd callback to
 * MHD_OPTION_NOTIFY_COMPLETED, where everything it owns is released in one place.
 *
 * Handlers see a dv_req and call the helpers below: each helper either does its job or
 * records a problem (the first one wins) and returns false, so a handler reads straight
 * down: `if (!step(r, …)) return;`.
 */
#ifndef DV_REQUEST_H
#define DV_REQUEST_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "config.h"
#include "decoder.h"
#include "problem.h"
#include "writer.h"

struct route;

typedef struct dv_req {
    arena mem;
    const dv_config *cfg;
    const struct route *route;
    int route_index;  /* metrics label index */
    int method_index; /* metrics label index */
    char method[8];
    const char *path; /* libmicrohttpd's copy; valid for the request */

    /* body: either fed chunk by chunk to `stream` as it arrives (the server), or given
     * whole in `body` (tests, fuzz targets); see req_feed() / req_parse() below */
    char *body;      /* malloc'd, or NULL */
    size_t body_len; /* bytes received (and fed) so far */
    size_t bytes_in; /* every body byte received, kept or not (metrics, log) */
    size_t body_cap;
    bool body_too_large;
    const char *body_type; /* the request's Content-Type (libmicrohttpd's copy), or NULL */
    jparser *stream;       /* the streaming decoder; lives in (and is released with) mem */
    struct form *form;  /* the multipart decoder instead, for multipart/form-data bodies */
    struct bpipe *pipe; /* a large body's decoding thread (request.c), or NULL */
    bool pipe_tried;
    const jv *json; /* the decoded body (an object), in the arena */

    /* outcome */
    bool failed;
    err_code code;
    char pointer[256];
    char detail[512];
    jw out;                   /* success body */
    const char *content_type; /* NULL → application/json */
    const void *static_body;  /* a body that outlives the request (embedded files) */
    size_t static_len;
    /* Extra response headers: name, value, …, NULL, outliving the request (the page
     * assets' ETag, CSP, Cache-Control). When set, they replace the default
     * "Cache-Control: no-store". */
    const char *const *headers;
    const char *if_none_match; /* the request's If-None-Match header, or NULL */
    unsigned status;
    size_t bytes_out;
    uint64_t values; /* numbers consumed by the math (metric) */
    bool responded;
    bool decided;             /* answered from the headers; sent at the final callback */
    atomic_bool cut;          /* the connection guard answered 408 and shut the socket */
    struct guard_conn *guard; /* server.c: the connection's guard entry, or NULL */
    int offload;              /* server.c: 0 none, 1 queued to a worker, 2 executed there */
    size_t head_bytes;        /* server.c: the request head's size on the wire, 0 unknown */
    bool chunked;             /* server.c: the body comes with Transfer-Encoding */

    char request_id[129];
    struct timespec start;
} dv_req;

/* Is the Content-Type value ct this media type (any case, parameters allowed)? */
bool req_media_type_is(const char *ct, const char *type);

/* Records a problem (the first one only) and returns false. pointer may be NULL. */
bool req_fail(dv_req *r, err_code c, const char *pointer, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Per-request allocation; records out_of_memory and returns NULL on failure. */
void *req_alloc(dv_req *r, size_t n, size_t size);
/* Gives obj (malloc'd elsewhere, e.g. by the core) to the request, which calls
 * dispose(obj) when it ends. On failure obj is disposed of at once and out_of_memory is
 * recorded: either way the caller no longer owns obj (see arena_adopt). */
bool req_adopt(dv_req *r, void *obj, void (*dispose)(void *));
/* The writer for a 200 JSON body. */
jw *req_json(dv_req *r);

/* Feeds the next chunk of the body to the streaming decoder (created on first use); past
 * the first megabyte, through a decoding thread. */
void req_feed(dv_req *r, const char *data, size_t n);
/* Waits until every chunk fed has been decoded (req_parse and req_release call it). */
void req_drain(dv_req *r);
/* Finishes decoding the body — the chunks already fed, or else r->body (r->body_len
 * bytes) in one go — into r->json, or records the decoder's problem: 400 malformed_json
 * (with line and column), 413 for more than --max-elements numbers, 422 non_finite, 503
 * out_of_memory. A multipart/form-data body (r->body_type) is assembled into the same
 * object (src/http/form.c; 422 bad_array for a malformed array part). */
bool req_parse(dv_req *r);

/*
 * The request pipeline without the network (the server, fuzz targets and tests use it):
 * req_execute parses r->body (POST) and runs r->route's handler; req_finalize turns a
 * recorded problem into its problem+json body and sets r->status; req_release frees
 * everything the request owns (not r itself). r->cfg and r->route must be set.
 */
void req_execute(dv_req *r);
void req_finalize(dv_req *r);
void req_release(dv_req *r);

#endif
