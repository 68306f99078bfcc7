#!/usr/bin/env bash
# registry-push-pull.sh: push and pull an image of about 500 MB in 10 layers to and from a local
# CNCF distribution registry with jscan, and the same image with `skopeo copy`, in the same run;
# prints the times and the jscan/skopeo ratio (below 1.0 means jscan is faster). Not a test: run
# by hand, record the numbers in BENCHMARKS.md.
#
# Usage: bench/registry-push-pull.sh [LAYER_MB=50] [LAYERS=10] [ROUNDS=3] [KIND=tar]
#   KIND tar:  uncompressed tar layers of random bytes (diff_id = digest: nothing to decompress)
#   KIND gzip: gzip layers made by bench/make-image.py (LAYER_MB files of 2 MiB, half random, half
#              text, so about LAYER_MB MB compressed and twice that uncompressed): what a copy that
#              checks diff_ids has to decompress, as in real images
# JSCAN_BASELINE=/path/to/jscan (a launcher of another build, e.g. the commit before a change) is
# measured too, in the same rounds, and compared with this checkout's.
# Prints CPU time (user + system) beside wall time: on a shared VM it is the steadier figure.
# Needs: docker-registry, skopeo, sha256sum, python3, GNU time, a JDK and Maven (./jscan builds its jar).
# Each push goes to a registry with fresh storage; each pull into a fresh destination.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
layer_mb=${1:-50}; layers=${2:-10}; rounds=${3:-3}; kind=${4:-tar}
baseline=${JSCAN_BASELINE:-}
work=$(mktemp -d /tmp/jscan-bench.XXXXXX)
registry_pid=""
cleanup() {
  if [ -n "$registry_pid" ]; then kill "$registry_pid" 2>/dev/null || true; wait "$registry_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$here/jscan" --version >/dev/null  # build the jar before timing anything
if [ -n "$baseline" ]; then "$baseline" --version >/dev/null; fi
# through ./jscan, as users run it (with its class-data archive); do not edit sources during a run
jscan() { "$here/jscan" "$@"; }

src="$work/src"; mkdir -p "$src/blobs/sha256"
if [ "$kind" = gzip ]; then
  # ---- the image: gzip layers as bench/make-image.py makes them (deterministic content)
  python3 "$here/bench/make-image.py" "$src" "$layers" "$layer_mb" >/dev/null
  # make-image.py names the image "bench" in index.json, as below
  md=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifests"][0]["digest"].split(":")[1])' "$src/index.json")
else
# ---- the image: an OCI layout with uncompressed random layers (incompressible, like real blobs)
echo '{"imageLayoutVersion":"1.0.0"}' >"$src/oci-layout"
layer_json=""; diff_ids=""
for i in $(seq 1 "$layers"); do
  mkdir -p "$work/l$i"; head -c "$((layer_mb * 1024 * 1024))" /dev/urandom >"$work/l$i/data$i.bin"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work/l$i" -cf "$work/layer$i.tar" "data$i.bin"
  rm -rf "$work/l$i"
  d=$(sha256sum "$work/layer$i.tar" | cut -d' ' -f1); s=$(stat -c %s "$work/layer$i.tar")
  mv "$work/layer$i.tar" "$src/blobs/sha256/$d"
  layer_json="$layer_json${layer_json:+,}{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"sha256:$d\",\"size\":$s}"
  diff_ids="$diff_ids${diff_ids:+,}\"sha256:$d\""
done
printf '{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":[%s]}}' "$diff_ids" >"$work/config"
cd_=$(sha256sum "$work/config" | cut -d' ' -f1); cs=$(stat -c %s "$work/config"); mv "$work/config" "$src/blobs/sha256/$cd_"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s]}' \
  "$cd_" "$cs" "$layer_json" >"$work/manifest"
md=$(sha256sum "$work/manifest" | cut -d' ' -f1); ms=$(stat -c %s "$work/manifest"); mv "$work/manifest" "$src/blobs/sha256/$md"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"bench"}}]}' \
  "$md" "$ms" >"$src/index.json"
fi
total=$(du -sb "$src/blobs" | cut -f1)
echo "image: $kind, $layers layers, $total bytes, manifest sha256:$md" >&2

# ---- a registry with fresh storage on a free loopback port
start_registry() {
  if [ -n "$registry_pid" ]; then kill "$registry_pid"; wait "$registry_pid" 2>/dev/null || true; fi
  local dir; dir=$(mktemp -d "$work/registry.XXXXXX")
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  cat >"$dir/config.yml" <<CONF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: bench
CONF
  docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 </dev/null &
  registry_pid=$!
  for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && return 0; sleep 0.1
  done
  echo "registry did not start" >&2; cat "$dir/log" >&2; exit 1
}

now() { date +%s.%N; }
# timed COMMAND...: runs it, appends its wall time to the array named by $wall and its CPU time (user + system) to $cpu
timed() {
  /usr/bin/time -f "%e %U %S" -o "$work/time" "$@" >/dev/null
  read -r e u s <"$work/time"
  eval "$wall+=(\"$e\")"; eval "$cpu+=(\"$(echo "$u + $s" | bc)\")"
}
declare -a push_j push_s pull_j pull_s start_j push_b pull_b cpu_push_j cpu_pull_j cpu_push_b cpu_pull_b cpu_push_s cpu_pull_s
export JSCAN_HOME="$work/store"
for r in $(seq 1 "$rounds"); do
  start_registry
  wall=push_s cpu=cpu_push_s timed skopeo copy -q --dest-tls-verify=false "oci:$src:bench" "docker://127.0.0.1:$port/bench/skopeo:1"
  rm -rf "$work/out-s"
  wall=pull_s cpu=cpu_pull_s timed skopeo copy -q --src-tls-verify=false "docker://127.0.0.1:$port/bench/skopeo:1" "oci:$work/out-s:x"
  start_registry
  # every push and pull from an empty store: what an earlier one learnt (the layers' diff_id records) would spare work
  rm -rf "$JSCAN_HOME"
  wall=push_j cpu=cpu_push_j timed "$here/jscan" push -q "oci:$src:bench" "docker://127.0.0.1:$port/bench/jscan:1"
  rm -rf "$JSCAN_HOME"
  wall=pull_j cpu=cpu_pull_j timed "$here/jscan" pull -q "127.0.0.1:$port/bench/jscan:1"
  t=$(now); jscan --version >/dev/null; start_j+=("$(echo "$(now) - $t" | bc)")
  line="round $r: push jscan ${push_j[-1]}s (cpu ${cpu_push_j[-1]}s) skopeo ${push_s[-1]}s (cpu ${cpu_push_s[-1]}s); pull jscan ${pull_j[-1]}s (cpu ${cpu_pull_j[-1]}s) skopeo ${pull_s[-1]}s (cpu ${cpu_pull_s[-1]}s); jscan JVM start ${start_j[-1]}s"
  if [ -n "$baseline" ]; then
    start_registry
    rm -rf "$JSCAN_HOME"
    wall=push_b cpu=cpu_push_b timed "$baseline" push -q "oci:$src:bench" "docker://127.0.0.1:$port/bench/jscan:1"
    rm -rf "$JSCAN_HOME"
    wall=pull_b cpu=cpu_pull_b timed "$baseline" pull -q "127.0.0.1:$port/bench/jscan:1"
    rm -rf "$JSCAN_HOME"
    line="$line; baseline push ${push_b[-1]}s (cpu ${cpu_push_b[-1]}s) pull ${pull_b[-1]}s (cpu ${cpu_pull_b[-1]}s)"
  fi
  echo "$line" >&2
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
pj=$(median "${push_j[@]}"); ps=$(median "${push_s[@]}"); lj=$(median "${pull_j[@]}"); ls_=$(median "${pull_s[@]}")
mb=$(echo "scale=1; $total / 1000000" | bc)
printf 'push  %s MB: jscan %.2fs  skopeo %.2fs  ratio jscan/skopeo %.2f; cpu jscan %.2fs skopeo %.2fs\n' "$mb" "$pj" "$ps" \
  "$(echo "$pj / $ps" | bc -l)" "$(median "${cpu_push_j[@]}")" "$(median "${cpu_push_s[@]}")"
printf 'pull  %s MB: jscan %.2fs  skopeo %.2fs  ratio jscan/skopeo %.2f; cpu jscan %.2fs skopeo %.2fs\n' "$mb" "$lj" "$ls_" \
  "$(echo "$lj / $ls_" | bc -l)" "$(median "${cpu_pull_j[@]}")" "$(median "${cpu_pull_s[@]}")"
st=$(median "${start_j[@]}")
printf 'jscan JVM start (jscan --version) %.2fs; without it: push ratio %.2f, pull ratio %.2f\n' "$st" \
  "$(echo "($pj - $st) / $ps" | bc -l)" "$(echo "($lj - $st) / $ls_" | bc -l)"
if [ -n "$baseline" ]; then
  pb=$(median "${push_b[@]}"); lb=$(median "${pull_b[@]}")
  printf 'baseline %s: push %.2fs (jscan/baseline %.2f), pull %.2fs (jscan/baseline %.2f); cpu push %.2fs pull %.2fs\n' "$baseline" \
    "$pb" "$(echo "$pj / $pb" | bc -l)" "$lb" "$(echo "$lj / $lb" | bc -l)" "$(median "${cpu_push_b[@]}")" "$(median "${cpu_pull_b[@]}")"
fi
