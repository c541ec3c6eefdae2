#!/usr/bin/env bash
# Allocation failure, two ways.
#  1. tests/alloc/alloc_test.c under ASan + UBSan: for each representative body of every
#     route, the k-th allocation fails (and, separately, the k-th and all later ones), for
#     every k the request makes; each run answers normally or 503 out_of_memory, never
#     crashes or leaks, and the next request is unaffected.
#  2. tests/alloc/daemon_oom.py: the real daemon (BIN) with tests/alloc/failmalloc.so
#     preloaded, random allocation failures anywhere in the process for a few seconds
#     under load: normal answers, 503 out_of_memory or closed connections only; the daemon
#     survives, recovers and exits 0.
# Usage: tests/alloc/run.sh BIN.
set -uo pipefail
bin=$(realpath "${1:?usage: tests/alloc/run.sh BIN}")
cd "$(dirname "$0")/../.."
make -s DEPS=0 SAN=1 alloc-test >build/alloc-build.log 2>&1 ||
  { tail -30 build/alloc-build.log; echo "check_alloc: build failed"; exit 1; }
status=0
ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" UBSAN_OPTIONS="halt_on_error=1" \
  build/san/tests/alloc_test || status=1
mkdir -p build/tests
${CC:-cc} -O2 -fPIC -shared -o build/tests/failmalloc.so tests/alloc/failmalloc.c || exit 1
timeout 90 /usr/bin/python3 tests/alloc/daemon_oom.py "$bin" build/tests/failmalloc.so || status=1
exit $status
