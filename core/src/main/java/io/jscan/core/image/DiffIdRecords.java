package io.jscan.core.image;

import io.jscan.core.oci.Digest;
import io.jscan.core.oci.MediaTypes.Compression;
import java.util.Objects;
import java.util.Optional;

/**
 * What decompressing layer blobs has proven: blob digest → the compression its bytes are in and
 * the digest of its uncompressed content (its diff_id). A fact about content, not about any image
 * or place: the same bytes always decompress to the same tar, so a record is true wherever the
 * blob is and whichever image lists it.
 *
 * <p>Copies use it to check a layer without reading it again: a blob the destination already has
 * (a registry's {@code HEAD} answered 200, the store has the file), or one the local store proved
 * when it was pulled, loaded or built. A missing record only costs a read (the blob is then
 * decompressed and checked, and the fact recorded); correctness never depends on one, and a record
 * that contradicts an image is not believed either way (the layer is read, and its content decides).
 * {@code jscan verify} does not use records: it always reads and decompresses every layer.
 */
public interface DiffIdRecords {

  /** A proven fact about a blob. */
  record Known(Compression compression, Digest diffId) {
    public Known {
      Objects.requireNonNull(compression, "compression");
      Objects.requireNonNull(diffId, "diffId");
    }
  }

  /** What is known about {@code blob}; empty when nothing is (or the record is unreadable). */
  Optional<Known> lookup(Digest blob);

  /**
   * Records that {@code blob} decompressed as {@code known} says; best effort (a record that
   * could not be written is only a read later).
   */
  void remember(Digest blob, Known known);

  /** Records nothing and knows nothing: every layer is checked by reading it. */
  DiffIdRecords NONE = new DiffIdRecords() {
    @Override
    public Optional<Known> lookup(Digest blob) {
      return Optional.empty();
    }

    @Override
    public void remember(Digest blob, Known known) {}
  };
}
