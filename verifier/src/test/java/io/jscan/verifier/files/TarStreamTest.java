package io.jscan.verifier.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.verifier.RawTar;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TarStreamTest {

  private static List<TarHeader> read(byte[] tar) throws IOException {
    TarStream s = new TarStream(new ByteArrayInputStream(tar));
    List<TarHeader> out = new ArrayList<>();
    for (Optional<TarHeader> h; (h = s.next()).isPresent(); ) {
      out.add(h.get());
    }
    return out;
  }

  @Test
  void next_keepsNamesAsWritten_absoluteDotDotAndLongPaxNames() throws IOException {
    String longName = "/" + "d".repeat(150) + "/file";
    byte[] tar = RawTar.tar().file("/etc/abs", "a").file("../up", "b").file(longName, "c").symlink("l", "../../x").build();
    List<TarHeader> headers = read(tar);
    assertEquals(List.of("/etc/abs", "../up", longName, "l"), headers.stream().map(TarHeader::name).toList());
    assertEquals("../../x", headers.get(3).linkName());
    assertTrue(headers.get(3).isSymlink());
  }

  @Test
  void content_returnsExactlyTheEntryBytes() throws IOException {
    byte[] payload = "hello tar".getBytes(StandardCharsets.UTF_8);
    TarStream s = new TarStream(new ByteArrayInputStream(RawTar.tar().file("a", 0644, payload).file("b", "x").build()));
    TarHeader a = s.next().orElseThrow();
    assertEquals(payload.length, a.size());
    assertArrayEquals(payload, s.content().readAllBytes());
    assertEquals("b", s.next().orElseThrow().name());
    assertTrue(s.next().isEmpty());
    assertTrue(s.trailerSeen());
  }

  @Test
  void next_flippedHeaderByte_failsChecksum() {
    byte[] tar = RawTar.tar().file("name", "content").build();
    tar[3] ^= 0x01; // inside the name field
    TarFormatException e = assertThrows(TarFormatException.class, () -> read(tar));
    assertTrue(e.getMessage().contains("checksum"), e.getMessage());
  }

  @Test
  void next_truncatedContent_failsInsteadOfStoppingQuietly() {
    byte[] full = RawTar.tar().file("big", 0644, new byte[5000]).build();
    byte[] cut = Arrays.copyOf(full, 512 + 1000);
    TarFormatException e = assertThrows(TarFormatException.class, () -> {
      TarStream s = new TarStream(new ByteArrayInputStream(cut));
      s.next();
      s.next();
    });
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void next_garbage_isMalformed() {
    byte[] junk = "this is not a tar archive at all ".repeat(40).getBytes(StandardCharsets.US_ASCII);
    assertThrows(TarFormatException.class, () -> read(junk));
  }

  @Test
  void next_missingEndMarker_acceptedAsGoDoes() throws IOException {
    byte[] full = RawTar.tar().file("a", "x").build();
    byte[] noTrailer = Arrays.copyOf(full, 1024); // header + one content block
    TarStream s = new TarStream(new ByteArrayInputStream(noTrailer));
    assertEquals("a", s.next().orElseThrow().name());
    assertTrue(s.next().isEmpty());
    assertFalse(s.trailerSeen());
  }

  @Test
  void parseNumber_octalAndBase256() throws TarFormatException {
    byte[] field = "0000644\0".getBytes(StandardCharsets.US_ASCII);
    assertEquals(0644, TarStream.parseNumber(field, 0, 8, 0, "mode"));
    byte[] big = new byte[12];
    big[0] = (byte) 0x80;
    big[11] = 5;
    big[10] = 1;
    assertEquals(261, TarStream.parseNumber(big, 0, 12, 0, "size"));
    byte[] bad = "00x0644\0".getBytes(StandardCharsets.US_ASCII);
    assertThrows(TarFormatException.class, () -> TarStream.parseNumber(bad, 0, 8, 0, "mode"));
  }

  @Test
  void parsePax_malformedRecord_fails() {
    byte[] ok = "19 path=some/where\n".getBytes(StandardCharsets.UTF_8);
    assertThrows(TarFormatException.class, () -> TarStream.parsePax("99 path=x\n".getBytes(StandardCharsets.UTF_8), 0));
    assertDoesNotThrowPax(ok);
  }

  @Test
  void next_paxSizeWithALineBreak_failsWithOneLineNamingAnEscapedExcerpt() {
    // found by LayerScannerFuzzTest: the PAX value was quoted raw, line break and all
    String value = "renamed\n16 uid=70000000" + "x".repeat(100);
    byte[] tar = RawTar.tar().paxHeader(paxRecord("size", value)).file("f", "content").build();

    TarFormatException e = assertThrows(TarFormatException.class, () -> read(tar));

    assertEquals("invalid PAX size \"renamed\\n16 uid=70000000xxxxxxxxxxxxxxxxx...\" (at byte 1024 of the uncompressed layer)",
        e.getMessage());
  }

  @Test
  void next_unknownTypeWithContentAndAControlCharacterType_namesTheTypeEscaped() {
    byte[] tar = RawTar.tar().file("f", "content").build();
    tar[156] = 0x1b; // the typeflag of the first header: ESC, a type with content is read as a file
    fixChecksum(tar, 0);

    TarHeader h = assertDoesNotThrowRead(tar).get(0);

    assertEquals(0x1b, h.type());
    assertEquals("\\x1b", TarStream.printable(h.type()));
  }

  private static List<TarHeader> assertDoesNotThrowRead(byte[] tar) {
    try {
      return read(tar);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Rewrites the checksum of the header at {@code offset} after a test changed a byte of it. */
  private static void fixChecksum(byte[] tar, int offset) {
    long sum = 0;
    for (int i = 0; i < 512; i++) {
      sum += (i >= 148 && i < 156) ? ' ' : tar[offset + i] & 0xff;
    }
    byte[] field = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(field, 0, tar, offset + 148, 8);
  }

  /** One PAX record: its length counts itself, the key, the value and the newline. */
  private static String paxRecord(String key, String value) {
    int body = key.length() + value.getBytes(StandardCharsets.UTF_8).length + 3; // ' ', '=', '\n'
    int length = body + String.valueOf(body).length();
    if (String.valueOf(length).length() != String.valueOf(body).length()) {
      length++;
    }
    return length + " " + key + "=" + value + "\n";
  }

  private static void assertDoesNotThrowPax(byte[] record) {
    try {
      assertEquals("some/where", TarStream.parsePax(record, 0).get("path"));
    } catch (TarFormatException e) {
      throw new AssertionError(e);
    }
  }
}
