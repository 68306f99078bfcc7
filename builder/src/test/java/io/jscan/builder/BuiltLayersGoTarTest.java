package io.jscan.builder;

import static io.jscan.builder.testing.TestBuilds.build;
import static io.jscan.builder.testing.TestBuilds.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.builder.testing.TestBuilds;
import io.jscan.core.image.Image;
import io.jscan.core.image.Layer;
import io.jscan.core.testing.ExternalTool;
import io.jscan.core.testing.GoTar;
import io.jscan.core.testing.RepoPaths;
import io.jscan.core.transport.store.LocalStore;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The layers jscan builds, read by Go's archive/tar (as containerd, Docker and podman will read
 * them) and by jscan's own reader, list the same entries: the repository's sample, and a context
 * with long and non-ASCII names, links and an ADDed GNU tar archive holding a sparse file.
 */
class BuiltLayersGoTarTest {
  @TempDir Path tmp;

  private void assertEveryLayerSameAsGo(Image image, String label) throws Exception {
    int i = 0;
    for (Layer layer : image.layers()) {
      i++;
      Path plain = tmp.resolve("layer-" + i + ".tar");
      try (InputStream in = layer.openUncompressed(); OutputStream out = Files.newOutputStream(plain)) {
        in.transferTo(out);
      }
      GoTar.assertSameAsGo(label + " layer " + i, plain);
    }
  }

  @Test
  void sampleLayers_goListsWhatJscanLists() throws Exception {
    try (LocalStore store = LocalStore.open(tmp.resolve("home"))) {
      Image image = build(store, request(RepoPaths.testdata("sample"))).image();
      assertEveryLayerSameAsGo(image, "sample");
    }
  }

  @Test
  void layersWithLongNamesLinksAndAnAddedSparseArchive_goListsWhatJscanLists() throws Exception {
    Path tar = ExternalTool.require("tar");
    Path src = Files.createDirectories(tmp.resolve("archive-src"));
    try (RandomAccessFile f = new RandomAccessFile(src.resolve("sparse.img").toFile(), "rw")) {
      f.setLength(2L << 20);
      f.seek(1L << 20);
      f.write("data in the middle".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
    Files.writeString(src.resolve("plain"), "plain");
    String longName = "d".repeat(120) + "/" + "f".repeat(150);
    Path ctx = TestBuilds.context(tmp.resolve("ctx"), Map.of(
        "Dockerfile", "FROM scratch\nCOPY files/ /app/\nADD bundle.tar /opt/bundle/\n",
        "files/" + longName, "long",
        "files/caf\u00e9/\u00fcber.txt", "non-ASCII",
        "files/link", "-> " + "t".repeat(200),
        "files/empty", ""));
    Process p = new ProcessBuilder(tar.toString(), "-c", "-f", ctx.resolve("bundle.tar").toString(), "--format=posix", "--sparse",
        "--sparse-version=1.0", "-C", src.toString(), ".").redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), log);
    try (LocalStore store = LocalStore.open(tmp.resolve("home"))) {
      Image image = build(store, request(ctx)).image();
      assertEquals(2, image.layers().size());
      assertEveryLayerSameAsGo(image, "context");
      assertTrue(TestBuilds.listing(image.layers().get(1)).stream().anyMatch(l -> l.endsWith(" opt/bundle/sparse.img")
          && l.startsWith("f 644 0:0 2097152 ")), "the sparse file ADDed expanded: " + TestBuilds.listing(image.layers().get(1)));
    }
  }
}
