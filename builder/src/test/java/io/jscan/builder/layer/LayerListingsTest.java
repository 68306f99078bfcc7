package io.jscan.builder.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jscan.core.FailureKind;
import io.jscan.core.image.Layers;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.OciException;
import io.jscan.core.testing.TarBuilder;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LayerListingsTest {

  private static OciException listingFails(byte[] tar) {
    LayerListings listings = new LayerListings(Optional.empty(), Path.of("unused"));
    return assertThrows(OciException.class,
        () -> listings.of(Layers.fromBytes(tar, MediaTypes.OCI_LAYER, Digest.sha256(tar)), "layer 1"));
  }

  @Test
  void of_invalidWhiteoutNamedWithALineBreak_isAnIntegrityFailureOnOneLine() {
    // found by LayerListingsFuzzTest: the entry's path was quoted raw, line breaks and all
    OciException e = listingFails(TarBuilder.tar().file("evil\r\n/.wh..", "").build());

    assertEquals(FailureKind.INTEGRITY, e.kind());
    assertEquals("layer 1: invalid whiteout evil\\r\\n/.wh..", e.getMessage());
  }

  @Test
  void of_hardLinkOutOfTheRootNamedWithALineBreak_isAnIntegrityFailureOnOneLine() {
    OciException e = listingFails(TarBuilder.tar().hardlink("x\ny", "../../etc/shadow").build());

    assertEquals("layer 1: hard link x\\ny points outside the root", e.getMessage());
  }

  @Test
  void of_pathLeavingTheRootWithAnEscapeSequence_isNamedEscaped() {
    OciException e = listingFails(TarBuilder.tar().file("../\u001b[2Jx", "").build());

    assertEquals("layer 1: path \"../\\x1b[2Jx\" leaves the root", e.getMessage());
  }
}
