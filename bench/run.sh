#!/usr/bin/env bash
# bench/run.sh BIN [--smoke] [--out FILE] — benchmarks divergenced against nginx, a
# FastAPI + scipy service and a PyTorch service on loopback and writes bench/RESULTS.md
# (--smoke: tiny inputs, report to stdout; what tests/bench-smoke/run.sh runs in make test).
# bench/bench.py does the work and stops every process it started, by PID.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { echo "usage: bench/run.sh BIN [--smoke] [--out FILE]" >&2; exit 2; }
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
# the number parsing/formatting micro-benchmarks live in two unit-test binaries
case " $* " in
  *" --smoke "*) ;;
  *) make -s -C "$here/.." DEPS=0 build/tests/test_numparse build/tests/test_http_jw \
       >/dev/null 2>&1 || echo "bench: could not build the micro-benchmarks; skipped" >&2 ;;
esac
exec "$py" "$here/bench.py" "$@"
