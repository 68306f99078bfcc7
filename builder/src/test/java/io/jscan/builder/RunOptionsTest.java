package io.jscan.builder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jscan.core.FailureKind;
import io.jscan.core.io.InputFileException;
import io.jscan.core.testing.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunOptionsTest {
  @TempDir Path tmp;

  @Test
  void fileSecret_ofBuildKitsLimit_isRead_oneByteMore_isRefused() throws Exception {
    Path exact = Files.write(tmp.resolve("exact"), new byte[500 * 1024]);
    Path over = Files.write(tmp.resolve("over"), new byte[500 * 1024 + 1]);

    assertArrayEquals(new byte[500 * 1024], new RunOptions.FileSecret("s", exact).read());
    InputFileException e = assertThrows(InputFileException.class, () -> new RunOptions.FileSecret("s", over).read());
    assertEquals(over + ": reading secret id=s: larger than the limit of 500 KiB (512001 bytes)", e.getMessage());
  }

  @Test
  void fileSecret_fifoOrDevZero_isBadInputWithoutOpeningIt() throws Exception {
    Path fifo = TestFiles.fifo(tmp.resolve("fifo"));
    Path zero = TestFiles.linkToDevZero(tmp.resolve("zero"));

    InputFileException f = assertThrows(InputFileException.class, () -> new RunOptions.FileSecret("token", fifo).read());
    InputFileException z = assertThrows(InputFileException.class, () -> new RunOptions.FileSecret("token", zero).read());

    assertEquals(FailureKind.BAD_INPUT, f.kind());
    assertEquals(fifo + ": reading secret id=token: not a regular file (a FIFO)", f.getMessage());
    assertEquals(zero + ": reading secret id=token: not a regular file (a symbolic link to a character device)", z.getMessage());
  }
}
