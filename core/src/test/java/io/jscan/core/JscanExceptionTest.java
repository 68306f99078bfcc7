package io.jscan.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class JscanExceptionTest {
  private static final class Failure extends JscanException {
    private static final long serialVersionUID = 1L;

    Failure(String what, String detail) {
      super(FailureKind.BAD_INPUT, what, detail);
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
}
