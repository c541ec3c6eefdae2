/*
 * guard.c — the connection guard (see guard.h).
 */
#include <assert.h>
#include "guard.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/tcp.h> /* struct tcp_info with tcpi_bytes_received (glibc's lacks it) */
#include <netinet/in.h>

#include "log.h"
#include "metrics.h"

/* 100 ms: a departed client is freed well within SPEC §4's 1 s, at a cost of one poll()
 * over the open connections ten times a second. */
enum { TICK_MS = 100 };

typedef enum gstate {
    G_IDLE, /* between requests (or before the first): only --timeout applies      */
    G_HEAD, /* bytes of a head have arrived: --header-timeout applies              */
    G_BODY, /* the head is in, the body arrives: --body-min-rate applies           */
    G_BUSY, /* computing or answering: no deadline                                 */
} gstate;

struct guard_conn {
    guard_conn *prev, *next;
    int fd;
    gstate state;       /* under g_mu */
    double since;       /* when the state began (monotonic s), under g_mu */
    uint64_t idle_mark; /* TCP bytes received when the connection became idle */
    uint64_t consumed;  /* bytes of the requests done, when known exactly (event thread) */
    bool consumed_unknown; /* a request's size was not known: ask the kernel from now on */
    _Atomic uint64_t body_bytes;
    dv_req *r;   /* the request in progress (G_BODY … G_BUSY), under g_mu */
    bool shut;   /* shut down by the guard */
    bool linger; /* answered from the head with a body still coming */
};

/* A socket libmicrohttpd has closed whose client may still be sending the body of a
 * request answered from its head: the guard keeps a duplicate of the fd, reads and drops
 * what arrives until EOF or LINGER_SECONDS, then closes it. Why: closing a socket with
 * unread data makes the kernel send a reset, and a client that writes its whole body
 * before reading then sees EPIPE instead of our answer (nginx lingers the same way). */
typedef struct linger_fd {
    struct linger_fd *next;
    int fd;
    double until;
} linger_fd;

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static guard_conn *g_head;
static linger_fd *g_lingering; /* under g_mu */
static size_t g_count;
static const dv_config *g_cfg;
static int g_other_route;
static pthread_t g_thread;
static atomic_bool g_stop;
static bool g_running;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Payload bytes the kernel has received on fd (read by the application or not). */
static uint64_t bytes_received(int fd)
{
    struct tcp_info ti;
    socklen_t len = sizeof ti;
    memset(&ti, 0, sizeof ti);
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0)
        return 0;
    return ti.tcpi_bytes_received;
}

guard_conn *guard_open(int fd)
{
    guard_conn *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->fd = fd;
    g->state = G_IDLE;
    g->since = now_s();
    pthread_mutex_lock(&g_mu);
    g->next = g_head;
    if (g_head)
        g_head->prev = g;
    g_head = g;
    g_count++;
    pthread_mutex_unlock(&g_mu);
    return g;
}

void guard_close(guard_conn *g)
{
    if (!g)
        return;
    linger_fd *l = NULL;
    if (g->linger && !g->shut) {
        l = malloc(sizeof *l);
        if (l && (l->fd = fcntl(g->fd, F_DUPFD_CLOEXEC, 0)) < 0) {
            free(l);
            l = NULL;
        }
        if (l)
            l->until = now_s() + LINGER_SECONDS;
    }
    pthread_mutex_lock(&g_mu);
    assert(g_count > 0);
    if (l) {
        l->next = g_lingering;
        g_lingering = l;
    }
    if (g->prev)
        g->prev->next = g->next;
    else
        g_head = g->next;
    if (g->next)
        g->next->prev = g->prev;
    g_count--;
    pthread_mutex_unlock(&g_mu);
    free(g);
}

void guard_request(guard_conn *g, dv_req *r)
{
    if (!g)
        return;
    atomic_store_explicit(&g->body_bytes, 0, memory_order_relaxed);
    pthread_mutex_lock(&g_mu);
    g->state = G_BODY;
    g->since = now_s();
    g->r = r;
    g->linger = false;
    pthread_mutex_unlock(&g_mu);
}

void guard_body(guard_conn *g, size_t n)
{
    if (g)
        atomic_fetch_add_explicit(&g->body_bytes, n, memory_order_relaxed);
}

void guard_linger(guard_conn *g)
{
    if (!g)
        return;
    pthread_mutex_lock(&g_mu);
    g->linger = true;
    g->state = G_BUSY;
    pthread_mutex_unlock(&g_mu);
}

void guard_busy(guard_conn *g)
{
    if (!g)
        return;
    pthread_mutex_lock(&g_mu);
    if (g->state == G_BODY)
        g->state = G_BUSY;
    pthread_mutex_unlock(&g_mu);
}

void guard_done(guard_conn *g, uint64_t request_bytes)
{
    if (!g)
        return;
    /* Every byte the client sent so far belongs to the requests done (a pipelined head
     * already in counts as arrived, as it should). Counting them here saves a
     * getsockopt per request; the kernel is asked only once a size was not known. */
    if (request_bytes == GUARD_UNKNOWN_SIZE)
        g->consumed_unknown = true;
    else
        g->consumed += request_bytes;
    uint64_t mark = g->consumed_unknown ? bytes_received(g->fd) : g->consumed;
    pthread_mutex_lock(&g_mu);
    g->state = G_IDLE;
    g->since = now_s();
    g->idle_mark = mark;
    g->r = NULL; /* linger stays: the connection is closing when it is set */
    pthread_mutex_unlock(&g_mu);
}

bool guard_was_cut(const dv_req *r)
{
    return atomic_load(&r->cut);
}

/* ---- the guard thread ------------------------------------------------------------------ */

static void shut(guard_conn *g)
{
    /* shutdown, not close: the fd stays libmicrohttpd's; the socket turns readable at EOF,
     * which wakes its event loop, and it closes the connection itself. */
    shutdown(g->fd, SHUT_RDWR);
    g->shut = true;
}

/* 408 with a problem body, written straight to the socket (libmicrohttpd is not writing:
 * it has no response for this request), then the socket is shut. */
static void cut(guard_conn *g, double now, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void cut(guard_conn *g, double now, const char *fmt, ...)
{
    char detail[256], body[512], msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    int bn = snprintf(body, sizeof body,
                      "{\"type\":\"urn:divergenced:problem:request_timeout\",\"title\":"
                      "\"Request Timeout\",\"status\":408,\"detail\":\"%s\",\"code\":"
                      "\"request_timeout\"}",
                      detail);
    dv_req *r = g->r;
    int n = snprintf(msg, sizeof msg,
                     "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n"
                     "Content-Type: application/problem+json\r\nContent-Length: %d\r\n"
                     "Access-Control-Allow-Origin: %s\r\nCache-Control: no-store\r\n"
                     "%s%s%s\r\n%s",
                     bn, g_cfg->cors_origin, r ? "X-Request-Id: " : "",
                     r ? r->request_id : "", r ? "\r\n" : "", body);
    if (r)
        atomic_store(&r->cut, true); /* its metrics and log line come with its completion */
    if (n > 0 && (size_t)n < sizeof msg)
        (void)!send(g->fd, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
    shut(g);
    if (!r) {
        double secs = now - g->since;
        metrics_record(g_other_route, METHOD_OTHER, 408, E_REQUEST_TIMEOUT, secs, 0,
                       (uint64_t)bn, 0);
        if (log_enabled(LOG_INFO)) {
            logline l;
            log_begin(&l, LOG_INFO, "request");
            log_int(&l, "status", 408);
            log_num(&l, "duration_ms", secs * 1e3);
            log_str(&l, "code", "request_timeout");
            log_end(&l);
        }
    }
}

static void check(guard_conn *g, short revents, double now)
{
    if (revents & (POLLRDHUP | POLLHUP | POLLERR))
        return shut(g); /* the client has gone (or half-closed: it sends nothing more) */
    double el = now - g->since;
    switch (g->state) {
    case G_IDLE:
        if (bytes_received(g->fd) > g->idle_mark) {
            g->state = G_HEAD;
            g->since = now;
        }
        break;
    case G_HEAD:
        if (el > (double)g_cfg->header_timeout)
            cut(g, now,
                "the request head took longer than %u s (--header-timeout); send it "
                "whole, faster",
                g_cfg->header_timeout);
        break;
    case G_BODY:
        if (el >= BODY_RATE_GRACE_SECONDS && g_cfg->body_min_rate > 0) {
            double rate = (double)atomic_load(&g->body_bytes) / el;
            if (rate < (double)g_cfg->body_min_rate)
                cut(g, now,
                    "the body arrived at %.0f bytes/s on average; after %d s it must "
                    "average at least %u bytes/s (--body-min-rate)",
                    rate, BODY_RATE_GRACE_SECONDS, g_cfg->body_min_rate);
        }
        break;
    case G_BUSY: break;
    }
}

/* Reads and drops what the lingering sockets received; closes those at EOF or past their
 * time. Under g_mu. */
static void drain_lingering(double now)
{
    char sink[16384];
    for (linger_fd **p = &g_lingering; *p;) {
        linger_fd *l = *p;
        ssize_t n;
        while ((n = recv(l->fd, sink, sizeof sink, MSG_DONTWAIT)) > 0)
            continue;
        bool done = n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
        if (done || now > l->until) {
            close(l->fd);
            *p = l->next;
            free(l);
        } else {
            p = &l->next;
        }
    }
}

/* Allocates the poll arrays (and, when who is not NULL, the matching connections) for n
 * entries; false when out of memory. Called once, by guard_start. */
static bool reserve(struct pollfd **fds, guard_conn ***who, size_t *cap, size_t n)
{
    *fds = calloc(n, sizeof **fds);
    if (who)
        *who = calloc(n, sizeof **who);
    if (!*fds || (who && !*who))
        return false;
    *cap = n;
    return true;
}

/*
 * The loop sleeps in poll() on the lingering sockets (so their data is dropped as it
 * arrives and a client writing a large body is not throttled to one read per tick), and
 * every TICK_MS checks every connection.
 */
/* Poll arrays for the connections and the lingering sockets, sized by guard_start; the
 * guard thread never grows them (what does not fit waits for a later tick). */
static struct pollfd *g_fds, *g_lfds;
static guard_conn **g_who;
static size_t g_cap, g_lcap;

static void *guard_main(void *arg)
{
    (void)arg;
    struct pollfd *fds = g_fds, *lfds = g_lfds;
    guard_conn **who = g_who;
    size_t cap = g_cap, lcap = g_lcap;
    double next_tick = now_s() + TICK_MS / 1000.0;
    while (!atomic_load(&g_stop)) {
        size_t nl = 0;
        pthread_mutex_lock(&g_mu);
        for (linger_fd *l = g_lingering; l && nl < lcap; l = l->next)
            lfds[nl++] = (struct pollfd){.fd = l->fd, .events = POLLIN | POLLRDHUP};
        pthread_mutex_unlock(&g_mu);
        /* Only this thread closes lingering fds, so the snapshot stays valid here. */
        double wait = next_tick - now_s();
        (void)poll(lfds, nl, wait > 0 ? (int)(wait * 1000) + 1 : 0);

        pthread_mutex_lock(&g_mu);
        double now = now_s();
        drain_lingering(now);
        if (now >= next_tick) {
            next_tick = now + TICK_MS / 1000.0;
            size_t n = 0;
            for (guard_conn *g = g_head; g && n < cap; g = g->next) {
                if (g->shut)
                    continue;
                fds[n] = (struct pollfd){.fd = g->fd, .events = POLLRDHUP};
                who[n++] = g;
            }
            if (n > 0 && poll(fds, n, 0) >= 0)
                for (size_t i = 0; i < n; i++)
                    check(who[i], fds[i].revents, now);
        }
        pthread_mutex_unlock(&g_mu);
    }
    return NULL;
}

bool guard_start(const dv_config *cfg, int other_route)
{
    /* The poll arrays are sized here, in the starting thread: a first malloc in the guard
     * thread would give it a glibc arena of its own (64 MiB of address space). */
    size_t want = (size_t)cfg->max_connections * 2 + 256;
    if (!reserve(&g_fds, &g_who, &g_cap, want) || !reserve(&g_lfds, NULL, &g_lcap, want))
        return false;
    g_cfg = cfg;
    g_other_route = other_route;
    atomic_store(&g_stop, false);
    g_running = pthread_create(&g_thread, NULL, guard_main, NULL) == 0;
    return g_running;
}

void guard_stop(void)
{
    if (!g_running)
        return;
    atomic_store(&g_stop, true);
    pthread_join(g_thread, NULL);
    g_running = false;
    while (g_lingering) {
        linger_fd *l = g_lingering;
        g_lingering = l->next;
        close(l->fd);
        free(l);
    }
    free(g_fds);
    free(g_who);
    free(g_lfds);
    g_fds = g_lfds = NULL;
    g_who = NULL;
    g_cap = g_lcap = 0;
}
