/*
 * bigblock.c — see bigblock.h. Every block starts with a 16-byte header: the size of its
 * mapping (0 for a malloc'd block) and the bytes usable after the header.
 */
#include "bigblock.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE_BYTES ((size_t)2 << 20)

typedef struct header {
    size_t map; /* bytes of the mapping, header included; 0: malloc'd */
    size_t cap; /* usable bytes after the header */
} header;

_Static_assert(sizeof(header) == 16, "the header keeps blocks 16-byte aligned");

static void *user(header *h)
{
    return h + 1;
}

static header *head_of(void *p)
{
    return (header *)p - 1;
}

/* A fresh mapping of `bytes` (a multiple of HUGE_BYTES) starting on a 2 MiB boundary,
 * so that the kernel can back it with huge pages; NULL on failure. */
static void *map_aligned(size_t bytes)
{
    size_t span = bytes + HUGE_BYTES;
    char *raw = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED)
        return NULL;
    char *start = (char *)(((uintptr_t)raw + HUGE_BYTES - 1) & ~(uintptr_t)(HUGE_BYTES - 1));
    if (start > raw)
        munmap(raw, (size_t)(start - raw));
    size_t tail = (size_t)(raw + span - (start + bytes));
    if (tail > 0)
        munmap(start + bytes, tail);
    (void)madvise(start, bytes, MADV_HUGEPAGE); /* advice only: fine if THP is off */
    return start;
}

/* Mapping size for `bytes` usable bytes; 0 on overflow. */
static size_t map_size(size_t bytes)
{
    if (bytes > SIZE_MAX - sizeof(header) - 2 * HUGE_BYTES)
        return 0;
    return (bytes + sizeof(header) + HUGE_BYTES - 1) & ~(HUGE_BYTES - 1);
}

static void *new_mapped(size_t bytes)
{
    size_t m = map_size(bytes);
    header *h = m ? map_aligned(m) : NULL;
    if (!h)
        return NULL;
    *h = (header){m, m - sizeof(header)};
    return user(h);
}

void *bigblock_alloc(size_t bytes)
{
    if (bytes >= BIGBLOCK_MAP_BYTES)
        return new_mapped(bytes);
    header *h = malloc(sizeof(header) + bytes);
    if (!h)
        return NULL;
    *h = (header){0, bytes};
    return user(h);
}

void *bigblock_grow(void *p, size_t bytes)
{
    if (!p)
        return bigblock_alloc(bytes);
    header *h = head_of(p);
    if (bytes <= h->cap)
        return p;
    if (h->map == 0 && bytes < BIGBLOCK_MAP_BYTES) {
        header *nh = realloc(h, sizeof(header) + bytes);
        if (!nh)
            return NULL;
        nh->cap = bytes;
        return user(nh);
    }
    if (h->map == 0) {
        void *np = new_mapped(bytes);
        if (!np)
            return NULL;
        memcpy(np, p, h->cap);
        free(h);
        return np;
    }
    /* Move the pages of the old mapping to the start of a bigger aligned one: no copy,
     * and huge pages stay whole because both ends are 2 MiB aligned. */
    size_t m = map_size(bytes);
    header *nh = m ? map_aligned(m) : NULL;
    if (!nh)
        return NULL;
    if (mremap(h, h->map, h->map, MREMAP_MAYMOVE | MREMAP_FIXED, nh) == MAP_FAILED) {
        memcpy(nh, h, h->map);
        munmap(h, h->map);
    }
    *nh = (header){m, m - sizeof(header)};
    return user(nh);
}

void bigblock_free(void *p)
{
    if (!p)
        return;
    header *h = head_of(p);
    if (h->map)
        munmap(h, h->map);
    else
        free(h);
}
