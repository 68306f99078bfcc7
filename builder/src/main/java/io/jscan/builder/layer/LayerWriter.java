package io.jscan.builder.layer;

import io.jscan.core.image.Layer;
import io.jscan.core.image.Layers;
import io.jscan.core.io.AtomicFiles;
import io.jscan.core.io.Compressions;
import io.jscan.core.io.EarlySyncingOutputStream;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.MediaTypes.Compression;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;

/**
 * Turns a {@link ReproducibleLayerBuilder} into a layer blob in one pass: the tar is hashed (diff_id)
 * as it is produced, compressed with core's deterministic compressors (gzip through
 * {@code DeterministicGzipOutputStream}, whose bytes do not depend on the JDK or the system zlib),
 * hashed again (digest) and written to a temp file that is renamed to its digest.
 */
public final class LayerWriter {
  private LayerWriter() {}

  /** A layer written to disk, with the entries it holds. */
  public record WrittenLayer(Layer layer, List<LayerEntry> entries) {}

  public static WrittenLayer write(ReproducibleLayerBuilder builder, long mtimeSeconds, Compression compression, Path directory)
      throws IOException {
    Files.createDirectories(directory);
    List<LayerEntry> entries = builder.entries();
    Path tmp = AtomicFiles.tempName(directory, ".layer-");
    try {
      MessageDigest diffIdHasher = Digest.sha256Digest();
      MessageDigest blobHasher = Digest.sha256Digest();
      HashingStream blob;
      // synced as it is written: the store's adopt() syncs it before the rename, and then has little left to wait for
      try (OutputStream file = EarlySyncingOutputStream.create(tmp)) {
        blob = new HashingStream(file, blobHasher);
        // compression (the slow part) runs on its own thread, fed in order by this one
        PipelinedOutputStream compressing = new PipelinedOutputStream(Compressions.compress(blob, compression), "jscan-compress");
        try {
          HashingStream tarStream = new HashingStream(compressing, diffIdHasher);
          OutputStream buffered = new BufferedOutputStream(tarStream, 256 * 1024);
          TarWriter tar = new TarWriter(buffered, mtimeSeconds);
          try (ContentPrefetcher prefetch = new ContentPrefetcher(entries)) {
            for (int i = 0; i < entries.size(); i++) {
              tar.write(entries.get(i), prefetch.source(i));
            }
          }
          tar.finish();
          buffered.flush();
        } catch (IOException | RuntimeException e) {
          compressing.abort();
          throw e;
        }
        compressing.close(); // waits for the compressor: trailer written, blob and file closed
      }
      Digest digest = Digest.ofSha256(blobHasher.digest());
      Digest diffId = Digest.ofSha256(diffIdHasher.digest());
      Path target = directory.resolve(digest.encoded());
      Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      Descriptor descriptor = new Descriptor(MediaTypes.ociLayer(compression), digest, blob.count);
      return new WrittenLayer(Layers.fromFile(target, descriptor, diffId), entries);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Counts and hashes bytes on their way through. */
  private static final class HashingStream extends FilterOutputStream {
    private final MessageDigest hasher;
    long count;

    HashingStream(OutputStream out, MessageDigest hasher) {
      super(out);
      this.hasher = hasher;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      hasher.update((byte) b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      hasher.update(b, off, len);
      count += len;
    }
  }
}
