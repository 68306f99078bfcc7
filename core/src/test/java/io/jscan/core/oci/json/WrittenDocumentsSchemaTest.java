package io.jscan.core.oci.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.image.Image;
import io.jscan.core.image.ImageBuilder;
import io.jscan.core.image.Layers;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.ImageConfig.ContainerConfig;
import io.jscan.core.oci.ImageConfig.HealthCheck;
import io.jscan.core.oci.ImageConfig.History;
import io.jscan.core.oci.IndexManifest;
import io.jscan.core.oci.LayoutHeader;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.MediaTypes.Compression;
import io.jscan.core.oci.Platform;
import io.jscan.core.testing.TarBuilder;
import com.networknt.schema.ValidationMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Documents jscan writes pass the image-spec's official JSON schemas (test-only check). */
class WrittenDocumentsSchemaTest {
  private static OciSchemas schemas;

  @BeforeAll
  static void loadSchemas() {
    schemas = new OciSchemas(OciSpecConformanceTest.corpus().resolve("schema"));
  }

  private static void assertSchemaValid(String mediaType, byte[] document) throws Exception {
    Set<ValidationMessage> problems = schemas.validate(mediaType, document);
    assertTrue(problems.isEmpty(), mediaType + " " + new String(document, java.nio.charset.StandardCharsets.UTF_8) + " -> " + problems);
  }

  /** An image using every config field jscan can write. */
  static Image richImage() throws Exception {
    ContainerConfig config =
        new ContainerConfig(
            Optional.of("1000:1000"),
            new TreeSet<>(List.of("8080/tcp", "53/udp")),
            List.of("PATH=/usr/bin:/bin", "MULTI=line\nvalue"),
            Optional.of(List.of("/entry")),
            Optional.of(List.of()),
            new TreeSet<>(List.of("/data")),
            Optional.of("/work"),
            new TreeMap<>(Map.of("org.opencontainers.image.title", "demo", "a", "b")),
            Optional.of("SIGTERM"),
            Optional.of(true),
            Optional.of(new HealthCheck(List.of("CMD", "true"), Optional.of(30_000_000_000L), Optional.of(5_000_000_000L), Optional.empty(), Optional.empty(), Optional.of(3))),
            List.of("RUN echo child"),
            Optional.of(List.of("/bin/sh", "-c")));
    return ImageBuilder.fromScratch(new Platform("linux", "arm64", Optional.of("v8"), Optional.empty(), List.of()))
        .containerConfig(c -> config)
        .created(Instant.parse("2024-05-06T07:08:09.120Z"))
        .author("jscan tests")
        .addLayer(
            Layers.compress(TarBuilder.tar().file("a.txt", "a").build(), Compression.GZIP),
            new History(Optional.of(Instant.EPOCH), Optional.of("COPY a.txt /"), Optional.empty(), Optional.of("c"), false))
        .addHistory(new History(Optional.of(Instant.EPOCH), Optional.of("CMD []"), Optional.empty(), Optional.empty(), true))
        .annotation("org.opencontainers.image.created", "2024-05-06T07:08:09.12Z")
        .build();
  }

  @Test
  void writtenManifestAndConfig_passTheOfficialSchemas() throws Exception {
    Image image = richImage();
    assertSchemaValid(MediaTypes.OCI_MANIFEST, image.manifestBytes());
    assertSchemaValid(MediaTypes.OCI_CONFIG, image.configBytes());
  }

  @Test
  void writtenIndexDescriptorAndLayoutHeader_passTheOfficialSchemas() throws Exception {
    Image image = richImage();
    Descriptor entry =
        image.descriptor()
            .withPlatform(new Platform("linux", "arm64", Optional.of("v8"), Optional.of("1"), List.of("f")))
            .withAnnotation("org.opencontainers.image.ref.name", "1.0");
    IndexManifest index =
        new IndexManifest(MediaTypes.OCI_INDEX, Optional.of("application/vnd.example+type"), List.of(entry), Optional.of(image.descriptor()), Map.of("k", "v"));
    assertSchemaValid(MediaTypes.OCI_INDEX, OciJson.write(index));
    Descriptor withData =
        new Descriptor(MediaTypes.OCI_EMPTY, Digest.sha256("{}"), 2, List.of("https://example.com/x"), Map.of(), Optional.empty(), Optional.of("application/vnd.example"), Optional.of("e30="));
    assertSchemaValid(MediaTypes.OCI_DESCRIPTOR, OciJson.write(withData));
    assertSchemaValid(MediaTypes.OCI_LAYOUT_HEADER, OciJson.write(LayoutHeader.CURRENT));
  }

  @Test
  void schemaHarness_acceptsTheSpecExamples_andRejectsAnInvalidCase() throws Exception {
    // the schema loader itself is checked on documents with known answers
    Path examples = OciSpecConformanceTest.corpus().resolve("examples");
    for (String[] row : OciSpecConformanceTest.rows(examples.resolve("expected.tsv"))) {
      assertSchemaValid(row[1], Files.readAllBytes(examples.resolve(row[0])));
    }
    Path invalid = OciSpecConformanceTest.corpus().resolve("cases/manifest-03.json");
    assertFalse(schemas.validate(MediaTypes.OCI_MANIFEST, Files.readAllBytes(invalid)).isEmpty());
    Path badUrl = OciSpecConformanceTest.corpus().resolve("cases/descriptor-18.json");
    assertEquals(1, schemas.validate(MediaTypes.OCI_DESCRIPTOR, Files.readAllBytes(badUrl)).size(), "uri format is asserted");
  }
}
