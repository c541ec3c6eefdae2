/* fuzz_entropy.c — request bodies for POST /entropy through the daemon's pipeline. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_route("/entropy", data, size);
    return 0;
}
