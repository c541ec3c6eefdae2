/*
 * route.c — looking a path up in the route table (see route.h).
 */
#include "route.h"

#include <string.h>

const route *route_find(const route_table *t, const char *path, int *index)
{
    for (size_t i = 0; i < t->count; i++) {
        /* A last segment "{name}" (the contract's template) matches one non-empty
         * segment: one row, and one metrics label, for the files of a folder. */
        const char *p = t->rows[i].path, *brace = strrchr(p, '{');
        size_t n = brace ? (size_t)(brace - p) : 0;
        bool tmpl = brace && n > 0 && p[n - 1] == '/' && p[strlen(p) - 1] == '}';
        if (tmpl ? strncmp(p, path, n) == 0 && path[n] != '\0' && !strchr(path + n, '/')
                 : strcmp(p, path) == 0) {
            *index = (int)i;
            return &t->rows[i];
        }
    }
    *index = (int)t->count;
    return NULL;
}
