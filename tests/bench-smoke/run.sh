#!/usr/bin/env bash
# tests/bench-smoke/run.sh BIN — the benchmark scripts still run: bench/run.sh --smoke (tiny inputs,
# a few seconds; baselines whose packages are missing are skipped with a message). Timings
# never fail this check; a crash or a non-200 answer does.
set -euo pipefail
BIN=$(cd "$(dirname "${1:-build/divergenced}")" && pwd)/$(basename "${1:-build/divergenced}")
cd "$(dirname "$0")/../.."
out=$(timeout 120 bench/run.sh "$BIN" --smoke)
grep -q "## /kl over two" <<<"$out" || { echo "check_bench: no scaling section" >&2; exit 1; }
grep -q "## Memory" <<<"$out" || { echo "check_bench: no memory section" >&2; exit 1; }
echo "check_bench: bench/run.sh --smoke ran ($(grep -c '^|' <<<"$out") table rows)"
