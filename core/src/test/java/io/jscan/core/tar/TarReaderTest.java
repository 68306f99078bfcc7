package io.jscan.core.tar;

import static io.jscan.core.testing.HostileTar.header;
import static io.jscan.core.testing.HostileTar.records;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.testing.HostileTar;
import io.jscan.core.testing.TarBuilder;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarReaderTest {

  private static List<TarEntry> read(byte[] tar) throws IOException {
    TarReader r = new TarReader(new ByteArrayInputStream(tar));
    List<TarEntry> out = new ArrayList<>();
    for (Optional<TarEntry> e; (e = r.next()).isPresent(); ) {
      out.add(e.get());
    }
    return out;
  }

  private static List<String> names(byte[] tar) throws IOException {
    return read(tar).stream().map(TarEntry::name).toList();
  }

  @Test
  void next_globalHeaderWithSize_doesNotSwallowTheEntriesAfterIt() throws IOException {
    // POSIX readers apply the global size to "decoy", and its "content" swallows the setuid file;
    // Go's reader, and so containerd, extracts both
    byte[] tar = HostileTar.tar()
        .globalPax(records("size", "1536"))
        .file("decoy", "x")
        .file("usr/bin/hidden", 04755, "binary".getBytes(StandardCharsets.US_ASCII))
        .end().build();
    List<TarEntry> entries = read(tar);
    assertEquals(List.of("decoy", "usr/bin/hidden"), entries.stream().map(TarEntry::name).toList());
    assertEquals(1, entries.get(0).size());
    assertEquals(04755, entries.get(1).permissions());
  }

  @Test
  void next_globalHeaders_areReportedWithTheirRecordsButNeverApplied() throws IOException {
    byte[] tar = HostileTar.tar()
        .globalPax(records("path", "etc/shadow", "uid", "0", "comment", "hi"))
        .header(header('0', "a", 1).uid(1000)).data("a")
        .end().build();
    TarReader r = new TarReader(new ByteArrayInputStream(tar));
    TarEntry a = r.next().orElseThrow();
    assertEquals("a", a.name());
    assertEquals(1000, a.uid());
    assertTrue(a.paxRecords().isEmpty());
    assertEquals(1, r.globalHeaders().size());
    assertEquals("etc/shadow", r.globalHeaders().get(0).records().get("path"));
    assertEquals(0, r.globalHeaders().get(0).offset());
  }

  @Test
  void globalHeaders_manyOfThem_areCountedButOnlyTheFirstKept() throws IOException {
    HostileTar t = HostileTar.tar();
    for (int i = 0; i < 1000; i++) {
      t.globalPax(records("comment", "c" + i));
    }
    TarReader r = new TarReader(new ByteArrayInputStream(t.file("a", "a").end().build()));
    assertEquals("a", r.next().orElseThrow().name());
    assertEquals(1000, r.globalHeaderCount());
    assertEquals(TarReader.KEPT_GLOBAL_HEADERS, r.globalHeaders().size());
  }

  @Test
  void next_localHeader_appliesToTheNextEntryOnly() throws IOException {
    byte[] tar = HostileTar.tar()
        .pax(records("path", "renamed", "uid", "42", "mtime", "1.25"))
        .file("a", "a")
        .file("b", "b")
        .end().build();
    List<TarEntry> entries = read(tar);
    assertEquals("renamed", entries.get(0).name());
    assertEquals(42, entries.get(0).uid());
    assertEquals(1, entries.get(0).mtimeSeconds());
    assertEquals(250_000_000, entries.get(0).mtimeNanos());
    assertEquals("b", entries.get(1).name());
    assertEquals(0, entries.get(1).uid());
  }

  @Test
  void next_gnuSparseName_renamesTheEntryAsGoDoes() throws IOException {
    byte[] map = Arrays.copyOf("1\n0\n5\n".getBytes(StandardCharsets.US_ASCII), 512);
    byte[] data = new byte[517];
    System.arraycopy(map, 0, data, 0, 512);
    System.arraycopy("hello".getBytes(StandardCharsets.US_ASCII), 0, data, 512, 5);
    byte[] tar = HostileTar.tar()
        .pax(records("GNU.sparse.major", "1", "GNU.sparse.minor", "0", "GNU.sparse.name", "etc/ssh/ssh_host_key",
            "GNU.sparse.realsize", "8"))
        .header(header('0', "GNUSparseFile.0/harmless", data.length)).data(data)
        .end().build();
    TarReader r = new TarReader(new ByteArrayInputStream(tar));
    TarEntry e = r.next().orElseThrow();
    assertEquals("etc/ssh/ssh_host_key", e.name());
    assertTrue(e.sparse());
    assertEquals(8, e.size());
    assertArrayEquals("hello\0\0\0".getBytes(StandardCharsets.US_ASCII), r.content().readAllBytes());
  }

  @Test
  void next_paxSizeWithALineBreak_failsOnOneLineQuotingNothingOfIt() {
    // found by the tar fuzz target (LayerScannerFuzzTest) in the reader this one replaced: the
    // value was quoted raw, line break and all; this reader names the record, not its value
    String value = "renamed\n16 uid=70000000" + "x".repeat(100);
    byte[] tar = HostileTar.tar().pax(records("size", value)).file("f", "content").end().build();
    TarFormatException e = assertThrows(TarFormatException.class, () -> read(tar));
    assertTrue(e.getMessage().startsWith("invalid PAX size record"), e.getMessage());
    assertTrue(e.getMessage().indexOf('\n') < 0 && !e.getMessage().contains("renamed"), e.getMessage());
  }

  @Test
  void next_sparseHolesBeyondTheLimit_refusedAsASparseBomb() {
    byte[] tar = HostileTar.tar()
        .pax(records("GNU.sparse.major", "0", "GNU.sparse.minor", "1", "GNU.sparse.size", String.valueOf(1L << 40),
            "GNU.sparse.numblocks", "1", "GNU.sparse.map", "0,1"))
        .header(header('0', "bomb", 1)).data("b")
        .end().build();
    TarFormatException e = assertThrows(TarFormatException.class, () -> read(tar));
    assertTrue(e.getMessage().contains("sparse bomb"), e.getMessage());
  }

  @Test
  void next_keepsNamesAsWritten_absoluteDotDotAndLongPaxNames() throws IOException {
    String longName = "/" + "d".repeat(150) + "/file";
    byte[] tar = HostileTar.tar().file("/etc/abs", "a").file("../up", "b").pax(records("path", longName)).file("x", "c")
        .symlink("l", "../../x").end().build();
    List<TarEntry> entries = read(tar);
    assertEquals(List.of("/etc/abs", "../up", longName, "l"), entries.stream().map(TarEntry::name).toList());
    assertEquals("../../x", entries.get(3).linkName());
    assertTrue(entries.get(3).isSymlink());
  }

  @Test
  void content_returnsExactlyTheEntryBytes() throws IOException {
    byte[] payload = "hello tar".getBytes(StandardCharsets.UTF_8);
    TarReader r = new TarReader(new ByteArrayInputStream(TarBuilder.tar().file("a", payload).file("b", "x").build()));
    TarEntry a = r.next().orElseThrow();
    assertEquals(payload.length, a.size());
    assertArrayEquals(payload, r.content().readAllBytes());
    assertEquals("b", r.next().orElseThrow().name());
    assertTrue(r.next().isEmpty());
    assertTrue(r.trailerSeen());
  }

  @Test
  void readContent_atTheEndWithNoRoomLeft_returnsEndOfStream() throws IOException {
    // a caller that fills a buffer of exactly the file's size asks once more with no room left
    TarReader r = new TarReader(new ByteArrayInputStream(TarBuilder.tar().file("a", "four").build()));
    r.next().orElseThrow();
    byte[] b = new byte[4];
    assertEquals(4, r.readContent(b, 0, 4));
    assertEquals(-1, r.readContent(b, 4, 0));
  }

  @Test
  void next_flippedHeaderByte_failsChecksum() {
    byte[] tar = TarBuilder.tar().file("name", "content").build();
    tar[3] ^= 0x01; // inside the name field
    TarFormatException e = assertThrows(TarFormatException.class, () -> read(tar));
    assertTrue(e.getMessage().contains("checksum"), e.getMessage());
  }

  @Test
  void next_truncatedContent_failsInsteadOfStoppingQuietly() {
    byte[] full = TarBuilder.tar().file("big", new byte[5000]).build();
    byte[] cut = Arrays.copyOf(full, 512 + 1000);
    TarFormatException e = assertThrows(TarFormatException.class, () -> read(cut));
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void next_truncatedContentSkippedOnAFile_failsThoughSkippingSeeks(@TempDir Path dir) throws IOException {
    byte[] full = TarBuilder.tar().file("big", new byte[50_000]).file("b", "b").build();
    Path f = dir.resolve("cut.tar");
    Files.write(f, Arrays.copyOf(full, 512 + 1000));
    try (InputStream in = new BufferedInputStream(Files.newInputStream(f))) {
      TarReader r = new TarReader(in);
      assertEquals("big", r.next().orElseThrow().name());
      TarFormatException e = assertThrows(TarFormatException.class, r::next);
      assertTrue(e.getMessage().contains("truncated"), e.getMessage());
      assertThrows(TarFormatException.class, r::next, "a failed reader stays failed");
    }
  }

  @Test
  void next_garbage_isMalformed() {
    byte[] junk = "this is not a tar archive at all ".repeat(40).getBytes(StandardCharsets.US_ASCII);
    assertThrows(TarFormatException.class, () -> read(junk));
  }

  @Test
  void next_missingEndMarker_acceptedAsGoDoes() throws IOException {
    byte[] full = TarBuilder.tar().file("a", "x").build();
    TarReader r = new TarReader(new ByteArrayInputStream(Arrays.copyOf(full, 1024)));
    assertEquals("a", r.next().orElseThrow().name());
    assertTrue(r.next().isEmpty());
    assertFalse(r.trailerSeen());
  }

  @Test
  void next_paddingCutShort_endsTheArchiveAsGoDoes() throws IOException {
    byte[] tar = HostileTar.tar().header(header('0', "a", 100)).raw(new byte[100]).raw(new byte[20]).build();
    assertEquals(List.of("a"), names(tar));
  }

  @Test
  void next_zeroBlockFollowedByAHeader_fails() {
    byte[] tar = HostileTar.tar().file("a", "a").raw(new byte[512]).file("hidden", "h").end().build();
    TarFormatException e = assertThrows(TarFormatException.class, () -> read(tar));
    assertTrue(e.getMessage().contains("end-of-archive"), e.getMessage());
  }

  @Test
  void dataAfterTrailer_seesWhatFollowsTheEndMarker() throws IOException {
    byte[] tar = HostileTar.tar().file("a", "a").end().file("after", "x").build();
    TarReader r = new TarReader(new ByteArrayInputStream(tar));
    assertEquals("a", r.next().orElseThrow().name());
    assertTrue(r.next().isEmpty());
    assertTrue(r.trailerSeen());
    assertTrue(r.dataAfterTrailer());
  }

  @Test
  void next_linkThatDeclaresContent_isRefused() {
    byte[] tar = HostileTar.tar().header(header('1', "l", 512).link("a")).raw(new byte[512]).end().build();
    TarFormatException e = assertThrows(TarFormatException.class, () -> read(tar));
    assertTrue(e.getMessage().contains("declares 512 bytes"), e.getMessage());
  }

  @Test
  void next_ownerOutsideWhatARuntimeCanSet_isRefused() {
    byte[] tar = HostileTar.tar().pax(records("uid", "4294967296")).file("a", "a").end().build();
    TarFormatException e = assertThrows(TarFormatException.class, () -> read(tar));
    assertTrue(e.getMessage().contains("owner id 4294967296"), e.getMessage());
  }

  @Test
  void next_oldNulTypeFlag_becomesFileOrDirectoryByTheTrailingSlash() throws IOException {
    byte[] tar = HostileTar.tar()
        .header(header('\0', "d/", 0).v7())
        .header(header('\0', "f", 1).v7()).data("f")
        .header(header('0', "g/", 1)).data("g")
        .end().build();
    List<TarEntry> entries = read(tar);
    assertEquals(List.of('5', '0', '0'), entries.stream().map(TarEntry::type).toList());
  }

  @Test
  void fileType_typesNoRuntimeExtracts_areEmpty() throws IOException {
    byte[] tar = HostileTar.tar().header(header('7', "c", 0)).header(header('V', "v", 0)).file("f", "f").end().build();
    List<TarEntry> entries = read(tar);
    assertTrue(entries.get(0).fileType().isEmpty());
    assertTrue(entries.get(1).fileType().isEmpty());
    assertEquals("type '7' (contiguous file)", entries.get(0).typeDescription());
    assertTrue(entries.get(2).fileType().isPresent());
  }

  @Test
  void startsWithHeader_likeDockersArchiveTest() {
    assertTrue(TarReader.startsWithHeader(new ByteArrayInputStream(TarBuilder.tar().file("a", "a").build())));
    assertTrue(TarReader.startsWithHeader(new ByteArrayInputStream(HostileTar.tar().globalPax(records("comment", "c")).end().build())));
    assertFalse(TarReader.startsWithHeader(new ByteArrayInputStream(new byte[1024])));
    assertFalse(TarReader.startsWithHeader(new ByteArrayInputStream("plain text".getBytes(StandardCharsets.US_ASCII))));
  }

  @Test
  void parseDecimal_acceptsWhatGoParseIntAccepts() {
    assertEquals(Long.MIN_VALUE, TarNumbers.parseDecimal("-9223372036854775808"));
    assertEquals(Long.MAX_VALUE, TarNumbers.parseDecimal("+9223372036854775807"));
    assertEquals(7, TarNumbers.parseDecimal("007"));
    for (String bad : List.of("", "+", "-", "9223372036854775808", "1_000", " 1", "1 ", "\u0661", "0x10")) {
      assertThrows(NumberFormatException.class, () -> TarNumbers.parseDecimal(bad), bad);
    }
  }
}
