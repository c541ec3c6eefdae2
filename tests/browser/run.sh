#!/usr/bin/env bash
# tests/browser/run.sh [BIN] — the playground (/) and docs page (/docs) in a real browser
# (issue 18): Debian's Chromium, headless, driven by playwright-core, then Debian's Firefox
# ESR over WebDriver BiDi when it is installed (DV_NO_FIREFOX=1 leaves it out); the
# pages' HTML through html-validate and their JavaScript through ESLint; axe-core audits
# both pages (WCAG 2.1 A/AA). The npm packages are pinned in tests/browser/package-lock.json and
# installed with `npm ci` (.ci/npm_ci.sh) when missing or when the lock file
# changed; chromium, node and npm come from apt (.ci/deps.sh). Screenshots and daemon
# logs go to build/browser-artifacts/ (not committed; the README's docs/playground.png is
# a copy of playground.png).
# Prints one line per step and scenario, then "browser: N passed, M failed"; exits
# non-zero on any failure. Run by `make browser` and, as a check (tests/run_checks.sh),
# by `make test`.
set -uo pipefail
cd "$(dirname "$0")/../.."
BIN=$(realpath -m "${1:-build/divergenced}")
DIR=tests/browser
ART=build/browser-artifacts
pass=0; fail=0
finish() { echo "browser: $pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }

if [ ! -x "$BIN" ]; then
  echo "FAIL - $BIN is not an executable (run make first)"; fail=1; finish
fi
if ! .ci/deps.sh need node:nodejs npm:npm chromium:chromium; then
  echo "FAIL - node, npm or chromium missing (apt-get install -y nodejs npm chromium)"; fail=1; finish
fi
stamp=$DIR/node_modules/.divergenced-lock-sha256
want=$(sha256sum "$DIR/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "browser: npm ci in $DIR (playwright-core, html-validate, eslint)" >&2
  if ! bash .ci/npm_ci.sh "$DIR"; then
    echo "FAIL - npm ci in $DIR"; fail=1; finish
  fi
  echo "$want" >"$stamp"
fi
mkdir -p "$ART"

step() {
  local name=$1 out; shift
  if out=$("$@" 2>&1); then
    pass=$((pass + 1)); echo "ok - $name"
  else
    fail=$((fail + 1)); echo "FAIL - $name"; printf '%s\n' "$out" | head -40 | sed 's/^/    /'
  fi
}
step "html-validate: src/api/assets/*.html" \
  "$DIR/node_modules/.bin/html-validate" --config "$DIR/.htmlvalidate.json" src/api/assets/*.html
step "eslint: src/api/assets/*.js and the suite" \
  "$DIR/node_modules/.bin/eslint" --config "$DIR/eslint.config.js" --max-warnings 0 \
  src/api/assets/*.js "$DIR"/*.mjs "$DIR"/*.js

timeout 300 node "$DIR/suite.mjs" "$BIN" "$ART" | tee "$ART/suite.log"
line=$(grep -E '^suite: [0-9]+ passed, [0-9]+ failed' "$ART/suite.log" | tail -1)
if [ -z "$line" ]; then
  echo "FAIL - the suite ended without its summary line (see $ART/suite.log)"; fail=$((fail + 1))
else
  read -r p f < <(sed -E 's/^suite: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/' <<<"$line")
  pass=$((pass + p)); fail=$((fail + f))
fi
finish
