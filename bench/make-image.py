#!/usr/bin/env python3
"""Generates the benchmark image: an OCI layout of N gzip layers (default 8, about 1 GiB compressed).

Each layer is a tar of 2 MiB files, half pseudo-random bytes (incompressible, like binaries and
archives) and half text lines (compressible, like sources and docs), so gzip shrinks a layer to a
bit more than half. The content is deterministic (seeded), so every run measures the same bytes.
Written by hand for bench/verify-throughput.sh; nothing here is committed output.
"""
import gzip
import hashlib
import io
import json
import os
import random
import sys
import tarfile

def main():
    out = sys.argv[1]
    layers = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    files_per_layer = int(sys.argv[3]) if len(sys.argv) > 3 else 120
    blobs = os.path.join(out, "blobs", "sha256")
    os.makedirs(blobs, exist_ok=True)
    rng = random.Random(20261127)
    text = b"".join(b"line %06d of a text file that compresses well, as sources and docs do\n" % i for i in range(15000))[: 1 << 20]
    descriptors, diff_ids = [], []
    for n in range(layers):
        tmp = os.path.join(out, "layer.tmp")
        diff = hashlib.sha256()
        blob = hashlib.sha256()

        class Tee(io.RawIOBase):
            def __init__(self, f):
                self.f = f
            def writable(self):
                return True
            def write(self, b):
                blob.update(b)
                return self.f.write(b)

        class Hashing(io.RawIOBase):
            def __init__(self, g):
                self.g = g
            def writable(self):
                return True
            def write(self, b):
                diff.update(b)
                return self.g.write(b)

        with open(tmp, "wb") as f:
            tee = Tee(f)
            gz = gzip.GzipFile(fileobj=tee, mode="wb", compresslevel=6, mtime=0)
            hashing = Hashing(gz)
            with tarfile.open(fileobj=hashing, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                d = tarfile.TarInfo("layer%d" % n)
                d.type = tarfile.DIRTYPE
                d.mode = 0o755
                tar.addfile(d)
                for i in range(files_per_layer):
                    data = rng.randbytes(1 << 20) + text
                    info = tarfile.TarInfo("layer%d/file%04d.bin" % (n, i))
                    info.size = len(data)
                    info.mode = 0o644
                    tar.addfile(info, io.BytesIO(data))
            gz.close()
        digest = blob.hexdigest()
        os.replace(tmp, os.path.join(blobs, digest))
        size = os.path.getsize(os.path.join(blobs, digest))
        descriptors.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "sha256:" + digest, "size": size})
        diff_ids.append("sha256:" + diff.hexdigest())
        print("layer %d: %d bytes compressed" % (n + 1, size), file=sys.stderr)
    config = json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {"User": "65534", "Labels": {"org.opencontainers.image.authors": "bench"}},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created_by": "ADD layer%d /" % i} for i in range(layers)],
    }, separators=(",", ":")).encode()
    config_digest = write_blob(blobs, config)
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": len(config)},
        "layers": descriptors,
    }, separators=(",", ":")).encode()
    manifest_digest = write_blob(blobs, manifest)
    with open(os.path.join(out, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [
            {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": manifest_digest, "size": len(manifest),
             "annotations": {"org.opencontainers.image.ref.name": "bench"}}]}, f)
    for d in descriptors:
        print(d["digest"].split(":")[1])

def write_blob(blobs, data):
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobs, digest), "wb") as f:
        f.write(data)
    return "sha256:" + digest

if __name__ == "__main__":
    main()
