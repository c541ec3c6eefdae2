/* fuzz_drift.c — request bodies for POST /drift through the daemon's pipeline. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_route("/drift", data, size);
    return 0;
}
