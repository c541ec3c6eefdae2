/*
 * test_lifecycle.c — the process as an operator sees it: --help, --version, bad flags,
 * environment twins of flags, the "listening" line, SIGTERM/SIGINT, and the drain: a
 * large request in flight when SIGTERM arrives still completes with 200, /readyz turns
 * 503, and the exit status is 0.
 *
 * Each test starts its own daemon; the per-test teardown kills whatever a failed test
 * left running.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "harness.h"

extern char **environ;

static int kill_strays(void **state)
{
    (void)state;
    dv_kill_all();
    return 0;
}

static char *version_string(void)
{
    char *v = dv_read_file(getenv("DV_VERSION_FILE") ? getenv("DV_VERSION_FILE") : "VERSION",
                           NULL);
    if (v)
        v[strcspn(v, " \r\n")] = '\0';
    return v;
}

/* ------------------------------------------------------------------ CLI runs */
typedef struct cli_result {
    char out[16384], err[16384];
    int status;     /* wait status; -1 when it had to be killed */
} cli_result;

/* Run the binary with args (NULL-terminated), capture stdout and stderr, give it
 * timeout_ms to exit. The safe --bind/--port go first so that a binary that ignored a bad
 * flag and started serving stays on a loopback ephemeral port until it is killed. */
static void run_cli(const char *const *args, int timeout_ms, cli_result *res)
{
    memset(res, 0, sizeof *res);
    const char *argv[32] = {dv_bin(), "--bind", "127.0.0.1", "--port", "0"};
    size_t n = 5;
    for (const char *const *a = args; *a && n < 31; a++)
        argv[n++] = *a;
    argv[n] = NULL;
    int po[2], pe[2];
    if (pipe2(po, O_CLOEXEC) != 0 || pipe2(pe, O_CLOEXEC) != 0)
        fail_msg("pipe: %s", strerror(errno));
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        dv_child_init(parent);
        dup2(po[1], STDOUT_FILENO);
        dup2(pe[1], STDERR_FILENO);
        execv(argv[0], (char *const *)(uintptr_t)argv);
        _exit(127);
    }
    close(po[1]);
    close(pe[1]);
    size_t no = 0, ne = 0;
    bool open_o = true, open_e = true;
    double deadline = dv_now_ms() + timeout_ms;
    bool killed = false;
    while ((open_o || open_e) && !killed) {
        double left = deadline - dv_now_ms();
        if (left <= 0) {
            kill(pid, SIGKILL);
            killed = true;
            break;
        }
        struct pollfd p[2] = {{.fd = open_o ? po[0] : -1, .events = POLLIN},
                              {.fd = open_e ? pe[0] : -1, .events = POLLIN}};
        if (poll(p, 2, (int)left) <= 0)
            continue;
        if (p[0].revents) {
            ssize_t k = read(po[0], res->out + no, sizeof res->out - 1 - no);
            if (k <= 0 || no + (size_t)k >= sizeof res->out - 1)
                open_o = false;
            if (k > 0)
                no += (size_t)k;
        }
        if (p[1].revents) {
            ssize_t k = read(pe[0], res->err + ne, sizeof res->err - 1 - ne);
            if (k <= 0 || ne + (size_t)k >= sizeof res->err - 1)
                open_e = false;
            if (k > 0)
                ne += (size_t)k;
        }
    }
    close(po[0]);
    close(pe[0]);
    int st = 0;
    if (!killed) {
        /* Output closed; give it the rest of the time to exit. */
        while (waitpid(pid, &st, WNOHANG) == 0) {
            if (dv_now_ms() > deadline) {
                kill(pid, SIGKILL);
                killed = true;
                break;
            }
            dv_sleep_ms(10);
        }
    }
    if (killed)
        waitpid(pid, &st, 0);
    res->status = killed ? -1 : st;
}

static void t_help(void **state)
{
    (void)state;
    static cli_result r;
    const char *args[] = {"--help", NULL};
    run_cli(args, 5000, &r);
    if (r.status == -1 || !WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0)
        fail_msg("--help did not exit 0 (wait status %d)", r.status);
    const char *flags[] = {"--bind", "--port", "--threads", "--max-body", "--max-elements",
                           "--cors-origin", "--api-key-file", "--shutdown-grace",
                           "--log-format", "--version"};
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        if (!strstr(r.out, flags[i]))
            fail_msg("--help output on stdout does not mention %s:\n%s", flags[i], r.out);
    }
}

static void t_version(void **state)
{
    (void)state;
    static cli_result r;
    const char *args[] = {"--version", NULL};
    run_cli(args, 5000, &r);
    char *v = version_string();
    if (r.status == -1 || !WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0)
        fail_msg("--version did not exit 0 (wait status %d)", r.status);
    bool ok = v && strstr(r.out, v);
    if (!ok)
        fail_msg("--version printed \"%s\", want it to contain \"%s\"", r.out, v ? v : "?");
    free(v);
}

static void t_bad_flags(void **state)
{
    (void)state;
    static const char *const bad[][3] = {
        {"--no-such-flag", NULL, NULL},
        {"--port", "not-a-port", NULL},
        {"--port", "70000", NULL},
        {"--log-format", "xml", NULL},
        {"--max-body", "lots", NULL},
        {"--threads", "many", NULL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        static cli_result r;
        run_cli(bad[i], 3000, &r);
        char what[128];
        snprintf(what, sizeof what, "%s %s", bad[i][0], bad[i][1] ? bad[i][1] : "");
        if (r.status == -1)
            fail_msg("`divergenced %s` did not exit within 3 s (it should refuse the flag)",
                     what);
        if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) == 0)
            fail_msg("`divergenced %s` exited with wait status %d, want a non-zero exit",
                     what, r.status);
        if (strlen(r.err) == 0)
            fail_msg("`divergenced %s` printed no message on stderr", what);
        if (i == 0 && !strstr(r.err, "no-such-flag"))
            fail_msg("the message for an unknown flag does not name it: %s", r.err);
    }
}

/* --healthcheck (for the container HEALTHCHECK): exit 0 when /healthz on --port is 200. */
static void t_healthcheck_flag(void **state)
{
    (void)state;
    dv_daemon *d = dv_start(NULL, NULL);
    if (!d)
        fail_msg("daemon did not start");
    char port[16];
    snprintf(port, sizeof port, "%d", dv_port(d));
    const char *args[] = {"--port", port, "--healthcheck", NULL};
    static cli_result up, down;
    run_cli(args, 5000, &up);
    dv_stop(d, 10000);
    run_cli(args, 5000, &down); /* nothing listens there any more */
    if (up.status == -1 || !WIFEXITED(up.status) || WEXITSTATUS(up.status) != 0)
        fail_msg("--healthcheck against a running daemon: wait status %d, want exit 0 (%s)",
                 up.status, up.err);
    if (down.status == -1 || !WIFEXITED(down.status) || WEXITSTATUS(down.status) == 0)
        fail_msg("--healthcheck with nothing listening: wait status %d, want a non-zero exit",
                 down.status);
}

/* ------------------------------------------------------------------ startup */
static void t_listening_line(void **state)
{
    (void)state;
    const char *args[] = {"--threads", "3", NULL};
    dv_daemon *d = dv_start(args, NULL);
    if (!d)
        fail_msg("daemon did not start");
    json_t *l = dv_log_find(d, "msg", "listening", 1000);
    char *v = version_string();
    const char *bind = json_string_value(json_object_get(l, "bind"));
    const char *ver = json_string_value(json_object_get(l, "version"));
    json_int_t threads = json_integer_value(json_object_get(l, "threads"));
    bool ok = l && bind && strcmp(bind, "127.0.0.1") == 0 && ver && v && strcmp(ver, v) == 0 &&
              threads == 3 && json_is_string(json_object_get(l, "time")) &&
              json_is_string(json_object_get(l, "level"));
    char *s = l ? json_dumps(l, JSON_COMPACT) : NULL;
    char line[512];
    snprintf(line, sizeof line, "%s", s ? s : "(none)");
    free(s);
    free(v);
    json_decref(l);
    int st = dv_stop(d, 10000);
    if (!ok)
        fail_msg("listening line %s: want time, level, bind 127.0.0.1, the port, version from "
                 "VERSION, threads 3", line);
    if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fail_msg("exit status after SIGTERM: wait status %d, want exit 0", st);
}

static void t_environment_twins(void **state)
{
    (void)state;
    /* DIVERGENCED_CORS_ORIGIN alone, then overridden by the flag. */
    const char *env[] = {"DIVERGENCED_CORS_ORIGIN=https://env.example", "DIVERGENCED_MAX_BODY=1k",
                         NULL};
    dv_daemon *d = dv_start(NULL, env);
    if (!d)
        fail_msg("daemon with DIVERGENCED_* did not start");
    dv_resp r;
    dv_get(d, "/healthz", &r);
    const char *o = dv_header(&r, "Access-Control-Allow-Origin");
    bool env_ok = o && strcmp(o, "https://env.example") == 0;
    dv_resp_free(&r);
    char big[2048];
    memset(big, ' ', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    memcpy(big, "{\"p\": [1]", 9);
    big[sizeof big - 2] = '}';
    dv_post(d, "/entropy", big, &r);
    long st_big = r.status;
    dv_resp_free(&r);
    dv_stop(d, 10000);
    if (!env_ok)
        fail_msg("DIVERGENCED_CORS_ORIGIN=https://env.example: Access-Control-Allow-Origin is "
                 "\"%s\"", o ? o : "(absent)");
    if (st_big != 413)
        fail_msg("DIVERGENCED_MAX_BODY=1k: a 2 KiB body got %ld, want 413", st_big);

    const char *flag[] = {"--cors-origin", "https://flag.example", NULL};
    d = dv_start(flag, env);
    if (!d)
        fail_msg("daemon with flag + env did not start");
    dv_get(d, "/healthz", &r);
    o = dv_header(&r, "Access-Control-Allow-Origin");
    bool flag_ok = o && strcmp(o, "https://flag.example") == 0;
    char got[256];
    snprintf(got, sizeof got, "%s", o ? o : "(absent)");
    dv_resp_free(&r);
    dv_stop(d, 10000);
    if (!flag_ok)
        fail_msg("flag and environment both set: Access-Control-Allow-Origin is \"%s\", want "
                 "the flag's https://flag.example", got);
}

/* ------------------------------------------------------------------ signals */
static void signal_idle(int sig, const char *name)
{
    dv_daemon *d = dv_start(NULL, NULL);
    if (!d)
        fail_msg("daemon did not start");
    dv_resp r;
    dv_get(d, "/readyz", &r);
    long ready = r.status;
    dv_resp_free(&r);
    double t0 = dv_now_ms();
    kill(dv_pid(d), sig);
    int st = dv_wait_exit(d, 10000);
    double ms = dv_now_ms() - t0;
    json_t *drain = dv_log_find(d, "msg", "draining", 500);
    json_t *stop = dv_log_find(d, "msg", "stopped", 500);
    bool logs = drain && stop;
    json_decref(drain);
    json_decref(stop);
    if (st == -1)
        dv_log_dump(d);
    dv_stop(d, 5000);
    if (ready != 200)
        fail_msg("/readyz before %s: %ld, want 200", name, ready);
    if (st == -1)
        fail_msg("idle daemon did not exit within 10 s of %s", name);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fail_msg("after %s: wait status %d, want exit 0", name, st);
    if (ms > 5000)
        fail_msg("an idle daemon took %.0f ms to exit after %s", ms, name);
    if (!logs)
        fail_msg("after %s the log lacks the \"draining\" and \"stopped\" lines", name);
}

static void t_sigterm_idle(void **state)
{
    (void)state;
    signal_idle(SIGTERM, "SIGTERM");
}

static void t_sigint_idle(void **state)
{
    (void)state;
    signal_idle(SIGINT, "SIGINT");
}

/* ------------------------------------------------------------------ drain */
typedef struct slow_body {
    const char *data;
    size_t len, off, pause_at;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool paused, go;
} slow_body;

/* curl read callback: send pause_at bytes, announce it and wait for `go`, then the rest
 * in 64 KiB pieces with a short sleep between them (a slow client). */
static size_t slow_read(char *buf, size_t size, size_t nmemb, void *ud)
{
    slow_body *s = ud;
    size_t n = size * nmemb;
    if (s->off >= s->pause_at) {
        pthread_mutex_lock(&s->mu);
        s->paused = true;
        pthread_cond_broadcast(&s->cv);
        double deadline = dv_now_ms() + 20000;
        while (!s->go && dv_now_ms() < deadline) {
            pthread_mutex_unlock(&s->mu);
            dv_sleep_ms(5);
            pthread_mutex_lock(&s->mu);
        }
        pthread_mutex_unlock(&s->mu);
        dv_sleep_ms(3);
    }
    size_t cap = s->off < s->pause_at ? s->pause_at - s->off : 65536;
    if (n > cap)
        n = cap;
    if (n > s->len - s->off)
        n = s->len - s->off;
    memcpy(buf, s->data + s->off, n);
    s->off += n;
    return n;
}

typedef struct upload {
    const dv_daemon *d;
    slow_body body;
    dv_resp resp;
    pthread_t th;
} upload;

static void *upload_main(void *arg)
{
    upload *u = arg;
    const char *hs[] = {"X-Request-Id: drain-big-request", NULL};
    dv_req req = {.path = "/kl", .headers = hs, .timeout_ms = 60000};
    dv_http_stream(u->d, &req, (long long)u->body.len, slow_read, &u->body, &u->resp);
    return NULL;
}

/* POSTs data[0..len) to /kl on its own thread; returns once the first pause_at bytes are
 * sent and the upload waits for upload_finish (or after 10 s). */
static upload *upload_start(const dv_daemon *d, const char *data, size_t len, size_t pause_at)
{
    upload *u = calloc(1, sizeof *u);
    if (!u)
        fail_msg("out of memory");
    u->d = d;
    u->body.data = data;
    u->body.len = len;
    u->body.pause_at = pause_at;
    pthread_mutex_init(&u->body.mu, NULL);
    pthread_cond_init(&u->body.cv, NULL);
    pthread_create(&u->th, NULL, upload_main, u);
    double wait_until = dv_now_ms() + 10000;
    bool paused = false;
    while (!paused && dv_now_ms() < wait_until) {
        pthread_mutex_lock(&u->body.mu);
        paused = u->body.paused;
        pthread_mutex_unlock(&u->body.mu);
        dv_sleep_ms(5);
    }
    return u;
}

/* Lets a paused upload send the rest and waits for its response (in u->resp). */
static void upload_finish(upload *u)
{
    pthread_mutex_lock(&u->body.mu);
    u->body.go = true;
    pthread_mutex_unlock(&u->body.mu);
    pthread_join(u->th, NULL);
}

static void upload_free(upload *u)
{
    dv_resp_free(&u->resp);
    pthread_mutex_destroy(&u->body.mu);
    pthread_cond_destroy(&u->body.cv);
    free(u);
}

typedef struct small_buf {
    char data[4096];
    size_t n;
} small_buf;

static size_t sink(char *p, size_t size, size_t nmemb, void *ud)
{
    small_buf *b = ud;
    size_t n = size * nmemb;
    size_t room = sizeof b->data - 1 - b->n;
    size_t k = n < room ? n : room;
    memcpy(b->data + b->n, p, k);
    b->n += k;
    b->data[b->n] = '\0';
    return n;
}

/* GET on a curl handle that keeps its connection; returns the status (0: no response). */
static long keepalive_get(CURL *c, int port, const char *path, int *new_conns)
{
    char url[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 3000L);
    small_buf body = {.n = 0};
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    long nc = 0;
    curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &nc);
    *new_conns = (int)nc;
    char *ct = NULL;
    curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
    if (status > 0)
        dv_response_log("GET", path, status, ct, body.data, body.n);
    return status;
}

static void t_drain_in_flight_request(void **state)
{
    (void)state;
    /* The body: the million-category case of the reference table. */
    json_t *root = NULL;
    json_t *cases = dv_load_table("http_cases.json", "cases", &root);
    json_t *kase = NULL;
    size_t i;
    json_t *c;
    json_array_foreach(cases, i, c) {
        if (strcmp(json_string_value(json_object_get(c, "name")), "kl/large-1e6-normalize") == 0)
            kase = c;
    }
    if (!kase)
        fail_msg("http_cases.json has no kl/large-1e6-normalize case");
    size_t len = 0;
    char *body = dv_case_body(kase, &len);

    const char *args[] = {"--shutdown-grace", "30", NULL};
    dv_daemon *d = dv_start(args, NULL);
    if (!d)
        fail_msg("daemon did not start");
    CURL *ka = curl_easy_init();
    int conns = 0;
    long st_before = keepalive_get(ka, dv_port(d), "/readyz", &conns);

    upload *u = upload_start(d, body, len, len / 8);
    dv_sleep_ms(150); /* let the first eighth reach the daemon */

    double t_term = dv_now_ms();
    kill(dv_pid(d), SIGTERM);
    json_t *draining = dv_log_find(d, "msg", "draining", 3000);
    /* /readyz over the connection opened before the signal: 503 if it is still served. */
    long st_ready = keepalive_get(ka, dv_port(d), "/readyz", &conns);
    int ready_new_conns = conns;
    curl_easy_cleanup(ka);
    /* A new connection must not be served as if nothing happened. */
    CURL *fresh = curl_easy_init();
    long st_fresh = keepalive_get(fresh, dv_port(d), "/readyz", &conns);
    curl_easy_cleanup(fresh);

    upload_finish(u);
    double t_done = dv_now_ms();
    int st = dv_wait_exit(d, 35000);
    double t_exit = dv_now_ms();
    json_t *stopped = dv_log_find(d, "msg", "stopped", 1000);
    json_t *logged = dv_log_find(d, "request_id", "drain-big-request", 1000);

    char msg[4096];
    const char *bad = dv_case_check(kase, &u->resp, msg, sizeof msg);
    long big_status = u->resp.status;
    json_int_t logged_status = json_integer_value(json_object_get(logged, "status"));
    bool have_draining = draining != NULL, have_stopped = stopped != NULL;
    json_decref(draining);
    json_decref(stopped);
    json_decref(logged);
    upload_free(u);
    free(body);
    json_decref(root);
    if (st == -1)
        dv_log_dump(d);
    dv_stop(d, 5000);

    fprintf(stderr, "    drain: %zu-byte /kl, SIGTERM after 1/8 sent; /readyz on the old "
            "connection %ld (%d new connection(s)), on a new one %ld; request %ld after "
            "%.0f ms, exit after %.0f ms\n", len, st_ready, ready_new_conns, st_fresh,
            big_status, t_done - t_term, t_exit - t_term);
    if (st_before != 200)
        fail_msg("/readyz before SIGTERM: %ld, want 200", st_before);
    if (bad)
        fail_msg("the in-flight request did not complete correctly: %s", bad);
    if (st == -1)
        fail_msg("the daemon did not exit within 35 s of SIGTERM (grace 30 s)");
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fail_msg("exit after draining: wait status %d, want exit 0", st);
    if (st_ready == 200 || st_fresh == 200)
        fail_msg("/readyz answered 200 after SIGTERM (old connection %ld, new %ld); want 503 "
                 "or no new connections", st_ready, st_fresh);
    if (st_ready != 0 && st_ready != 503)
        fail_msg("/readyz during drain: %ld, want 503", st_ready);
    if (!have_draining || !have_stopped)
        fail_msg("log lacks \"draining\" (%d) or \"stopped\" (%d)", have_draining, have_stopped);
    if (logged_status != 200)
        fail_msg("the drained request's log line has status %lld, want 200",
                 (long long)logged_status);
}

/* A request that never finishes must not keep the daemon past --shutdown-grace. */
static void t_drain_grace_expires(void **state)
{
    (void)state;
    static const char body[] = "{\"p\": [0.25, 0.25, 0.25, 0.25], \"q\": [0.5, 0.5, 0, 0]}"
                               "                                                        ";
    const char *args[] = {"--shutdown-grace", "1", NULL};
    dv_daemon *d = dv_start(args, NULL);
    if (!d)
        fail_msg("daemon did not start");
    upload *u = upload_start(d, body, sizeof body - 1, 20); /* then stall until released */
    dv_sleep_ms(100);
    double t0 = dv_now_ms();
    kill(dv_pid(d), SIGTERM);
    int st = dv_wait_exit(d, 8000);
    double ms = dv_now_ms() - t0;
    upload_finish(u);
    upload_free(u);
    if (st == -1)
        dv_log_dump(d);
    dv_stop(d, 5000);
    if (st == -1)
        fail_msg("with --shutdown-grace 1 and a stalled upload the daemon was still running "
                 "8 s after SIGTERM");
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fail_msg("exit after the grace period: wait status %d, want exit 0", st);
    if (ms < 800)
        fail_msg("the daemon exited %.0f ms after SIGTERM with a request in flight; it should "
                 "have waited for the 1 s grace period", ms);
    if (ms > 4000)
        fail_msg("the daemon took %.0f ms to exit with --shutdown-grace 1", ms);
}

int dv_run_lifecycle_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(t_help, kill_strays),
        cmocka_unit_test_teardown(t_version, kill_strays),
        cmocka_unit_test_teardown(t_bad_flags, kill_strays),
        cmocka_unit_test_teardown(t_healthcheck_flag, kill_strays),
        cmocka_unit_test_teardown(t_listening_line, kill_strays),
        cmocka_unit_test_teardown(t_environment_twins, kill_strays),
        cmocka_unit_test_teardown(t_sigterm_idle, kill_strays),
        cmocka_unit_test_teardown(t_sigint_idle, kill_strays),
        cmocka_unit_test_teardown(t_drain_in_flight_request, kill_strays),
        cmocka_unit_test_teardown(t_drain_grace_expires, kill_strays),
    };
    return cmocka_run_group_tests_name("lifecycle: flags, environment, signals, drain", tests,
                                       NULL, NULL);
}
