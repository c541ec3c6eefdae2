#!/usr/bin/env bash
# SPEC §10 end to end (tests/npy/parity.py): every table case sent as multipart with .npy
# parts answers byte for byte what its JSON form answers; malformed parts are 422
# bad_array at the part's pointer. Usage: tests/npy/run.sh BIN.
set -uo pipefail
bin=$(realpath "${1:?usage: tests/npy/run.sh BIN}")
cd "$(dirname "$0")/../.."
.ci/deps.sh need /usr/bin/python3:python3 python3-numpy ||
  { echo "npy: FAIL: python3-numpy missing"; exit 1; }
exec timeout 300 /usr/bin/python3 tests/npy/parity.py "$bin"
