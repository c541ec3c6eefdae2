/*
 * arena.c — a chain of blocks, each at least twice the previous (capped), bump-allocated.
 * Blocks come from bigblock.c: from 1 MiB on they are huge-page mappings, and the cap
 * makes a full-size block exactly one 2 MiB page (a 19 MB batch body needs ~10 of them
 * instead of ~4,000 faulted 4 KiB pages).
 */
#include "arena.h"
#include "bigblock.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

struct arena_block {
    arena_block *next;
    size_t cap;
    size_t used;
    size_t pad_; /* keeps data 16-byte aligned on LP64 */
    unsigned char data[];
};

struct arena_owned {
    arena_owned *next;
    void (*dispose)(void *);
    void *obj;
};

/* 2 MiB less this block header and bigblock's 16-byte header */
enum { ARENA_FIRST = 4096, ARENA_MAX_STEP = (2u << 20) - 48, ARENA_ALIGN = 16 };

void *arena_alloc(arena *a, size_t size)
{
    if (size > SIZE_MAX - ARENA_ALIGN - sizeof(arena_block))
        return NULL;
    size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    arena_block *b = a->head;
    if (!b || b->cap - b->used < size) {
        size_t cap = b ? b->cap * 2 : ARENA_FIRST;
        if (cap > ARENA_MAX_STEP / 2)
            cap = ARENA_MAX_STEP; /* no half-used 2 MiB mapping */
        if (cap < size)
            cap = size;
        arena_block *nb = bigblock_alloc(sizeof *nb + cap);
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
    assert(((uintptr_t)p & (ARENA_ALIGN - 1)) == 0 && b->used <= b->cap);
    return p;
}

bool arena_extend(arena *a, void *p, size_t old_size, size_t new_size)
{
    arena_block *b = a->head;
    if (!b || !p || new_size > SIZE_MAX - ARENA_ALIGN)
        return false;
    uintptr_t start = (uintptr_t)b->data, at = (uintptr_t)p;
    if (at < start || at - start > b->used)
        return false; /* not in the newest block */
    size_t off = (size_t)(at - start);
    size_t old_end = off + ((old_size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1));
    size_t new_end = off + ((new_size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1));
    if (old_end != b->used || new_end > b->cap)
        return false;
    b->used = new_end;
    return true;
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

bool arena_adopt(arena *a, void *obj, void (*dispose)(void *))
{
    assert(dispose);
    if (!obj)
        return true;
    arena_owned *o = arena_alloc(a, sizeof *o);
    if (!o) {
        dispose(obj);
        return false;
    }
    o->dispose = dispose;
    o->obj = obj;
    o->next = a->owned;
    a->owned = o;
    return true;
}

void arena_release(arena *a)
{
    /* Disposers first: their records live in the blocks freed below. */
    for (arena_owned *o = a->owned; o; o = o->next)
        o->dispose(o->obj);
    a->owned = NULL;
    arena_block *b = a->head;
    while (b) {
        arena_block *next = b->next;
        bigblock_free(b);
        b = next;
    }
    a->head = NULL;
    a->bytes = 0;
}
