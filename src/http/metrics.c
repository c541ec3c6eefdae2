/*
 * metrics.c — the registry and its text exposition (see metrics.h).
 */
#include "metrics.h"

#include <dirent.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "problem.h"
#include "route.h"

#define MAX_ROUTES 40 /* the table's routes + "other" must fit */

static const char *const method_names[METHOD_COUNT] = {"GET", "POST", "OPTIONS", "HEAD",
                                                       "other"};
static const unsigned statuses[] = {200, 204, 304, 400, 401, 404, 405, 408, 413, 415, 422, 500, 503};
#define N_STATUS (sizeof statuses / sizeof statuses[0])
/* Bucket upper bounds in seconds: 50 µs … 10 s. */
static const double bounds[] = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                0.005,   0.01,   0.025,   0.05,   0.1,   0.25,
                                0.5,     1,      2.5,     5,      10};
static const char *const bound_text[] = {"5e-05", "0.0001", "0.00025", "0.0005", "0.001",
                                         "0.0025", "0.005", "0.01", "0.025", "0.05",
                                         "0.1", "0.25", "0.5", "1", "2.5", "5", "10"};
#define N_BUCKETS (sizeof bounds / sizeof bounds[0])

typedef _Atomic uint64_t counter;

static counter requests[MAX_ROUTES][METHOD_COUNT][N_STATUS];
static counter errors[MAX_ROUTES][E_COUNT];
static counter buckets[MAX_ROUTES][N_BUCKETS + 1];
static counter duration_ns[MAX_ROUTES];
static counter bytes_in_total[MAX_ROUTES], bytes_out_total[MAX_ROUTES];
static counter values_total[MAX_ROUTES];
static _Atomic int64_t in_flight;

static void inc(counter *c, uint64_t by)
{
    atomic_fetch_add_explicit(c, by, memory_order_relaxed);
}

static uint64_t get(counter *c)
{
    return atomic_load_explicit(c, memory_order_relaxed);
}

int metrics_method_index(const char *m)
{
    for (int i = 0; i < METHOD_OTHER; i++)
        if (strcmp(m, method_names[i]) == 0)
            return i;
    return METHOD_OTHER;
}

void metrics_record(int rt, int method, unsigned status, int code, double seconds,
                    uint64_t in, uint64_t out, uint64_t values)
{
    if (rt < 0 || rt >= MAX_ROUTES || method < 0 || method >= METHOD_COUNT)
        return;
    size_t s = 0;
    while (s < N_STATUS && statuses[s] != status)
        s++;
    if (s < N_STATUS)
        inc(&requests[rt][method][s], 1);
    if (code >= 0 && code < E_COUNT)
        inc(&errors[rt][code], 1);
    size_t b = 0;
    while (b < N_BUCKETS && seconds > bounds[b])
        b++;
    inc(&buckets[rt][b], 1);
    inc(&duration_ns[rt], (uint64_t)(seconds * 1e9));
    inc(&bytes_in_total[rt], in);
    inc(&bytes_out_total[rt], out);
    inc(&values_total[rt], values);
}

void metrics_in_flight(int delta)
{
    atomic_fetch_add_explicit(&in_flight, delta, memory_order_relaxed);
}

static const route_table *g_table; /* set once by metrics_init, before serving */
static size_t route_count;           /* labels in use: the table's rows, capped */

void metrics_init(const route_table *t)
{
    g_table = t;
    route_count = t->count < MAX_ROUTES - 1 ? t->count : MAX_ROUTES - 1;
}

static const char *route_label(size_t i)
{
    return i < route_count ? g_table->rows[i].path : "other";
}

static void line(jw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line(jw *w, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > 0)
        jw_raw(w, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

static void header(jw *w, const char *name, const char *type, const char *help)
{
    line(w, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void per_route(jw *w, const char *name, const char *help, counter *c)
{
    header(w, name, "counter", help);
    for (size_t r = 0; r <= route_count; r++)
        line(w, "%s{route=\"%s\"} %" PRIu64 "\n", name, route_label(r), get(&c[r]));
}

/* The standard process_* set, read from /proc/self. */
static void process_metrics(jw *w)
{
    static const char *stat_help[] = {
        "Total user and system CPU time spent in seconds.",
        "Virtual memory size in bytes.", "Resident memory size in bytes.",
        "Start time of the process since unix epoch in seconds."};
    double cpu = 0, start = 0;
    unsigned long long vsize = 0, rss_pages = 0;
    FILE *f = fopen("/proc/self/stat", "r");
    if (f) {
        char buf[1024];
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = '\0';
        fclose(f);
        /* Fields after the command name (which may hold spaces) start past the last ')'. */
        char *p = strrchr(buf, ')');
        unsigned long utime = 0, stime = 0;
        unsigned long long starttime = 0;
        if (p && sscanf(p + 2,
                        "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu %*d %*d %*d "
                        "%*d %*d %*d %llu %llu %llu",
                        &utime, &stime, &starttime, &vsize, &rss_pages) == 5) {
            double hz = (double)sysconf(_SC_CLK_TCK);
            cpu = (double)(utime + stime) / hz;
            double btime = 0;
            FILE *s = fopen("/proc/stat", "r");
            if (s) {
                char l[256];
                while (fgets(l, sizeof l, s))
                    if (sscanf(l, "btime %lf", &btime) == 1)
                        break;
                fclose(s);
            }
            start = btime + (double)starttime / hz;
        }
    }
    long page = sysconf(_SC_PAGESIZE);
    int fds = 0;
    DIR *d = opendir("/proc/self/fd");
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)))
            fds += e->d_name[0] != '.';
        closedir(d);
        fds--; /* the directory stream's own descriptor */
    }
    struct rlimit rl = {0, 0};
    getrlimit(RLIMIT_NOFILE, &rl);
    header(w, "process_cpu_seconds_total", "counter", stat_help[0]);
    line(w, "process_cpu_seconds_total %.6f\n", cpu);
    header(w, "process_virtual_memory_bytes", "gauge", stat_help[1]);
    line(w, "process_virtual_memory_bytes %llu\n", vsize);
    header(w, "process_resident_memory_bytes", "gauge", stat_help[2]);
    line(w, "process_resident_memory_bytes %llu\n", rss_pages * (unsigned long long)page);
    header(w, "process_open_fds", "gauge", "Number of open file descriptors.");
    line(w, "process_open_fds %d\n", fds);
    header(w, "process_max_fds", "gauge", "Maximum number of open file descriptors.");
    line(w, "process_max_fds %llu\n", (unsigned long long)rl.rlim_cur);
    header(w, "process_start_time_seconds", "gauge", stat_help[3]);
    line(w, "process_start_time_seconds %.3f\n", start);
}

void metrics_render(jw *w)
{
    header(w, "divergenced_http_requests_total", "counter",
           "HTTP requests answered, by route template, method and status.");
    for (size_t r = 0; r <= route_count; r++)
        for (size_t m = 0; m < METHOD_COUNT; m++)
            for (size_t s = 0; s < N_STATUS; s++) {
                uint64_t v = get(&requests[r][m][s]);
                if (v)
                    line(w,
                         "divergenced_http_requests_total{route=\"%s\",method=\"%s\","
                         "status=\"%u\"} %" PRIu64 "\n",
                         route_label(r), method_names[m], statuses[s], v);
            }

    const char *h = "divergenced_http_request_duration_seconds";
    header(w, h, "histogram", "Time from the first byte of a request to its response.");
    for (size_t r = 0; r <= route_count; r++) {
        uint64_t cum = 0;
        for (size_t b = 0; b <= N_BUCKETS; b++) {
            cum += get(&buckets[r][b]);
            line(w, "%s_bucket{route=\"%s\",le=\"%s\"} %" PRIu64 "\n", h, route_label(r),
                 b < N_BUCKETS ? bound_text[b] : "+Inf", cum);
        }
        line(w, "%s_sum{route=\"%s\"} %.9f\n", h, route_label(r),
             (double)get(&duration_ns[r]) / 1e9);
        line(w, "%s_count{route=\"%s\"} %" PRIu64 "\n", h, route_label(r), cum);
    }

    header(w, "divergenced_http_requests_in_flight", "gauge",
           "Requests being received, computed or sent.");
    line(w, "divergenced_http_requests_in_flight %lld\n",
         (long long)atomic_load_explicit(&in_flight, memory_order_relaxed));
    per_route(w, "divergenced_http_request_bytes_total", "Request body bytes read (bodies of requests refused from their headers are not read).",
              bytes_in_total);
    per_route(w, "divergenced_http_response_bytes_total", "Response body bytes sent.",
              bytes_out_total);
    per_route(w, "divergenced_values_processed_total",
              "Numbers consumed by the math (probabilities, logits, samples, parameters).",
              values_total);

    header(w, "divergenced_errors_total", "counter",
           "Problem responses, by route template and problem code.");
    for (size_t r = 0; r <= route_count; r++)
        for (int c = 0; c < E_COUNT; c++) {
            uint64_t v = get(&errors[r][c]);
            if (v)
                line(w, "divergenced_errors_total{route=\"%s\",code=\"%s\"} %" PRIu64 "\n",
                     route_label(r), problem_get((err_code)c)->code, v);
        }

    header(w, "divergenced_build_info", "gauge", "Build information; the value is 1.");
    line(w, "divergenced_build_info{version=\"%s\"} 1\n", DV_VERSION);
    process_metrics(w);
}
