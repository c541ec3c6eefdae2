/*
 * test_util_memory.c — the request memory helpers: bigblock (malloc'd below 1 MiB, huge-page
 * mappings above, grown without losing contents) and arena_extend (in-place growth of the
 * newest allocation only).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "bigblock.h"

static void fill(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(i * 31 + seed);
}

static size_t first_mismatch(const unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (unsigned char)(i * 31 + seed))
            return i;
    return n;
}

static void t_bigblock_small_and_large(void **state)
{
    (void)state;
    unsigned char *s = bigblock_alloc(100);
    assert_non_null(s);
    assert_int_equal((uintptr_t)s % 16, 0);
    fill(s, 100, 1);
    bigblock_free(s);

    size_t big = (size_t)3 << 20;
    unsigned char *b = bigblock_alloc(big);
    assert_non_null(b);
    assert_int_equal((uintptr_t)b % 16, 0);
    /* the mapping (header included) starts on a 2 MiB boundary */
    assert_int_equal(((uintptr_t)b - 16) % ((size_t)2 << 20), 0);
    fill(b, big, 2);
    assert_int_equal(first_mismatch(b, big, 2), big);
    bigblock_free(b);
    bigblock_free(NULL);
}

/* Doubling from 64 KiB to 32 MiB: realloc, then the switch to a mapping, then mremap
 * moves; after each step every byte written so far is still there. */
static void t_bigblock_grow_keeps_contents(void **state)
{
    (void)state;
    size_t n = 64 * 1024;
    unsigned char *p = bigblock_grow(NULL, n);
    assert_non_null(p);
    fill(p, n, 3);
    while (n < ((size_t)32 << 20)) {
        size_t m = n * 2;
        unsigned char *q = bigblock_grow(p, m);
        assert_non_null(q);
        assert_int_equal(first_mismatch(q, n, 3), n);
        fill(q, m, 3);
        p = q;
        n = m;
    }
    /* asking for no more than it holds returns the same block */
    assert_ptr_equal(bigblock_grow(p, n / 2), p);
    bigblock_free(p);
}

static void t_arena_extend_newest_only(void **state)
{
    (void)state;
    arena a = {0};
    char *x = arena_alloc(&a, 64);
    assert_non_null(x);
    memset(x, 'x', 64);
    /* x is the newest allocation: grows in place */
    assert_true(arena_extend(&a, x, 64, 256));
    memset(x, 'x', 256);
    char *y = arena_alloc(&a, 32);
    assert_non_null(y);
    assert_true(y >= x + 256);
    /* x is no longer the newest: refused */
    assert_false(arena_extend(&a, x, 256, 512));
    /* y is, but the block (4 KiB first) has no room for 1 MiB */
    assert_false(arena_extend(&a, y, 32, (size_t)1 << 20));
    assert_true(arena_extend(&a, y, 32, 64));
    char *z = arena_alloc(&a, 16);
    assert_true(z >= y + 64);
    /* a pointer from another arena is refused */
    arena other = {0};
    char *o = arena_alloc(&other, 16);
    assert_false(arena_extend(&a, o, 16, 32));
    for (int i = 0; i < 256; i++)
        assert_int_equal(x[i], 'x');
    arena_release(&other);
    arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_bigblock_small_and_large),
        cmocka_unit_test(t_bigblock_grow_keeps_contents),
        cmocka_unit_test(t_arena_extend_newest_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
