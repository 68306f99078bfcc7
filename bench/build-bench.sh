#!/usr/bin/env bash
# build-bench.sh: jscan build against buildah bud on the same generated context (run by hand;
# results go to BENCHMARKS.md, section "Builder"). Not a timed test.
#
# Context: 10,000 small files (100 directories) plus one 200 MB file of pseudo-random bytes
# (AES-CTR keystream: incompressible, like a binary asset), generated the same way every run.
# Dockerfile: FROM scratch; COPY big.bin /data/; COPY small/ /app/small/.
#
# Measures, each with wall time, CPU time (user + system) and peak RSS (GNU time):
#   jscan cold build (empty store), unchanged rebuild, rebuild after one small file changed,
#   jscan cold build with --compression zstd,
#   buildah bud --timestamp 0 cold build and unchanged rebuild (own storage root, overlay driver),
# then prints jscan/buildah ratios. Needs: java, /usr/bin/time, openssl, buildah (scripts/install-test-tools.sh).
# Usage: bench/build-bench.sh [WORKDIR]   (default: a fresh temp directory, removed at the end)
set -euo pipefail
repo=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
jar="$repo/cli/target/jscan.jar"
work=${1:-$(mktemp -d /var/tmp/jscan-bench.XXXXXX)}
keep=${1:+yes}
cleanup() {
  buildah --root "$work/buildah-root" --runroot "$work/buildah-run" rmi -a -f >/dev/null 2>&1 || true
  [ -n "$keep" ] || rm -rf "$work"
}
trap cleanup EXIT

[ -f "$jar" ] || (cd "$repo" && mvn -B -q -ntp -DskipTests package >/dev/null)
command -v buildah >/dev/null || { echo "buildah is not installed (scripts/install-test-tools.sh)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "GNU time is not installed (apt-get install time)" >&2; exit 1; }

ctx="$work/context"
echo "generating the context in $ctx ..." >&2
rm -rf "$ctx"; mkdir -p "$ctx/small"
for d in $(seq -w 0 99); do mkdir -p "$ctx/small/d$d"; done
awk -v dir="$ctx/small" 'BEGIN { for (i = 0; i < 10000; i++) {
  f = sprintf("%s/d%02d/file%05d.txt", dir, i % 100, i);
  printf "small file %d of the jscan build benchmark\n", i > f;
  for (j = 0; j < (i % 20); j++) printf "line %d of file %d: some repetitive but not identical text\n", j, i > f;
  close(f) } }'
(openssl enc -aes-128-ctr -pass pass:jscan-bench -nosalt -pbkdf2 -in /dev/zero 2>/dev/null || true) | head -c 200000000 > "$ctx/big.bin"
printf 'FROM scratch\nCOPY big.bin /data/\nCOPY small/ /app/small/\n' > "$ctx/Dockerfile"
echo "context: $(find "$ctx" -type f | wc -l) files, $(du -sh "$ctx" | cut -f1)" >&2
# files changed within the last 2 s are re-read by every build until they age (jscan's racy-file
# rule, as in git's index): let the fresh context age, as a checked-out tree has
sleep 3

export SOURCE_DATE_EPOCH=1700000000
measure() { # NAME COMMAND...: runs the command, records "NAME seconds peak-KiB"
  local name=$1; shift
  local out="$work/time-$name"
  sync
  /usr/bin/time -f "%e %M %U %S" -o "$out" "$@" >"$work/out-$name" 2>"$work/err-$name" || {
    echo "$name failed:" >&2; cat "$work/err-$name" >&2; exit 1; }
  read -r secs kib user sys < "$out"
  printf '%-20s wall %7.2f s   cpu %7.2f s   peak RSS %5d MiB\n' "$name" "$secs" "$(echo "$user + $sys" | bc)" $((kib / 1024))
  eval "t_${name//-/_}=$secs"
}


# shellcheck source=bench/lib.sh
. "$repo/bench/lib.sh"
j=(env JSCAN_HOME="$work/jscan-home" "$repo/jscan")
rm -rf "$work/jscan-home" "$work/jscan-zstd"
echo "== jscan $(java -jar "$jar" --version | head -1), $(java -version 2>&1 | head -1)"
measure jscan-cold "${j[@]}" build -q -t bench:1 "$ctx"
measure jscan-unchanged "${j[@]}" build -q -t bench:1 "$ctx"
repeat_walls jscan-unchanged 7 "${j[@]}" build -q -t bench:1 "$ctx"
echo "changed" >> "$ctx/small/d42/file04242.txt"
sleep 3
measure jscan-one-changed "${j[@]}" build -q -t bench:1 "$ctx"
measure jscan-cold-zstd env JSCAN_HOME="$work/jscan-zstd" "$repo/jscan" build -q --compression zstd -t bench:1 "$ctx"

echo "== buildah $(buildah --version | awk '{print $3}')"
b=(buildah --root "$work/buildah-root" --runroot "$work/buildah-run")
measure buildah-cold "${b[@]}" bud --timestamp 0 -t bench:1 "$ctx"
measure buildah-unchanged "${b[@]}" bud --timestamp 0 -t bench:1 "$ctx"

echo "== machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== ratios (jscan / buildah)"
awk -v a="$t_jscan_cold" -v b="$t_buildah_cold" 'BEGIN { printf "cold build:        %.2f (target at most 0.50)\n", a / b }'
awk -v a="$t_jscan_unchanged" -v b="$t_buildah_unchanged" 'BEGIN { printf "unchanged rebuild: %.2f\n", a / b }'
echo "unchanged rebuild, median of 7: ${m_jscan_unchanged} s (jscan target: under 1 s wall, JVM start included)"
