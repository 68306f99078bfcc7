package io.jscan.builder.provenance;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jscan.core.oci.Digest;
import java.util.List;
import java.util.Objects;

/**
 * in-toto Statement v1 (in-toto attestation framework, spec/v1/statement.md): the envelope-free
 * claim {@code {_type, subject[], predicateType, predicate}} that provenance and SBOM attachments
 * carry. Signing wraps the same bytes in a DSSE envelope; unsigned attachments store them as they are.
 *
 * <p>Written compactly, fields in the spec's order, so equal inputs give equal bytes.
 */
public final class Statements {
  private Statements() {}

  /** The statement type of in-toto v1. */
  public static final String STATEMENT_V1 = "https://in-toto.io/Statement/v1";
  /** The media type of a statement (in-toto's, as BuildKit labels its attestation blobs). */
  public static final String MEDIA_TYPE = "application/vnd.in-toto+json";
  /** The annotation BuildKit and jscan put on a statement blob: the predicate type it holds. */
  public static final String PREDICATE_TYPE_ANNOTATION = "in-toto.io/predicate-type";

  static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One subject: a name and the digest that binds the statement to the artifact.
   *
   * @param name the image's repository ({@code docker.io/library/app}) or, without one, its digest
   */
  public record Subject(String name, Digest digest) {
    public Subject {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(digest, "digest");
      if (name.isBlank()) {
        throw new IllegalArgumentException("an in-toto subject needs a name");
      }
    }
  }

  /** The statement's bytes. */
  public static byte[] statement(List<Subject> subjects, String predicateType, JsonNode predicate) {
    if (subjects.isEmpty()) {
      // statement.md: "subject ... REQUIRED ... MUST be non-empty"
      throw new IllegalArgumentException("an in-toto statement needs at least one subject");
    }
    Objects.requireNonNull(predicateType, "predicateType");
    Objects.requireNonNull(predicate, "predicate");
    ObjectNode root = JSON.createObjectNode();
    root.put("_type", STATEMENT_V1);
    ArrayNode subjectArray = root.putArray("subject");
    for (Subject s : subjects) {
      ObjectNode n = subjectArray.addObject();
      n.put("name", s.name());
      n.putObject("digest").put(s.digest().algorithm(), s.digest().encoded());
    }
    root.put("predicateType", predicateType);
    root.set("predicate", predicate);
    try {
      return JSON.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise an in-memory JSON tree", e);
    }
  }

  /** A JSON document as a tree, for use as a predicate (an SBOM document, for one). */
  public static JsonNode parse(byte[] json) {
    try {
      return JSON.readTree(json);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
    }
  }
}
