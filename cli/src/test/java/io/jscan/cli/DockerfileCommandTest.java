package io.jscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jscan.core.testing.RepoPaths;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerfileCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return Jscan.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  private static Path sample() {
    return RepoPaths.testdata("sample/Dockerfile");
  }

  @Test
  void parse_sampleDockerfile_printsBuildKitDump() {
    int code = run("dockerfile", "parse", sample().toString());

    assertEquals(0, code, err.toString());
    assertEquals(
        String.join("\n",
            "(from \"scratch\")",
            "(label \"org.opencontainers.image.authors\" \"\\\"jscan maintainers\\\"\" \"=\""
                + " \"org.opencontainers.image.description\" \"\\\"jscan sample image\\\"\" \"=\")",
            "(env \"GREETING\" \"\\\"hello from jscan\\\"\" \"=\")",
            "(workdir \"/app\")",
            "(copy \"hello.txt\" \"message.txt\" \"./\")",
            "(user \"65534\")",
            "(cmd \"/app/hello.txt\")",
            ""),
        out.toString());
    assertEquals("", err.toString());
  }

  @Test
  void parse_sampleDockerfileAsJson_printsOneDocumentWithDirectivesAndInstructions() throws Exception {
    int code = run("dockerfile", "parse", "--output", "json", sample().toString());

    assertEquals(0, code, err.toString());
    JsonNode doc = new ObjectMapper().readTree(out.toString());
    assertEquals("docker/dockerfile:1", doc.get("directives").get("syntax").asText());
    JsonNode instructions = doc.get("instructions");
    assertEquals(7, instructions.size());
    JsonNode label = instructions.get(1);
    assertEquals("label", label.get("cmd").asText());
    assertEquals("org.opencontainers.image.authors", label.get("args").get(0).asText());
    assertEquals("\"jscan maintainers\"", label.get("args").get(1).asText());
    assertEquals("=", label.get("args").get(2).asText());
    assertEquals(5, label.get("startLine").asInt());
    assertEquals(6, label.get("endLine").asInt());
    JsonNode cmd = instructions.get(6);
    assertTrue(cmd.get("json").asBoolean());
    assertFalse(instructions.get(4).get("json").asBoolean());
    assertFalse(cmd.has("next"));
  }

  @Test
  void parse_jsonOutput_nestsOnbuildTriggerAndListsHeredocs(@TempDir Path dir) throws Exception {
    Path df = dir.resolve("Dockerfile");
    Files.writeString(df, "FROM a\nONBUILD COPY --from=b x y\nCOPY <<-EOF /f\n\thi\nEOF\n");

    assertEquals(0, run("dockerfile", "parse", "--output=json", df.toString()), err.toString());

    JsonNode instructions = new ObjectMapper().readTree(out.toString()).get("instructions");
    JsonNode next = instructions.get(1).get("next");
    assertEquals("copy", next.get("cmd").asText());
    assertEquals("--from=b", next.get("flags").get(0).asText());
    JsonNode heredoc = instructions.get(2).get("heredocs").get(0);
    assertEquals("EOF", heredoc.get("name").asText());
    assertEquals("\thi\n", heredoc.get("content").asText());
    assertTrue(heredoc.get("chomp").asBoolean());
    assertTrue(heredoc.get("expand").asBoolean());
    assertEquals(3, instructions.get(2).get("startLine").asInt());
    assertEquals(5, instructions.get(2).get("endLine").asInt());
  }

  @Test
  void parse_dashReadsStandardInput() {
    InputStream saved = System.in;
    System.setIn(new ByteArrayInputStream("FROM alpine\nRUN echo hi\n".getBytes(StandardCharsets.UTF_8)));
    try {
      assertEquals(0, run("dockerfile", "parse", "-"), err.toString());
    } finally {
      System.setIn(saved);
    }
    assertEquals("(from \"alpine\")\n(run \"echo hi\")\n", out.toString());
  }

  @Test
  void parse_badFile_exitsTwoWithFileAndLineAndNoStackTrace(@TempDir Path dir) throws Exception {
    Path df = dir.resolve("Dockerfile");
    Files.writeString(df, "FROM alpine\n\nCOPY --chown=1 --bogus=x a b\n");

    int code = run("dockerfile", "parse", df.toString());

    assertEquals(2, code);
    assertEquals("jscan: " + df + ":3: unknown flag: --bogus\n", err.toString());
    assertEquals("", out.toString());
  }

  @Test
  void parse_badFileWithDebug_printsTheStackTrace(@TempDir Path dir) throws Exception {
    Path df = dir.resolve("Dockerfile");
    Files.writeString(df, "FROM alpine\nENV PATH\n");

    int code = run("--debug", "dockerfile", "parse", df.toString());

    assertEquals(2, code);
    assertTrue(err.toString().startsWith("jscan: " + df + ":2: ENV must have two arguments\n"), err.toString());
    assertTrue(err.toString().contains("DockerfileException"), err.toString());
  }

  @Test
  void parse_missingFile_isAUsageError(@TempDir Path dir) {
    int code = run("dockerfile", "parse", dir.resolve("nope").toString());

    assertEquals(2, code);
    assertEquals("jscan: " + dir.resolve("nope") + ": reading the Dockerfile: no such file\n", err.toString());
  }

  @Test
  void parse_unknownOutputFormat_isAUsageError() {
    assertEquals(2, run("dockerfile", "parse", "--output", "yaml", sample().toString()));
  }
}
