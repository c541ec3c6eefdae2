/*
 * writer.h — a JSON writer that appends straight into one growing buffer: no tree, no
 * allocation per value. Numbers are written shortest-round-trip; +inf is written as the
 * string "Infinity" (SPEC §3.4). An allocation failure sets `oom` and turns every later
 * call into a no-op, so callers check once at the end.
 */
#ifndef DV_JSON_WRITER_H
#define DV_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JW_MAX_DEPTH 32

typedef struct jw {
    char *buf; /* malloc'd; ownership passes to whoever takes it with jw_take() */
    size_t len;
    size_t cap;
    bool oom;
    bool after_key;
    int depth;
    bool first[JW_MAX_DEPTH];
} jw;

void jw_init(jw *w);
void jw_free(jw *w);
/* Returns the buffer (caller frees) and its length; the writer is reset. */
char *jw_take(jw *w, size_t *len);

void jw_obj(jw *w);
void jw_obj_end(jw *w);
void jw_arr(jw *w);
void jw_arr_end(jw *w);
void jw_key(jw *w, const char *key);
void jw_keyn(jw *w, const char *key, size_t len);
void jw_num(jw *w, double x);
void jw_uint(jw *w, uint64_t x);
void jw_bool(jw *w, bool b);
void jw_str(jw *w, const char *s);
void jw_strn(jw *w, const char *s, size_t len);
void jw_nums(jw *w, const double *x, size_t n);
/* Appends raw bytes (no separator handling): for pre-formatted text. */
void jw_raw(jw *w, const char *s, size_t len);

#endif
