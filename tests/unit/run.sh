#!/usr/bin/env bash
# Runs each cmocka unit-test binary given; prints a total line; fails if any test failed.
set -uo pipefail
pass=0; fail=0; status=0
for t in "$@"; do
  out=$("$t" 2>&1); rc=$?
  printf '%s\n' "$out"
  p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
  f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
  pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0}))
  if [ $rc -ne 0 ]; then status=1; [ -z "$f" ] && fail=$((fail + 1)); fi
done
echo "unit: $pass passed, $fail failed"
exit $status
