/*
 * route.c — looking a path up in the route table (see route.h).
 */
#include "route.h"

#include <string.h>

const route *route_find(const route_table *t, const char *path, int *index)
{
    for (size_t i = 0; i < t->count; i++) {
        if (strcmp(t->rows[i].path, path) == 0) {
            *index = (int)i;
            return &t->rows[i];
        }
    }
    *index = (int)t->count;
    return NULL;
}
