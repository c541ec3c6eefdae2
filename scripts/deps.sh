#!/usr/bin/env bash
# Installs the Debian packages a step needs, only when one is missing.
#   scripts/deps.sh build   compiler, libmicrohttpd, jansson
#   scripts/deps.sh test    + cmocka, libcurl, mpmath, promtool, jsonschema, node/npm
#   scripts/deps.sh bench   + wrk, nginx, python3-fastapi/uvicorn/scipy/torch
# Root is needed to install; as another user it only reports what is missing.
set -euo pipefail
set_name=${1:-build}
pkgs=(gcc make pkg-config libmicrohttpd-dev libjansson-dev)
case "$set_name" in
  build) ;;
  test) pkgs+=(libcmocka-dev libcurl4-openssl-dev python3 python3-mpmath python3-jsonschema
              python3-yaml prometheus curl nodejs npm yamllint) ;;
  bench) pkgs+=(wrk nginx curl python3-fastapi uvicorn python3-scipy python3-numpy
              python3-torch) ;;
  *) echo "deps.sh: unknown set '$set_name' (build|test|bench)" >&2; exit 2 ;;
esac
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps.sh: installing ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
  echo "deps.sh: not root; install these with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
