/*
 * fuzz_common.h — what every request-decoder fuzz target shares: run one body through
 * the daemon's own pipeline (req_execute / req_finalize / req_release, the code path
 * server.c runs after reading a body) and check the answer; abort() on any violation so
 * libFuzzer (or the replay main) reports it.
 */
#ifndef DV_FUZZ_COMMON_H
#define DV_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* POSTs data as the body of `path`; asserts status ∈ {200, 400, 413, 422, 503}, a body
 * that is a JSON object (problem+json with matching status and a code unless 200), and
 * the route invariants checkable from the body (KL ≥ 0, JS ≤ ln 2, … in base e). */
void fuzz_route(const char *path, const uint8_t *data, size_t size);

/* Prints why, then aborts. */
void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
