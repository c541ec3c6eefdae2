/*
 * harness.h — the integration suite's contract with the real daemon.
 *
 * The suite starts build/divergenced (env DIVERGENCED_BIN) on 127.0.0.1 with --port 0
 * and --log-format json, reads the "listening" log line to learn the port, keeps
 * draining stdout on a thread (the per-request log lines are assertions too), drives it
 * with libcurl, and stops it with SIGTERM. Daemons are started from the main thread only
 * (PR_SET_PDEATHSIG is tied to the forking thread) and die with the test binary.
 *
 * Every HTTP response received is appended to the response log (env DV_RESPONSE_LOG,
 * default build/tests/responses.jsonl, truncated at suite start) as one JSON object per
 * line — {"method","path","status","content_type","body"} — for the contract checker.
 */
#ifndef DV_HARNESS_H
#define DV_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

/* A running daemon. Fields are read-only for tests. */
typedef struct dv_daemon dv_daemon;

/* Suite-wide setup/teardown (curl global init, response log, exit handler). */
int dv_suite_init(void);
void dv_suite_done(void);

/* Path of the daemon binary and of a file inside the repository (data, api/). */
const char *dv_bin(void);

/* Start a daemon with the base flags plus extra_args (NULL-terminated, may be NULL) and
 * extra environment entries "NAME=value" (NULL-terminated, may be NULL). Every
 * DIVERGENCED_* variable of the suite's own environment is removed first. Returns NULL
 * (and prints why) when it does not log "listening" within 10 s. */
dv_daemon *dv_start(const char *const *extra_args, const char *const *extra_env);
/* In a forked child before exec (async-signal-safe calls only): die with the test
 * process (PR_SET_PDEATHSIG; exit at once if it is already gone) and reset SIGPIPE,
 * SIGTERM, SIGINT and SIGHUP to their defaults. */
void dv_child_init(pid_t parent);
/* SIGTERM, wait up to timeout_ms (then SIGKILL); returns the wait status, or -1. Frees d. */
int dv_stop(dv_daemon *d, int timeout_ms);
/* Kill (SIGKILL) and reap every daemon still running; used by teardowns and at exit. */
void dv_kill_all(void);

int dv_port(const dv_daemon *d);
pid_t dv_pid(const dv_daemon *d);
/* Wait for the process to exit by itself; returns the wait status or -1 on timeout. */
int dv_wait_exit(dv_daemon *d, int timeout_ms);

/* The first stdout log line (parsed JSON; caller json_decref's) whose string member
 * `key` equals `value`, waiting up to timeout_ms; NULL when none. */
json_t *dv_log_find(dv_daemon *d, const char *key, const char *value, int timeout_ms);
/* How many stdout log lines have string member key == value (no waiting). */
size_t dv_log_count(dv_daemon *d, const char *key, const char *value);
/* Print the daemon's stdout so far (for a failure message). */
void dv_log_dump(dv_daemon *d);

/* ---------------------------------------------------------------- HTTP */
typedef struct dv_resp {
    long status;           /* 0 when the transfer failed (see error) */
    char *body;            /* NUL-terminated */
    size_t body_len;
    char *content_type;    /* NULL when absent */
    char **headers;        /* "Name: value" lines of the final response */
    size_t n_headers;
    json_t *json;          /* parsed body or NULL */
    char error[256];       /* curl's message when status == 0 */
    double seconds;        /* total transfer time */
} dv_resp;

typedef struct dv_req {
    const char *method;        /* default: POST when body != NULL, else GET */
    const char *path;
    const char *body;          /* may contain NULs when body_len is given */
    size_t body_len;           /* 0 with body != NULL: strlen(body) */
    const char *content_type;  /* NULL: application/json for bodies; "": send none */
    const char *const *headers;/* extra "Name: value" lines, NULL-terminated */
    long timeout_ms;           /* 0: 10 s (a hung daemon must not stall the suite) */
} dv_req;

/* Perform a request against d; always fills *out (free with dv_resp_free). Returns
 * true when a response (any status) was received. Logs the response. */
bool dv_http(const dv_daemon *d, const dv_req *req, dv_resp *out);
void dv_resp_free(dv_resp *r);
/* Value of a response header (case-insensitive name), or NULL. */
const char *dv_header(const dv_resp *r, const char *name);

/* The same with the body produced by read_cb (curl's read callback contract):
 * upload_size >= 0 sends Content-Length, -1 sends chunked. */
bool dv_http_stream(const dv_daemon *d, const dv_req *req, long long upload_size,
                    size_t (*read_cb)(char *, size_t, size_t, void *), void *ud,
                    dv_resp *out);

/* Shorthands: POST a JSON text, GET a path. */
bool dv_post(const dv_daemon *d, const char *path, const char *json_text, dv_resp *out);
bool dv_get(const dv_daemon *d, const char *path, dv_resp *out);

/* Append one received response to the response log (thread-safe). body may be NULL. */
void dv_response_log(const char *method, const char *path, long status,
                     const char *content_type, const char *body, size_t body_len);

/* Parse a raw HTTP/1.1 response (as read from a socket) into *out and log it. */
bool dv_parse_raw_response(const char *method, const char *path, const char *raw,
                           size_t len, dv_resp *out);

/* ---------------------------------------------------------------- helpers */
/* Read a whole file; NULL on failure. */
char *dv_read_file(const char *path, size_t *len);
/* A path under the data directory (env DV_TEST_DATA, default tests/data). */
const char *dv_data_path(const char *name, char *buf, size_t cap);
/* Check that a response is a well-formed problem document with this status and code:
 * content type, members, type/title/status agreement, CORS and request-id headers.
 * Returns NULL when fine, else a message in buf. */
const char *dv_check_problem(const dv_resp *r, long status, const char *code, char *buf,
                             size_t cap);
/* Monotonic milliseconds. */
double dv_now_ms(void);
void dv_sleep_ms(int ms);

/* ---------------------------------------------------------------- case data */
/* Load tests/data/<file> and return its array member `key` (borrowed from *root, which
 * the caller json_decref's); NULL (after printing why) on failure. */
json_t *dv_load_table(const char *file, const char *key, json_t **root);
/* Runs one cmocka test per case of tests/data/<file> member `key` (the case is the test's
 * *state), as group `group`, with two daemons up: see dv_case_daemon. Returns failures. */
int dv_run_table(const char *file, const char *key, const char *group,
                 void (*run)(void **state));
/* dv_run_table on tests/data/<file> and then on every route table beside it named like
 * it with a suffix (http_cases.json → http_cases.divergences.json, …), so a new route
 * adds its cases in its own file. Returns failures. */
int dv_run_tables(const char *file, const char *key, const char *group,
                  void (*run)(void **state));
/* The daemon a case asks for: "daemon": "limits" → --max-body 4096 --max-elements 100,
 * else one with default flags. Valid inside dv_run_table only. */
dv_daemon *dv_case_daemon(const json_t *c);
/* Sends a case's request (method, path, body, content_type) to its daemon; the caller
 * dv_resp_free's r. Valid inside dv_run_table only. */
void dv_case_request(const json_t *c, dv_resp *r);
/* The request body of a case: "raw", "raw_hex", "raw_gen" or "body" (+ "gen" arrays).
 * Returns malloc'd bytes (NUL-terminated) and their length. */
char *dv_case_body(const json_t *c, size_t *len);
/* Check a response against a reference case (status, content type, exact members and
 * values within tolerance, terms sum). NULL when fine, else a message in buf. */
const char *dv_case_check(const json_t *c, const dv_resp *r, char *buf, size_t cap);

/* The per-group runners (one file each). */
int dv_run_reference_tests(void);
int dv_run_bad_input_tests(void);

/* Is `token` one of the comma-separated tokens of a header value (case-insensitive)? */
bool dv_header_has_token(const char *value, const char *token);

/* The two daemons the table-driven groups share: default flags, and small limits
 * (--max-body 4096 --max-elements 100). 0 on success, as cmocka group setups expect. */
int dv_start_default_and_limits(dv_daemon **def, dv_daemon **limits);
int dv_stop_pair(dv_daemon **a, dv_daemon **b);
int dv_run_protocol_tests(void);
int dv_run_lifecycle_tests(void);

#endif
