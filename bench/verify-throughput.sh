#!/usr/bin/env bash
# bench/verify-throughput.sh: jscan verify against the shell pipeline that checks the same digests.
#
# Generates (once) an OCI layout of 8 gzip layers, about 1 GiB compressed, under bench/work/, then in
# the same run measures:
#   pipeline: for each layer, one after another: sha256sum of the blob, then gzip -dc | sha256sum
#             (what a careful shell script does to check digests and diff_ids)
#   jscan:    jscan verify oci:bench/work/layout:bench with -Xmx128m (digests, diff_ids, tar checks,
#             secret scanning, merged-filesystem checks, baseline policy)
# and prints throughput in MB/s of compressed layer bytes, wall times and jscan's peak RSS.
# Both run on CPUs 0-1 (taskset), as CI's 2 cores. Run by hand; record results in BENCHMARKS.md.
# Usage: bench/verify-throughput.sh [LAYERS [FILES_PER_LAYER]]   (defaults 8 and 120 x 2 MiB)
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
repo=$(dirname "$here")
work="$here/work"
layers=${1:-8}
files=${2:-120}
layout="$work/layout-$layers-$files"
cpus=0-1

if [ ! -f "$layout/index.json" ]; then
  echo "generating $layers layers of $files files in $layout ..." >&2
  rm -rf "$layout"
  mkdir -p "$layout"
  python3 "$here/make-image.py" "$layout" "$layers" "$files" > "$layout.layers"
fi
mapfile -t blobs < "$layout.layers"
compressed=0
for b in "${blobs[@]}"; do
  compressed=$((compressed + $(stat -c %s "$layout/blobs/sha256/$b")))
done

"$repo/jscan" --version > /dev/null   # builds the jar first if needed, outside the measurement

# warm the page cache so both read from memory
cat "$layout"/blobs/sha256/* > /dev/null

seconds() { date +%s.%N; }

start=$(seconds)
for b in "${blobs[@]}"; do
  taskset -c $cpus sha256sum "$layout/blobs/sha256/$b" > /dev/null
  taskset -c $cpus gzip -dc "$layout/blobs/sha256/$b" | taskset -c $cpus sha256sum > /dev/null
done
pipeline=$(echo "$(seconds) - $start" | bc)

rss_file=$(mktemp)
start=$(seconds)
set +e
JSCAN_JAVA_OPTS="-Xmx128m" taskset -c $cpus /usr/bin/time -f "%M" -o "$rss_file" \
  "$repo/jscan" verify "oci:$layout:bench" --policy baseline > "$work/verify-output.txt" 2>&1
code=$?
set -e
jscan=$(echo "$(seconds) - $start" | bc)
rss_kb=$(tail -1 "$rss_file")
rm -f "$rss_file"

mb=$(echo "scale=1; $compressed / 1000000" | bc)
echo "image:     $layers layers, $mb MB compressed ($layout)"
echo "pipeline:  $(printf %.2f "$pipeline") s  $(echo "scale=1; $compressed / 1000000 / $pipeline" | bc) MB/s"
echo "jscan:     $(printf %.2f "$jscan") s  $(echo "scale=1; $compressed / 1000000 / $jscan" | bc) MB/s  (exit $code)"
echo "speed-up:  $(echo "scale=2; $pipeline / $jscan" | bc)x"
echo "peak RSS:  $((rss_kb / 1024)) MB (jscan, -Xmx128m)"
echo "java:      $(java -version 2>&1 | head -1)"
echo "machine:   $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
tail -1 "$work/verify-output.txt"
