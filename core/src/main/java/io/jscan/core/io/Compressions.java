package io.jscan.core.io;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import io.jscan.core.oci.MediaTypes.Compression;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Decompression of layer blobs, checked against the compression their media type declares.
 *
 * <p>The first bytes are sniffed (gzip {@code 1f 8b}, zstd {@code 28 b5 2f fd}, and xz and bzip2
 * only to name them in errors). Content whose compression differs from the declared one is an
 * integrity failure rather than something to silently accept: a layer must be what its descriptor
 * says, and a reader that guessed would see different bytes than one that trusted the media type.
 * So is compressed data the decompressor cannot read to its end (a truncated or corrupt gzip
 * member, a zstd frame cut short): the content is wrong, whatever its digest says, while a failure
 * of the stream underneath (a dropped connection) stays what it is.
 */
public final class Compressions {
  private Compressions() {}

  /** zstd level used when jscan writes zstd layers; zstd's own default, single-threaded. */
  public static final int ZSTD_LEVEL = 3;

  private static final int SNIFF_LENGTH = 6;

  /** What the first bytes of a stream look like. */
  public enum Sniffed {
    GZIP,
    ZSTD,
    XZ,
    BZIP2,
    /** none of the above: taken as uncompressed (a tar starts with a file name) */
    UNCOMPRESSED
  }

  /** Classifies the first bytes of a blob. */
  public static Sniffed sniff(byte[] head, int length) {
    if (length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
      return Sniffed.GZIP;
    }
    if (length >= 4
        && (head[0] & 0xff) == 0x28
        && (head[1] & 0xff) == 0xb5
        && (head[2] & 0xff) == 0x2f
        && (head[3] & 0xff) == 0xfd) {
      return Sniffed.ZSTD;
    }
    if (length >= 6
        && (head[0] & 0xff) == 0xfd
        && head[1] == '7'
        && head[2] == 'z'
        && head[3] == 'X'
        && head[4] == 'Z'
        && head[5] == 0) {
      return Sniffed.XZ;
    }
    if (length >= 3 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h') {
      return Sniffed.BZIP2;
    }
    return Sniffed.UNCOMPRESSED;
  }

  /** The compression the stream's first bytes show, leaving the stream where it was. */
  public static Sniffed sniff(BufferedInputStream in) throws IOException {
    in.mark(SNIFF_LENGTH);
    byte[] head = new byte[SNIFF_LENGTH];
    int n = in.readNBytes(head, 0, SNIFF_LENGTH);
    in.reset();
    return sniff(head, n);
  }

  /** The compression matching a sniff result, when jscan supports it. */
  public static Optional<Compression> supported(Sniffed sniffed) {
    return switch (sniffed) {
      case GZIP -> Optional.of(Compression.GZIP);
      case ZSTD -> Optional.of(Compression.ZSTD);
      case UNCOMPRESSED -> Optional.of(Compression.NONE);
      case XZ, BZIP2 -> Optional.empty();
    };
  }

  /**
   * Decompresses {@code raw}, which its media type says is {@code declared}.
   *
   * @param what names the content in errors ("layer 2 sha256:…")
   * @throws ContentMismatchException when the content is compressed differently than declared
   */
  public static InputStream decompress(InputStream raw, Compression declared, String what) throws IOException {
    SourceReads source = new SourceReads(raw);
    BufferedInputStream in = new BufferedInputStream(source, 65536);
    Sniffed actual = sniff(in);
    Optional<Compression> actualCompression = supported(actual);
    if (actualCompression.isEmpty() || actualCompression.get() != declared) {
      throw mismatch(what, declared, actual.name().toLowerCase(java.util.Locale.ROOT));
    }
    if (declared == Compression.NONE) {
      return in;
    }
    InputStream decompressing;
    try {
      decompressing = switch (declared) {
        // concatenated members are valid gzip (RFC 1952 2.2); garbage after the last one is refused
        case GZIP -> GzipCompressorInputStream.builder().setInputStream(in).setDecompressConcatenated(true).get();
        case ZSTD -> new ZstdInputStream(in);
        case NONE -> throw new AssertionError("handled above");
      };
    } catch (IOException e) {
      throw corrupt(e, source, declared, what);
    }
    return new CorruptAsMismatch(decompressing, source, declared, what);
  }

  /**
   * A decompressor's own failure (a CRC error, an invalid block, a stream that ends inside a
   * member) as an integrity failure of the content, naming it: the bytes match their digest, so
   * nobody else will tell the user the layer is corrupt, and a message such as "null" (an
   * EOFException) or an exit code for an unexpected error would hide it. A failure of the source
   * underneath (the network, the disk, the digest check of the compressed blob) stays what it was.
   */
  static IOException corrupt(IOException e, SourceReads source, Compression declared, String what) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ContentMismatchException || t == source.failure || t instanceof java.io.InterruptedIOException) {
        return e;
      }
    }
    String format = name(declared);
    String message = e.getMessage() == null ? "" : e.getMessage().strip();
    boolean truncated = e instanceof java.io.EOFException
        || message.toLowerCase(java.util.Locale.ROOT).matches(".*(unexpected end|truncated|end of (zlib )?input|premature end).*");
    // Commons Compress says "Gzip-compressed data is corrupt (CRC32 error)": keep the reason only
    String reason = message.replaceAll("\\.$", "").replaceFirst("(?i)^gzip-compressed data is corrupt\\s*", "").replaceAll("^\\((.*)\\)$", "$1");
    String detail = truncated
        ? "the " + format + " data is truncated: the stream ends inside it"
        : "the " + format + " data is corrupt: " + (reason.isEmpty() ? e.getClass().getSimpleName() : reason);
    // the blob's own digest decides first, as the verifier's walk reports it: a blob changed on
    // disk or on the way is a digest mismatch, its corrupt compression only the consequence
    try {
      source.drain();
    } catch (ContentMismatchException mismatch) {
      ContentMismatchException both = new ContentMismatchException(
          mismatch.what(), mismatch.detail() + " (and so: " + detail + ")", mismatch.expectedDigest(), mismatch.actualDigest());
      both.initCause(e);
      return both;
    } catch (IOException | RuntimeException unreadable) {
      // the corruption is what we know
    }
    ContentMismatchException corrupt = new ContentMismatchException(what, detail, Optional.empty(), Optional.empty());
    corrupt.initCause(e);
    return corrupt;
  }

  /** The compressed source, remembering the last failure it threw (so that it is not taken for corrupt data). */
  static final class SourceReads extends java.io.FilterInputStream {
    volatile IOException failure;

    SourceReads(InputStream in) {
      super(in);
    }

    /** Reads the source to its end (where a verifying source checks its digest). */
    void drain() throws IOException {
      byte[] buffer = new byte[65536];
      while (in.read(buffer) >= 0) {
        // discarded
      }
    }

    @Override
    public int read() throws IOException {
      try {
        return super.read();
      } catch (IOException e) {
        failure = e;
        throw e;
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return super.read(b, off, len);
      } catch (IOException e) {
        failure = e;
        throw e;
      }
    }

    @Override
    public long skip(long n) throws IOException {
      try {
        return super.skip(n);
      } catch (IOException e) {
        failure = e;
        throw e;
      }
    }
  }

  /** The decompressed stream, its decompressor's failures turned into {@link ContentMismatchException}s ({@link #corrupt}). */
  private static final class CorruptAsMismatch extends java.io.FilterInputStream {
    private final SourceReads source;
    private final Compression declared;
    private final String what;

    CorruptAsMismatch(InputStream in, SourceReads source, Compression declared, String what) {
      super(in);
      this.source = source;
      this.declared = declared;
      this.what = what;
    }

    @Override
    public int read() throws IOException {
      try {
        return super.read();
      } catch (IOException e) {
        throw corrupt(e, source, declared, what);
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return in.read(b, off, len);
      } catch (IOException e) {
        throw corrupt(e, source, declared, what);
      }
    }

    @Override
    public long skip(long n) throws IOException {
      try {
        return in.skip(n);
      } catch (IOException e) {
        throw corrupt(e, source, declared, what);
      }
    }

    @Override
    public int available() throws IOException {
      try {
        return in.available();
      } catch (IOException e) {
        throw corrupt(e, source, declared, what);
      }
    }
  }

  /** The failure of content compressed otherwise ({@code actual}) than its media type declares. */
  public static ContentMismatchException mismatch(String what, Compression declared, String actual) {
    return new ContentMismatchException(
        what, "compression mismatch: the media type declares " + name(declared) + " but the content is " + actual,
        Optional.empty(), Optional.empty());
  }

  /** A compression as messages name it: {@code uncompressed}, {@code gzip}, {@code zstd}. */
  public static String name(Compression c) {
    return switch (c) {
      case NONE -> "uncompressed";
      case GZIP -> "gzip";
      case ZSTD -> "zstd";
    };
  }

  /**
   * A compressing stream whose output depends only on the input: gzip through
   * {@link DeterministicGzipOutputStream}; zstd at {@link #ZSTD_LEVEL}, single-threaded, which
   * depends on the zstd-jni version the build pins (not on the JDK or the host); none passes
   * bytes through. Closing it closes {@code out}.
   */
  public static OutputStream compress(OutputStream out, Compression compression) throws IOException {
    return switch (compression) {
      case NONE -> new FilterOutputStream(out) {
        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          out.write(b, off, len);
        }
      };
      case GZIP -> new DeterministicGzipOutputStream(out);
      case ZSTD -> {
        ZstdOutputStream z = new ZstdOutputStream(out, ZSTD_LEVEL);
        z.setWorkers(0);
        z.setChecksum(true);
        yield z;
      }
    };
  }
}
