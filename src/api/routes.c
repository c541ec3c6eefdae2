/*
 * routes.c — the service's route table (see routes.h).
 */
#include "routes.h"

#include "handlers.h"

#define POST_ALLOW "POST, OPTIONS"
#define GET_ALLOW "GET, HEAD, OPTIONS"

static const route rows[] = {
    {"/entropy", "POST", h_entropy, true, POST_ALLOW},
    {"/kl", "POST", h_kl, true, POST_ALLOW},
    {"/cross-entropy", "POST", h_cross_entropy, true, POST_ALLOW},
    {"/gaussian-kl", "POST", h_gaussian_kl, true, POST_ALLOW},
    {"/batch/categorical-kl", "POST", h_batch_kl, true, POST_ALLOW},
    {"/js", "POST", h_js, true, POST_ALLOW},
    {"/drift", "POST", h_drift, true, POST_ALLOW},
    {"/divergences", "POST", h_divergences, true, POST_ALLOW},
    {"/distributions/kl", "POST", h_distributions_kl, true, POST_ALLOW},
    {"/distributions/entropy", "POST", h_distributions_entropy, true, POST_ALLOW},
    {"/distributions", "GET", h_distributions, false, GET_ALLOW},
    {"/healthz", "GET", h_healthz, false, GET_ALLOW},
    {"/readyz", "GET", h_readyz, false, GET_ALLOW},
    {"/metrics", "GET", h_metrics, true, GET_ALLOW},
    {"/openapi.yaml", "GET", h_openapi, false, GET_ALLOW},
    {"/openapi.json", "GET", h_asset, false, GET_ALLOW},
    {"/", "GET", h_asset, false, GET_ALLOW},
    {"/docs", "GET", h_asset, false, GET_ALLOW},
    {"/assets/{file}", "GET", h_asset, false, GET_ALLOW},
};
const route_table api_routes = {rows, sizeof rows / sizeof rows[0]};
