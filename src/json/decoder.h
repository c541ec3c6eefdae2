/*
 * decoder.h — the request body decoder: JSON text, fed in the chunks libmicrohttpd
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

#include "arena.h"

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

static inline bool jv_is_number(const jv *v)
{
    return v && v->kind == JV_NUMBER;
}
static inline bool jv_is_string(const jv *v)
{
    return v && v->kind == JV_STRING;
}
static inline bool jv_is_array(const jv *v)
{
    return v && v->kind == JV_ARRAY;
}
static inline bool jv_is_object(const jv *v)
{
    return v && v->kind == JV_OBJECT;
}
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

/*
 * The decoder's own error value: what went wrong (the HTTP layer maps the kind to a
 * status), where (byte offset into the body; a JSON Pointer for value errors) and a
 * sentence with line and column. Precedence is described at the top of this file.
 */
typedef enum json_err_kind {
    JSON_OK = 0,
    JSON_SYNTAX,           /* not JSON text (line and column in text)                 */
    JSON_NOT_OBJECT,       /* valid JSON whose top level is not an object             */
    JSON_TOO_DEEP,         /* nested deeper than DV_MAX_DEPTH                         */
    JSON_TOO_MANY_NUMBERS, /* more than max_elements number tokens (numbers says how many) */
    JSON_NOT_FINITE,       /* a number whose magnitude a double cannot hold (pointer)  */
    JSON_NO_MEMORY,        /* an allocation failed                                    */
} json_err_kind;

typedef struct json_error {
    json_err_kind kind;
    size_t offset;     /* byte offset into the body                         */
    size_t numbers;    /* number tokens seen in the whole body               */
    char pointer[256]; /* RFC 6901 pointer of the offending value, or ""     */
    char text[300];
} json_error;

typedef struct jparser jparser;

/* A decoder whose tree and buffers live in (and are released with) `mem`, refusing more
 * than max_elements number tokens. NULL when out of memory. */
jparser *jp_new(arena *mem, size_t max_elements);
/* Feeds the next n bytes of the body. Cheap to call with any split of the text. */
void jp_feed(jparser *p, const char *data, size_t n);
/* Ends the body. True with *root set to the top-level object; otherwise false with *err
 * filled. */
bool jp_finish(jparser *p, const jv **root, json_error *err);
/* The same for a text whose top level may be any value (a part of a multipart body). */
bool jp_finish_value(jparser *p, const jv **root, json_error *err);

#endif
