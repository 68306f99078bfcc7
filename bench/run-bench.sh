#!/usr/bin/env bash
# run-bench.sh: RUN steps, jscan build against buildah bud, on the same Dockerfile (run by hand as
# root; results go to BENCHMARKS.md, section "RUN"). Not a timed test.
#
# Base: the busybox image of scripts/make-busybox-base.sh (an OCI layout both tools read).
# Dockerfile: 5 RUN steps writing about 50 MB in total (seq output: text, compressible about 4:1,
# plus a few hundred small files each), then a COPY of 5,000 small context files.
#
# Measures, each with wall time, CPU time (user + system) and peak RSS (GNU time):
#   jscan cold build (empty store: layers extracted, every RUN run), unchanged rebuild (all cached),
#   buildah bud --layers --timestamp 0 --runtime runc: cold build and unchanged rebuild (own storage root),
# then prints the jscan/buildah ratios. Needs root, java, /usr/bin/time, buildah, runc, umoci, skopeo.
# Usage: bench/run-bench.sh [WORKDIR]   (default: a fresh temp directory, removed at the end)
set -euo pipefail
repo=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
jar="$repo/cli/target/jscan.jar"
# lowercase only: buildah refuses an image path with capitals (mktemp would add some)
work=${1:-/var/tmp/jscan-run-bench.$(date +%s%N)}
mkdir -p "$work"
keep=${1:+yes}
b=(buildah --root "$work/buildah-root" --runroot "$work/buildah-run")
cleanup() {
  "${b[@]}" rmi -a -f >/dev/null 2>&1 || true
  [ -n "$keep" ] || rm -rf "$work"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || { echo "RUN needs root: run this as root" >&2; exit 1; }
[ -f "$jar" ] || (cd "$repo" && mvn -B -q -ntp -DskipTests package >/dev/null)
for t in buildah runc umoci skopeo; do command -v "$t" >/dev/null || { echo "$t is not installed (scripts/install-test-tools.sh)" >&2; exit 1; }; done
[ -x /usr/bin/time ] || { echo "GNU time is not installed (apt-get install time)" >&2; exit 1; }
base_script="$repo/scripts/make-busybox-base.sh"

export SOURCE_DATE_EPOCH=1700000000
echo "making the busybox base ..." >&2
bash "$base_script" -o "$work/busybox" >/dev/null 2>"$work/base.log" || { cat "$work/base.log" >&2; exit 1; }

ctx="$work/context"
rm -rf "$ctx"; mkdir -p "$ctx/files"
for d in $(seq -w 0 49); do mkdir -p "$ctx/files/d$d"; done
awk -v dir="$ctx/files" 'BEGIN { for (i = 0; i < 5000; i++) {
  f = sprintf("%s/d%02d/file%05d.txt", dir, i % 50, i);
  printf "context file %d of the jscan RUN benchmark\n", i > f;
  for (j = 0; j < (i % 10); j++) printf "line %d of file %d\n", j, i > f;
  close(f) } }'
{
  echo "FROM oci:$work/busybox:latest"
  for s in 1 2 3 4 5; do
    # about 10 MB each: 1.3 million numbers, and 200 small files
    echo "RUN mkdir -p /data/$s && seq $((s * 2000000)) $((s * 2000000 + 1300000)) > /data/$s/numbers.txt && for i in \$(seq 1 200); do echo \$i > /data/$s/f\$i; done"
  done
  echo "COPY files/ /app/files/"
} > "$ctx/Dockerfile"
echo "context: $(find "$ctx" -type f | wc -l) files, $(du -sh "$ctx" | cut -f1); Dockerfile:" >&2
cat "$ctx/Dockerfile" >&2
sleep 3 # let the fresh context age past jscan's racy-file window (as a checked-out tree has)

measure() { # NAME COMMAND...: runs the command, records "NAME seconds"
  local name=$1; shift
  local out="$work/time-$name"
  sync
  /usr/bin/time -f "%e %M %U %S" -o "$out" "$@" >"$work/out-$name" 2>"$work/err-$name" || {
    echo "$name failed:" >&2; tail -30 "$work/err-$name" >&2; exit 1; }
  read -r secs kib user sys < "$out"
  printf '%-18s wall %7.2f s   cpu %7.2f s   peak RSS %5d MiB\n' "$name" "$secs" "$(echo "$user + $sys" | bc)" $((kib / 1024))
  eval "t_${name//-/_}=$secs"
}


# shellcheck source=bench/lib.sh
. "$repo/bench/lib.sh"
j=(env JSCAN_HOME="$work/jscan-home" "$repo/jscan")
rm -rf "$work/jscan-home"  # a kept WORKDIR must not make the cold build a cached one
echo "== jscan $(java -jar "$jar" --version | head -1), $(java -version 2>&1 | head -1)"
measure jscan-cold "${j[@]}" build -t bench:1 "$ctx"
measure jscan-cached "${j[@]}" build -t bench:1 "$ctx"
repeat_walls jscan-cached 7 "${j[@]}" build -q -t bench:1 "$ctx"
grep -q "$(cat "$work/out-jscan-cold")" "$work/out-jscan-cached" || { echo "the cached build gave another digest" >&2; exit 1; }
echo "   digest $(cat "$work/out-jscan-cold") both times; RUN roots: $(grep -ho 'RUN roots: [a-z]*' "$work/err-jscan-cold" 2>/dev/null | head -1 || true)"

echo "== buildah $(buildah --version | awk '{print $3}') (--runtime runc, storage driver $("${b[@]}" info --format '{{.store.GraphDriverName}}' 2>/dev/null || echo '?'))"
measure buildah-cold "${b[@]}" bud --layers --timestamp 0 --runtime runc -t bench:1 "$ctx"
measure buildah-cached "${b[@]}" bud --layers --timestamp 0 --runtime runc -t bench:1 "$ctx"

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== ratios (jscan / buildah)"
awk -v a="$t_jscan_cold" -v b="$t_buildah_cold" 'BEGIN { printf "cold build:      %.2f (target: at most 1.00)\n", a / b }'
awk -v a="$t_jscan_cached" -v b="$t_buildah_cached" 'BEGIN { printf "cached rebuild:  %.2f\n", a / b }'
echo "cached rebuild, median of 7: ${m_jscan_cached} s (jscan target: under 1 s wall, JVM start included)"
