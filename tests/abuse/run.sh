#!/usr/bin/env bash
# Abuse resistance over raw loopback sockets (tests/abuse/abuse.py): slow clients cut at
# --timeout without holding a thread, --max-connections, oversized headers and request
# lines, Content-Length and chunked bodies over --max-body, pipelining and keep-alive.
# Usage: tests/abuse/run.sh BIN.
set -uo pipefail
bin=$(realpath "${1:?usage: tests/abuse/run.sh BIN}")
cd "$(dirname "$0")/../.."
exec timeout 180 /usr/bin/python3 tests/abuse/abuse.py "$bin"
