/*
 * form.h — a multipart/form-data request body (SPEC §10) assembled into the same tree
 * (jv) that the JSON decoder builds, so a handler sees one request object however it
 * came. Each part's name is a JSON Pointer into that object ("p", "/p/mean"); a part
 * typed application/x-npy (or named *.npy) is a NumPy array, application/octet-stream
 * raw little-endian float64, anything else a JSON text (text that is not JSON, such as
 * base=e from `curl -F`, is taken as a string). Arrays become the JSON arrays they equal:
 * numeric arrays are contiguous doubles written once, straight from the body's chunks;
 * 2-D arrays are rows; bool arrays true/false.
 *
 * Limits apply while streaming: every array element counts against --max-elements before
 * its memory is taken (a huge declared shape costs nothing).
 */
#ifndef DV_FORM_H
#define DV_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "decoder.h"
#include "problem.h"

typedef struct form_error {
    err_code code;      /* E_MALFORMED_JSON (400: not multipart, bad boundary, bad part
                           headers), E_BAD_ARRAY, E_PAYLOAD_TOO_LARGE, E_NON_FINITE,
                           E_INVALID_INPUT (a member given twice), E_OUT_OF_MEMORY */
    char pointer[256];  /* the part's pointer, or "" */
    char text[320];
} form_error;

typedef struct form form;

/* Is this Content-Type value multipart/form-data (any case, parameters allowed)? */
bool form_is_type(const char *content_type);

/* A decoder for a body of this Content-Type, living in mem; NULL with *err when the type
 * has no usable boundary or memory is short. */
form *form_new(arena *mem, const char *content_type, size_t max_elements, form_error *err);
/* Feeds the next n bytes of the body (any split). */
void form_feed(form *f, const char *data, size_t n);
/* Ends the body: true with *root, the assembled object; false with *err. */
bool form_finish(form *f, const jv **root, form_error *err);

#endif
