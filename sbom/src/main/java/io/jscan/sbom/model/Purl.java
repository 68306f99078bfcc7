package io.jscan.sbom.model;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A package URL (purl-spec: {@code pkg:type/namespace/name@version?qualifiers#subpath}).
 *
 * <p>{@link #toString()} is the canonical form: every character outside {@code A-Za-z0-9.-_~} is
 * percent-encoded in namespace segments, name, version and qualifier values (so {@code g++} is
 * {@code g%2B%2B} and a Debian epoch {@code 1:2.3} is {@code 1%3A2.3}), qualifiers are sorted by key
 * and empty ones are left out.
 */
public record Purl(
    String type, List<String> namespace, String name, Optional<String> version, SortedMap<String, String> qualifiers, Optional<String> subpath) {
  private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9.+-]*");
  private static final Pattern QUALIFIER_KEY = Pattern.compile("[a-z][a-z0-9._-]*");

  public Purl {
    if (type == null || !TYPE.matcher(type).matches()) {
      throw new IllegalArgumentException("invalid purl type \"" + type + "\"");
    }
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("purl of type " + type + " without a name");
    }
    namespace = List.copyOf(namespace);
    for (String segment : namespace) {
      if (segment.isEmpty()) {
        throw new IllegalArgumentException("empty namespace segment in purl of " + name);
      }
    }
    version = version.filter(v -> !v.isEmpty());
    TreeMap<String, String> q = new TreeMap<>();
    for (Map.Entry<String, String> e : qualifiers.entrySet()) {
      if (!QUALIFIER_KEY.matcher(e.getKey()).matches()) {
        throw new IllegalArgumentException("invalid purl qualifier key \"" + e.getKey() + "\"");
      }
      if (e.getValue() != null && !e.getValue().isEmpty()) {
        q.put(e.getKey(), e.getValue());
      }
    }
    qualifiers = Collections.unmodifiableSortedMap(q);
    subpath = subpath.filter(s -> !s.isEmpty());
  }

  public static Purl of(String type, List<String> namespace, String name, Optional<String> version, Map<String, String> qualifiers) {
    return new Purl(type, namespace, name, version, new TreeMap<>(qualifiers), Optional.empty());
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("pkg:").append(type).append('/');
    for (String segment : namespace) {
      s.append(encode(segment)).append('/');
    }
    s.append(encode(name));
    version.ifPresent(v -> s.append('@').append(encode(v)));
    String sep = "?";
    for (Map.Entry<String, String> e : qualifiers.entrySet()) {
      s.append(sep).append(e.getKey()).append('=').append(encode(e.getValue()));
      sep = "&";
    }
    subpath.ifPresent(p -> {
      s.append('#');
      String slash = "";
      for (String segment : p.split("/")) {
        if (!segment.isEmpty() && !segment.equals(".") && !segment.equals("..")) {
          s.append(slash).append(encode(segment));
          slash = "/";
        }
      }
    });
    return s.toString();
  }

  /** Percent-encodes UTF-8 bytes outside the unreserved set of RFC 3986. */
  static String encode(String value) {
    StringBuilder s = new StringBuilder();
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
        s.append((char) c);
      } else {
        s.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16))).append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return s.toString();
  }
}
