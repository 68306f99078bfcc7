package io.jscan.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EarlySyncingOutputStreamTest {
  @TempDir Path tmp;

  @Test
  void write_ofSeveralSyncIntervals_inOddPieces_leavesExactlyTheBytes() throws IOException {
    byte[] data = new byte[(int) (2.5 * EarlySyncingOutputStream.SYNC_EVERY) + 123];
    new Random(9).nextBytes(data);
    Path file = tmp.resolve("blob");
    try (EarlySyncingOutputStream out = EarlySyncingOutputStream.create(file)) {
      int off = 0;
      int piece = 1;
      while (off < data.length) {
        int n = Math.min(piece, data.length - off);
        out.write(data, off, n);
        off += n;
        piece = piece * 3 % 1_000_003 + 1;
      }
    }
    assertArrayEquals(data, Files.readAllBytes(file));
  }

  @Test
  void create_ofAnExistingFile_isRefused_andLeavesItAlone() throws IOException {
    Path file = Files.writeString(tmp.resolve("taken"), "old");
    assertThrows(FileAlreadyExistsException.class, () -> EarlySyncingOutputStream.create(file));
    assertArrayEquals("old".getBytes(), Files.readAllBytes(file));
  }

  @Test
  void write_afterClose_fails() throws IOException {
    EarlySyncingOutputStream out = EarlySyncingOutputStream.create(tmp.resolve("x"));
    out.close();
    assertThrows(IOException.class, () -> out.write(new byte[1], 0, 1));
  }
}
