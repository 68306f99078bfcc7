package io.jscan.sbom.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jscan.core.testing.Conformance;
import io.jscan.sbom.model.Package;
import io.jscan.sbom.model.Relationship;
import io.jscan.sbom.model.Sbom;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Shared test helpers: the sbom-fixtures corpus, root file systems made by recipe, SBOM queries. */
public final class Fixtures {
  private Fixtures() {}

  public static final ObjectMapper JSON = new ObjectMapper();

  public static Path corpus(String relative) {
    return Conformance.dir("sbom-fixtures").resolve(relative);
  }

  public static JsonNode json(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes {@code files} (relative path → content) under {@code root}; returns root. */
  public static Path rootfs(Path root, Map<String, byte[]> files) throws IOException {
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      Path p = root.resolve(e.getKey());
      Files.createDirectories(p.getParent());
      Files.write(p, e.getValue());
    }
    return root;
  }

  public static Optional<String> text(JsonNode node, String field) {
    JsonNode n = node.get(field);
    return n == null || n.isNull() ? Optional.empty() : Optional.of(n.asText());
  }

  public static List<String> strings(JsonNode node, String field) {
    List<String> result = new ArrayList<>();
    JsonNode n = node.get(field);
    if (n != null) {
      n.forEach(v -> result.add(v.asText()));
    }
    return result;
  }

  /** name → names of the packages it depends on, for packages with dependencies. */
  public static Map<String, Set<String>> dependsOnByName(Sbom sbom) {
    Map<String, Set<String>> result = new TreeMap<>();
    for (Relationship r : sbom.relationships()) {
      if (r.type() == Relationship.Type.DEPENDS_ON) {
        String from = sbom.byId(r.from()).orElseThrow().name();
        String to = sbom.byId(r.to()).orElseThrow().name();
        result.computeIfAbsent(from, k -> new TreeSet<>()).add(to);
      }
    }
    return result;
  }

  public static Package only(List<Package> packages) {
    if (packages.size() != 1) {
      throw new AssertionError("expected one package, got " + packages.stream().map(Package::name).toList());
    }
    return packages.get(0);
  }
}
