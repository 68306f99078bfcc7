package io.jscan.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class JscanExceptionTest {
  private static final class Failure extends JscanException {
    private static final long serialVersionUID = 1L;

    Failure(String what, String detail) {
      super(FailureKind.BAD_INPUT, what, detail);
    }

    Failure(String what, String detail, java.util.List<String> lines) {
      super(FailureKind.BAD_INPUT, what, detail, lines, null);
    }
  }

  @Test
  void message_quotingInputWithControlCharacters_isOneLineWithTheCharactersEscaped() {
    Failure f = new Failure("layer 1 /etc/\u001b[2Jx", "unknown flag: --a\r\nPASSED\u202e");
    assertEquals("layer 1 /etc/\\x1b[2Jx: unknown flag: --a\\r\\nPASSED\\u202e", f.getMessage());
    assertEquals("layer 1 /etc/\\x1b[2Jx", f.what());
    assertEquals("unknown flag: --a\\r\\nPASSED\\u202e", f.detail());
  }

  @Test
  void message_wrappingAnotherExceptionsParts_isNotEscapedTwice() {
    Failure inner = new Failure("a\tb", "c\\d\n");
    Failure outer = new Failure(inner.what(), inner.detail());
    assertEquals(inner.getMessage(), outer.getMessage());
  }

  @Test
  void message_withLinesOfContext_eachLineEscapedOnItsOwn() {
    // a RUN step's last lines of output: lines of their own, but none can forge another or paint the screen
    Failure f = new Failure("Dockerfile:3", "RUN failed with exit code 3", java.util.List.of("  ok", "  \u001b[32mPASSED\r\nfake"));
    assertEquals("Dockerfile:3: RUN failed with exit code 3\n  ok\n  \\x1b[32mPASSED\\r\\nfake", f.getMessage());
    assertEquals(java.util.List.of("  ok", "  \\x1b[32mPASSED\\r\\nfake"), f.lines());
    assertEquals("RUN failed with exit code 3", f.detail());
  }
}
