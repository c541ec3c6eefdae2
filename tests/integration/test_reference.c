/*
 * test_reference.c — every route and input form against reference values.
 *
 * One cmocka test per case of tests/data/http_cases.json (written by
 * scripts/gen_reference_http.py with mpmath at 50 digits): the runner only sends the
 * request and compares; to add a case, add a line to the generator.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

static dv_daemon *g_default; /* the flags of a plain `divergenced` */
static dv_daemon *g_limits;  /* --max-body 4096 --max-elements 100 */

static int group_setup(void **state)
{
    (void)state;
    return dv_start_default_and_limits(&g_default, &g_limits);
}

static int group_teardown(void **state)
{
    (void)state;
    return dv_stop_pair(&g_default, &g_limits);
}

static void run_case(void **state)
{
    const json_t *c = *state;
    const char *which = json_string_value(json_object_get(c, "daemon"));
    dv_daemon *d = which && strcmp(which, "limits") == 0 ? g_limits : g_default;
    size_t len = 0;
    char *body = dv_case_body(c, &len);
    dv_req req = {
        .method = json_string_value(json_object_get(c, "method")),
        .path = json_string_value(json_object_get(c, "path")),
        .body = body,
        .body_len = len,
        .content_type = json_string_value(json_object_get(c, "content_type")),
    };
    if (body && len == 0)
        req.body = "";
    dv_resp r;
    dv_http(d, &req, &r);
    char msg[4096];
    const char *bad = dv_case_check(c, &r, msg, sizeof msg);
    dv_resp_free(&r);
    free(body);
    if (bad)
        fail_msg("%s: %s", json_string_value(json_object_get(c, "name")), bad);
}

int dv_run_reference_tests(void)
{
    json_t *root = NULL;
    json_t *cases = dv_load_table("http_cases.json", "cases", &root);
    if (!cases)
        return 1;
    size_t n = json_array_size(cases);
    struct CMUnitTest *tests = calloc(n, sizeof *tests);
    if (!tests) {
        json_decref(root);
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *c = json_array_get(cases, i);
        tests[i].name = json_string_value(json_object_get(c, "name"));
        tests[i].test_func = run_case;
        tests[i].initial_state = c;
    }
    int failed = _cmocka_run_group_tests("reference values (tests/data/http_cases.json)", tests,
                                         n, group_setup, group_teardown);
    free(tests);
    json_decref(root);
    return failed;
}
