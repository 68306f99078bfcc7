package io.jscan.builder.steps;

import io.jscan.core.oci.Digest;
import java.nio.charset.StandardCharsets;

/**
 * The key a layer is cached under: a digest over named, length-prefixed fields, so that no two
 * different sets of inputs can produce the same text. {@link StageState#cacheKey} starts every key
 * with what every layer depends on (format version, parent ChainID, platform, SOURCE_DATE_EPOCH,
 * compression); steps add the normalised instruction, the content digests of their inputs and the
 * build arguments they used.
 */
public final class CacheKey {
  /**
   * Bumped whenever the bytes jscan writes for the same inputs change (tar format, mode rule,
   * compression settings, how base layers and ADD archives are read), so that a cache filled by an
   * older jscan is never mistaken for current. v3: layers and archives are read as Go's
   * archive/tar reads them (core's TarReader), so a base whose tar readers disagree on (a global
   * PAX header) gives other files to RUN, COPY --from and ADD than it did.
   */
  public static final String FORMAT = "jscan-layer-v3";

  private final StringBuilder text = new StringBuilder(FORMAT).append('\n');

  /** Appends {@code name} = {@code value}. */
  public CacheKey add(String name, String value) {
    text.append(name).append(' ').append(value.length()).append(':').append(value).append('\n');
    return this;
  }

  public Digest digest() {
    return Digest.sha256(text.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** The key's text, for debugging. */
  @Override
  public String toString() {
    return text.toString();
  }
}
