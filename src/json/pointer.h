/*
 * pointer.h — RFC 6901 JSON Pointers, built segment by segment. Pointers that do not fit
 * the caller's buffer are truncated, never overrun (they stay valid strings).
 */
#ifndef DV_JSON_POINTER_H
#define DV_JSON_POINTER_H

#include <stddef.h>

/* base + "/" + i → buf. */
const char *ptr_index(char *buf, size_t size, const char *base, size_t i);
/* base + "/" + the member name escaped (~ → ~0, / → ~1; NUL bytes dropped) → buf. */
const char *ptr_member(char *buf, size_t size, const char *base, const char *name,
                       size_t len);

#endif
