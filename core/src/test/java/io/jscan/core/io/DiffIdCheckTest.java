package io.jscan.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.oci.Digest;
import io.jscan.core.oci.MediaTypes.Compression;
import io.jscan.core.testing.TarBuilder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A layer checked against its compression and diff_id in the read that copies it: the copier sees
 * the blob's bytes unchanged, and a layer that is not what its image says fails before the last
 * of them is handed out.
 */
class DiffIdCheckTest {
  /** About 1 MB of tar, half random (so the blob is several of the copier's buffers long). */
  static final byte[] TAR = TarBuilder.tar()
      .file("random.bin", VerifyingInputStreamTest.bytes(400_000, 7))
      .file("text.txt", "a line of text that compresses well\n".repeat(15_000))
      .build();

  final AtomicInteger proven = new AtomicInteger();

  VerifyingInputStream checked(byte[] blob, Compression declared, Digest diffId) throws IOException {
    Digest digest = Digest.sha256(blob);
    return VerifyingInputStream.of(new ByteArrayInputStream(blob), "layer 2 " + digest, digest, blob.length)
        .alsoChecking(new DiffIdCheck(digest, declared, diffId, "layer 2 " + digest, proven::incrementAndGet));
  }

  /** Copies as sinks do (128 KiB reads); returns what was handed out, or the failure with how much was. */
  static byte[] copy(InputStream in, ByteArrayOutputStream out) throws IOException {
    byte[] buffer = new byte[1 << 17];
    for (int n; (n = in.read(buffer, 0, buffer.length)) >= 0; ) {
      out.write(buffer, 0, n);
    }
    return out.toByteArray();
  }

  @Test
  void copy_ofAGoodLayer_handsOutTheBlobUnchanged_andProvesIt_inEachCompression() throws IOException {
    for (Compression c : Compression.values()) {
      byte[] blob = CompressionsTest.compress(TAR, c);
      proven.set(0);
      VerifyingInputStream in = checked(blob, c, Digest.sha256(TAR));
      assertTrue(Arrays.equals(blob, copy(in, new ByteArrayOutputStream())), c.name());
      assertTrue(in.verified(), c.name());
      assertEquals(1, proven.get(), c.name());
    }
  }

  @Test
  void copy_ofAWrongDiffId_failsBeforeTheLastBytes_namingTheLayer() throws IOException {
    for (Compression c : Compression.values()) {
      byte[] blob = CompressionsTest.compress(TAR, c);
      Digest claimed = Digest.sha256("not the layer");
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ContentMismatchException e = assertThrows(ContentMismatchException.class, () -> copy(checked(blob, c, claimed), out), c.name());
      assertEquals("layer 2 " + Digest.sha256(blob) + " (uncompressed, diff_id): digest mismatch: expected " + claimed + ", got "
          + Digest.sha256(TAR), e.getMessage());
      assertTrue(out.size() < blob.length, c + ": " + out.size() + " of " + blob.length + " bytes handed out");
      assertEquals(0, proven.get());
    }
  }

  @Test
  void copy_ofATruncatedGzipWhoseDigestMatches_failsAsCorruptData_beforeTheLastBytes() throws IOException {
    byte[] gzip = CompressionsTest.compress(TAR, Compression.GZIP);
    byte[] cut = Arrays.copyOf(gzip, gzip.length - 20);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ContentMismatchException e =
        assertThrows(ContentMismatchException.class, () -> copy(checked(cut, Compression.GZIP, Digest.sha256(TAR)), out));
    assertEquals("layer 2 " + Digest.sha256(cut) + ": the gzip data is truncated: the stream ends inside it",
        e.getMessage());
    assertTrue(out.size() < cut.length);
  }

  @Test
  void copy_ofZstdLabelledGzip_failsOnTheFirstBytes() throws IOException {
    byte[] zstd = CompressionsTest.compress(TAR, Compression.ZSTD);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ContentMismatchException e =
        assertThrows(ContentMismatchException.class, () -> copy(checked(zstd, Compression.GZIP, Digest.sha256(TAR)), out));
    assertEquals("layer 2 " + Digest.sha256(zstd) + ": compression mismatch: the media type declares gzip but the content is zstd",
        e.getMessage());
    // the decompressing thread saw the first chunk and said so; the copier had at most a few more
    assertTrue(out.size() < zstd.length, out.size() + " of " + zstd.length);
  }

  @Test
  void copy_ofGzipLabelledUncompressed_failsOnTheFirstRead() throws IOException {
    byte[] gzip = CompressionsTest.compress(TAR, Compression.GZIP);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ContentMismatchException e =
        assertThrows(ContentMismatchException.class, () -> copy(checked(gzip, Compression.NONE, Digest.sha256(gzip)), out));
    assertTrue(e.getMessage().endsWith("compression mismatch: the media type declares uncompressed but the content is gzip"),
        e.getMessage());
    assertEquals(0, out.size());
  }

  @Test
  void close_beforeTheEnd_ofAnAbandonedStream_stopsTheDecompressingThread() throws Exception {
    byte[] gzip = CompressionsTest.compress(TAR, Compression.GZIP);
    VerifyingInputStream in = checked(gzip, Compression.GZIP, Digest.sha256(TAR));
    in.read(new byte[1000], 0, 1000);
    in.abandon();
    Thread worker = null;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals("jscan-diff-id")) {
        worker = t;
      }
    }
    if (worker != null) {
      worker.join(); // ends: abandoned, it stops taking chunks
    }
    assertFalse(worker != null && worker.isAlive());
    assertEquals(0, proven.get());
  }
}
