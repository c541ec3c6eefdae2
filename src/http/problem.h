/*
 * problem.h — the service's error vocabulary (RFC 9457 problem details). One table of
 * {code slug, HTTP status, title}; handlers name an enum value, a JSON Pointer and a
 * sentence. The slugs are a stable public contract (api/openapi.yaml lists them): never
 * rename one, only add.
 */
#ifndef DV_PROBLEM_H
#define DV_PROBLEM_H


typedef enum err_code {
    E_MALFORMED_JSON,
    E_UNAUTHORIZED,
    E_NOT_FOUND,
    E_METHOD_NOT_ALLOWED,
    E_PAYLOAD_TOO_LARGE,
    E_UNSUPPORTED_MEDIA_TYPE,
    E_INVALID_INPUT,
    E_UNKNOWN_MEMBER,
    E_MISSING_MEMBER,
    E_WRONG_TYPE,
    E_EMPTY,
    E_NEGATIVE_VALUE,
    E_NON_FINITE,
    E_NOT_NORMALIZED,
    E_ZERO_TOTAL,
    E_SHAPE_MISMATCH,
    E_INVALID_PARAMETER,
    E_NOT_POSITIVE,
    E_NOT_SYMMETRIC,
    E_NOT_POSITIVE_DEFINITE,
    E_UNAVAILABLE,
    E_OUT_OF_MEMORY,
    E_UNKNOWN_MEASURE,   /* /divergences, /drift: a measure name not in SPEC §7 */
    E_UNKNOWN_FAMILY,    /* /distributions/...: a family name not in SPEC §8     */
    E_UNSUPPORTED_PAIR,  /* /distributions/kl: no closed form for the pair       */
    E_BAD_ARRAY,         /* multipart: a malformed .npy or raw array part        */
    E_REQUEST_TIMEOUT,   /* a head or body slower than the deadlines             */
    E_COUNT
} err_code;

typedef struct problem_info {
    const char *code;
    unsigned status;
    const char *title;
} problem_info;

const problem_info *problem_get(err_code c);

#endif
