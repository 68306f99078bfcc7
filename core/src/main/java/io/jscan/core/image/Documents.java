package io.jscan.core.image;

import io.jscan.core.io.InputLimit;
import io.jscan.core.io.VerifyingInputStream;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.OciException;
import java.io.IOException;

/** Reading small JSON documents (manifests, indexes, configs) whole, verified and bounded. */
final class Documents {
  private Documents() {}

  /**
   * Manifests and indexes larger than this are refused before anything is read: the distribution
   * spec's registries cap manifests at 4 MiB, and a descriptor claiming gigabytes for a JSON
   * document is an attempt to exhaust memory.
   */
  static final long MAX_MANIFEST_BYTES = InputLimit.MANIFEST.bytes();
  /** Configs hold history and env, which can be long but never this long. */
  static final long MAX_CONFIG_BYTES = InputLimit.IMAGE_CONFIG.bytes();

  static byte[] read(BlobSource source, Descriptor descriptor, String what, long limit) throws OciException {
    if (descriptor.size() > limit) {
      throw OciException.badInput(
          what + " " + descriptor.digest(), "declared size " + descriptor.size() + " exceeds the limit of " + limit + " bytes");
    }
    VerifyingInputStream in = source.open(descriptor, what);
    try (in) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw OciException.reading(what + " " + descriptor.digest(), e);
    }
  }
}
