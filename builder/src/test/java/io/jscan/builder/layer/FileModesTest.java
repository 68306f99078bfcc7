package io.jscan.builder.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class FileModesTest {
  @Test
  void contextFile_anyExecuteBitGives0755_elseThe0644() {
    assertEquals(0755, FileModes.contextFile(true));
    assertEquals(0644, FileModes.contextFile(false));
  }

  @Test
  void chmod_octalAndSymbolicModes() {
    assertEquals(0600, new FileModes.Chmod("600").apply(0644, false));
    assertEquals(0755, new FileModes.Chmod("u+x,go+rx").apply(0600, false));
    assertEquals(0640, new FileModes.Chmod("g-w,o=").apply(0664, false));
    assertEquals(0755, new FileModes.Chmod("a+X").apply(0644, true));
    assertEquals(0644, new FileModes.Chmod("a+X").apply(0644, false));
    assertThrows(IllegalArgumentException.class, () -> new FileModes.Chmod("999"));
    assertThrows(IllegalArgumentException.class, () -> new FileModes.Chmod("10000"));
    assertThrows(IllegalArgumentException.class, () -> new FileModes.Chmod("u+q"));
  }
}
