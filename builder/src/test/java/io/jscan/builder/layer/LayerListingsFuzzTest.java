package io.jscan.builder.layer;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.OciException;
import io.jscan.core.image.Layers;
import io.jscan.core.testing.FuzzChecks;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Fuzzes the builder's listing of a base image's layer (fuzz/README.md): what {@code FROM} reads
 * of every layer below a build, through Commons Compress. Any bytes as an uncompressed layer are a
 * listing or a one-line {@link OciException} (an integrity failure for a malformed tar); nothing
 * else is thrown. Seeds, made by {@code fuzz/make-tar-seeds.py}:
 * {@code src/test/resources/io/jscan/builder/layer/LayerListingsFuzzTestInputs/}.
 */
class LayerListingsFuzzTest {

  @FuzzTest(maxDuration = "60s")
  void of_anyTar_listsEntriesOrFailsWithOneLine(byte[] tar) {
    // kept in memory only: no listing is written, so the staging directory is never used
    LayerListings listings = new LayerListings(Optional.empty(), Path.of("target", "listings-fuzz-unused"));
    try {
      listings.of(Layers.fromBytes(tar, MediaTypes.OCI_LAYER, Digest.sha256(tar)), "layer 1 of the base image");
    } catch (OciException e) {
      FuzzChecks.requireOneLine(e);
    }
  }
}
