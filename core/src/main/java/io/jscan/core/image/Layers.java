package io.jscan.core.image;

import io.jscan.core.io.AtomicFiles;
import io.jscan.core.io.Compressions;
import io.jscan.core.io.ContentMismatchException;
import io.jscan.core.io.VerifyingInputStream;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.MediaTypes.Compression;
import io.jscan.core.oci.OciException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * {@link Layer}s made from content at hand: bytes in memory or a blob file. The builder uses
 * {@link #compress(Path, Compression, Path)} to turn a reproducible tar into a layer; the
 * compressed bytes depend only on the tar (see {@link io.jscan.core.io.DeterministicGzipOutputStream}).
 */
public final class Layers {
  private Layers() {}

  /** A layer whose blob is {@code blob}, of {@code mediaType}, uncompressing to {@code diffId}. */
  public static Layer fromBytes(byte[] blob, String mediaType, Digest diffId) {
    byte[] copy = blob.clone();
    Descriptor descriptor = Descriptor.of(mediaType, copy);
    return new SourcedLayer(descriptor, diffId, () -> new ByteArrayInputStream(copy), "layer");
  }

  /** A layer whose blob is the file {@code blob}, described by {@code descriptor}. */
  public static Layer fromFile(Path blob, Descriptor descriptor, Digest diffId) {
    Objects.requireNonNull(blob);
    return new SourcedLayer(
        descriptor,
        diffId,
        () -> {
          try {
            return Files.newInputStream(blob);
          } catch (IOException e) {
            throw OciException.reading("layer file " + blob, e);
          }
        },
        "layer " + blob.getFileName());
  }

  /**
   * Compresses the uncompressed tar {@code tar} into {@code directory} (file named after the blob's
   * hex digest, written via a temp file and renamed) and returns the layer, with its OCI media
   * type for {@code compression}. diff_id and digest are computed in the same pass.
   */
  public static Layer compress(Path tar, Compression compression, Path directory) throws OciException {
    try {
      Files.createDirectories(directory);
      Path tmp = AtomicFiles.tempName(directory, ".tmp-layer-");
      try {
        MessageDigest diffIdHasher = Digest.sha256Digest();
        MessageDigest blobHasher = Digest.sha256Digest();
        long size;
        try (OutputStream file = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW);
            CountingDigestStream counted = new CountingDigestStream(file, blobHasher);
            OutputStream compressing = Compressions.compress(counted, compression);
            InputStream in = Files.newInputStream(tar)) {
          byte[] buf = new byte[65536];
          for (int n; (n = in.read(buf)) >= 0; ) {
            diffIdHasher.update(buf, 0, n);
            compressing.write(buf, 0, n);
          }
          compressing.close();
          size = counted.count;
        }
        AtomicFiles.force(tmp);
        Digest digest = Digest.ofSha256(blobHasher.digest());
        Digest diffId = Digest.ofSha256(diffIdHasher.digest());
        Path target = directory.resolve(digest.encoded());
        AtomicFiles.publish(tmp, target);
        return fromFile(target, new Descriptor(MediaTypes.ociLayer(compression), digest, size), diffId);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw OciException.io("compressing layer " + tar, e);
    }
  }

  /** As {@link #compress(Path, Compression, Path)}, in memory: for small layers and tests. */
  public static Layer compress(byte[] tar, Compression compression) throws OciException {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (OutputStream c = Compressions.compress(out, compression)) {
        c.write(tar);
      }
      return fromBytes(out.toByteArray(), MediaTypes.ociLayer(compression), Digest.sha256(tar));
    } catch (IOException e) {
      throw OciException.io("compressing layer", e);
    }
  }

  /** Counts and hashes what passes through; closing does not close the target twice. */
  private static final class CountingDigestStream extends FilterOutputStream {
    private final MessageDigest hasher;
    long count;
    private boolean closed;

    CountingDigestStream(OutputStream out, MessageDigest hasher) {
      super(out);
      this.hasher = hasher;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      hasher.update(b, off, len);
      count += len;
    }

    @Override
    public void close() throws IOException {
      if (!closed) {
        closed = true;
        super.close();
      }
    }
  }

  /** A layer whose raw blob comes from a supplier; every open is verified. */
  private static final class SourcedLayer implements Layer {
    private final Descriptor descriptor;
    private final Digest diffId;
    private final ArtifactBlobs.Opener raw;
    private final String what;

    SourcedLayer(Descriptor descriptor, Digest diffId, ArtifactBlobs.Opener raw, String what) {
      this.descriptor = Objects.requireNonNull(descriptor);
      this.diffId = Objects.requireNonNull(diffId);
      this.raw = raw;
      this.what = what;
    }

    @Override
    public Descriptor descriptor() {
      return descriptor;
    }

    @Override
    public Digest diffId() {
      return diffId;
    }

    @Override
    public InputStream openCompressed() throws OciException {
      InputStream in = raw.open();
      try {
        return VerifyingInputStream.of(in, what + " " + descriptor.digest(), descriptor.digest(), descriptor.size());
      } catch (ContentMismatchException e) {
        try {
          in.close();
        } catch (IOException ignored) {
          // already failing
        }
        throw OciException.integrity(e.what(), e.detail());
      }
    }

    @Override
    public InputStream openUncompressed() throws OciException {
      return BlobLayer.uncompress(this, what);
    }
  }
}
