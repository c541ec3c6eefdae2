#!/usr/bin/env bash
# Real-Prometheus check (issue 5): runs divergenced and a real Prometheus server on loopback
# (config + TSDB in a temp dir, scrape_interval 1s), makes a known set of requests, and queries
# Prometheus's HTTP API until up{job="divergenced"} == 1 and divergenced_http_requests_total
# shows exactly those requests (bounded wait); prints the query results. Stops both by PID.
# Usage: tests/prometheus/run.sh build/divergenced
set -uo pipefail
BIN=${1:?usage: tests/prometheus/run.sh BIN}
BIN=$(realpath -m "$BIN")
cd "$(dirname "$0")/../.."
PY=/usr/bin/python3
WAIT=${PROM_WAIT:-30}

.ci/deps.sh need prometheus:prometheus curl:curl $PY:python3 ||
  { echo "check_prometheus: FAIL: prometheus, curl or python3 missing"; exit 1; }
[ -x "$BIN" ] || { echo "check_prometheus: FAIL: $BIN is not an executable (run make first)"; exit 1; }

TMP=$(mktemp -d /tmp/check_prometheus.XXXXXX)
DPID=""; PPID_=""
stop() {  # stop PID: SIGTERM, wait up to 10 s, then SIGKILL; prints the exit status
  local p=$1 rc
  [ -n "$p" ] || return 0
  kill -TERM "$p" 2>/dev/null
  for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
  wait "$p" 2>/dev/null; rc=$?
  return $rc
}
cleanup() { stop "$PPID_"; stop "$DPID"; rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
START=$(date +%s)
fail() { echo "check_prometheus: FAIL: $*"; exit 1; }

# the daemon
"$BIN" --bind 127.0.0.1 --port 0 --log-format json >"$TMP/d.log" 2>"$TMP/d.err" &
DPID=$!
DPORT=""
for _ in $(seq 100); do
  DPORT=$($PY tests/metrics/metrics_check.py port "$TMP/d.log") && break
  DPORT=""; kill -0 "$DPID" 2>/dev/null || break; sleep 0.1
done
[ -n "$DPORT" ] || { head -5 "$TMP/d.log" "$TMP/d.err"; fail "daemon: no \"listening\" line within 10 s"; }
echo "daemon pid $DPID on 127.0.0.1:$DPORT"

# a free loopback port for Prometheus (retry if another process grabs it first)
start_prom() {
  PPORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  cat >"$TMP/prom.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: divergenced
    metrics_path: /metrics
    scheme: http
    static_configs:
      - targets: ["127.0.0.1:$DPORT"]
EOF
  rm -rf "$TMP/data"
  prometheus --config.file="$TMP/prom.yml" --storage.tsdb.path="$TMP/data" \
    --web.listen-address="127.0.0.1:$PPORT" --log.level=warn >"$TMP/prom.log" 2>&1 &
  PPID_=$!
  for _ in $(seq 100); do
    curl -fsS --max-time 1 "http://127.0.0.1:$PPORT/-/ready" >/dev/null 2>&1 && return 0
    kill -0 "$PPID_" 2>/dev/null || break
    sleep 0.1
  done
  stop "$PPID_"; PPID_=""
  return 1
}
start_prom || start_prom || { tail -20 "$TMP/prom.log"; fail "prometheus did not become ready"; }
echo "prometheus $(prometheus --version 2>&1 | head -1 | awk '{print $3}') pid $PPID_ on 127.0.0.1:$PPORT (scrape_interval 1s)"

$PY tests/prometheus/metrics_prom.py --daemon "$DPORT" --prom "$PPORT" --tmp "$TMP" --timeout "$WAIT"
RC=$?

stop "$PPID_"; PPID_=""
stop "$DPID"; DRC=$?; DPID=""
[ $DRC -eq 0 ] || { echo "FAIL: daemon exit status $DRC after SIGTERM, want 0"; RC=1; }
ELAPSED=$(( $(date +%s) - START ))
if [ $RC -eq 0 ]; then
  echo "check_prometheus: PASS (a real Prometheus scraped divergenced: up == 1, exact request counts) in ${ELAPSED}s"
else
  [ -s "$TMP/prom.log" ] && { echo "prometheus log (tail):"; tail -5 "$TMP/prom.log"; }
  echo "check_prometheus: FAIL in ${ELAPSED}s"
  exit 1
fi
