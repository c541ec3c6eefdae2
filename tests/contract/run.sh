#!/usr/bin/env bash
# Checks every response the integration suite recorded against api/openapi.yaml.
# Usage: bash tests/contract/run.sh [BIN]   (BIN is accepted and ignored)
# The log is $DV_RESPONSE_LOG, default build/tests/responses.jsonl (one JSON object a
# line: method, path, status, content_type, body). First the checker checks itself on
# tests/data/openapi_samples/ (good fixtures must pass, bad ones must all fail).
set -uo pipefail
cd "$(dirname "$0")/../.."
py=/usr/bin/python3
log=${DV_RESPONSE_LOG:-build/tests/responses.jsonl}

if ! "$py" -c 'import jsonschema, yaml' 2>/dev/null; then
  .ci/deps.sh need "$py:python3" python3-jsonschema python3-yaml ||
    { echo "check_responses: $py lacks jsonschema/yaml (python3-jsonschema python3-yaml)" >&2
      exit 1; }
fi

"$py" tests/contract/check_responses.py --self-test tests/data/openapi_samples || {
  echo "check_responses: FAILED — the checker does not behave on its own fixtures" >&2
  exit 1
}

if [ ! -e "$log" ]; then
  echo "check_responses: FAILED — no response log at $log; the integration suite" \
       "must append every response there (or set DV_RESPONSE_LOG)" >&2
  exit 1
fi
if ! grep -q '[^[:space:]]' "$log"; then
  echo "check_responses: FAILED — the response log $log is empty" >&2
  exit 1
fi
"$py" tests/contract/check_responses.py "$log" || {
  echo "check_responses: FAILED — responses that break the contract are listed above" >&2
  exit 1
}
