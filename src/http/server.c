/*
 * server.c — libmicrohttpd glue: one dv_req per request, created at the first callback
 * and released at MHD_OPTION_NOTIFY_COMPLETED. Decisions that need no body (404, 405,
 * CORS preflight, 401, 415, a Content-Length over --max-body) are answered from the
 * first callback, so no such body is decoded (see on_request for the lingering close).
 * Deadlines and departed clients are the connection guard's (guard.c). The one response path (respond) adds the headers every response carries.
 */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <pthread.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "form.h"
#include "guard.h"
#include "log.h"
#include "metrics.h"
#include "route.h"

static struct MHD_Daemon *g_daemon;
static const dv_config *g_cfg;
static const route_table *g_routes; /* handed in by server_start */
static atomic_bool g_draining;
static atomic_int g_in_flight;
static atomic_int g_open_connections;

/* libmicrohttpd refuses connections over its own limit without a word. So that clients
 * over --max-connections get a 503 instead, its limit is set this much higher and the
 * surplus is answered with 503 unavailable and closed. */
static unsigned headroom(unsigned max)
{
    return max < 512 ? 64 : max / 8;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_ctx,
                          enum MHD_ConnectionNotificationCode code)
{
    (void)cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_ctx = ci ? guard_open(ci->connect_fd) : NULL;
        atomic_fetch_add(&g_open_connections, 1);
    } else {
        guard_close(*socket_ctx); /* before libmicrohttpd closes the fd */
        *socket_ctx = NULL;
        atomic_fetch_add(&g_open_connections, -1);
    }
}

static guard_conn *guard_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

bool server_draining(void)
{
    return atomic_load(&g_draining);
}

/* ---- small helpers ------------------------------------------------------------------- */

static double since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) * 1e-9;
}

/* A request id: the client's when it is short and plain, else 128 random bits. */
static void request_id(dv_req *r, const char *given)
{
    if (given) {
        size_t n = strlen(given);
        bool ok = n >= 1 && n <= 128;
        for (size_t i = 0; ok && i < n; i++) {
            char c = given[i];
            ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' || c == '-';
        }
        if (ok) {
            memcpy(r->request_id, given, n + 1);
            return;
        }
    }
    /* splitmix64, seeded per thread from the kernel: unique ids without a lock. */
    static _Thread_local uint64_t state;
    if (state == 0 && getrandom(&state, sizeof state, 0) != (ssize_t)sizeof state)
        state = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)r;
    for (int half = 0; half < 2; half++) {
        uint64_t z = (state += 0x9e3779b97f4a7c15u);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
        z ^= z >> 31;
        for (int k = 0; k < 16; k++)
            r->request_id[16 * half + k] = "0123456789abcdef"[(z >> (60 - 4 * k)) & 15];
    }
    r->request_id[32] = '\0';
}

/* Constant-time comparison: the time taken does not depend on where the bytes differ. */
static bool same_secret(const char *a, size_t an, const char *b, size_t bn)
{
    unsigned char diff = (unsigned char)(an != bn);
    for (size_t i = 0; i < bn; i++)
        diff |= (unsigned char)((i < an ? (unsigned char)a[i] : 0) ^ (unsigned char)b[i]);
    return diff == 0;
}

static bool authorized(struct MHD_Connection *c)
{
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (!h || strncasecmp(h, "Bearer ", 7) != 0)
        return false;
    h += 7;
    while (*h == ' ')
        h++;
    return same_secret(h, strlen(h), g_cfg->api_key, g_cfg->api_key_len);
}

/* ---- the response path ----------------------------------------------------------------- */

static const char oom_body[] =
    "{\"type\":\"urn:divergenced:problem:out_of_memory\",\"title\":\"Out Of Memory\","
    "\"status\":503,\"detail\":\"the server ran out of memory for this response; retry "
    "later\",\"code\":\"out_of_memory\"}";

static enum MHD_Result respond(struct MHD_Connection *c, dv_req *r)
{
    req_finalize(r);
    struct MHD_Response *resp = NULL;
    if (r->status == 204) {
        resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    } else if (r->static_body) {
        resp = MHD_create_response_from_buffer(r->static_len, (void *)r->static_body,
                                               MHD_RESPMEM_PERSISTENT);
        r->bytes_out = r->static_len;
    } else if (!r->out.oom) {
        size_t len;
        char *body = jw_take(&r->out, &len);
        resp = MHD_create_response_from_buffer(len, body ? body : (void *)"",
                                               body ? MHD_RESPMEM_MUST_FREE
                                                    : MHD_RESPMEM_PERSISTENT);
        if (!resp)
            free(body);
        r->bytes_out = len;
    }
    if (!resp || r->out.oom) {
        if (resp)
            MHD_destroy_response(resp);
        r->failed = true;
        r->code = E_OUT_OF_MEMORY;
        r->status = 503;
        r->content_type = "application/problem+json";
        resp = MHD_create_response_from_buffer(sizeof oom_body - 1, (void *)oom_body,
                                               MHD_RESPMEM_PERSISTENT);
        r->bytes_out = sizeof oom_body - 1;
        if (!resp)
            return MHD_NO;
    }
    if (r->status != 204)
        MHD_add_response_header(resp, "Content-Type",
                                r->content_type ? r->content_type : "application/json");
    MHD_add_response_header(resp, "Access-Control-Allow-Origin", g_cfg->cors_origin);
    if (strcmp(g_cfg->cors_origin, "*") != 0)
        MHD_add_response_header(resp, "Vary", "Origin");
    MHD_add_response_header(resp, "Access-Control-Expose-Headers", "X-Request-Id");
    MHD_add_response_header(resp, "X-Request-Id", r->request_id);
    if (r->headers)
        for (const char *const *h = r->headers; h[0]; h += 2)
            MHD_add_response_header(resp, h[0], h[1]);
    else
        MHD_add_response_header(resp, "Cache-Control", "no-store");
    if (r->status == 204) {
        MHD_add_response_header(resp, "Access-Control-Allow-Methods", "GET, POST, OPTIONS");
        MHD_add_response_header(resp, "Access-Control-Allow-Headers",
                                "Content-Type, Authorization, X-Request-Id");
        MHD_add_response_header(resp, "Access-Control-Max-Age", "86400");
        if (r->route)
            MHD_add_response_header(resp, "Allow", r->route->allow);
    }
    if (r->failed && r->code == E_METHOD_NOT_ALLOWED && r->route)
        MHD_add_response_header(resp, "Allow", r->route->allow);
    if (r->failed && r->code == E_UNAUTHORIZED)
        MHD_add_response_header(resp, "WWW-Authenticate", "Bearer realm=\"divergenced\"");
    if (server_draining() || (r->failed && r->code == E_UNAVAILABLE)) {
        MHD_add_response_header(resp, "Connection", "close");
        if (r->failed && r->code == E_UNAVAILABLE)
            MHD_add_response_header(resp, "Retry-After", "1");
    }
    enum MHD_Result ok = MHD_queue_response(c, r->status, resp);
    MHD_destroy_response(resp);
    r->responded = true;
    return ok;
}

/* ---- large requests off the event threads ----------------------------------------------

 * Why: libmicrohttpd's thread pool runs every connection of a thread in one event loop, so
 * a handler that computes for 20 ms (a 10 MB /batch/categorical-kl) would hold up every
 * small request that shares its thread. Parsing is already spread out (the body is decoded
 * chunk by chunk as it arrives, a few hundred µs per read), so only the compute step of a
 * large request needs to move. A request whose body is over OFFLOAD_BYTES is suspended
 * (MHD_suspend_connection), executed by a small pool of worker threads running at a lower
 * scheduling priority, and resumed to send its response. Thread-per-connection was not
 * chosen because it costs a thread switch per small request (the common case).
 * Measured (bench/RESULTS.md, isolation scenario, 2-core VM): small /kl keeps p50 ~0.3 ms
 * and p99 ~4–5 ms while two clients loop on 9.6 MB batch bodies (target < 25 ms).
 */
enum { OFFLOAD_BYTES = 256 * 1024, WORKERS = 2 };

typedef struct job {
    struct job *next;
    dv_req *r;
    struct MHD_Connection *c;
} job;

static pthread_mutex_t g_jobs_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_jobs_cv = PTHREAD_COND_INITIALIZER;
static job *g_jobs_head, *g_jobs_tail;
static int g_jobs_busy; /* queued + running */
static bool g_workers_stop;
static pthread_t g_workers[WORKERS];
static int g_nworkers;

static void *worker_main(void *arg)
{
    (void)arg;
    /* Below the event threads: a small request never waits for a large computation. */
    if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 5) != 0)
        (void)0; /* best effort */
    pthread_mutex_lock(&g_jobs_mu);
    for (;;) {
        while (!g_jobs_head && !g_workers_stop)
            pthread_cond_wait(&g_jobs_cv, &g_jobs_mu);
        if (!g_jobs_head)
            break;
        job *j = g_jobs_head;
        g_jobs_head = j->next;
        if (!g_jobs_head)
            g_jobs_tail = NULL;
        pthread_mutex_unlock(&g_jobs_mu);
        req_execute(j->r);
        j->r->offload = 2;
        struct MHD_Connection *c = j->c;
        free(j);
        MHD_resume_connection(c);
        pthread_mutex_lock(&g_jobs_mu);
        g_jobs_busy--;
        pthread_cond_broadcast(&g_jobs_cv);
    }
    pthread_mutex_unlock(&g_jobs_mu);
    return NULL;
}

/* Hands r to a worker; false (run it inline) when no worker or no memory. */
static bool offload(struct MHD_Connection *c, dv_req *r)
{
    if (g_nworkers == 0)
        return false;
    job *j = malloc(sizeof *j);
    if (!j)
        return false;
    *j = (job){NULL, r, c};
    r->offload = 1;
    MHD_suspend_connection(c);
    pthread_mutex_lock(&g_jobs_mu);
    if (g_jobs_tail)
        g_jobs_tail->next = j;
    else
        g_jobs_head = j;
    g_jobs_tail = j;
    g_jobs_busy++;
    pthread_cond_signal(&g_jobs_cv);
    pthread_mutex_unlock(&g_jobs_mu);
    return true;
}

static void workers_start(void)
{
    g_workers_stop = false;
    for (g_nworkers = 0; g_nworkers < WORKERS; g_nworkers++)
        if (pthread_create(&g_workers[g_nworkers], NULL, worker_main, NULL) != 0)
            break;
}

/* Waits for every queued job (each resumes its connection), then ends the workers. */
static void workers_stop(void)
{
    pthread_mutex_lock(&g_jobs_mu);
    while (g_jobs_busy > 0)
        pthread_cond_wait(&g_jobs_cv, &g_jobs_mu);
    g_workers_stop = true;
    pthread_cond_broadcast(&g_jobs_cv);
    pthread_mutex_unlock(&g_jobs_mu);
    for (int i = 0; i < g_nworkers; i++)
        pthread_join(g_workers[i], NULL);
    g_nworkers = 0;
}

/* ---- request life cycle ------------------------------------------------------------------- */

/* Decisions taken before any body byte is read; true when one was taken. */
static bool decide_early(struct MHD_Connection *c, dv_req *r)
{
    const route *rt = r->route;
    if ((unsigned)atomic_load(&g_open_connections) > g_cfg->max_connections)
        return !req_fail(r, E_UNAVAILABLE, NULL,
                         "the server is at its connection limit (%u); retry shortly or use "
                         "another replica",
                         g_cfg->max_connections);
    if (!rt)
        return !req_fail(r, E_NOT_FOUND, NULL,
                         "no route %.200s; see /openapi.yaml for the routes", r->path);
    if (strcmp(r->method, "OPTIONS") == 0) {
        r->status = 204;
        return true;
    }
    bool method_ok = strcmp(r->method, rt->method) == 0 ||
                     (strcmp(rt->method, "GET") == 0 && strcmp(r->method, "HEAD") == 0);
    if (!method_ok)
        return !req_fail(r, E_METHOD_NOT_ALLOWED, NULL, "%s does not accept %.16s; use %s",
                         rt->path, r->method, rt->method);
    if (rt->auth && g_cfg->api_key && !authorized(c))
        return !req_fail(r, E_UNAUTHORIZED, NULL,
                         "this server needs an API key: send \"Authorization: Bearer "
                         "<key>\"");
    if (strcmp(rt->method, "POST") != 0)
        return false;
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    if (!req_media_type_is(ct, "application/json") && !form_is_type(ct))
        return !req_fail(r, E_UNSUPPORTED_MEDIA_TYPE, NULL,
                         "Content-Type is %.100s; send the body as application/json (or "
                         "multipart/form-data with .npy parts)",
                         ct ? ct : "missing");
    r->body_type = ct;
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    if (cl) {
        char *end;
        errno = 0;
        unsigned long long n = strtoull(cl, &end, 10);
        if (errno == 0 && end != cl && n > g_cfg->max_body)
            return !req_fail(r, E_PAYLOAD_TOO_LARGE, NULL,
                             "the body is %llu bytes; this server accepts at most %zu "
                             "(--max-body)",
                             n, g_cfg->max_body);
    }
    return false;
}

/* Whether the request announces a body (a non-zero Content-Length, or chunked). */
static bool has_body(struct MHD_Connection *c, const dv_req *r)
{
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    return r->chunked || (cl && strspn(cl, " 0") != strlen(cl));
}

/* A client that waits for "100 Continue" before it sends its body (curl does for large
 * bodies): an early answer then goes out at once and the body is never sent. */
static bool expects_continue(struct MHD_Connection *c)
{
    const char *e = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Expect");
    return e && strncasecmp(e, "100-continue", 12) == 0;
}

/* The body is decoded as it arrives (src/json/decoder.c): no copy of the text is kept,
 * only the numbers, so memory follows the count of numbers rather than the text's size. */
static void append_body(dv_req *r, const char *data, size_t n)
{
    if (r->body_too_large || r->failed)
        return;
    if (n > g_cfg->max_body - r->body_len) {
        r->body_too_large = true;
        return;
    }
    r->body_len += n;
    req_feed(r, data, n);
}

/* The first callback of a request: its state, its id, and the decisions its head allows. */
static enum MHD_Result begin_request(struct MHD_Connection *c, const char *url,
                                     const char *method, void **req_cls)
{
    dv_req *r = calloc(1, sizeof *r);
    if (!r)
        return MHD_NO;
    *req_cls = r;
    clock_gettime(CLOCK_MONOTONIC, &r->start);
    atomic_fetch_add(&g_in_flight, 1);
    metrics_in_flight(1);
    r->cfg = g_cfg;
    r->path = url;
    size_t ml = strnlen(method, sizeof r->method - 1); /* cut to fit, as for the log */
    memcpy(r->method, method, ml);
    r->method[ml] = '\0';
    r->method_index = metrics_method_index(method);
    r->route = route_find(g_routes, url, &r->route_index);
    request_id(r, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Request-Id"));
    r->if_none_match = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
    r->chunked =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Transfer-Encoding") != NULL;
    r->guard = guard_of(c);
    guard_request(r->guard, r);
    if (!decide_early(c, r))
        return MHD_YES;
    /* Answered from the head. With a body on the way, the answer goes now and the body is
     * never decoded: libmicrohttpd then closes the connection, and the guard lingers on
     * the socket, dropping the rest of the body, so that a client that writes its whole
     * body before it reads still gets this answer rather than a reset (a client waiting
     * for 100 Continue sends no body). Without a body, the answer goes at the final
     * callback and the connection stays alive (a CORS preflight need not cost a new
     * connection). */
    if (has_body(c, r)) {
        if (!expects_continue(c))
            guard_linger(r->guard);
        return respond(c, r);
    }
    r->decided = true;
    return MHD_YES;
}

/* The body is complete: compute (here, or on a worker for a large body) and answer. */
static enum MHD_Result finish_request(struct MHD_Connection *c, dv_req *r)
{
    if (r->responded || r->offload == 1)
        return MHD_YES;
    if (r->offload == 0) { /* the first final callback (a resumed one comes again) */
        const union MHD_ConnectionInfo *hs =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
        r->head_bytes = hs ? hs->header_size : 0;
        guard_busy(r->guard);
        if (guard_was_cut(r))
            return MHD_NO; /* the guard has answered 408 and shut the socket */
    }
    if (r->offload == 2 || r->decided)
        return respond(c, r);
    if (r->body_too_large)
        req_fail(r, E_PAYLOAD_TOO_LARGE, NULL,
                 "the body is over %zu bytes, the most this server accepts (--max-body)",
                 g_cfg->max_body);
    else if (r->body_len > OFFLOAD_BYTES && !r->failed && offload(c, r))
        return MHD_YES;
    else
        req_execute(r);
    return respond(c, r);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size,
                                  void **req_cls)
{
    (void)cls;
    (void)version;
    dv_req *r = *req_cls;
    if (!r)
        return begin_request(c, url, method, req_cls);
    if (*upload_size == 0)
        return finish_request(c, r);
    r->bytes_in += *upload_size;
    guard_body(r->guard, *upload_size);
    if (guard_was_cut(r))
        return MHD_NO;
    if (!r->responded)
        append_body(r, upload_data, *upload_size);
    *upload_size = 0;
    return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    dv_req *r = *req_cls;
    if (!r)
        return;
    double secs = since(&r->start);
    /* The request's size on the wire, for the guard: known exactly for a complete request
     * with no body or a Content-Length one (a chunked body's framing is not counted). */
    bool sized =
        toe == MHD_REQUEST_TERMINATED_COMPLETED_OK && r->head_bytes > 0 && !r->chunked;
    guard_done(r->guard, sized ? r->head_bytes + r->bytes_in : GUARD_UNKNOWN_SIZE);
    if (guard_was_cut(r)) { /* the guard wrote its 408: count and log it as answered */
        r->responded = true;
        r->failed = true;
        r->code = E_REQUEST_TIMEOUT;
        r->status = 408;
    }
    if (strcmp(r->method, "HEAD") == 0)
        r->bytes_out = 0; /* libmicrohttpd sends the headers only */
    if (r->responded) {
        metrics_record(r->route_index, r->method_index, r->status,
                       r->failed ? (int)r->code : -1, secs, r->bytes_in, r->bytes_out,
                       r->failed ? 0 : r->values);
    }
    if (log_enabled(LOG_INFO)) {
        logline l;
        log_begin(&l, LOG_INFO, r->responded ? "request" : "aborted");
        log_str(&l, "method", r->method);
        log_strn(&l, "path", r->path, strnlen(r->path, 256));
        log_int(&l, "status", r->responded ? (long long)r->status : 0);
        log_num(&l, "duration_ms", secs * 1e3);
        log_int(&l, "bytes_in", (long long)r->bytes_in);
        log_int(&l, "bytes_out", (long long)r->bytes_out);
        log_str(&l, "request_id", r->request_id);
        if (r->failed)
            log_str(&l, "code", problem_get(r->code)->code);
        if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
            log_int(&l, "termination", (long long)toe);
        log_end(&l);
    }
    req_release(r);
    free(r);
    *req_cls = NULL;
    metrics_in_flight(-1);
    atomic_fetch_sub(&g_in_flight, 1);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    if (!log_enabled(LOG_DEBUG))
        return;
    char buf[512];
    vsnprintf(buf, sizeof buf, fmt, ap);
    size_t n = strlen(buf);
    while (n > 0 && buf[n - 1] == '\n')
        buf[--n] = '\0';
    logline l;
    log_begin(&l, LOG_DEBUG, "libmicrohttpd");
    log_str(&l, "detail", buf);
    log_end(&l);
}

bool server_start(const dv_config *cfg, const route_table *table)
{
    g_cfg = cfg;
    g_routes = table;
    metrics_init(table);
    if (!guard_start(cfg, (int)table->count)) {
        fprintf(stderr, "divergenced: cannot start the connection guard thread\n");
        return false;
    }
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG |
                     MHD_ALLOW_SUSPEND_RESUME;
    struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, cfg->bind, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(cfg->port);
    } else if (inet_pton(AF_INET6, cfg->bind, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(cfg->port);
        flags |= MHD_USE_IPv6;
    } else {
        fprintf(stderr, "divergenced: --bind %s is not an IPv4 or IPv6 address\n",
                cfg->bind);
        return false;
    }
    workers_start(); /* before the event threads exist that read g_nworkers */
    g_daemon = MHD_start_daemon(
        flags, cfg->port, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, &ss,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(cfg->threads > 1 ? cfg->threads : 0),
        MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections + headroom(cfg->max_connections),
        MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout,
        /* 32 KiB per connection. libmicrohttpd zeroes the whole buffer after every
         * request, so its size is paid per small request: 128 KiB made the 44.9 MB /kl
         * ~9 % faster (bigger reads) but small /kl ~16 % slower (memset). */
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32 * 1024, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, NULL, MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_END);
    if (!g_daemon) {
        workers_stop();
        fprintf(stderr, "divergenced: cannot listen on %s:%u: %s\n", cfg->bind,
                (unsigned)cfg->port, strerror(errno));
        return false;
    }
    return true;
}

uint16_t server_port(void)
{
    const union MHD_DaemonInfo *i =
        MHD_get_daemon_info(g_daemon, MHD_DAEMON_INFO_BIND_PORT);
    return i ? i->port : 0;
}

void server_begin_drain(void)
{
    atomic_store(&g_draining, true);
    MHD_socket s = MHD_quiesce_daemon(g_daemon);
    if (s != MHD_INVALID_SOCKET)
        close(s);
}

void server_finish_drain(unsigned grace_seconds)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (atomic_load(&g_in_flight) > 0 && since(&t0) < (double)grace_seconds) {
        struct timespec nap = {0, 10 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    workers_stop();
    MHD_stop_daemon(g_daemon);
    g_daemon = NULL;
    guard_stop(); /* after the daemon: closing connections still notify it */
}
