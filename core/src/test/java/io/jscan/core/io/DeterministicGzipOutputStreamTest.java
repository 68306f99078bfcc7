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

  static byte[] gzipWith(byte[] input, int threads, int maxInFlight) throws IOException {
    java.util.concurrent.ExecutorService pool = DeterministicGzipOutputStream.pool(threads);
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (DeterministicGzipOutputStream gz = new DeterministicGzipOutputStream(out, pool, maxInFlight)) {
        gz.write(input, 0, input.length);
      }
      return out.toByteArray();
    } finally {
      pool.shutdownNow();
    }
  }

  /** Input of {@code blocks} whole blocks plus {@code extra} bytes, compressible but not trivially. */
  static byte[] blocksOf(int blocks, int extra) {
    byte[] b = new byte[blocks * DeterministicGzipOutputStream.BLOCK + extra];
    Random random = new Random(7);
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) ('a' + (random.nextInt(4) == 0 ? random.nextInt(26) : i % 7));
    }
    return b;
  }

  /** Pins the block format (block size, dictionary, sync flush) on an input of several blocks. */
  @Test
  void gzip_ofSeveralBlocks_hasThePinnedDigest() throws IOException {
    byte[] input = blocksOf(3, 1234);
    assertEquals("sha256:289c89392c152fd4e99ba2a1501c1d2e2cfe894121d7cbf719093e5f4ecd50a2", Digest.sha256(gzip(input, 65536)).toString());
  }

  @Test
  void gzip_sameInput_givesTheSameBytesWhateverTheNumberOfThreads() throws IOException {
    byte[] input = blocksOf(9, 1234);
    byte[] oneThread = gzipWith(input, 1, 1);
    assertArrayEquals(oneThread, gzipWith(input, 2, 3));
    assertArrayEquals(oneThread, gzipWith(input, 8, 16));
    assertArrayEquals(oneThread, gzip(input, 8192), "the shared pool");
  }

  @Test
  void gzip_inputEndingOnABlockBoundary_orJustAfter_decompressesToTheInput() throws IOException {
    for (byte[] input : java.util.List.of(blocksOf(1, 0), blocksOf(3, 0), blocksOf(2, 1), blocksOf(0, 5), blocksOf(1, -1))) {
      try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipWith(input, 2, 2)))) {
        assertArrayEquals(input, in.readAllBytes(), input.length + " bytes");
      }
    }
  }

  @Test
  void gzip_incompressibleInput_roundTrips() throws IOException {
    byte[] input = new byte[3 * DeterministicGzipOutputStream.BLOCK + 17];
    new Random(1).nextBytes(input);
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip(input, 65536)))) {
      assertArrayEquals(input, in.readAllBytes());
    }
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

  /** Compressible, random, compressible, random tail: blocks of both kinds, stored ones in the middle and at the end. */
  static byte[] mixedInput() {
    int block = DeterministicGzipOutputStream.BLOCK;
    byte[] input = new byte[4 * block + 70_000];
    System.arraycopy(blocksOf(1, 0), 0, input, 0, block);
    byte[] noise = new byte[block];
    new Random(3).nextBytes(noise);
    System.arraycopy(noise, 0, input, block, block);
    System.arraycopy(blocksOf(2, 0), 0, input, 2 * block, 2 * block);
    byte[] tail = new byte[70_000];
    new Random(4).nextBytes(tail);
    System.arraycopy(tail, 0, input, 4 * block, tail.length);
    return input;
  }

  /** Pins the choice between deflating and storing, and the stored-block layout. */
  @Test
  void gzip_ofBlocksBothCompressibleAndRandom_hasThePinnedDigest() throws IOException {
    byte[] input = mixedInput();
    assertEquals("sha256:c06ad990f7d9b78d707e840b33d14c3935fa59c1c4bb9c5a07752609928f078a", Digest.sha256(gzip(input, 65536)).toString());
  }

  @Test
  void gzip_ofBlocksBothCompressibleAndRandom_decompressesToTheInput_whateverTheThreads() throws IOException {
    byte[] input = mixedInput();
    byte[] oneThread = gzipWith(input, 1, 1);
    assertArrayEquals(oneThread, gzipWith(input, 4, 8));
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(oneThread))) {
      assertArrayEquals(input, in.readAllBytes());
    }
  }

  @Test
  void gzip_randomBlocks_areStored_soTheOutputIsTheInputPlusFraming() throws IOException {
    byte[] input = new byte[2 * DeterministicGzipOutputStream.BLOCK];
    new Random(5).nextBytes(input);
    byte[] out = gzip(input, 65536);
    int storedBlocks = 2 * ((DeterministicGzipOutputStream.BLOCK + 65534) / 65535);
    // gzip header 10 + trailer 8; each stored block: 1 header byte, LEN, NLEN
    assertEquals(10 + input.length + 5 * storedBlocks + 8, out.length);
    assertEquals(0, out[10], "the first stored block is not final: BFINAL 0, BTYPE 00");
    assertEquals(1, out[out.length - 8 - (DeterministicGzipOutputStream.BLOCK % 65535) - 5], "the last one is final");
  }

  @Test
  void looksIncompressible_judgesRandomBytesYes_textAndSkewedBytesNo() {
    byte[] random = new byte[DeterministicGzipOutputStream.STORE_MIN];
    new Random(6).nextBytes(random);
    assertEquals(true, DeterministicGzipOutputStream.looksIncompressible(random, random.length));
    byte[] text = blocksOf(1, 0);
    assertEquals(false, DeterministicGzipOutputStream.looksIncompressible(text, text.length));
    // random bytes where one value in eight is replaced by zero: about 7.4 bits per byte, deflate gains
    byte[] skewed = random.clone();
    for (int i = 0; i < skewed.length; i += 8) {
      skewed[i] = 0;
    }
    assertEquals(false, DeterministicGzipOutputStream.looksIncompressible(skewed, skewed.length));
  }
}
