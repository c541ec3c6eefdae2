/*
 * decode.h — request bodies in, C values out. Handlers ask for members by name and get
 * doubles, booleans and shapes, or a recorded problem with the right code and JSON
 * Pointer. The body itself is decoded by json_stream.c (while it arrives, when the server
 * feeds it chunk by chunk); this module is the typed view of that tree.
 */
#ifndef DV_DECODE_H
#define DV_DECODE_H

#include <stdbool.h>

#include "divergence.h"
#include "json_stream.h"
#include "request.h"

/* Finishes decoding the body — the chunks already fed to r->stream, or else r->body
 * (r->body_len bytes) in one go: 400 malformed_json (with line and column) for anything
 * that is not a JSON object nested at most DV_MAX_DEPTH deep; 413 for more than
 * max_elements numbers; 422 non_finite for a number a double cannot hold. */
bool body_parse(dv_req *r);
/* Feeds the next chunk of the body to the streaming decoder (created on first use). */
void body_feed(dv_req *r, const char *data, size_t n);
/* The member `name` of the body object, or NULL when absent. */
const jv *body_member(dv_req *r, const char *name);
/* 422 unknown_member for any member not in the NULL-terminated list. */
bool body_only(dv_req *r, const char *const *allowed);

/* Common options of the compute routes. */
typedef struct opts {
    dv_base base;
    bool normalize;
    bool terms;
    double temperature;
    bool has_temperature;
} opts;
bool get_opts(dv_req *r, opts *o);

bool get_bool(dv_req *r, const char *name, bool dflt, bool *out);
/* A number member; *present tells whether it was given. */
bool get_number(dv_req *r, const char *name, double *out, bool *present);

/* A JSON array of numbers → doubles (n may be 0; never NULL). ptr is the array's pointer.
 * The doubles are the tree's own (no copy): the caller may modify them in place. */
bool get_vector(dv_req *r, const jv *v, const char *ptr, double **out, size_t *n);
/* A JSON array of equally long arrays of numbers → row-major doubles. */
bool get_matrix(dv_req *r, const jv *v, const char *ptr, double **out, size_t *rows,
                size_t *cols);

/* "/a" + "/" + index → buf (RFC 6901). */
const char *ptr_index(char *buf, size_t size, const char *base, size_t i);
/* base + "/" + escaped member name (~ → ~0, / → ~1). */
const char *ptr_member(char *buf, size_t size, const char *base, const char *name,
                       size_t len);
/* The JSON type name of v, for messages ("a string", "an object", …). */
const char *json_kind(const jv *v);

#endif
