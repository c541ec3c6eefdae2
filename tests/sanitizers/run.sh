#!/usr/bin/env bash
# The unit and integration suites again, against an AddressSanitizer + UBSan build
# (make SAN=1 → build/san/, -fno-sanitize-recover=all). Every sanitizer report — from a
# test binary or from a daemon the integration suite starts — is written under
# build/san/reports/ (log_path), so a report fails this check even when the process that
# made it was killed or its stderr went nowhere. Usage: tests/sanitizers/run.sh [BIN] (BIN unused).
set -uo pipefail
cd "$(dirname "$0")/../.."
reports=build/san/reports
make -s DEPS=0 SAN=1 all build/san/tests/integration \
  $(for f in tests/unit/test_*.c; do b=${f##*/}; printf 'build/san/tests/%s ' "${b%.c}"; done) \
  >build/san-build.log 2>&1 || { tail -30 build/san-build.log; echo "check_san: SAN=1 build failed"; exit 1; }
rm -rf "$reports"; mkdir -p "$reports"
export ASAN_OPTIONS="log_path=$PWD/$reports/asan:detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="log_path=$PWD/$reports/ubsan:print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="log_path=$PWD/$reports/lsan"
status=0
echo "-- unit tests (SAN=1)"
tests/unit/run.sh build/san/tests/test_* 2>&1 | grep -E '^unit:|FAILED' || status=1
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
echo "-- integration tests (SAN=1)"
DIVERGENCED_BIN=build/san/divergenced DV_RESPONSE_LOG=build/san/responses.jsonl \
  build/san/tests/integration >build/san/integration.log 2>&1 || status=1
tail -3 build/san/integration.log
n=$(find "$reports" -type f | wc -l)
if [ "$n" -gt 0 ]; then
  echo "check_san: $n sanitizer report(s):"
  for f in "$reports"/*; do echo "== $f"; head -40 "$f"; done
  status=1
fi
[ $status -eq 0 ] && echo "check_san: unit + integration clean under ASan/UBSan" || echo "check_san: FAILED"
exit $status
