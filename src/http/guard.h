/*
 * guard.h — the connection guard: one thread that watches every open connection and
 * enforces what libmicrohttpd's event loop cannot (SPEC §4 "Connections"):
 *
 *  - a client that has gone (FIN or RST) is noticed within a tick, in every state: while
 *    its head or body arrives, while it is suspended for a worker, while its answer is
 *    computed. Why this is needed: libmicrohttpd 0.9.75 waits on edge-triggered epoll
 *    and, after a read that did not fill its buffer, assumes the socket is drained; when
 *    the client's last bytes and its FIN arrive together, no further edge comes and the
 *    connection sits in CLOSE-WAIT until the idle timeout (a suspended connection is not
 *    watched at all). The guard polls for POLLRDHUP and shuts such a socket down, which
 *    wakes libmicrohttpd, which then closes it and frees the slot.
 *  - --header-timeout: a request head that takes longer is cut with 408 (written by the
 *    guard; libmicrohttpd has not seen a request yet). The head's start is the first
 *    byte past the previous request: the kernel's TCP_INFO count of bytes received
 *    passing the sum of the requests' sizes (head + body), so an idle keep-alive
 *    connection is governed by --timeout alone.
 *  - --body-min-rate: a body that has taken 20 s and averages fewer bytes per second is
 *    cut with 408, as Apache's mod_reqtimeout does.
 *  - the lingering close of an answer decided from the head: after libmicrohttpd has
 *    sent it and closed its fd, the guard reads and drops the rest of the body on a
 *    duplicate of the fd for up to LINGER_SECONDS, then closes.
 *
 * The registry is a mutex-protected list; libmicrohttpd's connection notifications add
 * and remove entries, and the guard holds the mutex while it touches a socket, so it
 * never shuts down an fd that has been closed (and possibly reused).
 */
#ifndef DV_GUARD_H
#define DV_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "request.h"

enum { LINGER_SECONDS = 5, BODY_RATE_GRACE_SECONDS = 20 };

typedef struct guard_conn guard_conn;

/* Starts the guard thread (false when it cannot). other_route: the metrics label index
 * of "other", for heads cut before their route is known. */
bool guard_start(const dv_config *cfg, int other_route);
void guard_stop(void);

/* A new connection on fd; NULL when out of memory (the connection is then unguarded). */
guard_conn *guard_open(int fd);
/* The connection is closing (before its fd is closed). NULL is a no-op. */
void guard_close(guard_conn *g);

/* The request head of g is complete and its body (if any) begins; r is the request. */
void guard_request(guard_conn *g, dv_req *r);
/* n more body bytes arrived. */
void guard_body(guard_conn *g, size_t n);
/* The request is answered from its head while its body is still coming: when
 * libmicrohttpd closes the connection, the guard keeps the socket and drops what arrives
 * for up to LINGER_SECONDS (a lingering close), so the client reads the answer. */
void guard_linger(guard_conn *g);
/* The body is complete: the request computes and answers (no deadline, only departure). */
void guard_busy(guard_conn *g);
/* The request is over (before r is freed): the connection waits for the next one.
 * request_bytes: the request's size on the wire (head and body), or GUARD_UNKNOWN_SIZE
 * (a chunked body, an aborted request), after which the connection asks the kernel. */
#define GUARD_UNKNOWN_SIZE UINT64_MAX
void guard_done(guard_conn *g, uint64_t request_bytes);

/* True when the guard cut r (its 408 is already written): the caller drops its work. */
bool guard_was_cut(const dv_req *r);

#endif
