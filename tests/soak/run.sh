#!/usr/bin/env bash
# The short soak for make test: 20 s of the `make soak` mix (tests/soak/soak.py) with
# the same assertions except memory (no 5xx, expected statuses, fds back to baseline).
# Usage: tests/soak/run.sh BIN.
set -euo pipefail
bin=$(realpath "${1:?usage: tests/soak/run.sh BIN}")
cd "$(dirname "$0")/../.."
exec timeout 120 /usr/bin/python3 tests/soak/soak.py "$bin" --seconds "${CHECK_SOAK_SECONDS:-20}" \
  --warmup 3 --workers 3 --no-memory
