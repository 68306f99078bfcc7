package io.jscan.core.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PrintableTest {
  @Test
  void escape_terminalControlSequence_becomesVisibleText() {
    assertEquals("\\x1b[2J\\x1b[32mPASSED\\x1b[0m", Printable.escape("\u001b[2J\u001b[32mPASSED\u001b[0m"));
  }

  @Test
  void escape_everyC0ControlAndDelAndC1_isEscaped() {
    for (char c = 0; c < 0x20; c++) {
      assertFalse(Printable.escape("a" + c + "b").contains(String.valueOf(c)), "C0 " + (int) c);
    }
    assertEquals("\\x7f", Printable.escape("\u007f"));
    for (char c = 0x80; c <= 0x9f; c++) {
      assertEquals(String.format("\\x%02x", (int) c), Printable.escape(String.valueOf(c)));
    }
    assertEquals("\\t\\n\\r\\x00\\x07", Printable.escape("\t\n\r\u0000\u0007"));
  }

  @Test
  void escape_bidiOverridesIsolatesAndMarks_areEscaped() {
    for (char c : "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u2028\u2029".toCharArray()) {
      String out = Printable.escape("x" + c + "y");
      assertEquals("x" + String.format("\\u%04x", (int) c) + "y", out);
    }
  }

  @Test
  void escape_ordinaryText_isReturnedAsItIs() {
    String text = "/usr/lib/café/naïve — 日本語 😀 \\x1b";
    assertSame(text, Printable.escape(text));
    assertTrue(Printable.isSafe(text));
  }

  @Test
  void escape_unpairedSurrogate_isEscaped_pairIsKept() {
    assertEquals("a\\ud800b", Printable.escape("a\ud800b"));
    assertEquals("\\udc00", Printable.escape("\udc00"));
    assertEquals("😀\\x1b", Printable.escape("😀\u001b"));
  }

  @Test
  void escape_twice_changesNothingMore() {
    String once = Printable.escape("a\u001b\u202e\nb\\");
    assertEquals(once, Printable.escape(once));
  }

  @Test
  void excerpt_isQuotedCutAndEscaped() {
    assertEquals("\"ab…\"", Printable.excerpt("abc", 2));
    assertEquals("\"abc\"", Printable.excerpt("abc", 3));
    assertEquals("\"\\\"\\\\\\x1b\\u202e\"", Printable.excerpt("\"\\\u001b\u202e", 10));
    assertEquals("\"😀…\"", Printable.excerpt("😀😀", 1));
  }
}
