/*
 * reply.c — shared response members (see reply.h).
 */
#include "numfmt.h"
#include "reply.h"

#include <stdio.h>
#include <string.h>

void emit_base_unit(jw *w, const opts *o)
{
    jw_key(w, "base");
    if (o->base.natural) {
        jw_str(w, "e");
        jw_key(w, "unit");
        jw_str(w, "nat");
        return;
    }
    double b = o->base.base;
    jw_num(w, b);
    jw_key(w, "unit");
    char num[32], unit[40];
    numfmt_shortest(num, b);
    if (strcmp(num, "2") == 0)
        jw_str(w, "bit");
    else if (strcmp(num, "10") == 0)
        jw_str(w, "hartley");
    else {
        snprintf(unit, sizeof unit, "log%s", num);
        jw_str(w, unit);
    }
}

void emit_value(jw *w, const char *key, double nats, const dv_base *b)
{
    jw_key(w, key);
    jw_num(w, dv_to_base(nats, b));
}
