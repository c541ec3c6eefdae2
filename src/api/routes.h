/*
 * routes.h — the service's endpoints: the table main() hands to server_start().
 */
#ifndef DV_ROUTES_H
#define DV_ROUTES_H

#include "route.h"

extern const route_table api_routes;

#endif
