/*
 * bigblock.h — growable storage for the decoder's large arrays (numbers, nodes, members).
 *
 * Blocks under BIGBLOCK_MAP_BYTES come from malloc/realloc. Larger ones get their own
 * anonymous mapping, aligned to 2 MiB and advised for transparent huge pages, and grow
 * by moving their pages (mremap) into a bigger aligned mapping: nothing is copied and a
 * 10^6-number array is backed by a handful of huge pages instead of 2,000 small ones.
 *
 * Why (measured on the 2-core VM, one /kl over two 10^6 arrays, 44.9 MB body): with
 * plain malloc the arrays were fresh mappings on most requests, ~3,900 page faults at
 * ~11 µs each, and the request took 0.16–0.19 s; when glibc happened to reuse heap pages
 * it took 0.11 s. Keeping freed memory in the heap fixes that but holds the memory after
 * the request (the soak's memory bar failed). Huge pages fix the fault count and still
 * give the memory back at once.
 */
#ifndef DV_BIGBLOCK_H
#define DV_BIGBLOCK_H

#include <stddef.h>

enum { BIGBLOCK_MAP_BYTES = 1 << 20 };

/* A block with room for `bytes`; NULL when out of memory. 16-byte aligned. */
void *bigblock_alloc(size_t bytes);
/* The block p (NULL: a new one) with room for `bytes` ≥ its current size, contents
 * kept; NULL when out of memory, p then unchanged and still owned by the caller. */
void *bigblock_grow(void *p, size_t bytes);
/* Releases a block from bigblock_alloc/grow; NULL is a no-op. */
void bigblock_free(void *p);

#endif
