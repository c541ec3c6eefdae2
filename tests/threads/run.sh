#!/usr/bin/env bash
# The threads of the daemon under ThreadSanitizer (make SAN=thread → build/tsan/): the
# decoding pipe's unit test, then the soak mix (tests/soak/soak.py: every route, bodies past
# the 1 MiB at which decoding moves to a second thread, large requests on the offload
# workers, abandoned uploads, the connection guard) against the TSan daemon, plus large
# JSON and .npy bodies sent concurrently. Any report, from any process, fails the check
# (log_path). Usage: tests/threads/run.sh [BIN] (BIN unused: the TSan build is used).
set -uo pipefail
cd "$(dirname "$0")/../.."
# ThreadSanitizer's runtime (Debian's gcc pulls it in; named here so a trimmed machine gets it)
.ci/deps.sh need libtsan2 /usr/bin/python3:python3 || { echo "threads: FAIL: libtsan2 or python3 missing"; exit 1; }
reports=build/tsan/reports
make -s DEPS=0 SAN=thread build/tsan/divergenced build/tsan/tests/test_util_bpipe \
  >build/tsan-build.log 2>&1 || { tail -30 build/tsan-build.log; echo "threads: SAN=thread build failed"; exit 1; }
rm -rf "$reports"; mkdir -p "$reports"
export TSAN_OPTIONS="log_path=$PWD/$reports/tsan:halt_on_error=0:second_deadlock_stack=1"
status=0
build/tsan/tests/test_util_bpipe >build/tsan/bpipe.log 2>&1 || { tail -5 build/tsan/bpipe.log; status=1; }
grep -E '^\[  (PASSED|FAILED)' build/tsan/bpipe.log
timeout 300 /usr/bin/python3 tests/threads/concurrent.py build/tsan/divergenced || status=1
CHECK_SOAK_SECONDS=${CHECK_THREADS_SECONDS:-15} bash tests/soak/run.sh build/tsan/divergenced \
  >build/tsan/soak.log 2>&1 || { tail -15 build/tsan/soak.log; status=1; }
tail -2 build/tsan/soak.log
n=$(find "$reports" -type f | wc -l)
if [ "$n" -gt 0 ]; then
  echo "threads: $n ThreadSanitizer report(s):"
  for f in "$reports"/*; do echo "== $f"; head -60 "$f"; done
  status=1
fi
[ $status -eq 0 ] && echo "threads: clean under ThreadSanitizer" || echo "threads: FAILED"
exit $status
