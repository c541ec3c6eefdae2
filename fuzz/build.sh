#!/usr/bin/env bash
# make fuzz — builds every fuzz target in fuzz/ with clang's libFuzzer + ASan + UBSan
# (build/fuzz/) and runs each for FUZZ_SECONDS (default 600), FUZZ_JOBS at a time
# (default 2). Seeds: fuzz/corpus/<target>/ (read-only); new inputs go to
# build/fuzz/corpus/<target>/. A crash is saved to fuzz/regressions/<target>/ (replayed
# by `make test` from then on) and fails the run. Prints executions and coverage per
# target, also kept in build/fuzz/summary.txt.
#   FUZZ_TARGETS="kl js"   only these targets
#   FUZZ_MERGE=1           afterwards, merge inputs with new coverage into fuzz/corpus/
#   FUZZ_BUILD_ONLY=1      build, do not run
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${FUZZ_SECONDS:-600}
jobs=${FUZZ_JOBS:-2}
all="entropy kl cross_entropy gaussian_kl batch_kl js samples core numparse"
targets=${FUZZ_TARGETS:-$all}
out=build/fuzz
cc=${FUZZ_CC:-clang}
command -v "$cc" >/dev/null || { echo "fuzz.sh: $cc not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }

san='-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer'
# Library objects: the Makefile's own rules with clang and coverage instrumentation.
objs=("$out/gen/openapi_embed.o")
for f in src/http/*.c; do objs+=("$out/${f%.c}.o"); done
objs+=("$out/libdvcore.a")  # after the objects that use it
make -s DEPS=0 CC="$cc" BUILD="$out" OPT=-O1 SANFLAGS="-fsanitize=fuzzer-no-link $san" "${objs[@]}"
for t in $targets; do
  "$cc" -std=c11 -D_GNU_SOURCE -O1 -g -fsanitize=fuzzer $san -Isrc/core -Isrc/http -Ifuzz \
    -o "$out/fuzz_$t" "fuzz/fuzz_$t.c" fuzz/fuzz_common.c "${objs[@]}" \
    -lmicrohttpd -ljansson -lpthread -lm
done
[ "${FUZZ_BUILD_ONLY:-0}" = 1 ] && { echo "fuzz.sh: built $targets"; exit 0; }

mkdir -p "$out/logs"
run_one() {
  local t=$1 secs=$2 out=$3
  rm -rf "$out/crashes/$t"  # only this run's crashes are reported (past ones are in fuzz/regressions/)
  mkdir -p "$out/corpus/$t" "$out/crashes/$t"
  local maxlen=8192
  [ "$t" = core ] && maxlen=1024
  [ "$t" = numparse ] && maxlen=512
  "$out/fuzz_$t" -max_total_time="$secs" -max_len=$maxlen -timeout=20 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$out/crashes/$t/" \
    "$out/corpus/$t" "fuzz/corpus/$t" >"$out/logs/$t.log" 2>&1
  echo "$t exit $?"
}
export -f run_one
printf '%s\n' $targets | xargs -P "$jobs" -I{} bash -c 'run_one "$@"' _ {} "$secs" "$out"

status=0
{
  printf '%-14s %12s %8s %8s %7s %s\n' target executions exec/s cov ft crashes
  for t in $targets; do
    log=$out/logs/$t.log
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    n=0
    for c in "$out/crashes/$t"/*; do
      [ -e "$c" ] || continue
      n=$((n + 1))
      mkdir -p "fuzz/regressions/$t"
      cp "$c" "fuzz/regressions/$t/"
      status=1
    done
    printf '%-14s %12s %8s %8s %7s %s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$n"
  done
} | tee "$out/summary.txt"
grep -q ' [1-9][0-9]*$' "$out/summary.txt" && status=1
if [ "${FUZZ_MERGE:-0}" = 1 ]; then
  for t in $targets; do
    "$out/fuzz_$t" -merge=1 "fuzz/corpus/$t" "$out/corpus/$t" >/dev/null 2>&1 || true
  done
  echo "fuzz.sh: merged new coverage into fuzz/corpus/"
fi
[ $status -eq 0 ] || echo "fuzz.sh: crashes saved under fuzz/regressions/ (see $out/logs/)" >&2
exit $status
