/*
 * family_in.h — parametric distributions (SPEC §8) from a request: {"family": name,
 * parameters…}, each parameter a number / vector / matrix as the family table says, or a
 * batch of B of them; unbatched parameters broadcast. Used by /distributions/kl and
 * /distributions/entropy.
 */
#ifndef DV_FAMILY_IN_H
#define DV_FAMILY_IN_H

#include <stdbool.h>
#include <stddef.h>

#include "families.h"
#include "read.h"
#include "where.h"

typedef struct fam_param {
    bool present;
    bool batched;       /* one value (vector, matrix) per batch row        */
    const double *data; /* row b's value at data + b·len (batched) or data */
    size_t len;         /* numbers per value: 1, d, d·d or d·r              */
} fam_param;

typedef struct fam_in {
    const dv_family_info *fam;
    int arg;          /* DV_ARG_P / DV_ARG_Q                                  */
    const char *name; /* its member in the body: "p" / "q"                    */
    size_t rows;      /* 0: one distribution; B ≥ 1: a batch of B             */
    size_t d, r;      /* vector length, columns of a d×r matrix (cov_factor)  */
    fam_param par[DV_FAM_MAX_PARAMS];
} fam_in;

/* Reads body member `name` (arg DV_ARG_P or DV_ARG_Q) into in; false after recording the
 * problem (missing_member, unknown_family with the list, unknown_member, wrong_type,
 * shape_mismatch, invalid_input for two alternatives given together). */
bool fam_read(dv_req *r, const char *name, int arg, fam_in *in);

/* Row b of in (b < max(rows, 1)) as the core's dv_fdist (borrowing in's arrays). */
void fam_row(const fam_in *in, size_t b, dv_fdist *x);

/* A core error of batch row b (rows > 0) or of the single distribution (rows == 0),
 * recorded with the pointer of the value at fault: the row index is put in front of the
 * core's indices for a batched parameter, not for a broadcast one. */
bool fam_fail(dv_req *r, const dv_error *e, size_t b, const fam_in *p, const fam_in *q);

#endif
