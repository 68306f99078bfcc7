package io.jscan.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.testing.RepoPaths;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InputLimitTest {
  /** The README's "Input limits" table states every limit as the code enforces it. */
  @Test
  void readme_inputLimitsTable_listsEveryLimitWithItsValue() throws Exception {
    String readme = Files.readString(RepoPaths.repoRoot().resolve("README.md"));
    int start = readme.indexOf("\n## Input limits\n");
    assertTrue(start >= 0, "README has an Input limits section");
    int end = readme.indexOf("\n## ", start + 1);
    List<String[]> rows = new ArrayList<>();
    for (String line : readme.substring(start, end).lines().toList()) {
      if (line.startsWith("| ") && !line.startsWith("| input ")) {
        String[] cells = line.substring(1, line.length() - 1).split("\\|");
        rows.add(new String[] {cells[0].strip().replace("`", ""), cells[cells.length - 1].strip()});
      }
    }
    List<String> wrong = new ArrayList<>();
    for (InputLimit limit : InputLimit.values()) {
      List<String> values = rows.stream()
          .filter(r -> r[0].equals(limit.label()) || r[0].startsWith(limit.label() + " ("))
          .map(r -> r[1]).toList();
      if (!values.equals(List.of(limit.human()))) {
        wrong.add(limit + " (" + limit.label() + ", " + limit.human() + "): README says " + values);
      }
    }
    assertEquals(List.of(), wrong);
  }
}
