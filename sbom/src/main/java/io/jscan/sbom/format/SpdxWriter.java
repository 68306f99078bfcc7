package io.jscan.sbom.format;

import com.fasterxml.jackson.core.JsonGenerator;
import io.jscan.core.oci.Digest;
import io.jscan.sbom.model.License;
import io.jscan.sbom.model.OwnedFile;
import io.jscan.sbom.model.Package;
import io.jscan.sbom.model.PackageMetadata;
import io.jscan.sbom.model.Relationship;
import io.jscan.sbom.model.Sbom;
import io.jscan.sbom.model.SbomSource;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * SPDX 2.3 JSON. Deterministic: the document namespace ends in a name-based UUID of the image
 * digest, {@code created} is the image's {@code created} (the Unix epoch when the image has none,
 * because SPDX requires the field), element ids derive from package ids and file paths, and
 * elements and relationships are sorted.
 *
 * <p>The image is a package with purpose {@code CONTAINER} that the document {@code DESCRIBES} and
 * that {@code CONTAINS} every package. Owned files become SPDX files that their package
 * {@code CONTAINS} when the database recorded a digest for them (SPDX requires a checksum on every
 * file); license texts that are not SPDX expressions become {@code LicenseRef-} entries of
 * {@code hasExtractedLicensingInfos}.
 */
public final class SpdxWriter {
  private SpdxWriter() {}

  private static final String NOASSERTION = "NOASSERTION";

  public static void write(Sbom sbom, ToolInfo tool, OutputStream out) throws IOException {
    SbomSource source = sbom.source();
    Map<String, String> licenseRefs = new TreeMap<>(); // declared text -> LicenseRef id
    Map<String, String> refTexts = new TreeMap<>(); // LicenseRef id -> declared text
    Map<String, OwnedFile> files = new TreeMap<>(); // SPDXID -> file
    List<String[]> relationships = new ArrayList<>(); // {from, type, to}
    String subject = "SPDXRef-" + (source.kind() == SbomSource.Kind.IMAGE ? "Image-" : "Directory-") + source.digest().encoded().substring(0, 16);
    relationships.add(new String[] {"SPDXRef-DOCUMENT", "DESCRIBES", subject});

    FileIds fileIds = new FileIds();
    // SPDXIDs by package id, made once: a package id is a hash, and relationships name packages by it
    Map<String, String> spdxIds = new HashMap<>();
    for (Package p : sbom.packages()) {
      spdxIds.put(p.id(), packageId(p));
    }
    try (JsonGenerator g = Json.generator(out)) {
      g.writeStartObject();
      g.writeStringField("spdxVersion", "SPDX-2.3");
      g.writeStringField("dataLicense", "CC0-1.0");
      g.writeStringField("SPDXID", "SPDXRef-DOCUMENT");
      g.writeStringField("name", source.name());
      g.writeStringField("documentNamespace", "https://spdx.org/spdxdocs/jscan/" + slug(source.name()) + "-" + Json.uuidFor("spdx", source.digest()));
      g.writeObjectFieldStart("creationInfo");
      g.writeStringField("created", Json.timestamp(source.created().orElse(Instant.EPOCH)));
      g.writeArrayFieldStart("creators");
      g.writeString("Tool: " + tool.name() + "-" + tool.version());
      g.writeEndArray();
      g.writeEndObject();

      g.writeArrayFieldStart("packages");
      g.writeStartObject();
      g.writeStringField("SPDXID", subject);
      g.writeStringField("name", source.name());
      g.writeStringField("versionInfo", source.digest().toString());
      g.writeStringField("downloadLocation", NOASSERTION);
      g.writeBooleanField("filesAnalyzed", false);
      g.writeArrayFieldStart("checksums");
      g.writeStartObject();
      g.writeStringField("algorithm", "SHA256");
      g.writeStringField("checksumValue", source.digest().encoded());
      g.writeEndObject();
      g.writeEndArray();
      g.writeStringField("licenseConcluded", NOASSERTION);
      g.writeStringField("licenseDeclared", NOASSERTION);
      g.writeStringField("copyrightText", NOASSERTION);
      g.writeStringField("primaryPackagePurpose", source.kind() == SbomSource.Kind.IMAGE ? "CONTAINER" : "FILE");
      g.writeEndObject();
      if (sbom.operatingSystem().isPresent()) {
        var os = sbom.operatingSystem().get();
        String id = "SPDXRef-OperatingSystem-" + slug(os.id());
        g.writeStartObject();
        g.writeStringField("SPDXID", id);
        g.writeStringField("name", os.id());
        if (os.versionId().isPresent()) {
          g.writeStringField("versionInfo", os.versionId().get());
        }
        g.writeStringField("downloadLocation", NOASSERTION);
        g.writeBooleanField("filesAnalyzed", false);
        g.writeStringField("licenseConcluded", NOASSERTION);
        g.writeStringField("licenseDeclared", NOASSERTION);
        g.writeStringField("copyrightText", NOASSERTION);
        if (os.prettyName().isPresent()) {
          g.writeStringField("description", os.prettyName().get());
        }
        g.writeStringField("primaryPackagePurpose", "OPERATING_SYSTEM");
        g.writeEndObject();
        relationships.add(new String[] {subject, "CONTAINS", id});
      }
      for (Package p : sbom.packages()) {
        String id = spdxIds.get(p.id());
        g.writeStartObject();
        g.writeStringField("SPDXID", id);
        g.writeStringField("name", p.name());
        if (p.version().isPresent()) {
          g.writeStringField("versionInfo", p.version().get());
        }
        g.writeStringField("downloadLocation", NOASSERTION);
        g.writeBooleanField("filesAnalyzed", false);
        g.writeStringField("licenseConcluded", NOASSERTION);
        g.writeStringField("licenseDeclared", declared(p.licenses(), licenseRefs, refTexts));
        g.writeStringField("copyrightText", NOASSERTION);
        String diffId = source.layers().stream().filter(l -> l.index() == p.layer()).findFirst()
            .flatMap(l -> l.diffId()).map(d -> " (" + d + ")").orElse("");
        // the layer's number from 1, as every jscan report numbers layers
        g.writeStringField("sourceInfo", p.type().id() + " package found in " + p.primaryLocation().display() + "; introduced by layer "
            + p.layerNumber() + diffId);
        if (p.purl().isPresent()) {
          g.writeArrayFieldStart("externalRefs");
          g.writeStartObject();
          g.writeStringField("referenceCategory", "PACKAGE-MANAGER");
          g.writeStringField("referenceType", "purl");
          g.writeStringField("referenceLocator", p.purl().get().toString());
          g.writeEndObject();
          g.writeEndArray();
        }
        g.writeStringField("primaryPackagePurpose", purpose(p));
        g.writeEndObject();
        relationships.add(new String[] {subject, "CONTAINS", id});
        for (OwnedFile f : p.files()) {
          if (f.digest().isPresent()) {
            String fileId = fileIds.of(f);
            files.putIfAbsent(fileId, f);
            relationships.add(new String[] {id, "CONTAINS", fileId});
          }
        }
      }
      g.writeEndArray();

      if (!files.isEmpty()) {
        g.writeArrayFieldStart("files");
        for (Map.Entry<String, OwnedFile> e : files.entrySet()) {
          OwnedFile f = e.getValue();
          g.writeStartObject();
          g.writeStringField("SPDXID", e.getKey());
          g.writeStringField("fileName", f.path());
          g.writeArrayFieldStart("checksums");
          g.writeStartObject();
          g.writeStringField("algorithm", f.digest().get().spdxAlgorithm());
          g.writeStringField("checksumValue", f.digest().get().hex());
          g.writeEndObject();
          g.writeEndArray();
          if (f.configFile()) {
            g.writeArrayFieldStart("fileTypes");
            g.writeString("OTHER");
            g.writeEndArray();
            g.writeStringField("comment", "configuration file");
          }
          g.writeStringField("licenseConcluded", NOASSERTION);
          g.writeStringField("copyrightText", NOASSERTION);
          g.writeEndObject();
        }
        g.writeEndArray();
      }

      if (!refTexts.isEmpty()) {
        g.writeArrayFieldStart("hasExtractedLicensingInfos");
        for (Map.Entry<String, String> e : refTexts.entrySet()) {
          g.writeStartObject();
          g.writeStringField("licenseId", e.getKey());
          g.writeStringField("extractedText", e.getValue());
          g.writeStringField("name", e.getValue());
          g.writeEndObject();
        }
        g.writeEndArray();
      }

      for (Relationship r : sbom.relationships()) {
        String type = r.type() == Relationship.Type.DEPENDS_ON ? "DEPENDS_ON" : "CONTAINS";
        relationships.add(new String[] {spdxIds.get(r.from()), type, spdxIds.get(r.to())});
      }
      g.writeArrayFieldStart("relationships");
      Map<String, String[]> sorted = new TreeMap<>();
      for (String[] r : relationships) {
        sorted.putIfAbsent(r[0] + "\0" + r[1] + "\0" + r[2], r);
      }
      for (String[] r : sorted.values()) {
        g.writeStartObject();
        g.writeStringField("spdxElementId", r[0]);
        g.writeStringField("relationshipType", r[1]);
        g.writeStringField("relatedSpdxElement", r[2]);
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
      g.writeRaw('\n');
    }
  }

  static String packageId(Package p) {
    String id = p.id();
    return "SPDXRef-Package-" + slug(p.type().id() + "-" + p.name()) + "-" + id.substring(id.lastIndexOf('-') + 1);
  }

  /**
   * File SPDXIDs: the first 16 hex digits of SHA-256 over path, NUL and the recorded digest. One
   * {@link MessageDigest} for a document's thousands of files (a Debian image lists about seven
   * thousand), not a provider lookup and a full hex string for each.
   */
  private static final class FileIds {
    private final MessageDigest sha256 = Digest.sha256Digest();

    String of(OwnedFile f) {
      String text = f.path() + "\0" + f.digest().map(d -> d.algorithm() + ":" + d.hex()).orElse("");
      byte[] hash = sha256.digest(text.getBytes(StandardCharsets.UTF_8));
      return "SPDXRef-File-" + HexFormat.of().formatHex(hash, 0, 8);
    }
  }

  private static String purpose(Package p) {
    if (p.metadata() instanceof PackageMetadata.GoModule go && go.mainModule()) {
      return "APPLICATION";
    }
    return "LIBRARY";
  }

  /**
   * licenseDeclared: the SPDX forms joined with AND; a text without an SPDX form is a
   * {@code LicenseRef-} whose text goes to hasExtractedLicensingInfos.
   */
  private static String declared(List<License> licenses, Map<String, String> refs, Map<String, String> refTexts) {
    if (licenses.isEmpty()) {
      return NOASSERTION;
    }
    List<String> terms = new ArrayList<>();
    for (License l : licenses) {
      if (l.spdx().isPresent()) {
        String s = l.spdx().get();
        terms.add(licenses.size() > 1 && s.contains(" ") ? "(" + s + ")" : s);
      } else {
        terms.add(refs.computeIfAbsent(l.declared(), text -> {
          String ref = "LicenseRef-" + slug(text);
          if (refTexts.containsKey(ref) && !refTexts.get(ref).equals(text)) {
            ref = ref + "-" + Json.sha256Hex(text, 8);
          }
          refTexts.put(ref, text);
          return ref;
        }));
      }
    }
    return String.join(" AND ", terms);
  }

  private static final Pattern NOT_IDSTRING = Pattern.compile("[^A-Za-z0-9.-]+");
  private static final Pattern DASH_RUNS = Pattern.compile("-+");
  private static final Pattern EDGE_DASHES = Pattern.compile("^-|-$");

  /** Letters, digits, dots and dashes only (SPDX idstring). */
  static String slug(String s) {
    String t = EDGE_DASHES.matcher(DASH_RUNS.matcher(NOT_IDSTRING.matcher(s).replaceAll("-")).replaceAll("-")).replaceAll("");
    return t.isEmpty() ? "x" : t;
  }
}
