package io.jscan.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.oci.Digest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ReadAheadInputStreamTest {

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static byte[] readAll(InputStream in, int bufferSize) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[bufferSize];
    for (int n; (n = in.read(buf, 0, buf.length)) >= 0; ) {
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  @Test
  void read_givesExactlyTheSourceBytes_atChunkBoundariesToo() throws IOException {
    int chunk = ReadAheadInputStream.CHUNK;
    for (int size : new int[] {0, 1, chunk - 1, chunk, chunk + 1, 3 * chunk + 17, 20 * chunk}) {
      byte[] data = random(size, size);
      for (int bufferSize : new int[] {1, 4093, 65536}) {
        if (bufferSize == 1 && size > chunk + 1) {
          continue; // byte by byte over megabytes only slows the test
        }
        try (InputStream in = new ReadAheadInputStream(new ByteArrayInputStream(data), "test")) {
          assertArrayEquals(data, readAll(in, bufferSize), size + " bytes read " + bufferSize + " at a time");
          assertEquals(-1, in.read(), "stays at the end");
        }
      }
    }
  }

  @Test
  void read_sourceFailingMidway_givesTheBytesBeforeThenTheSameException() throws IOException {
    byte[] data = random(2 * ReadAheadInputStream.CHUNK, 1);
    IOException broken = new IOException("connection reset");
    InputStream failing = new InputStream() {
      int served;

      @Override
      public int read() {
        throw new UnsupportedOperationException();
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (served == data.length) {
          throw broken;
        }
        int n = Math.min(len, data.length - served);
        System.arraycopy(data, served, b, off, n);
        served += n;
        return n;
      }
    };
    try (InputStream in = new ReadAheadInputStream(failing, "test")) {
      byte[] got = in.readNBytes(data.length);
      assertArrayEquals(data, got);
      IOException e = assertThrows(IOException.class, () -> in.read(new byte[10], 0, 10));
      assertSame(broken, e);
    }
  }

  @Test
  void read_ofATamperedBlob_failsWithTheVerifyingStreamsDigestMismatch() throws IOException {
    byte[] data = random(3 * ReadAheadInputStream.CHUNK, 2);
    Digest claimed = Digest.sha256(random(10, 3));
    InputStream verifying = VerifyingInputStream.of(new ByteArrayInputStream(data), "layer 1", claimed, data.length);
    try (InputStream in = new ReadAheadInputStream(verifying, "test")) {
      ContentMismatchException e = assertThrows(ContentMismatchException.class, () -> readAll(in, 65536));
      assertTrue(e.getMessage().contains("digest mismatch"), e.getMessage());
    }
  }

  @Test
  void close_beforeTheEnd_stopsTheReaderAndClosesTheSourceOnTheCallersThread() throws Exception {
    byte[] data = random(40 * ReadAheadInputStream.CHUNK, 4);
    AtomicReference<Thread> closedOn = new AtomicReference<>();
    InputStream source = new ByteArrayInputStream(data) {
      @Override
      public void close() {
        closedOn.set(Thread.currentThread());
      }
    };
    InputStream in = new ReadAheadInputStream(source, "jscan-test-read-ahead");
    assertEquals(data[0] & 0xff, in.read());
    in.close();
    assertSame(Thread.currentThread(), closedOn.get());
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      assertTrue(!t.getName().equals("jscan-test-read-ahead") || !t.isAlive(), "the reader thread ended");
    }
    assertThrows(IOException.class, () -> in.read(new byte[1], 0, 1), "closed");
  }
}
