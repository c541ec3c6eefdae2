#!/usr/bin/env bash
# bench/run.sh BIN [--smoke] [--out FILE] [--note TEXT] — benchmarks divergenced against
# its ceilings (a bare libmicrohttpd server, bench/bare_mhd.c, and nginx `return 200`)
# and baselines (FastAPI + scipy, PyTorch, FastAPI + numpy/scipy drift) on loopback, in
# alternating rounds, and writes bench/RESULTS.md (--smoke: tiny inputs, report to
# stdout; what tests/bench-smoke/run.sh runs in make test; --note: a line for the report).
# bench/bench.py does the work and stops every process it started, by PID.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
[ $# -ge 1 ] || { echo "usage: bench/run.sh BIN [--smoke] [--out FILE] [--note TEXT]" >&2; exit 2; }
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
# the libmicrohttpd ceiling: rebuilt when its source is newer than the binary
mkdir -p "$root/build"
if [ ! -x "$root/build/bare_mhd" ] || [ "$here/bare_mhd.c" -nt "$root/build/bare_mhd" ]; then
  ${CC:-cc} -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -o "$root/build/bare_mhd" \
    "$here/bare_mhd.c" -lmicrohttpd -lpthread \
    || echo "bench: could not build build/bare_mhd; its ceiling is skipped" >&2
fi
# the number parsing/formatting micro-benchmarks live in two unit-test binaries
case " $* " in
  *" --smoke "*) ;;
  *) make -s -C "$root" DEPS=0 build/tests/test_util_numparse build/tests/test_util_numfmt \
       >/dev/null 2>&1 || echo "bench: could not build the micro-benchmarks; skipped" >&2 ;;
esac
exec "$py" "$here/bench.py" "$@"
