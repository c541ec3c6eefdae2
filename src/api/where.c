/*
 * where.c — core locations → JSON Pointers, core statuses → problems (see where.h).
 * A switch in problem_from_core without a default, so -Wswitch flags a core status that
 * has no HTTP mapping.
 */
#include <assert.h>
#include "where.h"

#include <string.h>

#include "pointer.h"

const char *where_pointer(char *buf, size_t size, const dv_loc *at, const arg_names *names)
{
    char a[256], b[256];
    buf[0] = '\0';
    const char *cur = "";
    bool whole = false;
    const dv_support *labels = NULL;
    assert(at->arg == DV_ARG_NONE || at->arg == DV_ARG_P || at->arg == DV_ARG_Q);
    if (at->arg == DV_ARG_P || at->arg == DV_ARG_Q) {
        if (!names || !names->member[at->arg])
            return buf;
        const char *m = names->member[at->arg];
        cur = ptr_member(a, sizeof a, "", m, strlen(m));
        whole = names->whole[at->arg];
        labels = names->labels[at->arg];
    }
    if (at->member) {
        cur = ptr_member(b, sizeof b, cur, at->member, strlen(at->member));
        memcpy(a, b, sizeof a);
        cur = a;
    } else if (at->arg == DV_ARG_NONE) {
        return buf;
    }
    for (int d = 0; d < DV_LOC_DEPTH && !whole && at->idx[d] != DV_NO_INDEX; d++) {
        size_t i = at->idx[d];
        /* Labelled elements are addressed by their label (the first index only). */
        if (d == 0 && labels && !at->member && i < dv_support_size(labels)) {
            const dv_key *k = dv_support_key(labels, i);
            ptr_member(b, sizeof b, cur, k->str, k->len);
        } else {
            ptr_index(b, sizeof b, cur, i);
        }
        memcpy(a, b, sizeof a);
        cur = a;
    }
    size_t n = strlen(cur);
    if (n >= size)
        n = size - 1;
    memcpy(buf, cur, n);
    buf[n] = '\0';
    return buf;
}

err_code problem_from_core(dv_status s)
{
    switch (s) {
    case DV_OK: return E_INVALID_INPUT; /* not a failure; callers never pass it */
    case DV_EMPTY: return E_EMPTY;
    case DV_NEGATIVE: return E_NEGATIVE_VALUE;
    case DV_NOT_FINITE: return E_NON_FINITE;
    case DV_NOT_NORMALIZED: return E_NOT_NORMALIZED;
    case DV_ZERO_TOTAL: return E_ZERO_TOTAL;
    case DV_SHAPE_MISMATCH: return E_SHAPE_MISMATCH;
    case DV_BAD_PARAMETER: return E_INVALID_PARAMETER;
    case DV_NOT_POSITIVE: return E_NOT_POSITIVE;
    case DV_NOT_SYMMETRIC: return E_NOT_SYMMETRIC;
    case DV_NOT_POSITIVE_DEFINITE: return E_NOT_POSITIVE_DEFINITE;
    case DV_NO_MEMORY: return E_OUT_OF_MEMORY;
    case DV_TOO_LARGE: return E_PAYLOAD_TOO_LARGE;
    }
    return E_INVALID_INPUT;
}

bool fail_core(dv_req *r, const dv_error *e, const arg_names *names)
{
    char ptr[256];
    where_pointer(ptr, sizeof ptr, &e->at, names);
    return req_fail(r, problem_from_core(e->status), ptr[0] ? ptr : NULL, "%s", e->msg);
}
