#!/usr/bin/env bash
# Runs every whole-system check, tests/<check>/run.sh (contract, metrics, Prometheus,
# sanitizers, fuzz replay, allocation failure, abuse, hardening, soak, manifests, …), in
# name order. Each takes the daemon binary as $1 and exits non-zero on failure.
# (tests/unit/run.sh is the unit-test runner `make unit` uses, not a check.)
set -uo pipefail
bin=${1:?usage: run_checks.sh BIN}
cd "$(dirname "$0")/.."
pass=0; fail=0
for c in tests/*/run.sh; do
  [ "$c" = tests/unit/run.sh ] && continue
  echo "== $c"
  if bash "$c" "$bin"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAILED: $c"; fi
done
echo "checks: $pass passed, $fail failed"
[ $fail -eq 0 ]
