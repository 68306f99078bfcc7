package io.jscan.builder.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.builder.BaseImageSource;
import io.jscan.builder.testing.TestBuilds;
import io.jscan.core.image.Image;
import io.jscan.core.image.ImageBuilder;
import io.jscan.core.image.Layers;
import io.jscan.core.oci.ImageConfig.History;
import io.jscan.core.oci.MediaTypes.Compression;
import io.jscan.core.oci.Platform;
import io.jscan.core.testing.RepoPaths;
import io.jscan.core.testing.TarBuilder;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.Transports;
import io.jscan.core.transport.store.LocalStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --check-reproducible: two builds from fresh context copies; on a difference, the first layer and file. */
class ReproducibilityCheckTest {
  @TempDir Path tmp;

  static History history(String createdBy) {
    return new History(Optional.of(Instant.EPOCH), Optional.of(createdBy), Optional.empty(), Optional.empty(), false);
  }

  static Image image(TarBuilder... layers) throws Exception {
    ImageBuilder b = ImageBuilder.fromScratch(Platform.LINUX_AMD64).created(Instant.EPOCH);
    int i = 0;
    for (TarBuilder t : layers) {
      b.addLayer(Layers.compress(t.build(), Compression.GZIP), history("COPY step " + (++i)));
    }
    return b.build();
  }

  @Test
  void check_sample_isReproducibleAndExportsTheImage() throws Exception {
    try (LocalStore store = LocalStore.open(tmp.resolve("home"))) {
      ReproducibilityCheck.Outcome outcome = ReproducibilityCheck.run(
          TestBuilds.request(RepoPaths.testdata("sample")).withTags(List.of(ImageName.parse("sample:checked"))),
          store, BaseImageSource.transports(new Transports(store)), line -> {});
      assertTrue(outcome.reproducible(), outcome.difference().orElse(""));
      assertEquals(outcome.result().manifestDigest(), outcome.secondDigest());
      assertEquals(outcome.result().manifestDigest(), store.resolve(
          io.jscan.core.transport.ImageReference.StoreReference.byName(ImageName.parse("sample:checked"))).orElseThrow().digest());
    }
  }

  @Test
  void firstDifference_namesTheFirstDifferingLayerAndFile() throws Exception {
    Image a = image(TarBuilder.tar().file("same.txt", "x"), TarBuilder.tar().dir("app").file("app/a.txt", "1").file("app/b.txt", "2"));
    Image b = image(TarBuilder.tar().file("same.txt", "x"), TarBuilder.tar().dir("app").file("app/a.txt", "1").file("app/b.txt", "3"));
    assertEquals(Optional.of("layer 2 (COPY step 2): first differing file /app/b.txt: content"), ImageComparison.firstDifference(a, b));
    Image c = image(TarBuilder.tar().file("same.txt", "x"), TarBuilder.tar().dir("app").file("app/a.txt", "1"));
    assertEquals(Optional.of("layer 2 (COPY step 2): first differing file /app/b.txt: only in the first build"),
        ImageComparison.firstDifference(a, c));
    assertEquals(Optional.empty(), ImageComparison.firstDifference(a, a));
  }

  @Test
  void firstDifference_sameLayersDifferentConfig_namesTheField() throws Exception {
    Image a = image(TarBuilder.tar().file("f", "x"));
    Image b = ImageBuilder.from(a).created(Instant.parse("2024-01-01T00:00:00Z")).build();
    String d = ImageComparison.firstDifference(a, b).orElseThrow();
    assertTrue(d.startsWith("the image configs differ: .created: "), d);
  }
}
