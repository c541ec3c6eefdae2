/*
 * gauss_in.h — one Gaussian from a request object {"mean": …, one of "std" / "var" /
 * "log_var" / "cov"}: a number (univariate), an array (d dimensions) or an array of rows
 * (a batch of diagonal Gaussians). Shared by /gaussian-kl and the normal families.
 */
#ifndef DV_GAUSS_IN_H
#define DV_GAUSS_IN_H

#include "read.h"
#include "where.h"

typedef struct gauss_in {
    const char *name; /* "p" or "q" */
    int arg;          /* DV_ARG_P or DV_ARG_Q */
    dv_gauss g;
    const char *scale_name;
    bool scalar; /* mean given as a number */
} gauss_in;

/* Reads argument arg (DV_ARG_P: member "p", DV_ARG_Q: "q") of the body, whose value is
 * v; shapes are checked here, values by gauss_check. */
bool gauss_read(dv_req *r, int arg, const jv *v, gauss_in *in);
/* The core's element checks, failing with the element's pointer. */
bool gauss_check(dv_req *r, const gauss_in *in);
/* How p and q (either may be NULL) are spelled, for error pointers. */
void gauss_names(const gauss_in *p, const gauss_in *q, arg_names *an);

#endif
