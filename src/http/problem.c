/*
 * problem.c — the error table (see problem.h). A switch in problem_from_core without a
 * default, so -Wswitch flags a core status that has no HTTP mapping.
 */
#include "problem.h"

static const problem_info table[E_COUNT] = {
    [E_MALFORMED_JSON] = {"malformed_json", 400, "Malformed JSON"},
    [E_UNAUTHORIZED] = {"unauthorized", 401, "Unauthorized"},
    [E_NOT_FOUND] = {"not_found", 404, "Not Found"},
    [E_METHOD_NOT_ALLOWED] = {"method_not_allowed", 405, "Method Not Allowed"},
    [E_PAYLOAD_TOO_LARGE] = {"payload_too_large", 413, "Payload Too Large"},
    [E_UNSUPPORTED_MEDIA_TYPE] = {"unsupported_media_type", 415, "Unsupported Media Type"},
    [E_INVALID_INPUT] = {"invalid_input", 422, "Invalid Input"},
    [E_UNKNOWN_MEMBER] = {"unknown_member", 422, "Invalid Input"},
    [E_MISSING_MEMBER] = {"missing_member", 422, "Invalid Input"},
    [E_WRONG_TYPE] = {"wrong_type", 422, "Invalid Input"},
    [E_EMPTY] = {"empty", 422, "Invalid Input"},
    [E_NEGATIVE_VALUE] = {"negative_value", 422, "Invalid Input"},
    [E_NON_FINITE] = {"non_finite", 422, "Invalid Input"},
    [E_NOT_NORMALIZED] = {"not_normalized", 422, "Invalid Input"},
    [E_ZERO_TOTAL] = {"zero_total", 422, "Invalid Input"},
    [E_SHAPE_MISMATCH] = {"shape_mismatch", 422, "Invalid Input"},
    [E_INVALID_PARAMETER] = {"invalid_parameter", 422, "Invalid Input"},
    [E_NOT_POSITIVE] = {"not_positive", 422, "Invalid Input"},
    [E_NOT_SYMMETRIC] = {"not_symmetric", 422, "Invalid Input"},
    [E_NOT_POSITIVE_DEFINITE] = {"not_positive_definite", 422, "Invalid Input"},
    [E_UNAVAILABLE] = {"unavailable", 503, "Service Unavailable"},
    [E_OUT_OF_MEMORY] = {"out_of_memory", 503, "Out Of Memory"},
};

const problem_info *problem_get(err_code c)
{
    return &table[c < E_COUNT ? c : E_INVALID_INPUT];
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
