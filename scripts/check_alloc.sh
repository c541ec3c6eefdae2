#!/usr/bin/env bash
# Allocation-failure injection (tests/alloc/alloc_test.c) under ASan + UBSan: for each
# representative body of every route, the k-th allocation fails (and, separately, the
# k-th and all later ones), for every k the request makes; each run answers normally
# or 503 out_of_memory, never crashes or leaks, and the next request is unaffected.
# Usage: check_alloc.sh [BIN].
set -uo pipefail
cd "$(dirname "$0")/.."
make -s DEPS=0 SAN=1 alloc-test >build/alloc-build.log 2>&1 ||
  { tail -30 build/alloc-build.log; echo "check_alloc: build failed"; exit 1; }
ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" UBSAN_OPTIONS="halt_on_error=1" \
  build/san/tests/alloc_test
