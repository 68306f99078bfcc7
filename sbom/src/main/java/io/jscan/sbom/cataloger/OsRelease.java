package io.jscan.sbom.cataloger;

import io.jscan.sbom.fs.FileMeta;
import io.jscan.sbom.fs.FileTree;
import io.jscan.sbom.fs.Selector;
import io.jscan.sbom.model.OperatingSystem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The image's operating system from os-release(5): {@code etc/os-release}, else
 * {@code usr/lib/os-release} (Debian's {@code etc/os-release} is a symlink to the latter).
 */
public final class OsRelease {
  private OsRelease() {}

  private static final List<String> PATHS = List.of("etc/os-release", "usr/lib/os-release");

  /** Both candidate files (and a symlink's target under usr/lib). */
  public static final Selector SELECTOR = Selector.files("os-release", f -> PATHS.contains(f.path()));

  public static Optional<OperatingSystem> read(FileTree tree) throws IOException {
    tree.select(SELECTOR); // makes sure an image tree kept them
    for (String path : PATHS) {
      Optional<FileMeta> file = tree.resolve(path).filter(FileMeta::isRegular);
      if (file.isPresent()) {
        byte[] bytes;
        try (var in = tree.open(file.get())) {
          bytes = in.readNBytes(64 * 1024);
        }
        Optional<OperatingSystem> os = parse(new String(bytes, StandardCharsets.UTF_8));
        if (os.isPresent()) {
          return os;
        }
      }
    }
    return Optional.empty();
  }

  /** Parses os-release text: {@code KEY=value} lines, values optionally quoted with shell escapes. */
  public static Optional<OperatingSystem> parse(String text) {
    Map<String, String> values = new HashMap<>();
    for (String raw : text.split("\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      values.put(line.substring(0, eq).strip(), unquote(line.substring(eq + 1).strip()));
    }
    String id = values.getOrDefault("ID", "").toLowerCase(Locale.ROOT);
    if (id.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new OperatingSystem(
        id,
        nonEmpty(values.get("VERSION_ID")),
        nonEmpty(values.get("VERSION_CODENAME")),
        nonEmpty(values.get("PRETTY_NAME")),
        nonEmpty(values.get("NAME")),
        values.containsKey("ID_LIKE")
            ? Arrays.stream(values.get("ID_LIKE").split("\\s+")).filter(s -> !s.isEmpty()).toList()
            : List.of()));
  }

  private static Optional<String> nonEmpty(String s) {
    return s == null || s.isEmpty() ? Optional.empty() : Optional.of(s);
  }

  private static String unquote(String v) {
    if (v.length() >= 2 && (v.charAt(0) == '"' || v.charAt(0) == '\'') && v.charAt(v.length() - 1) == v.charAt(0)) {
      String inner = v.substring(1, v.length() - 1);
      if (v.charAt(0) == '"') {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < inner.length(); i++) {
          char c = inner.charAt(i);
          if (c == '\\' && i + 1 < inner.length()) {
            s.append(inner.charAt(++i));
          } else {
            s.append(c);
          }
        }
        return s.toString();
      }
      return inner;
    }
    return v;
  }
}
