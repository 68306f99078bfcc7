package io.jscan.builder;

import static io.jscan.builder.testing.TestBuilds.build;
import static io.jscan.builder.testing.TestBuilds.listing;
import static io.jscan.builder.testing.TestBuilds.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.builder.testing.TestBases;
import io.jscan.builder.testing.TestBuilds;
import io.jscan.core.FailureKind;
import io.jscan.core.image.Image;
import io.jscan.core.image.Layer;
import io.jscan.core.transport.store.LocalStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** COPY with Docker's directory, trailing-slash, wildcard, link and ownership rules. */
class CopySemanticsTest {
  @TempDir Path tmp;
  LocalStore store;
  Path base;

  @BeforeEach
  void open() throws Exception {
    store = LocalStore.open(tmp.resolve("home"));
    base = tmp.resolve("base-oci");
    TestBases.write(base);
  }

  @AfterEach
  void close() {
    store.close();
  }

  /** Builds {@code dockerfile} over a context of {@code files}; returns the image. */
  Image build(String dockerfile, Map<String, String> files) throws Exception {
    Path ctx = TestBuilds.context(tmp.resolve("ctx-" + System.nanoTime()), files);
    Files.writeString(ctx.resolve("Dockerfile"), dockerfile.replace("BASE", "oci:" + base + ":" + TestBases.REF));
    return TestBuilds.build(store, request(ctx)).image();
  }

  static Layer last(Image image) throws Exception {
    List<Layer> layers = image.layers();
    return layers.get(layers.size() - 1);
  }

  BuildException failure(String dockerfile, Map<String, String> files) {
    return assertThrows(BuildException.class, () -> build(dockerfile, files));
  }

  @Test
  void copy_directory_copiesItsContentsNotTheDirectory() throws Exception {
    Image image = build("FROM scratch\nCOPY src /dst/\n", Map.of("src/a.txt", "a", "src/sub/b.txt", "bb"));
    assertEquals(List.of(
        "d 755 0:0 0 1700000000 dst/",
        "f 644 0:0 1 1700000000 dst/a.txt",
        "d 755 0:0 0 1700000000 dst/sub/",
        "f 644 0:0 2 1700000000 dst/sub/b.txt"), listing(last(image)));
  }

  @Test
  void copy_fileWithoutTrailingSlash_becomesTheDestinationFile() throws Exception {
    Image image = build("FROM scratch\nCOPY a.txt /opt/x\n", Map.of("a.txt", "a"));
    assertEquals(List.of("d 755 0:0 0 1700000000 opt/", "f 644 0:0 1 1700000000 opt/x"), listing(last(image)));
  }

  @Test
  void copy_fileToExistingDirectoryWithoutSlash_goesInside() throws Exception {
    Image image = build("FROM BASE\nCOPY a.txt /run\n", Map.of("a.txt", "a"));
    assertEquals(List.of("d 755 0:0 0 1700000000 run/", "f 644 0:0 1 1700000000 run/a.txt"), listing(last(image)));
  }

  @Test
  void copy_relativeDestination_isUnderWorkdir() throws Exception {
    Image image = build("FROM scratch\nWORKDIR /w\nCOPY a.txt sub/\n", Map.of("a.txt", "a"));
    assertEquals(List.of("d 755 0:0 0 1700000000 w/", "d 755 0:0 0 1700000000 w/sub/", "f 644 0:0 1 1700000000 w/sub/a.txt"),
        listing(last(image)));
  }

  @Test
  void copy_multipleSourcesWithoutTrailingSlash_isAnError() {
    BuildException e = failure("FROM scratch\nCOPY a.txt b.txt /d\n", Map.of("a.txt", "a", "b.txt", "b"));
    assertEquals(FailureKind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().startsWith("Dockerfile:2: When using COPY with more than one source file"), e.getMessage());
  }

  @Test
  void copy_wildcard_followsGoFilepathMatch() throws Exception {
    Image image = build("FROM scratch\nCOPY *.txt ?.md /d/\n",
        Map.of("a.txt", "a", "b.txt", "b", "c.md", "c", "cc.md", "cc", "sub/d.txt", "d"));
    assertEquals(List.of(
        "d 755 0:0 0 1700000000 d/",
        "f 644 0:0 1 1700000000 d/a.txt",
        "f 644 0:0 1 1700000000 d/b.txt",
        "f 644 0:0 1 1700000000 d/c.md"), listing(last(image)));
  }

  @Test
  void copy_exclude_leavesOutMatchingPathsBelowTheSource() throws Exception {
    Image image = build("FROM scratch\nCOPY --exclude=*.md --exclude=**/skip docs/ /d/\n",
        Map.of("docs/a.txt", "a", "docs/b.md", "b", "docs/x/skip/c.txt", "c", "docs/x/keep.txt", "k"));
    assertEquals(List.of(
        "d 755 0:0 0 1700000000 d/",
        "f 644 0:0 1 1700000000 d/a.txt",
        "d 755 0:0 0 1700000000 d/x/",
        "f 644 0:0 1 1700000000 d/x/keep.txt"), listing(last(image)));
  }

  @Test
  void copy_parents_keepsSourcePathsBelowTheRootOrPivot() throws Exception {
    Image image = build("FROM scratch\nCOPY --parents x/a.txt y/a.txt /p/\nCOPY --parents ./x/./y/*.txt /q/\n",
        Map.of("x/a.txt", "xa", "y/a.txt", "ya", "x/y/b.txt", "b", "x/y/c.md", "c"));
    assertEquals(List.of(
        "d 755 0:0 0 1700000000 p/",
        "d 755 0:0 0 1700000000 p/x/",
        "f 644 0:0 2 1700000000 p/x/a.txt",
        "d 755 0:0 0 1700000000 p/y/",
        "f 644 0:0 2 1700000000 p/y/a.txt"), listing(image.layers().get(0)));
    assertEquals(List.of(
        "d 755 0:0 0 1700000000 q/",
        "d 755 0:0 0 1700000000 q/y/",
        "f 644 0:0 1 1700000000 q/y/b.txt"), listing(image.layers().get(1)));
  }

  @Test
  void copy_modeRule_executableBitGives0755_elseChmodWins() throws Exception {
    Path ctx = TestBuilds.context(tmp.resolve("ctx"), Map.of("run.sh", "#!/bin/sh\n", "data", "d"));
    TestBuilds.makeExecutable(ctx.resolve("run.sh"));
    Files.setPosixFilePermissions(ctx.resolve("data"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
    Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY run.sh data /a/\nCOPY --chmod=0600 --chown=1000:50 data /b\n"
        + "COPY --chmod=u+x,go-r data /c\n");
    Image image = TestBuilds.build(store, request(ctx)).image();
    assertEquals(List.of("d 755 0:0 0 1700000000 a/", "f 644 0:0 1 1700000000 a/data", "f 755 0:0 10 1700000000 a/run.sh"),
        listing(image.layers().get(0)));
    assertEquals(List.of("f 600 1000:50 1 1700000000 b"), listing(image.layers().get(1)));
    assertEquals(List.of("f 700 0:0 1 1700000000 c"), listing(image.layers().get(2)));
  }

  @Test
  void copy_chownByName_resolvesInTheImagesPasswdAndGroup() throws Exception {
    Image image = build("FROM BASE\nCOPY --chown=app:staff a.txt /home/app/\nCOPY --chown=nobody b.txt /b\n",
        Map.of("a.txt", "a", "b.txt", "b"));
    List<Layer> layers = image.layers();
    assertEquals(List.of(
        "d 755 1000:50 0 1700000000 home/",
        "d 755 1000:50 0 1700000000 home/app/",
        "f 644 1000:50 1 1700000000 home/app/a.txt"), listing(layers.get(1)));
    assertEquals(List.of("f 644 65534:65534 1 1700000000 b"), listing(layers.get(2)));
    BuildException e = failure("FROM BASE\nCOPY --chown=nosuchuser a.txt /a\n", Map.of("a.txt", "a"));
    assertTrue(e.getMessage().contains("unable to find user nosuchuser"), e.getMessage());
  }

  @Test
  void copy_symlinkInsideADirectory_isCopiedAsALink_andANamedLinkIsFollowed() throws Exception {
    Image image = build("FROM scratch\nCOPY dir /d/\nCOPY link.txt /x\n",
        Map.of("dir/a.txt", "a", "dir/l", "-> a.txt", "dir/abs", "-> /etc/passwd", "target.txt", "target", "link.txt", "-> target.txt"));
    assertEquals(List.of(
        "d 755 0:0 0 1700000000 d/",
        "f 644 0:0 1 1700000000 d/a.txt",
        "l 777 0:0 0 1700000000 d/abs -> /etc/passwd",
        "l 777 0:0 0 1700000000 d/l -> a.txt"), listing(image.layers().get(0)));
    assertEquals(List.of("f 644 0:0 6 1700000000 x"), listing(image.layers().get(1)));
  }

  @Test
  void copy_destinationThroughAnImageSymlink_landsAtTheLinkTarget_butNotWithLink() throws Exception {
    Image image = build("FROM BASE\nCOPY a.txt /var/run/a.txt\nCOPY --link a.txt /var/run/b.txt\n", Map.of("a.txt", "a"));
    List<Layer> layers = image.layers();
    assertEquals(List.of("d 755 0:0 0 1700000000 run/", "f 644 0:0 1 1700000000 run/a.txt"), listing(layers.get(1)));
    assertEquals(List.of("d 755 0:0 0 1700000000 var/", "d 755 0:0 0 1700000000 var/run/", "f 644 0:0 1 1700000000 var/run/b.txt"),
        listing(layers.get(2)));
  }

  @Test
  void copy_existingParentDirectory_keepsItsModeAndOwner() throws Exception {
    Image image = build("FROM BASE\nCOPY a.txt /tmp/\n", Map.of("a.txt", "a"));
    assertEquals(List.of("d 1777 0:0 0 1700000000 tmp/", "f 644 0:0 1 1700000000 tmp/a.txt"), listing(last(image)));
  }

  @Test
  void copy_link_layerIsReusedWhenEarlierLayersChange() throws Exception {
    Path ctx = TestBuilds.context(tmp.resolve("ctx"), Map.of("a.txt", "a", "b.txt", "b"));
    Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY b.txt /b\nCOPY --link a.txt /a\n");
    BuildResult first = TestBuilds.build(store, request(ctx));
    Files.writeString(ctx.resolve("b.txt"), "changed");
    BuildResult second = TestBuilds.build(store, request(ctx));
    assertEquals(1, second.layersBuilt());
    assertEquals(1, second.layersReused());
    assertEquals(first.image().layers().get(1).descriptor(), second.image().layers().get(1).descriptor());
  }

  @Test
  void copy_heredoc_writesAnInlineFile() throws Exception {
    Image image = build("FROM scratch\nCOPY <<EOF /etc/motd\nhello $NAME\nEOF\n", Map.of());
    assertEquals(List.of("d 755 0:0 0 1700000000 etc/", "f 644 0:0 7 1700000000 etc/motd"), listing(last(image)));
    assertEquals("hello \n", TestBuilds.content(last(image), "etc/motd"));
  }

  @Test
  void copy_fromStageAndImage_copiesTheirFiles_andTargetBuildsOnlyNeededStages() throws Exception {
    String dockerfile = String.join("\n",
        "FROM scratch AS build",
        "COPY a.txt /out/a.txt",
        "FROM scratch AS unused",
        "COPY missing-on-purpose /x",
        "FROM scratch",
        "COPY --from=build /out /app",
        "COPY --from=BASE /usr/bin/tool /etc/passwd /bin/",
        "");
    Image image = build(dockerfile, Map.of("a.txt", "a"));
    assertEquals(List.of("d 755 0:0 0 1700000000 app/", "f 644 0:0 1 1700000000 app/a.txt"), listing(image.layers().get(0)));
    assertEquals(List.of("d 755 0:0 0 1700000000 bin/", "f 644 0:0 100 1700000000 bin/passwd", "f 755 0:0 20 1700000000 bin/tool"),
        listing(image.layers().get(1)));
  }

  @Test
  void copy_fileOntoAnExistingDirectory_goesInside_butCannotReplaceOne() throws Exception {
    Image image = build("FROM BASE\nCOPY tmp /tmp\n", Map.of("tmp", "a file named like the directory"));
    assertEquals(List.of("d 1777 0:0 0 1700000000 tmp/", "f 644 0:0 31 1700000000 tmp/tmp"), listing(last(image)));
    BuildException e = failure("FROM BASE\nCOPY usr /\n", Map.of("usr", "a file named like the directory"));
    assertEquals("Dockerfile:2: COPY: cannot replace the directory /usr with a file", e.getMessage());
    BuildException d = failure("FROM BASE\nCOPY d/ /etc/passwd\n", Map.of("d/x", "x"));
    assertTrue(d.getMessage().startsWith("Dockerfile:2: COPY: cannot copy a directory onto /etc/passwd"), d.getMessage());
  }
}
