package io.jscan.core.oci.json;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.ImageConfig;
import io.jscan.core.oci.IndexManifest;
import io.jscan.core.oci.LayoutHeader;
import io.jscan.core.oci.Manifest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.OciException;
import io.jscan.core.testing.FuzzChecks;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Fuzzes the manifest, index, config, descriptor and layout-header readers (fuzz/README.md): any
 * bytes are a document or a one-line {@link OciException}; and a document that was read is
 * written back ({@link OciJson#write}) as bytes that read as the same document.
 *
 * <p>Input layout, so that seeds can be written by hand: the first byte chooses the reader (low
 * three bits) and the media type of the descriptor that pointed at the document (high bits: none,
 * or one of {@link #DECLARED}); the rest is the document. Seeds:
 * {@code src/test/resources/io/jscan/core/oci/json/OciJsonFuzzTestInputs/}.
 */
class OciJsonFuzzTest {
  private static final List<String> DECLARED = List.of(
      MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_MANIFEST, MediaTypes.OCI_INDEX, MediaTypes.DOCKER_MANIFEST_LIST,
      MediaTypes.OCI_CONFIG, MediaTypes.DOCKER_CONFIG, MediaTypes.OCI_DESCRIPTOR, MediaTypes.OCI_LAYOUT_HEADER,
      MediaTypes.OCI_EMPTY, MediaTypes.DOCKER_MANIFEST_V1);

  @FuzzTest(maxDuration = "60s")
  void read_anyDocument_isADocumentOrAOneLineError(byte[] input) throws OciException {
    if (input.length == 0) {
      return;
    }
    int control = input[0] & 0xff;
    int declaredIndex = (control >>> 3) % (DECLARED.size() + 1);
    Optional<String> declared = declaredIndex == 0 ? Optional.empty() : Optional.of(DECLARED.get(declaredIndex - 1));
    byte[] document = Arrays.copyOfRange(input, 1, input.length);
    String what = "manifest sha256:0123";
    try {
      switch (control & 7) {
        case 0 -> {
          Manifest m = OciJson.parseManifest(document, what, declared);
          requireSame(m, OciJson.parseManifest(OciJson.write(m), "written", declared));
        }
        case 1 -> {
          IndexManifest i = OciJson.parseIndex(document, what, declared);
          requireSame(i, OciJson.parseIndex(OciJson.write(i), "written", declared));
        }
        case 2 -> {
          ImageConfig c = OciJson.parseConfig(document, what);
          requireSame(c, OciJson.parseConfig(OciJson.write(c), "written"));
        }
        case 3 -> {
          Descriptor d = OciJson.parseDescriptor(document, what);
          requireSame(d, OciJson.parseDescriptor(OciJson.write(d), "written"));
        }
        case 4 -> {
          LayoutHeader h = OciJson.parseLayoutHeader(document, what);
          requireSame(h, OciJson.parseLayoutHeader(OciJson.write(h), "written"));
        }
        default -> OciJson.validate(declared.orElse(MediaTypes.OCI_MANIFEST), document, what);
      }
    } catch (OciException e) {
      if (e.what().equals("written")) {
        throw e; // the writer wrote what the reader refuses: a bug, not bad input
      }
      FuzzChecks.requireOneLine(e);
    }
  }

  private static void requireSame(Object read, Object reread) {
    if (!read.equals(reread)) {
      throw new AssertionError("written and read again, the document changed:\n  " + read + "\n  " + reread);
    }
  }
}
