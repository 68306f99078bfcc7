#!/usr/bin/env bash
# make-certs.sh: a CA and a serving certificate for the jscan admission webhook, with openssl.
#
#   deploy/kubernetes/make-certs.sh OUT_DIR [EXTRA_SAN...]
#
# Writes OUT_DIR/ca.crt, ca.key (keep it, or delete it once the certificate is made),
# tls.crt (server certificate, then the CA: the chain Jetty serves) and tls.key. The
# certificate names the Service's DNS names, which is what the API server checks when it calls
# the webhook (service jscan-webhook in namespace jscan-system); EXTRA_SANs are added as given
# (e.g. IP:127.0.0.1 for a local test). Valid for 365 days.
# Then: kubectl -n jscan-system create secret tls jscan-webhook-tls --cert=OUT/tls.crt --key=OUT/tls.key
# and put base64 of OUT/ca.crt in the webhook configurations' caBundle (README "Run as an
# admission webhook").
set -euo pipefail
out=${1:?usage: make-certs.sh OUT_DIR [EXTRA_SAN...]}
shift
service=${JSCAN_WEBHOOK_SERVICE:-jscan-webhook}
namespace=${JSCAN_WEBHOOK_NAMESPACE:-jscan-system}
mkdir -p "$out"
umask 077

sans="DNS:$service.$namespace.svc,DNS:$service.$namespace.svc.cluster.local,DNS:$service.$namespace"
for extra in "$@"; do sans="$sans,$extra"; done

openssl req -x509 -newkey rsa:2048 -nodes -days 365 -sha256 \
  -keyout "$out/ca.key" -out "$out/ca.crt" -subj "/CN=jscan-webhook-ca" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -sha256 \
  -keyout "$out/tls.key" -out "$out/tls.csr" -subj "/CN=$service.$namespace.svc" 2>/dev/null
printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\nbasicConstraints=CA:FALSE\n' "$sans" \
  > "$out/tls.ext"
openssl x509 -req -in "$out/tls.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -CAcreateserial \
  -days 365 -sha256 -extfile "$out/tls.ext" -out "$out/tls.leaf.crt" 2>/dev/null
cat "$out/tls.leaf.crt" "$out/ca.crt" > "$out/tls.crt"
rm -f "$out/tls.csr" "$out/tls.ext" "$out/tls.leaf.crt" "$out/ca.srl"
echo "wrote $out/tls.crt, $out/tls.key and $out/ca.crt (SANs: $sans)" >&2
