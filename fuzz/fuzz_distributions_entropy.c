/* fuzz_distributions_entropy.c — request bodies for POST /distributions/entropy through
 * the daemon's pipeline. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_route("/distributions/entropy", data, size);
    return 0;
}
