/*
 * main.c — the integration suite: the real build/divergenced (env DIVERGENCED_BIN) on
 * 127.0.0.1 with an ephemeral port, driven with libcurl; run from the repository root
 * (`make integration`). Groups, in order:
 *   reference values   tests/data/http_cases.json     (tests/data/gen/gen_reference_http.py)
 *   bad inputs         tests/data/http_bad_cases.json (same generator)
 *   protocol           CORS, request ids, request log, probes, /openapi.yaml, auth, limits
 *   lifecycle          --help/--version/bad flags, environment, signals, drain
 * Environment: DV_RESPONSE_LOG (default build/tests/responses.jsonl), DV_TEST_DATA
 * (tests/data), DV_OPENAPI (api/openapi.yaml), DV_ECHO_LOGS=1 echoes daemon stdout,
 * DV_GROUPS=ref,bad,protocol,lifecycle runs a subset.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static int wanted(const char *group)
{
    const char *g = getenv("DV_GROUPS");
    return !g || !*g || strstr(g, group) != NULL;
}

int main(void)
{
    if (dv_suite_init() != 0)
        return 1;
    int failed = 0;
    if (wanted("ref"))
        failed += dv_run_reference_tests();
    if (wanted("bad"))
        failed += dv_run_bad_input_tests();
    if (wanted("protocol"))
        failed += dv_run_protocol_tests();
    if (wanted("lifecycle"))
        failed += dv_run_lifecycle_tests();
    dv_suite_done();
    fprintf(stderr, "integration: %d failure(s)\n", failed);
    return failed == 0 ? 0 : 1;
}
