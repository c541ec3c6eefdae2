/*
 * test_api_assets.c — the embedded page assets (src/api/assets.c): every asset is
 * found at its path with its type and a strong ETag naming its length, If-None-Match is
 * read as RFC 9110 says (weak comparison, lists, "*", junk matches nothing), h_asset
 * answers 200 with the asset's headers or a bodiless 304, and the route table's
 * "/assets/{file}" row matches one file name (a non-empty segment, no deeper path).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "assets.h"
#include "handlers.h"
#include "routes.h"

static const char *const paths[] = {"/",
                                    "/docs",
                                    "/openapi.json",
                                    "/assets/style.css",
                                    "/assets/openapi.js",
                                    "/assets/playground.js",
                                    "/assets/docs.js",
                                    "/assets/icon.svg",
                                    "/assets/densities.js"};

static const char *header(const dv_asset *a, const char *name)
{
    for (const char *const *h = a->headers; h[0]; h += 2)
        if (strcmp(h[0], name) == 0)
            return h[1];
    return NULL;
}

static void t_every_asset(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        const dv_asset *a = asset_find(paths[i]);
        assert_non_null(a);
        assert_string_equal(a->path, paths[i]);
        assert_true(a->len > 10);
        assert_non_null(a->content_type);
        /* "\"<16 hex of the length>-<16 hex of the hash>\"", the length matching */
        assert_int_equal(strlen(a->etag), 35);
        assert_true(a->etag[0] == '"' && a->etag[17] == '-' && a->etag[34] == '"');
        char len_hex[17];
        snprintf(len_hex, sizeof len_hex, "%016zx", a->len);
        assert_memory_equal(a->etag + 1, len_hex, 16);
        assert_string_equal(header(a, "ETag"), a->etag);
        assert_string_equal(header(a, "Cache-Control"), "no-cache");
        const char *csp = header(a, "Content-Security-Policy");
        assert_non_null(csp);
        assert_non_null(strstr(csp, "default-src 'self'"));
        assert_null(strstr(csp, "unsafe"));
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(asset_find(paths[j])->etag, a->etag);
    }
    assert_non_null(strstr(asset_find("/")->content_type, "text/html"));
    assert_non_null(
        strstr(asset_find("/assets/playground.js")->content_type, "text/javascript"));
    assert_string_equal(asset_find("/openapi.json")->content_type, "application/json");
    const dv_asset *j = asset_find("/openapi.json");
    assert_memory_equal(j->bytes, "{\"openapi\":\"3.1.", 16);
    assert_null(asset_find("/nope"));
    assert_null(asset_find("/assets/"));
    assert_null(asset_find("/assets/style.css/"));
    assert_true(asset_find("/") == asset_find("/")); /* one table, hashed once */
}

static void t_if_none_match(void **state)
{
    (void)state;
    const char *e = "\"0000000000000003-00000000000000ab\"";
    assert_false(asset_etag_matches(NULL, e));
    assert_false(asset_etag_matches("", e));
    assert_true(asset_etag_matches(e, e));
    assert_true(asset_etag_matches("W/\"0000000000000003-00000000000000ab\"", e));
    assert_true(
        asset_etag_matches("\"x\", \t W/\"y\",\"0000000000000003-00000000000000ab\"", e));
    assert_true(asset_etag_matches("*", e));
    assert_false(asset_etag_matches("\"0000000000000003-00000000000000ac\"", e));
    assert_false(
        asset_etag_matches("\"0000000000000003-00000000000000ab", e));        /* unclosed */
    assert_false(asset_etag_matches("0000000000000003-00000000000000ab", e)); /* unquoted */
    assert_false(asset_etag_matches("junk, \"0000000000000003-00000000000000ab\"", e));
    assert_false(asset_etag_matches("\"\"", e));
}

static void t_handler(void **state)
{
    (void)state;
    const dv_asset *a = asset_find("/docs");
    dv_req r;
    memset(&r, 0, sizeof r);
    r.path = "/docs";
    h_asset(&r);
    assert_false(r.failed);
    assert_true(r.static_body == a->bytes);
    assert_int_equal(r.static_len, a->len);
    assert_true(r.headers == a->headers);
    assert_string_equal(r.content_type, a->content_type);
    req_release(&r);

    memset(&r, 0, sizeof r);
    r.path = "/docs";
    r.if_none_match = a->etag;
    h_asset(&r);
    assert_false(r.failed);
    assert_int_equal(r.status, 304);
    assert_int_equal(r.static_len, 0);
    assert_true(r.headers == a->headers);
    req_release(&r);

    memset(&r, 0, sizeof r);
    r.path = "/assets/missing.js";
    h_asset(&r);
    assert_true(r.failed);
    assert_int_equal(r.code, E_NOT_FOUND);
    assert_null(r.headers);
    req_release(&r);
}

static void t_routes(void **state)
{
    (void)state;
    int i, j;
    const route *a = route_find(&api_routes, "/assets/style.css", &i);
    const route *b = route_find(&api_routes, "/assets/anything", &j);
    assert_non_null(a);
    assert_true(a == b && i == j);
    assert_string_equal(a->path, "/assets/{file}");
    assert_null(route_find(&api_routes, "/assets/", &i));
    assert_null(route_find(&api_routes, "/assets/a/b.js", &i));
    assert_int_equal(i, (int)api_routes.count);
    assert_null(route_find(&api_routes, "/assets", &i));
    assert_null(route_find(&api_routes, "/assetsx/y", &i));
    assert_non_null(route_find(&api_routes, "/", &i));
    assert_null(route_find(&api_routes, "/x", &i));
    assert_true(route_find(&api_routes, "/docs", &i)->handler == h_asset);
    assert_true(route_find(&api_routes, "/openapi.json", &i)->handler == h_asset);
}

/* The contract names the files /assets/{file} serves (GET's enum of `file`): exactly the
 * /assets/ paths here, so neither can gain a file alone. */
static void t_contract_lists_the_assets(void **state)
{
    (void)state;
    const dv_asset *doc = asset_find("/openapi.json");
    assert_non_null(doc);
    char *text = malloc(doc->len + 1);
    assert_non_null(text);
    memcpy(text, doc->bytes, doc->len);
    text[doc->len] = '\0';
    const char *op = strstr(text, "\"operationId\":\"asset\"");
    assert_non_null(op);
    char *list = strstr(op, "\"enum\":[");
    assert_non_null(list);
    list += 8;
    char *end = strchr(list, ']');
    assert_non_null(end);
    end[1] = '\0'; /* list is now ["a","b",…] */
    size_t entries = 1, assets = 0;
    for (const char *c = list; *c; c++)
        entries += *c == ',';
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        if (strncmp(paths[i], "/assets/", 8) != 0)
            continue;
        char quoted[64];
        snprintf(quoted, sizeof quoted, "\"%s\"", paths[i] + 8);
        if (!strstr(list, quoted))
            fail_msg("the contract's /assets/{file} does not list %s", paths[i]);
        assets++;
    }
    assert_int_equal(entries, assets);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_every_asset),   cmocka_unit_test(t_contract_lists_the_assets),
        cmocka_unit_test(t_if_none_match), cmocka_unit_test(t_handler),
        cmocka_unit_test(t_routes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
