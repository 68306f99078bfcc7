#!/usr/bin/env python3
"""Writes the seed tars of LayerScannerFuzzTest and LayerListingsFuzzTest (fuzz/README.md): small layers, one per tar
dialect and entry kind the verifier reads. Run from the repository root; the output is committed.
Each seed ends without the two end-of-archive blocks where it can (TarStream accepts a tar that
ends at a header boundary), to stay small."""
import io
import os
import tarfile

OUTS = [
    "verifier/src/test/resources/io/jscan/verifier/files/LayerScannerFuzzTestInputs/scan_anyTar_listsEntriesOrReportsMalformedTar",
    "builder/src/test/resources/io/jscan/builder/layer/LayerListingsFuzzTestInputs/of_anyTar_listsEntriesOrFailsWithOneLine",
]


def entry(name, kind=tarfile.REGTYPE, data=b"", mode=0o644, **kw):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.size = len(data)
    info.mtime = 0
    for k, v in kw.items():
        setattr(info, k, v)
    return info, data


def write(name, fmt, entries, trailer=False, pax_headers=None):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt, pax_headers=pax_headers or {}) as tar:
        for info, data in entries:
            tar.addfile(info, io.BytesIO(data) if data else None)
    raw = buf.getvalue()
    raw = raw.rstrip(b"\0")
    raw += b"\0" * ((-len(raw)) % 512)
    if trailer:
        raw += b"\0" * 1024  # the end-of-archive marker, without tarfile's padding to 10 KiB
    for out in OUTS:
        with open(os.path.join(out, name), "wb") as f:
            f.write(raw)


for out in OUTS:
    os.makedirs(out, exist_ok=True)
write("ustar-files", tarfile.USTAR_FORMAT, [
    entry("app/", tarfile.DIRTYPE, mode=0o755),
    entry("app/hello.txt", data=b"hello\n"),
    entry("app/link", tarfile.SYMTYPE, linkname="hello.txt"),
    entry("app/hard", tarfile.LNKTYPE, linkname="app/hello.txt"),
], trailer=True)
write("setuid-device-fifo", tarfile.USTAR_FORMAT, [
    entry("usr/bin/su", data=b"\x7fELF", mode=0o4755),
    entry("dev/null", tarfile.CHRTYPE, mode=0o666, devmajor=1, devminor=3),
    entry("run/fifo", tarfile.FIFOTYPE, mode=0o622),
])
write("whiteouts", tarfile.USTAR_FORMAT, [
    entry("etc/.wh.passwd"),
    entry("var/.wh..wh..opq"),
    entry("./a//b/../c"),
])
write("gnu-long-names", tarfile.GNU_FORMAT, [
    entry("d/" + "n" * 120, data=b"x"),
    entry("l", tarfile.SYMTYPE, linkname="t" * 110),
])
write("pax-local", tarfile.PAX_FORMAT, [
    entry("p\u00e9", data=b"-----BEGIN RSA PRIVATE KEY-----\nMIIB\n", uid=70000000, gid=1,
          pax_headers={"path": "renamed", "uid": "70000000"}),
])
write("pax-global", tarfile.PAX_FORMAT, [entry("g", data=b"g")], pax_headers={"comment": "global", "uid": "5"})
