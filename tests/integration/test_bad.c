/*
 * test_bad.c — the table of bad inputs: every error status with its problem code and
 * JSON Pointer.
 *
 * One cmocka test per entry of tests/data/http_bad_cases.json. Each response must be an
 * RFC 9457 problem document (application/problem+json; type, title, status, detail,
 * code, pointer) carrying the CORS and request-id headers, and never a 500.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "harness.h"

static bool code_accepted(const json_t *want, const char *got)
{
    if (!got)
        return false;
    if (json_is_string(want))
        return strcmp(json_string_value(want), got) == 0;
    size_t i;
    json_t *w;
    json_array_foreach(want, i, w) {
        if (strcmp(json_string_value(w), got) == 0)
            return true;
    }
    return false;
}

static const char *check_pointer(const json_t *c, const json_t *problem, char *buf,
                                 size_t cap)
{
    json_t *want = json_object_get(c, "pointer");
    if (!want)
        return NULL; /* member absent: the pointer is not checked */
    json_t *got = json_object_get(problem, "pointer");
    const char *g = json_string_value(got);
    if (json_is_null(want)) {
        if (got)
            snprintf(buf, cap, "pointer \"%s\" where none was expected", g ? g : "?");
        return got ? buf : NULL;
    }
    if (json_is_string(want)) {
        if (!g || strcmp(g, json_string_value(want)) != 0) {
            snprintf(buf, cap, "pointer %s%s%s, want \"%s\"", g ? "\"" : "", g ? g : "absent",
                     g ? "\"" : "", json_string_value(want));
            return buf;
        }
        return NULL;
    }
    size_t i;
    json_t *w;
    json_array_foreach(want, i, w) {
        if (json_is_null(w) && !got)
            return NULL;
        if (json_is_string(w) && g && strcmp(g, json_string_value(w)) == 0)
            return NULL;
    }
    char *ws = json_dumps(want, JSON_ENCODE_ANY | JSON_COMPACT);
    snprintf(buf, cap, "pointer %s%s%s, want one of %s", g ? "\"" : "", g ? g : "absent",
             g ? "\"" : "", ws ? ws : "?");
    free(ws);
    return buf;
}

static void run_bad(void **state)
{
    const json_t *c = *state;
    const char *name = json_string_value(json_object_get(c, "name"));
    dv_resp r;
    dv_case_request(c, &r);

    char msg[2048];
    const char *bad = NULL;
    long want_status = (long)json_integer_value(json_object_get(c, "status"));
    json_t *want_code = json_object_get(c, "code");
    const char *got_code = json_string_value(json_object_get(r.json, "code"));
    if (r.status == 500) {
        snprintf(msg, sizeof msg, "500 Internal Server Error: %.300s", r.body);
        bad = msg;
    } else if (r.status != want_status || !code_accepted(want_code, got_code)) {
        char *ws = json_dumps(want_code, JSON_ENCODE_ANY | JSON_COMPACT);
        snprintf(msg, sizeof msg, "got %ld %s, want %ld %s (detail: %s)%s%s", r.status,
                 got_code ? got_code : "(no code)", want_status, ws ? ws : "?",
                 json_string_value(json_object_get(r.json, "detail")), r.status ? "" : " ",
                 r.status ? "" : r.error);
        free(ws);
        bad = msg;
    }
    if (!bad)
        bad = dv_check_problem(&r, want_status, got_code, msg, sizeof msg);
    if (!bad)
        bad = check_pointer(c, r.json, msg, sizeof msg);
    if (!bad) {
        const char *detail = json_string_value(json_object_get(r.json, "detail"));
        size_t i;
        json_t *s;
        json_array_foreach(json_object_get(c, "detail_contains"), i, s) {
            if (!detail || !strcasestr(detail, json_string_value(s))) {
                snprintf(msg, sizeof msg, "detail \"%s\" does not mention \"%s\"",
                         detail ? detail : "", json_string_value(s));
                bad = msg;
                break;
            }
        }
    }
    if (!bad && want_status == 405) {
        const char *allow = dv_header(&r, "Allow");
        size_t i;
        json_t *s;
        json_array_foreach(json_object_get(c, "allow_contains"), i, s) {
            if (!allow || !dv_header_has_token(allow, json_string_value(s))) {
                snprintf(msg, sizeof msg, "Allow \"%s\" lacks %s", allow ? allow : "(absent)",
                         json_string_value(s));
                bad = msg;
                break;
            }
        }
        const char *m = json_string_value(json_object_get(c, "method"));
        if (!m)
            m = "POST";
        if (!bad && allow && dv_header_has_token(allow, m)) {
            snprintf(msg, sizeof msg, "Allow \"%s\" lists the rejected method %s", allow, m);
            bad = msg;
        }
    }
    dv_resp_free(&r);
    if (bad)
        fail_msg("%s: %s", name, bad);
}

int dv_run_bad_input_tests(void)
{
    return dv_run_tables("http_bad_cases.json", "bad", "bad inputs", run_bad);
}
