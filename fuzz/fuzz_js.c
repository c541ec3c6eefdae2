/* fuzz_js.c — request bodies for POST /js through the daemon's pipeline. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_route("/js", data, size);
    return 0;
}
