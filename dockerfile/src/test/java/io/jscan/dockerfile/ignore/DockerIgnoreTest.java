package io.jscan.dockerfile.ignore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.dockerfile.DockerfileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerIgnoreTest {

  @Test
  void canSkipDirectory_excludedDirWithoutReinclusion_isSkipped() throws Exception {
    DockerIgnore ignore = DockerIgnore.of(List.of("node_modules", "*.log"));

    assertTrue(ignore.canSkipDirectory("node_modules"));
    assertFalse(ignore.canSkipDirectory("src"));
  }

  @Test
  void canSkipDirectory_reinclusionBelowDir_keepsWalking() throws Exception {
    DockerIgnore ignore = DockerIgnore.of(List.of("docs", "!docs/README.md", "build", "!other/keep"));

    assertFalse(ignore.canSkipDirectory("docs"), "docs/README.md is re-included");
    assertTrue(ignore.canSkipDirectory("build"), "no ! pattern reaches into build/");
  }

  @Test
  void canSkipDirectory_doubleStarReinclusion_isNeverPruned() throws Exception {
    DockerIgnore ignore = DockerIgnore.of(List.of("*", "!**/*.go"));

    assertFalse(ignore.canSkipDirectory("vendor"));
  }

  @Test
  void includedFiles_excludedDirWithReincludedFile_keepsOnlyThatFile(@TempDir Path context) throws Exception {
    Files.createDirectories(context.resolve("docs/api"));
    Files.writeString(context.resolve("docs/README.md"), "r");
    Files.writeString(context.resolve("docs/api/x.md"), "x");
    Files.writeString(context.resolve("main.go"), "m");
    Files.writeString(context.resolve(".dockerignore"), "docs\n!docs/README.md\n");

    List<String> included = DockerIgnore.load(context, context.resolve("Dockerfile")).includedFiles(context);

    assertEquals(List.of(".dockerignore", "docs/README.md", "main.go"), included);
  }

  @Test
  void load_dockerfileSpecificIgnoreFile_takesPrecedenceOverContextIgnoreFile(@TempDir Path dir) throws Exception {
    Path context = Files.createDirectories(dir.resolve("ctx"));
    Path dockerfiles = Files.createDirectories(dir.resolve("df"));
    Files.writeString(context.resolve(".dockerignore"), "a\n");
    Files.writeString(dockerfiles.resolve("app.Dockerfile.dockerignore"), "b\n");

    DockerIgnore ignore = DockerIgnore.load(context, dockerfiles.resolve("app.Dockerfile"));

    assertEquals(List.of("b"), ignore.patterns());
    assertEquals(List.of("a"), DockerIgnore.load(context, dockerfiles.resolve("other.Dockerfile")).patterns());
  }

  @Test
  void parse_loneExclamationMark_isRejectedNamingTheLine() {
    DockerfileException e =
        assertThrows(DockerfileException.class, () -> DockerIgnore.parse(".dockerignore", "a\n\n!\n"));

    assertEquals(3, e.line());
    assertEquals(".dockerignore:3: illegal exclusion pattern: \"!\"", e.getMessage());
  }

  @Test
  void parse_unterminatedCharacterClass_isRejected() {
    assertThrows(DockerfileException.class, () -> DockerIgnore.parse(".dockerignore", "a[b\n"));
  }

  @Test
  void isExcluded_characterClassWithJavaSpecialCharacters_matchesLiterally() throws Exception {
    DockerIgnore ignore = DockerIgnore.of(List.of("f[&[]x"));

    assertTrue(ignore.isExcluded("f&x"));
    assertTrue(ignore.isExcluded("f[x"));
    assertFalse(ignore.isExcluded("fax"));
  }

  @Test
  void isExcluded_contextRoot_isNeverExcluded() throws Exception {
    assertFalse(DockerIgnore.of(List.of("**")).isExcluded("."));
  }

  @Test
  void isExcluded_onlyLiteralPatterns_answersAsTheGeneralMatcher() throws Exception {
    // literal-only pattern lists take a shortcut; a wildcard pattern that matches none of these
    // paths sends the same list through the general matcher, which must agree everywhere
    List<String> literals = List.of("jscan.lock", "a/b", "c", "a/b/c/d");
    DockerIgnore shortcut = DockerIgnore.of(literals);
    List<String> withWildcard = new java.util.ArrayList<>(literals);
    withWildcard.add("zz*never*zz");
    DockerIgnore general = DockerIgnore.of(withWildcard);
    String[] parts = {"a", "b", "c", "d", "jscan.lock", ".", "..", "", "x"};
    java.util.Random random = new java.util.Random(20261128);
    for (int i = 0; i < 20_000; i++) {
      StringBuilder path = new StringBuilder();
      for (int k = 1 + random.nextInt(5); k > 0; k--) {
        if (path.length() > 0 || random.nextInt(10) == 0) {
          path.append('/');
        }
        path.append(parts[random.nextInt(parts.length)]);
      }
      String p = path.toString();
      assertEquals(general.isExcluded(p), shortcut.isExcluded(p), () -> "for " + p);
    }
    assertTrue(shortcut.isExcluded("a/b/x"));
    assertTrue(shortcut.isExcluded("c"));
    assertFalse(shortcut.isExcluded("a/bx"));
    assertFalse(shortcut.isExcluded("x/jscan.lock"));
  }

  @Test
  void isExcluded_patternWithManyStars_answersAtOnce_asRe2Would() throws Exception {
    // Java's backtracking regex needs minutes for this against 60 a's; RE2 (patternmatcher's) is linear
    DockerIgnore ignore = DockerIgnore.of(List.of("*a*a*a*a*a*a*a*a*a*a*b", "**/x*x*x*x*x*x*x*x*y"));

    assertFalse(ignore.isExcluded("a".repeat(5000)));
    assertTrue(ignore.isExcluded("a".repeat(5000) + "b"));
    assertFalse(ignore.isExcluded("dir/" + "x".repeat(5000)));
    assertTrue(ignore.isExcluded("dir/sub/" + "x".repeat(5000) + "y"));
  }

  /**
   * The automaton answers as the Java regex it stands in for (RE2 semantics, checked by the
   * patternmatcher conformance corpus), on random patterns and paths short enough for the regex.
   */
  @Test
  void automaton_agreesWithTheRegex_onRandomPatternsAndPaths() throws Exception {
    java.util.Random random = new java.util.Random(16);
    String patternChars = "ab/*?[]^-\\.é!$(";
    String pathChars = "ab/-.é[]^\n";
    int compared = 0;
    List<String> disagreements = new java.util.ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      String pattern = random(random, patternChars, 8);
      IgnorePattern p = new IgnorePattern(pattern, false, 1);
      if (p.compileError().isPresent() || !p.usesAutomaton()) {
        continue;
      }
      for (int j = 0; j < 5; j++) {
        String path = random(random, pathChars, 8);
        compared++;
        if (p.matches(path) != p.matchesByRegex(path)) {
          disagreements.add(pattern + " ~ " + path + ": regex " + p.matchesByRegex(path));
        }
      }
    }
    assertTrue(compared > 20_000, "compared " + compared);
    assertEquals(List.of(), disagreements.subList(0, Math.min(20, disagreements.size())), disagreements.size() + " disagreements");
  }

  private static String random(java.util.Random random, String alphabet, int maxLength) {
    int n = random.nextInt(maxLength + 1);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return b.toString();
  }
}
