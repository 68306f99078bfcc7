package io.jscan.verifier;

import io.jscan.core.oci.Digest;
import java.util.Objects;

/**
 * A policy that was applied.
 *
 * @param name the policy's {@code name}
 * @param source where it was read from (a path, or {@code builtin:baseline})
 * @param digest sha256 of the file's bytes: with the image digest it keys a cached result
 */
public record PolicySummary(String name, String source, Digest digest) {
  public PolicySummary {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(digest, "digest");
  }
}
