package io.jscan.core.oci.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.jscan.core.oci.MediaTypes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * The image-spec's official JSON schemas (draft-04), loaded from the conformance corpus. Their
 * {@code $ref}s name files relative to ids under {@code https://opencontainers.org/schema/} (and
 * nested ids move the base around), so any IRI is resolved by its last path segment to the file
 * of that name in the schema folder, as SOURCE.md describes.
 */
final class OciSchemas {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path dir;
  private final JsonSchemaFactory factory;

  OciSchemas(Path schemaDir) {
    this.dir = schemaDir;
    this.factory =
        JsonSchemaFactory.getInstance(
            SpecVersion.VersionFlag.V4,
            builder -> builder.schemaLoaders(loaders -> loaders.schemas(this::load)));
  }

  private String load(String iri) {
    String path = iri.contains("#") ? iri.substring(0, iri.indexOf('#')) : iri;
    String name = path.substring(path.lastIndexOf('/') + 1);
    Path file = dir.resolve(name);
    if (!name.endsWith(".json") || !Files.isRegularFile(file)) {
      return null;
    }
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The root schema file for a media type (SOURCE.md, step 1). */
  static String schemaFile(String mediaType) {
    return switch (mediaType) {
      case MediaTypes.OCI_DESCRIPTOR -> "content-descriptor.json";
      case MediaTypes.OCI_LAYOUT_HEADER -> "image-layout-schema.json";
      case MediaTypes.OCI_MANIFEST -> "image-manifest-schema.json";
      case MediaTypes.OCI_INDEX -> "image-index-schema.json";
      case MediaTypes.OCI_CONFIG -> "config-schema.json";
      default -> throw new IllegalArgumentException("no schema for " + mediaType);
    };
  }

  /** Validation problems of {@code document} against the schema of {@code mediaType}; empty when valid. */
  Set<ValidationMessage> validate(String mediaType, byte[] document) throws IOException {
    SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
    JsonSchema schema =
        factory.getSchema(com.networknt.schema.SchemaLocation.of("https://opencontainers.org/schema/" + schemaFile(mediaType)), config);
    JsonNode node = JSON.readTree(document);
    return schema.validate(node);
  }
}
