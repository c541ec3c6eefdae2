/*
 * routes.c — the route table (see routes.h).
 */
#include "routes.h"

#include <string.h>

#include "handlers.h"

#define POST_ALLOW "POST, OPTIONS"
#define GET_ALLOW "GET, HEAD, OPTIONS"

const route routes[] = {
    {"/entropy", "POST", h_entropy, true, POST_ALLOW},
    {"/kl", "POST", h_kl, true, POST_ALLOW},
    {"/cross-entropy", "POST", h_cross_entropy, true, POST_ALLOW},
    {"/gaussian-kl", "POST", h_gaussian_kl, true, POST_ALLOW},
    {"/batch/categorical-kl", "POST", h_batch_kl, true, POST_ALLOW},
    {"/js", "POST", h_js, true, POST_ALLOW},
    {"/healthz", "GET", h_healthz, false, GET_ALLOW},
    {"/readyz", "GET", h_readyz, false, GET_ALLOW},
    {"/metrics", "GET", h_metrics, true, GET_ALLOW},
    {"/openapi.yaml", "GET", h_openapi, false, GET_ALLOW},
    {"/openapi.json", "GET", h_asset, false, GET_ALLOW},
    {"/", "GET", h_asset, false, GET_ALLOW},
    {"/docs", "GET", h_asset, false, GET_ALLOW},
    {"/assets/{file}", "GET", h_asset, false, GET_ALLOW},
};
const size_t route_count = sizeof routes / sizeof routes[0];

const route *route_find(const char *path, int *index)
{
    for (size_t i = 0; i < route_count; i++) {
        /* A last segment "{name}" (the contract's template) matches one non-empty
         * segment: one row, and one metrics label, for the files of a folder. */
        const char *p = routes[i].path, *brace = strrchr(p, '{');
        size_t n = brace ? (size_t)(brace - p) : 0;
        bool tmpl = brace && n > 0 && p[n - 1] == '/' && p[strlen(p) - 1] == '}';
        if (tmpl ? strncmp(p, path, n) == 0 && path[n] != '\0' && !strchr(path + n, '/')
                 : strcmp(p, path) == 0) {
            *index = (int)i;
            return &routes[i];
        }
    }
    *index = (int)route_count;
    return NULL;
}
