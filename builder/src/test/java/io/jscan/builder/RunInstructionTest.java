package io.jscan.builder;

import static io.jscan.builder.testing.RunFixtures.assertNoLeftovers;
import static io.jscan.builder.testing.RunFixtures.buildOk;
import static io.jscan.builder.testing.RunFixtures.context;
import static io.jscan.builder.testing.TestBuilds.request;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.builder.run.RunSupport;
import io.jscan.builder.testing.RunFixtures;
import io.jscan.builder.testing.TestBuilds;
import io.jscan.core.FailureKind;
import io.jscan.core.JscanException;
import io.jscan.core.fs.MergedFilesystem;
import io.jscan.core.image.Image;
import io.jscan.core.image.Layer;
import io.jscan.core.testing.Podman;
import io.jscan.core.transport.ImageReference;
import io.jscan.core.transport.store.LocalStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RUN on the busybox base: what a command creates, changes, links and deletes becomes a layer of
 * new and changed files, whiteouts and opaque directories; the same Dockerfile gives the same
 * digest every time, on an overlay root and on a copied one; podman and jscan's own flattening
 * see the file system the commands left.
 */
class RunInstructionTest {
  @TempDir Path tmp;
  String base;

  /**
   * Recipe: the first RUN makes /app with a directory, files and a file that later goes; the second
   * appends to a file, chmods one, hard-links and symlinks, deletes a base file (a whiteout),
   * replaces a directory (an opaque directory), makes a FIFO and a file with an old time.
   */
  static String dockerfile(String base) {
    return String.join("\n",
        "FROM " + base,
        "RUN mkdir -p /app/old && echo one > /app/old/a && echo keep > /app/keep && echo base > /app/f && echo gone > /app/gone",
        "RUN echo two >> /app/f \\",
        " && chmod 0750 /app/keep \\",
        " && ln /app/f /app/f-link \\",
        " && ln -s ../app/f /app/f-sym \\",
        " && rm /bin/vi /app/gone \\",
        " && rm -rf /app/old && mkdir /app/old && echo new > /app/old/b \\",
        " && mkfifo -m 0600 /app/fifo \\",
        " && touch -d @1000 /app/ancient",
        "CMD [\"/bin/sh\"]",
        "");
  }

  @BeforeEach
  void needRun() throws Exception {
    RunFixtures.requireRun();
    base = RunFixtures.busybox();
  }

  @Test
  void run_createsChangesLinksAndDeletes_layerHoldsChangesWhiteoutsAndOpaqueDirectory() throws Exception {
    Path ctx = context(tmp.resolve("ctx"), dockerfile(base));
    Path home = tmp.resolve("home");
    try (LocalStore store = LocalStore.open(home)) {
      BuildResult r = buildOk(store, request(ctx));
      List<Layer> layers = r.image().layers();
      assertEquals(3, layers.size(), "the base layer and one per RUN");
      assertEquals(List.of(
          "d 755 0:0 0 1700000000 app/",
          "f 644 0:0 5 1700000000 app/f",
          "f 644 0:0 5 1700000000 app/gone",
          "f 644 0:0 5 1700000000 app/keep",
          "d 755 0:0 0 1700000000 app/old/",
          "f 644 0:0 4 1700000000 app/old/a"), TestBuilds.listing(layers.get(1)));
      assertEquals(List.of(
          "d 755 0:0 0 1700000000 app/",
          "f 0 0:0 0 1700000000 app/.wh.gone",
          "f 644 0:0 0 1000 app/ancient",
          "f 644 0:0 9 1700000000 app/f",
          "h 644 0:0 0 1700000000 app/f-link -> app/f",
          "l 777 0:0 0 1700000000 app/f-sym -> ../app/f",
          "f 600 0:0 0 1700000000 app/fifo",
          "f 750 0:0 5 1700000000 app/keep",
          "d 755 0:0 0 1700000000 app/old/",
          "f 0 0:0 0 1700000000 app/old/.wh..wh..opq",
          "f 644 0:0 4 1700000000 app/old/b",
          "d 755 0:0 0 1700000000 bin/",
          "f 0 0:0 0 1700000000 bin/.wh.vi"), TestBuilds.listing(layers.get(2)));
      assertEquals("base\ntwo\n", TestBuilds.content(layers.get(2), "app/f"));
    }
    assertNoLeftovers(home);
  }

  @Test
  void run_builtTwiceAndOnACopiedRoot_givesTheSameDigest() throws Exception {
    Path ctx = context(tmp.resolve("ctx"), dockerfile(base));
    BuildResult first;
    BuildResult second;
    BuildResult copied;
    try (LocalStore store = LocalStore.open(tmp.resolve("home"))) {
      first = buildOk(store, request(ctx));
      second = buildOk(store, request(ctx).withNoCache(true));
    }
    try (LocalStore store = LocalStore.open(tmp.resolve("copy-home"))) {
      copied = buildOk(store, request(ctx).withRun(RunOptions.defaults().withRootMode(Optional.of(RunSupport.RootMode.COPY))));
    }
    assertEquals(2, first.layersBuilt());
    assertEquals(2, second.layersBuilt(), "--no-cache runs both steps again");
    assertEquals(first.manifestDigest(), second.manifestDigest());
    assertEquals(first.manifestDigest(), copied.manifestDigest(), "an overlay root and a copied root give the same layers");
  }

  /** The merged file system below /app and the deleted /bin/vi, as "path type mode size[ -> link]" lines. */
  static List<String> flattened(Image image) throws Exception {
    Map<String, String> lines = new TreeMap<>();
    MergedFilesystem.walk(image, (entry, content) -> {
      if (entry.path().startsWith("app") || entry.path().equals("bin/vi") || entry.path().equals("bin/sh")) {
        lines.put(entry.path(), entry.path() + " " + entry.type() + " " + Integer.toOctalString(entry.mode() & 07777) + " "
            + entry.size() + entry.linkTarget().map(t -> " -> " + t).orElse(""));
      }
    });
    return new ArrayList<>(lines.values());
  }

  @Test
  void run_mergedFilesystem_isWhatTheCommandsLeft_forJscanAndPodman() throws Exception {
    Path ctx = context(tmp.resolve("ctx"), dockerfile(base));
    Path archive = tmp.resolve("image.tar");
    try (LocalStore store = LocalStore.open(tmp.resolve("home"))) {
      BuildResult r = buildOk(store, request(ctx).withOutput(Optional.of(ImageReference.parse("docker-archive:" + archive + ":jscan-run:1"))));
      assertEquals(List.of(
          "app DIRECTORY 755 0",
          "app/ancient FILE 644 0",
          "app/f FILE 644 9",
          "app/f-link HARDLINK 644 0 -> app/f",
          "app/f-sym SYMLINK 777 0 -> ../app/f",
          "app/fifo FIFO 600 0",
          "app/keep FILE 750 5",
          "app/old DIRECTORY 755 0",
          "app/old/b FILE 644 4",
          "bin/sh SYMLINK 777 0 -> busybox"), flattened(r.image()));
    }
    try (Podman podman = new Podman(tmp.resolve("podman"))) {
      podman.load(archive);
      String listing = podman.run("docker.io/library/jscan-run:1", "/bin/sh", "-c",
          "find /app -exec stat -c '%n %F %a %u:%g %s %Y %h' {} + | sort; cat /app/f; ls /bin/vi 2>&1;"
              + " [ \"$(stat -c %i /app/f)\" = \"$(stat -c %i /app/f-link)\" ] && echo f and f-link are one file");
      assertEquals(String.join("\n",
          "/app directory 755 0:0 4096 1700000000 3",
          "/app/ancient regular empty file 644 0:0 0 1000 1",
          "/app/f regular file 644 0:0 9 1700000000 2",
          "/app/f-link regular file 644 0:0 9 1700000000 2",
          "/app/f-sym symbolic link 777 0:0 8 1700000000 1",
          "/app/fifo fifo 600 0:0 0 1700000000 1",
          "/app/keep regular file 750 0:0 5 1700000000 1",
          "/app/old directory 755 0:0 4096 1700000000 2",
          "/app/old/b regular file 644 0:0 4 1700000000 1",
          "base",
          "two",
          "ls: /bin/vi: No such file or directory",
          "f and f-link are one file",
          ""), listing);
    }
  }

  @Test
  void run_failingCommand_stopsWithItsExitStatusAndLastLines_andNamesNothing() throws Exception {
    Path ctx = context(tmp.resolve("ctx"), String.join("\n",
        "FROM " + base,
        "RUN echo to-stderr >&2",
        // runc copies a foreground container's stdout and stderr through two pipes (as BuildKit's
        // runc does), so lines of the two streams may arrive in either order; this command writes its
        // stderr into stdout so that its last 20 lines are the same on every run
        "RUN exec 2>&1 && echo first-line && seq 1 30 && exit 3",
        "RUN echo never",
        ""));
    Path home = tmp.resolve("home");
    try (LocalStore store = LocalStore.open(home)) {
      byte[] index = Files.readAllBytes(home.resolve("index.json"));
      List<String> blobs = TestBuilds.fileList(home.resolve("blobs"));
      List<String> log = new ArrayList<>();
      JscanException e = assertThrows(JscanException.class, () -> RunFixtures.build(store, request(ctx), log));
      assertEquals(FailureKind.BAD_INPUT, e.kind());
      List<String> lines = e.getMessage().lines().toList();
      assertEquals("Dockerfile:3: RUN failed with exit code 3", lines.get(0));
      assertEquals("last 20 lines of its output:", lines.get(1));
      assertEquals("  11", lines.get(2), e.getMessage());
      assertEquals("  30", lines.get(21), e.getMessage());
      assertEquals(22, lines.size(), e.getMessage());
      assertTrue(log.stream().anyMatch(l -> l.matches("#3 [0-9.]+ first-line")), String.join("\n", log));
      assertTrue(log.stream().anyMatch(l -> l.matches("#2 [0-9.]+ to-stderr")), "standard error is streamed too:\n" + String.join("\n", log));
      assertFalse(log.stream().anyMatch(l -> l.contains("never") && !l.contains("RUN echo never")), "the build stopped");
      assertArrayEquals(index, Files.readAllBytes(home.resolve("index.json")), "no name written");
      assertEquals(blobs, TestBuilds.fileList(home.resolve("blobs")), "no blob written");
    }
    assertNoLeftovers(home);
  }

  @Test
  void run_unchangedRebuild_reusesTheLayersWithoutRunningAnything() throws Exception {
    Path ctx = context(tmp.resolve("ctx"), String.join("\n",
        "FROM " + base,
        "ARG FLAVOUR=plain",
        "ARG UNUSED=x",
        "RUN echo $FLAVOUR > /flavour",
        ""));
    try (LocalStore store = LocalStore.open(tmp.resolve("home"))) {
      BuildResult first = buildOk(store, request(ctx));
      List<String> log = new ArrayList<>();
      BuildResult again = RunFixtures.build(store, request(ctx), log);
      BuildResult otherUnused = buildOk(store, request(ctx).withBuildArgs(Map.of("UNUSED", "y")));
      BuildResult otherFlavour = buildOk(store, request(ctx).withBuildArgs(Map.of("FLAVOUR", "spicy")));
      assertEquals(first.manifestDigest(), again.manifestDigest());
      assertEquals(0, again.layersBuilt());
      assertEquals(1, again.layersReused());
      assertFalse(log.stream().anyMatch(l -> l.startsWith("RUN steps use")), "no runtime needed: " + log);
      assertEquals(1, otherUnused.layersBuilt(), "every ARG in scope is in RUN's environment, so in its key (BuildKit)");
      assertEquals(1, otherFlavour.layersBuilt());
      assertEquals("spicy\n", TestBuilds.content(otherFlavour.image().layers().get(1), "flavour"));
    }
  }

  /**
   * The key holds USER as written, not the uid it resolves to: a change of the passwd entry above
   * must still reach the step (through the parent layers), and a cached step runs nothing.
   */
  @Test
  void run_userResolvedFromALayerAbove_passwdChangeMissesTheCache_unchangedHits() throws Exception {
    String adduser = "RUN echo 'app:x:%d:%d::/home/%s:/bin/sh' >> /etc/passwd && echo 'app:x:%d:' >> /etc/group";
    String rest = String.join("\n", "USER app", "RUN id -u > /tmp/uid && echo $HOME >> /tmp/uid", "");
    Path one = context(tmp.resolve("one"), "FROM " + base + "\n" + String.format(adduser, 1234, 1234, "one", 1234) + "\n" + rest);
    Path two = context(tmp.resolve("two"), "FROM " + base + "\n" + String.format(adduser, 1235, 1235, "two", 1235) + "\n" + rest);
    try (LocalStore store = LocalStore.open(tmp.resolve("home"))) {
      BuildResult first = buildOk(store, request(one));
      assertEquals("1234\n/home/one\n", TestBuilds.content(first.image().layers().get(2), "tmp/uid"));
      BuildResult other = buildOk(store, request(two));
      assertEquals(2, other.layersBuilt(), "the passwd entry changed, so did the step's parent");
      assertEquals("1235\n/home/two\n", TestBuilds.content(other.image().layers().get(2), "tmp/uid"));
      List<String> log = new ArrayList<>();
      BuildResult again = RunFixtures.build(store, request(one), log);
      assertEquals(0, again.layersBuilt());
      assertEquals(first.manifestDigest(), again.manifestDigest());
      assertFalse(log.stream().anyMatch(l -> l.startsWith("RUN steps use")), "no runtime needed: " + log);
    }
  }

  @Test
  void run_historyAndConfig_areBuildKits() throws Exception {
    Path ctx = context(tmp.resolve("ctx"), String.join("\n",
        "FROM " + base,
        "ARG V=1",
        "RUN true",
        "RUN [\"/bin/touch\", \"/x\"]",
        ""));
    try (LocalStore store = LocalStore.open(tmp.resolve("home"))) {
      BuildResult r = buildOk(store, request(ctx));
      List<String> createdBy = new ArrayList<>();
      r.image().config().history().forEach(h -> createdBy.add(h.createdBy().orElse("")));
      assertEquals(List.of("ARG V=1", "RUN |1 V=1 /bin/sh -c true", "RUN |1 V=1 /bin/touch /x"),
          createdBy.subList(createdBy.size() - 3, createdBy.size()));
      assertTrue(r.image().config().history().get(createdBy.size() - 2).emptyLayer(), "a RUN that changed nothing makes no layer");
      assertEquals(2, r.image().layers().size());
    }
  }

  @Test
  void run_onALayerWithoutEntriesForItsDirectories_copiesTheRootAndKeepsTheirModes() throws Exception {
    // recipe: the busybox base plus a layer that deletes /tmp/old without a tmp/ entry of its own:
    // extracted alone for overlayfs it would make /tmp a plain 0755 directory over the 1777 one
    Image busybox = (Image) io.jscan.core.transport.ocilayout.OciLayout.open(io.jscan.core.testing.SharedBases.busybox().ociLayout())
        .resolve(Optional.of("latest"), Optional.empty());
    Layer withOld = new io.jscan.builder.testing.LayerRecipe().dir("tmp", 01777).file("tmp/old", 0644, "old\n").layer();
    Layer whiteout = new io.jscan.builder.testing.LayerRecipe().file("tmp/.wh.old", 0, "").layer();
    io.jscan.core.oci.ImageConfig.History h = new io.jscan.core.oci.ImageConfig.History(Optional.empty(), Optional.of("recipe"),
        Optional.empty(), Optional.empty(), false);
    Image image = io.jscan.core.image.ImageBuilder.from(busybox).addLayer(withOld, h).addLayer(whiteout, h).build();
    Path layout = tmp.resolve("base");
    io.jscan.core.transport.ocilayout.OciLayout.create(layout).write(image, Optional.of("1"));
    Path ctx = context(tmp.resolve("ctx"), "FROM oci:" + layout + ":1\nRUN stat -c %a /tmp > /mode && ls /tmp > /listed\n");
    try (LocalStore store = LocalStore.open(tmp.resolve("home"))) {
      List<String> log = new ArrayList<>();
      BuildResult r = RunFixtures.build(store, request(ctx), log);
      assertEquals("1777\n", TestBuilds.content(r.image().layers().get(3), "mode"), String.join("\n", log));
      assertEquals("", TestBuilds.content(r.image().layers().get(3), "listed"));
      assertTrue(log.stream().anyMatch(l -> l.contains("writes into directories it has no entry for")), String.join("\n", log));
    }
  }
}
