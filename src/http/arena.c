/*
 * arena.c — a chain of blocks, each at least twice the previous (capped), bump-allocated.
 */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct arena_block {
    arena_block *next;
    size_t cap;
    size_t used;
    size_t pad_; /* keeps data 16-byte aligned on LP64 */
    unsigned char data[];
};

enum { ARENA_FIRST = 4096, ARENA_MAX_STEP = 1u << 20, ARENA_ALIGN = 16 };

void *arena_alloc(arena *a, size_t size)
{
    if (size > SIZE_MAX - ARENA_ALIGN - sizeof(arena_block))
        return NULL;
    size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    arena_block *b = a->head;
    if (!b || b->cap - b->used < size) {
        size_t cap = b ? b->cap * 2 : ARENA_FIRST;
        if (cap > ARENA_MAX_STEP)
            cap = ARENA_MAX_STEP;
        if (cap < size)
            cap = size;
        arena_block *nb = malloc(sizeof *nb + cap);
        if (!nb)
            return NULL;
        nb->cap = cap;
        nb->used = 0;
        /* A big one-off allocation goes behind the current block so the current
         * block's free space stays usable. */
        if (b && size > ARENA_MAX_STEP / 2) {
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            a->head = nb;
        }
        a->bytes += cap;
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += size;
    return p;
}

void *arena_calloc(arena *a, size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    void *p = arena_alloc(a, n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

void arena_release(arena *a)
{
    arena_block *b = a->head;
    while (b) {
        arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->bytes = 0;
}
