/*
 * config.h — the daemon's configuration, filled once by main.c from flags and the
 * environment before the server starts, then read-only (so shared without locks).
 */
#ifndef DV_CONFIG_H
#define DV_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

typedef struct dv_config {
    char bind[64];
    uint16_t port;
    unsigned threads;
    size_t max_body;      /* bytes */
    size_t max_elements;  /* numbers in one request */
    unsigned max_connections;
    unsigned timeout;     /* idle seconds */
    unsigned header_timeout; /* seconds for a whole request head */
    unsigned body_min_rate;  /* bytes/s a body must average once it has taken 20 s; 0 = off */
    char cors_origin[256];
    char *api_key;        /* NULL: auth off */
    size_t api_key_len;
    unsigned shutdown_grace; /* seconds */
    bool log_json;
    enum log_level log_level;
} dv_config;

#endif
