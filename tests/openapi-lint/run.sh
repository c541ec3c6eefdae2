#!/usr/bin/env bash
# Lints api/openapi.yaml with the pinned Redocly CLI (tests/openapi-lint/) and its
# recommended rules (tests/openapi-lint/redocly.yaml). Zero errors required.
# Usage: bash tests/openapi-lint/run.sh [BIN]   (BIN is accepted and ignored)
# Installs nodejs/npm with apt-get when missing, and runs `npm ci` when the pinned
# packages are not installed yet. OFFLINE=1 fails instead of installing.
set -euo pipefail
cd "$(dirname "$0")/../.."
lintdir=tests/openapi-lint
doc=api/openapi.yaml

[ -s "$doc" ] || { echo "check_openapi: $doc is missing or empty" >&2; exit 1; }

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  { [ "${OFFLINE:-0}" != 1 ] && .ci/deps.sh need node:nodejs npm:npm; } ||
    { echo "check_openapi: node/npm missing; install them with: apt-get install -y nodejs npm" >&2
      exit 1; }
fi

redocly=$lintdir/node_modules/.bin/redocly
want=$(sed -n 's/.*"@redocly\/cli": *"\([^"]*\)".*/\1/p' "$lintdir/package.json")
have=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$lintdir/node_modules/@redocly/cli/package.json" 2>/dev/null | head -1 || true)
if [ ! -x "$redocly" ] || [ "$have" != "$want" ]; then
  if [ "${OFFLINE:-0}" = 1 ]; then
    echo "check_openapi: @redocly/cli $want is not installed in $lintdir (run npm ci there)" >&2
    exit 1
  fi
  echo "check_openapi: npm ci in $lintdir (@redocly/cli $want)" >&2
  bash .ci/npm_ci.sh "$lintdir"
fi

# Redocly otherwise phones home for telemetry and update checks.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
out=$(mktemp); trap 'rm -f "$out"' EXIT
set +e
"$redocly" lint --config "$lintdir/redocly.yaml" --format=stylish "$doc" >"$out" 2>&1
rc=$?
set -e
cat "$out"
# The path keys must sit at two-space indent (other tools grep for them).
missing=0
for p in /entropy /kl /cross-entropy /gaussian-kl /batch/categorical-kl /js \
         /healthz /readyz /metrics /openapi.yaml; do
  grep -q "^  ${p}:" "$doc" || { echo "check_openapi: path $p not found at two-space indent" >&2; missing=1; }
done
if [ $rc -ne 0 ] || [ $missing -ne 0 ]; then
  echo "check_openapi: FAILED (redocly exit $rc)" >&2
  exit 1
fi
echo "check_openapi: $doc is valid"
