package io.jscan.verifier.files;

import io.jscan.sbom.model.FileDigest;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Something noteworthy about one file of one layer, which policy rules may turn into findings.
 *
 * @param kind what was seen
 * @param layer the layer's position, from 1
 * @param path absolute path in the image ({@code /usr/bin/passwd})
 * @param mode permission bits (07777)
 * @param size content size in bytes (0 for non-files)
 * @param secret for {@link Kind#SECRET}: what was found (never the value)
 * @param visible whether the file is part of the final merged filesystem (a later layer may have
 *     deleted or replaced it; its bytes are still in the layer blob)
 * @param contentDigests for {@link Kind#SECRET}: the whole file's digests in the algorithms
 *     package databases use ({@link LayerScanner#HASHED_WITH}), when the file was small enough to
 *     hold while it streamed by ({@link LayerScanner#HELD_FILE_BYTES}); empty otherwise. Only files
 *     with a secret are hashed.
 * @param packaged for {@link Kind#SECRET}: the distribution package whose recorded checksum the
 *     file still matches, once the whole image's package databases were read
 */
public record FileFact(
    Kind kind, int layer, String path, int mode, long size, Optional<SecretScanner.Match> secret, boolean visible,
    List<FileDigest> contentDigests, Optional<PackagedFile> packaged) {
  public FileFact {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(secret, "secret");
    contentDigests = List.copyOf(contentDigests);
    Objects.requireNonNull(packaged, "packaged");
    if (layer < 1) {
      throw new IllegalArgumentException("layer positions start at 1");
    }
    if (kind == Kind.SECRET && secret.isEmpty()) {
      throw new IllegalArgumentException("a secret fact says what was found");
    }
    if (kind != Kind.SECRET && (!contentDigests.isEmpty() || packaged.isPresent())) {
      throw new IllegalArgumentException("only files with a secret are hashed and judged against package records");
    }
    if (packaged.isPresent() && (!visible || contentDigests.isEmpty())) {
      throw new IllegalArgumentException("only a visible file whose content was hashed can match a package's checksum");
    }
  }

  /** A fact that is not about a secret (no content digests, no package). */
  public FileFact(Kind kind, int layer, String path, int mode, long size, Optional<SecretScanner.Match> secret, boolean visible) {
    this(kind, layer, path, mode, size, secret, visible, List.of(), Optional.empty());
  }

  public enum Kind {
    SETUID,
    SETGID,
    DEVICE,
    WORLD_WRITABLE,
    LARGE_FILE,
    SECRET
  }

  public FileFact withVisible(boolean v) {
    return new FileFact(kind, layer, path, mode, size, secret, v, contentDigests, v ? packaged : Optional.empty());
  }

  public FileFact withPackaged(Optional<PackagedFile> p) {
    return new FileFact(kind, layer, path, mode, size, secret, visible, contentDigests, p);
  }
}
