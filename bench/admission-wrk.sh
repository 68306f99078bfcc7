#!/usr/bin/env bash
# admission-wrk.sh: load on jscan serve's /validate with wrk, for images whose verdicts are cached
# (the steady state of a cluster: the same images, pod after pod). Not a test: run by hand, record
# the numbers in BENCHMARKS.md ("Admission webhook").
#
# Sets up, on loopback only: a CNCF distribution registry with the sample image (testdata/sample,
# built and pushed by jscan), a CA and server certificate (deploy/kubernetes/make-certs.sh), a
# policy (integrity, non-root-user, maintainer in warn mode), and `jscan serve` from the built jar.
# Warms up (JIT, caches), then runs wrk with bench/admission.lua at each target rate and once
# unpaced, printing requests per second and latency percentiles. Stops the server and the registry
# by their PIDs.
#
# Usage: bench/admission-wrk.sh [SECONDS=30] [CONNECTIONS=20] [RATES="500 1000"]
# Needs: wrk (Debian package), docker-registry, openssl, curl, a JDK and Maven (./jscan builds the jar).
# Server JVM options: $JSCAN_SERVE_JAVA_OPTS (default: -Xmx512m, as the Deployment's limit allows).
set -euo pipefail
repo=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
seconds=${1:-30}; connections=${2:-20}; rates=${3:-"500 1000"}
work=$(mktemp -d /tmp/jscan-admission-bench.XXXXXX)
registry_pid=""; serve_pid=""
cleanup() {
  for pid in "$serve_pid" "$registry_pid"; do
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  done
  rm -rf "$work"
}
trap cleanup EXIT
for tool in wrk docker-registry openssl curl; do
  command -v "$tool" >/dev/null || { echo "admission-wrk.sh: $tool is not installed" >&2; exit 1; }
done

"$repo/jscan" --version >/dev/null   # builds the jar when sources changed
cp "$repo/cli/target/jscan.jar" "$work/jscan.jar"
jscan() { java -jar "$work/jscan.jar" "$@"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# ---- registry with the sample image
rport=$(free_port)
mkdir -p "$work/registry"
cat >"$work/registry/config.yml" <<CONF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/registry/data
http:
  addr: 127.0.0.1:$rport
  secret: bench
CONF
docker-registry serve "$work/registry/config.yml" >"$work/registry/log" 2>&1 </dev/null &
registry_pid=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$rport/v2/" && break; sleep 0.1; done
export JSCAN_HOME="$work/store"
jscan build -q -t "127.0.0.1:$rport/bench/sample:1" "$repo/testdata/sample" >/dev/null
jscan push -q "127.0.0.1:$rport/bench/sample:1" >/dev/null

# ---- certificates, policy, review
bash "$repo/deploy/kubernetes/make-certs.sh" "$work/certs" IP:127.0.0.1 2>/dev/null
mkdir -p "$work/policies"
cat >"$work/policies/default.yaml" <<'POLICY'
apiVersion: jscan.io/v1
kind: Policy
name: default
rules:
  - id: integrity
  - id: non-root-user
  - id: maintainer
    mode: warn
POLICY
sed -e "s#\${REGISTRY}/good:1#127.0.0.1:$rport/bench/sample:1#" "$repo/server/src/test/resources/admission/pod-create.json" >"$work/review.json"

# ---- the server
sport=$(free_port)
java ${JSCAN_SERVE_JAVA_OPTS:--Xmx512m} -jar "$work/jscan.jar" serve --policy "$work/policies" \
  --tls-cert "$work/certs/tls.crt" --tls-key "$work/certs/tls.key" --address 127.0.0.1 --port "$sport" \
  >"$work/serve.out" 2>"$work/serve.log" </dev/null &
serve_pid=$!
for _ in $(seq 200); do curl -s --cacert "$work/certs/ca.crt" -o /dev/null "https://127.0.0.1:$sport/readyz" && break; sleep 0.1; done
url="https://127.0.0.1:$sport"
answer=$(curl -s --cacert "$work/certs/ca.crt" -H 'Content-Type: application/json' --data-binary @"$work/review.json" "$url/validate")
case "$answer" in *'"allowed":true'*) ;; *) echo "the review is not allowed: $answer" >&2; cat "$work/serve.log" >&2; exit 1 ;; esac

export JSCAN_BENCH_BODY="$work/review.json"
run() {  # run LABEL INTERVAL_MS DURATION
  JSCAN_BENCH_INTERVAL_MS=$2 wrk -t 2 -c "$connections" -d "$3" --timeout 10s -s "$repo/bench/admission.lua" "$url" \
    | sed -n "s/^RESULT /$1 /p"
}
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1)" >&2
echo "wrk $(wrk -v 2>&1 | head -1 | cut -d' ' -f2), $connections connections over 2 threads, HTTPS keep-alive; $seconds s per run" >&2
run warmup 0 20s >/dev/null
for rate in $rates; do
  interval=$(( connections * 1000 / rate ))
  echo "target=${rate}rps $(run "interval=${interval}ms" "$interval" "${seconds}s")"
done
echo "target=max $(run unpaced 0 "${seconds}s")"
curl -s --cacert "$work/certs/ca.crt" "$url/metrics" | grep -E '^jscan_(cache_(hits|misses)_total|verifications_total|admission_decisions_total)' >&2
rss=$(ps -o rss= -p "$serve_pid"); echo "server RSS after the runs: $((rss / 1024)) MiB" >&2
