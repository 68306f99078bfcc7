package io.jscan.core.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class OneLineTest {

  @Test
  void escape_printableText_isKeptAsItIs() {
    String text = "caf\u00e9 \"quoted\" back\\slash \ud83d\ude00";
    assertEquals(text, OneLine.escape(text));
  }

  @Test
  void escape_lineBreaksAndControlCharacters_becomeVisibleEscapes() {
    assertEquals("a\\nb\\rc\\td\\x1b[2Je\\x00f\\x7fg\\u0085h", OneLine.escape("a\nb\rc\td\u001b[2Je\u0000f\u007fg\u0085h"));
  }

  @Test
  void escape_unicodeSeparatorsAndBidiOverrides_becomeVisibleEscapes() {
    assertEquals("a\\u2028b\\u2029c\\u202ed\\u2066e\\u200bf", OneLine.escape("a\u2028b\u2029c\u202ed\u2066e\u200bf"));
  }

  @Test
  void excerpt_longText_isCutAndMarked() {
    assertEquals("abc...", OneLine.excerpt("abcdef", 3));
    assertEquals("abc", OneLine.excerpt("abc", 3));
    assertEquals("\\n\\n...", OneLine.excerpt("\n\n\n", 2));
  }

  @Test
  void excerpt_neverCutsASurrogatePair() {
    assertEquals("a...", OneLine.excerpt("a\ud83d\ude00b", 2));
  }
}
