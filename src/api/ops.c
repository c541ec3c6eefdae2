/*
 * ops.c — the operational routes: liveness, readiness, metrics, the OpenAPI document.
 */
#include "handlers.h"
#include "metrics.h"
#include "server.h"

/* api/openapi.yaml, embedded at build time (src/api/openapi_embed.S). */
extern const char dv_openapi_yaml[];
extern const char dv_openapi_yaml_end[];

void h_healthz(dv_req *r)
{
    jw_raw(req_json(r), "{\"status\":\"ok\"}", 15);
}

void h_readyz(dv_req *r)
{
    if (server_draining()) {
        req_fail(r, E_UNAVAILABLE, NULL,
                 "the server is shutting down; use another replica");
        return;
    }
    jw_raw(req_json(r), "{\"status\":\"ready\"}", 18);
}

void h_metrics(dv_req *r)
{
    r->content_type = "text/plain; version=0.0.4; charset=utf-8";
    metrics_render(req_json(r));
}

void h_openapi(dv_req *r)
{
    r->content_type = "application/yaml";
    r->static_body = dv_openapi_yaml;
    r->static_len = (size_t)(dv_openapi_yaml_end - dv_openapi_yaml);
}
