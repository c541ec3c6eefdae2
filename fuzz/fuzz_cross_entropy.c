/* fuzz_cross_entropy.c — request bodies for POST /cross-entropy through the daemon's pipeline. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_route("/cross-entropy", data, size);
    return 0;
}
