#!/usr/bin/env bash
# Metrics check (SPEC §5, issue 5): runs the real daemon on loopback and checks GET /metrics.
#   (a) real scrapes piped to `promtool check metrics` (any output line is a failure),
#       Content-Type "text/plain; version=0.0.4; charset=utf-8";
#   (b) every SPEC §5 family with # HELP, # TYPE and the SPEC's labels; histogram buckets
#       50 µs … 10 s, +Inf, _sum, _count; build_info{version} 1; the process_* set against /proc;
#   (c) a known mix of 200/204/400/404/405/415/422 requests on every route, then the exact
#       movement of every labelled counter (requests, errors, bytes, values, histogram);
#   (d) 1,000 random unknown paths (and 20 random methods) create no new series;
#   (e) with --api-key-file, /metrics without the token → 401, with it → 200.
# Usage: tests/metrics/run.sh build/divergenced     (run from anywhere; exits non-zero on failure)
set -uo pipefail
BIN=${1:?usage: tests/metrics/run.sh BIN}
BIN=$(realpath -m "$BIN")
cd "$(dirname "$0")/../.."
PY=/usr/bin/python3
HERE=tests/metrics

.ci/deps.sh need promtool:prometheus curl:curl $PY:python3 ||
  { echo "check_metrics: FAIL: promtool, curl or python3 missing"; exit 1; }
[ -x "$BIN" ] || { echo "check_metrics: FAIL: $BIN is not an executable (run make first)"; exit 1; }

TMP=$(mktemp -d /tmp/check_metrics.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]+"${PIDS[@]}"}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${PIDS[@]+"${PIDS[@]}"}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null
  done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

FAILS=0
START=$(date +%s)

# start_daemon NAME [extra flags…]: sets DPID and DPORT (0 when it did not come up)
start_daemon() {
  local name=$1; shift
  DT0=$(date +%s.%N)
  "$BIN" --bind 127.0.0.1 --port 0 --log-format json "$@" >"$TMP/$name.log" 2>"$TMP/$name.err" &
  DPID=$!
  PIDS+=("$DPID")
  DPORT=0
  for _ in $(seq 100); do
    DPORT=$($PY $HERE/metrics_check.py port "$TMP/$name.log") && break
    DPORT=0
    kill -0 "$DPID" 2>/dev/null || break
    sleep 0.1
  done
  if [ "$DPORT" = 0 ]; then
    echo "FAIL: $name: no {\"msg\":\"listening\"} line on stdout within 10 s"
    sed 's/^/  stdout: /' "$TMP/$name.log" | head -5; sed 's/^/  stderr: /' "$TMP/$name.err" | head -5
    FAILS=$((FAILS + 1))
  fi
}

# stop_daemon NAME: SIGTERM by PID, expect exit 0 within 15 s
stop_daemon() {
  local name=$1 rc
  kill -TERM "$DPID" 2>/dev/null
  for _ in $(seq 150); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$DPID" 2>/dev/null; then
    echo "FAIL: $name: still running 15 s after SIGTERM"; FAILS=$((FAILS + 1)); kill -KILL "$DPID"
  fi
  wait "$DPID"; rc=$?
  local keep=() p; for p in "${PIDS[@]}"; do [ "$p" = "$DPID" ] || keep+=("$p"); done; PIDS=("${keep[@]+"${keep[@]}"}")
  [ "$rc" -eq 0 ] || { echo "FAIL: $name: exit status $rc after SIGTERM, want 0"; FAILS=$((FAILS + 1)); }
}

VERSION=$(tr -d ' \n\r\t' < VERSION 2>/dev/null || true)
[ -n "$VERSION" ] || VERSION=$("$BIN" --version 2>/dev/null | grep -oE '[0-9]+\.[0-9]+\.[0-9]+[^ ]*' | head -1)

echo "-- daemon 1: promtool, SPEC §5 families, exact counter deltas, random paths"
start_daemon d1 --threads 4
if [ "$DPORT" != 0 ]; then
  $PY $HERE/metrics_check.py main --port "$DPORT" --pid "$DPID" --version "$VERSION" --t0 "$DT0" --tmp "$TMP" \
    || FAILS=$((FAILS + 1))
  stop_daemon d1
fi

echo "-- daemon 2: --api-key-file (and --max-body 1k)"
KEY="mk-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s\n' "$KEY" > "$TMP/key"
start_daemon d2 --api-key-file "$TMP/key" --max-body 1k
if [ "$DPORT" != 0 ]; then
  $PY $HERE/metrics_check.py auth --port "$DPORT" --key "$KEY" --tmp "$TMP" || FAILS=$((FAILS + 1))
  stop_daemon d2
fi

ELAPSED=$(( $(date +%s) - START ))
if [ $FAILS -eq 0 ]; then
  echo "check_metrics: PASS (promtool clean, SPEC §5 series present, exact counter deltas, no series growth from 1000 random paths, /metrics auth) in ${ELAPSED}s"
else
  echo "check_metrics: FAIL ($FAILS failing part(s)) in ${ELAPSED}s"
  exit 1
fi
