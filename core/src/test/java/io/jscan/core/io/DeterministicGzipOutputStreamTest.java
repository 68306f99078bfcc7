package io.jscan.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jscan.core.oci.Digest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class DeterministicGzipOutputStreamTest {

  /** A generated input: compressible text with some noise, large enough to span several chunks. */
  static byte[] generatedInput() {
    StringBuilder sb = new StringBuilder();
    Random random = new Random(42); // fixed seed: the same input everywhere
    for (int i = 0; i < 20_000; i++) {
      sb.append("line ").append(i).append(' ').append(Long.toHexString(random.nextLong())).append('\n');
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  static byte[] gzip(byte[] input, int writeSize) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DeterministicGzipOutputStream gz = new DeterministicGzipOutputStream(out)) {
      for (int off = 0; off < input.length; off += writeSize) {
        gz.write(input, off, Math.min(writeSize, input.length - off));
      }
    }
    return out.toByteArray();
  }

  /**
   * Pinned so that any change of the compressed bytes (a JZlib upgrade, another level or header)
   * shows up here: such a change alters every layer digest jscan produces.
   */
  @Test
  void gzip_ofGeneratedInput_hasThePinnedDigest() throws IOException {
    byte[] input = generatedInput();
    assertEquals("sha256:351f6fc7761a5a6aa6f2d13f554dc50f56693a76cfd85b1eac09ed4628139f8a", Digest.sha256(input).toString(), "input");
    assertEquals("sha256:f45498913953fb254552ed3489136cb2f700ca8ce436eff945aa5a6d19feb968", Digest.sha256(gzip(input, 8192)).toString(), "gzip output");
  }

  @Test
  void gzip_sameInputWrittenInDifferentPieces_givesTheSameBytes() throws IOException {
    byte[] input = generatedInput();
    byte[] reference = gzip(input, input.length);
    assertArrayEquals(reference, gzip(input, 1));
    assertArrayEquals(reference, gzip(input, 1000));
    assertArrayEquals(reference, gzip(input, 65536 + 3));
  }

  @Test
  void gzip_output_decompressesWithJavaUtilZip() throws IOException {
    byte[] input = generatedInput();
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip(input, 4096)))) {
      assertArrayEquals(input, in.readAllBytes());
    }
  }

  @Test
  void gzip_header_hasNoTimeNoNameAndUnknownOs() throws IOException {
    byte[] out = gzip("x".getBytes(StandardCharsets.UTF_8), 1);
    assertEquals(0x1f, out[0] & 0xff);
    assertEquals(0x8b, out[1] & 0xff);
    assertEquals(8, out[2], "deflate");
    assertEquals(0, out[3], "FLG: no name, comment, extra or header CRC");
    assertArrayEquals(new byte[4], new byte[] {out[4], out[5], out[6], out[7]}, "MTIME 0");
    assertEquals(255, out[9] & 0xff, "OS unknown");
  }

  @Test
  void gzip_emptyInput_isAValidEmptyStream() throws IOException {
    byte[] out = gzip(new byte[0], 1);
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(out))) {
      assertEquals(0, in.readAllBytes().length);
    }
  }
}
