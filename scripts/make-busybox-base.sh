#!/usr/bin/env bash
# make-busybox-base.sh: a small, reproducible busybox base image for jscan's integration tests.
# The root filesystem is Debian's static busybox with one symlink per applet, /etc/passwd and
# /etc/group; the image is assembled by umoci (a tool independent of jscan), so a test that builds
# FROM it exercises jscan against a base it did not make.
#
# Usage: make-busybox-base.sh -o OCI_DIR [-t TAG] [-a ARCHIVE.tar] [-r HOST:PORT]
#   -o  OCI image layout to create (replaced if it exists)
#   -t  tag, default "latest"
#   -a  also write a docker-archive (skopeo copy), named busybox:TAG
#   -r  also push to this plain-HTTP registry as HOST:PORT/busybox:TAG
# SOURCE_DATE_EPOCH (default 1700000000) fixes every timestamp. Prints the manifest digest.
set -euo pipefail
out=""; tag=latest; archive=""; registry=""
while getopts "o:t:a:r:" opt; do
  case $opt in o) out=$OPTARG;; t) tag=$OPTARG;; a) archive=$OPTARG;; r) registry=$OPTARG;; *) exit 2;; esac
done
[ -n "$out" ] || { echo "usage: $0 -o OCI_DIR [-t TAG] [-a ARCHIVE] [-r HOST:PORT]" >&2; exit 2; }
epoch=${SOURCE_DATE_EPOCH:-1700000000}
created=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)

"$(dirname "$(readlink -f "$0")")/install-test-tools.sh" >&2
[ -x /bin/busybox ] || { echo "$0: /bin/busybox missing (package busybox-static)" >&2; exit 1; }

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$root"/{bin,etc,tmp,root,proc,sys,dev}
chmod 1777 "$root/tmp"; chmod 0700 "$root/root"
install -m 0755 /bin/busybox "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list); do
  [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
# the layer tar: sorted names, fixed owners and times, no volatile headers
tar --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner --format=gnu \
    -C "$root" -cf "$work/rootfs.tar" .

rm -rf "$out"
umoci init --layout "$out"
umoci new --image "$out:$tag"
umoci raw add-layer --image "$out:$tag" --history.created "$created" \
  --history.created_by "busybox-static $(dpkg-query -W -f '${Version}' busybox-static)" "$work/rootfs.tar"
umoci config --image "$out:$tag" --created "$created" --history.created "$created" \
  --os linux --architecture amd64 --config.env PATH=/bin --config.cmd /bin/sh \
  --config.label org.opencontainers.image.title=busybox-static
umoci gc --layout "$out"

if [ -n "$archive" ]; then
  rm -f "$archive"
  skopeo copy -q "oci:$out:$tag" "docker-archive:$archive:busybox:$tag"
fi
if [ -n "$registry" ]; then
  skopeo copy -q --dest-tls-verify=false "oci:$out:$tag" "docker://$registry/busybox:$tag"
fi
jq -r '.manifests[0].digest' "$out/index.json"
