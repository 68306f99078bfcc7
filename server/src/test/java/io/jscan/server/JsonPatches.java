package io.jscan.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

/** Applies the {@code replace} operations of an RFC 6902 patch, as the API server would (for the tests' checks). */
final class JsonPatches {
  private JsonPatches() {}

  static JsonNode apply(JsonNode document, JsonNode patch) {
    JsonNode doc = document.deepCopy();
    for (JsonNode op : patch) {
      if (!op.path("op").asText().equals("replace")) {
        throw new AssertionError("unexpected operation " + op);
      }
      String path = op.path("path").asText();
      int slash = path.lastIndexOf('/');
      JsonNode parent = doc.at(path.substring(0, slash));
      String last = path.substring(slash + 1).replace("~1", "/").replace("~0", "~");
      if (parent instanceof ObjectNode o) {
        if (!o.has(last)) {
          throw new AssertionError("replace of a missing member " + path); // RFC 6902 4.3: the target must exist
        }
        o.set(last, op.get("value"));
      } else if (parent instanceof ArrayNode a) {
        a.set(Integer.parseInt(last), op.get("value"));
      } else {
        throw new AssertionError("no parent for " + path);
      }
    }
    return doc;
  }

  static TextNode text(String s) {
    return TextNode.valueOf(s);
  }
}
