package io.jscan.cli;

import io.jscan.builder.BuildException;
import io.jscan.builder.BuildRequest;
import io.jscan.builder.BuildResult;
import io.jscan.builder.provenance.SlsaProvenance;
import io.jscan.builder.provenance.Statements;
import io.jscan.core.JscanException;
import io.jscan.core.image.ArtifactManifest;
import io.jscan.core.image.Image;
import io.jscan.core.image.Referrers;
import io.jscan.core.io.AtomicFiles;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.OciException;
import io.jscan.sbom.SbomGenerator;
import io.jscan.sbom.format.SbomFormat;
import io.jscan.sbom.format.ToolInfo;
import io.jscan.sbom.model.CatalogWarning;
import io.jscan.sbom.model.Sbom;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What {@code jscan build --sbom --provenance [--sbom-dir DIR]} makes after the image: in-toto
 * statements about the image's manifest digest (a CycloneDX SBOM, an SPDX SBOM, SLSA provenance),
 * each attached beside the image as an OCI 1.1 artifact referring to it, and the documents written
 * as files.
 *
 * <p>Attachments made here are <b>unsigned</b>: anyone who can write to the store, layout or
 * repository could attach such an artifact, so the verifier reports them but never lets them decide
 * a rule (fail closed). Signed attestations come from {@code --sign}.
 */
final class BuildAttachments {
  private BuildAttachments() {}

  /** The media type of an attached statement and of the artifact around it (BuildKit labels its attestation blobs so). */
  static final String STATEMENT_TYPE = Statements.MEDIA_TYPE;
  static final String CYCLONEDX_PREDICATE = "https://cyclonedx.org/bom";
  static final String SPDX_PREDICATE = "https://spdx.dev/Document";

  /** The file names {@code --sbom-dir} writes. */
  static final String CYCLONEDX_FILE = "sbom.cdx.json";
  static final String SPDX_FILE = "sbom.spdx.json";
  static final String PROVENANCE_FILE = "provenance.intoto.json";

  /**
   * One statement about the built image.
   *
   * @param predicateType the statement's predicate type
   * @param statement the in-toto statement's bytes (what is attached, and what signing signs)
   * @param fileName its name under {@code --sbom-dir}
   * @param file what that file holds: the SBOM document itself, or the provenance statement
   */
  record Attachment(String predicateType, byte[] statement, String fileName, byte[] file) {
    Attachment {
      Objects.requireNonNull(predicateType, "predicateType");
      Objects.requireNonNull(statement, "statement");
      Objects.requireNonNull(fileName, "fileName");
      Objects.requireNonNull(file, "file");
    }

    /** The OCI artifact that carries the statement, about {@code subject}. */
    Image artifact(Descriptor subject) {
      Map<String, String> annotations = Map.of(Statements.PREDICATE_TYPE_ANNOTATION, predicateType);
      return ArtifactManifest.of(subject, STATEMENT_TYPE,
          List.of(new ArtifactManifest.Blob(STATEMENT_TYPE, statement, annotations)), annotations);
    }
  }

  /** The SBOM of the built image, as CycloneDX and SPDX statements. */
  static List<Attachment> sbom(BuildRequest request, BuildResult result, String version, Consumer<String> log)
      throws JscanException {
    String name = request.tags().isEmpty() ? result.manifestDigest().toString() : request.tags().get(0).toString();
    Sbom sbom = SbomGenerator.withDefaultCatalogers().catalogImage(result.image(), name);
    for (CatalogWarning w : sbom.warnings()) {
      log.accept("warning: " + w);
    }
    log.accept("SBOM: " + sbom.packages().size() + " packages");
    List<Statements.Subject> subjects = SlsaProvenance.subjects(request, result.manifestDigest());
    ToolInfo tool = ToolInfo.jscan(version);
    List<Attachment> out = new ArrayList<>();
    byte[] cdx = document(SbomFormat.CYCLONEDX_JSON, sbom, tool);
    out.add(new Attachment(CYCLONEDX_PREDICATE, Statements.statement(subjects, CYCLONEDX_PREDICATE, Statements.parse(cdx)),
        CYCLONEDX_FILE, cdx));
    byte[] spdx = document(SbomFormat.SPDX_JSON, sbom, tool);
    out.add(new Attachment(SPDX_PREDICATE, Statements.statement(subjects, SPDX_PREDICATE, Statements.parse(spdx)), SPDX_FILE, spdx));
    return out;
  }

  /** The build's SLSA provenance. */
  static Attachment provenance(BuildRequest request, BuildResult result, SlsaProvenance.Run run) {
    byte[] statement = SlsaProvenance.statement(request, result, run);
    return new Attachment(SlsaProvenance.PREDICATE_TYPE, statement, PROVENANCE_FILE, statement);
  }

  private static byte[] document(SbomFormat format, Sbom sbom, ToolInfo tool) throws BuildException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      format.write(sbom, tool, out);
    } catch (IOException e) {
      throw BuildException.io("writing the " + format.id() + " SBOM", e);
    }
    return out.toByteArray();
  }

  /** Writes each attachment's file into {@code dir} (created if needed; each file a temp file renamed). */
  static void writeFiles(Path dir, List<Attachment> attachments, Consumer<String> log) throws BuildException {
    try {
      Files.createDirectories(dir);
      for (Attachment a : attachments) {
        Path target = dir.resolve(a.fileName()).toAbsolutePath();
        AtomicFiles.write(target, a.file(), target.getParent());
        log.accept("wrote " + dir.resolve(a.fileName()));
      }
    } catch (IOException e) {
      throw BuildException.io("writing --sbom-dir " + dir, e);
    }
  }

  /** Attaches each statement to {@code subject} in {@code referrers}, as an unsigned artifact. */
  static void attach(Referrers referrers, Descriptor subject, List<Attachment> attachments, String where, Consumer<String> log)
      throws OciException {
    for (Attachment a : attachments) {
      Image artifact = a.artifact(subject);
      referrers.attach(artifact);
      log.accept("attached " + a.predicateType() + " to " + where + " as " + artifact.digest() + " (unsigned)");
    }
  }
}
