#!/usr/bin/env bash
# SPEC §4 "Connections" (tests/connections/connections.py): departed clients freed within
# 1 s in every state, --header-timeout and --body-min-rate cut with 408 while legal slow
# clients are served, early answers read by clients that write their whole body first.
# Usage: tests/connections/run.sh BIN.
set -uo pipefail
bin=$(realpath "${1:?usage: tests/connections/run.sh BIN}")
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
timeout 240 /usr/bin/python3 tests/connections/connections.py "$bin" "$tmp"
