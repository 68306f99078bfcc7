#!/usr/bin/env bash
# sbom-debian.sh: times `jscan sbom` on the Debian bookworm base image, JVM start included
# (issue 7: under 2 s). Builds the image once with scripts/make-debian-base.sh (root,
# mmdebstrap; no registry) into bench/work/, then runs each format RUNS times (default 5).
# Usage: bench/sbom-debian.sh [RUNS]   Results: paste into BENCHMARKS.md with the machine and date.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
runs=${1:-5}
work="$here/bench/work"
layout="$work/oci-debian"
mkdir -p "$work"
if [ ! -f "$layout/index.json" ]; then
  echo "== building the Debian base image (once)" >&2
  bash "$here/scripts/make-debian-base.sh" -o "$layout" -w "$work" -t bookworm >&2
fi
"$here/jscan" --version >/dev/null   # builds the jar if needed, outside the timings

echo "== $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1)"
echo "== image: $(du -sh "$layout/blobs" | cut -f1) of blobs, $(jq -r '.manifests[0].digest' "$layout/index.json")"
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine inflates wall times)"
jar="$here/cli/target/jscan.jar"
for format in table cyclonedx-json spdx-json; do
  walls=(); cpus=()
  for i in $(seq "$runs"); do
    # through ./jscan, as users run it (its class-data archive included)
    /usr/bin/time -o "$work/time" -f "%e %U %S" "$here/jscan" sbom "oci:$layout:bookworm" \
      --format "$format" --output-file "$work/sbom.$format" 2>/dev/null
    read -r wall user sys < "$work/time"
    walls+=("$wall"); cpus+=("$(echo "$user + $sys" | bc)")
  done
  w=$(printf '%s\n' "${walls[@]}" | sort -n); c=$(printf '%s\n' "${cpus[@]}" | sort -n)
  mid=$(( (runs + 1) / 2 ))
  echo "$format: wall min $(echo "$w" | head -1) s, median $(echo "$w" | sed -n "${mid}p") s; CPU (user+sys) median $(echo "$c" | sed -n "${mid}p") s ($runs runs, $(grep -c . "$work/sbom.$format" || true) lines)"
done
