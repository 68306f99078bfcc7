package io.jscan.core.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;

/**
 * Checks an in-toto statement against {@code testdata/schemas/slsa-provenance-v1.schema.json}, the
 * test-only schema written from the in-toto and SLSA v1 specs. Modules using it need
 * {@code com.networknt:json-schema-validator} on their test class path.
 */
public final class ProvenanceSchema {
  private ProvenanceSchema() {}

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The schema's complaints, one line each; empty when the statement is valid. */
  public static List<String> problems(byte[] statement) throws IOException {
    JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
    JsonSchema schema = factory.getSchema(Files.readString(RepoPaths.testdata("schemas/slsa-provenance-v1.schema.json")), config);
    return schema.validate(JSON.readTree(statement)).stream().map(ValidationMessage::toString).sorted().toList();
  }
}
