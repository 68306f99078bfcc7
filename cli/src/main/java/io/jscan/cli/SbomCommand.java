package io.jscan.cli;

import io.jscan.core.text.Printable;
import io.jscan.core.image.Artifact;
import io.jscan.core.image.Image;
import io.jscan.core.image.Images;
import io.jscan.core.io.AtomicFiles;
import io.jscan.core.oci.OciException;
import io.jscan.core.oci.Platform;
import io.jscan.core.transport.ImageCopy;
import io.jscan.core.transport.ImageReference;
import io.jscan.core.transport.Transports;
import io.jscan.core.transport.registry.TransferListener;
import io.jscan.core.transport.store.LocalStore;
import io.jscan.sbom.SbomException;
import io.jscan.sbom.SbomGenerator;
import io.jscan.sbom.format.SbomFormat;
import io.jscan.sbom.format.ToolInfo;
import io.jscan.sbom.model.CatalogWarning;
import io.jscan.sbom.model.Sbom;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jscan sbom IMAGE [--format cyclonedx-json|spdx-json|table] [--output-file FILE]}: the
 * packages in an image (or an unpacked root file system, {@code dir:PATH}) as an SBOM.
 */
@Command(
    name = "sbom",
    description = {
      "List the packages in an image as an SBOM (CycloneDX 1.6 JSON, SPDX 2.3 JSON or a table).",
      "",
      "IMAGE is a local image name (myapp:1.0, sha256:…), oci:DIR[:REF|@DIGEST], docker-archive:FILE[:NAME:TAG],"
          + " docker://NAME or dir:PATH (an unpacked root file system). A name is looked up in the local store first.",
      "Packages: dpkg, apk, rpm (rpmdb.sqlite), Java archives, Python, npm and Go binaries, each with the layer that"
          + " introduced it (numbered from 1, the base layer, as in 'jscan verify' and 'jscan inspect').",
      "The same image always gives the same bytes."
    })
final class SbomCommand implements Callable<Integer>, Jscan.EnvironmentAware {
  static final String DIR_PREFIX = "dir:";

  @Spec CommandSpec spec;

  @picocli.CommandLine.Mixin RegistryMixin registry;

  @picocli.CommandLine.Mixin TimeoutMixin time;

  private java.util.Map<String, String> env = System.getenv();

  @Override
  public void environment(java.util.Map<String, String> environment) {
    this.env = environment;
  }

  @Parameters(index = "0", paramLabel = "IMAGE", description = "The image (or dir:PATH) to catalogue.")
  String image;

  @Option(
      names = {"-o", "--format"},
      paramLabel = "FORMAT",
      defaultValue = "table",
      converter = FormatConverter.class,
      completionCandidates = FormatCandidates.class,
      description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  SbomFormat format;

  @Option(names = "--output-file", paramLabel = "FILE", description = "Write the SBOM to FILE (atomically) instead of standard output.")
  Path outputFile;

  @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "For an index: the platform's image (default: this machine's).")
  String platform;

  static final class FormatConverter implements CommandLine.ITypeConverter<SbomFormat> {
    @Override
    public SbomFormat convert(String value) {
      try {
        return SbomFormat.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  static final class FormatCandidates implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return java.util.Arrays.stream(SbomFormat.values()).map(SbomFormat::id).iterator();
    }
  }

  @Override
  public Integer call() throws Exception {
    io.jscan.core.Deadline deadline = time.start(env);
    PrintWriter err = spec.commandLine().getErr();
    SbomGenerator generator = SbomGenerator.withDefaultCatalogers();
    Sbom sbom;
    if (image.startsWith(DIR_PREFIX)) {
      Path dir = Path.of(image.substring(DIR_PREFIX.length()));
      if (!Files.isDirectory(dir)) {
        throw SbomException.badInput("directory " + dir, "not found or not a directory");
      }
      err.println("jscan: cataloguing directory " + dir);
      err.flush();
      sbom = generator.catalogDirectory(dir);
    } else {
      ImageReference ref = ImageReference.parse(image);
      try (LocalStore store = StoreAccess.openStore()) {
        Transports transports = new Transports(store, registry.client(env, TransferListener.NONE, deadline));
        Transports.Resolved resolved = transports.resolve(ref);
        CompletableFuture<ImageCopy> comparing = transports.compareInBackground(resolved);
        Artifact artifact = resolved.artifact();
        // a single image is catalogued whatever its platform; --platform only chooses within an index
        Image img = artifact instanceof Image single && platform == null ? single : Images.forPlatform(artifact, wantedPlatform());
        err.println("jscan: cataloguing " + ref + " (" + img.digest() + ", " + img.layers().size() + " layers) from "
            + resolved.copy().where());
        err.flush();
        sbom = generator.catalogImage(img, ref.toString());
        StoreAccess.warnAboutCopy(err, comparing.join(), "catalogued");
      }
    }
    for (CatalogWarning w : sbom.warnings()) {
      // a warning names paths and values from the image
      err.println("jscan: warning: " + Printable.escape(String.valueOf(w)));
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    format.write(sbom, ToolInfo.jscan(Jscan.Version.version()), bytes);
    if (outputFile != null) {
      Path target = outputFile.toAbsolutePath();
      try {
        AtomicFiles.write(target, bytes.toByteArray(), target.getParent());
      } catch (IOException e) {
        throw SbomException.io("writing " + outputFile, e);
      }
      err.println("jscan: wrote " + sbom.packages().size() + " packages to " + outputFile + " (" + format.id() + ")");
    } else {
      PrintWriter out = spec.commandLine().getOut();
      out.print(bytes.toString(StandardCharsets.UTF_8));
      out.flush();
    }
    err.flush();
    return ExitCode.OK.code();
  }

  private Platform wantedPlatform() throws OciException {
    if (platform == null) {
      return Platform.host();
    }
    try {
      return Platform.parse(platform);
    } catch (IllegalArgumentException e) {
      throw OciException.badInput("--platform", e.getMessage());
    }
  }
}
