/*
 * assets.h — the files the daemon serves as they are: the playground (GET /), the API
 * reference page (GET /docs), their scripts and style sheet (GET /assets/…), and the
 * OpenAPI document as JSON (GET /openapi.json). All are embedded at build time
 * (src/api/assets_embed.S), so a running daemon needs no file system and cannot serve a
 * file it was not built with.
 *
 * Each asset has a strong ETag (a hash of its bytes, made once, on first use), and is
 * served with a Content-Security-Policy that allows only the page's own origin (the
 * pages load nothing else: no CDN, no inline script or style), Cache-Control "no-cache"
 * (a browser keeps its copy but asks each time; the answer is a bodiless 304 while the
 * ETag still matches, so a new build is picked up at once) and nosniff.
 */
#ifndef DV_ASSETS_H
#define DV_ASSETS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct dv_asset {
    const char *path;         /* the URL path, e.g. "/assets/style.css" */
    const char *content_type; /* with charset for text */
    const char *bytes;        /* embedded; not NUL-terminated as far as len goes */
    size_t len;
    const char *etag; /* a strong entity tag, quotes included: "\"…\"" */
    /* Response headers for this asset: name, value, …, NULL (ETag, CSP, Cache-Control,
     * X-Content-Type-Options, Referrer-Policy). Lives as long as the process. */
    const char *const *headers;
} dv_asset;

/* The asset served at path (exact match), or NULL. Thread-safe; the first call hashes
 * every asset. */
const dv_asset *asset_find(const char *path);

/* Whether an If-None-Match header value (NULL when absent) matches etag, with RFC 9110's
 * weak comparison (a W/ prefix is ignored; "*" matches any). A malformed list matches
 * nothing, so the full answer is sent. */
bool asset_etag_matches(const char *if_none_match, const char *etag);

#endif
