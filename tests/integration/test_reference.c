/*
 * test_reference.c — every route and input form against reference values.
 *
 * One cmocka test per case of tests/data/http_cases.json (written by
 * tests/data/gen/gen_reference_http.py with mpmath at 50 digits) and of every
 * tests/data/http_cases.<route>.json beside it: the runner only sends the request and
 * compares; to add a case, add a line to a generator.
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

static void run_case(void **state)
{
    const json_t *c = *state;
    dv_resp r;
    dv_case_request(c, &r);
    char msg[4096];
    const char *bad = dv_case_check(c, &r, msg, sizeof msg);
    dv_resp_free(&r);
    if (bad)
        fail_msg("%s: %s", json_string_value(json_object_get(c, "name")), bad);
}

int dv_run_reference_tests(void)
{
    return dv_run_tables("http_cases.json", "cases", "reference values", run_case);
}
