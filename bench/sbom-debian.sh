#!/usr/bin/env bash
# sbom-debian.sh: times `jscan sbom` on the Debian bookworm base image, JVM start included
# (issue 7: under 2 s). Builds the image once with ../shared/tools/make-debian-base.sh (root,
# mmdebstrap; no registry) into bench/work/, then runs each format RUNS times (default 5).
# Usage: bench/sbom-debian.sh [RUNS]   Results: paste into BENCHMARKS.md with the machine and date.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
runs=${1:-5}
work="$here/bench/work"
layout="$work/oci-debian"
shared="${JSCAN_SHARED:-}"
if [ -z "$shared" ]; then
  for d in "$here/.." "$here/../.." "$here/../../.."; do
    [ -x "$d/shared/tools/make-debian-base.sh" ] && { shared="$d/shared"; break; }
  done
fi
[ -n "$shared" ] || { echo "cannot find shared/tools/make-debian-base.sh (set JSCAN_SHARED)" >&2; exit 1; }

mkdir -p "$work"
if [ ! -f "$layout/index.json" ]; then
  echo "== building the Debian base image (once)" >&2
  bash "$shared/tools/make-debian-base.sh" -r "" -o "$layout" -w "$work" -t bookworm >&2
fi
"$here/jscan" --version >/dev/null   # builds the jar if needed, outside the timings

echo "== $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1)"
echo "== image: $(du -sh "$layout/blobs" | cut -f1) of blobs, $(jq -r '.manifests[0].digest' "$layout/index.json")"
for format in table cyclonedx-json spdx-json; do
  times=()
  for i in $(seq "$runs"); do
    start=$(date +%s.%N)
    "$here/jscan" sbom "oci:$layout:bookworm" --format "$format" --output-file "$work/sbom.$format" 2>/dev/null
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc)")
  done
  sorted=$(printf '%s\n' "${times[@]}" | sort -n)
  echo "$format: min $(echo "$sorted" | head -1) s, median $(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p") s, max $(echo "$sorted" | tail -1) s ($runs runs; $(grep -c . "$work/sbom.$format" || true) lines)"
done
