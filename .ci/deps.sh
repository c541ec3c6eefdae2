#!/usr/bin/env bash
# Installs the Debian packages a step needs, only when something is missing.
#   .ci/deps.sh build   compiler, libmicrohttpd, jansson
#   .ci/deps.sh test    + cmocka, libcurl, mpmath, jsonschema, promtool/prometheus,
#                             node + npm, yamllint, curl
#   .ci/deps.sh bench   + wrk, nginx, FastAPI/uvicorn/scipy and PyTorch for baselines
#   .ci/deps.sh need ITEM...   just these: "command:package" for a tool, else a package
#                                  (what the check and image scripts need when run alone)
# Libraries are checked by package; tools by command, so a tool installed another way
# (e.g. a newer Node.js) is used as it is. Root is needed to install; as another user it
# prints the apt-get line to run.
set -euo pipefail
set_name=${1:-build}
pkgs=(gcc make pkg-config libmicrohttpd-dev libjansson-dev)
tools=()   # "command:package"
case "$set_name" in
  need) pkgs=()
        for item in "${@:2}"; do
          case "$item" in *:*) tools+=("$item") ;; *) pkgs+=("$item") ;; esac
        done ;;
  build) ;;
  test) pkgs+=(libcmocka-dev libcurl4-openssl-dev python3-mpmath python3-jsonschema python3-yaml
              python3-numpy)
        tools+=(/usr/bin/python3:python3 curl:curl promtool:prometheus prometheus:prometheus
                node:nodejs npm:npm yamllint:yamllint) ;;
  bench) tools+=(wrk:wrk nginx:nginx curl:curl)
         pkgs+=(python3-fastapi uvicorn python3-scipy python3-numpy python3-torch) ;;
  *) echo "deps.sh: unknown set '$set_name' (build|test|bench|need)" >&2; exit 2 ;;
esac
missing=()
for p in "${pkgs[@]+"${pkgs[@]}"}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
for t in "${tools[@]+"${tools[@]}"}"; do
  command -v "${t%%:*}" >/dev/null 2>&1 || missing+=("${t#*:}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
# shellcheck disable=SC2207
missing=($(printf '%s\n' "${missing[@]}" | sort -u))
echo "deps.sh: installing ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
  echo "deps.sh: not root; run: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
