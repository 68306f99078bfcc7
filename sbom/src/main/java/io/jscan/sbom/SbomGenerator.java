package io.jscan.sbom;

import io.jscan.core.image.Image;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.ImageConfig;
import io.jscan.core.oci.OciException;
import io.jscan.sbom.cataloger.ApkCataloger;
import io.jscan.sbom.cataloger.CatalogContext;
import io.jscan.sbom.cataloger.Cataloger;
import io.jscan.sbom.cataloger.DpkgCataloger;
import io.jscan.sbom.cataloger.GoBinaryCataloger;
import io.jscan.sbom.cataloger.JavaArchiveCataloger;
import io.jscan.sbom.cataloger.NpmCataloger;
import io.jscan.sbom.cataloger.OsRelease;
import io.jscan.sbom.cataloger.PythonCataloger;
import io.jscan.sbom.cataloger.RpmCataloger;
import io.jscan.sbom.fs.DirectoryTree;
import io.jscan.sbom.fs.FileTree;
import io.jscan.sbom.fs.ImageTree;
import io.jscan.sbom.fs.Selector;
import io.jscan.sbom.model.LayerInfo;
import io.jscan.sbom.model.OperatingSystem;
import io.jscan.sbom.model.Package;
import io.jscan.sbom.model.Sbom;
import io.jscan.sbom.model.SbomSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Catalogues images and directories into an {@link Sbom}.
 *
 * <pre>{@code
 * SbomGenerator generator = SbomGenerator.withDefaultCatalogers();
 * Sbom fromImage = generator.catalogImage(image, "oci:layout:1.0");
 * Sbom fromDir = generator.catalogDirectory(Path.of("rootfs"));
 * String json = SbomFormat.CYCLONEDX_JSON.write(fromImage, ToolInfo.of("1.0"));
 * }</pre>
 */
public final class SbomGenerator {
  private final List<Cataloger> catalogers;

  public SbomGenerator(List<Cataloger> catalogers) {
    this.catalogers = List.copyOf(catalogers);
  }

  /** dpkg, apk, rpm, Java archives, Python, npm and Go binaries. */
  public static SbomGenerator withDefaultCatalogers() {
    return new SbomGenerator(List.of(
        new DpkgCataloger(),
        new ApkCataloger(),
        new RpmCataloger(),
        new JavaArchiveCataloger(),
        new PythonCataloger(),
        new NpmCataloger(),
        new GoBinaryCataloger()));
  }

  /**
   * dpkg, apk and rpm: the distribution's package managers, whose databases record a checksum of
   * every file a package installed (the verifier checks secrets found in such files against
   * them). dpkg's packages come without licenses or unrecorded files
   * ({@link DpkgCataloger#recordedFilesOnly()}): that is all the checksums need.
   */
  public static SbomGenerator withDistributionCatalogers() {
    return new SbomGenerator(List.of(DpkgCataloger.recordedFilesOnly(), new ApkCataloger(), new RpmCataloger()));
  }

  /** Every file any cataloger (or the os-release reader) reads. */
  public List<Selector> selectors() {
    List<Selector> all = new ArrayList<>();
    all.add(OsRelease.SELECTOR);
    catalogers.forEach(c -> all.addAll(c.selectors()));
    return all;
  }

  /** Catalogues an unpacked root file system. */
  public Sbom catalogDirectory(Path directory) throws SbomException {
    try (DirectoryTree tree = DirectoryTree.open(directory)) {
      Catalogued c = catalog(tree);
      Digest digest = contentDigest(c.context.packages());
      SbomSource source = new SbomSource(
          SbomSource.Kind.DIRECTORY, directory.toString(), digest, Optional.empty(), Optional.empty(),
          List.of(new LayerInfo(0, Optional.empty(), Optional.empty(), Optional.empty())));
      return new Sbom(source, c.os, c.context.packages(), c.context.relationships(), c.context.warnings());
    } catch (IOException e) {
      throw SbomException.io("cataloguing directory " + directory, e);
    }
  }

  /**
   * Catalogues an image's merged file system, reading each layer once (twice for the lower layers
   * of a package database that several layers rewrote).
   *
   * @param name how the user named the image, for the SBOM's subject
   */
  public Sbom catalogImage(Image image, String name) throws SbomException {
    try {
      image.config();
      try (ImageTree tree = ImageTree.load(image, selectors())) {
        return catalogImageTree(tree, image, name);
      }
    } catch (OciException e) {
      throw new SbomException(e.kind(), "cataloguing image " + name, e.getMessage(), e);
    } catch (IOException e) {
      throw SbomException.io("cataloguing image " + name, e);
    }
  }

  /**
   * Catalogues an image whose merged file system was gathered already, by a reader that streamed
   * its layers for another purpose ({@link io.jscan.sbom.fs.LayerCapture}: the verifier's single
   * pass). The caller closes {@code tree}.
   *
   * @param name how the user named the image, for the SBOM's subject
   */
  public Sbom catalogTree(FileTree tree, Image image, String name) throws SbomException {
    try {
      return catalogImageTree(tree, image, name);
    } catch (OciException e) {
      throw new SbomException(e.kind(), "cataloguing image " + name, e.getMessage(), e);
    } catch (IOException e) {
      throw SbomException.io("cataloguing image " + name, e);
    }
  }

  private Sbom catalogImageTree(FileTree tree, Image image, String name) throws OciException, IOException, SbomException {
    ImageConfig config = image.config();
    Catalogued c = catalog(tree);
    List<LayerInfo> layers = new ArrayList<>();
    List<ImageConfig.History> history = config.history().stream().filter(h -> !h.emptyLayer()).toList();
    for (int i = 0; i < image.layers().size(); i++) {
      var layer = image.layers().get(i);
      Optional<String> createdBy = i < history.size() ? history.get(i).createdBy() : Optional.empty();
      layers.add(new LayerInfo(i, Optional.of(layer.diffId()), Optional.of(layer.descriptor().digest()), createdBy));
    }
    if (layers.isEmpty()) {
      throw SbomException.badInput("image " + image.digest(), "has no layers");
    }
    SbomSource source = new SbomSource(
        SbomSource.Kind.IMAGE, name, image.digest(), config.created(), Optional.of(config.platform().toString()), layers);
    return new Sbom(source, c.os, c.context.packages(), c.context.relationships(), c.context.warnings());
  }

  private record Catalogued(Optional<OperatingSystem> os, CatalogContext context) {}

  /** Runs every cataloger over {@code tree}. */
  private Catalogued catalog(FileTree tree) throws IOException {
    Optional<OperatingSystem> os = OsRelease.read(tree);
    CatalogContext context = new CatalogContext(os);
    for (Cataloger cataloger : catalogers) {
      cataloger.catalog(tree, context);
    }
    return new Catalogued(os, context);
  }

  private static Digest contentDigest(List<Package> packages) {
    StringBuilder s = new StringBuilder();
    packages.stream().map(Package::id).sorted().forEach(id -> s.append(id).append('\n'));
    return Digest.sha256(s.toString());
  }
}
