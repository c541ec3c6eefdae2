#!/usr/bin/env bash
# make soak — one daemon under a mix of valid and invalid requests (tests/soak/soak.py)
# for SOAK_SECONDS (default 600), SOAK_WORKERS client threads (default 4); reports
# requests served, 5xx (must be 0), RSS and open fds after warm-up and at the end
# (RSS growth < 5 MB, fds back to the baseline). Usage: soak.sh BIN.
set -euo pipefail
bin=$(realpath "${1:?usage: soak.sh BIN}")
cd "$(dirname "$0")/../.."
secs=${SOAK_SECONDS:-600}
exec timeout $((secs * 2 + 300)) /usr/bin/python3 tests/soak/soak.py "$bin" \
  --seconds "$secs" --workers "${SOAK_WORKERS:-4}"
