#!/usr/bin/env bash
# npm_ci.sh DIR — `npm ci` in DIR (versions pinned by its package-lock.json), tried up to
# three times: a transient registry error once failed a whole CI run.
set -u
dir=${1:?usage: npm_ci.sh DIR}
for attempt in 1 2 3; do
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1) && exit 0
  echo "npm_ci: attempt $attempt in $dir failed; retrying" >&2
  sleep $((attempt * 5))
done
exit 1
