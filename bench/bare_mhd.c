/*
 * bare_mhd.c — the libmicrohttpd ceiling for `make bench` (SPEC §12): the least a server
 * built on this library can do per request, with the daemon's own threading flags.
 *
 * It reads (and counts) a POST body and answers a fixed JSON body. Everything
 * divergenced adds on top — routing, JSON decoding, the computation, the JSON writer,
 * logging, metrics, the connection guard — is absent, so divergenced's requests per
 * second over this server's is the share of the library's ceiling the product keeps.
 *
 * Kept the same as src/http/server.c on purpose, because they decide the ceiling:
 * MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG |
 * MHD_ALLOW_SUSPEND_RESUME, a thread pool of the online CPUs (none when there is one),
 * 32 KiB of memory per connection (libmicrohttpd zeroes it after every request), the
 * connection limit 1024 + 1024/8 and the 30 s idle timeout. The response is created per
 * request from a static buffer, as a real handler must create one per request.
 *
 * Usage: bare_mhd PORT [THREADS]   (127.0.0.1; runs until SIGTERM or SIGINT)
 * Build (bench/run.sh does it): cc -O2 -std=c11 -D_GNU_SOURCE -o build/bare_mhd
 *                                  bench/bare_mhd.c -lmicrohttpd
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* About the size and shape of a small /kl answer. */
static const char BODY[] = "{\"kl\":0.12345678901234568,\"n\":10,\"base\":\"e\",\"unit\":\"nat\"}";

/* A non-NULL marker for "this request's first callback has been seen"; the body is only
 * counted, so no per-request allocation is needed. */
static int g_seen;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **req_cls)
{
    (void)cls;
    (void)url;
    (void)method;
    (void)version;
    (void)upload_data;
    if (*req_cls == NULL) {
        *req_cls = &g_seen;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        *upload_data_size = 0; /* consumed */
        return MHD_YES;
    }
    struct MHD_Response *r =
        MHD_create_response_from_buffer(sizeof BODY - 1, (void *)(uintptr_t)BODY,
                                        MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    enum MHD_Result ok = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ok;
}

/* A whole number in [lo, hi] or exit 2 (no atoi: a typo must not become port 0). */
static unsigned parse_uint(const char *s, unsigned long lo, unsigned long hi, const char *what)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) {
        fprintf(stderr, "bare_mhd: %s is \"%s\"; it must be a whole number from %lu to %lu\n",
                what, s, lo, hi);
        exit(2);
    }
    return (unsigned)v;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: bare_mhd PORT [THREADS]\n");
        return 2;
    }
    unsigned port = parse_uint(argv[1], 1, 65535, "PORT");
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = argc == 3 ? parse_uint(argv[2], 1, 1024, "THREADS")
                                 : (cpus > 0 ? (unsigned)cpus : 1u);
    /* Block the stop signals before the library starts its threads, so they inherit the
     * mask and only sigwait() below sees SIGTERM. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const unsigned max_connections = 1024;
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG |
            MHD_ALLOW_SUSPEND_RESUME,
        (uint16_t)port, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, &sa,
        MHD_OPTION_THREAD_POOL_SIZE, threads > 1 ? threads : 0u, MHD_OPTION_CONNECTION_LIMIT,
        max_connections + max_connections / 8, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32 * 1024, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "bare_mhd: cannot listen on 127.0.0.1:%u\n", port);
        return 1;
    }
    int sig = 0;
    sigwait(&stop, &sig);
    MHD_stop_daemon(d);
    return 0;
}
