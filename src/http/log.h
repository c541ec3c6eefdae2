/*
 * log.h — one line per event on stdout, as JSON (default) or text, written with a single
 * write(2) so lines from different threads never interleave. Field values are escaped:
 * control characters and quotes from requests cannot forge a line or a field.
 */
#ifndef DV_LOG_H
#define DV_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

void log_setup(bool json, enum log_level level);
bool log_enabled(enum log_level level);

typedef struct logline {
    char buf[2048];
    size_t len;
    bool json;
    bool full;
} logline;

void log_begin(logline *l, enum log_level level, const char *msg);
void log_str(logline *l, const char *key, const char *value);
void log_strn(logline *l, const char *key, const char *value, size_t len);
void log_int(logline *l, const char *key, long long value);
void log_num(logline *l, const char *key, double value);
void log_end(logline *l);

/* On: lines are buffered and written by a flusher thread within 50 ms (while serving).
 * Off: flushes what is buffered, stops the thread; lines are written at once again. */
void log_buffering(bool on);

/* One-shot: a message with no fields. */
void log_msg(enum log_level level, const char *msg);
/* Parses a level name; false for an unknown one. */
bool log_level_parse(const char *s, enum log_level *out);

#endif
