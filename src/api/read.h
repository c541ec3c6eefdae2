/*
 * read.h — request bodies in, C values out. Handlers ask for members by name and get
 * doubles, booleans and shapes, or a recorded problem with the right code and JSON
 * Pointer. The body itself is decoded by src/json/decoder.c (while it arrives, fed by the
 * request in src/http/request.c); this module is the typed view of that tree.
 */
#ifndef DV_READ_H
#define DV_READ_H

#include <stdbool.h>

#include "divergence.h"
#include "decoder.h"
#include "pointer.h"
#include "request.h"

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

/* The JSON type name of v, for messages ("a string", "an object", …). */
const char *json_kind(const jv *v);

#endif
