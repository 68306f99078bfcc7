package io.jscan.core.transport.dockerarchive;

import static io.jscan.core.testing.HostileTar.records;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.FailureKind;
import io.jscan.core.image.Image;
import io.jscan.core.oci.OciException;
import io.jscan.core.oci.Platform;
import io.jscan.core.tar.TarEntry;
import io.jscan.core.tar.TarReader;
import io.jscan.core.testing.HostileTar;
import io.jscan.core.testing.TestImages;
import io.jscan.core.transport.ImageName;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading docker-archives as {@code docker load} reads them (Go's archive/tar), and refusing what readers disagree on. */
class DockerArchiveTest {
  @TempDir Path tmp;

  private Path archive() throws Exception {
    Path file = tmp.resolve("image.tar");
    Image image = TestImages.withLayers("a", "b");
    DockerArchiveWriter.write(file, List.of(new DockerArchiveWriter.Item(image, List.of(ImageName.parse("app:1")))),
        Platform.LINUX_AMD64);
    return file;
  }

  /** The archive's members again, {@code before} written first and {@code after} after the last member. */
  private Path rewritten(Path archive, Consumer<HostileTar> before, Consumer<HostileTar> after) throws IOException {
    HostileTar out = HostileTar.tar();
    before.accept(out);
    TarReader reader = new TarReader(new ByteArrayInputStream(Files.readAllBytes(archive)));
    for (Optional<TarEntry> next; (next = reader.next()).isPresent(); ) {
      TarEntry e = next.get();
      if (e.isDirectory()) {
        out.dir(e.name());
      } else {
        out.file(e.name(), 0644, reader.content().readAllBytes());
      }
    }
    after.accept(out);
    Path file = tmp.resolve("rewritten.tar");
    Files.write(file, out.end().build());
    return file;
  }

  private static byte[] member(Path archive, String name) throws IOException {
    TarReader reader = new TarReader(new ByteArrayInputStream(Files.readAllBytes(archive)));
    for (Optional<TarEntry> next; (next = reader.next()).isPresent(); ) {
      if (next.get().name().equals(name)) {
        return reader.content().readAllBytes();
      }
    }
    throw new AssertionError(name + " not in " + archive);
  }

  @Test
  void open_manifestJsonTwice_isAnIntegrityFailure() throws Exception {
    Path original = archive();
    Path twice = rewritten(original, t -> {}, t -> t.file("manifest.json", "[]"));
    OciException e = assertThrows(OciException.class, () -> DockerArchive.open(twice));
    assertEquals(FailureKind.INTEGRITY, e.kind());
    assertTrue(e.getMessage().contains("member manifest.json appears twice"), e.getMessage());
  }

  @Test
  void open_layerMemberTwice_isAnIntegrityFailure() throws Exception {
    Path original = archive();
    String layer = DockerArchive.open(original).entries().get(0).layers().get(1);
    byte[] content = member(original, layer);
    Path twice = rewritten(original, t -> t.file(layer, 0644, content), t -> {});
    OciException e = assertThrows(OciException.class, () -> DockerArchive.open(twice));
    assertEquals(FailureKind.INTEGRITY, e.kind());
    assertTrue(e.getMessage().contains("member " + layer + " appears twice"), e.getMessage());
  }

  @Test
  void open_directoryRepeated_isNotADuplicate() throws Exception {
    Path original = archive();
    Image expected = DockerArchive.open(original).image(Optional.empty());
    Path repeated = rewritten(original, t -> t.dir("blobs").dir("blobs"), t -> {});
    assertEquals(expected.digest(), DockerArchive.open(repeated).image(Optional.empty()).digest());
  }

  @Test
  void open_globalHeaderInTheArchive_isIgnoredAsDockerLoadIgnoresIt() throws Exception {
    Path original = archive();
    Image expected = DockerArchive.open(original).image(Optional.empty());
    // a POSIX reader would rename every member to "manifest.json" and read a size of 1 for each
    Path withGlobal = rewritten(original, t -> t.globalPax(records("path", "manifest.json", "size", "1")), t -> {});
    Image read = DockerArchive.open(withGlobal).image(Optional.empty());
    assertEquals(expected.digest(), read.digest());
    assertEquals(expected.layers().size(), read.layers().size());
    for (int i = 0; i < read.layers().size(); i++) {
      assertEquals(expected.layers().get(i).diffId(), read.layers().get(i).diffId());
      try (var in = read.layers().get(i).openUncompressed()) {
        in.transferTo(java.io.OutputStream.nullOutputStream());
      }
    }
    assertTrue(new String(member(withGlobal, "manifest.json"), StandardCharsets.UTF_8).startsWith("["));
  }
}
