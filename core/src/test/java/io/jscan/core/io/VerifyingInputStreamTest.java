package io.jscan.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.oci.Digest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The end of a sized blob is checked before its last bytes are handed out. */
class VerifyingInputStreamTest {
  static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    new java.util.Random(seed).nextBytes(b);
    return b;
  }

  /** Reads {@code in} in 1000-byte reads into {@code delivered} until it ends or fails. */
  static void copy(VerifyingInputStream in, ByteArrayOutputStream delivered) throws IOException {
    byte[] buffer = new byte[1000];
    for (int n; (n = in.read(buffer, 0, buffer.length)) >= 0; ) {
      delivered.write(buffer, 0, n);
    }
  }

  @Test
  void read_ofAMatchingBlob_handsOutEveryByte_andIsVerified() throws IOException {
    byte[] data = bytes(10_500, 1);
    VerifyingInputStream in = VerifyingInputStream.of(new ByteArrayInputStream(data), "blob", Digest.sha256(data), data.length);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    copy(in, out);
    assertArrayEquals(data, out.toByteArray());
    assertTrue(in.verified());
  }

  @Test
  void read_ofABlobWhoseDigestDiffers_failsBeforeHandingOutItsLastBytes() throws IOException {
    byte[] data = bytes(10_500, 2);
    VerifyingInputStream in = VerifyingInputStream.of(new ByteArrayInputStream(data), "layer 1", Digest.sha256("other"), data.length);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ContentMismatchException e = assertThrows(ContentMismatchException.class, () -> copy(in, out));
    assertTrue(e.getMessage().startsWith("layer 1: digest mismatch"), e.getMessage());
    // an upload of known length never sends the whole blob, so the registry commits nothing
    assertEquals(10_000, out.size());
  }

  @Test
  void read_ofABlobLongerThanDeclared_failsBeforeHandingOutTheDeclaredBytes() throws IOException {
    byte[] data = bytes(10_500, 3);
    byte[] declared = java.util.Arrays.copyOf(data, 10_000);
    VerifyingInputStream in = VerifyingInputStream.of(new ByteArrayInputStream(data), "layer 1", Digest.sha256(declared), 10_000);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ContentMismatchException e = assertThrows(ContentMismatchException.class, () -> copy(in, out));
    assertTrue(e.getMessage().contains("more than the declared 10000 bytes"), e.getMessage());
    assertEquals(9_000, out.size());
  }

  @Test
  void alsoChecking_seesEveryByteInOrder_andIsFinishedAfterTheDigest_beforeTheLastRead() throws IOException {
    byte[] data = bytes(2_500, 4);
    List<String> events = new ArrayList<>();
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    VerifyingInputStream in = VerifyingInputStream.of(new ByteArrayInputStream(data), "blob", Digest.sha256(data), data.length)
        .alsoChecking(new VerifyingInputStream.Check() {
          @Override
          public void update(byte[] b, int off, int len) {
            seen.write(b, off, len);
          }

          @Override
          public void finish() throws IOException {
            events.add("finish");
            throw new ContentMismatchException("layer 1 (uncompressed, diff_id)", "digest mismatch", java.util.Optional.empty(),
                java.util.Optional.empty());
          }

          @Override
          public void abandon() {
            events.add("abandon");
          }
        });
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThrows(ContentMismatchException.class, () -> copy(in, out));
    assertArrayEquals(data, seen.toByteArray());
    assertEquals(2_000, out.size());
    assertEquals(List.of("finish", "abandon"), events);
    assertTrue(!in.verified());
  }
}
