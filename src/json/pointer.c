/*
 * pointer.c — building RFC 6901 JSON Pointers (see pointer.h).
 */
#include "pointer.h"

#include <stdio.h>

const char *ptr_index(char *buf, size_t size, const char *base, size_t i)
{
    if (snprintf(buf, size, "%s/%zu", base, i) >= (int)size)
        buf[size - 1] = '\0'; /* truncated pointers stay strings */
    return buf;
}

const char *ptr_member(char *buf, size_t size, const char *base, const char *name,
                       size_t len)
{
    size_t o = (size_t)snprintf(buf, size, "%s/", base);
    for (size_t i = 0; i < len && o + 3 < size; i++) {
        if (name[i] == '~') {
            buf[o++] = '~';
            buf[o++] = '0';
        } else if (name[i] == '/') {
            buf[o++] = '~';
            buf[o++] = '1';
        } else if (name[i] != '\0') {
            buf[o++] = name[i];
        }
    }
    if (o < size)
        buf[o] = '\0';
    return buf;
}

