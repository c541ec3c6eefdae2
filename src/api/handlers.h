/*
 * handlers.h — one function per route; each is decode → validate → compute → encode.
 */
#ifndef DV_HANDLERS_H
#define DV_HANDLERS_H

#include "request.h"

void h_entropy(dv_req *r);
void h_kl(dv_req *r);
void h_js(dv_req *r);
void h_divergences(dv_req *r);
void h_cross_entropy(dv_req *r);
void h_gaussian_kl(dv_req *r);
void h_batch_kl(dv_req *r);
void h_drift(dv_req *r);
void h_healthz(dv_req *r);
void h_readyz(dv_req *r);
void h_metrics(dv_req *r);
void h_openapi(dv_req *r);
/* The page assets and /openapi.json (src/api/assets.c). */
void h_asset(dv_req *r);
void h_distributions_kl(dv_req *r);
void h_distributions_entropy(dv_req *r);
void h_distributions(dv_req *r);

#endif
