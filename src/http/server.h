/*
 * server.h — the HTTP server: libmicrohttpd with its internal thread pool (epoll), the
 * request life cycle, and graceful drain.
 */
#ifndef DV_SERVER_H
#define DV_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "route.h"

/* Starts listening and serving the routes of `table`; false (with a message on stderr)
 * when it cannot. cfg and table must outlive the server. */
bool server_start(const dv_config *cfg, const route_table *table);
/* The port actually bound (useful with --port 0). */
uint16_t server_port(void);
/* True once drain has begun: /readyz answers 503. */
bool server_draining(void);
/* Turns /readyz to 503 and stops accepting new connections. */
void server_begin_drain(void);
/* Lets in-flight requests finish for up to grace seconds, then stops the server. */
void server_finish_drain(unsigned grace_seconds);

#endif
