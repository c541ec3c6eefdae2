/*
 * json_stream.h — the request body decoder: JSON text, fed in the chunks libmicrohttpd
 * hands over, straight into a compact tree allocated for the request.
 *
 * Why not a general JSON library: request bodies are mostly long arrays of numbers, and a
 * tree node per number (plus a copy of the whole body) costs more than the mathematics.
 * Here an array whose elements are all numbers is one contiguous double[] that handlers
 * use in place; everything else (the envelope, labels, samples) is small nodes in the
 * request arena. The grammar is strict RFC 8259 (the same inputs jansson accepts with
 * JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL), numbers are read correctly rounded by
 * numparse.c, and the limits (--max-elements, nesting depth) are enforced while the bytes
 * arrive, so an oversized body never becomes a big structure.
 *
 * Error precedence is that of a "scan the whole body first" design, kept identical to the
 * earlier decoder: nesting deeper than DV_MAX_DEPTH anywhere in the body, then more than
 * --max-elements number tokens, then the first syntax error / number overflow / duplicate
 * member. After the first problem the decoder stops building and only scans.
 */
#ifndef DV_JSON_STREAM_H
#define DV_JSON_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#include "request.h"

#define DV_MAX_DEPTH 64

typedef enum jv_kind {
    JV_NULL,
    JV_FALSE,
    JV_TRUE,
    JV_NUMBER,
    JV_STRING,
    JV_ARRAY,
    JV_OBJECT
} jv_kind;

typedef struct jv jv;
typedef struct jv_member jv_member;

/* A decoded value; lives until the request ends. */
struct jv {
    jv_kind kind;
    bool numeric; /* arrays: every element is a number, stored in u.nums */
    size_t n;     /* string bytes / array elements / object members */
    union {
        double num;
        const char *str;    /* NUL-terminated; may hold NUL bytes (n is the length) */
        double *nums;       /* numeric arrays (NULL when empty) */
        jv *items;          /* other arrays */
        jv_member *members; /* objects, in document order; names are unique, NUL-free */
    } u;
};

struct jv_member {
    const char *key;
    size_t key_len;
    jv val;
};

static inline bool jv_is_number(const jv *v) { return v && v->kind == JV_NUMBER; }
static inline bool jv_is_string(const jv *v) { return v && v->kind == JV_STRING; }
static inline bool jv_is_array(const jv *v) { return v && v->kind == JV_ARRAY; }
static inline bool jv_is_object(const jv *v) { return v && v->kind == JV_OBJECT; }
static inline bool jv_is_bool(const jv *v)
{
    return v && (v->kind == JV_TRUE || v->kind == JV_FALSE);
}

/* The member `name` of an object, or NULL (also when obj is not an object). */
const jv *jv_get(const jv *obj, const char *name);
/* Element i (< v->n) of an array; numeric arrays write a number node into *tmp. */
const jv *jv_at(const jv *arr, size_t i, jv *tmp);
/* "an object", "an array", "a string", "a number", "a boolean", "null". */
const char *jv_kind_name(const jv *v);

typedef struct jparser jparser;

/* A decoder owned by request r (its memory is released with the request); NULL and a
 * recorded out_of_memory when it cannot be made. */
jparser *jp_new(dv_req *r);
/* Feeds the next n bytes of the body. Cheap to call with any split of the text. */
void jp_feed(jparser *p, const char *data, size_t n);
/* Ends the body. True with *root set to the top-level object; otherwise the problem
 * (400/413/422, see above) is recorded on the request. */
bool jp_finish(jparser *p, const jv **root);

#endif
