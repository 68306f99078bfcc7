#!/usr/bin/env bash
# build.sh: builds jscan's own image with jscan (dogfooding), from deploy/image/Dockerfile.
#
#   deploy/image/build.sh [JSCAN_BUILD_ARGS...]
#   e.g. deploy/image/build.sh -t registry.example.com/jscan/jscan:0.1.0 --push
#
# 1. builds the jar (./jscan), 2. makes a Java runtime with jlink from $JAVA_HOME (or the java on
# the PATH) with the modules jscan uses, 3. collects the shared libraries that runtime links (ldd)
# and the dynamic loader from this machine, with /etc/passwd, /etc/group and /tmp, into base.tar,
# 4. runs `jscan build` on the context with the arguments given (default: -t jscan:dev).
# Tars are made with sorted names, owner 0:0 and mtime 0, and jscan build's layers depend only on
# their bytes, so the image is the same for the same jar, JDK and C libraries (SOURCE_DATE_EPOCH
# sets the times in the image; unset, jscan build takes the last commit's time of the git work tree
# the context is in, so the default context, target/image-context, dates the image at this
# repository's last commit). The context is kept in target/image-context.
#
# For the tests (cli's OwnImageTest), which run before Maven makes the jar: JSCAN runs jscan instead
# of ./jscan, JSCAN_JAR is the jar put in the image, JSCAN_IMAGE_CONTEXT where the context goes.
set -euo pipefail
repo=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)
ctx=${JSCAN_IMAGE_CONTEXT:-$repo/target/image-context}
jscan=${JSCAN:-$repo/jscan}
jar=${JSCAN_JAR:-$repo/cli/target/jscan.jar}
java_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
# what jdeps finds in jscan's classes and dependencies (java.desktop left out: only Jackson's optional
# java.beans support would use it, and it would pull in AWT's native libraries)
modules=java.base,java.logging,java.management,java.naming,java.net.http,java.security.jgss,java.sql,java.xml,jdk.unsupported,jdk.zipfs
if "$java_home/bin/java" --list-modules | grep -q '^jdk.crypto.ec@'; then
  modules="$modules,jdk.crypto.ec"   # EC for TLS before JDK 22 moved it into java.base
fi

"$jscan" --version >/dev/null   # ./jscan builds the jar when it is missing or stale
rm -rf "$ctx"; mkdir -p "$ctx/rootfs" "$ctx/opt"
cp "$repo/deploy/image/Dockerfile" "$ctx/Dockerfile"
cp "$jar" "$ctx/jscan.jar"

echo "build.sh: jlink from $java_home ($("$java_home/bin/java" -version 2>&1 | head -1))" >&2
compress=--compress=2
"$java_home/bin/jlink" --help | grep -q 'zip-' && compress=--compress=zip-6
"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages "$compress" \
  --output "$ctx/opt/java"

# the C libraries the runtime links, at the paths the loader looks them up, plus the loader itself
root="$ctx/rootfs"
libs=$(find "$ctx/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) -exec ldd {} \; 2>/dev/null \
  | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | sort -u)
for lib in $libs; do
  case "$lib" in "$ctx"/*) continue ;; esac
  dest="$root$(dirname "$lib" | sed 's#^/usr/lib#/lib#')"
  mkdir -p "$dest"; cp -L "$lib" "$dest/$(basename "$lib")"
done
mkdir -p "$root/etc" "$root/tmp"
printf 'root:x:0:0:root:/root:/sbin/nologin\njscan:x:65532:65532:jscan:/tmp:/sbin/nologin\n' >"$root/etc/passwd"
printf 'root:x:0:\njscan:x:65532:\n' >"$root/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
chmod -R u=rwX,go=rX "$root"; chmod 1777 "$root/tmp"
chmod -R u=rwX,go=rX "$ctx/opt/java"; chmod 0755 "$ctx/opt/java/bin/"*
tarball() { tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=posix \
  --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime -C "$1" -cf "$2" "${@:3}"; }
tarball "$root" "$ctx/base.tar" .
tarball "$ctx/opt" "$ctx/jre.tar" java
rm -rf "$root" "$ctx/opt"

[ $# -gt 0 ] || set -- -t jscan:dev
echo "build.sh: jscan build $* $ctx" >&2
"$jscan" build "$@" "$ctx"
