package io.jscan.core.transport.store;

import io.jscan.core.image.DiffIdRecords;
import io.jscan.core.io.AtomicFiles;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.MediaTypes.Compression;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * The local store's {@link DiffIdRecords}: one small file per layer blob,
 * {@code .jscan/diff-ids/<alg>/<encoded>}, holding {@code <compression> <diff_id>} (for example
 * {@code gzip sha256:…}), renamed into place once the blob was decompressed and matched (by a pull,
 * load, tag or push) or once the builder made it. A record states a fact about content, so it never
 * goes stale and needs no lock; garbage collection removes the records of the blobs it deletes.
 * An unreadable record counts as none (the layer is then read and checked again).
 */
final class StoreDiffIdRecords implements DiffIdRecords {
  /** A record is one short line; anything longer is not one. */
  private static final int MAX_RECORD = 256;

  private final Path dir;
  private final Path tempDir;

  StoreDiffIdRecords(Path dir, Path tempDir) {
    this.dir = dir;
    this.tempDir = tempDir;
  }

  private Path file(Digest blob) {
    // Digest's grammar admits no '/' and no "..", so this stays inside dir
    return dir.resolve(blob.algorithm()).resolve(blob.encoded());
  }

  @Override
  public Optional<Known> lookup(Digest blob) {
    byte[] bytes;
    try {
      Path f = file(blob);
      if (!Files.isRegularFile(f) || Files.size(f) > MAX_RECORD) {
        return Optional.empty();
      }
      bytes = Files.readAllBytes(f);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
    return parse(new String(bytes, StandardCharsets.UTF_8));
  }

  static Optional<Known> parse(String text) {
    String[] parts = text.strip().split(" ");
    if (parts.length != 2 || !Digest.isValid(parts[1])) {
      return Optional.empty();
    }
    for (Compression c : Compression.values()) {
      if (name(c).equals(parts[0])) {
        return Optional.of(new Known(c, Digest.parse(parts[1])));
      }
    }
    return Optional.empty();
  }

  static String render(Known known) {
    return name(known.compression()) + " " + known.diffId() + "\n";
  }

  private static String name(Compression c) {
    return c.name().toLowerCase(Locale.ROOT);
  }

  @Override
  public void remember(Digest blob, Known known) {
    if (lookup(blob).equals(Optional.of(known))) {
      return;
    }
    try {
      Path f = file(blob);
      Files.createDirectories(f.getParent());
      Files.createDirectories(tempDir);
      // renamed into place but not synced: a record a crash cut short does not parse (the
      // digest's 64 hex digits must all be there), and a missing record is only a read later
      Path tmp = AtomicFiles.tempName(tempDir, ".tmp-diff-id-");
      try {
        Files.write(tmp, render(known).getBytes(StandardCharsets.UTF_8), java.nio.file.StandardOpenOption.CREATE_NEW);
        Files.move(tmp, f, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException | RuntimeException e) {
      // best effort: without the record the layer is only read and checked again
    }
  }

  /** Removes the records of {@code blobs} (deleted by garbage collection). */
  void forget(Collection<Digest> blobs) {
    for (Digest d : blobs) {
      try {
        Files.deleteIfExists(file(d));
      } catch (IOException e) {
        // a record left behind is still true
      }
    }
  }
}
