/*
 * samples.c — distinct sample values in order of first appearance, and empirical counts.
 *
 * dv_support is an insertion-ordered hash set: the keys live in a dense array (their
 * index is their position in the support), and an open-addressing table of slot → key
 * index (linear probing, power-of-two size, at most half full, doubled when needed) finds
 * them. Equality follows JSON values: numbers by numeric value (−0 == 0, 1 == 1.0), strings
 * by bytes (NUL allowed), booleans only to booleans. Keys are hashed in the same canonical
 * form as they are compared, so equal keys always land in the same probe sequence.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MIN_SLOTS 16

struct dv_support {
    dv_key *keys;     /* insertion order; strings borrowed                       */
    uint64_t *hashes; /* hashes[i] of keys[i], so growth never re-reads strings   */
    size_t size;
    size_t key_cap;
    size_t *slots; /* 0 = empty, else key index + 1                             */
    size_t slot_mask;
    uint64_t seed; /* per-set, so colliding inputs cannot be prepared in advance */
};

/* splitmix64's finaliser: a full-avalanche 64-bit mix. */
static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

/* A number's canonical bits: −0 and +0 are one key, every NaN is one key. */
static uint64_t num_bits(double x)
{
    uint64_t b;
    if (fpclassify(x) == FP_ZERO)
        return 0;
    if (isnan(x))
        return 0x7ff8000000000000ULL;
    memcpy(&b, &x, sizeof b);
    return b;
}

static uint64_t key_hash(const dv_key *k, uint64_t seed)
{
    switch (k->kind) {
    case DV_KEY_NUMBER: return mix64(num_bits(k->num) ^ seed);
    case DV_KEY_BOOL: return mix64((k->boolean ? 0xb001ULL : 0xb000ULL) ^ (seed + 1));
    case DV_KEY_STRING: {
        /* FNV-1a over the bytes (NULs included), seeded, then the full mix. */
        uint64_t h = 0xcbf29ce484222325ULL ^ seed;
        for (size_t i = 0; i < k->len; i++) {
            h ^= (unsigned char)k->str[i];
            h *= 0x100000001b3ULL;
        }
        return mix64(h ^ k->len);
    }
    }
    return 0;
}

static bool key_equal(const dv_key *a, const dv_key *b)
{
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case DV_KEY_NUMBER: return num_bits(a->num) == num_bits(b->num);
    case DV_KEY_BOOL: return a->boolean == b->boolean;
    case DV_KEY_STRING:
        return a->len == b->len && (a->len == 0 || memcmp(a->str, b->str, a->len) == 0);
    }
    return false;
}

/* Smallest power of two ≥ 2·n (load ≤ ½), at least MIN_SLOTS; 0 if it would overflow. */
static size_t slots_for(size_t n)
{
    size_t want = MIN_SLOTS;
    while (want / 2 < n) {
        if (want > SIZE_MAX / 2 / sizeof(size_t))
            return 0;
        want *= 2;
    }
    return want;
}

dv_support *dv_support_new(size_t capacity_hint)
{
    dv_support *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    size_t nslots = slots_for(capacity_hint);
    size_t kcap = capacity_hint < 8 ? 8 : capacity_hint;
    if (nslots == 0 || kcap > SIZE_MAX / sizeof(dv_key)) {
        free(s);
        return NULL;
    }
    s->slots = calloc(nslots, sizeof *s->slots);
    s->keys = malloc(kcap * sizeof *s->keys);
    s->hashes = malloc(kcap * sizeof *s->hashes);
    if (!s->slots || !s->keys || !s->hashes) {
        dv_support_free(s);
        return NULL;
    }
    s->slot_mask = nslots - 1;
    s->key_cap = kcap;
    /* The set's own address (ASLR-randomised) seeds the hash; order is unaffected. */
    s->seed = mix64((uint64_t)(uintptr_t)s ^ 0x9e3779b97f4a7c15ULL);
    return s;
}

void dv_support_free(dv_support *s)
{
    if (!s)
        return;
    free(s->slots);
    free(s->keys);
    free(s->hashes);
    free(s);
}

/* The slot holding k, or the empty slot where it would go. */
static size_t probe(const dv_support *s, const dv_key *k, uint64_t h)
{
    size_t i = (size_t)h & s->slot_mask;
    for (;;) {
        size_t e = s->slots[i];
        if (e == 0)
            return i;
        if (s->hashes[e - 1] == h && key_equal(&s->keys[e - 1], k))
            return i;
        i = (i + 1) & s->slot_mask;
    }
}

/* Doubles the slot table and re-inserts from the stored hashes. */
static dv_status grow_slots(dv_support *s)
{
    size_t n = s->slot_mask + 1;
    if (n > SIZE_MAX / 2 / sizeof(size_t))
        return DV_TOO_LARGE;
    size_t *slots = calloc(2 * n, sizeof *slots);
    if (!slots)
        return DV_NO_MEMORY;
    size_t mask = 2 * n - 1;
    for (size_t k = 0; k < s->size; k++) {
        size_t i = (size_t)s->hashes[k] & mask;
        while (slots[i] != 0)
            i = (i + 1) & mask;
        slots[i] = k + 1;
    }
    free(s->slots);
    s->slots = slots;
    s->slot_mask = mask;
    return DV_OK;
}

/* Doubles the key arrays; on failure the set is unchanged. */
static dv_status grow_keys(dv_support *s)
{
    if (s->key_cap > SIZE_MAX / 2 / sizeof(dv_key))
        return DV_TOO_LARGE;
    size_t cap = 2 * s->key_cap;
    dv_key *keys = realloc(s->keys, cap * sizeof *keys);
    if (!keys)
        return DV_NO_MEMORY;
    s->keys = keys;
    uint64_t *hashes = realloc(s->hashes, cap * sizeof *hashes);
    if (!hashes)
        return DV_NO_MEMORY; /* keys grew, hashes did not: key_cap stays the smaller */
    s->hashes = hashes;
    s->key_cap = cap;
    return DV_OK;
}

dv_status dv_support_add(dv_support *s, const dv_key *k, size_t *index)
{
    uint64_t h = key_hash(k, s->seed);
    size_t i = probe(s, k, h);
    if (s->slots[i] != 0) {
        *index = s->slots[i] - 1;
        return DV_OK;
    }
    dv_status st;
    if (s->size == s->key_cap && (st = grow_keys(s)) != DV_OK)
        return st;
    /* Keep the table at most half full: short probe sequences even for 10^6 keys. */
    if (s->size + 1 > (s->slot_mask + 1) / 2) {
        if ((st = grow_slots(s)) != DV_OK)
            return st;
        i = probe(s, k, h);
    }
    s->keys[s->size] = *k;
    s->hashes[s->size] = h;
    s->slots[i] = s->size + 1;
    *index = s->size++;
    return DV_OK;
}

size_t dv_support_find(const dv_support *s, const dv_key *k)
{
    size_t e = s->slots[probe(s, k, key_hash(k, s->seed))];
    return e == 0 ? DV_NO_INDEX : e - 1;
}

size_t dv_support_size(const dv_support *s)
{
    return s->size;
}

const dv_key *dv_support_key(const dv_support *s, size_t i)
{
    return i < s->size ? &s->keys[i] : NULL;
}

/* Adds every key, then counts them by the index each add returns. */
static dv_status add_all(dv_support *s, const dv_key *ks, size_t n)
{
    size_t idx;
    for (size_t i = 0; i < n; i++) {
        dv_status st = dv_support_add(s, &ks[i], &idx);
        if (st != DV_OK)
            return st;
    }
    return DV_OK;
}

static double *count(const dv_support *s, const dv_key *ks, size_t n)
{
    double *c = calloc(s->size, sizeof *c);
    if (!c)
        return NULL;
    /* Counts up to 2^53 are exact in a double. */
    for (size_t i = 0; i < n; i++)
        c[dv_support_find(s, &ks[i])] += 1.0;
    return c;
}

dv_status dv_empirical(const dv_key *ps, size_t np, const dv_key *qs, size_t nq,
                       dv_support **support, double **p_counts, double **q_counts,
                       dv_error *err)
{
    *support = NULL;
    *p_counts = NULL;
    *q_counts = NULL;
    if (np == 0)
        return dv_fail_at(err, DV_EMPTY, dv_at(DV_ARG_P, NULL),
                       "the p samples are empty; give at least one sample");
    if (qs && nq == 0)
        return dv_fail_at(err, DV_EMPTY, dv_at(DV_ARG_Q, NULL),
                       "the q samples are empty; give at least one sample");
    size_t total = (qs && nq <= SIZE_MAX - np) ? np + nq : np;
    /* A modest hint: repeated samples are the common case, and the set doubles anyway. */
    dv_support *s = dv_support_new(total < 4096 ? total : 4096);
    if (!s)
        return dv_fail_at(err, DV_NO_MEMORY, dv_at(DV_ARG_NONE, NULL),
                       "out of memory for the set of distinct samples");
    dv_status st = add_all(s, ps, np);
    if (st == DV_OK && qs)
        st = add_all(s, qs, nq);
    double *pc = NULL, *qc = NULL;
    if (st == DV_OK) {
        pc = count(s, ps, np);
        if (pc && qs)
            qc = count(s, qs, nq);
        if (!pc || (qs && !qc))
            st = DV_NO_MEMORY;
    }
    if (st != DV_OK) {
        size_t distinct = dv_support_size(s);
        free(pc);
        free(qc);
        dv_support_free(s);
        if (st == DV_NO_MEMORY)
            return dv_fail_at(err, st, dv_at(DV_ARG_NONE, NULL),
                           "out of memory after %zu distinct samples", distinct);
        return dv_fail_at(err, st, dv_at(DV_ARG_NONE, NULL),
                       "too many distinct samples (%zu) to index", distinct);
    }
    *support = s;
    *p_counts = pc;
    *q_counts = qc;
    return DV_OK;
}
