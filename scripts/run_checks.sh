#!/usr/bin/env bash
# Runs every scripts/check_*.sh (contract lint, metrics, manifests, …) in name order.
# Each takes the daemon binary as $1 and exits non-zero on failure.
set -uo pipefail
bin=${1:?usage: run_checks.sh BIN}
cd "$(dirname "$0")/.."
pass=0; fail=0
for c in scripts/check_*.sh; do
  [ -e "$c" ] || continue
  echo "== $c"
  if bash "$c" "$bin"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAILED: $c"; fi
done
echo "checks: $pass passed, $fail failed"
[ $fail -eq 0 ]
