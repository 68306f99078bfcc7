package io.jscan.core.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileExcerptsTest {
  @TempDir Path tmp;

  @Test
  void quotable_plainFile_isQuotable() throws Exception {
    Path f = Files.writeString(tmp.resolve("Dockerfile"), "FROM scratch\n");
    assertTrue(FileExcerpts.quotable(f));
  }

  @Test
  void quotable_symlinkOutOfItsDirectory_isNot() throws Exception {
    Path project = Files.createDirectories(tmp.resolve("project"));
    Path secret = Files.writeString(tmp.resolve("secret.txt"), "token\n");
    Path link = Files.createSymbolicLink(project.resolve("Dockerfile"), secret);
    assertFalse(FileExcerpts.quotable(link));
    assertFalse(FileExcerpts.quotable(Files.createSymbolicLink(project.resolve("passwd"), Path.of("/etc/passwd"))));
    assertFalse(FileExcerpts.quotable(Files.createSymbolicLink(project.resolve("up"), Path.of("../secret.txt"))));
  }

  @Test
  void quotable_symlinkedDirectoryLeadingOut_isNot() throws Exception {
    Path project = Files.createDirectories(tmp.resolve("project"));
    Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
    Files.writeString(elsewhere.resolve("policy.yaml"), "x: 1\n");
    Files.createSymbolicLink(project.resolve("conf"), elsewhere);
    assertFalse(FileExcerpts.quotable(project.resolve("conf").resolve("policy.yaml")));
  }

  @Test
  void quotable_configMapLayout_linksInsideTheDirectory_isQuotable() throws Exception {
    // kubelet: policy.yaml -> ..data/policy.yaml, ..data -> ..2026_01_01_v1
    Path volume = Files.createDirectories(tmp.resolve("policies"));
    Path version = Files.createDirectories(volume.resolve("..2026_01_01_v1"));
    Files.writeString(version.resolve("policy.yaml"), "x: 1\n");
    Files.createSymbolicLink(volume.resolve("..data"), version.getFileName());
    Path link = Files.createSymbolicLink(volume.resolve("policy.yaml"), Path.of("..data", "policy.yaml"));
    assertTrue(FileExcerpts.quotable(link));
  }

  @Test
  void quotable_danglingSymlink_isNot_plainPathWithoutLinks_is() throws Exception {
    // fail closed: a link that cannot be resolved cannot be shown to stay in its directory
    assertFalse(FileExcerpts.quotable(Files.createSymbolicLink(tmp.resolve("dangling"), tmp.resolve("gone"))));
    assertTrue(FileExcerpts.quotable(tmp.resolve("not-yet-written")), "no symlink on the way: nothing leads out");
  }

  @Test
  void jsonProblem_quotesNothingOfTheInput() {
    String shadow = "root:$y$j9T$SECRETSALT$SECRETHASH:19000:0:99999:7:::\n";
    JsonProcessingException e = assertThrows(JsonProcessingException.class,
        () -> new ObjectMapper().readTree(shadow.getBytes(StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().contains("root"), "Jackson's own message quotes the input: " + e.getMessage());
    String problem = FileExcerpts.jsonProblem(e);
    assertEquals("not valid JSON at line 1, column 1 (a word that is not a JSON value)", problem);
    JsonProcessingException cut = assertThrows(JsonProcessingException.class, () -> new ObjectMapper().readTree("{\"token\": \"SECRET"));
    assertFalse(FileExcerpts.jsonProblem(cut).contains("SECRET"), FileExcerpts.jsonProblem(cut));
  }
}
