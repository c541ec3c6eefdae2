/*
 * test_protocol.c — what every response carries and how the service guards itself:
 * CORS (default and --cors-origin, preflight), request ids, one JSON log line per request,
 * /healthz, /readyz, /openapi.yaml, unknown routes in /metrics, API-key auth on and off,
 * and the body limit enforced before the body is read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"

static dv_daemon *g_default;
static dv_daemon *g_cors;   /* --cors-origin https://dash.example.com */
static dv_daemon *g_auth;   /* --api-key-file <tmp> */
static dv_daemon *g_limits; /* --max-body 4096 --max-elements 100 */
static char g_key_path[64];

#define API_KEY "s3cr3t-K3y.0123456789"
#define DASH_ORIGIN "https://dash.example.com"
#define KL_BODY "{\"p\": [0.4, 0.4, 0.2], \"q\": [0.5, 0.1, 0.4]}"
#define KL_VALUE 0.32663088781028327

static const struct route {
    const char *path;
    const char *method;
} k_routes[] = {
    {"/entropy", "POST"}, {"/kl", "POST"},       {"/cross-entropy", "POST"},
    {"/gaussian-kl", "POST"}, {"/batch/categorical-kl", "POST"}, {"/js", "POST"},
    {"/healthz", "GET"},  {"/readyz", "GET"},    {"/openapi.yaml", "GET"},
};

static int group_setup(void **state)
{
    (void)state;
    snprintf(g_key_path, sizeof g_key_path, "/tmp/dv-it-key-XXXXXX");
    int fd = mkstemp(g_key_path);
    if (fd < 0)
        return -1;
    /* Trailing whitespace and the newline are not part of the key. */
    static const char content[] = API_KEY " \n";
    if (write(fd, content, sizeof content - 1) != (ssize_t)(sizeof content - 1)) {
        close(fd);
        return -1;
    }
    close(fd);
    const char *cors[] = {"--cors-origin", DASH_ORIGIN, NULL};
    const char *auth[] = {"--api-key-file", g_key_path, NULL};
    const char *limits[] = {"--max-body", "4096", "--max-elements", "100", NULL};
    g_default = dv_start(NULL, NULL);
    g_cors = dv_start(cors, NULL);
    g_auth = dv_start(auth, NULL);
    g_limits = dv_start(limits, NULL);
    return g_default && g_cors && g_auth && g_limits ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    int rc = 0;
    dv_daemon **all[] = {&g_default, &g_cors, &g_auth, &g_limits};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        if (*all[i] && dv_stop(*all[i], 15000) != 0)
            rc = -1;
        *all[i] = NULL;
    }
    unlink(g_key_path);
    return rc;
}

/* ------------------------------------------------------------------ helpers */
static void expect_header(const dv_resp *r, const char *name, const char *want,
                          const char *what)
{
    const char *got = dv_header(r, name);
    if (!got || strcmp(got, want) != 0)
        fail_msg("%s: %s is \"%s\", want \"%s\" (status %ld)", what, name,
                 got ? got : "(absent)", want, r->status);
}

static void expect_status(const dv_resp *r, long want, const char *what)
{
    if (r->status != want)
        fail_msg("%s: status %ld, want %ld; %s%.300s", what, r->status, want, r->error,
                 r->body ? r->body : "");
}

static void expect_problem(const dv_resp *r, long status, const char *code, const char *what)
{
    char msg[1024];
    const char *bad = dv_check_problem(r, status, code, msg, sizeof msg);
    if (bad)
        fail_msg("%s: %s", what, bad);
}

static void expect_kl_ok(const dv_resp *r, const char *what)
{
    expect_status(r, 200, what);
    json_t *kl = json_object_get(r->json, "kl");
    double v = json_number_value(kl);
    if (!json_is_number(kl) || v < KL_VALUE * (1 - 1e-12) || v > KL_VALUE * (1 + 1e-12))
        fail_msg("%s: kl is not %.17g: %.200s", what, KL_VALUE, r->body);
}

static const char *str_or(const json_t *j)
{
    const char *s = json_string_value(j);
    return s ? s : "";
}

static bool is_hex_id(const char *s)
{
    if (!s || strlen(s) != 32)
        return false;
    for (const char *p = s; *p; p++) {
        if (!isxdigit((unsigned char)*p))
            return false;
    }
    return true;
}


/* A request that sends X-Request-Id: id (NULL: none). */
static void post_with_id(const dv_daemon *d, const char *path, const char *body,
                         const char *id, dv_resp *r)
{
    char h[512];
    snprintf(h, sizeof h, "X-Request-Id: %s", id ? id : "");
    const char *hs[] = {h, NULL};
    dv_req req = {.path = path, .body = body, .headers = id ? hs : NULL};
    dv_http(d, &req, r);
}

/* ------------------------------------------------------------------ CORS */
static void t_cors_on_every_response(void **state)
{
    (void)state;
    const struct {
        const char *method, *path, *body, *ctype;
        long status;
    } reqs[] = {
        {"POST", "/kl", KL_BODY, NULL, 200},
        {"GET", "/healthz", NULL, NULL, 200},
        {"GET", "/readyz", NULL, NULL, 200},
        {"GET", "/openapi.yaml", NULL, NULL, 200},
        {"GET", "/nope", NULL, NULL, 404},
        {"GET", "/kl", NULL, NULL, 405},
        {"POST", "/kl", KL_BODY, "text/plain", 415},
        {"POST", "/kl", "{", NULL, 400},
        {"POST", "/kl", "{}", NULL, 422},
    };
    for (size_t i = 0; i < sizeof reqs / sizeof reqs[0]; i++) {
        const char *origin[] = {"Origin: https://elsewhere.example", NULL};
        dv_req req = {.method = reqs[i].method, .path = reqs[i].path, .body = reqs[i].body,
                      .content_type = reqs[i].ctype, .headers = origin};
        dv_resp r;
        dv_http(g_default, &req, &r);
        char what[128];
        snprintf(what, sizeof what, "%s %s", reqs[i].method, reqs[i].path);
        expect_status(&r, reqs[i].status, what);
        expect_header(&r, "Access-Control-Allow-Origin", "*", what);
        dv_resp_free(&r);
    }
}

static void preflight(const dv_daemon *d, const char *path, const char *origin, dv_resp *r)
{
    char o[256];
    snprintf(o, sizeof o, "Origin: %s", origin);
    const char *hs[] = {o, "Access-Control-Request-Method: POST",
                        "Access-Control-Request-Headers: content-type, authorization, x-request-id",
                        NULL};
    dv_req req = {.method = "OPTIONS", .path = path, .headers = hs};
    dv_http(d, &req, r);
}

static void expect_preflight(const dv_resp *r, const char *origin, const char *what)
{
    expect_status(r, 204, what);
    expect_header(r, "Access-Control-Allow-Origin", origin, what);
    expect_header(r, "Access-Control-Allow-Methods", "GET, POST, OPTIONS", what);
    expect_header(r, "Access-Control-Allow-Headers", "Content-Type, Authorization, X-Request-Id",
                  what);
    expect_header(r, "Access-Control-Max-Age", "86400", what);
    if (r->body_len != 0)
        fail_msg("%s: a 204 preflight has a body of %zu bytes", what, r->body_len);
}

static void t_preflight_every_route(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof k_routes / sizeof k_routes[0]; i++) {
        dv_resp r;
        preflight(g_default, k_routes[i].path, "https://dash.example.org", &r);
        char what[128];
        snprintf(what, sizeof what, "OPTIONS %s", k_routes[i].path);
        expect_preflight(&r, "*", what);
        dv_resp_free(&r);
    }
}

/* HEAD on every GET route: the GET's status and content type, no body (SPEC §3.2). */
static void t_head_every_get_route(void **state)
{
    (void)state;
    static const char *const paths[] = {"/healthz", "/readyz", "/metrics", "/openapi.yaml"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        dv_resp g, h;
        dv_get(g_default, paths[i], &g);
        dv_req req = {.method = "HEAD", .path = paths[i]};
        dv_http(g_default, &req, &h);
        char what[64];
        snprintf(what, sizeof what, "HEAD %s", paths[i]);
        expect_status(&h, g.status, what);
        if (!h.content_type || !g.content_type || strcmp(h.content_type, g.content_type) != 0)
            fail_msg("%s: Content-Type %s, GET gives %s", what, h.content_type,
                     g.content_type);
        if (h.body_len != 0)
            fail_msg("%s: %zu body bytes", what, h.body_len);
        expect_header(&h, "Access-Control-Allow-Origin", "*", what);
        dv_resp_free(&g);
        dv_resp_free(&h);
    }
}

static void t_preflight_metrics(void **state)
{
    (void)state;
    dv_resp r;
    dv_get(g_default, "/metrics", &r);
    expect_status(&r, 200, "GET /metrics");
    dv_resp_free(&r);
    preflight(g_default, "/metrics", "https://dash.example.org", &r);
    expect_preflight(&r, "*", "OPTIONS /metrics");
    dv_resp_free(&r);
}

static void t_preflight_unknown_path(void **state)
{
    (void)state;
    dv_resp r;
    preflight(g_default, "/no-such-route", "https://dash.example.org", &r);
    expect_problem(&r, 404, "not_found", "OPTIONS /no-such-route");
    dv_resp_free(&r);
}

static void t_cors_origin_flag(void **state)
{
    (void)state;
    dv_resp r;
    dv_post(g_cors, "/kl", KL_BODY, &r);
    expect_kl_ok(&r, "--cors-origin POST /kl");
    expect_header(&r, "Access-Control-Allow-Origin", DASH_ORIGIN, "--cors-origin POST /kl");
    const char *vary = dv_header(&r, "Vary");
    if (!vary || !dv_header_has_token(vary, "Origin"))
        fail_msg("--cors-origin: Vary is \"%s\", want it to list Origin", vary ? vary : "");
    dv_resp_free(&r);

    dv_get(g_cors, "/nope", &r);
    expect_problem(&r, 404, "not_found", "--cors-origin GET /nope");
    expect_header(&r, "Access-Control-Allow-Origin", DASH_ORIGIN, "--cors-origin GET /nope");
    dv_resp_free(&r);

    dv_post(g_cors, "/entropy", "{\"p\": [0.5, -0.5, 1]}", &r);
    expect_problem(&r, 422, "negative_value", "--cors-origin 422");
    expect_header(&r, "Access-Control-Allow-Origin", DASH_ORIGIN, "--cors-origin 422");
    dv_resp_free(&r);

    preflight(g_cors, "/gaussian-kl", DASH_ORIGIN, &r);
    expect_preflight(&r, DASH_ORIGIN, "--cors-origin OPTIONS /gaussian-kl");
    dv_resp_free(&r);
}

/* ------------------------------------------------------------------ request ids */
static void t_request_id_echoed(void **state)
{
    (void)state;
    char max_len[129];
    memset(max_len, 'a', 128);
    max_len[128] = '\0';
    const char *valid[] = {"abc-DEF.123:xyz", "0", "under_score", "trace:4bf92f3577b34da6.a3ce929d0e0e4736",
                           max_len};
    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
        dv_resp r;
        post_with_id(g_default, "/kl", KL_BODY, valid[i], &r);
        expect_kl_ok(&r, "X-Request-Id echo");
        expect_header(&r, "X-Request-Id", valid[i], "valid X-Request-Id");
        dv_resp_free(&r);
    }
    /* ... on errors too */
    dv_resp r;
    post_with_id(g_default, "/kl", "{\"p\": [1]}", "err-id-1", &r);
    expect_problem(&r, 422, "missing_member", "echo on 422");
    expect_header(&r, "X-Request-Id", "err-id-1", "X-Request-Id on a 422");
    dv_resp_free(&r);
    post_with_id(g_default, "/no/where", "{}", "err-id-2", &r);
    expect_problem(&r, 404, "not_found", "echo on 404");
    expect_header(&r, "X-Request-Id", "err-id-2", "X-Request-Id on a 404");
    dv_resp_free(&r);
}

static void t_request_id_generated(void **state)
{
    (void)state;
    char too_long[130];
    memset(too_long, 'b', 129);
    too_long[129] = '\0';
    const char *invalid[] = {NULL, "has space", "slash/inside", "semi;colon",
                             "quote\"d", "caf\xc3\xa9", too_long};
    char prev[64] = "";
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        dv_resp r;
        post_with_id(g_default, "/kl", KL_BODY, invalid[i], &r);
        expect_kl_ok(&r, "generated X-Request-Id");
        char id[256];
        snprintf(id, sizeof id, "%s", dv_header(&r, "X-Request-Id") ? dv_header(&r, "X-Request-Id")
                                                                    : "(absent)");
        dv_resp_free(&r);
        if (!is_hex_id(id))
            fail_msg("X-Request-Id for request id \"%.40s\" is \"%s\", want a generated "
                     "32-hex id", invalid[i] ? invalid[i] : "(none)", id);
        if (strcmp(prev, id) == 0)
            fail_msg("two requests got the same generated id %s", id);
        snprintf(prev, sizeof prev, "%s", id);
    }
}

/* ------------------------------------------------------------------ request log */
static void expect_log_line(dv_daemon *d, const char *id, const char *method, const char *path,
                            long status, size_t body_in, size_t body_out)
{
    json_t *l = dv_log_find(d, "request_id", id, 3000);
    if (!l) {
        dv_log_dump(d);
        fail_msg("no log line with request_id %s for %s %s", id, method, path);
    }
    const char *msg = json_string_value(json_object_get(l, "msg"));
    const char *m = json_string_value(json_object_get(l, "method"));
    const char *p = json_string_value(json_object_get(l, "path"));
    json_t *st = json_object_get(l, "status");
    json_t *dur = json_object_get(l, "duration_ms");
    json_t *bin = json_object_get(l, "bytes_in");
    json_t *bout = json_object_get(l, "bytes_out");
    char *s = json_dumps(l, JSON_COMPACT);
    char line[1024];
    snprintf(line, sizeof line, "%s", s ? s : "");
    free(s);
    bool ok = msg && strcmp(msg, "request") == 0 && m && strcmp(m, method) == 0 && p &&
              strcmp(p, path) == 0 && json_is_integer(st) && json_integer_value(st) == status &&
              json_is_string(json_object_get(l, "time")) && json_is_number(dur) &&
              json_number_value(dur) >= 0 && json_is_integer(bin) &&
              json_integer_value(bin) >= (json_int_t)body_in && json_is_integer(bout) &&
              json_integer_value(bout) >= (json_int_t)body_out;
    json_decref(l);
    if (!ok)
        fail_msg("log line %s does not say msg=request method=%s path=%s status=%ld with time, "
                 "duration_ms, bytes_in >= %zu, bytes_out >= %zu",
                 line, method, path, status, body_in, body_out);
}

static void t_one_log_line_per_request(void **state)
{
    (void)state;
    const struct {
        const char *method, *path, *body, *id;
        long status;
    } reqs[] = {
        {"POST", "/kl", KL_BODY, "log-ok-1", 200},
        {"POST", "/entropy", "{\"p\": [0.5, 0.6]}", "log-422-2", 422},
        {"GET", "/unknown/route", NULL, "log-404-3", 404},
        {"GET", "/healthz", NULL, "log-get-4", 200},
        {"OPTIONS", "/js", NULL, "log-options-5", 204},
        {"DELETE", "/kl", NULL, "log-405-6", 405},
    };
    size_t n = sizeof reqs / sizeof reqs[0];
    size_t out_len[sizeof reqs / sizeof reqs[0]];
    for (size_t i = 0; i < n; i++) {
        char h[128];
        snprintf(h, sizeof h, "X-Request-Id: %s", reqs[i].id);
        const char *hs[] = {h, NULL};
        dv_req req = {.method = reqs[i].method, .path = reqs[i].path, .body = reqs[i].body,
                      .headers = hs};
        dv_resp r;
        dv_http(g_default, &req, &r);
        expect_status(&r, reqs[i].status, reqs[i].id);
        out_len[i] = r.body_len;
        dv_resp_free(&r);
    }
    for (size_t i = 0; i < n; i++)
        expect_log_line(g_default, reqs[i].id, reqs[i].method, reqs[i].path, reqs[i].status,
                        reqs[i].body ? strlen(reqs[i].body) : 0, out_len[i]);
    /* A generated id is the one logged. */
    dv_resp r;
    dv_post(g_default, "/js", KL_BODY, &r);
    expect_status(&r, 200, "POST /js");
    char gen[64];
    snprintf(gen, sizeof gen, "%s", dv_header(&r, "X-Request-Id") ? dv_header(&r, "X-Request-Id") : "");
    size_t gen_out = r.body_len;
    dv_resp_free(&r);
    expect_log_line(g_default, gen, "POST", "/js", 200, strlen(KL_BODY), gen_out);
    /* Exactly one line each (a later request's line has been seen, so earlier ones are in). */
    for (size_t i = 0; i < n; i++) {
        size_t c = dv_log_count(g_default, "request_id", reqs[i].id);
        if (c != 1)
            fail_msg("%zu log lines carry request_id %s, want exactly 1", c, reqs[i].id);
    }
}

/* ------------------------------------------------------------------ GET routes */
static void t_health_and_ready(void **state)
{
    (void)state;
    dv_resp r;
    dv_get(g_default, "/healthz", &r);
    expect_status(&r, 200, "GET /healthz");
    if (!json_is_object(r.json) || json_object_size(r.json) != 1 ||
        strcmp(str_or(json_object_get(r.json, "status")), "ok") != 0)
        fail_msg("/healthz body %s, want {\"status\":\"ok\"}", r.body);
    dv_resp_free(&r);
    dv_get(g_default, "/readyz", &r);
    expect_status(&r, 200, "GET /readyz");
    if (!json_is_object(r.json) || json_object_size(r.json) != 1 ||
        strcmp(str_or(json_object_get(r.json, "status")), "ready") != 0)
        fail_msg("/readyz body %s, want {\"status\":\"ready\"}", r.body);
    dv_resp_free(&r);
}

static void t_openapi_exact_bytes(void **state)
{
    (void)state;
    const char *path = getenv("DV_OPENAPI") ? getenv("DV_OPENAPI") : "api/openapi.yaml";
    size_t len = 0;
    char *want = dv_read_file(path, &len);
    if (!want)
        fail_msg("cannot read %s", path);
    dv_resp r;
    dv_get(g_default, "/openapi.yaml", &r);
    expect_status(&r, 200, "GET /openapi.yaml");
    const char *ct = r.content_type ? r.content_type : "";
    if (strncmp(ct, "application/yaml", 16) != 0 || (ct[16] && ct[16] != ';'))
        fail_msg("/openapi.yaml Content-Type \"%s\", want application/yaml", ct);
    bool same = r.body_len == len && memcmp(r.body, want, len) == 0;
    size_t got_len = r.body_len;
    free(want);
    dv_resp_free(&r);
    if (!same)
        fail_msg("/openapi.yaml returned %zu bytes that differ from the %zu bytes of %s "
                 "(rebuild after editing it?)", got_len, len, path);
}

static void t_unknown_route_is_other_in_metrics(void **state)
{
    (void)state;
    dv_resp r;
    dv_get(g_default, "/secret-admin-xyzzy", &r);
    expect_problem(&r, 404, "not_found", "GET /secret-admin-xyzzy");
    dv_resp_free(&r);
    dv_get(g_default, "/metrics", &r);
    expect_status(&r, 200, "GET /metrics");
    bool other = strstr(r.body, "route=\"other\"") != NULL;
    bool raw = strstr(r.body, "xyzzy") != NULL;
    dv_resp_free(&r);
    if (!other || raw)
        fail_msg("/metrics: unknown paths must be counted under route=\"other\" "
                 "(found other: %d, raw path leaked: %d)", other, raw);
}

/* ------------------------------------------------------------------ auth */
static void auth_post(const char *authz, dv_resp *r)
{
    char h[256];
    snprintf(h, sizeof h, "Authorization: %s", authz ? authz : "");
    const char *hs[] = {h, NULL};
    dv_req req = {.path = "/kl", .body = KL_BODY, .headers = authz ? hs : NULL};
    dv_http(g_auth, &req, r);
}

static void t_auth_required(void **state)
{
    (void)state;
    const char *wrong[] = {NULL, "Bearer", "Bearer ", "Bearer wrong-key", "Bearer s3cr3t",
                           "Bearer " API_KEY "x", "Bearer " API_KEY " ", "Basic " API_KEY,
                           API_KEY};
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        dv_resp r;
        auth_post(wrong[i], &r);
        char what[128];
        snprintf(what, sizeof what, "Authorization \"%s\"", wrong[i] ? wrong[i] : "(none)");
        expect_problem(&r, 401, "unauthorized", what);
        const char *www = dv_header(&r, "WWW-Authenticate");
        if (!www || strncasecmp(www, "Bearer", 6) != 0)
            fail_msg("%s: 401 without WWW-Authenticate: Bearer", what);
        if (json_object_get(r.json, "detail") &&
            strstr(json_string_value(json_object_get(r.json, "detail")), API_KEY))
            fail_msg("%s: the 401 detail reveals the key", what);
        dv_resp_free(&r);
    }
    dv_resp r;
    auth_post("Bearer " API_KEY, &r);
    expect_kl_ok(&r, "right bearer token");
    dv_resp_free(&r);
    /* Every compute route is guarded (before its body is even looked at). */
    for (size_t i = 0; i < sizeof k_routes / sizeof k_routes[0]; i++) {
        if (strcmp(k_routes[i].method, "POST") != 0)
            continue;
        dv_post(g_auth, k_routes[i].path, "{}", &r);
        expect_problem(&r, 401, "unauthorized", k_routes[i].path);
        dv_resp_free(&r);
    }

    /* /metrics is guarded too (when it exists). */
    const char *hs[] = {"Authorization: Bearer " API_KEY, NULL};
    dv_req with = {.method = "GET", .path = "/metrics", .headers = hs};
    dv_http(g_auth, &with, &r);
    long with_status = r.status;
    dv_resp_free(&r);
    if (with_status != 404) {
        if (with_status != 200)
            fail_msg("GET /metrics with the key: status %ld, want 200", with_status);
        dv_get(g_auth, "/metrics", &r);
        expect_problem(&r, 401, "unauthorized", "GET /metrics without the key");
        dv_resp_free(&r);
    }
}

static void t_auth_open_routes(void **state)
{
    (void)state;
    const char *open[] = {"/healthz", "/readyz", "/openapi.yaml"};
    for (size_t i = 0; i < sizeof open / sizeof open[0]; i++) {
        dv_resp r;
        dv_get(g_auth, open[i], &r);
        expect_status(&r, 200, open[i]);
        dv_resp_free(&r);
    }
    dv_resp r;
    preflight(g_auth, "/kl", "https://dash.example.org", &r);
    expect_preflight(&r, "*", "OPTIONS /kl with auth on and no token");
    dv_resp_free(&r);
}

static void t_auth_off(void **state)
{
    (void)state;
    const char *hs[] = {"Authorization: Bearer anything-at-all", NULL};
    dv_req req = {.path = "/kl", .body = KL_BODY, .headers = hs};
    dv_resp r;
    dv_http(g_default, &req, &r);
    expect_kl_ok(&r, "auth off, some token");
    dv_resp_free(&r);
    dv_post(g_default, "/kl", KL_BODY, &r);
    expect_kl_ok(&r, "auth off, no token");
    dv_resp_free(&r);
}

/* ------------------------------------------------------------------ body limit */
/* Send `req` on a fresh socket, read until a complete response, EOF or timeout. */
static bool raw_exchange(int port, const char *req, size_t len, int timeout_ms, dv_resp *out)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    memset(out, 0, sizeof *out);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        snprintf(out->error, sizeof out->error, "connect: %s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return false;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t w = send(fd, req + off, len - off, MSG_NOSIGNAL);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    char *buf = malloc(65536);
    size_t n = 0;
    double deadline = dv_now_ms() + timeout_ms;
    while (buf && n < 65535) {
        double left = deadline - dv_now_ms();
        if (left <= 0)
            break;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, (int)left) <= 0)
            break;
        ssize_t k = recv(fd, buf + n, 65535 - n, 0);
        if (k <= 0)
            break;
        n += (size_t)k;
        buf[n] = '\0';
        char *hend = strstr(buf, "\r\n\r\n");
        if (hend) {
            const char *cl = strcasestr(buf, "\r\nContent-Length:");
            size_t want = cl && cl < hend ? (size_t)strtoul(cl + 17, NULL, 10) : 0;
            if (n >= (size_t)(hend + 4 - buf) + want)
                break;
        }
    }
    close(fd);
    bool ok = buf && dv_parse_raw_response("POST", "/kl", buf, n, out);
    free(buf);
    return ok;
}

static void t_body_limit_without_reading_body(void **state)
{
    (void)state;
    /* Content-Length: 1 GiB, 100 bytes sent, no Expect: the answer must come now. */
    char req[1024];
    int hl = snprintf(req, sizeof req,
                      "POST /kl HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                      "Content-Length: 1073741824\r\n\r\n{\"p\": [%s",
                      "0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, ");
    dv_resp r;
    double t0 = dv_now_ms();
    bool got = raw_exchange(dv_port(g_limits), req, (size_t)hl, 5000, &r);
    double ms = dv_now_ms() - t0;
    if (!got)
        fail_msg("no response within 5 s to a 1 GiB Content-Length over --max-body 4096 (%s)",
                 r.error);
    expect_problem(&r, 413, "payload_too_large", "Content-Length 1 GiB");
    dv_resp_free(&r);
    if (ms > 3000)
        fail_msg("413 took %.0f ms", ms);
}

typedef struct feeder {
    size_t total, given;
} feeder;

static size_t feed(char *buf, size_t size, size_t nmemb, void *ud)
{
    feeder *f = ud;
    size_t n = size * nmemb;
    if (n > f->total - f->given)
        n = f->total - f->given;
    if (f->given == 0 && n >= 7) {
        memcpy(buf, "{\"p\": [", 7);
        memset(buf + 7, ' ', n - 7);
    } else {
        memset(buf, ' ', n);
    }
    f->given += n;
    return n;
}

static void t_body_limit_expect_continue(void **state)
{
    (void)state;
    feeder f = {.total = (size_t)1 << 30};
    const char *hs[] = {"Expect: 100-continue", NULL};
    dv_req req = {.path = "/entropy", .headers = hs, .timeout_ms = 20000};
    dv_resp r;
    dv_http_stream(g_limits, &req, (long long)f.total, feed, &f, &r);
    expect_problem(&r, 413, "payload_too_large", "1 GiB upload with Expect: 100-continue");
    dv_resp_free(&r);
    if (f.given > ((size_t)16 << 20))
        fail_msg("the daemon let the client send %zu bytes before answering 413", f.given);
}

static void t_body_limit_chunked(void **state)
{
    (void)state;
    feeder f = {.total = 64 * 1024};
    dv_req req = {.path = "/entropy", .timeout_ms = 10000};
    dv_resp r;
    dv_http_stream(g_limits, &req, -1, feed, &f, &r);
    expect_problem(&r, 413, "payload_too_large", "64 KiB chunked body over --max-body 4096");
    dv_resp_free(&r);
}

static void t_body_limit_daemon_survives(void **state)
{
    (void)state;
    dv_resp r;
    dv_post(g_limits, "/kl", KL_BODY, &r);
    expect_kl_ok(&r, "small request after 413s");
    dv_resp_free(&r);
}

static dv_daemon *g_tmp; /* a test's own daemon, stopped by stop_tmp if the test fails */

static int stop_tmp(void **state)
{
    (void)state;
    if (g_tmp)
        dv_stop(g_tmp, 5000);
    g_tmp = NULL;
    return 0;
}

/* SPEC §3.3: over --max-connections the answer is 503 unavailable, not a hang. */
static void t_connection_limit(void **state)
{
    (void)state;
    const char *args[] = {"--threads", "1", "--max-connections", "2", NULL};
    dv_daemon *d = g_tmp = dv_start(args, NULL);
    if (!d)
        fail_msg("daemon with --max-connections 2 did not start");
    int held[2] = {-1, -1};
    for (size_t i = 0; i < 2; i++) {
        held[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)dv_port(d))};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (held[i] < 0 || connect(held[i], (struct sockaddr *)&a, sizeof a) != 0)
            fail_msg("could not open idle connection %zu", i);
    }
    dv_sleep_ms(200);
    dv_req req = {.path = "/kl", .body = KL_BODY, .timeout_ms = 3000};
    dv_resp r;
    dv_http(d, &req, &r);
    for (size_t i = 0; i < 2; i++)
        close(held[i]);
    char msg[1024];
    const char *bad = dv_check_problem(&r, 503, "unavailable", msg, sizeof msg);
    long st = r.status;
    char err[256];
    snprintf(err, sizeof err, "%s", r.error);
    dv_resp_free(&r);
    /* The daemon is still fine once the idle connections are gone. */
    dv_post(d, "/kl", KL_BODY, &r);
    long after = r.status;
    dv_resp_free(&r);
    g_tmp = NULL;
    dv_stop(d, 10000);
    if (st == 0)
        fail_msg("with 2 of --max-connections 2 in use, a third request got no response "
                 "within 3 s (%s); SPEC §3.3 wants 503 unavailable", err);
    if (bad)
        fail_msg("over the connection limit: %s", bad);
    if (after != 200)
        fail_msg("after the idle connections closed: status %ld, want 200", after);
}

int dv_run_protocol_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_cors_on_every_response),
        cmocka_unit_test(t_preflight_every_route),
        cmocka_unit_test(t_preflight_metrics),
        cmocka_unit_test(t_head_every_get_route),
        cmocka_unit_test(t_preflight_unknown_path),
        cmocka_unit_test(t_cors_origin_flag),
        cmocka_unit_test(t_request_id_echoed),
        cmocka_unit_test(t_request_id_generated),
        cmocka_unit_test(t_one_log_line_per_request),
        cmocka_unit_test(t_health_and_ready),
        cmocka_unit_test(t_openapi_exact_bytes),
        cmocka_unit_test(t_unknown_route_is_other_in_metrics),
        cmocka_unit_test(t_auth_required),
        cmocka_unit_test(t_auth_open_routes),
        cmocka_unit_test(t_auth_off),
        cmocka_unit_test(t_body_limit_without_reading_body),
        cmocka_unit_test(t_body_limit_expect_continue),
        cmocka_unit_test(t_body_limit_chunked),
        cmocka_unit_test(t_body_limit_daemon_survives),
        cmocka_unit_test_teardown(t_connection_limit, stop_tmp),
    };
    return cmocka_run_group_tests_name("protocol: CORS, request ids, logs, auth, limits", tests,
                                       group_setup, group_teardown);
}
