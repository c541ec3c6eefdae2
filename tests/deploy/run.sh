#!/usr/bin/env bash
# Offline checks of the container and Kubernetes files (run by `make test` through
# tests/run_checks.sh; no cluster, no registry needed):
#   1. `kubectl kustomize` renders deploy/base and every deploy/overlays/* (skipped with
#      a message when kubectl is missing);
#   2. every rendered object is validated against the Kubernetes API schemas (and the
#      prometheus-operator CRDs) with the pinned npm packages in deploy/validate
#      (kubernetes-models; unknown fields fail) — and a deliberately misspelled field
#      must be caught, or the validator is not doing its job;
#   3. deploy/validate/policy.js: probes, limits, security context, grace period,
#      HPA/PDB/Service/ServiceMonitor wiring;
#   4. yamllint (deploy/.yamllint.yaml) on all YAML under deploy/;
#   5. the Dockerfile's runtime promises (non-root USER, HEALTHCHECK, STOPSIGNAL, EXPOSE).
# Usage: tests/deploy/run.sh [BIN]   (BIN is unused; run_checks.sh passes it)
set -uo pipefail
cd "$(dirname "$0")/../.."

pass=0; fail=0; skip=0
ok()   { pass=$((pass + 1)); echo "  ok    $*"; }
bad()  { fail=$((fail + 1)); echo "  FAIL  $*"; }
skipped() { skip=$((skip + 1)); echo "  skip  $*"; }

# --- tools (installed when missing, as root) ------------------------------------------
.ci/deps.sh need yamllint:yamllint node:nodejs npm:npm ||
  echo "check_deploy: yamllint, node or npm missing; the steps that need them will say so"

validator=false
if command -v node >/dev/null && command -v npm >/dev/null; then
  if [ ! -d deploy/validate/node_modules ]; then
    echo "check_deploy: npm ci in deploy/validate (pinned by package-lock.json)"
    bash .ci/npm_ci.sh deploy/validate
  fi
  if (cd deploy/validate && node -e 'require("kubernetes-models/apps/v1");
        require("@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1"); require("yaml")') 2>/dev/null; then
    validator=true
  else
    bad "deploy/validate: the pinned validator packages are not installed (npm ci failed?)"
  fi
else
  bad "node/npm are missing: cannot validate the manifests"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- 1–3: render, validate, policy ----------------------------------------------------
if command -v kubectl >/dev/null; then
  targets=(deploy/base)
  for d in deploy/overlays/*/; do [ -f "$d/kustomization.yaml" ] && targets+=("${d%/}"); done
  for t in "${targets[@]}"; do
    out="$tmp/$(echo "$t" | tr / _).yaml"
    if ! kubectl kustomize "$t" >"$out" 2>"$out.err"; then
      bad "kubectl kustomize $t: $(head -c 400 "$out.err")"; continue
    fi
    ok "kubectl kustomize $t ($(grep -c '^kind:' "$out") objects)"
    $validator || continue
    if node deploy/validate/validate.js "$out" >"$out.val" 2>&1; then
      ok "schemas $t: $(tail -n 1 "$out.val" | sed 's/^validate.js: //')"
    else
      bad "schemas $t:"; grep -v '^ok ' "$out.val" | sed 's/^/          /'
    fi
    if node deploy/validate/policy.js "$out" >"$out.pol" 2>&1; then
      ok "$t $(cat "$out.pol")"
    else
      bad "policy $t:"; sed 's/^/          /' "$out.pol"
    fi
  done
  # The validator must reject what the API server's strict decoding rejects.
  if $validator && [ -s "$tmp/deploy_base.yaml" ]; then
    sed 's/^\(\( *\)\)periodSeconds:/\1periodSecond:/' "$tmp/deploy_base.yaml" >"$tmp/misspelled.yaml"
    if node deploy/validate/validate.js "$tmp/misspelled.yaml" >"$tmp/misspelled.out" 2>&1; then
      bad "a misspelled field (periodSecond) was NOT caught by the validator"
    elif grep -q 'unknown field "periodSecond"' "$tmp/misspelled.out"; then
      ok "a misspelled field is caught: $(grep -m1 'unknown field' "$tmp/misspelled.out" | sed 's/^ *//')"
    else
      bad "the misspelled-field document failed for another reason:"; sed 's/^/          /' "$tmp/misspelled.out"
    fi
    sed 's/^\( *\)replicas: 2$/\1replicas: "2"/' "$tmp/deploy_base.yaml" >"$tmp/badtype.yaml"
    node deploy/validate/validate.js "$tmp/badtype.yaml" >"$tmp/badtype.out" 2>&1
    if grep -q '/spec/replicas: must be integer' "$tmp/badtype.out"; then
      ok "a wrongly typed field is caught (/spec/replicas: \"2\")"
    else
      bad "a wrongly typed field (/spec/replicas: \"2\") was NOT caught"
    fi
  fi
else
  skipped "kubectl not found: rendering and schema validation of deploy/ SKIPPED (install kubectl to run them)"
fi

# --- 4: yamllint -----------------------------------------------------------------------
if command -v yamllint >/dev/null; then
  mapfile -t yfiles < <(find deploy -path '*/node_modules' -prune -o \( -name '*.yaml' -o -name '*.yml' -o -name '*.yml.in' \) -type f -print | sort)
  if yamllint -s -c deploy/.yamllint.yaml "${yfiles[@]}" >"$tmp/yamllint.out" 2>&1; then
    ok "yamllint: ${#yfiles[@]} files under deploy/"
  else
    bad "yamllint:"; sed 's/^/          /' "$tmp/yamllint.out"
  fi
else
  bad "yamllint is missing"
fi

# --- 5: the Dockerfile's runtime stage ---------------------------------------------------
if [ -f Dockerfile ]; then
  # the last stage, continuation lines joined
  rt=$(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' Dockerfile | awk '/^FROM /{n++} n>=2')
  user=$(printf '%s\n' "$rt" | awk '/^USER /{u=$2} END{print u}')
  uid_arg=$(printf '%s\n' "$rt" | sed -n 's/^ARG UID=\([0-9]*\)$/\1/p')
  case "$user" in
    ''|0|0:*|root|root:*) bad "Dockerfile: runtime stage runs as root (USER '$user')" ;;
    *) ok "Dockerfile: USER $user${uid_arg:+ (uid $uid_arg)}" ;;
  esac
  for re in '^HEALTHCHECK .*--healthcheck' '^STOPSIGNAL SIGTERM' '^EXPOSE 8080' \
            '^FROM debian:bookworm-slim'; do
    printf '%s\n' "$rt" | grep -Eq "$re" && ok "Dockerfile: /$re/" || bad "Dockerfile: no /$re/ in the runtime stage"
  done
  if printf '%s\n' "$rt" | grep -Eq 'install .*(gcc|make|-dev)\b'; then
    bad "Dockerfile: the runtime stage installs build packages"
  else
    ok "Dockerfile: no build packages in the runtime stage"
  fi
fi

echo "check_deploy: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
