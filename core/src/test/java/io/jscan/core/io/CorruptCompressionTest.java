package io.jscan.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.FailureKind;
import io.jscan.core.image.Layer;
import io.jscan.core.oci.MediaTypes.Compression;
import io.jscan.core.oci.OciException;
import io.jscan.core.testing.CorruptLayers;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * A decompressor's failure is corrupt content (an integrity failure naming the layer); a failure
 * of the source under it (the network, the disk) stays what it was.
 */
class CorruptCompressionTest {
  static OciException readAll(Layer layer) {
    return assertThrows(OciException.class, () -> {
      try (InputStream in = layer.openUncompressed()) {
        in.transferTo(java.io.OutputStream.nullOutputStream());
      } catch (IOException e) {
        throw OciException.reading("layer 1 " + layer.descriptor().digest(), e);
      }
    });
  }

  @Test
  void flippedGzipByte_isAnIntegrityFailureNamingTheLayer() {
    Layer layer = CorruptLayers.layer(CorruptLayers.Defect.FLIPPED_GZIP_BYTE);
    OciException e = readAll(layer);
    assertEquals(FailureKind.INTEGRITY, e.kind(), e.getMessage());
    assertTrue(e.getMessage().contains(layer.descriptor().digest().toString()), e.getMessage());
    assertTrue(e.getMessage().contains("the gzip data is corrupt: "), e.getMessage());
    assertFalse(e.getMessage().contains("null"), e.getMessage());
  }

  @Test
  void truncatedGzip_isAnIntegrityFailureSayingTruncated() {
    Layer layer = CorruptLayers.layer(CorruptLayers.Defect.TRUNCATED_GZIP);
    OciException e = readAll(layer);
    assertEquals(FailureKind.INTEGRITY, e.kind(), e.getMessage());
    assertTrue(e.getMessage().endsWith(layer.descriptor().digest() + ": the gzip data is truncated: the stream ends inside it"), e.getMessage());
  }

  @Test
  void corruptZstd_isAnIntegrityFailure() throws Exception {
    java.io.ByteArrayOutputStream z = new java.io.ByteArrayOutputStream();
    try (java.io.OutputStream out = Compressions.compress(z, Compression.ZSTD)) {
      out.write(CorruptLayers.baseTar());
    }
    byte[] bytes = z.toByteArray();
    bytes[bytes.length / 2] ^= (byte) 0xff;
    IOException e = assertThrows(IOException.class, () -> {
      try (InputStream in = Compressions.decompress(new ByteArrayInputStream(bytes), Compression.ZSTD, "layer 3 sha256:abc")) {
        in.transferTo(java.io.OutputStream.nullOutputStream());
      }
    });
    assertTrue(e instanceof ContentMismatchException, e.toString());
    assertEquals("layer 3 sha256:abc", ((ContentMismatchException) e).what());
    byte[] cut = Arrays.copyOf(z.toByteArray(), z.size() / 2);
    IOException t = assertThrows(IOException.class, () -> {
      try (InputStream in = Compressions.decompress(new ByteArrayInputStream(cut), Compression.ZSTD, "layer 3 sha256:abc")) {
        in.transferTo(java.io.OutputStream.nullOutputStream());
      }
    });
    assertTrue(t instanceof ContentMismatchException, t.toString());
  }

  @Test
  void sourceFailureUnderTheDecompressor_staysASourceFailure() throws Exception {
    byte[] gz = CorruptLayers.layer(CorruptLayers.Defect.TRUNCATED_GZIP).openCompressed().readAllBytes();
    IOException reset = new IOException("connection reset");
    InputStream failing = new InputStream() {
      int at;

      @Override
      public int read() throws IOException {
        if (at >= gz.length / 2) {
          throw reset;
        }
        return gz[at++] & 0xff;
      }
    };
    IOException e = assertThrows(IOException.class, () -> {
      try (InputStream in = Compressions.decompress(failing, Compression.GZIP, "layer 1 sha256:abc")) {
        in.transferTo(java.io.OutputStream.nullOutputStream());
      }
    });
    assertFalse(e instanceof ContentMismatchException, e.toString());
    Throwable root = e;
    while (root.getCause() != null && root != reset) {
      root = root.getCause();
    }
    assertSame(reset, root);
    assertEquals(FailureKind.UNEXPECTED, OciException.reading("layer 1 sha256:abc", e).kind());
  }
}
