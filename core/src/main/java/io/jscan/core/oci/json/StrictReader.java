package io.jscan.core.oci.json;


import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jscan.core.oci.OciException;
import io.jscan.core.text.Printable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.SortedSet;

/**
 * Typed, path-aware access to a JSON tree, failing with "what: path: detail" on the first field of
 * the wrong type. One instance reads one document; {@code what} names that document.
 *
 * <p>{@code null} is treated as absent, as Go's encoding/json does for the optional fields Docker
 * writes as {@code null} ({@code "Env": null}); a required field that is {@code null} is missing.
 */
final class StrictReader {
  /**
   * Duplicate keys are refused: two readers could otherwise pick different values of the same
   * document, the ambiguity behind CVE-2021-41190. Trailing content after the document is refused too.
   */
  static final ObjectMapper MAPPER =
      new ObjectMapper(JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final String what;

  StrictReader(String what) {
    this.what = what;
  }

  String what() {
    return what;
  }

  /** Parses {@code bytes} as one JSON value. */
  JsonNode parse(byte[] bytes) throws OciException {
    try {
      JsonNode node = MAPPER.readTree(bytes);
      if (node == null || node.isMissingNode()) {
        throw fail("", "empty document");
      }
      return node;
    } catch (JsonProcessingException e) {
      // Jackson names its input source in messages; the document is already named by "what"
      String message = e.getOriginalMessage().replaceAll("\\[Source: [^;\\]]*; ", "[");
      throw fail("", "invalid JSON: " + message + locationOf(e));
    } catch (IOException e) {
      throw fail("", "invalid JSON: " + e.getMessage());
    }
  }

  private static String locationOf(JsonProcessingException e) {
    if (e.getLocation() == null) {
      return "";
    }
    return " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
  }

  OciException fail(String path, String detail) {
    // the detail may quote a value of the document (a field name is part of the path): escaped,
    // so that the error stays one line
    String text = Printable.escape(path.isEmpty() ? detail : path + ": " + detail);
    return OciException.badInput(what, text);
  }

  static String child(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  static String index(String path, int i) {
    return path + "[" + i + "]";
  }

  ObjectNode object(JsonNode node, String path) throws OciException {
    if (node == null || !node.isObject()) {
      throw fail(path, "expected an object, got " + describe(node));
    }
    return (ObjectNode) node;
  }

  Optional<JsonNode> optional(ObjectNode object, String path, String field) {
    JsonNode value = object.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    return Optional.of(value);
  }

  JsonNode required(ObjectNode object, String path, String field) throws OciException {
    JsonNode value = object.get(field);
    if (value == null || value.isNull()) {
      throw fail(child(path, field), "required field is missing");
    }
    return value;
  }

  String string(JsonNode node, String path) throws OciException {
    if (!node.isTextual()) {
      throw fail(path, "expected a string, got " + describe(node));
    }
    return node.textValue();
  }

  String requiredString(ObjectNode object, String path, String field) throws OciException {
    return string(required(object, path, field), child(path, field));
  }

  Optional<String> optionalString(ObjectNode object, String path, String field) throws OciException {
    Optional<JsonNode> value = optional(object, path, field);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(string(value.get(), child(path, field)));
  }

  /** A JSON integer that fits a Java long; {@code 1.0}, {@code "1"} and out-of-range values are refused. */
  long integer(JsonNode node, String path) throws OciException {
    if (!node.isIntegralNumber() || !node.canConvertToLong()) {
      throw fail(path, "expected an integer, got " + describe(node));
    }
    return node.longValue();
  }

  Optional<Long> optionalInteger(ObjectNode object, String path, String field) throws OciException {
    Optional<JsonNode> value = optional(object, path, field);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(integer(value.get(), child(path, field)));
  }

  Optional<Boolean> optionalBoolean(ObjectNode object, String path, String field) throws OciException {
    Optional<JsonNode> value = optional(object, path, field);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    if (!value.get().isBoolean()) {
      throw fail(child(path, field), "expected a boolean, got " + describe(value.get()));
    }
    return Optional.of(value.get().booleanValue());
  }

  List<JsonNode> array(JsonNode node, String path) throws OciException {
    if (!node.isArray()) {
      throw fail(path, "expected an array, got " + describe(node));
    }
    List<JsonNode> items = new ArrayList<>(node.size());
    node.elements().forEachRemaining(items::add);
    return items;
  }

  List<String> stringList(JsonNode node, String path) throws OciException {
    List<JsonNode> items = array(node, path);
    List<String> result = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      result.add(string(items.get(i), index(path, i)));
    }
    return result;
  }

  Optional<List<String>> optionalStringList(ObjectNode object, String path, String field) throws OciException {
    Optional<JsonNode> value = optional(object, path, field);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(stringList(value.get(), child(path, field)));
  }

  /** An object whose values are all strings, in document order. */
  Map<String, String> stringMap(JsonNode node, String path) throws OciException {
    ObjectNode object = object(node, path);
    Map<String, String> result = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      result.put(e.getKey(), string(e.getValue(), child(path, e.getKey())));
    }
    return result;
  }

  Map<String, String> optionalStringMap(ObjectNode object, String path, String field) throws OciException {
    Optional<JsonNode> value = optional(object, path, field);
    if (value.isEmpty()) {
      return Map.of();
    }
    return stringMap(value.get(), child(path, field));
  }

  /**
   * Go's {@code map[string]struct{}}: a set written as an object whose values are empty objects
   * ({@code "ExposedPorts": {"80/tcp": {}}}).
   */
  SortedSet<String> objectKeySet(ObjectNode object, String path, String field) throws OciException {
    Optional<JsonNode> value = optional(object, path, field);
    SortedSet<String> result = new TreeSet<>();
    if (value.isEmpty()) {
      return result;
    }
    String p = child(path, field);
    ObjectNode set = object(value.get(), p);
    for (Iterator<Map.Entry<String, JsonNode>> it = set.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isObject() && !e.getValue().isNull()) {
        throw fail(child(p, e.getKey()), "expected an object, got " + describe(e.getValue()));
      }
      result.add(e.getKey());
    }
    return result;
  }

  static String describe(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "nothing";
    }
    JsonNodeType type = node.getNodeType();
    return switch (type) {
      case STRING -> "string \"" + abbreviate(node.textValue()) + "\"";
      case NUMBER -> "number " + node.asText();
      case BOOLEAN -> "boolean " + node.asText();
      case NULL -> "null";
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      default -> type.name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
