/*
 * problem.c — the error table (see problem.h).
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
    [E_UNKNOWN_MEASURE] = {"unknown_measure", 422, "Invalid Input"},
    [E_UNKNOWN_FAMILY] = {"unknown_family", 422, "Invalid Input"},
    [E_UNSUPPORTED_PAIR] = {"unsupported_pair", 422, "Invalid Input"},
    [E_BAD_ARRAY] = {"bad_array", 422, "Invalid Input"},
    [E_REQUEST_TIMEOUT] = {"request_timeout", 408, "Request Timeout"},
};

const problem_info *problem_get(err_code c)
{
    return &table[c < E_COUNT ? c : E_INVALID_INPUT];
}
