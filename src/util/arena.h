/*
 * arena.h — per-request memory: many allocations, one release when the request ends
 * (the h2o pool idea). Nothing allocated here needs its own free(); a request that fails
 * half-way leaks nothing by construction.
 */
#ifndef DV_ARENA_H
#define DV_ARENA_H

#include <stdbool.h>
#include <stddef.h>

typedef struct arena_block arena_block;
typedef struct arena_owned arena_owned;
typedef struct arena {
    arena_block *head;
    arena_owned *owned; /* memory from elsewhere the arena frees on release (newest first) */
    size_t bytes;       /* total bytes held, for limits and debugging */
} arena;

/* 16-byte aligned; NULL on allocation failure or size overflow. */
void *arena_alloc(arena *a, size_t size);
/* Grows p, the newest allocation, in place from old_size to new_size bytes when its
 * block has room; false (p untouched) otherwise. Arrays that grow while nothing else is
 * allocated (numbers being parsed) then take no copies and leave no holes. */
bool arena_extend(arena *a, void *p, size_t old_size, size_t new_size);
/* n × size, zeroed; NULL on overflow of n × size or allocation failure. */
void *arena_calloc(arena *a, size_t n, size_t size);
/*
 * The one ownership primitive for memory that does not come from the arena (the core's
 * malloc'd supports and counts, the decoder's big blocks): the arena takes obj and calls
 * dispose(obj) when it is released. If the arena cannot record that (out of memory), it
 * calls dispose(obj) at once and returns false — so after this call obj always has an
 * owner, and the caller never needs a cleanup path of its own. obj NULL is a no-op (true).
 */
bool arena_adopt(arena *a, void *obj, void (*dispose)(void *));
/* Runs the disposers (newest first), then frees every block. The arena is reusable. */
void arena_release(arena *a);

#endif
