package io.jscan.core.testing;

import io.jscan.core.image.Image;
import io.jscan.core.image.ImageIndex;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.IndexManifest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.json.OciJson;
import io.jscan.core.transport.ocilayout.OciLayout;
import io.jscan.core.image.ImageBuilder;
import io.jscan.core.image.Layers;
import io.jscan.core.oci.ImageConfig.History;
import io.jscan.core.oci.MediaTypes.Compression;
import io.jscan.core.oci.OciException;
import io.jscan.core.oci.Platform;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Small images made in memory for tests: deterministic content named after what they hold. */
public final class TestImages {
  private TestImages() {}

  /** An image with one gzip layer per entry of {@code fileContents}, each holding {@code fileN.txt}. */
  public static Image withLayers(Platform platform, String... fileContents) throws OciException {
    ImageBuilder b = ImageBuilder.fromScratch(platform).created(Instant.parse("2024-01-02T03:04:05Z"));
    for (int i = 0; i < fileContents.length; i++) {
      byte[] tar = TarBuilder.tar().file("file" + i + ".txt", fileContents[i]).build();
      b.addLayer(
          Layers.compress(tar, Compression.GZIP),
          new History(Optional.of(Instant.EPOCH), Optional.of("COPY file" + i + ".txt /"), Optional.empty(), Optional.empty(), false));
    }
    return b.build();
  }

  public static Image withLayers(String... fileContents) throws OciException {
    return withLayers(Platform.LINUX_AMD64, fileContents);
  }

  /**
   * An image whose layers hold random (incompressible) bytes of the given sizes, from
   * {@code seed}: big enough for chunked uploads and cut connections to happen mid-blob.
   */
  public static Image withRandomLayers(Platform platform, long seed, int... sizes) throws OciException {
    java.util.Random random = new java.util.Random(seed);
    ImageBuilder b = ImageBuilder.fromScratch(platform).created(Instant.parse("2024-01-02T03:04:05Z"));
    for (int i = 0; i < sizes.length; i++) {
      byte[] content = new byte[sizes[i]];
      random.nextBytes(content);
      byte[] tar = TarBuilder.tar().file("random" + i + ".bin", content).build();
      b.addLayer(
          Layers.compress(tar, Compression.GZIP),
          new History(Optional.of(Instant.EPOCH), Optional.of("COPY random" + i + ".bin /"), Optional.empty(), Optional.empty(), false));
    }
    return b.build();
  }

  public static Image withRandomLayers(long seed, int... sizes) throws OciException {
    return withRandomLayers(Platform.LINUX_AMD64, seed, sizes);
  }

  /**
   * A multi-platform OCI index of {@code images} (each entry with its config's platform), written
   * into a new OCI layout at {@code dir} under ref name {@code refName} and read back from there.
   */
  public static ImageIndex multiPlatformIndex(java.nio.file.Path dir, String refName, Image... images)
      throws OciException {
    OciLayout layout = OciLayout.create(dir);
    List<Descriptor> entries = new java.util.ArrayList<>();
    for (Image image : images) {
      layout.writeBlobs(image);
      entries.add(image.descriptor().bare().withPlatform(image.config().platform()));
    }
    byte[] indexBytes = OciJson.write(new IndexManifest(entries));
    Descriptor index = Descriptor.of(MediaTypes.OCI_INDEX, indexBytes);
    layout.writeBlob(index, () -> new java.io.ByteArrayInputStream(indexBytes));
    layout.updateIndex(list -> {
      list.add(OciLayout.entryFor(index, Optional.of(refName)));
      return list;
    });
    return (ImageIndex) layout.resolve(Optional.of(refName), Optional.empty());
  }

  /** Names of the layers' files, for assertions. */
  public static List<String> fileNames(int count) {
    return java.util.stream.IntStream.range(0, count).mapToObj(i -> "file" + i + ".txt").toList();
  }
}
