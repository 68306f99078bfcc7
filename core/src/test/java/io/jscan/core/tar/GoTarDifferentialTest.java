package io.jscan.core.tar;

import static io.jscan.core.testing.HostileTar.header;
import static io.jscan.core.testing.HostileTar.records;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdInputStream;
import io.jscan.core.testing.Conformance;
import io.jscan.core.testing.ExternalTool;
import io.jscan.core.testing.GoTar;
import io.jscan.core.testing.GoTar.Listing;
import io.jscan.core.testing.HostileTar;
import io.jscan.core.testing.SharedBases;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The differential test of jscan's tar reader against Go's {@code archive/tar}, the reader
 * containerd, Docker and podman extract layers with (issue 16). For every layer of the conformance
 * corpus and of the repository's base images, for tars written by GNU tar and Commons Compress in
 * every format, and for hand-made hostile streams, jscan must list exactly the entries Go lists
 * (name, link, type, mode, owner, size, times, devices, xattrs, a hash of the content), global PAX
 * headers skipped as containerd skips them. Where Go fails, jscan must fail. Where jscan fails and
 * Go does not, the case is one of the documented, deliberate places where jscan is stricter
 * ({@link Expect#STRICTER}, each with its reason; README "How jscan reads a layer").
 */
class GoTarDifferentialTest {

  enum Expect {
    /** both read it, with the same entries */
    SAME,
    /** both refuse it (after the same entries) */
    BOTH_FAIL,
    /** Go reads it, jscan refuses it on purpose (after the same entries) */
    STRICTER
  }

  /**
   * @param holeLimit the reader's sparse hole limit (the default, except for the sparse bomb, which
   *     uses a small one so that Go does not have to expand a gigabyte in every test run)
   */
  record Case(String name, byte[] tar, Expect expect, long holeLimit) {
    Case(String name, byte[] tar, Expect expect) {
      this(name, tar, expect, TarReader.MAX_SPARSE_HOLE_BYTES);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  // ------------------------------------------------------------------ generated edge cases

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void generatedEdgeCase_jscanListsWhatGoLists(Case c) throws Exception {
    Listing go = GoTar.go(c.tar());
    Listing jscan = GoTar.jscan(new TarReader(new java.io.ByteArrayInputStream(c.tar()), c.holeLimit()));
    check(c.name(), c.expect(), go, jscan);
  }

  static void check(String label, Expect expect, Listing go, Listing jscan) {
    switch (expect) {
      case SAME -> {
        assertFalse(go.failed(), () -> label + ": Go failed: " + go.error().get());
        assertFalse(jscan.failed(), () -> label + ": jscan failed where Go did not: " + jscan.error().get());
        assertEquals(go.entries(), jscan.entries(), label + ": the entries differ");
      }
      case BOTH_FAIL -> {
        assertTrue(go.failed(), () -> label + ": Go was expected to fail but listed " + go.entries());
        assertTrue(jscan.failed(), () -> label + ": Go fails on this but jscan read it: " + jscan.entries());
        assertEquals(go.entries(), jscan.entries(), label + ": the entries before the failure differ");
      }
      case STRICTER -> {
        assertFalse(go.failed(), () -> label + ": Go failed: " + go.error().get());
        assertTrue(jscan.failed(), () -> label + ": jscan was expected to refuse this");
        assertTrue(jscan.entries().size() <= go.entries().size(), label);
        assertEquals(go.entries().subList(0, jscan.entries().size()), jscan.entries(), label + ": the entries before the refusal differ");
      }
    }
  }

  private static final byte[] SETUID_BINARY = "\177ELF pretend setuid binary".getBytes(StandardCharsets.US_ASCII);

  static Stream<Case> cases() {
    List<Case> all = new ArrayList<>();
    // ---- global PAX headers: never applied to later entries
    all.add(same("global size swallows nothing", HostileTar.tar()
        .globalPax(records("size", "1024"))
        .file("decoy", "x")
        .file("usr/bin/hidden", 04755, SETUID_BINARY)
        .end()));
    all.add(same("global path renames nothing", HostileTar.tar()
        .globalPax(records("path", "etc/passwd"))
        .file("a", "a").file("b", "b").end()));
    all.add(same("global linkpath, uid, gid, uname, gname, mtime, mode", HostileTar.tar()
        .globalPax(records("linkpath", "/etc/shadow", "uid", "0", "gid", "0", "uname", "root", "gname", "root",
            "mtime", "99999.5", "mode", "4755"))
        .header(header('0', "f", 1).uid(1000).gid(1000).userName("u").groupName("g").mode(0644)).data("f")
        .symlink("l", "target").end()));
    all.add(same("global header drops a pending local header", HostileTar.tar()
        .pax(records("path", "renamed"))
        .globalPax(records("comment", "x"))
        .file("kept", "k").end()));
    all.add(same("global header drops a pending GNU long name", HostileTar.tar()
        .gnuLong('L', "long/" + "n".repeat(150))
        .globalPax(records("comment", "x"))
        .file("short", "s").end()));
    all.add(same("global header with an unparsable uid is still skipped", HostileTar.tar()
        .globalPax(records("uid", "not-a-number"))
        .file("a", "a").end()));
    all.add(same("global GNU.sparse.name renames nothing", HostileTar.tar()
        .globalPax(records("GNU.sparse.major", "1", "GNU.sparse.minor", "0", "GNU.sparse.name", "evil"))
        .file("a", "a").end()));
    all.add(same("archive of only a global header", HostileTar.tar().globalPax(records("comment", "c")).end()));
    all.add(both("global header with a malformed record", HostileTar.tar()
        .paxHeader('g', "10 path\n".getBytes(StandardCharsets.US_ASCII)).file("a", "a").end()));

    // ---- local PAX headers
    all.add(same("local path, linkpath, owners, names and fractional mtime", HostileTar.tar()
        .pax(records("path", "p/" + "long".repeat(60), "uid", "4242", "gid", "77", "uname", "alice", "gname", "staff",
            "mtime", "1700000000.123456789123"))
        .file("ignored", "content")
        .pax(records("linkpath", "t/" + "x".repeat(200)))
        .symlink("link", "short").end()));
    all.add(same("negative fractional PAX mtime", HostileTar.tar()
        .pax(records("mtime", "-1.5")).file("a", "a")
        .pax(records("mtime", "-0.25")).file("b", "b")
        .pax(records("mtime", "-17")).file("c", "c").end()));
    all.add(same("PAX size larger than the header's", HostileTar.tar()
        .pax(records("size", "1000"))
        .header(header('0', "big", 3)).data(new byte[1000])
        .file("next", "n").end()));
    all.add(same("a second local header replaces the first", HostileTar.tar()
        .pax(records("path", "first", "uid", "5"))
        .pax(records("gid", "6"))
        .file("plain", "p").end()));
    all.add(same("empty PAX values keep the header's fields", HostileTar.tar()
        .pax(records("path", "", "uid", "", "size", ""))
        .header(header('0', "kept", 2).uid(3)).data("ok").end()));
    all.add(same("PAX record length with a plus sign", HostileTar.tar()
        .paxHeader('x', "+16 path=signed\n".getBytes(StandardCharsets.US_ASCII)).file("x", "x").end()));
    all.add(same("binary xattr values survive", HostileTar.tar()
        .paxHeader('x', concat(HostileTar.paxRecord("SCHILY.xattr.security.capability", new byte[] {1, 0, 0, 2, (byte) 0xff, 0, 0x20}),
            HostileTar.paxRecord("SCHILY.xattr.user.note", "hello".getBytes(StandardCharsets.US_ASCII))))
        .file("cap", "c").end()));
    all.add(same("unknown PAX keys are kept, mode is not a PAX key", HostileTar.tar()
        .pax(records("mode", "4755", "LIBARCHIVE.creationtime", "5", "comment", "hi")).file("m", "m").end()));
    all.add(same("local header then the end of the archive", HostileTar.tar().file("a", "a").pax(records("path", "b")).end()));
    all.add(both("PAX uid that is not a number", HostileTar.tar().pax(records("uid", "12a")).file("a", "a").end()));
    all.add(both("negative PAX size", HostileTar.tar().pax(records("size", "-1")).file("a", "").end()));
    all.add(both("PAX size beyond the data", HostileTar.tar().pax(records("size", "99999")).file("a", "a").end()));
    all.add(both("PAX records padded with NULs", HostileTar.tar()
        .paxHeader('x', concat(HostileTar.paxRecords(records("path", "x")), new byte[20])).file("a", "a").end()));
    all.add(both("PAX record length too long", HostileTar.tar()
        .paxHeader('x', "99 path=x\n".getBytes(StandardCharsets.US_ASCII)).file("a", "a").end()));
    all.add(both("PAX record without a newline", HostileTar.tar()
        .paxHeader('x', "11 path=xy".getBytes(StandardCharsets.US_ASCII)).file("a", "a").end()));
    all.add(both("PAX path with a NUL", HostileTar.tar()
        .paxHeader('x', HostileTar.paxRecord("path", "a\0b".getBytes(StandardCharsets.US_ASCII))).file("a", "a").end()));
    all.add(both("PAX mtime that is not a number", HostileTar.tar().pax(records("mtime", "1.5x")).file("a", "a").end()));
    all.add(both("PAX header larger than 1 MiB", HostileTar.tar()
        .pax(records("comment", "c".repeat(1 << 20))).file("a", "a").end()));
    all.add(both("GNU sparse 0.0 records out of order", HostileTar.tar()
        .pax(records("GNU.sparse.numbytes", "1")).file("a", "a").end()));
    all.add(stricter("PAX uid of (uid_t) -1", HostileTar.tar().pax(records("uid", "4294967295")).file("a", "a").end()));
    all.add(stricter("negative PAX gid", HostileTar.tar().pax(records("gid", "-1")).file("a", "a").end()));

    // ---- GNU long names and links
    String longName = "dir/" + "n".repeat(300);
    String longLink = "target/" + "t".repeat(300);
    all.add(same("GNU long name and long link", HostileTar.tar()
        .gnuLong('L', longName).file("truncated-name", "x")
        .gnuLong('K', longLink).gnuLong('L', longName + "-link").header(header('2', "l", 0).gnu().link("short")).end()));
    all.add(same("GNU long name wins over PAX path", HostileTar.tar()
        .gnuLong('L', "from-gnu").pax(records("path", "from-pax")).file("from-header", "x").end()));
    all.add(same("GNU long name cut at its NUL", HostileTar.tar()
        .header(header('L', "././@LongLink", 12).gnu()).data("real\0ignored").file("hdr", "x").end()));
    all.add(same("empty GNU long name is ignored", HostileTar.tar()
        .header(header('L', "././@LongLink", 0).gnu()).file("hdr", "x").end()));
    all.add(both("GNU long name cut short", HostileTar.tar()
        .header(header('L', "././@LongLink", 2000).gnu()).raw(new byte[700])));

    // ---- ustar, star, GNU and V7 headers
    all.add(same("ustar prefix", HostileTar.tar()
        .header(header('0', "name", 1).prefix("some/prefix")).data("p").end()));
    all.add(same("ustar prefix applies whatever the version says", HostileTar.tar()
        .header(header('0', "name", 1).prefix("pre").field(263, 2, "xx")).data("p").end()));
    all.add(same("GNU header ignores the prefix field", HostileTar.tar()
        .header(header('0', "name", 1).gnu().field(345, 24, "000000000000\0" + "00000000000")).data("g").end()));
    all.add(same("GNU header with unparsable times takes them as a prefix (pre-Go 1.8 files)", HostileTar.tar()
        .header(header('0', "name", 1).gnu().field(345, 20, "legacy-prefix-dir")).data("g").end()));
    all.add(same("star header with its 131-byte prefix and times", HostileTar.tar()
        .header(header('0', "name", 1).star().prefix("star/prefix").octal(476, 12, 5).octal(488, 12, 6)).data("s").end()));
    all.add(both("star header with an unparsable access time", HostileTar.tar()
        .header(header('0', "name", 1).star().prefix("p").field(476, 12, "garbage!")).data("s").end()));
    all.add(same("V7 header: NUL type with a slash is a directory, without one a file", HostileTar.tar()
        .header(header('\0', "olddir/", 0).v7().mode(0755))
        .header(header('\0', "oldfile", 2).v7()).data("v7").end()));
    all.add(same("type 0 named with a trailing slash stays a file", HostileTar.tar()
        .header(header('0', "etc/cron.d/", 5)).data("files").end()));
    all.add(same("unknown, contiguous and volume types are listed as Go lists them", HostileTar.tar()
        .header(header('7', "contiguous", 3)).data("abc")
        .header(header('V', "volume", 0))
        .header(header('A', "vendor", 2)).data("zz").end()));
    all.add(same("devices and FIFOs with numbers", HostileTar.tar()
        .header(header('3', "dev/null", 0).mode(0666).device(1, 3))
        .header(header('4', "dev/sda", 0).mode(0660).device(8, 0))
        .header(header('6', "fifo", 0).mode(0600)).end()));
    all.add(same("hard link", HostileTar.tar().file("a", "a").header(header('1', "b", 0).link("a")).end()));
    all.add(same("empty, absolute and dot-dot names come through as written", HostileTar.tar()
        .header(header('0', "", 1)).data("e")
        .file("/etc/abs", "a").file("../up", "u").file("./dot//slash", "d").end()));
    all.add(same("name bytes that are not UTF-8", HostileTar.tar()
        .header(header('0', "", 1).nameBytes(new byte[] {'b', 'a', 'd', (byte) 0xff, 'x'})).data("n")
        .header(header('0', "", 1).nameBytes("caf\u00e9".getBytes(StandardCharsets.UTF_8))).data("u").end()));
    all.add(stricter("symlink that declares content", HostileTar.tar()
        .header(header('2', "l", 10).link("t")).raw(new byte[0]).file("after", "a").end()));
    all.add(stricter("directory that declares content", HostileTar.tar()
        .header(header('5', "d/", 512)).file("after", "a").end()));
    all.add(same("directory with a base-256 zero size", HostileTar.tar()
        .header(header('5', "d/", 0).base256(124, 12, 0)).file("after", "a").end()));
    all.add(stricter("directory with a negative base-256 size", HostileTar.tar()
        .header(header('5', "d/", 0).base256(124, 12, -5)).file("after", "a").end()));

    // ---- numbers
    all.add(same("base-256 size, ids and mtime", HostileTar.tar()
        .header(header('0', "b256", 0).base256(124, 12, 5000).base256(108, 8, 70000).base256(116, 8, 3).base256(136, 12, 1700000000))
        .data(pattern(5000)).file("next", "n").end()));
    all.add(same("negative base-256 mtime", HostileTar.tar()
        .header(header('0', "old", 1).base256(136, 12, -86400)).data("o").end()));
    all.add(same("octal with leading spaces, trailing NULs and junk after a NUL", HostileTar.tar()
        .header(header('0', "odd", 3).field(100, 8, "  644\0\0\0").field(108, 8, "0000012\0").field(124, 12, "3\0zz")).data("abc")
        .end()));
    all.add(same("octal fields without a terminator", HostileTar.tar()
        .header(header('0', "full", 1).field(124, 12, "00000000001 ").field(136, 12, "777777777777")).data("f").end()));
    all.add(both("octal field with a space inside", HostileTar.tar()
        .header(header('0', "sp", 3).field(124, 12, "1 2")).data("abc").end()));
    all.add(both("octal field with an 8", HostileTar.tar().header(header('0', "eight", 0).field(100, 8, "0000648")).end()));
    all.add(both("negative base-256 size", HostileTar.tar().header(header('0', "neg", 0).base256(124, 12, -5)).end()));
    all.add(both("base-256 size that overflows", HostileTar.tar()
        .header(header('0', "ovf", 0).bytes(124, 12, new byte[] {(byte) 0x80, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})).end()));
    all.add(both("huge size, data missing", HostileTar.tar().header(header('0', "huge", 0).base256(124, 12, 1L << 62)).data("x")));
    all.add(stricter("negative base-256 uid", HostileTar.tar().header(header('0', "nu", 1).base256(108, 8, -1)).data("n").end()));
    all.add(stricter("uid above 32 bits", HostileTar.tar().header(header('0', "bu", 1).base256(108, 8, 1L << 32)).data("n").end()));
    all.add(stricter("negative base-256 mode", HostileTar.tar().header(header('0', "nm", 1).base256(100, 8, -1)).data("n").end()));

    // ---- checksums
    all.add(both("bad header checksum", HostileTar.tar().header(header('0', "a", 1).checksum(1)).data("a").end()));
    all.add(both("checksum field that is not octal", HostileTar.tar().header(header('0', "a", 1)).data("a").end()
        .build(), 148, "zzzzzz\0 "));
    all.add(same("checksum summed over signed bytes", HostileTar.tar()
        .header(header('0', "", 1).nameBytes(new byte[] {'h', (byte) 0xe9, (byte) 0xf0}).signedChecksum()).data("s").end()));

    // ---- the end of the archive, truncation, trailing data
    all.add(same("no end-of-archive marker", HostileTar.tar().file("a", "a")));
    all.add(same("one zero block, then the end", HostileTar.tar().file("a", "a").raw(new byte[512])));
    all.add(same("data after the end marker is never read", HostileTar.tar().file("a", "a").end()
        .raw("garbage after the end".getBytes(StandardCharsets.US_ASCII)).file("hidden-after-end", "h")));
    all.add(both("zero block followed by a header", HostileTar.tar().file("a", "a").raw(new byte[512]).file("b", "b").end()));
    all.add(both("zero block followed by part of a block", HostileTar.tar().file("a", "a").raw(new byte[512 + 100])));
    all.add(both("a short final header block", HostileTar.tar().file("a", "a").raw(Arrays.copyOf(
        HostileTar.header('0', "b", 0).block(), 300))));
    all.add(both("content cut short", HostileTar.tar().header(header('0', "a", 5000)).raw(new byte[1000])));
    all.add(same("content complete, padding cut short", HostileTar.tar().header(header('0', "a", 100)).raw(pattern(100))
        .raw(new byte[50])));
    all.add(same("content complete, no padding", HostileTar.tar().header(header('0', "a", 100)).raw(pattern(100))));

    // ---- GNU sparse files
    all.add(same("old GNU sparse file", oldGnuSparse(false)));
    all.add(same("old GNU sparse file with an extension header", oldGnuSparse(true)));
    all.add(both("old GNU sparse entry in a ustar header", HostileTar.tar()
        .header(header('S', "s", 0).octal(483, 12, 10)).end()));
    all.add(same("PAX sparse 0.0", paxSparse00()));
    all.add(same("PAX sparse 0.1", paxSparse01("GNU.sparse.name", "renamed/by-sparse-name")));
    all.add(same("PAX sparse 1.0 renamed by GNU.sparse.name", paxSparse10("0,100,8192,100", 200, 10000)));
    all.add(same("PAX sparse of an unknown version renames nothing", HostileTar.tar()
        .pax(records("GNU.sparse.major", "2", "GNU.sparse.minor", "0", "GNU.sparse.name", "not-applied"))
        .file("GNUSparseFile.0/x", "x").end()));
    all.add(both("PAX sparse map referencing missing data", paxSparse10("0,300", 200, 10000)));
    all.add(both("PAX sparse map leaving data unreferenced", paxSparse10("0,100", 200, 10000)));
    all.add(both("PAX sparse map with overlapping fragments", paxSparse10("0,150,100,50", 200, 10000)));
    all.add(both("PAX sparse map beyond the file's size", paxSparse10("0,100,9950,100", 200, 10000)));
    all.add(both("PAX sparse 0.1 without numblocks", HostileTar.tar()
        .pax(records("GNU.sparse.size", "100", "GNU.sparse.map", "0,10")).header(header('0', "s", 10)).data(pattern(10)).end()));
    all.add(both("PAX sparse on a symlink", HostileTar.tar()
        .pax(records("GNU.sparse.major", "0", "GNU.sparse.minor", "1", "GNU.sparse.numblocks", "0", "GNU.sparse.map", ""))
        .symlink("l", "t").end()));
    all.add(new Case("sparse bomb: more holes than the reader's limit", HostileTar.tar()
        .pax(records("GNU.sparse.major", "0", "GNU.sparse.minor", "1", "GNU.sparse.size", String.valueOf((1 << 20) + 2),
            "GNU.sparse.numblocks", "1", "GNU.sparse.map", "0,1"))
        .header(header('0', "bomb", 1)).data("b").end().build(), Expect.STRICTER, 1 << 20));
    return all.stream();
  }

  private static Case same(String name, HostileTar tar) {
    return new Case(name, tar.build(), Expect.SAME);
  }

  private static Case both(String name, HostileTar tar) {
    return new Case(name, tar.build(), Expect.BOTH_FAIL);
  }

  /** A case whose bytes at {@code offset} are replaced by {@code ascii}. */
  private static Case both(String name, byte[] tar, int offset, String ascii) {
    byte[] b = tar.clone();
    byte[] patch = ascii.getBytes(StandardCharsets.ISO_8859_1);
    System.arraycopy(patch, 0, b, offset, patch.length);
    return new Case(name, b, Expect.BOTH_FAIL);
  }

  private static Case stricter(String name, HostileTar tar) {
    return new Case(name, tar.build(), Expect.STRICTER);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  private static byte[] pattern(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) ('a' + i % 26);
    }
    return b;
  }

  /** GNU's old sparse format: a 10000-byte file with data at 0 and 8192 (and four more in an extension block). */
  private static HostileTar oldGnuSparse(boolean extended) {
    int fragments = extended ? 6 : 2;
    HostileTar.Header h = header('S', "sparse", fragments * 100L).gnu().octal(483, 12, 100_000);
    for (int i = 0; i < Math.min(4, fragments); i++) {
      h.octal(386 + i * 24, 12, i * 8192L).octal(386 + i * 24 + 12, 12, 100);
    }
    HostileTar t = HostileTar.tar();
    if (extended) {
      h.bytes(482, 1, new byte[] {1});
      t.header(h);
      byte[] block = new byte[512];
      for (int i = 4; i < fragments; i++) {
        byte[] offset = String.format("%011o\0", i * 8192L).getBytes(StandardCharsets.US_ASCII);
        byte[] length = String.format("%011o\0", 100).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(offset, 0, block, (i - 4) * 24, 12);
        System.arraycopy(length, 0, block, (i - 4) * 24 + 12, 12);
      }
      t.raw(block);
    } else {
      t.header(h);
    }
    return t.data(pattern(fragments * 100)).file("after", "a").end();
  }

  private static HostileTar paxSparse00() {
    return HostileTar.tar()
        .paxHeader('x', recordList("GNU.sparse.size", "10000", "GNU.sparse.numblocks", "2", "GNU.sparse.offset", "0",
            "GNU.sparse.numbytes", "100", "GNU.sparse.offset", "8192", "GNU.sparse.numbytes", "100", "GNU.sparse.name",
            "sparse/zero-zero"))
        .header(header('0', "GNUSparseFile.0/zero-zero", 200)).data(pattern(200)).file("after", "a").end();
  }

  private static HostileTar paxSparse01(String nameKey, String name) {
    return HostileTar.tar()
        .pax(records("GNU.sparse.size", "10000", "GNU.sparse.numblocks", "2", "GNU.sparse.map", "0,100,8192,100", nameKey, name))
        .header(header('0', "GNUSparseFile.0/zero-one", 200)).data(pattern(200)).file("after", "a").end();
  }

  /** PAX sparse 1.0: the map ({@code offset,length,...}) in the data's first block, then {@code stored} bytes. */
  private static HostileTar paxSparse10(String map, int stored, long size) {
    String[] parts = map.split(",");
    StringBuilder text = new StringBuilder().append(parts.length / 2).append('\n');
    for (String p : parts) {
      text.append(p).append('\n');
    }
    byte[] mapBlock = Arrays.copyOf(text.toString().getBytes(StandardCharsets.US_ASCII), 512);
    return HostileTar.tar()
        .pax(records("GNU.sparse.major", "1", "GNU.sparse.minor", "0", "GNU.sparse.name", "real/name-from-sparse",
            "GNU.sparse.realsize", String.valueOf(size)))
        .header(header('0', "GNUSparseFile.0/placeholder", 512 + stored)).data(concat(mapBlock, pattern(stored)))
        .file("after", "a").end();
  }

  // ------------------------------------------------------------------ tars real writers make

  @Test
  void gnuTarArchivesInEveryFormat_jscanListsWhatGoLists(@TempDir Path dir) throws Exception {
    Path tar = ExternalTool.require("tar");
    Path src = dir.resolve("src");
    Files.createDirectories(src.resolve("deep/" + "d".repeat(120)));
    Files.writeString(src.resolve("deep/" + "d".repeat(120) + "/" + "f".repeat(110)), "long name content");
    Files.writeString(src.resolve("plain.txt"), "plain");
    Files.write(src.resolve("caf\u00e9-\u00fc.txt"), pattern(3000));
    Files.createSymbolicLink(src.resolve("link-" + "l".repeat(120)), Path.of("t".repeat(150)));
    Files.createLink(src.resolve("hard"), src.resolve("plain.txt"));
    try (RandomAccessFile f = new RandomAccessFile(src.resolve("sparse.img").toFile(), "rw")) {
      f.setLength(4L << 20);
      f.seek(1L << 20);
      f.write(pattern(5000));
      f.seek(3L << 20);
      f.write(pattern(700));
    }
    Files.setLastModifiedTime(src.resolve("plain.txt"), FileTime.from(Instant.parse("2001-02-03T04:05:06.789Z")));
    List<List<String>> variants = List.of(
        List.of("--format=v7"),
        List.of("--format=ustar"),
        List.of("--format=oldgnu", "--sparse"),
        List.of("--format=gnu", "--sparse"),
        List.of("--format=posix", "--sparse", "--sparse-version=0.0"),
        List.of("--format=posix", "--sparse", "--sparse-version=0.1"),
        List.of("--format=posix", "--sparse", "--sparse-version=1.0"),
        List.of("--format=posix", "--pax-option=globexthdr.name=%d/GlobalHead.%n,comment=global"));
    int compared = 0;
    for (List<String> options : variants) {
      Path out = dir.resolve("out-" + compared + ".tar");
      List<String> command = new ArrayList<>(List.of(tar.toString(), "-c", "-f", out.toString()));
      command.addAll(options);
      command.addAll(List.of("--owner=1234", "--group=5678", "--numeric-owner", "-C", src.toString(), "."));
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS));
      // v7 and ustar cannot hold the long names: GNU tar leaves those files out, exits 2 and still writes the rest
      boolean limited = options.contains("--format=v7") || options.contains("--format=ustar");
      assertTrue(p.exitValue() == 0 || limited && p.exitValue() == 2, String.join(" ", options) + ": " + log);
      Listing go = GoTar.go(out);
      check("GNU tar " + options, Expect.SAME, go, GoTar.jscan(Files.readAllBytes(out)));
      assertTrue(go.entries().size() >= 5, options + " listed " + go.entries());
      compared++;
    }
    assertEquals(variants.size(), compared, "GNU tar formats compared");
  }

  @Test
  void commonsCompressArchivesInEveryMode_jscanListsWhatGoLists() throws Exception {
    int[] longModes = {TarArchiveOutputStream.LONGFILE_GNU, TarArchiveOutputStream.LONGFILE_POSIX};
    int[] bigModes = {TarArchiveOutputStream.BIGNUMBER_STAR, TarArchiveOutputStream.BIGNUMBER_POSIX};
    for (int longMode : longModes) {
      for (int bigMode : bigModes) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
          out.setLongFileMode(longMode);
          out.setBigNumberMode(bigMode);
          out.setAddPaxHeadersForNonAsciiNames(true);
          TarArchiveEntry f = new TarArchiveEntry("a/" + "x".repeat(140) + "/file-\u00e9.txt");
          f.setSize(12);
          f.setIds(3_000_000, 9_000_000);
          f.setModTime(FileTime.from(Instant.parse("2100-01-01T00:00:00.5Z")));
          f.addPaxHeader("SCHILY.xattr.user.k", "v");
          out.putArchiveEntry(f);
          out.write("twelve bytes".getBytes(StandardCharsets.US_ASCII));
          out.closeArchiveEntry();
          TarArchiveEntry l = new TarArchiveEntry("sym", TarArchiveEntry.LF_SYMLINK);
          l.setLinkName("t/" + "y".repeat(130));
          out.putArchiveEntry(l);
          out.closeArchiveEntry();
        }
        String label = "Commons Compress long mode " + longMode + ", big number mode " + bigMode;
        Listing go = GoTar.go(bytes.toByteArray());
        check(label, Expect.SAME, go, GoTar.jscan(bytes.toByteArray()));
        assertEquals(2, go.entries().size(), label);
      }
    }
  }

  // ------------------------------------------------------------------ every layer of the corpus

  @Test
  void everyTarOfTheConformanceImages_jscanListsWhatGoLists(@TempDir Path tmp) throws Exception {
    Path images = Conformance.dir("images");
    int compared = compareTree(images, tmp);
    assertTrue(compared >= 25, "compared only " + compared + " tars from " + images);
  }

  @Test
  void everyLayerOfTheRepositorysBaseImages_jscanListsWhatGoLists(@TempDir Path tmp) throws Exception {
    GoTar.lister();
    for (SharedBases.Base base : List.of(SharedBases.busybox(), SharedBases.debian())) {
      int compared = compareTree(base.ociLayout(), tmp); // the docker-archive beside it holds the same layers
      assertTrue(compared >= 1, "no layer compared in " + base.ociLayout());
    }
  }

  /** Compares every file under {@code root} that is a tar (after decompression); returns how many were compared. */
  private static int compareTree(Path root, Path tmp) throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.walk(root)) {
      files = s.filter(Files::isRegularFile).sorted().toList();
    }
    int compared = 0;
    for (Path f : files) {
      compared += compareFile(f, f.toString(), tmp, 0);
    }
    return compared;
  }

  /**
   * Decompresses {@code file} if it is gzip or zstd, lists it with both readers, and when it is a
   * tar compares the listings; then does the same for each member that is itself a tar or a
   * compressed tar (a docker-archive's layers), one level down.
   */
  private static int compareFile(Path file, String label, Path tmp, int depth) throws Exception {
    Path plain = decompressed(file, tmp);
    Listing go = GoTar.go(plain);
    Listing jscan;
    try (InputStream in = new BufferedInputStream(Files.newInputStream(plain), 65536)) {
      jscan = GoTar.jscan(in);
    }
    if (go.failed() && jscan.failed() && go.entries().isEmpty() && jscan.entries().isEmpty()) {
      cleanup(file, plain);
      return 0; // not a tar (a JSON document, a config)
    }
    check(label, Expect.SAME, go, jscan);
    int compared = 1;
    if (depth == 0) {
      try (InputStream in = new BufferedInputStream(Files.newInputStream(plain), 65536)) {
        TarReader reader = new TarReader(in);
        for (Optional<TarEntry> e; (e = reader.next()).isPresent(); ) {
          if (!e.get().isRegularFile() || e.get().size() < 512) {
            continue;
          }
          InputStream content = reader.content();
          byte[] head = content.readNBytes(65536); // room for a PAX header before the first entry
          boolean compressed = (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b
              || (head[0] & 0xff) == 0x28 && (head[1] & 0xff) == 0xb5 && (head[2] & 0xff) == 0x2f && (head[3] & 0xff) == 0xfd;
          if (!compressed && !TarReader.startsWithHeader(new java.io.ByteArrayInputStream(head))) {
            continue; // neither a tar nor a compressed one: a file of a layer, a config
          }
          Path member = Files.createTempFile(tmp, "member-", ".bin");
          try (OutputStream out = Files.newOutputStream(member)) {
            out.write(head);
            content.transferTo(out);
          }
          compared += compareFile(member, label + "!" + e.get().name(), tmp, depth + 1);
          Files.deleteIfExists(member);
        }
      }
    }
    cleanup(file, plain);
    return compared;
  }

  private static void cleanup(Path original, Path plain) throws IOException {
    if (!plain.equals(original)) {
      Files.deleteIfExists(plain);
    }
  }

  private static Path decompressed(Path file, Path tmp) throws IOException {
    byte[] head = new byte[4];
    try (InputStream in = Files.newInputStream(file)) {
      int n = in.readNBytes(head, 0, 4);
      boolean gzip = n >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b;
      boolean zstd = n >= 4 && (head[0] & 0xff) == 0x28 && (head[1] & 0xff) == 0xb5 && (head[2] & 0xff) == 0x2f
          && (head[3] & 0xff) == 0xfd;
      if (!gzip && !zstd) {
        return file;
      }
    }
    Path out = Files.createTempFile(tmp, "plain-", ".tar");
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 65536);
        InputStream in = isGzip(file) ? new GzipCompressorInputStream(raw, true) : new ZstdInputStream(raw);
        OutputStream o = Files.newOutputStream(out)) {
      in.transferTo(o);
    }
    return out;
  }

  private static boolean isGzip(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return (in.read() & 0xff) == 0x1f;
    }
  }

  /** PAX records in order, a key possibly repeated (GNU sparse 0.0 repeats offset and numbytes). */
  private static byte[] recordList(String... keysAndValues) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      b.writeBytes(HostileTar.paxRecord(keysAndValues[i], keysAndValues[i + 1].getBytes(StandardCharsets.UTF_8)));
    }
    return b.toByteArray();
  }
}
