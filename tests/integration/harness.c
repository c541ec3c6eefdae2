/*
 * harness.c — start/stop the real daemon, read its log, talk HTTP to it, record every
 * response. See harness.h for the contract.
 *
 * Why fork+exec rather than posix_spawn: the child must set PR_SET_PDEATHSIG before exec
 * so that no daemon outlives the test binary, whatever kills it. Why a reader thread:
 * the daemon logs one line per request; a full pipe would block it mid-request.
 */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

extern char **environ;

struct dv_daemon {
    pid_t pid;
    int port;
    int out_fd;
    pthread_t reader;
    bool reader_started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    char **lines;          /* every stdout line so far, guarded by mu */
    size_t n_lines, cap_lines;
    bool eof;
    bool exited;           /* reaped; status in wait_status */
    int wait_status;
};

/* ------------------------------------------------------------------ registry
 * Every live daemon, so that a failing test (cmocka longjmps out of it), exit() and a
 * fatal signal all still stop them. Only PIDs this process started are ever signalled. */
#define MAX_DAEMONS 32
static dv_daemon *g_daemons[MAX_DAEMONS];
static volatile pid_t g_pids[MAX_DAEMONS];

static void registry_add(dv_daemon *d)
{
    for (size_t i = 0; i < MAX_DAEMONS; i++) {
        if (g_daemons[i] == NULL) {
            g_daemons[i] = d;
            g_pids[i] = d->pid;
            return;
        }
    }
}

static void registry_remove(dv_daemon *d)
{
    for (size_t i = 0; i < MAX_DAEMONS; i++) {
        if (g_daemons[i] == d) {
            g_daemons[i] = NULL;
            g_pids[i] = 0;
        }
    }
}

static void fatal_signal(int sig)
{
    for (size_t i = 0; i < MAX_DAEMONS; i++) {
        if (g_pids[i] > 0)
            kill(g_pids[i], SIGKILL);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

/* ------------------------------------------------------------------ utilities */
double dv_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void dv_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

const char *dv_bin(void)
{
    const char *b = getenv("DIVERGENCED_BIN");
    return (b && *b) ? b : "build/divergenced";
}

const char *dv_data_path(const char *name, char *buf, size_t cap)
{
    const char *dir = getenv("DV_TEST_DATA");
    snprintf(buf, cap, "%s/%s", (dir && *dir) ? dir : "tests/data", name);
    return buf;
}

char *dv_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        cap *= 2;
        char *nb = realloc(buf, cap + 1);
        if (!nb) {
            free(buf);
            buf = NULL;
        }
        buf = nb;
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        if (len)
            *len = n;
    }
    return buf;
}

static char *xstrndup(const char *s, size_t n)
{
    char *r = malloc(n + 1);
    if (r) {
        memcpy(r, s, n);
        r[n] = '\0';
    }
    return r;
}

/* ------------------------------------------------------------------ response log */
static pthread_mutex_t g_log_mu = PTHREAD_MUTEX_INITIALIZER;
static FILE *g_log;

static const char *response_log_path(void)
{
    const char *p = getenv("DV_RESPONSE_LOG");
    return (p && *p) ? p : "build/tests/responses.jsonl";
}

/* A JSON string for bytes that may not be UTF-8 (bytes >= 0x80 of a bad sequence → '?'). */
static json_t *lossy_string(const char *s, size_t n)
{
    json_t *j = json_stringn(s, n);
    if (j)
        return j;
    char *c = xstrndup(s, n);
    if (!c)
        return json_null();
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)c[i] >= 0x80 || c[i] == '\0')
            c[i] = '?';
    }
    j = json_stringn(c, n);
    free(c);
    return j ? j : json_null();
}

void dv_response_log(const char *method, const char *path, long status,
                     const char *content_type, const char *body, size_t body_len)
{
    json_t *rec = json_object();
    char p[1024];
    snprintf(p, sizeof p, "%s", path ? path : "");
    char *q = strchr(p, '?');
    if (q)
        *q = '\0';
    json_object_set_new(rec, "method", json_string(method ? method : "GET"));
    json_object_set_new(rec, "path", lossy_string(p, strlen(p)));
    json_object_set_new(rec, "status", json_integer(status));
    json_object_set_new(rec, "content_type",
                        content_type ? json_string(content_type) : json_null());
    json_t *b = NULL;
    if (body && body_len > 0) {
        b = json_loadb(body, body_len, JSON_DECODE_ANY, NULL);
        if (!b)
            b = lossy_string(body, body_len);
    } else {
        b = json_null();
    }
    json_object_set_new(rec, "body", b);
    char *line = json_dumps(rec, JSON_COMPACT | JSON_REAL_PRECISION(17));
    json_decref(rec);
    pthread_mutex_lock(&g_log_mu);
    if (g_log && line) {
        fputs(line, g_log);
        fputc('\n', g_log);
        fflush(g_log);
    }
    pthread_mutex_unlock(&g_log_mu);
    free(line);
}

/* ------------------------------------------------------------------ suite */
static void mkdirs_for(const char *path)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *s = buf + 1; *s; s++) {
        if (*s == '/') {
            *s = '\0';
            mkdir(buf, 0755);
            *s = '/';
        }
    }
}

int dv_suite_init(void)
{
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fatal_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    atexit(dv_kill_all);
    if (curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK) {
        fprintf(stderr, "integration: curl_global_init failed\n");
        return -1;
    }
    const char *lp = response_log_path();
    mkdirs_for(lp);
    g_log = fopen(lp, "w");
    if (!g_log) {
        fprintf(stderr, "integration: cannot open response log %s: %s\n", lp, strerror(errno));
        return -1;
    }
    if (access(dv_bin(), X_OK) != 0) {
        fprintf(stderr, "integration: daemon binary %s is not executable (set DIVERGENCED_BIN)\n",
                dv_bin());
        return -1;
    }
    return 0;
}

void dv_suite_done(void)
{
    dv_kill_all();
    pthread_mutex_lock(&g_log_mu);
    if (g_log)
        fclose(g_log);
    g_log = NULL;
    pthread_mutex_unlock(&g_log_mu);
    curl_global_cleanup();
}

/* ------------------------------------------------------------------ daemon */
static void *reader_main(void *arg)
{
    dv_daemon *d = arg;
    char buf[8192];
    char *partial = NULL;
    size_t plen = 0;
    bool echo = getenv("DV_ECHO_LOGS") != NULL;
    for (;;) {
        ssize_t n = read(d->out_fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        char *np = realloc(partial, plen + (size_t)n);
        if (!np)
            break;
        partial = np;
        memcpy(partial + plen, buf, (size_t)n);
        plen += (size_t)n;
        size_t start = 0;
        for (size_t i = 0; i < plen; i++) {
            if (partial[i] != '\n')
                continue;
            char *line = xstrndup(partial + start, i - start);
            if (echo && line)
                fprintf(stderr, "[daemon %d] %s\n", (int)d->pid, line);
            pthread_mutex_lock(&d->mu);
            if (d->n_lines == d->cap_lines) {
                size_t nc = d->cap_lines ? d->cap_lines * 2 : 64;
                char **nl = realloc(d->lines, nc * sizeof *nl);
                if (nl) {
                    d->lines = nl;
                    d->cap_lines = nc;
                }
            }
            if (line && d->n_lines < d->cap_lines)
                d->lines[d->n_lines++] = line;
            else
                free(line);
            pthread_cond_broadcast(&d->cv);
            pthread_mutex_unlock(&d->mu);
            start = i + 1;
        }
        memmove(partial, partial + start, plen - start);
        plen -= start;
    }
    free(partial);
    pthread_mutex_lock(&d->mu);
    d->eof = true;
    pthread_cond_broadcast(&d->cv);
    pthread_mutex_unlock(&d->mu);
    return NULL;
}

static void free_daemon(dv_daemon *d)
{
    if (d->reader_started)
        pthread_join(d->reader, NULL);
    if (d->out_fd >= 0)
        close(d->out_fd);
    for (size_t i = 0; i < d->n_lines; i++)
        free(d->lines[i]);
    free(d->lines);
    pthread_mutex_destroy(&d->mu);
    pthread_cond_destroy(&d->cv);
    free(d);
}

static bool line_matches(const char *line, const char *key, const char *value, json_t **out)
{
    json_t *j = json_loads(line, 0, NULL);
    if (!j)
        return false;
    const char *v = json_string_value(json_object_get(j, key));
    if (v && strcmp(v, value) == 0) {
        if (out)
            *out = j;
        else
            json_decref(j);
        return true;
    }
    json_decref(j);
    return false;
}

json_t *dv_log_find(dv_daemon *d, const char *key, const char *value, int timeout_ms)
{
    double deadline = dv_now_ms() + timeout_ms;
    size_t seen = 0;
    pthread_mutex_lock(&d->mu);
    for (;;) {
        for (; seen < d->n_lines; seen++) {
            json_t *j = NULL;
            if (line_matches(d->lines[seen], key, value, &j)) {
                pthread_mutex_unlock(&d->mu);
                return j;
            }
        }
        double left = deadline - dv_now_ms();
        if (left <= 0 || d->eof)
            break;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        long add_ns = (long)(left > 50 ? 50 : left) * 1000000L;
        ts.tv_nsec += add_ns;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec += 1;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&d->cv, &d->mu, &ts);
    }
    pthread_mutex_unlock(&d->mu);
    return NULL;
}

size_t dv_log_count(dv_daemon *d, const char *key, const char *value)
{
    size_t n = 0;
    pthread_mutex_lock(&d->mu);
    for (size_t i = 0; i < d->n_lines; i++)
        n += line_matches(d->lines[i], key, value, NULL);
    pthread_mutex_unlock(&d->mu);
    return n;
}

void dv_log_dump(dv_daemon *d)
{
    pthread_mutex_lock(&d->mu);
    fprintf(stderr, "---- daemon %d stdout (%zu lines)\n", (int)d->pid, d->n_lines);
    size_t from = d->n_lines > 40 ? d->n_lines - 40 : 0;
    for (size_t i = from; i < d->n_lines; i++)
        fprintf(stderr, "  %s\n", d->lines[i]);
    pthread_mutex_unlock(&d->mu);
}

int dv_port(const dv_daemon *d) { return d->port; }
pid_t dv_pid(const dv_daemon *d) { return d->pid; }

/* The environment for a child: ours minus DIVERGENCED_*, plus extras. */
static char **child_env(const char *const *extra)
{
    size_t n = 0, m = 0;
    for (char **e = environ; *e; e++)
        n++;
    for (const char *const *e = extra; e && *e; e++)
        m++;
    char **env = calloc(n + m + 1, sizeof *env);
    if (!env)
        return NULL;
    size_t k = 0;
    for (char **e = environ; *e; e++) {
        if (strncmp(*e, "DIVERGENCED_", 12) != 0)
            env[k++] = *e;
    }
    for (const char *const *e = extra; e && *e; e++)
        env[k++] = (char *)(uintptr_t)*e;
    env[k] = NULL;
    return env;
}

void dv_child_init(pid_t parent)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(127);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGPIPE, &dfl, NULL);
    sigaction(SIGTERM, &dfl, NULL);
    sigaction(SIGINT, &dfl, NULL);
    sigaction(SIGHUP, &dfl, NULL);
}

dv_daemon *dv_start(const char *const *extra_args, const char *const *extra_env)
{
    const char *base[] = {dv_bin(), "--bind", "127.0.0.1", "--port", "0", "--log-format",
                          "json"};
    size_t nb = sizeof base / sizeof base[0], ne = 0;
    for (const char *const *a = extra_args; a && *a; a++)
        ne++;
    char **argv = calloc(nb + ne + 1, sizeof *argv);
    char **envp = child_env(extra_env);
    dv_daemon *d = calloc(1, sizeof *d);
    int fds[2] = {-1, -1};
    if (!argv || !envp || !d || pipe2(fds, O_CLOEXEC) != 0) {
        fprintf(stderr, "dv_start: out of resources\n");
        free(argv);
        free(envp);
        free(d);
        return NULL;
    }
    for (size_t i = 0; i < nb; i++)
        argv[i] = (char *)(uintptr_t)base[i];
    for (size_t i = 0; i < ne; i++)
        argv[nb + i] = (char *)(uintptr_t)extra_args[i];
    pthread_mutex_init(&d->mu, NULL);
    pthread_cond_init(&d->cv, NULL);
    d->out_fd = -1;

    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        dv_child_init(parent);
        dup2(fds[1], STDOUT_FILENO);
        execve(argv[0], argv, envp);
        _exit(127);
    }
    close(fds[1]);
    free(argv);
    free(envp);
    if (pid < 0) {
        fprintf(stderr, "dv_start: fork: %s\n", strerror(errno));
        close(fds[0]);
        pthread_mutex_destroy(&d->mu);
        pthread_cond_destroy(&d->cv);
        free(d);
        return NULL;
    }
    d->pid = pid;
    d->out_fd = fds[0];
    registry_add(d);
    if (pthread_create(&d->reader, NULL, reader_main, d) == 0)
        d->reader_started = true;

    json_t *l = dv_log_find(d, "msg", "listening", 10000);
    json_int_t port = l ? json_integer_value(json_object_get(l, "port")) : 0;
    json_decref(l);
    if (port <= 0 || port > 65535) {
        fprintf(stderr, "dv_start: %s did not log {\"msg\":\"listening\",\"port\":N} within 10 s\n",
                dv_bin());
        dv_log_dump(d);
        dv_stop(d, 2000);
        return NULL;
    }
    d->port = (int)port;
    return d;
}

int dv_wait_exit(dv_daemon *d, int timeout_ms)
{
    if (d->exited)
        return d->wait_status;
    double deadline = dv_now_ms() + timeout_ms;
    for (;;) {
        int st = 0;
        pid_t r = waitpid(d->pid, &st, WNOHANG);
        if (r == d->pid) {
            d->exited = true;
            d->wait_status = st;
            registry_remove(d);
            return st;
        }
        if (r < 0 && errno != EINTR)
            return -1;
        if (dv_now_ms() >= deadline)
            return -1;
        dv_sleep_ms(10);
    }
}

int dv_stop(dv_daemon *d, int timeout_ms)
{
    if (!d)
        return -1;
    int st = -1;
    if (!d->exited) {
        kill(d->pid, SIGTERM);
        st = dv_wait_exit(d, timeout_ms);
        if (st == -1) {
            fprintf(stderr, "dv_stop: daemon %d ignored SIGTERM for %d ms; killing it\n",
                    (int)d->pid, timeout_ms);
            kill(d->pid, SIGKILL);
            st = dv_wait_exit(d, 5000);
            st = -1;
        }
    } else {
        st = d->wait_status;
    }
    registry_remove(d);
    free_daemon(d);
    return st;
}

void dv_kill_all(void)
{
    for (size_t i = 0; i < MAX_DAEMONS; i++) {
        dv_daemon *d = g_daemons[i];
        if (!d)
            continue;
        if (!d->exited) {
            kill(d->pid, SIGKILL);
            dv_wait_exit(d, 5000);
        }
        registry_remove(d);
        free_daemon(d);
    }
}

/* ------------------------------------------------------------------ HTTP */
typedef struct growbuf {
    char *p;
    size_t n, cap;
} growbuf;

static bool gb_append(growbuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 4096;
        while (nc < b->n + n + 1)
            nc *= 2;
        char *np = realloc(b->p, nc);
        if (!np)
            return false;
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
    return true;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    return gb_append(ud, data, size * nmemb) ? size * nmemb : 0;
}

static void resp_add_header(dv_resp *r, const char *line, size_t n)
{
    while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == '\n'))
        n--;
    if (n == 0)
        return;
    if (n >= 5 && strncmp(line, "HTTP/", 5) == 0) {
        /* A new status line (after 100 Continue): keep only the final headers. */
        for (size_t i = 0; i < r->n_headers; i++)
            free(r->headers[i]);
        r->n_headers = 0;
        return;
    }
    char **nh = realloc(r->headers, (r->n_headers + 1) * sizeof *nh);
    if (!nh)
        return;
    r->headers = nh;
    r->headers[r->n_headers] = xstrndup(line, n);
    if (r->headers[r->n_headers])
        r->n_headers++;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ud)
{
    resp_add_header(ud, data, size * nmemb);
    return size * nmemb;
}

const char *dv_header(const dv_resp *r, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < r->n_headers; i++) {
        const char *h = r->headers[i];
        if (strncasecmp(h, name, n) == 0 && h[n] == ':') {
            const char *v = h + n + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            return v;
        }
    }
    return NULL;
}

void dv_resp_free(dv_resp *r)
{
    free(r->body);
    free(r->content_type);
    for (size_t i = 0; i < r->n_headers; i++)
        free(r->headers[i]);
    free(r->headers);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

static void finish_resp(dv_resp *out, const char *method, const char *path)
{
    if (!out->body)
        out->body = calloc(1, 1);
    if (out->body_len > 0)
        out->json = json_loadb(out->body, out->body_len, JSON_DECODE_ANY, NULL);
    if (out->status > 0)
        dv_response_log(method, path, out->status, out->content_type, out->body,
                        out->body_len);
}

bool dv_http_stream(const dv_daemon *d, const dv_req *req, long long upload_size,
                    size_t (*read_cb)(char *, size_t, size_t, void *), void *ud,
                    dv_resp *out)
{
    memset(out, 0, sizeof *out);
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(out->error, sizeof out->error, "curl_easy_init failed");
        return false;
    }
    char url[1200];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", d->port, req->path);
    const char *method = req->method ? req->method
                                     : ((req->body || read_cb) ? "POST" : "GET");
    bool has_body = req->body != NULL || read_cb != NULL;
    struct curl_slist *hl = NULL;
    growbuf body = {0};

    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, req->timeout_ms > 0 ? req->timeout_ms : 10000L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, out);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);

    if (read_cb) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
        curl_easy_setopt(c, CURLOPT_READDATA, ud);
        if (upload_size >= 0)
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)upload_size);
        else
            hl = curl_slist_append(hl, "Transfer-Encoding: chunked");
    } else if (req->body) {
        size_t len = req->body_len ? req->body_len : strlen(req->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
    }
    if (strcmp(method, "GET") == 0 && !has_body)
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    else if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    else if (strcmp(method, "POST") != 0)
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);

    bool caller_expect = false;
    for (const char *const *h = req->headers; h && *h; h++) {
        hl = curl_slist_append(hl, *h);
        if (strncasecmp(*h, "Expect:", 7) == 0)
            caller_expect = true;
    }
    if (!caller_expect)
        hl = curl_slist_append(hl, "Expect:");
    if (has_body) {
        char ct[512];
        if (!req->content_type)
            snprintf(ct, sizeof ct, "Content-Type: application/json");
        else if (!*req->content_type)
            snprintf(ct, sizeof ct, "Content-Type:");
        else
            snprintf(ct, sizeof ct, "Content-Type: %s", req->content_type);
        hl = curl_slist_append(hl, ct);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);

    double t0 = dv_now_ms();
    CURLcode rc = curl_easy_perform(c);
    out->seconds = (dv_now_ms() - t0) / 1e3;
    if (rc != CURLE_OK) {
        snprintf(out->error, sizeof out->error, "%s", curl_easy_strerror(rc));
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    out->status = rc == CURLE_OK ? status : (status > 0 ? status : 0);
    char *ctype = NULL;
    curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ctype);
    if (ctype)
        out->content_type = xstrndup(ctype, strlen(ctype));
    out->body = body.p;
    out->body_len = body.n;
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    finish_resp(out, method, req->path);
    return out->status > 0;
}

bool dv_http(const dv_daemon *d, const dv_req *req, dv_resp *out)
{
    return dv_http_stream(d, req, -1, NULL, NULL, out);
}

bool dv_post(const dv_daemon *d, const char *path, const char *json_text, dv_resp *out)
{
    dv_req r = {.path = path, .body = json_text};
    return dv_http(d, &r, out);
}

bool dv_get(const dv_daemon *d, const char *path, dv_resp *out)
{
    dv_req r = {.method = "GET", .path = path};
    return dv_http(d, &r, out);
}

bool dv_parse_raw_response(const char *method, const char *path, const char *raw,
                           size_t len, dv_resp *out)
{
    memset(out, 0, sizeof *out);
    const char *end = NULL;
    for (size_t i = 0; i + 3 < len; i++) {
        if (memcmp(raw + i, "\r\n\r\n", 4) == 0) {
            end = raw + i;
            break;
        }
    }
    if (len < 12 || strncmp(raw, "HTTP/1.", 7) != 0 || !end) {
        snprintf(out->error, sizeof out->error, "no complete HTTP response (%zu bytes)", len);
        return false;
    }
    out->status = strtol(raw + 9, NULL, 10);
    const char *line = raw;
    while (line < end) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        const char *le = nl ? nl : end;
        resp_add_header(out, line, (size_t)(le - line));
        line = le + 1;
    }
    const char *ct = dv_header(out, "Content-Type");
    if (ct)
        out->content_type = xstrndup(ct, strlen(ct));
    const char *b = end + 4;
    size_t blen = len - (size_t)(b - raw);
    const char *cl = dv_header(out, "Content-Length");
    if (cl) {
        size_t want = (size_t)strtoull(cl, NULL, 10);
        if (want < blen)
            blen = want;
    }
    out->body = xstrndup(b, blen);
    out->body_len = blen;
    finish_resp(out, method, path);
    return out->status > 0;
}

/* ------------------------------------------------------------------ problems */
static const struct {
    const char *code;
    const char *title;
} k_titles[] = {
    {"malformed_json", "Malformed JSON"},
    {"unauthorized", "Unauthorized"},
    {"not_found", "Not Found"},
    {"method_not_allowed", "Method Not Allowed"},
    {"payload_too_large", "Payload Too Large"},
    {"unsupported_media_type", "Unsupported Media Type"},
    {"invalid_input", "Invalid Input"},
    {"unknown_member", "Invalid Input"},
    {"missing_member", "Invalid Input"},
    {"wrong_type", "Invalid Input"},
    {"empty", "Invalid Input"},
    {"negative_value", "Invalid Input"},
    {"non_finite", "Invalid Input"},
    {"not_normalized", "Invalid Input"},
    {"zero_total", "Invalid Input"},
    {"shape_mismatch", "Invalid Input"},
    {"invalid_parameter", "Invalid Input"},
    {"not_positive", "Invalid Input"},
    {"not_symmetric", "Invalid Input"},
    {"not_positive_definite", "Invalid Input"},
    {"unavailable", "Service Unavailable"},
    {"out_of_memory", "Out Of Memory"},
    {"unknown_measure", "Invalid Input"},
    {"unknown_family", "Invalid Input"},
    {"unsupported_pair", "Invalid Input"},
    {"bad_array", "Invalid Input"},
    {"request_timeout", "Request Timeout"},
};

static bool media_type_is(const char *ct, const char *want)
{
    if (!ct)
        return false;
    size_t n = strlen(want);
    if (strncasecmp(ct, want, n) != 0)
        return false;
    return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ';
}

const char *dv_check_problem(const dv_resp *r, long status, const char *code, char *buf,
                             size_t cap)
{
    if (r->status != status) {
        snprintf(buf, cap, "status %ld, want %ld (body: %.300s)", r->status, status,
                 r->body ? r->body : "");
        return buf;
    }
    if (!media_type_is(r->content_type, "application/problem+json")) {
        snprintf(buf, cap, "Content-Type %s, want application/problem+json",
                 r->content_type ? r->content_type : "(none)");
        return buf;
    }
    if (!json_is_object(r->json)) {
        snprintf(buf, cap, "body is not a JSON object: %.300s", r->body);
        return buf;
    }
    const char *key;
    json_t *val;
    json_object_foreach(r->json, key, val) {
        static const char *const allowed[] = {"type", "title", "status", "detail", "code",
                                              "pointer"};
        bool ok = false;
        for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
            ok = ok || strcmp(key, allowed[i]) == 0;
        if (!ok) {
            snprintf(buf, cap, "unexpected problem member \"%s\"", key);
            return buf;
        }
    }
    const char *got_code = json_string_value(json_object_get(r->json, "code"));
    if (!got_code || strcmp(got_code, code) != 0) {
        snprintf(buf, cap, "code %s, want %s (detail: %s)", got_code ? got_code : "(none)",
                 code, json_string_value(json_object_get(r->json, "detail")));
        return buf;
    }
    json_t *st = json_object_get(r->json, "status");
    if (!json_is_integer(st) || json_integer_value(st) != status) {
        snprintf(buf, cap, "problem \"status\" member does not equal %ld", status);
        return buf;
    }
    char want_type[128];
    snprintf(want_type, sizeof want_type, "urn:divergenced:problem:%s", code);
    const char *type = json_string_value(json_object_get(r->json, "type"));
    if (!type || strcmp(type, want_type) != 0) {
        snprintf(buf, cap, "type %s, want %s", type ? type : "(none)", want_type);
        return buf;
    }
    const char *title = json_string_value(json_object_get(r->json, "title"));
    for (size_t i = 0; i < sizeof k_titles / sizeof k_titles[0]; i++) {
        if (strcmp(k_titles[i].code, code) == 0 &&
            (!title || strcmp(title, k_titles[i].title) != 0)) {
            snprintf(buf, cap, "title \"%s\", want \"%s\"", title ? title : "(none)",
                     k_titles[i].title);
            return buf;
        }
    }
    const char *detail = json_string_value(json_object_get(r->json, "detail"));
    if (!detail || !*detail) {
        snprintf(buf, cap, "problem has no detail sentence");
        return buf;
    }
    json_t *ptr = json_object_get(r->json, "pointer");
    if (ptr && (!json_is_string(ptr) ||
                (json_string_length(ptr) > 0 && json_string_value(ptr)[0] != '/'))) {
        snprintf(buf, cap, "pointer is not an RFC 6901 JSON Pointer");
        return buf;
    }
    if (!dv_header(r, "Access-Control-Allow-Origin")) {
        snprintf(buf, cap, "error response without Access-Control-Allow-Origin");
        return buf;
    }
    if (!dv_header(r, "X-Request-Id")) {
        snprintf(buf, cap, "error response without X-Request-Id");
        return buf;
    }
    return NULL;
}

bool dv_header_has_token(const char *value, const char *token)
{
    size_t n = strlen(token);
    for (const char *s = value; s && *s;) {
        while (*s == ' ' || *s == ',')
            s++;
        size_t len = strcspn(s, ", ");
        if (len == n && strncasecmp(s, token, n) == 0)
            return true;
        s += len;
    }
    return false;
}

int dv_start_default_and_limits(dv_daemon **def, dv_daemon **limits)
{
    static const char *const small[] = {"--max-body", "4096", "--max-elements", "100", NULL};
    *def = dv_start(NULL, NULL);
    *limits = dv_start(small, NULL);
    return *def && *limits ? 0 : -1;
}

int dv_stop_pair(dv_daemon **a, dv_daemon **b)
{
    int ra = dv_stop(*a, 15000), rb = dv_stop(*b, 15000);
    *a = *b = NULL;
    return ra == 0 && rb == 0 ? 0 : -1;
}
