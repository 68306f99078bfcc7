package io.jscan.verifier.sbom;

import io.jscan.core.FailureKind;
import io.jscan.core.image.Image;
import io.jscan.core.oci.OciException;
import io.jscan.sbom.SbomException;
import io.jscan.sbom.SbomGenerator;
import io.jscan.sbom.fs.FileTree;
import io.jscan.sbom.fs.LayerCapture;
import io.jscan.sbom.model.Sbom;
import io.jscan.verifier.VerifierException;
import io.jscan.verifier.integrity.WalkResult;
import java.io.IOException;
import java.util.List;

/**
 * Cataloguing an image's packages during verification, from the same single read of each layer
 * as the integrity walk (the layers' entries and the few files catalogers read are captured as
 * they stream by; see {@link LayerCapture}). Memory stays bounded: the captures keep entry
 * metadata and files up to {@link #MEMORY_LIMIT} in memory, larger files (jars, executables with
 * Go build info, big package databases) in a temp directory that {@link #close()} removes.
 *
 * <p>Packages found this way are derived from the verified bytes themselves, so they are trusted
 * as far as the image digest is: the robust choice when no signed SBOM is attached.
 */
public final class PackageCatalogue implements AutoCloseable {
  /** Content kept in memory per file; larger content goes to the temp directory. */
  static final int MEMORY_LIMIT = 64 << 10;

  private final SbomGenerator generator = SbomGenerator.withDefaultCatalogers();
  private final LayerCapture.Session session;

  private PackageCatalogue(LayerCapture.Session session) {
    this.session = session;
  }

  public static PackageCatalogue open() throws VerifierException {
    try {
      return new PackageCatalogue(LayerCapture.Session.open(SbomGenerator.withDefaultCatalogers().selectors(), MEMORY_LIMIT));
    } catch (IOException e) {
      throw new VerifierException(FailureKind.UNEXPECTED, "cataloguing packages", "cannot create a temp directory: " + e.getMessage(), e);
    }
  }

  /** What the walk hands each layer's entries to. */
  public LayerCapture.Session session() {
    return session;
  }

  /**
   * The packages, once the walk is done. An image that failed its integrity checks, or whose
   * layers could not all be read, gives an incomplete catalogue (rules that need packages then
   * fail closed), never a partial list presented as whole.
   */
  public PackageInventory finish(Image image, WalkResult walk, String name) {
    if (walk.failed() || walk.files().isEmpty()) {
      return PackageInventory.failed("packages not catalogued: the image failed its integrity checks");
    }
    try (FileTree tree = session.merge(image.layers(), "image " + image.digest())) {
      Sbom sbom = generator.catalogTree(tree, image, name);
      return SbomDocuments.of(sbom, true, List.of());
    } catch (SbomException | OciException | IOException | RuntimeException e) {
      return PackageInventory.failed("packages not catalogued: " + e.getMessage());
    }
  }

  @Override
  public void close() {
    session.close();
  }
}
