#!/usr/bin/env bash
# Replays every fuzz target's seed corpus (fuzz/corpus/<target>/) and every past crash
# (fuzz/regressions/<target>/) through the target's own checks, built with the normal
# compiler and fuzz/replay_main.c under ASan + UBSan (make SAN=1 fuzz-replay), so CI needs
# no clang. Any abort or sanitizer report fails. Usage: tests/fuzz-replay/run.sh [BIN].
set -uo pipefail
cd "$(dirname "$0")/../.."
make -s DEPS=0 SAN=1 fuzz-replay >build/fuzz-replay-build.log 2>&1 ||
  { tail -30 build/fuzz-replay-build.log; echo "check_fuzz_replay: build failed"; exit 1; }
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
status=0; total=0
for src in fuzz/fuzz_*.c; do
  t=${src#fuzz/fuzz_}; t=${t%.c}
  [ "$t" = common ] && continue
  dirs=()
  [ -d "fuzz/corpus/$t" ] && dirs+=("fuzz/corpus/$t")
  [ -d "fuzz/regressions/$t" ] && dirs+=("fuzz/regressions/$t")
  [ ${#dirs[@]} -gt 0 ] || { echo "check_fuzz_replay: $t has no corpus"; status=1; continue; }
  if out=$(build/san/fuzz/replay_"$t" "${dirs[@]}" 2>&1); then
    n=$(printf '%s\n' "$out" | sed -n 's/^replay: \([0-9]*\) inputs.*/\1/p')
    printf '  %-14s %5s inputs ok\n' "$t" "$n"
    total=$((total + ${n:-0}))
    printf '%s\n' "$out" | grep 'KNOWN BUG' | sed 's/^/    /'
  else
    echo "  $t FAILED:"; printf '%s\n' "$out" | tail -40
    echo "  (REPLAY_VERBOSE=1 build/san/fuzz/replay_$t ${dirs[*]} names the input)"
    status=1
  fi
done
echo "check_fuzz_replay: $total inputs replayed, $([ $status -eq 0 ] && echo ok || echo FAILED)"
exit $status
