/*
 * where.h — the one place a core error location (dv_loc) becomes an RFC 6901 pointer and
 * a core status becomes a problem code. Handlers describe how the request spells its
 * arguments (which member holds P and Q, whether their elements are labels, whether the
 * JSON held scalars) and never format pointers themselves.
 */
#ifndef DV_WHERE_H
#define DV_WHERE_H

#include <stdbool.h>

#include "divergence.h"
#include "request.h"

/* How the request spells the core's arguments P (0) and Q (1). */
typedef struct arg_names {
    const char *member[2];       /* top-level member of each argument ("p", "q_logits")   */
    const dv_support *labels[2]; /* elements are these labels (labelled objects), or NULL  */
    bool whole[2];               /* the pointer stops before any index (samples, or a
                                    Gaussian written with scalars)                       */
} arg_names;

/* "/q/cov/1/0", "/p/cat", "/alpha/2", "/p". names may be NULL (then only DV_ARG_NONE
 * locations have a pointer). Returns buf, "" when the location names nothing. */
const char *where_pointer(char *buf, size_t size, const dv_loc *at, const arg_names *names);

/* The problem code of a core status (DV_NEGATIVE → E_NEGATIVE_VALUE, …). */
err_code problem_from_core(dv_status s);

/* Records e as the request's problem, with its pointer. Returns false. */
bool fail_core(dv_req *r, const dv_error *e, const arg_names *names);

#endif
