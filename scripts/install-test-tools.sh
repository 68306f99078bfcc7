#!/usr/bin/env bash
# install-test-tools.sh: installs the third-party programs jscan's integration tests run for real,
# with apt-get, only when missing. Safe to run again. Needs root (or sudo) to install.
set -euo pipefail

# command -> Debian package
declare -A tools=(
  [git]=git
  [flock]=util-linux
  [skopeo]=skopeo
)

missing=()
for cmd in "${!tools[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${tools[$cmd]}")
done

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "installing: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
