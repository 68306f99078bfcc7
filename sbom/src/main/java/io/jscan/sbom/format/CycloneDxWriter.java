package io.jscan.sbom.format;

import com.fasterxml.jackson.core.JsonGenerator;
import io.jscan.sbom.cataloger.SpdxLicenses;
import io.jscan.sbom.model.License;
import io.jscan.sbom.model.Location;
import io.jscan.sbom.model.OwnedFile;
import io.jscan.sbom.model.Package;
import io.jscan.sbom.model.PackageMetadata;
import io.jscan.sbom.model.Relationship;
import io.jscan.sbom.model.Sbom;
import io.jscan.sbom.model.SbomSource;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * CycloneDX 1.6 JSON (bom-1.6.schema.json). Deterministic: the serial number is a name-based UUID
 * of the image digest, the timestamp is the image's {@code created} (left out when the image has
 * none), components come in {@link Sbom#ORDER}, and nothing depends on the clock or the host.
 *
 * <p>Each package is a {@code library} component (the distribution is an
 * {@code operating-system} component) with its purl, licenses, the files its database lists as
 * nested {@code file} components, and jscan properties: {@code jscan:package:type},
 * {@code jscan:layer:number} (the layer that introduced it, numbered from 1 as every jscan report
 * numbers layers), {@code jscan:layer:diffId}, {@code jscan:location:N:path}; the image component
 * has {@code jscan:layer:N:diffId} for layer number N.
 */
public final class CycloneDxWriter {
  private CycloneDxWriter() {}

  public static void write(Sbom sbom, ToolInfo tool, OutputStream out) throws IOException {
    try (JsonGenerator g = Json.generator(out)) {
      g.writeStartObject();
      g.writeStringField("$schema", "http://cyclonedx.org/schema/bom-1.6.schema.json");
      g.writeStringField("bomFormat", "CycloneDX");
      g.writeStringField("specVersion", "1.6");
      g.writeStringField("serialNumber", "urn:uuid:" + Json.uuidFor("cyclonedx", sbom.source().digest()));
      g.writeNumberField("version", 1);
      metadata(g, sbom, tool);
      Map<String, String> parents = new TreeMap<>();
      for (Relationship r : sbom.relationships()) {
        if (r.type() == Relationship.Type.CONTAINS) {
          parents.put(r.to(), r.from());
        }
      }
      g.writeArrayFieldStart("components");
      if (sbom.operatingSystem().isPresent()) {
        var os = sbom.operatingSystem().get();
        g.writeStartObject();
        g.writeStringField("bom-ref", "os:" + os.id());
        g.writeStringField("type", "operating-system");
        g.writeStringField("name", os.id());
        if (os.versionId().isPresent()) {
          g.writeStringField("version", os.versionId().get());
        }
        if (os.prettyName().isPresent()) {
          g.writeStringField("description", os.prettyName().get());
        }
        g.writeEndObject();
      }
      for (Package p : sbom.packages()) {
        component(g, p, sbom.source(), Optional.ofNullable(parents.get(p.id())));
      }
      g.writeEndArray();
      dependencies(g, sbom);
      g.writeEndObject();
      g.writeRaw('\n');
    }
  }

  private static void metadata(JsonGenerator g, Sbom sbom, ToolInfo tool) throws IOException {
    SbomSource source = sbom.source();
    g.writeObjectFieldStart("metadata");
    if (source.created().isPresent()) {
      g.writeStringField("timestamp", Json.timestamp(source.created().get()));
    }
    g.writeObjectFieldStart("tools");
    g.writeArrayFieldStart("components");
    g.writeStartObject();
    g.writeStringField("type", "application");
    g.writeStringField("name", tool.name());
    g.writeStringField("version", tool.version());
    g.writeEndObject();
    g.writeEndArray();
    g.writeEndObject();
    g.writeObjectFieldStart("component");
    g.writeStringField("bom-ref", subjectRef(source));
    g.writeStringField("type", source.kind() == SbomSource.Kind.IMAGE ? "container" : "file");
    g.writeStringField("name", source.name());
    g.writeStringField("version", source.digest().toString());
    g.writeArrayFieldStart("properties");
    if (source.platform().isPresent()) {
      property(g, "jscan:image:platform", source.platform().get());
    }
    for (var layer : source.layers()) {
      if (layer.diffId().isPresent()) {
        property(g, "jscan:layer:" + layer.number() + ":diffId", layer.diffId().get().toString());
      }
    }
    g.writeEndArray();
    g.writeEndObject();
    g.writeEndObject();
  }

  static String subjectRef(SbomSource source) {
    return (source.kind() == SbomSource.Kind.IMAGE ? "image:" : "directory:") + source.digest();
  }

  private static void component(JsonGenerator g, Package p, SbomSource source, Optional<String> parent) throws IOException {
    g.writeStartObject();
    g.writeStringField("bom-ref", p.id());
    g.writeStringField("type", "library");
    g.writeStringField("name", p.name());
    if (p.version().isPresent()) {
      g.writeStringField("version", p.version().get());
    }
    if (p.metadata() instanceof PackageMetadata.JavaArchive java && java.groupId().isPresent()) {
      g.writeStringField("group", java.groupId().get());
    }
    licenses(g, p.licenses());
    if (p.purl().isPresent()) {
      g.writeStringField("purl", p.purl().get().toString());
    }
    g.writeArrayFieldStart("properties");
    property(g, "jscan:package:type", p.type().id());
    property(g, "jscan:layer:number", String.valueOf(p.layerNumber()));
    source.layers().stream().filter(l -> l.index() == p.layer()).findFirst()
        .flatMap(l -> l.diffId()).ifPresent(d -> property(g, "jscan:layer:diffId", d.toString()));
    List<Location> locations = p.locations();
    for (int i = 0; i < locations.size(); i++) {
      property(g, "jscan:location:" + i + ":path", locations.get(i).display());
    }
    for (Map.Entry<String, String> e : metadataProperties(p.metadata()).entrySet()) {
      property(g, "jscan:metadata:" + e.getKey(), e.getValue());
    }
    parent.ifPresent(ref -> property(g, "jscan:containedBy", ref));
    g.writeEndArray();
    if (!p.files().isEmpty()) {
      g.writeArrayFieldStart("components");
      for (OwnedFile f : p.files()) {
        g.writeStartObject();
        g.writeStringField("type", "file");
        g.writeStringField("name", f.path());
        if (f.digest().isPresent()) {
          g.writeArrayFieldStart("hashes");
          g.writeStartObject();
          g.writeStringField("alg", f.digest().get().cycloneDxAlgorithm());
          g.writeStringField("content", f.digest().get().hex());
          g.writeEndObject();
          g.writeEndArray();
        }
        if (f.configFile()) {
          g.writeArrayFieldStart("properties");
          property(g, "jscan:file:config", "true");
          g.writeEndArray();
        }
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    g.writeEndObject();
  }

  /** Selected metadata, flat: what users filter on (architecture, source package, Go build settings). */
  static Map<String, String> metadataProperties(PackageMetadata m) {
    Map<String, String> props = new TreeMap<>();
    m.architecture().ifPresent(a -> props.put("architecture", a));
    if (m instanceof PackageMetadata.Dpkg d) {
      d.source().ifPresent(s -> props.put("source", s));
      d.sourceVersion().ifPresent(s -> props.put("sourceVersion", s));
      d.maintainer().ifPresent(s -> props.put("maintainer", s));
      d.installedSizeKib().ifPresent(s -> props.put("installedSize", String.valueOf(s)));
    } else if (m instanceof PackageMetadata.Apk a) {
      a.originPackage().ifPresent(s -> props.put("origin", s));
      a.maintainer().ifPresent(s -> props.put("maintainer", s));
      a.gitCommit().ifPresent(s -> props.put("gitCommit", s));
    } else if (m instanceof PackageMetadata.Rpm r) {
      r.sourceRpm().ifPresent(s -> props.put("sourceRpm", s));
      r.vendor().ifPresent(s -> props.put("vendor", s));
      r.epoch().ifPresent(s -> props.put("epoch", String.valueOf(s)));
      r.modularityLabel().ifPresent(s -> props.put("modularityLabel", s));
    } else if (m instanceof PackageMetadata.JavaArchive j) {
      props.put("virtualPath", j.virtualPath());
    } else if (m instanceof PackageMetadata.Python py) {
      props.put("metadataDir", py.metadataDir());
    } else if (m instanceof PackageMetadata.GoModule go) {
      props.put("goVersion", go.goVersion());
      props.put("mainModule", String.valueOf(go.mainModule()));
      go.replacedBy().ifPresent(s -> props.put("replacedBy", s));
      go.buildSettings().forEach((k, v) -> props.put("build:" + k, v));
    }
    return props;
  }

  /**
   * CycloneDX 1.6 allows either license objects or a single expression: known SPDX ids become
   * {@code license.id}, other texts {@code license.name}, and a lone SPDX expression an
   * {@code expression}.
   */
  private static void licenses(JsonGenerator g, List<License> licenses) throws IOException {
    if (licenses.isEmpty()) {
      return;
    }
    g.writeArrayFieldStart("licenses");
    if (licenses.size() == 1 && licenses.get(0).spdx().isPresent() && !isId(licenses.get(0))) {
      g.writeStartObject();
      g.writeStringField("expression", licenses.get(0).spdx().get());
      g.writeEndObject();
    } else {
      for (License l : licenses) {
        g.writeStartObject();
        g.writeObjectFieldStart("license");
        if (isId(l)) {
          g.writeStringField("id", l.spdx().get());
        } else {
          g.writeStringField("name", l.declared());
        }
        g.writeEndObject();
        g.writeEndObject();
      }
    }
    g.writeEndArray();
  }

  private static boolean isId(License l) {
    return l.isSingleSpdxId() && SpdxLicenses.isKnownId(l.spdx().get());
  }

  private static void dependencies(JsonGenerator g, Sbom sbom) throws IOException {
    Map<String, TreeSet<String>> edges = new TreeMap<>();
    for (Relationship r : sbom.relationships()) {
      if (r.type() == Relationship.Type.DEPENDS_ON) {
        edges.computeIfAbsent(r.from(), k -> new TreeSet<>()).add(r.to());
      }
    }
    g.writeArrayFieldStart("dependencies");
    List<String> all = new ArrayList<>();
    sbom.packages().forEach(p -> all.add(p.id()));
    g.writeStartObject();
    g.writeStringField("ref", subjectRef(sbom.source()));
    g.writeArrayFieldStart("dependsOn");
    for (String id : new TreeSet<>(all)) {
      g.writeString(id);
    }
    g.writeEndArray();
    g.writeEndObject();
    for (Map.Entry<String, TreeSet<String>> e : edges.entrySet()) {
      g.writeStartObject();
      g.writeStringField("ref", e.getKey());
      g.writeArrayFieldStart("dependsOn");
      for (String to : e.getValue()) {
        g.writeString(to);
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static void property(JsonGenerator g, String name, String value) {
    try {
      g.writeStartObject();
      g.writeStringField("name", name);
      g.writeStringField("value", value);
      g.writeEndObject();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
