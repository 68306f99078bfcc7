package io.jscan.verifier.files;

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
 */
public record FileFact(Kind kind, int layer, String path, int mode, long size, Optional<SecretScanner.Match> secret, boolean visible) {
  public FileFact {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(secret, "secret");
    if (layer < 1) {
      throw new IllegalArgumentException("layer positions start at 1");
    }
    if (kind == Kind.SECRET && secret.isEmpty()) {
      throw new IllegalArgumentException("a secret fact says what was found");
    }
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
    return new FileFact(kind, layer, path, mode, size, secret, v);
  }
}
