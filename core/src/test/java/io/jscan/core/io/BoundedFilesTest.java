package io.jscan.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.FailureKind;
import io.jscan.core.testing.TestFiles;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BoundedFilesTest {
  @TempDir Path tmp;

  @Test
  void read_regularFileWithinLimit_returnsItsBytes() throws Exception {
    Path f = Files.write(tmp.resolve("Dockerfile"), "FROM scratch\n".getBytes());
    assertArrayEquals("FROM scratch\n".getBytes(), BoundedFiles.read(f, InputLimit.DOCKERFILE));
  }

  @Test
  void read_fileOfExactlyTheLimit_isRead_oneByteMore_isRefused() throws Exception {
    Path exact = Files.write(tmp.resolve("exact"), new byte[100]);
    assertEquals(100, BoundedFiles.read(exact, 100, "the file").length);
    Path over = Files.write(tmp.resolve("over"), new byte[101]);
    InputFileException e = assertThrows(InputFileException.class, () -> BoundedFiles.read(over, 100, "the file"));
    assertEquals(InputFileException.Problem.TOO_LARGE, e.problem());
    assertEquals(over + ": reading the file: larger than the limit of 100 bytes (101 bytes)", e.getMessage());
  }

  @Test
  void read_symlinkToDevZero_refusedAsCharacterDevice_withoutReading() throws Exception {
    Path link = TestFiles.linkToDevZero(tmp.resolve("Dockerfile"));
    InputFileException e = assertThrows(InputFileException.class, () -> BoundedFiles.read(link, InputLimit.DOCKERFILE));
    assertEquals(link + ": reading the Dockerfile: not a regular file (a symbolic link to a character device)", e.getMessage());
    assertEquals(FailureKind.BAD_INPUT, e.kind());
    assertEquals(InputFileException.Problem.NOT_REGULAR, e.problem());
  }

  @Test
  void read_fifo_refusedWithoutOpeningIt() throws Exception {
    // opening a FIFO for reading blocks until a writer comes: this test would hang if it were opened
    Path fifo = TestFiles.fifo(tmp.resolve("policy.yaml"));
    InputFileException e = assertThrows(InputFileException.class, () -> BoundedFiles.read(fifo, InputLimit.POLICY));
    assertEquals(fifo + ": reading the policy file: not a regular file (a FIFO)", e.getMessage());
    assertEquals(FailureKind.BAD_INPUT, e.kind());
  }

  @Test
  void read_sparseFileOfThreeGigabytes_refusedBeforeReading() throws Exception {
    Path big = TestFiles.sparse(tmp.resolve("cosign.pub"), 3L << 30);
    InputFileException e = assertThrows(InputFileException.class, () -> BoundedFiles.read(big, InputLimit.KEY, "the public key"));
    assertEquals(big + ": reading the public key: larger than the limit of 1 MiB (3221225472 bytes)", e.getMessage());
    assertEquals(FailureKind.BAD_INPUT, e.kind());
  }

  @Test
  void read_directory_refused() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("Dockerfile"));
    InputFileException e = assertThrows(InputFileException.class, () -> BoundedFiles.read(dir, InputLimit.DOCKERFILE));
    assertEquals(dir + ": reading the Dockerfile: not a regular file (a directory)", e.getMessage());
  }

  @Test
  void read_missingFile_isBadInputNamingIt() {
    Path missing = tmp.resolve("nope");
    InputFileException e = assertThrows(InputFileException.class, () -> BoundedFiles.read(missing, InputLimit.IMAGE_LOCK));
    assertEquals(missing + ": reading the image lock file: no such file", e.getMessage());
    assertEquals(FailureKind.BAD_INPUT, e.kind());
    assertEquals(InputFileException.Problem.MISSING, e.problem());
  }

  @Test
  void read_loopOfSymlinks_isBadInput() throws Exception {
    Path a = tmp.resolve("a");
    Files.createSymbolicLink(a, tmp.resolve("b"));
    Files.createSymbolicLink(tmp.resolve("b"), a);
    InputFileException e = assertThrows(InputFileException.class, () -> BoundedFiles.read(a, InputLimit.POLICY));
    assertEquals(FailureKind.BAD_INPUT, e.kind());
    assertEquals(InputFileException.Problem.UNREACHABLE, e.problem());
  }

  @Test
  void read_symlinkToRegularFile_isFollowed() throws Exception {
    Path target = Files.writeString(tmp.resolve("real.yaml"), "x: 1\n");
    Path link = Files.createSymbolicLink(tmp.resolve("link.yaml"), target);
    assertArrayEquals("x: 1\n".getBytes(), BoundedFiles.read(link, InputLimit.POLICY));
  }

  @Test
  void readIfExists_missingFile_isEmpty_aFifo_isStillRefused() throws Exception {
    assertEquals(Optional.empty(), BoundedFiles.readIfExists(tmp.resolve("jscan.lock"), InputLimit.IMAGE_LOCK));
    Path fifo = TestFiles.fifo(tmp.resolve("config.json"));
    assertThrows(InputFileException.class, () -> BoundedFiles.readIfExists(fifo, InputLimit.REGISTRY_CONFIG));
  }

  @Test
  void read_streamLongerThanTheLimit_stopsOneBytePastIt() throws Exception {
    int[] served = {0};
    InputStream endless = new InputStream() {
      @Override
      public int read() {
        served[0]++;
        return 'x';
      }

      @Override
      public int read(byte[] b, int off, int len) {
        java.util.Arrays.fill(b, off, off + len, (byte) 'x');
        served[0] += len;
        return len;
      }
    };
    InputFileException e = assertThrows(InputFileException.class,
        () -> BoundedFiles.read(endless, "standard input", InputLimit.PASSWORD));
    assertEquals("standard input: reading the password: larger than the limit of 64 KiB", e.getMessage());
    assertEquals(InputLimit.PASSWORD.bytes() + 1, served[0]);
  }

  @Test
  void read_streamWithinTheLimit_returnsIt() throws Exception {
    assertArrayEquals("secret".getBytes(),
        BoundedFiles.read(new ByteArrayInputStream("secret".getBytes()), "standard input", InputLimit.PASSWORD));
  }

  @Test
  void requireRegularFile_fifo_refusedWithoutOpeningIt() throws Exception {
    Path fifo = TestFiles.fifo(tmp.resolve("blob"));
    InputFileException e = assertThrows(InputFileException.class, () -> BoundedFiles.requireRegularFile(fifo, "the blob"));
    assertTrue(e.getMessage().endsWith("not a regular file (a FIFO)"), e.getMessage());
  }

  @Test
  void human_writesTheLargestExactUnit() {
    assertEquals("4 MiB", InputLimit.human(4L << 20));
    assertEquals("500 KiB", InputLimit.human(500L << 10));
    assertEquals("1025 bytes", InputLimit.human(1025));
    assertEquals("3 GiB", InputLimit.human(3L << 30));
  }
}
