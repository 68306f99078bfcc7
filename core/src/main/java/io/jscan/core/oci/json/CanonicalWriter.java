package io.jscan.core.oci.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.ImageConfig;
import io.jscan.core.oci.ImageConfig.ContainerConfig;
import io.jscan.core.oci.ImageConfig.HealthCheck;
import io.jscan.core.oci.ImageConfig.History;
import io.jscan.core.oci.IndexManifest;
import io.jscan.core.oci.LayoutHeader;
import io.jscan.core.oci.Manifest;
import io.jscan.core.oci.Platform;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Writes the OCI documents in one canonical form: compact, UTF-8, fields in the order of the
 * image-spec's Go types, maps sorted by key, optional fields left out when absent or empty.
 * The generator is driven field by field (no reflection), so the order cannot change with a
 * library or JDK upgrade.
 */
final class CanonicalWriter {
  private CanonicalWriter() {}

  private static final JsonFactory FACTORY = new JsonFactory();

  @FunctionalInterface
  private interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  private static byte[] render(Body body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      body.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException("writing JSON to memory", e);
    }
    return out.toByteArray();
  }

  static byte[] manifest(Manifest m) {
    return render(
        g -> {
          g.writeStartObject();
          g.writeNumberField("schemaVersion", 2);
          g.writeStringField("mediaType", m.mediaType());
          optionalString(g, "artifactType", m.artifactType());
          g.writeFieldName("config");
          descriptor(g, m.config());
          g.writeArrayFieldStart("layers");
          for (Descriptor layer : m.layers()) {
            descriptor(g, layer);
          }
          g.writeEndArray();
          if (m.subject().isPresent()) {
            g.writeFieldName("subject");
            descriptor(g, m.subject().get());
          }
          stringMap(g, "annotations", m.annotations());
          g.writeEndObject();
        });
  }

  static byte[] index(IndexManifest index) {
    return render(
        g -> {
          g.writeStartObject();
          g.writeNumberField("schemaVersion", 2);
          g.writeStringField("mediaType", index.mediaType());
          optionalString(g, "artifactType", index.artifactType());
          g.writeArrayFieldStart("manifests");
          for (Descriptor d : index.manifests()) {
            descriptor(g, d);
          }
          g.writeEndArray();
          if (index.subject().isPresent()) {
            g.writeFieldName("subject");
            descriptor(g, index.subject().get());
          }
          stringMap(g, "annotations", index.annotations());
          g.writeEndObject();
        });
  }

  static byte[] descriptor(Descriptor d) {
    return render(g -> descriptor(g, d));
  }

  static byte[] layoutHeader(LayoutHeader header) {
    return render(
        g -> {
          g.writeStartObject();
          g.writeStringField("imageLayoutVersion", header.imageLayoutVersion());
          g.writeEndObject();
        });
  }

  static byte[] config(ImageConfig c) {
    return render(
        g -> {
          g.writeStartObject();
          if (c.created().isPresent()) {
            g.writeStringField("created", Rfc3339.format(c.created().get()));
          }
          optionalString(g, "author", c.author());
          g.writeStringField("architecture", c.architecture());
          g.writeStringField("os", c.os());
          optionalString(g, "os.version", c.osVersion());
          nonEmptyStrings(g, "os.features", c.osFeatures());
          optionalString(g, "variant", c.variant());
          g.writeFieldName("config");
          containerConfig(g, c.config());
          g.writeObjectFieldStart("rootfs");
          g.writeStringField("type", c.rootfs().type());
          g.writeArrayFieldStart("diff_ids");
          for (Digest d : c.rootfs().diffIds()) {
            g.writeString(d.toString());
          }
          g.writeEndArray();
          g.writeEndObject();
          if (!c.history().isEmpty()) {
            g.writeArrayFieldStart("history");
            for (History h : c.history()) {
              g.writeStartObject();
              if (h.created().isPresent()) {
                g.writeStringField("created", Rfc3339.format(h.created().get()));
              }
              optionalString(g, "created_by", h.createdBy());
              optionalString(g, "author", h.author());
              optionalString(g, "comment", h.comment());
              if (h.emptyLayer()) {
                g.writeBooleanField("empty_layer", true);
              }
              g.writeEndObject();
            }
            g.writeEndArray();
          }
          g.writeEndObject();
        });
  }

  private static void containerConfig(JsonGenerator g, ContainerConfig c) throws IOException {
    g.writeStartObject();
    optionalString(g, "User", c.user());
    objectSet(g, "ExposedPorts", c.exposedPorts());
    nonEmptyStrings(g, "Env", c.env());
    // Entrypoint, Cmd and Shell: Docker tells "unset" (absent) from "set to empty" ([]), so an
    // empty list present is written
    optionalStrings(g, "Entrypoint", c.entrypoint());
    optionalStrings(g, "Cmd", c.cmd());
    objectSet(g, "Volumes", c.volumes());
    optionalString(g, "WorkingDir", c.workingDir());
    stringMap(g, "Labels", c.labels());
    optionalString(g, "StopSignal", c.stopSignal());
    if (c.argsEscaped().isPresent()) {
      g.writeBooleanField("ArgsEscaped", c.argsEscaped().get());
    }
    if (c.healthcheck().isPresent()) {
      HealthCheck h = c.healthcheck().get();
      g.writeObjectFieldStart("Healthcheck");
      nonEmptyStrings(g, "Test", h.test());
      optionalLong(g, "Interval", h.intervalNanos());
      optionalLong(g, "Timeout", h.timeoutNanos());
      optionalLong(g, "StartPeriod", h.startPeriodNanos());
      optionalLong(g, "StartInterval", h.startIntervalNanos());
      if (h.retries().isPresent()) {
        g.writeNumberField("Retries", h.retries().get());
      }
      g.writeEndObject();
    }
    nonEmptyStrings(g, "OnBuild", c.onBuild());
    optionalStrings(g, "Shell", c.shell());
    g.writeEndObject();
  }

  private static void descriptor(JsonGenerator g, Descriptor d) throws IOException {
    g.writeStartObject();
    g.writeStringField("mediaType", d.mediaType());
    g.writeStringField("digest", d.digest().toString());
    g.writeNumberField("size", d.size());
    nonEmptyStrings(g, "urls", d.urls());
    stringMap(g, "annotations", d.annotations());
    optionalString(g, "data", d.data());
    if (d.platform().isPresent()) {
      g.writeFieldName("platform");
      platform(g, d.platform().get());
    }
    optionalString(g, "artifactType", d.artifactType());
    g.writeEndObject();
  }

  private static void platform(JsonGenerator g, Platform p) throws IOException {
    g.writeStartObject();
    g.writeStringField("architecture", p.architecture());
    g.writeStringField("os", p.os());
    optionalString(g, "os.version", p.osVersion());
    nonEmptyStrings(g, "os.features", p.osFeatures());
    optionalString(g, "variant", p.variant());
    g.writeEndObject();
  }

  private static void optionalString(JsonGenerator g, String field, Optional<String> value) throws IOException {
    if (value.isPresent()) {
      g.writeStringField(field, value.get());
    }
  }

  private static void optionalLong(JsonGenerator g, String field, Optional<Long> value) throws IOException {
    if (value.isPresent()) {
      g.writeNumberField(field, value.get());
    }
  }

  private static void nonEmptyStrings(JsonGenerator g, String field, List<String> values) throws IOException {
    if (!values.isEmpty()) {
      strings(g, field, values);
    }
  }

  private static void optionalStrings(JsonGenerator g, String field, Optional<List<String>> values)
      throws IOException {
    if (values.isPresent()) {
      strings(g, field, values.get());
    }
  }

  private static void strings(JsonGenerator g, String field, List<String> values) throws IOException {
    g.writeArrayFieldStart(field);
    for (String v : values) {
      g.writeString(v);
    }
    g.writeEndArray();
  }

  /** Go's {@code map[string]struct{}}: {@code {"80/tcp":{}}}, keys sorted. */
  private static void objectSet(JsonGenerator g, String field, Collection<String> keys) throws IOException {
    if (keys.isEmpty()) {
      return;
    }
    g.writeObjectFieldStart(field);
    for (String k : new java.util.TreeSet<>(keys)) {
      g.writeObjectFieldStart(k);
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  private static void stringMap(JsonGenerator g, String field, Map<String, String> map) throws IOException {
    if (map.isEmpty()) {
      return;
    }
    g.writeObjectFieldStart(field);
    for (Map.Entry<String, String> e : new TreeMap<>(map).entrySet()) {
      g.writeStringField(e.getKey(), e.getValue());
    }
    g.writeEndObject();
  }
}
