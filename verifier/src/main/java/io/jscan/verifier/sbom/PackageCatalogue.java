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
import io.jscan.verifier.files.FileFact;
import io.jscan.verifier.files.MergedFilesystemCheck;
import io.jscan.verifier.integrity.WalkResult;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Cataloguing an image's packages during verification, from the same single read of each layer
 * as the integrity walk (the layers' entries and the few files catalogers read are captured as
 * they stream by; see {@link LayerCapture}). Memory stays bounded: the captures keep entry
 * metadata and files up to {@link #MEMORY_LIMIT} in memory, larger files (jars, executables with
 * Go build info, big package databases) in a temp directory that {@link #close()} removes.
 *
 * <p>Two uses: the package inventory that rules over SBOM content judge ({@link #everything()}),
 * and the distribution package databases that tell which secrets sit in a package's unchanged
 * file ({@link #distributionPackages()}, {@link DistributionFiles}). Either way the captured tree
 * is merged and catalogued only when {@link #finish} needs it: a verification without package
 * rules of an image without secrets merges and parses nothing.
 *
 * <p>Packages found this way are derived from the verified bytes themselves, so they are trusted
 * as far as the image digest is: the robust choice when no signed SBOM is attached.
 */
public final class PackageCatalogue implements AutoCloseable {
  /** Content kept in memory per file; larger content goes to the temp directory. */
  static final int MEMORY_LIMIT = 64 << 10;

  private final SbomGenerator generator;
  private final LayerCapture.Session session;

  private PackageCatalogue(SbomGenerator generator, LayerCapture.Session session) {
    this.generator = generator;
    this.session = session;
  }

  /** Captures what every cataloger reads: for an inventory of all the image's packages. */
  public static PackageCatalogue everything() throws VerifierException {
    return open(SbomGenerator.withDefaultCatalogers());
  }

  /** Captures only the distribution's package databases (dpkg, apk, rpm): to judge secrets in package files. */
  public static PackageCatalogue distributionPackages() throws VerifierException {
    return open(SbomGenerator.withDistributionCatalogers());
  }

  private static PackageCatalogue open(SbomGenerator generator) throws VerifierException {
    try {
      return new PackageCatalogue(generator, LayerCapture.Session.open(generator.selectors(), MEMORY_LIMIT));
    } catch (IOException e) {
      throw new VerifierException(FailureKind.UNEXPECTED, "cataloguing packages", "cannot create a temp directory: " + e.getMessage(), e);
    }
  }

  /** What the walk hands each layer's entries to. */
  public LayerCapture.Session session() {
    return session;
  }

  /**
   * What cataloguing gave once the walk was done.
   *
   * @param inventory the packages, when asked for
   * @param facts the walk's file facts, secrets in distribution packages' unchanged files marked
   */
  public record Finished(Optional<PackageInventory> inventory, List<FileFact> facts) {
    public Finished {
      Objects.requireNonNull(inventory, "inventory");
      facts = List.copyOf(facts);
    }
  }

  /**
   * The packages (when {@code inventory}), and the walk's file facts with the secrets in
   * distribution packages' unchanged files marked ({@link DistributionFiles}). An image that failed
   * its integrity checks, or whose layers could not all be read, gives an incomplete catalogue
   * (rules that need packages then fail closed), never a partial list presented as whole, and no
   * secret of it is marked.
   */
  public Finished finish(Image image, WalkResult walk, String name, boolean inventory) {
    List<FileFact> facts = walk.files().map(MergedFilesystemCheck.Result::facts).orElse(List.of());
    boolean judge = DistributionFiles.anyToJudge(facts);
    if (!inventory && !judge) {
      return new Finished(Optional.empty(), facts);
    }
    if (walk.failed() || walk.files().isEmpty()) {
      return new Finished(failed(inventory, "the image failed its integrity checks"), facts);
    }
    try (FileTree tree = session.merge(image.layers(), "image " + image.digest())) {
      Sbom sbom = generator.catalogTree(tree, image, name);
      Optional<PackageInventory> packages = inventory ? Optional.of(SbomDocuments.of(sbom, true, List.of())) : Optional.empty();
      return new Finished(packages, judge ? DistributionFiles.mark(facts, sbom, tree) : facts);
    } catch (SbomException | OciException | IOException | RuntimeException e) {
      // fail closed: no inventory, and every secret stays reported
      return new Finished(failed(inventory, e.getMessage()), facts);
    }
  }

  private static Optional<PackageInventory> failed(boolean inventory, String reason) {
    return inventory ? Optional.of(PackageInventory.failed("packages not catalogued: " + reason)) : Optional.empty();
  }

  @Override
  public void close() {
    session.close();
  }
}
