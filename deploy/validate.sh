#!/usr/bin/env bash
# Offline validation of everything under deploy/ (no cluster, no network beyond the package registries):
#   1. yamllint on every YAML file (config: deploy/.yamllint);
#   2. kubectl kustomize renders each overlay (skipped, with a message, when kubectl is absent);
#   3. schema validation of every rendered object, the examples, and each kustomization's own files
#      (resources whole, patches as patches) against the Kubernetes OpenAPI schemas, unknown fields
#      rejected (deploy/validate/validate.mjs); and the negative fixture must be REJECTED;
#   4. promtool check rules + test rules on deploy/observability/prometheus.
# Run from anywhere; exits non-zero on any problem. Takes a few seconds (the first run installs yamllint
# with apt-get when root, and the validator's npm packages with npm ci).
set -uo pipefail
cd "$(dirname "$0")/.."

start=$SECONDS
status=0
fail() { echo "deploy/validate.sh: $*"; status=1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. yamllint
if ! command -v yamllint >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing yamllint (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  timeout 300 apt-get install -y -q yamllint >"$work/apt.log" 2>&1 \
    || { timeout 300 apt-get update -q >>"$work/apt.log" 2>&1 && timeout 300 apt-get install -y -q yamllint >>"$work/apt.log" 2>&1; } \
    || tail -5 "$work/apt.log"
fi
if command -v yamllint >/dev/null 2>&1; then
  if timeout 120 yamllint -s -c deploy/.yamllint deploy; then
    echo "yamllint: all passed"
  else
    fail "yamllint found problems"
  fi
else
  fail "yamllint is missing (apt-get install yamllint, or pip install yamllint)"
fi

# 2. render the overlays
rendered=()
if command -v kubectl >/dev/null 2>&1; then
  for overlay in deploy/k8s/overlays/*/; do
    name=$(basename "$overlay")
    out="$work/overlay-$name.rendered.yaml"
    if timeout 60 kubectl kustomize "$overlay" >"$out" 2>"$work/kustomize.err"; then
      echo "kubectl kustomize $overlay: $(grep -c '^kind:' "$out") objects"
      rendered+=("$out")
    else
      cat "$work/kustomize.err"
      fail "kubectl kustomize $overlay failed"
    fi
  done
else
  echo "kubectl is not installed: overlays are not rendered; their files are validated one by one instead"
fi

# 3. schema validation
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  fail "node and npm are needed for the schema validation (apt-get install nodejs npm)"
else
  validator=deploy/validate
  if [ ! -f "$validator/node_modules/.package-lock.json" ] || [ "$validator/package-lock.json" -nt "$validator/node_modules/.package-lock.json" ]; then
    echo "installing the validator's packages (npm ci)"
    if ! (cd "$validator" && timeout 300 npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >"$work/npm.log" 2>&1); then
      tail -20 "$work/npm.log"
      fail "npm ci in $validator failed"
    fi
  fi
  if [ -d "$validator/node_modules" ]; then
    args=()
    for f in "${rendered[@]}"; do args+=("$f"); done
    for f in deploy/k8s/examples/*.yaml; do args+=("$f"); done
    for overlay in deploy/k8s/overlays/*/; do args+=(--kustomization "${overlay%/}"); done
    for f in "$validator"/fixtures/*.yaml; do args+=(--expect-invalid "$f"); done
    if ! timeout 120 node "$validator/validate.mjs" "${args[@]}"; then
      fail "schema validation found problems"
    fi
  fi
fi

# 4. the Prometheus rules of deploy/observability: promtool (Debian's prometheus package) checks them and runs
#    their unit tests (the test suite's AlertRulesTests runs the same, and counts it)
if ! command -v promtool >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing promtool (apt-get install prometheus)"
  export DEBIAN_FRONTEND=noninteractive
  timeout 600 apt-get install -y -q --no-install-recommends prometheus >"$work/apt-prometheus.log" 2>&1 \
    || { timeout 300 apt-get update -q >>"$work/apt-prometheus.log" 2>&1 \
         && timeout 600 apt-get install -y -q --no-install-recommends prometheus >>"$work/apt-prometheus.log" 2>&1; } \
    || tail -5 "$work/apt-prometheus.log"
fi
if command -v promtool >/dev/null 2>&1; then
  rules=deploy/observability/prometheus
  if (cd "$rules" && timeout 60 promtool check rules recording.rules.yml alerts.rules.yml && timeout 120 promtool test rules alerts.test.yml); then
    echo "promtool: rules valid, alert unit tests passed"
  else
    fail "promtool found problems in $rules"
  fi
else
  fail "promtool is missing (apt-get install prometheus)"
fi

echo "deploy/validate.sh: $([ $status = 0 ] && echo passed || echo FAILED) in $((SECONDS - start))s"
exit $status
