package io.jscan.core.testing;

import io.jscan.core.image.Image;
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

  /** Names of the layers' files, for assertions. */
  public static List<String> fileNames(int count) {
    return java.util.stream.IntStream.range(0, count).mapToObj(i -> "file" + i + ".txt").toList();
  }
}
