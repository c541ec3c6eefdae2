/*
 * dists.h — discrete distributions from a request: arrays, labelled objects, samples
 * and logits; matched by label or turned into empirical counts; validated by the core;
 * echoed back (support, empirical p/q, terms by label). Shared by /entropy, /kl, /js and
 * /cross-entropy so each handler is a few lines.
 */
#ifndef DV_DIST_IN_H
#define DV_DIST_IN_H

#include "read.h"

typedef enum side_form { FORM_ARRAY, FORM_LABELLED, FORM_LOGITS, FORM_SAMPLES } side_form;

/* The member names one side may use; NULL where a form is not accepted. */
typedef struct side_names {
    const char *weights;
    const char *logits;
    const char *samples;
} side_names;

typedef struct side {
    side_form form;
    const char *member; /* the member actually given, e.g. "q_logits" */
    const jv *json;
    double *v; /* numbers: weights or logits (labelled: aligned to the support) */
    size_t n;
    dv_key *keys; /* samples */
    size_t nkeys;
} side;

typedef struct dist_set {
    int count; /* 1 (entropy) or 2 */
    side s[2];
    dv_dist d[2];
    dv_support *support; /* labelled or samples inputs; NULL for arrays/logits */
} dist_set;

/* Finds which of the side's members is present and reads it. */
bool side_find(dv_req *r, const side_names *names, side *out);
/* Matches labels / counts samples, then validates and prepares every side. */
bool dists_prepare(dv_req *r, dist_set *ds, const opts *o);

/*
 * The whole input of a two-distribution route (/kl, /js): its members (p | p_logits |
 * p_samples, q | q_logits | q_samples, base, normalize, terms, temperature), both sides
 * prepared, and *terms an n-entry buffer when "terms" was asked for (else NULL).
 */
bool pair_read(dv_req *r, dist_set *ds, opts *o, double **terms);

/* Response helpers. */
void emit_support_and_empirical(jw *w, const dist_set *ds);
/* terms in nats → converted to the base; array, or object keyed by label. */
void emit_terms(jw *w, const dist_set *ds, double *terms, const dv_base *b);
/* "reason" for an infinite result at category i. */
void emit_reason(jw *w, const dist_set *ds, size_t i);
/*
 * The members every distribution route ends with, then the closing brace: "n", "base",
 * "unit", "reason" (when inf_index is not DV_NO_INDEX), "terms" (when terms is not NULL),
 * and "support"/"p"/"q" for labelled or sample inputs.
 */
void emit_dist_tail(jw *w, const dist_set *ds, const opts *o, double *terms,
                    size_t inf_index);

#endif
