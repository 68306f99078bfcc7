package io.jscan.core.transport.dockerarchive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.FailureKind;
import io.jscan.core.image.Image;
import io.jscan.core.image.ImageIndex;
import io.jscan.core.image.Images;
import io.jscan.core.image.Layers;
import io.jscan.core.image.ImageBuilder;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.IndexManifest;
import io.jscan.core.oci.ImageConfig.History;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.OciException;
import io.jscan.core.oci.Platform;
import io.jscan.core.oci.json.OciJson;
import io.jscan.core.testing.TarBuilder;
import io.jscan.core.testing.TestImages;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.ocilayout.OciLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerArchiveWriterTest {
  @TempDir Path tmp;

  private static final ImageName NAME = ImageName.parse("myapp:1.0");

  @Test
  void write_sameImage_givesByteIdenticalArchives() throws Exception {
    Image image = TestImages.withLayers("a", "b");
    DockerArchiveWriter.write(tmp.resolve("1.tar"), List.of(new DockerArchiveWriter.Item(image, List.of(NAME))), Platform.LINUX_AMD64);
    DockerArchiveWriter.write(tmp.resolve("2.tar"), List.of(new DockerArchiveWriter.Item(TestImages.withLayers("a", "b"), List.of(NAME))), Platform.LINUX_AMD64);
    assertArrayEquals(Files.readAllBytes(tmp.resolve("1.tar")), Files.readAllBytes(tmp.resolve("2.tar")));
  }

  @Test
  void write_entriesAreSortedWithFixedMetadata() throws Exception {
    Image image = TestImages.withLayers("a");
    Path tar = tmp.resolve("out.tar");
    DockerArchiveWriter.write(tar, List.of(new DockerArchiveWriter.Item(image, List.of(NAME))), Platform.LINUX_AMD64);
    List<String> names = new ArrayList<>();
    try (TarFile archive = new TarFile(tar)) {
      for (TarArchiveEntry e : archive.getEntries()) {
        names.add(e.getName());
        assertEquals(0, e.getLongUserId());
        assertEquals(0, e.getLongGroupId());
        assertEquals("", e.getUserName());
        assertEquals("", e.getGroupName());
        assertEquals(0, e.getLastModifiedTime().toMillis());
        assertEquals(e.isDirectory() ? 0755 : 0644, e.getMode() & 07777, e.getName());
      }
    }
    assertEquals(names.stream().sorted().toList(), names);
    assertEquals(List.of("blobs/", "blobs/sha256/"), names.subList(0, 2));
    assertEquals(List.of("index.json", "manifest.json", "oci-layout"), names.subList(names.size() - 3, names.size()));
    assertEquals(3 + 2 + 3, names.size(), "two dirs, three blobs, three files");
  }

  @Test
  void write_thenRead_keepsDigestsAndRecordsNames() throws Exception {
    Image image = TestImages.withLayers("a", "b");
    Path tar = tmp.resolve("out.tar");
    DockerArchiveWriter.write(tar, List.of(new DockerArchiveWriter.Item(image, List.of(NAME, ImageName.parse("myapp:latest")))), Platform.LINUX_AMD64);
    DockerArchive archive = DockerArchive.open(tar);
    assertEquals(List.of("docker.io/library/myapp:1.0", "docker.io/library/myapp:latest"), archive.entries().get(0).repoTags());
    Image read = archive.image(Optional.of(ImageName.parse("myapp")));
    assertEquals(image.digest(), read.digest());
    assertArrayEquals(image.configBytes(), read.configBytes());
    // the OCI part names the same image for OCI tools
    Path extracted = tmp.resolve("x");
    Files.createDirectories(extracted);
    try (TarFile archiveFile = new TarFile(tar)) {
      for (TarArchiveEntry e : archiveFile.getEntries()) {
        Path p = extracted.resolve(e.getName());
        if (e.isDirectory()) {
          Files.createDirectories(p);
        } else {
          Files.copy(archiveFile.getInputStream(e), p);
        }
      }
    }
    OciLayout layout = OciLayout.open(extracted);
    assertEquals(image.digest(), layout.resolve(Optional.of("1.0"), Optional.empty()).descriptor().digest());
    assertEquals("docker.io/library/myapp:1.0", layout.index().manifests().get(0).annotations().get(OciLayout.CONTAINERD_IMAGE_NAME));
  }

  @Test
  void write_index_keepsTheIndexAndListsTheImageForThePlatform() throws Exception {
    Image amd = TestImages.withLayers(Platform.LINUX_AMD64, "amd");
    Image arm = TestImages.withLayers(new Platform("linux", "arm64"), "arm");
    OciLayout source = OciLayout.create(tmp.resolve("src"));
    source.writeBlobs(amd);
    source.writeBlobs(arm);
    byte[] indexBytes =
        OciJson.write(new IndexManifest(List.of(amd.descriptor().withPlatform(Platform.LINUX_AMD64), arm.descriptor().withPlatform(new Platform("linux", "arm64")))));
    Descriptor indexDescriptor = Descriptor.of(MediaTypes.OCI_INDEX, indexBytes);
    source.writeBlob(indexDescriptor, () -> new java.io.ByteArrayInputStream(indexBytes));
    ImageIndex index = Images.index(source.blobs(), indexDescriptor);
    Path tar = tmp.resolve("multi.tar");
    DockerArchiveWriter.write(tar, List.of(new DockerArchiveWriter.Item(index, List.of(NAME))), new Platform("linux", "arm64"));
    DockerArchive archive = DockerArchive.open(tar);
    assertEquals(arm.digest(), archive.image(Optional.of(NAME)).digest());
  }

  @Test
  void write_corruptSourceBlob_failsAndLeavesNoArchive() throws Exception {
    byte[] tarBytes = TarBuilder.tar().file("f", "content").build();
    Descriptor honest = Layers.fromBytes(tarBytes, MediaTypes.OCI_LAYER, Digest.sha256(tarBytes)).descriptor();
    // a layer whose bytes differ from what its descriptor claims
    io.jscan.core.image.Layer liar =
        Layers.fromFile(writeFile("evil", TarBuilder.tar().file("f", "CONTENT").build()), honest, Digest.sha256(tarBytes));
    Image image =
        ImageBuilder.fromScratch(Platform.LINUX_AMD64)
            .addLayer(liar, new History(Optional.empty(), Optional.of("x"), Optional.empty(), Optional.empty(), false))
            .build();
    Path target = tmp.resolve("bad.tar");
    OciException e =
        assertThrows(
            OciException.class,
            () -> DockerArchiveWriter.write(target, List.of(new DockerArchiveWriter.Item(image, List.of(NAME))), Platform.LINUX_AMD64));
    assertEquals(FailureKind.INTEGRITY, e.kind());
    assertFalse(Files.exists(target));
    try (var files = Files.list(tmp)) {
      assertTrue(files.noneMatch(p -> p.getFileName().toString().contains("jscan-tmp")), "temp file removed");
    }
  }

  private Path writeFile(String name, byte[] bytes) throws Exception {
    Path p = tmp.resolve(name);
    Files.write(p, bytes);
    return p;
  }

  @Test
  void open_gzippedArchive_saysToDecompressFirst() throws Exception {
    Path gz = tmp.resolve("x.tar.gz");
    try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(TarBuilder.tar().file("manifest.json", "[]").build());
    }
    OciException e = assertThrows(OciException.class, () -> DockerArchive.open(gz));
    assertTrue(e.getMessage().endsWith("the archive is gzip-compressed; decompress it first"), e.getMessage());
  }

  @Test
  void open_missingFile_isBadInput() {
    OciException e = assertThrows(OciException.class, () -> DockerArchive.open(tmp.resolve("nope.tar")));
    assertEquals(FailureKind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().endsWith("nope.tar: no such file"), e.getMessage());
  }
}
