package io.jscan.core.transport.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jscan.core.FailureKind;
import io.jscan.core.oci.OciException;
import io.jscan.core.testing.TestFiles;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageLockTest {
  @TempDir Path tmp;

  @Test
  void read_noLockFile_isEmpty() throws Exception {
    assertEquals(Optional.empty(), ImageLock.read(tmp.resolve(ImageLock.FILE_NAME)));
  }

  @Test
  void read_lockThatIsDevZeroAFifoOrThreeGigabytes_isBadInputNamingIt() throws Exception {
    Path zero = TestFiles.linkToDevZero(tmp.resolve("a.lock"));
    Path fifo = TestFiles.fifo(tmp.resolve("b.lock"));
    Path big = TestFiles.sparse(tmp.resolve("c.lock"), 3L << 30);

    OciException z = assertThrows(OciException.class, () -> ImageLock.read(zero));
    OciException f = assertThrows(OciException.class, () -> ImageLock.read(fifo));
    OciException b = assertThrows(OciException.class, () -> ImageLock.read(big));

    assertEquals(FailureKind.BAD_INPUT, z.kind());
    assertEquals(zero + ": reading the image lock file: not a regular file (a symbolic link to a character device)", z.getMessage());
    assertEquals(fifo + ": reading the image lock file: not a regular file (a FIFO)", f.getMessage());
    assertEquals(big + ": reading the image lock file: larger than the limit of 4 MiB (3221225472 bytes)", b.getMessage());
  }
}
