#!/usr/bin/env bash
# install-test-tools.sh: installs the third-party programs jscan's integration tests run for real
# (DEVELOPERS.md "Real components, not mocks"), with apt-get, only when missing. Safe to run again.
# Needs root (or sudo) when something is missing.
set -euo pipefail

# command -> Debian package
declare -A tools=(
  [git]=git
  [flock]=util-linux
  [curl]=curl
  [jq]=jq
  [openssl]=openssl
  [skopeo]=skopeo
  [podman]=podman
  [buildah]=buildah
  [runc]=runc
  [crun]=crun
  [umoci]=umoci
  [docker-registry]=docker-registry
  [htpasswd]=apache2-utils
  [mmdebstrap]=mmdebstrap
  [node]=nodejs
  [npm]=npm
  [rpmbuild]=rpm
  [go]=golang-go
)

missing=()
for cmd in "${!tools[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin:/sbin" command -v "$cmd" >/dev/null 2>&1 \
    || missing+=("${tools[$cmd]}")
done
# busybox-static is a file, not a command of its own
dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "install-test-tools: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
