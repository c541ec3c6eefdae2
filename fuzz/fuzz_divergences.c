/* fuzz_divergences.c — request bodies for POST /divergences through the daemon's
 * pipeline (measures, alpha, smoothing, positions beside every /kl input form). */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_route("/divergences", data, size);
    return 0;
}
