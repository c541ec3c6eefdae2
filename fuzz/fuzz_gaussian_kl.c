/* fuzz_gaussian_kl.c — request bodies for POST /gaussian-kl through the daemon's pipeline. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_route("/gaussian-kl", data, size);
    return 0;
}
