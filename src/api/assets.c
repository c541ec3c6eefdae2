/*
 * assets.c — the embedded page assets and the handler that serves them (see assets.h).
 *
 * The table below is the one place that names an asset: its URL path, its content type
 * and its bytes (symbols from src/api/assets_embed.S). h_asset serves GET and HEAD for
 * every row (libmicrohttpd drops the body of a HEAD answer itself), and 304 with no
 * body when If-None-Match names the current ETag.
 */
#include "assets.h"

#include <assert.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "handlers.h"

#define EMBED(name) extern const char name[], name##_end[]
EMBED(dv_asset_index_html);
EMBED(dv_asset_docs_html);
EMBED(dv_asset_style_css);
EMBED(dv_asset_openapi_js);
EMBED(dv_asset_playground_js);
EMBED(dv_asset_docs_js);
EMBED(dv_asset_icon_svg);
EMBED(dv_asset_densities_js);
EMBED(dv_asset_openapi_json);

#define HTML "text/html; charset=utf-8"
#define JS "text/javascript; charset=utf-8"
#define CSS "text/css; charset=utf-8"

static const struct {
    const char *path, *type, *start, *end;
} table[] = {
    {"/", HTML, dv_asset_index_html, dv_asset_index_html_end},
    {"/docs", HTML, dv_asset_docs_html, dv_asset_docs_html_end},
    {"/assets/style.css", CSS, dv_asset_style_css, dv_asset_style_css_end},
    {"/assets/openapi.js", JS, dv_asset_openapi_js, dv_asset_openapi_js_end},
    {"/assets/playground.js", JS, dv_asset_playground_js, dv_asset_playground_js_end},
    {"/assets/docs.js", JS, dv_asset_docs_js, dv_asset_docs_js_end},
    {"/assets/icon.svg", "image/svg+xml", dv_asset_icon_svg, dv_asset_icon_svg_end},
    {"/assets/densities.js", JS, dv_asset_densities_js, dv_asset_densities_js_end},
    {"/openapi.json", "application/json", dv_asset_openapi_json, dv_asset_openapi_json_end},
};
enum { N_ASSETS = sizeof table / sizeof table[0] };

/* Only the page's own origin, for everything; the pages need no inline script or style
 * (their JS sets styles through the CSSOM, which style-src does not restrict). Nothing
 * may frame them, and forms and <base> cannot point elsewhere. */
static const char csp[] = "default-src 'self'; script-src 'self'; style-src 'self'; "
                          "img-src 'self'; connect-src 'self'; object-src 'none'; "
                          "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

enum { N_HEADERS = 5 };
/* "\"" + 16 hex digits of length + "-" + 16 of hash + "\"" + NUL */
enum { ETAG_SIZE = 1 + 16 + 1 + 16 + 1 + 1 };

static dv_asset assets[N_ASSETS];
static char etags[N_ASSETS][ETAG_SIZE];
static const char *headers[N_ASSETS][2 * N_HEADERS + 1];
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* FNV-1a, 64 bits: the ETag only has to change when the bytes do (a cache validator, not
 * a security property), and with the length beside it a collision between two builds of
 * one asset is not a practical concern. */
static uint64_t fnv1a(const char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 0x100000001b3u;
    }
    return h;
}

static void init(void)
{
    for (size_t i = 0; i < N_ASSETS; i++) {
        assert(table[i].end >= table[i].start);
        size_t len = (size_t)(table[i].end - table[i].start);
        int n = snprintf(etags[i], sizeof etags[i], "\"%016llx-%016llx\"",
                         (unsigned long long)len,
                         (unsigned long long)fnv1a(table[i].start, len));
        assert(n == ETAG_SIZE - 1);
        (void)n;
        const char **h = headers[i];
        size_t k = 0;
        h[k++] = "ETag";
        h[k++] = etags[i];
        h[k++] = "Content-Security-Policy";
        h[k++] = csp;
        h[k++] = "Cache-Control";
        h[k++] = "no-cache";
        h[k++] = "X-Content-Type-Options";
        h[k++] = "nosniff";
        h[k++] = "Referrer-Policy";
        h[k++] = "no-referrer";
        h[k] = NULL;
        assert(k == 2 * N_HEADERS);
        assets[i] = (dv_asset){table[i].path, table[i].type, table[i].start,
                               len,           etags[i],      headers[i]};
    }
}

const dv_asset *asset_find(const char *path)
{
    pthread_once(&once, init);
    for (size_t i = 0; i < N_ASSETS; i++)
        if (strcmp(assets[i].path, path) == 0)
            return &assets[i];
    return NULL;
}

bool asset_etag_matches(const char *inm, const char *etag)
{
    if (!inm)
        return false;
    size_t elen = strlen(etag);
    const char *p = inm;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '\0')
            return false;
        if (*p == '*')
            return true;
        if (p[0] == 'W' && p[1] == '/')
            p += 2;
        if (*p != '"')
            return false; /* not an entity-tag: stop, answer in full */
        const char *close = strchr(p + 1, '"');
        if (!close)
            return false;
        size_t n = (size_t)(close - p) + 1;
        if (n == elen && memcmp(p, etag, n) == 0)
            return true;
        p = close + 1;
    }
}

void h_asset(dv_req *r)
{
    const dv_asset *a = asset_find(r->path);
    if (!a) {
        req_fail(r, E_NOT_FOUND, NULL, "no file %.200s here; the pages are / and /docs",
                 r->path);
        return;
    }
    r->content_type = a->content_type;
    r->headers = a->headers;
    if (asset_etag_matches(r->if_none_match, a->etag)) {
        r->status = 304;
        r->static_body = "";
        r->static_len = 0;
        return;
    }
    r->static_body = a->bytes;
    r->static_len = a->len;
}
