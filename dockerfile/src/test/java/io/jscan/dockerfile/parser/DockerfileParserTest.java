package io.jscan.dockerfile.parser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jscan.dockerfile.DockerfileException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DockerfileParserTest {

  private static Ast parse(String text) throws DockerfileException {
    return DockerfileParser.parse("Dockerfile", text);
  }

  @Test
  void parse_directives_areReadOnlyBeforeTheFirstOtherLine() throws Exception {
    Ast ast = parse("# syntax=docker/dockerfile:1\n# ESCAPE = `\n# check=skip=all\n# other=1\n# escape=\\\nFROM a\n");

    assertEquals(Map.of("syntax", "docker/dockerfile:1", "escape", "`", "check", "skip=all"), ast.directives());
    assertEquals('`', ast.escapeToken());
  }

  @Test
  void parse_directiveAfterBlankLine_isAComment() throws Exception {
    Ast ast = parse("\n# escape=`\nFROM a\n");

    assertEquals(Map.of(), ast.directives());
    assertEquals('\\', ast.escapeToken());
  }

  @Test
  void parse_repeatedDirective_isAnError() {
    DockerfileException e = assertThrows(DockerfileException.class, () -> parse("# syntax=a\n# syntax=b\nFROM a\n"));

    assertEquals("Dockerfile:2: only one syntax parser directive can be used", e.getMessage());
  }

  @Test
  void parse_invalidEscapeToken_isAnError() {
    assertThrows(DockerfileException.class, () -> parse("# escape=x\nFROM a\n"));
  }

  @Test
  void parse_backtickEscape_continuesLinesAndKeepsBackslashes() throws Exception {
    Ast ast = parse("# escape=`\nFROM a\nRUN dir c:\\ `\n  && echo ok\n");

    assertEquals(List.of("dir c:\\   && echo ok"), ast.nodes().get(1).args());
    assertEquals(3, ast.nodes().get(1).location().startLine());
    assertEquals(4, ast.nodes().get(1).location().endLine());
  }

  @Test
  void parse_emptyContinuationLine_isDroppedWithAWarning() throws Exception {
    Ast ast = parse("FROM a\nRUN a \\\n\n  b\n");

    assertEquals(List.of("a   b"), ast.nodes().get(1).args());
    assertEquals(1, ast.warnings().size());
    assertEquals(4, ast.warnings().get(0).location().startLine());
  }

  @Test
  void parse_byteOrderMarkAndCrlf_areIgnored() throws Exception {
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    byte[] body = "# syntax=x\r\nFROM a\r\nCMD b\r\n".getBytes(StandardCharsets.UTF_8);
    byte[] all = new byte[bom.length + body.length];
    System.arraycopy(bom, 0, all, 0, bom.length);
    System.arraycopy(body, 0, all, bom.length, body.length);

    Ast ast = DockerfileParser.parse("Dockerfile", all);

    assertEquals("(from \"a\")\n(cmd \"b\")", ast.dump());
    assertEquals(Map.of("syntax", "x"), ast.directives());
  }

  @Test
  void parse_heredocOnJsonFormRun_isNoHeredoc() throws Exception {
    Ast ast = parse("FROM a\nRUN [\"sh\", \"<<EOF\"]\nEOF\n");

    assertEquals(List.of(), ast.nodes().get(1).heredocs());
    assertEquals("EOF", ast.nodes().get(2).keyword());
  }

  @Test
  void parse_heredocInsideOnbuild_isAttachedToTheOnbuildLine() throws Exception {
    Ast ast = parse("FROM a\nONBUILD RUN <<EOF\necho hi\nEOF\n");

    assertEquals("(from \"a\")\n(onbuild (run \"<<EOF\"))", ast.dump());
    assertEquals("echo hi\n", ast.nodes().get(1).heredocs().get(0).content());
  }

  @Test
  void parse_unterminatedHeredoc_isAnErrorAtTheInstruction() {
    DockerfileException e = assertThrows(DockerfileException.class, () -> parse("FROM a\nRUN <<EOF\necho\n"));

    assertEquals("Dockerfile:2: unterminated heredoc", e.getMessage());
  }

  @Test
  void parse_doubleDashEndsFlags() throws Exception {
    Ast ast = parse("FROM a\nCOPY --chown=1 -- --not-a-flag /d\n");

    assertEquals(List.of("--chown=1"), ast.nodes().get(1).flags());
    assertEquals(List.of("--not-a-flag", "/d"), ast.nodes().get(1).args());
  }

  @Test
  void parse_unknownInstruction_isKeptAsNodeWithOneEmptyArgument() throws Exception {
    assertEquals("(bogus \"\")", parse("BOGUS x y\n").dump());
  }
}
