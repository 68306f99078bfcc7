package io.jscan.signing.payload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jscan.core.oci.Digest;
import io.jscan.signing.Json;
import io.jscan.signing.SigningException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An in-toto Statement (in-toto attestation framework, spec/v1/statement.md): who the attestation is
 * about ({@code subject}, each with digests), what kind of claim ({@code predicateType}) and the
 * claim ({@code predicate}). jscan writes v1; it reads v1 and the v0.1 that cosign 2 still writes.
 */
public record InTotoStatement(String type, List<Subject> subjects, String predicateType, JsonNode predicate) {
  public static final String TYPE_V1 = "https://in-toto.io/Statement/v1";
  public static final String TYPE_V01 = "https://in-toto.io/Statement/v0.1";
  /** The DSSE payloadType of a statement. */
  public static final String PAYLOAD_TYPE = "application/vnd.in-toto+json";

  /** One subject: a name and at least one digest ({@code sha256 -> hex}). */
  public record Subject(String name, Map<String, String> digest) {
    public Subject {
      Objects.requireNonNull(name, "name");
      if (digest == null || digest.isEmpty()) {
        throw new IllegalArgumentException("an in-toto subject needs at least one digest");
      }
      digest = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(digest));
    }

    public static Subject of(String name, Digest d) {
      return new Subject(name, Map.of(d.algorithm(), d.encoded()));
    }

    /** Exact match of the digest's algorithm and lowercase hex (the spec's DigestSet). */
    public boolean matches(Digest d) {
      return d.encoded().equals(digest.get(d.algorithm()));
    }
  }

  public InTotoStatement {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(predicateType, "predicateType");
    Objects.requireNonNull(predicate, "predicate");
    if (!type.equals(TYPE_V1) && !type.equals(TYPE_V01)) {
      throw new IllegalArgumentException("unsupported statement type " + type);
    }
    if (subjects == null || subjects.isEmpty()) {
      throw new IllegalArgumentException("an in-toto statement needs at least one subject");
    }
    subjects = List.copyOf(subjects);
  }

  /** A v1 statement; {@code predicateType} may be a shorthand ({@link PredicateTypes}). */
  public static InTotoStatement v1(List<Subject> subjects, String predicateType, JsonNode predicate) throws SigningException {
    return new InTotoStatement(TYPE_V1, subjects, PredicateTypes.resolve(predicateType), predicate);
  }

  public byte[] toJson() {
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("_type", type);
    ArrayNode subs = root.putArray("subject");
    for (Subject s : subjects) {
      ObjectNode n = subs.addObject();
      n.put("name", s.name());
      ObjectNode d = n.putObject("digest");
      s.digest().forEach(d::put);
    }
    root.put("predicateType", predicateType);
    root.set("predicate", predicate);
    try {
      return Json.MAPPER.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialize an in-memory JSON tree", e);
    }
  }

  public static InTotoStatement parse(byte[] json) throws SigningException {
    String what = "parsing in-toto statement";
    JsonNode root = Json.object(json, what);
    String type = Json.string(root, "_type", what);
    if (!type.equals(TYPE_V1) && !type.equals(TYPE_V01)) {
      throw SigningException.badInput(what, "unsupported _type \"" + type + "\"");
    }
    List<Subject> subjects = new ArrayList<>();
    for (JsonNode s : Json.array(root, "subject", what)) {
      if (!s.isObject()) {
        throw SigningException.badInput(what, "a subject is not an object");
      }
      String name = s.has("name") ? Json.string(s, "name", what) : "";
      Map<String, String> digests = new LinkedHashMap<>();
      JsonNode d = Json.object(s, "digest", what);
      for (Iterator<Map.Entry<String, JsonNode>> it = d.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isTextual()) {
          throw SigningException.badInput(what, "digest \"" + e.getKey() + "\" is not a string");
        }
        digests.put(e.getKey(), e.getValue().asText());
      }
      if (digests.isEmpty()) {
        throw SigningException.badInput(what, "subject \"" + name + "\" has no digest");
      }
      subjects.add(new Subject(name, digests));
    }
    if (subjects.isEmpty()) {
      throw SigningException.badInput(what, "the statement has no subject");
    }
    String predicateType = Json.string(root, "predicateType", what);
    JsonNode predicate = root.get("predicate");
    if (predicate == null) {
      predicate = Json.MAPPER.createObjectNode();
    }
    return new InTotoStatement(type, subjects, predicateType, predicate);
  }

  public boolean hasSubject(Digest digest) {
    return subjects.stream().anyMatch(s -> s.matches(digest));
  }

  /** INTEGRITY unless some subject has exactly {@code digest}: an attestation is about its subjects only. */
  public void requireSubject(Digest digest) throws SigningException {
    if (!hasSubject(digest)) {
      throw SigningException.integrity("checking attestation subject", digest + " is not a subject of the statement");
    }
  }
}
