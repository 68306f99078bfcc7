package io.jscan.builder.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.builder.fs.FileTree;
import io.jscan.builder.layer.LayerEntry;
import io.jscan.builder.layer.LayerListings;
import io.jscan.builder.layer.ReproducibleLayerBuilder;
import io.jscan.builder.testing.LayerRecipe;
import io.jscan.builder.testing.RunFixtures;
import io.jscan.core.image.Layer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The diff of a root after a command does not depend on how the root was made: the same shell
 * script run on an overlay mount (in a private mount namespace, as RUN does) and on a copy of the
 * same layers gives the same layer, byte for byte. Runs without an OCI runtime; needs root for
 * the mount and the device nodes.
 */
class RootDiffTest {
  @TempDir Path tmp;

  @BeforeEach
  void needRoot() throws Exception {
    RunFixtures.requireRun();
  }

  /** Two layers: a base, and one with a whiteout and an opaque directory of its own. */
  static List<Layer> layers() throws Exception {
    Layer base = new LayerRecipe()
        .dir("d", 0755).file("d/x", 0644, "x\n")
        .dir("e", 0755).file("e/y", 0644, "y\n").file("e/z", 0600, "z\n")
        .file("f", 0644, "f\n")
        .file("hl1", 0644, "linked\n").link("hl2", "hl1", TarConstants.LF_LINK)
        .link("lnk", "f", TarConstants.LF_SYMLINK)
        .file("keep", 0644, "keep\n")
        .dir("g", 0755).file("g/old", 0644, "old\n")
        .dir("h", 0755).file("h/1", 0644, "1\n").file("h/2", 0644, "2\n")
        .layer();
    Layer second = new LayerRecipe()
        .file(".wh.keep", 0, "")
        .dir("g", 0755).file("g/.wh..wh..opq", 0, "").file("g/new", 0644, "new\n")
        .layer();
    return List.of(base, second);
  }

  /** The script RUN would run: every kind of change. */
  static final String SCRIPT = String.join(" && ",
      "echo new > new.txt",
      "echo more >> f",
      "chmod 700 d",
      "rm -rf d/x",
      "rm -rf e && mkdir e && echo n > e/n",
      "ln f f-hard",
      "ln -s f sym2",
      "touch -d @5000 old.txt",
      "rm lnk",
      "rm h/1",
      "mkdir -p deep/a/b && echo z > deep/a/b/z",
      "chown 7:8 g/new",
      "cat hl1 > /dev/null");

  static void sh(Path cwd, String... command) throws Exception {
    Process p = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
  }

  static FileTree before(List<Layer> layers, Path tmp) throws Exception {
    FileTree tree = new FileTree();
    LayerListings listings = new LayerListings(Optional.empty(), tmp);
    for (int i = 0; i < layers.size(); i++) {
      LayerListings.apply(tree, listings.of(layers.get(i), "layer " + i), i);
    }
    return tree;
  }

  /** Each entry as a line (path, type, mode, owner, size, link, mtime, capabilities) and its content. */
  static List<String> describe(ReproducibleLayerBuilder layer) throws Exception {
    List<String> out = new ArrayList<>();
    for (LayerEntry e : layer.entries()) {
      String content = "";
      if (e.content().isPresent()) {
        try (InputStream in = e.content().get().open()) {
          content = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\n", "\\n");
        }
      }
      out.add(e.path() + " " + e.type() + " " + Integer.toOctalString(e.mode()) + " " + e.uid() + ":" + e.gid() + " " + e.size()
          + " " + e.linkTarget().orElse("") + " " + e.mtime() + " " + e.xattrs().keySet() + " " + content);
    }
    return out;
  }

  static byte[] tar(ReproducibleLayerBuilder layer) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    layer.writeTar(out, 1_700_000_000L);
    return out.toByteArray();
  }

  @Test
  void diff_sameScriptOnOverlayAndOnCopy_givesTheSameLayer() throws Exception {
    List<Layer> layers = layers();
    FileTree before = before(layers, tmp);

    // overlay: each layer extracted alone, whiteouts as overlayfs reads them; the script runs in a
    // private mount namespace, so the mount is gone when it ends
    List<Path> lowers = new ArrayList<>();
    for (int i = layers.size() - 1; i >= 0; i--) {
      Path lower = Files.createDirectories(tmp.resolve("lower" + i));
      LayerUnpacker.unpack(layers.get(i), "layer " + i, lower, LayerUnpacker.Whiteouts.OVERLAY);
      lowers.add(lower);
    }
    Path upper = Files.createDirectories(tmp.resolve("upper"));
    Files.createDirectories(tmp.resolve("work"));
    Path merged = Files.createDirectories(tmp.resolve("merged"));
    sh(tmp, "unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
        "mount -t overlay overlay -o lowerdir=lower1:lower0,upperdir=upper,workdir=work,redirect_dir=off,metacopy=off,index=off merged"
            + " && cd merged && " + SCRIPT);
    assertEquals(List.of(), RunFixtures.mountsBelow(tmp), "the overlay lived in the script's namespace only");
    ReproducibleLayerBuilder overlay = OverlayDiff.diff(upper, new LowerStack(lowers), before).toLayer(1_700_000_000L);

    // copy: the layers applied over each other, the script run in the directory
    Path rootfs = Files.createDirectories(tmp.resolve("rootfs"));
    for (int i = 0; i < layers.size(); i++) {
      LayerUnpacker.unpack(layers.get(i), "layer " + i, rootfs, LayerUnpacker.Whiteouts.APPLY);
    }
    CopyDiff.Snapshot snapshot = CopyDiff.snapshot(rootfs);
    sh(rootfs, "sh", "-c", SCRIPT);
    ReproducibleLayerBuilder copy = CopyDiff.diff(rootfs, snapshot).toLayer(1_700_000_000L);

    List<String> fromOverlay = describe(overlay);
    assertEquals(List.of(
        ".wh.lnk FILE 0 0:0 0  OptionalLong.empty [] ",
        "d DIRECTORY 700 0:0 0  OptionalLong[1700000000] [] ",
        "d/.wh..wh..opq FILE 0 0:0 0  OptionalLong.empty [] ",
        "deep DIRECTORY 755 0:0 0  OptionalLong[1700000000] [] ",
        "deep/a DIRECTORY 755 0:0 0  OptionalLong[1700000000] [] ",
        "deep/a/b DIRECTORY 755 0:0 0  OptionalLong[1700000000] [] ",
        "deep/a/b/z FILE 644 0:0 2  OptionalLong[1700000000] [] z\\n",
        "e DIRECTORY 755 0:0 0  OptionalLong[1700000000] [] ",
        "e/.wh..wh..opq FILE 0 0:0 0  OptionalLong.empty [] ",
        "e/n FILE 644 0:0 2  OptionalLong[1700000000] [] n\\n",
        "f FILE 644 0:0 7  OptionalLong[1700000000] [] f\\nmore\\n",
        "f-hard HARDLINK 644 0:0 0 f OptionalLong[1700000000] [] ",
        "g DIRECTORY 755 0:0 0  OptionalLong[1600000000] [] ",
        "g/new FILE 644 7:8 4  OptionalLong[1600000000] [] new\\n",
        "h DIRECTORY 755 0:0 0  OptionalLong[1700000000] [] ",
        "h/.wh.1 FILE 0 0:0 0  OptionalLong.empty [] ",
        "new.txt FILE 644 0:0 4  OptionalLong[1700000000] [] new\\n",
        "old.txt FILE 644 0:0 0  OptionalLong[5000] [] ",
        "sym2 SYMLINK 777 0:0 0 f OptionalLong[1700000000] [] "), fromOverlay,
        "d emptied: opaque; e replaced: opaque; h lost one of two: a whiteout; lnk deleted: a whiteout; f linked: both names;"
            + " g/new chowned keeps its time; hl1 only read: not there");
    assertEquals(fromOverlay, describe(copy));
    assertArrayEquals(tar(overlay), tar(copy), "the same tar bytes");
  }

  @Test
  void diff_copiedUpButUnchanged_isNotAChange() throws Exception {
    List<Layer> layers = layers();
    Path lower = Files.createDirectories(tmp.resolve("lower"));
    LayerUnpacker.unpack(layers.get(0), "base", lower, LayerUnpacker.Whiteouts.OVERLAY);
    Path upper = Files.createDirectories(tmp.resolve("upper"));
    Files.createDirectories(tmp.resolve("work"));
    Files.createDirectories(tmp.resolve("merged"));
    // opening for writing copies the file up; nothing changes
    sh(tmp, "unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
        "mount -t overlay overlay -o lowerdir=lower,upperdir=upper,workdir=work merged && cd merged && : >> keep && chmod 644 f");
    assertTrue(Files.exists(upper.resolve("keep")), "overlayfs copied it up");
    RootChanges changes = OverlayDiff.diff(upper, new LowerStack(List.of(lower)), before(List.of(layers.get(0)), tmp));
    assertTrue(changes.isEmpty(), "changed: " + changes.changedPaths());
  }

  @Test
  void diff_capabilityOfAFile_isAPaxXattrRecordOfItsEntry() throws Exception {
    Path lower = Files.createDirectories(tmp.resolve("lower"));
    Path upper = Files.createDirectories(tmp.resolve("upper"));
    Path ping = Files.writeString(upper.resolve("ping"), "binary");
    // VFS_CAP_REVISION_2, cap_net_raw (13) permitted and effective: bytes above 0x7f included
    byte[] capability = {0x01, 0x00, 0x00, 0x02, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00};
    capability[4] = (byte) 0x80; // cap_setuid (7) too: a byte that is not valid UTF-8 on its own
    LinuxFiles.setXattr(ping, LinuxFiles.SECURITY_CAPABILITY, capability);
    RootChanges changes = OverlayDiff.diff(upper, new LowerStack(List.of(lower)), new FileTree());
    byte[] tar = tar(changes.toLayer(1_700_000_000L));
    try (TarArchiveInputStream in = new TarArchiveInputStream(new java.io.ByteArrayInputStream(tar))) {
      TarArchiveEntry e = in.getNextEntry();
      assertEquals("ping", e.getName());
      assertTrue(e.getExtraPaxHeaders().containsKey("SCHILY.xattr.security.capability"), e.getExtraPaxHeaders().toString());
    }
    // the record's value is the raw bytes: find them after the key in the PAX header block
    String header = new String(tar, 0, 1024, StandardCharsets.ISO_8859_1);
    int at = header.indexOf("SCHILY.xattr.security.capability=") + "SCHILY.xattr.security.capability=".length();
    byte[] value = java.util.Arrays.copyOfRange(tar, at, at + capability.length);
    assertArrayEquals(capability, value);
    assertEquals('\n', tar[at + capability.length]);
  }
}
