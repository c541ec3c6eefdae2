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
typedef struct arena {
    arena_block *head;
    size_t bytes; /* total bytes held, for limits and debugging */
} arena;

/* 16-byte aligned; NULL on allocation failure or size overflow. */
void *arena_alloc(arena *a, size_t size);
/* Grows p, the newest allocation, in place from old_size to new_size bytes when its
 * block has room; false (p untouched) otherwise. Arrays that grow while nothing else is
 * allocated (numbers being parsed) then take no copies and leave no holes. */
bool arena_extend(arena *a, void *p, size_t old_size, size_t new_size);
/* n × size, zeroed; NULL on overflow of n × size or allocation failure. */
void *arena_calloc(arena *a, size_t n, size_t size);
void arena_release(arena *a);

#endif
