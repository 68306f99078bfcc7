#!/usr/bin/env bash
# set-key.sh: puts your cosign public key into the jscan-policies ConfigMap, where production.yaml's
# signature-required and sbom-required rules read it (keys: [cosign.pub], a path relative to the
# policy file: the ConfigMap volume's cosign.pub).
#
#   deploy/kubernetes/set-key.sh COSIGN_PUB CONFIGMAP_FILE
#   e.g. deploy/kubernetes/set-key.sh cosign.pub /tmp/jscan-deploy/configmap-policies.yaml
#
# Replaces the ${COSIGN_PUB} placeholder with the PEM, indented as the YAML block needs. Until it is
# replaced the policies do not load and jscan serve does not start: an admission policy that
# requires signatures must say whose (fail closed). To rotate the key, edit cosign.pub in the
# ConfigMap and kubectl apply it: jscan serve reloads, and verdicts under the old key are not reused.
set -euo pipefail
key=${1:?usage: set-key.sh COSIGN_PUB CONFIGMAP_FILE}
file=${2:?usage: set-key.sh COSIGN_PUB CONFIGMAP_FILE}
if ! grep -q -- '-----BEGIN PUBLIC KEY-----' "$key"; then
  echo "set-key.sh: $key is not a PEM public key (cosign.pub)" >&2
  exit 2
fi
if ! grep -qF '${COSIGN_PUB}' "$file"; then
  echo "set-key.sh: $file has no \${COSIGN_PUB} placeholder (is the key already set?)" >&2
  exit 2
fi
tmp=$(mktemp "$file.XXXXXX")
awk -v keyfile="$key" '
  index($0, "${COSIGN_PUB}") {
    indent = substr($0, 1, index($0, "${COSIGN_PUB}") - 1)
    while ((getline line < keyfile) > 0) print indent line
    next
  }
  { print }' "$file" >"$tmp"
mv "$tmp" "$file"
