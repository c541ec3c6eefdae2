/*
 * fuzz_samples.c — the samples and labelled-object decoders (src/api/dists.c: support sets,
 * empirical counts, label matching). The first byte picks the route that reads them;
 * the rest is the body. The corpus holds bodies with p_samples / q_samples / samples and
 * {"label": weight} objects.
 */
#include "fuzz_common.h"

static const char *const paths[] = {"/entropy", "/kl", "/js", "/cross-entropy"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    fuzz_route(paths[data[0] % 4], data + 1, size - 1);
    return 0;
}
