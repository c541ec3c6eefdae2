/*
 * mp_vs_mhd.c — src/util/multipart.c against libmicrohttpd's post processor on the same
 * upload chunks, in one process and one run (a ratio, not an absolute figure).
 *
 * A libmicrohttpd daemon on an ephemeral loopback port receives one multipart POST from
 * a client thread; its access handler gives every upload chunk to both parsers, in
 * alternating order (so neither always gets the warm cache), timing each call. Both
 * sinks do the same work: count the data bytes of each part. Reported: MB/s of each and
 * the ratio. Two bodies: one 32 MiB part of random bytes (like float64 .npy data, a CR
 * every 256 bytes on average) and 100000 small parts.
 *
 * Build and run from the repository root (not part of `make`):
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Isrc/util -o build/mp_vs_mhd bench/mp_vs_mhd.c \
 *      src/util/multipart.c -lmicrohttpd -lpthread && build/mp_vs_mhd
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "multipart.h"

#define BOUNDARY "------------------------d74496d66958873e"

typedef struct run {
    struct MHD_PostProcessor *pp;
    dv_mp_parser *mp;
    uint64_t mhd_bytes, our_bytes;
    double mhd_s, our_s;
    unsigned long chunks;
    int ok;
} run;

static run g_run;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static enum MHD_Result mhd_iter(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *filename, const char *content_type,
                                const char *transfer_encoding, const char *data,
                                uint64_t off, size_t size)
{
    (void)kind, (void)key, (void)filename, (void)content_type, (void)transfer_encoding;
    (void)data, (void)off;
    ((run *)cls)->mhd_bytes += size;
    return MHD_YES;
}

static int our_data(void *user, const char *data, size_t len)
{
    (void)data;
    ((run *)user)->our_bytes += len;
    return 0;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version,
                               const char *upload, size_t *upload_size, void **con_cls)
{
    (void)cls, (void)url, (void)method, (void)version;
    run *r = &g_run;
    if (*con_cls == NULL) {
        r->pp = MHD_create_post_processor(c, 65536, mhd_iter, r);
        const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
        static const dv_mp_callbacks cb = {NULL, our_data, NULL};
        dv_mp_limits lim = {0, 100000};
        dv_mp_error err;
        r->mp = dv_mp_new(ct, strlen(ct), &lim, &cb, r, &err);
        if (!r->pp || !r->mp) {
            fprintf(stderr, "setup failed\n");
            exit(1);
        }
        *con_cls = r;
        return MHD_YES;
    }
    if (*upload_size) {
        for (int k = 0; k < 2; k++) {
            bool mhd_turn = (r->chunks + (unsigned long)k) % 2 == 0;
            double t0 = now();
            if (mhd_turn)
                MHD_post_process(r->pp, upload, *upload_size);
            else
                dv_mp_feed(r->mp, upload, *upload_size);
            double dt = now() - t0;
            if (mhd_turn)
                r->mhd_s += dt;
            else
                r->our_s += dt;
        }
        r->chunks++;
        *upload_size = 0;
        return MHD_YES;
    }
    r->ok = dv_mp_finish(r->mp) == DV_MP_OK;
    MHD_destroy_post_processor(r->pp);
    dv_mp_free(r->mp);
    struct MHD_Response *resp = MHD_create_response_from_buffer(2, (void *)"ok",
                                                                MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret = MHD_queue_response(c, 200, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void post(unsigned short port, const char *body, size_t n)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        perror("connect");
        exit(1);
    }
    char head[512];
    int hl = snprintf(head, sizeof head,
                      "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; "
                      "boundary=" BOUNDARY "\r\nContent-Length: %zu\r\nConnection: "
                      "close\r\n\r\n", n);
    if (write(fd, head, (size_t)hl) != hl)
        exit(1);
    for (size_t off = 0; off < n;) {
        ssize_t w = write(fd, body + off, n - off);
        if (w <= 0)
            exit(1);
        off += (size_t)w;
    }
    char buf[4096];
    while (read(fd, buf, sizeof buf) > 0) {
    }
    close(fd);
}

static char *add(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}

static void bench(const char *what, const char *body, size_t n, uint64_t data_bytes)
{
    memset(&g_run, 0, sizeof g_run);
    struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
                                            handler, NULL, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "no daemon\n");
        exit(1);
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    post(info->port, body, n);
    MHD_stop_daemon(d);
    run *r = &g_run;
    printf("%-22s %lu chunks  ours %8.1f MB/s (%llu data bytes)  libmicrohttpd %8.1f MB/s "
           "(%llu)  ratio %.2fx%s\n",
           what, r->chunks, (double)n / r->our_s / 1e6, (unsigned long long)r->our_bytes,
           (double)n / r->mhd_s / 1e6, (unsigned long long)r->mhd_bytes, r->mhd_s / r->our_s,
           r->ok && r->our_bytes == data_bytes ? "" : "  (OUR PARSE FAILED)");
}

int main(void)
{
    size_t big = 32u << 20;
    char *body = malloc(big + 100000 * 128);
    if (!body)
        return 1;
    char *p = body;
    static const char h1[] = "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"p\"; "
                             "filename=\"p.npy\"\r\nContent-Type: application/x-npy\r\n\r\n";
    p = add(p, h1, sizeof h1 - 1);
    uint64_t x = 88172645463325252ull;
    for (size_t i = 0; i < big; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        *p++ = (char)(x >> 56);
    }
    static const char tail[] = "\r\n--" BOUNDARY "--\r\n";
    p = add(p, tail, sizeof tail - 1);
    bench("one 32 MiB part", body, (size_t)(p - body), big);

    p = body;
    uint64_t data = 0;
    for (int i = 0; i < 100000; i++) {
        char part[256];
        int n = snprintf(part, sizeof part,
                         "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"p%d\""
                         "\r\n\r\n[0.25, 0.25, 0.5]\r\n", i);
        p = add(p, part, (size_t)n);
        data += 17;
    }
    p = add(p, tail + 2, sizeof tail - 3);
    bench("100000 small parts", body, (size_t)(p - body), data);
    free(body);
    return 0;
}
