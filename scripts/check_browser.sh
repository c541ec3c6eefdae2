#!/usr/bin/env bash
# The browser suite of the playground and docs pages (tests/browser/run.sh), as one of
# the checks `make test` runs (scripts/run_checks.sh). Usage: scripts/check_browser.sh BIN
exec "$(dirname "$0")/../tests/browser/run.sh" "$@"
