/* fuzz_distributions_kl.c — request bodies for POST /distributions/kl through the daemon's
 * pipeline. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_route("/distributions/kl", data, size);
    return 0;
}
