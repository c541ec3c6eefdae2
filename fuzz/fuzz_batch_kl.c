/* fuzz_batch_kl.c — request bodies for POST /batch/categorical-kl through the daemon's pipeline. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_route("/batch/categorical-kl", data, size);
    return 0;
}
