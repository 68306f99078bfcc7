#!/usr/bin/env bash
# make-debian-base.sh: a minimal Debian bookworm base image for jscan's integration tests, built
# from this machine's own apt mirror with mmdebstrap (bit-identical for a given mirror state and
# SOURCE_DATE_EPOCH) and assembled by umoci, with no container engine. Needs root (chroot).
#
# Usage: make-debian-base.sh -o OCI_DIR [-t TAG] [-a ARCHIVE.tar] [-r HOST:PORT] [-v VARIANT] [-w DIR]
#   -o  OCI image layout to create (replaced if it exists)
#   -t  tag, default "bookworm"
#   -a  also write a docker-archive, named debian:TAG
#   -r  also push to this plain-HTTP registry as HOST:PORT/debian:TAG
#   -v  mmdebstrap variant, default "minbase"
#   -w  keep the root filesystem tarball as DIR/rootfs-VARIANT.tar (e.g. to compare with dpkg-query)
# MIRROR overrides the mirror read from /etc/apt/sources.list*. SOURCE_DATE_EPOCH (default
# 1700000000) fixes the timestamps. Prints the manifest digest.
set -euo pipefail
out=""; tag=bookworm; archive=""; registry=""; variant=minbase; keep=""
while getopts "o:t:a:r:v:w:" opt; do
  case $opt in o) out=$OPTARG;; t) tag=$OPTARG;; a) archive=$OPTARG;; r) registry=$OPTARG;; v) variant=$OPTARG;; w) keep=$OPTARG;; *) exit 2;; esac
done
[ -n "$out" ] || { echo "usage: $0 -o OCI_DIR [-t TAG] [-a ARCHIVE] [-r HOST:PORT] [-v VARIANT]" >&2; exit 2; }
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}
created=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)

"$(dirname "$(readlink -f "$0")")/install-test-tools.sh" >&2

# the mirrors this machine's apt already uses (deb822 .sources or one-line .list files)
apt_uris() {
  { grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}'
    grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | sed 's/\[[^]]*\]//' | awk '{print $2}'
  } || true
}
mirror=${MIRROR:-$(apt_uris | grep -v security | grep -E '/debian/?$' | head -1 || true)}
security=$(apt_uris | grep debian-security | head -1 || true)
[ -n "$mirror" ] || { echo "$0: no Debian mirror in /etc/apt/sources.list*; set MIRROR" >&2; exit 1; }
sources=("deb $mirror bookworm main" "deb $mirror bookworm-updates main")
[ -z "$security" ] || sources+=("deb $security bookworm-security main")

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
# Check-Valid-Until off: a pinned mirror may serve Release files past their Valid-Until date
mmdebstrap -q --mode=root --variant="$variant" --aptopt='Acquire::Check-Valid-Until "false"' \
  bookworm "$work/rootfs.tar" "${sources[@]}"

rm -rf "$out"
umoci init --layout "$out"
umoci new --image "$out:$tag"
umoci raw add-layer --image "$out:$tag" --history.created "$created" \
  --history.created_by "mmdebstrap --variant=$variant bookworm" "$work/rootfs.tar"
umoci config --image "$out:$tag" --created "$created" --history.created "$created" \
  --os linux --architecture amd64 \
  --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --config.env LANG=C.UTF-8 --config.cmd /bin/bash \
  --config.label org.opencontainers.image.title="debian-bookworm-$variant" \
  --config.label org.opencontainers.image.version="$tag"
umoci gc --layout "$out"
if [ -n "$keep" ]; then
  mkdir -p "$keep"; mv "$work/rootfs.tar" "$keep/rootfs-$variant.tar"
fi

if [ -n "$archive" ]; then
  rm -f "$archive"
  skopeo copy -q "oci:$out:$tag" "docker-archive:$archive:debian:$tag"
fi
if [ -n "$registry" ]; then
  skopeo copy -q --dest-tls-verify=false "oci:$out:$tag" "docker://$registry/debian:$tag"
fi
jq -r '.manifests[0].digest' "$out/index.json"
