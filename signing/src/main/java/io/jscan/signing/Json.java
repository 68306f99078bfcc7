package io.jscan.signing;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.jscan.core.text.FileExcerpts;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.Base64;

/**
 * Strict JSON reading for signed documents: duplicate keys are an error (two parsers could
 * otherwise read different values from the same signed bytes), and trailing content is refused.
 */
public final class Json {
  public static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(JsonParser.Feature.ALLOW_COMMENTS)
          .build();

  private Json() {}

  /** Parses {@code bytes} as one JSON object; BAD_INPUT otherwise. */
  public static JsonNode object(byte[] bytes, String what) throws SigningException {
    JsonNode node;
    try {
      node = MAPPER.readTree(bytes);
    } catch (IOException e) {
      // never Jackson's message: it quotes the file (FileExcerpts)
      throw SigningException.badInput(what, e instanceof JsonProcessingException j ? FileExcerpts.jsonProblem(j) : "not valid JSON");
    }
    if (node == null || !node.isObject()) {
      throw SigningException.badInput(what, "expected a JSON object");
    }
    return node;
  }

  /** A required string member. */
  public static String string(JsonNode parent, String field, String what) throws SigningException {
    JsonNode n = parent.get(field);
    if (n == null || !n.isTextual()) {
      throw SigningException.badInput(what, "\"" + field + "\" is missing or not a string");
    }
    return n.asText();
  }

  /** An optional string member: null when absent or JSON null. */
  public static String optionalString(JsonNode parent, String field, String what) throws SigningException {
    JsonNode n = parent.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw SigningException.badInput(what, "\"" + field + "\" is not a string");
    }
    return n.asText();
  }

  /** A required object member. */
  public static JsonNode object(JsonNode parent, String field, String what) throws SigningException {
    JsonNode n = parent.get(field);
    if (n == null || !n.isObject()) {
      throw SigningException.badInput(what, "\"" + field + "\" is missing or not an object");
    }
    return n;
  }

  /** A required array member. */
  public static JsonNode array(JsonNode parent, String field, String what) throws SigningException {
    JsonNode n = parent.get(field);
    if (n == null || !n.isArray()) {
      throw SigningException.badInput(what, "\"" + field + "\" is missing or not an array");
    }
    return n;
  }

  /** A required standard-base64 string member (protobuf JSON also allows URL-safe base64). */
  public static byte[] base64(JsonNode parent, String field, String what) throws SigningException {
    return decodeBase64(string(parent, field, what), field, what);
  }

  public static byte[] decodeBase64(String value, String field, String what) throws SigningException {
    try {
      if (value.indexOf('-') >= 0 || value.indexOf('_') >= 0) {
        return Base64.getUrlDecoder().decode(value);
      }
      return Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      throw SigningException.badInput(what, "\"" + field + "\" is not base64");
    }
  }

  /** A protobuf-JSON int64: a decimal string (or a plain number), as in Rekor's logIndex. */
  public static long int64(JsonNode parent, String field, String what) throws SigningException {
    JsonNode n = parent.get(field);
    if (n == null || n.isNull()) {
      throw SigningException.badInput(what, "\"" + field + "\" is missing");
    }
    try {
      if (n.isIntegralNumber() && n.canConvertToLong()) {
        return n.asLong();
      }
      if (n.isTextual()) {
        return Long.parseLong(n.asText());
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw SigningException.badInput(what, "\"" + field + "\" is not an integer");
  }
}
