package io.jscan.verifier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.jscan.core.testing.RepoPaths;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;

/** The JSON Schemas jscan ships (policy files, JSON report), for validating documents in tests. */
public final class Schemas {
  private Schemas() {}

  public static final ObjectMapper JSON = new ObjectMapper();
  public static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  public static JsonSchema policy() {
    try {
      return load(Files.readString(RepoPaths.repoRoot().resolve("policies/policy.schema.json")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static JsonSchema report() {
    try (InputStream in = Schemas.class.getResourceAsStream("/io/jscan/verifier/report/report.schema.json")) {
      return load(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonSchema load(String schema) {
    return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schema);
  }

  /** Problems of {@code doc} against {@code schema}, one per line; empty when valid. */
  public static String problems(JsonSchema schema, JsonNode doc) {
    Set<ValidationMessage> errors = schema.validate(doc);
    return errors.stream().map(ValidationMessage::getMessage).sorted().collect(Collectors.joining("\n"));
  }

  public static JsonNode yaml(Path file) throws IOException {
    return YAML.readTree(file.toFile());
  }

  public static JsonNode yaml(String text) throws IOException {
    return YAML.readTree(text);
  }
}
