package io.jscan.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.oci.MediaTypes.Compression;
import io.jscan.core.testing.TarBuilder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.junit.jupiter.api.Test;

class CompressionsTest {
  private static final byte[] TAR = TarBuilder.tar().file("hello.txt", "hello\n").build();

  static byte[] compress(byte[] data, Compression c) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream z = Compressions.compress(out, c)) {
      z.write(data);
    }
    return out.toByteArray();
  }

  static byte[] decompress(byte[] data, Compression declared) throws IOException {
    try (InputStream in = Compressions.decompress(new ByteArrayInputStream(data), declared, "layer 1")) {
      return in.readAllBytes();
    }
  }

  @Test
  void decompress_eachDeclaredCompression_roundTrips() throws IOException {
    for (Compression c : Compression.values()) {
      assertArrayEquals(TAR, decompress(compress(TAR, c), c), c.name());
    }
  }

  @Test
  void decompress_gzipContentDeclaredUncompressed_failsWithCompressionMismatch() throws IOException {
    ContentMismatchException e =
        assertThrows(ContentMismatchException.class, () -> decompress(compress(TAR, Compression.GZIP), Compression.NONE));
    assertEquals("layer 1: compression mismatch: the media type declares uncompressed but the content is gzip", e.getMessage());
  }

  @Test
  void decompress_plainTarDeclaredGzip_failsWithCompressionMismatch() {
    ContentMismatchException e = assertThrows(ContentMismatchException.class, () -> decompress(TAR, Compression.GZIP));
    assertTrue(e.getMessage().endsWith("declares gzip but the content is uncompressed"), e.getMessage());
  }

  @Test
  void decompress_zstdDeclaredGzip_failsWithCompressionMismatch() throws IOException {
    byte[] zstd = compress(TAR, Compression.ZSTD);
    ContentMismatchException e = assertThrows(ContentMismatchException.class, () -> decompress(zstd, Compression.GZIP));
    assertTrue(e.getMessage().endsWith("but the content is zstd"), e.getMessage());
  }

  @Test
  void decompress_gzipWithTrailingGarbage_fails() throws IOException {
    byte[] gz = compress(TAR, Compression.GZIP);
    byte[] withGarbage = java.util.Arrays.copyOf(gz, gz.length + 4);
    withGarbage[gz.length] = 'J';
    assertThrows(IOException.class, () -> decompress(withGarbage, Compression.GZIP));
  }

  @Test
  void decompress_gzipWithTrailingGarbage_isAContentMismatch() throws IOException {
    byte[] gz = compress(TAR, Compression.GZIP);
    byte[] withGarbage = java.util.Arrays.copyOf(gz, gz.length + 4);
    withGarbage[gz.length] = 'J';
    ContentMismatchException e = assertThrows(ContentMismatchException.class, () -> decompress(withGarbage, Compression.GZIP));
    assertTrue(e.getMessage().startsWith("layer 1: the gzip data is corrupt: "), e.getMessage());
  }

  @Test
  void decompress_truncatedGzipOrZstd_isAContentMismatchNamingTheLayer() throws IOException {
    byte[] big = TarBuilder.tar().file("big.txt", "some text that compresses\n".repeat(4000)).build();
    for (Compression c : new Compression[] {Compression.GZIP, Compression.ZSTD}) {
      byte[] whole = compress(big, c);
      for (int cut : new int[] {1, 8, whole.length / 2}) {
        byte[] truncated = java.util.Arrays.copyOf(whole, whole.length - cut);
        ContentMismatchException e = assertThrows(ContentMismatchException.class, () -> decompress(truncated, c), c + " cut " + cut);
        String name = c == Compression.GZIP ? "gzip" : "zstd";
        assertEquals("layer 1: the " + name + " data is truncated: the stream ends inside it", e.getMessage());
      }
    }
  }

  @Test
  void decompress_sourceFailingMidway_isThatFailure_notACorruption() throws IOException {
    byte[] gz = compress(TarBuilder.tar().file("big.txt", "x".repeat(200_000)).build(), Compression.GZIP);
    IOException broken = new IOException("connection reset");
    InputStream failing = new java.io.SequenceInputStream(new ByteArrayInputStream(gz, 0, gz.length / 2), new InputStream() {
      @Override
      public int read() throws IOException {
        throw broken;
      }
    });
    try (InputStream in = Compressions.decompress(failing, Compression.GZIP, "layer 1")) {
      IOException e = assertThrows(IOException.class, in::readAllBytes);
      assertEquals(broken, e);
    }
  }

  @Test
  void sniff_recognisesXzAndBzip2_soErrorsCanNameThem() {
    assertEquals(Compressions.Sniffed.XZ, Compressions.sniff(new byte[] {(byte) 0xfd, '7', 'z', 'X', 'Z', 0}, 6));
    assertEquals(Compressions.Sniffed.BZIP2, Compressions.sniff(new byte[] {'B', 'Z', 'h', '9'}, 4));
    assertEquals(Compressions.Sniffed.UNCOMPRESSED, Compressions.sniff(TAR, TAR.length));
  }

  @Test
  void compress_zstd_isDeterministic() throws IOException {
    assertArrayEquals(compress(TAR, Compression.ZSTD), compress(TAR, Compression.ZSTD));
  }
}
