package io.jscan.sbom.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * The official JSON schemas, from the jars that ship them (test dependencies, nothing fetched):
 * CycloneDX 1.6 ({@code bom-1.6.schema.json} with its {@code spdx.schema.json} and
 * {@code jsf-0.82.schema.json}, in cyclonedx-core-java) and SPDX 2.3
 * ({@code resources/spdx-schema-v2.3.json}, in spdx tools-java).
 */
public final class SbomSchemas {
  private SbomSchemas() {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CDX_BASE = "http://cyclonedx.org/schema/";

  private static String resource(String name) {
    try (InputStream in = SbomSchemas.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("schema " + name + " is not on the test class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final JsonSchema CYCLONEDX_16 = cycloneDx();
  private static final JsonSchema SPDX_23 = spdx();

  private static JsonSchema cycloneDx() {
    JsonSchemaFactory factory = JsonSchemaFactory.getInstance(
        SpecVersion.VersionFlag.V7,
        b -> b.schemaLoaders(l -> l.schemas(iri -> {
          String path = iri.contains("#") ? iri.substring(0, iri.indexOf('#')) : iri;
          return path.startsWith(CDX_BASE) ? resource(path.substring(CDX_BASE.length())) : null;
        })));
    SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
    return factory.getSchema(SchemaLocation.of(CDX_BASE + "bom-1.6.schema.json"), config);
  }

  private static JsonSchema spdx() {
    JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V201909);
    SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
    return factory.getSchema(resource("resources/spdx-schema-v2.3.json"), config);
  }

  public static Set<ValidationMessage> validateCycloneDx(String document) throws IOException {
    JsonNode node = JSON.readTree(document);
    return CYCLONEDX_16.validate(node);
  }

  public static Set<ValidationMessage> validateSpdx(String document) throws IOException {
    JsonNode node = JSON.readTree(document);
    return SPDX_23.validate(node);
  }
}
