#!/usr/bin/env bash
# Builds the image and proves it works (`make image-test`; not part of `make test`: the
# first run makes the base image and takes a few minutes).
#
#   deploy/image_test.sh [TAG]       DV_SKIP_BUILD=1 tests an image already built
#
# Runs the container like the Kubernetes manifests do (read-only root filesystem, all
# capabilities dropped, no new privileges, an API key file mounted read-only) with its
# port published on 127.0.0.1 only, and checks: /healthz and /readyz; one /kl answer
# against its known value; 401 without the bearer token; the process runs as the
# image's non-root uid; the HEALTHCHECK (kept by --format docker) reports healthy; the
# runtime stage ships no compiler, headers or apt lists; `podman stop` (SIGTERM) ends
# it with exit code 0 well within the shutdown grace, after "draining" and "stopped".
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
version=$(cat VERSION 2>/dev/null || echo 0.0.0)
tag=${1:-divergenced:$version}
export CONTAINERS_CONF=${DV_CONTAINERS_CONF:-$root/deploy/podman/containers.conf}
want_uid=10001
grace=10          # DIVERGENCED_SHUTDOWN_GRACE in the image
stop_timeout=$((grace + 5))

if [ "${DV_SKIP_BUILD:-0}" != 1 ]; then
  deploy/image.sh "$tag"
fi
"$root/.ci/deps.sh" need curl:curl

pass=0; fail=0
ok()  { pass=$((pass + 1)); echo "  ok    $*"; }
bad() { fail=$((fail + 1)); echo "  FAIL  $*"; }

name=dv-image-test-$$
tmp=$(mktemp -d)
cleanup() {
  podman rm -f -t 0 "$name" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# --- the image's configuration ----------------------------------------------------------
hc=$(podman image inspect --format '{{json .Config.Healthcheck}}' "$tag")
case "$hc" in *--healthcheck*) ok "image HEALTHCHECK: $hc" ;; *) bad "image has no HEALTHCHECK ($hc)" ;; esac
user=$(podman image inspect --format '{{.Config.User}}' "$tag")
[ "${user%%:*}" = "$want_uid" ] && ok "image USER $user" || bad "image USER is '$user', want $want_uid"
sig=$(podman image inspect --format '{{.Config.StopSignal}}' "$tag")
[ "$sig" = SIGTERM ] && ok "image STOPSIGNAL $sig" || bad "image STOPSIGNAL is '$sig'"
ports=$(podman image inspect --format '{{json .Config.ExposedPorts}}' "$tag")
case "$ports" in *8080/tcp*) ok "image EXPOSE $ports" ;; *) bad "image does not expose 8080 ($ports)" ;; esac

# --- lean runtime stage -------------------------------------------------------------------
lean=$(podman run --rm --read-only --no-healthcheck --entrypoint /bin/sh "$tag" -c '
  for t in gcc cc c99 make ld as cpp pkg-config; do command -v "$t"; done
  ls /usr/include 2>/dev/null | head -n 3
  ls /var/lib/apt/lists 2>/dev/null | grep -v "^lock$\|^partial$" | head -n 3
  true')
[ -z "$lean" ] && ok "runtime stage: no compiler, linker, headers or apt lists" \
               || bad "runtime stage ships build things: $(echo "$lean" | tr '\n' ' ')"

# --- run it -------------------------------------------------------------------------------
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
key=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
mkdir -p "$tmp/secret" && printf '%s\n' "$key" >"$tmp/secret/api-key"
chmod 0755 "$tmp/secret"; chmod 0644 "$tmp/secret/api-key"
podman run -d --name "$name" \
  --read-only --cap-drop ALL --security-opt no-new-privileges \
  --tmpfs /tmp:rw,size=16m,mode=1777 \
  -p "127.0.0.1:$port:8080" \
  -v "$tmp/secret:/etc/divergenced/api-key:ro" \
  -e DIVERGENCED_API_KEY_FILE=/etc/divergenced/api-key/api-key \
  -e DIVERGENCED_THREADS=2 \
  "$tag" >/dev/null 2>"$tmp/run.err" || { cat "$tmp/run.err"; exit 1; }
# (Without systemd, podman cannot schedule the periodic healthcheck timer and says so
# on stderr; `podman healthcheck run` below runs the same check on demand.)
base=http://127.0.0.1:$port

up=0
for _ in $(seq 1 100); do
  if curl -fsS -m 2 "$base/healthz" >"$tmp/healthz" 2>/dev/null; then up=1; break; fi
  sleep 0.2
done
if [ $up = 1 ] && grep -q '"ok"' "$tmp/healthz"; then ok "GET /healthz via 127.0.0.1:$port: $(cat "$tmp/healthz")"
else bad "GET /healthz never answered 200"; podman logs "$name" 2>&1 | tail -n 20; exit 1; fi
code=$(curl -sS -m 5 -o "$tmp/readyz" -w '%{http_code}' "$base/readyz")
[ "$code" = 200 ] && ok "GET /readyz: $code $(cat "$tmp/readyz")" || bad "GET /readyz: $code"

body='{"p":[0.4,0.4,0.2],"q":[0.5,0.1,0.4],"base":2}'
code=$(curl -sS -m 5 -o "$tmp/noauth" -w '%{http_code}' -H 'Content-Type: application/json' -d "$body" "$base/kl")
[ "$code" = 401 ] && ok "POST /kl without the bearer token: 401" || bad "POST /kl without the token: $code, want 401"
code=$(curl -sS -m 5 -o "$tmp/kl" -w '%{http_code}' -H 'Content-Type: application/json' \
  -H "Authorization: Bearer $key" -d "$body" "$base/kl")
if [ "$code" = 200 ] && python3 - "$tmp/kl" <<'PY'
import json, sys
got = json.load(open(sys.argv[1]))["kl"]
want = 0.47122876204505504
sys.exit(0 if isinstance(got, float) and abs(got - want) <= 1e-12 * want else 1)
PY
then ok "POST /kl p=[0.4,0.4,0.2] q=[0.5,0.1,0.4] base 2: $(cat "$tmp/kl")"
else bad "POST /kl: $code $(cat "$tmp/kl" 2>/dev/null), want kl 0.47122876204505504"; fi
code=$(curl -sS -m 5 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $key" "$base/metrics")
[ "$code" = 200 ] && ok "GET /metrics with the token: 200" || bad "GET /metrics with the token: $code"

uid=$(podman exec "$name" /bin/sh -c 'awk "/^Uid:/ {print \$2, \$3}" /proc/1/status; awk "/^Gid:/ {print \$2}" /proc/1/status' | tr '\n' ' ')
set -- $uid
[ "${1:-}" = "$want_uid" ] && [ "${2:-}" = "$want_uid" ] && [ "${3:-}" != 0 ] \
  && ok "PID 1 runs as uid $1 (effective $2), gid $3" || bad "PID 1 uid/euid/gid: $uid, want $want_uid"
cmd=$(podman exec "$name" cat /proc/1/cmdline | tr '\0' ' ')
case "$cmd" in /usr/local/bin/divergenced*) ok "PID 1 is $cmd" ;; *) bad "PID 1 is '$cmd'" ;; esac

if podman healthcheck run "$name" >"$tmp/hc" 2>&1; then
  st=$(podman inspect --format '{{.State.Health.Status}}' "$name" 2>/dev/null ||
       podman inspect --format '{{.State.Healthcheck.Status}}' "$name")
  [ "$st" = healthy ] && ok "podman healthcheck run: exit 0, status $st" || bad "healthcheck status '$st'"
else
  bad "podman healthcheck run failed: $(cat "$tmp/hc")"
fi

# --- SIGTERM, with a request in flight ------------------------------------------------------
# A 0.5 MB /entropy body uploaded at 200 kB/s is still arriving when SIGTERM lands; the
# daemon must finish it (drain) and only then exit 0.
python3 -c 'import json; print(json.dumps({"p": [1.0] * 100000, "normalize": True}))' >"$tmp/big.json"
curl -sS -m 30 --limit-rate 200k -o "$tmp/inflight" -w '%{http_code}' \
  -H 'Content-Type: application/json' -H "Authorization: Bearer $key" \
  --data-binary @"$tmp/big.json" "$base/entropy" >"$tmp/inflight.code" 2>&1 &
curl_pid=$!
sleep 0.7
t0=$(date +%s.%N)
podman stop -t "$stop_timeout" "$name" >/dev/null 2>>"$tmp/run.err"
t1=$(date +%s.%N)
wait "$curl_pid" || true
if [ "$(cat "$tmp/inflight.code")" = 200 ] && python3 - "$tmp/inflight" <<'PY'
import json, math, sys
got = json.load(open(sys.argv[1]))["entropy"]
sys.exit(0 if abs(got - math.log(100000)) <= 1e-12 * math.log(100000) else 1)
PY
then ok "in-flight request during SIGTERM finished: 200 $(cut -c1-60 "$tmp/inflight")…"
else bad "in-flight request during SIGTERM: $(cat "$tmp/inflight.code") $(head -c 200 "$tmp/inflight" 2>/dev/null)"; fi
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
rc=$(podman inspect --format '{{.State.ExitCode}}' "$name")
if [ "$rc" = 0 ] && awk -v s="$secs" -v g="$grace" 'BEGIN { exit !(s < g) }'; then
  ok "podman stop (SIGTERM): exit code 0 after $secs s (grace $grace s)"
else
  bad "podman stop: exit code $rc after $secs s (want 0 within $grace s)"
fi
podman logs "$name" >"$tmp/log" 2>&1 || true
if grep -q '"draining"' "$tmp/log" && grep -q '"stopped"' "$tmp/log"; then
  ok "log: $(grep -m1 '"listening"' "$tmp/log" | cut -c1-140)"
  ok "log: draining … stopped"
else
  bad "log lacks draining/stopped:"; tail -n 5 "$tmp/log"
fi

size=$(podman image inspect --format '{{.Size}}' "$tag")
echo "image $tag: $(awk -v s="$size" 'BEGIN { printf "%.1f MB", s / 1e6 }')"
echo "image-test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
