package io.jscan.sbom.fs;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Content an {@link ImageTree} kept: small files in memory, larger ones in a temp file of the
 * tree's scratch directory, so the tree never holds a whole layer in memory.
 */
final class StoredContent implements Content {
  private final byte[] bytes;
  private final Path file;
  private final long size;
  private final Path scratch;

  private StoredContent(byte[] bytes, Path file, long size, Path scratch) {
    this.bytes = bytes;
    this.file = file;
    this.size = size;
    this.scratch = scratch;
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public InputStream open() throws IOException {
    return bytes != null ? new ByteArrayInputStream(bytes) : Files.newInputStream(file);
  }

  @Override
  public synchronized Path file() throws IOException {
    if (file != null) {
      return file;
    }
    Path tmp = Files.createTempFile(scratch, "content-", "");
    Files.write(tmp, bytes);
    return tmp;
  }

  /** An output stream that keeps up to {@code memoryLimit} bytes in memory, then moves to a temp file. */
  static final class Spool extends OutputStream {
    private final Path scratch;
    private final int memoryLimit;
    private byte[] buf = new byte[8192];
    private int count;
    private Path file;
    private OutputStream fileOut;
    private long size;

    Spool(Path scratch, int memoryLimit) {
      this.scratch = scratch;
      this.memoryLimit = memoryLimit;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      size += len;
      if (fileOut == null && count + len > memoryLimit) {
        file = Files.createTempFile(scratch, "content-", "");
        fileOut = Files.newOutputStream(file, StandardOpenOption.WRITE);
        fileOut.write(buf, 0, count);
        buf = null;
      }
      if (fileOut != null) {
        fileOut.write(b, off, len);
        return;
      }
      if (count + len > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + len));
      }
      System.arraycopy(b, off, buf, count, len);
      count += len;
    }

    /** Finishes the spool as stored content. */
    StoredContent keep() throws IOException {
      if (fileOut != null) {
        fileOut.close();
        return new StoredContent(null, file, size, scratch);
      }
      return new StoredContent(Arrays.copyOf(buf, count), null, size, scratch);
    }

    /** Drops what was spooled; the memory buffer is kept for the next file. */
    void discard() throws IOException {
      if (fileOut != null) {
        fileOut.close();
        Files.deleteIfExists(file);
        fileOut = null;
        file = null;
        buf = new byte[8192];
      }
      count = 0;
      size = 0;
    }

    /** {@link #keep()}, then empties the spool for the next file (the buffer is reused). */
    StoredContent keepAndReset() throws IOException {
      StoredContent kept = keep();
      fileOut = null;
      file = null;
      if (buf == null) {
        buf = new byte[8192];
      }
      count = 0;
      size = 0;
      return kept;
    }
  }
}
