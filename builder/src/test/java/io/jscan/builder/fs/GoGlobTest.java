package io.jscan.builder.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.jscan.core.testing.GoPrograms;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** COPY and ADD wildcards: Go's filepath.Match, in linear time. */
class GoGlobTest {
  @TempDir Path tmp;

  @Test
  void matches_starsThatWouldBacktrackExponentially_finishAtOnceWithGosAnswer() {
    // 30 stars over 5000 characters: backtracking into every star tries C(5000, 30) splits
    String pattern = "*a".repeat(30) + "*b";
    String noB = "a".repeat(5000);

    assertFalse(GoGlob.matches(pattern, noB));
    assertTrue(GoGlob.matches(pattern, noB + "b"));
    assertFalse(GoGlob.matches(pattern, "a".repeat(29) + "b"), "one a too few");
    assertTrue(GoGlob.matches("*a*a*a*a*a*a*a*a*a*b", "a".repeat(100_000) + "b"));
  }

  @Test
  void matches_aClassMatchesASeparator_asInGo() {
    // Go's matchChunk checks the separator for ? and *, not for [...]
    assertTrue(GoGlob.matches("a[/]b", "a/b"));
    assertTrue(GoGlob.matches("a[^x]b", "a/b"));
    assertFalse(GoGlob.matches("a?b", "a/b"));
  }

  @Test
  void matches_malformedPatterns_areErrorsWhateverTheName() {
    for (String bad : List.of("[]", "[^]", "a\\", "[a", "[a-", "[-a]", "[a-]", "x[]y", "*[", "[\\")) {
      assertThrows(IllegalArgumentException.class, () -> GoGlob.matches(bad, "zzz"), bad);
    }
  }

  /**
   * Go's own filepath.Match (what BuildKit calls) on random patterns and names made of the
   * characters that matter: stars, classes, ranges, escapes, separators, a two-byte character.
   */
  @Test
  void matches_agreesWithGosFilepathMatch_onRandomPatternsAndNames() throws Exception {
    Random random = new Random(16);
    String patternChars = "ab/*?[]^-\\é";
    String nameChars = "ab/-]\\[é*";
    List<String[]> cases = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      cases.add(new String[] {randomString(random, patternChars, 9), randomString(random, nameChars, 8)});
    }
    for (String[] fixed : new String[][] {
        {"*.txt", "a.txt"}, {"*.txt", "sub/a.txt"}, {"*/a.txt", "sub/a.txt"}, {"arr[[]0].txt", "arr[0].txt"},
        {"[^a-c]x", "dx"}, {"a\\*b", "a*b"}, {"*a*a*b", "aaaab"}, {"*a*", "ba/"}, {"[é-ê]", "é"}, {"?", "é"}}) {
      cases.add(fixed);
    }
    ObjectMapper json = new ObjectMapper();
    ArrayNode input = json.createArrayNode();
    for (String[] c : cases) {
      input.addArray().add(c[0]).add(c[1]);
    }
    String go = String.join("\n",
        "package main",
        "",
        "import (",
        "\t\"encoding/json\"",
        "\t\"fmt\"",
        "\t\"os\"",
        "\t\"path/filepath\"",
        ")",
        "",
        "func main() {",
        "\t// Go 1.20 and later report a malformed rest of the pattern on a mismatch too; older Go says false",
        "\t_, probe := filepath.Match(\"x*[\", \"y\")",
        "\tfmt.Println(probe != nil)",
        "\tvar cases [][2]string",
        "\tif err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {",
        "\t\tpanic(err)",
        "\t}",
        "\tfor _, c := range cases {",
        "\t\tok, err := filepath.Match(c[0], c[1])",
        "\t\tif err != nil {",
        "\t\t\tfmt.Println(\"error\")",
        "\t\t} else {",
        "\t\t\tfmt.Println(ok)",
        "\t\t}",
        "\t}",
        "}",
        "");
    List<String> output = GoPrograms.run(tmp, go, json.writeValueAsString(input)).lines().toList();
    boolean goChecksTheWholePattern = Boolean.parseBoolean(output.get(0));
    List<String> expected = output.subList(1, output.size());
    assertEquals(cases.size(), expected.size());
    List<String> disagreements = new ArrayList<>();
    for (int i = 0; i < cases.size(); i++) {
      String actual;
      try {
        actual = String.valueOf(GoGlob.matches(cases.get(i)[0], cases.get(i)[1]));
      } catch (IllegalArgumentException e) {
        actual = "error";
      }
      // with an older Go, a malformed pattern that fails to match before its malformed part says false
      boolean olderGoMismatch = !goChecksTheWholePattern && actual.equals("error") && expected.get(i).equals("false");
      if (!actual.equals(expected.get(i)) && !olderGoMismatch) {
        disagreements.add(json.writeValueAsString(cases.get(i)) + ": Go " + expected.get(i) + ", jscan " + actual);
      }
    }
    assertEquals(List.of(), disagreements.subList(0, Math.min(20, disagreements.size())), disagreements.size() + " disagreements");
  }

  private static String randomString(Random random, String alphabet, int maxLength) {
    int n = random.nextInt(maxLength + 1);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return b.toString();
  }
}
