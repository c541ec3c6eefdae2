#!/usr/bin/env bash
# Scale-out, proven on one machine (`make cluster-demo`):
#
#   deploy/cluster_demo.sh build/divergenced
#
# Three replicas of the daemon on 127.0.0.1 behind nginx (deploy/local/nginx.conf.in:
# round robin, POSTs retried on the next replica when one dies or drains), scraped every
# second by a real Prometheus (deploy/local/prometheus.yml.in, with the API key as
# bearer token). deploy/local/load.py drives bounded load through nginx; mid-load one
# replica is SIGKILLed. Asserted: no client request fails; Prometheus reports up == 0
# for the dead replica; the replica, restarted on its port, is up == 1 again and serves
# requests through nginx. Then another replica is stopped the way a rolling update stops
# a pod (SIGTERM: it drains and exits 0) and started again, still with no failed
# request. Everything listens on 127.0.0.1 only, every wait is bounded,
# and every process started here is stopped by its PID on exit.
#
# Environment: DV_DEMO_THREADS (client threads, 4), DV_DEMO_MAX_SECONDS (load bound, 90),
# DV_DEMO_KEEP=1 (keep the temporary directory with every log).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bin=${1:-build/divergenced}
case "$bin" in /*) ;; *) bin=$root/$bin ;; esac
[ -x "$bin" ] || { echo "cluster_demo: no daemon binary at $bin (run make)" >&2; exit 2; }

log() { printf '%s cluster_demo: %s\n' "$(date +%T)" "$*"; }
die() { log "FAIL: $*"; exit 1; }

# --- tools ------------------------------------------------------------------------------
.ci/deps.sh need /usr/sbin/nginx:nginx prometheus:prometheus curl:curl python3:python3 ||
  die "nginx, prometheus, curl or python3 missing"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# --- state, cleanup -----------------------------------------------------------------------
tmp=$(mktemp -d /tmp/dv-cluster.XXXXXX)
chmod 0755 "$tmp"
declare -A dpid=()        # replica index -> PID
nginx_pid="" prom_pid="" load_pid=""
result=1
cleanup() {
  local p
  for p in "$load_pid" "${dpid[@]}" "$nginx_pid" "$prom_pid"; do
    [ -n "$p" ] && kill -0 "$p" 2>/dev/null && kill -TERM "$p" 2>/dev/null
  done
  for p in "$load_pid" "${dpid[@]}" "$nginx_pid" "$prom_pid"; do
    [ -n "$p" ] || continue
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  if [ "$result" -ne 0 ] || [ "${DV_DEMO_KEEP:-0}" = 1 ]; then
    log "logs kept in $tmp"
    if [ "$result" -ne 0 ]; then
      for f in "$tmp"/replica*.log "$tmp"/nginx/error.log "$tmp"/prometheus.log; do
        [ -f "$f" ] && { echo "--- tail $f"; tail -n 8 "$f"; }
      done
    fi
  else
    rm -rf "$tmp"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_http() {  # URL SECONDS
  local i
  for i in $(seq 1 $(( $2 * 10 ))); do
    curl -fsS -m 1 -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

port=()
for i in 1 2 3; do port[$i]=$(free_port); done
nginx_port=$(free_port)
prom_port=$(free_port)
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$tmp/api-key"
chmod 0644 "$tmp/api-key"

start_replica() {  # INDEX [LOG-SUFFIX]
  local i=$1
  "$bin" --bind 127.0.0.1 --port "${port[$i]}" --threads 1 --api-key-file "$tmp/api-key" \
    --log-format json --log-level info --shutdown-grace 5 >"$tmp/replica$i${2:-}.log" 2>&1 &
  dpid[$i]=$!
  wait_http "http://127.0.0.1:${port[$i]}/healthz" 10 || die "replica $i did not come up on ${port[$i]}"
}
for i in 1 2 3; do start_replica "$i"; done
log "replicas: 127.0.0.1:${port[1]} (pid ${dpid[1]}), 127.0.0.1:${port[2]} (pid ${dpid[2]}), 127.0.0.1:${port[3]} (pid ${dpid[3]})"

# --- nginx --------------------------------------------------------------------------------
mkdir -p "$tmp/nginx"/{client_body,proxy,fastcgi,uwsgi,scgi}
user_line=""
if [ "$(id -u)" -eq 0 ]; then
  # Workers drop root as usual; they must be able to write their temporary files.
  user_line="user nobody nogroup;"
  chown -R nobody:nogroup "$tmp/nginx"
fi
sed -e "s|@TMP@|$tmp|g" -e "s|@USER@|$user_line|" -e "s|@NGINX_PORT@|$nginx_port|" \
    -e "s|@PORT1@|${port[1]}|" -e "s|@PORT2@|${port[2]}|" -e "s|@PORT3@|${port[3]}|" \
    deploy/local/nginx.conf.in >"$tmp/nginx.conf"
"$NGINX" -t -q -p "$tmp/nginx" -c "$tmp/nginx.conf" 2>"$tmp/nginx-t.err" ||
  { cat "$tmp/nginx-t.err"; die "nginx -t rejected the configuration"; }
"$NGINX" -p "$tmp/nginx" -c "$tmp/nginx.conf" >"$tmp/nginx/stdout.log" 2>&1 &
nginx_pid=$!
wait_http "http://127.0.0.1:$nginx_port/healthz" 10 || die "nginx did not come up on $nginx_port"
log "nginx: 127.0.0.1:$nginx_port (pid $nginx_pid), $("$NGINX" -v 2>&1 | sed 's/.*: //')"

# --- Prometheus ---------------------------------------------------------------------------
sed -e "s|@TMP@|$tmp|g" -e "s|@PORT1@|${port[1]}|" -e "s|@PORT2@|${port[2]}|" -e "s|@PORT3@|${port[3]}|" \
    deploy/local/prometheus.yml.in >"$tmp/prometheus.yml"
mkdir -p "$tmp/tsdb"
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" --log.level=warn >"$tmp/prometheus.log" 2>&1 &
prom_pid=$!
wait_http "http://127.0.0.1:$prom_port/-/ready" 30 || die "prometheus did not become ready on $prom_port"
log "prometheus: 127.0.0.1:$prom_port (pid $prom_pid), $(prometheus --version 2>&1 | head -n 1 | sed 's/ (.*//')"

# up{instance="127.0.0.1:PORT"} as Prometheus sees it now ("" when it has no sample yet)
prom_up() {
  curl -fsS -m 2 -G "http://127.0.0.1:$prom_port/api/v1/query" \
    --data-urlencode "query=up{job=\"divergenced\",instance=\"127.0.0.1:$1\"}" 2>/dev/null |
    python3 -c 'import json,sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "")' 2>/dev/null
}
wait_up() {  # PORT VALUE SECONDS -> prints seconds waited
  local t0 i v
  t0=$(date +%s.%N)
  for i in $(seq 1 $(( $3 * 4 ))); do
    v=$(prom_up "$1")
    if [ "$v" = "$2" ]; then awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; return 0; fi
    sleep 0.25
  done
  return 1
}
for i in 1 2 3; do
  wait_up "${port[$i]}" 1 30 >/dev/null || die "Prometheus never saw replica $i (127.0.0.1:${port[$i]}) up"
done
log "prometheus: up == 1 for all three replicas"

# --- load, kill, restart --------------------------------------------------------------------
max_seconds=${DV_DEMO_MAX_SECONDS:-90}
python3 deploy/local/load.py --url "http://127.0.0.1:$nginx_port/kl" --key-file "$tmp/api-key" \
  --threads "${DV_DEMO_THREADS:-4}" --max-seconds "$max_seconds" --max-requests 500000 \
  --stop-file "$tmp/stop" --out "$tmp/load.json" >"$tmp/load.log" 2>&1 &
load_pid=$!
log "load: ${DV_DEMO_THREADS:-4} keep-alive clients POST /kl through nginx (at most $max_seconds s, 500000 requests)"
sleep 3
victim=2
t_kill=$(date +%s.%N)
kill -KILL "${dpid[$victim]}"
wait "${dpid[$victim]}" 2>/dev/null
log "SIGKILL replica $victim (pid ${dpid[$victim]}, 127.0.0.1:${port[$victim]}) mid-load"
dpid[$victim]=""
down_s=$(wait_up "${port[$victim]}" 0 20) || die "Prometheus did not report up == 0 for the killed replica within 20 s"
log "prometheus: up{instance=\"127.0.0.1:${port[$victim]}\"} == 0 after $down_s s"
sleep 2   # load keeps running on two replicas
t_restart=$(date +%s.%N)
start_replica "$victim" -restarted
log "restarted replica $victim (pid ${dpid[$victim]}) on 127.0.0.1:${port[$victim]}"
up_s=$(wait_up "${port[$victim]}" 1 20) || die "Prometheus did not report the restarted replica up == 1 within 20 s"
log "prometheus: up{instance=\"127.0.0.1:${port[$victim]}\"} == 1 again after $up_s s"
sleep 3   # let nginx's fail_timeout pass and the replica take its share
# A rolling-update style stop of another replica: SIGTERM, it drains (/readyz 503,
# in-flight requests finish) and exits 0; nginx sends what it refuses to the others.
drain=3
kill -TERM "${dpid[$drain]}"
t_term=$(date +%s.%N)
wait "${dpid[$drain]}"; drain_rc=$?
drain_s=$(awk -v a="$t_term" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
log "SIGTERM replica $drain (pid ${dpid[$drain]}): exit code $drain_rc after $drain_s s"
dpid[$drain]=""
[ "$drain_rc" = 0 ] || die "replica $drain exited $drain_rc after SIGTERM, want 0"
grep -q '"stopped"' "$tmp/replica$drain.log" || die "replica $drain did not log stopped"
sleep 1
start_replica "$drain" -restarted
log "restarted replica $drain (pid ${dpid[$drain]})"
sleep 3
touch "$tmp/stop"
for _ in $(seq 1 60); do kill -0 "$load_pid" 2>/dev/null || break; sleep 0.5; done
wait "$load_pid"; load_pid=""
[ -s "$tmp/load.json" ] || { cat "$tmp/load.log"; die "the load client wrote no summary"; }

# --- figures and verdict ----------------------------------------------------------------------
served_after=$(grep -c '"path":"/kl"' "$tmp/replica$victim-restarted.log")
python3 - "$tmp/load.json" "$t_kill" "$t_restart" "${port[1]}" "${port[2]}" "${port[3]}" "$victim" <<'PY' >"$tmp/verdict" 2>&1
import json, sys
s = json.load(open(sys.argv[1]))
t_kill, t_restart = float(sys.argv[2]), float(sys.argv[3])
ports = sys.argv[4:7]
victim = int(sys.argv[7])
print(f"requests {s['requests']}  ok {s['ok']}  failed {s['failed']}  "
      f"retried by nginx on another replica {s['retried']}  "
      f"{s['seconds']} s, {s['requests'] / max(s['seconds'], 1e-9):.0f} req/s")
for i, p in enumerate(ports, 1):
    n = s["by_upstream"].get(f"127.0.0.1:{p}", 0)
    print(f"  replica {i} 127.0.0.1:{p}: {n} answers")
for e in s["errors"]:
    print("  error:", e)
last = s["last_by_upstream"].get(f"127.0.0.1:{ports[victim - 1]}", 0)
print(f"LAST_VICTIM_ANSWER_AFTER_RESTART {1 if last > t_restart else 0}")
print(f"FAILED {s['failed']}")
print(f"REQUESTS {s['requests']}")
PY
sed -n '/^LAST_VICTIM/!{/^FAILED/!{/^REQUESTS/!p}}' "$tmp/verdict" | sed 's/^/  /'
failed=$(sed -n 's/^FAILED //p' "$tmp/verdict")
requests=$(sed -n 's/^REQUESTS //p' "$tmp/verdict")
rejoined=$(sed -n 's/^LAST_VICTIM_ANSWER_AFTER_RESTART //p' "$tmp/verdict")
log "the restarted replica $victim logged $served_after /kl requests (its own log since the restart)"

ok=1
[ -n "$requests" ] && [ "$requests" -gt 0 ] || { log "FAIL: no requests were made"; ok=0; }
[ "$failed" = 0 ] || { log "FAIL: $failed client requests failed"; ok=0; }
[ "$rejoined" = 1 ] && [ "$served_after" -gt 0 ] || { log "FAIL: the restarted replica answered no request through nginx"; ok=0; }
[ "$ok" = 1 ] || exit 1
result=0
echo "cluster-demo: requests $requests, failures $failed, killed replica down in Prometheus after ${down_s} s, rejoined (up == 1) after ${up_s} s and served through nginx; SIGTERM drain exit 0 in ${drain_s} s"
echo "cluster-demo: 1 passed, 0 failed"
