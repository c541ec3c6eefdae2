/*
 * test_divergences.c — what a table row cannot say about POST /divergences: with
 * "measures": ["kl"] (["js"], ["cross_entropy"]) it answers the very bytes /kl (/js's
 * "js", /cross-entropy's "cross_entropy") answers (SPEC §7 "bit for bit"), for every
 * input form. The values themselves are checked against mpmath by the table
 * tests/data/http_cases.divergences.json.
 *
 * Registration (tests/integration/main.c and harness.h are the lead's): declare
 * `int dv_run_divergences_tests(void);` in harness.h and call it from main() in the
 * "ref" group.
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

int dv_run_divergences_tests(void);

static dv_daemon *g_d;

static int setup(void **state)
{
    (void)state;
    g_d = dv_start(NULL, NULL);
    return g_d ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    int rc = dv_stop(g_d, 15000);
    g_d = NULL;
    return rc == 0 ? 0 : -1;
}

/* Bodies valid for /kl, /js and /divergences alike (finite results, no terms). */
static const char *const BODIES[] = {
    "{\"p\": [0.4, 0.4, 0.2], \"q\": [0.5, 0.1, 0.4]}",
    "{\"p\": [0.4, 0.4, 0.2], \"q\": [0.5, 0.1, 0.4], \"base\": 2}",
    "{\"p\": [0.1, 0.2, 0.7], \"q\": [0.1, 0.2, 0.7]}",
    "{\"p\": [0.0, 0.3, 0.7], \"q\": [0.2, 0.3, 0.5], \"base\": 10}",
    "{\"p\": [3, 1, 0, 5], \"q\": [1, 1, 1, 1], \"normalize\": true}",
    "{\"p\": [0.30000001, 0.69999999], \"q\": [0.3, 0.7]}",
    "{\"p\": {\"a\": 0.25, \"b\": 0.75}, \"q\": {\"b\": 0.5, \"a\": 0.5}}",
    "{\"p_samples\": [1, 1, 2, 2, 3], \"q_samples\": [1, 1, 1, 1, 1, 2, 3, 3, 3, 3]}",
    "{\"p_samples\": [\"x\", \"y\", \"y\"], \"q_samples\": [\"y\", \"x\"], \"base\": 2}",
    "{\"p_logits\": [1000.5, 999, 1001], \"q_logits\": [1000, 1000, 1000]}",
    "{\"p_logits\": [0.5, -1.25, 2.0], \"q_logits\": [0.25, -1.0, 1.5], "
    "\"temperature\": 2.5}",
    "{\"p\": [0.2, 0.3, 0.5], \"q_logits\": [0.1, 0.0, -0.3]}",
};
#define NBODIES (sizeof BODIES / sizeof BODIES[0])

/* body + ", \"measures\": [\"<m>\"]" before the closing brace. */
static char *with_measure(const char *body, const char *m)
{
    size_t n = strlen(body);
    char *s = malloc(n + 64);
    assert_non_null(s);
    memcpy(s, body, n - 1);
    snprintf(s + n - 1, 64, ", \"measures\": [\"%s\"]}", m);
    return s;
}

static void t_kl_body_identical(void **state)
{
    (void)state;
    for (size_t i = 0; i < NBODIES; i++) {
        dv_resp a, b;
        char *body = with_measure(BODIES[i], "kl");
        assert_true(dv_post(g_d, "/kl", BODIES[i], &a));
        assert_true(dv_post(g_d, "/divergences", body, &b));
        assert_int_equal(a.status, 200);
        assert_int_equal(b.status, 200);
        /* Finite KL, no terms: the whole answer is the same text. */
        if (strcmp(a.body, b.body) != 0)
            fail_msg("body %zu: /kl %s but /divergences %s", i, a.body, b.body);
        free(body);
        dv_resp_free(&a);
        dv_resp_free(&b);
    }
}

/* The member `key` of both answers is the same JSON text. */
static void same_member(const char *what, size_t i, const char *path, const char *key_a,
                        const char *measure)
{
    dv_resp a, b;
    char *body = with_measure(BODIES[i], measure);
    assert_true(dv_post(g_d, path, BODIES[i], &a));
    assert_true(dv_post(g_d, "/divergences", body, &b));
    assert_int_equal(a.status, 200);
    assert_int_equal(b.status, 200);
    char *ta = json_dumps(json_object_get(a.json, key_a),
                          JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
    char *tb = json_dumps(json_object_get(b.json, measure),
                          JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
    assert_non_null(ta);
    assert_non_null(tb);
    /* Also bit for bit as doubles (the text is the shortest round trip). */
    double va = json_number_value(json_object_get(a.json, key_a));
    double vb = json_number_value(json_object_get(b.json, measure));
    if (strcmp(ta, tb) != 0 || memcmp(&va, &vb, sizeof va) != 0)
        fail_msg("%s, body %zu: %s says %s, /divergences says %s", what, i, path, ta, tb);
    free(ta);
    free(tb);
    free(body);
    dv_resp_free(&a);
    dv_resp_free(&b);
}

static void t_js_same(void **state)
{
    (void)state;
    for (size_t i = 0; i < NBODIES; i++)
        same_member("js", i, "/js", "js", "js");
}

static void t_cross_entropy_same(void **state)
{
    (void)state;
    /* /cross-entropy takes p or p_samples as the target (no p_logits, no labelled p
     * against labelled q): the bodies it accepts. */
    static const size_t ok[] = { 0, 1, 2, 3, 4, 5, 7, 11 };
    for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++)
        same_member("cross_entropy", ok[k], "/cross-entropy", "cross_entropy",
                    "cross_entropy");
}

int dv_run_divergences_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_kl_body_identical),
        cmocka_unit_test(t_js_same),
        cmocka_unit_test(t_cross_entropy_same),
    };
    return cmocka_run_group_tests_name("divergences bit-equality", tests, setup, teardown);
}
