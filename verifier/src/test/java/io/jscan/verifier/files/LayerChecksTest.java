package io.jscan.verifier.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.oci.Digest;
import io.jscan.core.testing.HostileTar;
import io.jscan.verifier.Finding;
import io.jscan.verifier.Location;
import io.jscan.verifier.RawTar;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The tar checks of one layer and the merged-filesystem checks across layers. */
class LayerChecksTest {

  private record Checked(List<Finding> findings, List<FileFact> facts, MergedFilesystemCheck.Result merged) {
    boolean has(String text) {
      return findings.stream().anyMatch(f -> f.message().contains(text));
    }

    Finding find(String text) {
      return findings.stream().filter(f -> f.message().contains(text)).findFirst().orElseThrow(() -> new AssertionError(text + " not in " + findings));
    }
  }

  private static Checked check(byte[]... layers) throws IOException {
    List<LayerContents> contents = new ArrayList<>();
    List<Finding> findings = new ArrayList<>();
    AtomicLong entries = new AtomicLong();
    for (int i = 0; i < layers.length; i++) {
      LayerContents c = new LayerScanner(ScanLimits.defaults().withLargeFileThreshold(1000), entries)
          .scan(new ByteArrayInputStream(layers[i]), i + 1, Digest.sha256(layers[i]));
      contents.add(c);
      findings.addAll(c.findings());
    }
    MergedFilesystemCheck.Result merged = MergedFilesystemCheck.check(contents);
    findings.addAll(merged.findings());
    return new Checked(findings, merged.facts(), merged);
  }

  private static String path(Finding f) {
    return ((Location.InImage) f.location().orElseThrow()).path().orElseThrow();
  }

  private static int layer(Finding f) {
    return ((Location.InImage) f.location().orElseThrow()).layer().getAsInt();
  }

  @Test
  void scan_dotDotPath_isIntegrityFailureNamingLayerAndPath() throws IOException {
    Checked c = check(RawTar.tar().dir("etc").file("etc/../../escape", "x").build());
    Finding f = c.find("has a .. component");
    assertTrue(f.blocking());
    assertEquals(1, layer(f));
    assertTrue(path(f).contains("escape"));
  }

  @Test
  void scan_absolutePath_isIntegrityFailure() throws IOException {
    Checked c = check(RawTar.tar().file("/etc/cron.d/evil", "x").build());
    assertTrue(c.find("absolute path").blocking());
  }

  @Test
  void scan_duplicateFile_isIntegrityFailureButRepeatedDirectoryIsNot() throws IOException {
    Checked c = check(RawTar.tar().dir("d").dir("d").file("d/a", "one").file("d/a", "two").build());
    List<Finding> dups = c.findings().stream().filter(f -> f.message().contains("appears twice")).toList();
    assertEquals(1, dups.size());
    assertEquals("/d/a", path(dups.get(0)));
  }

  @Test
  void merged_symlinkClimbingAboveRoot_isEscape() throws IOException {
    Checked c = check(RawTar.tar().dir("a").dir("a/b").symlink("a/b/up", "../../../etc").build());
    Finding f = c.find("resolves outside the root");
    assertTrue(f.blocking());
    assertEquals("/a/b/up", path(f));
  }

  @Test
  void merged_ordinarySymlinks_areFine() throws IOException {
    Checked c = check(RawTar.tar().dir("bin").file("bin/busybox", "x").symlink("bin/sh", "/bin/busybox")
        .dir("usr").dir("usr/lib").symlink("usr/lib/libc.so", "../../lib/libc.so.6").symlink("dangling", "nowhere/at/all").build());
    assertTrue(c.findings().isEmpty(), c.findings().toString());
  }

  @Test
  void merged_symlinkEscapeThroughAnotherSymlink_found() throws IOException {
    // deep -> a/b/c; "deep/../../../.." climbs from c: c->b->a->root->above
    Checked c = check(RawTar.tar().dir("a").dir("a/b").dir("a/b/c").symlink("deep", "a/b/c").symlink("sneaky", "deep/../../../..").build());
    assertEquals("/sneaky", path(c.find("resolves outside the root")));
  }

  @Test
  void merged_fileWrittenThroughEscapingSymlinkOfLowerLayer_found() throws IOException {
    Checked c = check(
        RawTar.tar().symlink("etc", "../../../host/etc").build(),
        RawTar.tar().file("etc/passwd", "root::0:0::/:/bin/sh").build());
    Finding f = c.find("written through symlink");
    assertTrue(f.blocking());
    assertEquals(2, layer(f));
  }

  @Test
  void merged_hardLinkThroughEscapingSymlink_isEscape() throws IOException {
    Checked c = check(
        RawTar.tar().symlink("hostetc", "../../etc").build(),
        RawTar.tar().hardlink("shadow", "hostetc/shadow").build());
    assertTrue(c.find("goes through a symlink that leaves the root").blocking());
  }

  @Test
  void scan_hardLinkWithDotDot_isEscape() throws IOException {
    Checked c = check(RawTar.tar().file("a", "x").hardlink("b", "../../etc/passwd").build());
    assertTrue(c.find("leaves the root").blocking());
  }

  @Test
  void merged_hardLinkToMissingFile_isFailure() throws IOException {
    Checked c = check(RawTar.tar().hardlink("b", "not/there").build());
    assertTrue(c.find("does not exist").blocking());
  }

  @Test
  void merged_hardLinkToEarlierEntry_isFine() throws IOException {
    Checked c = check(RawTar.tar().dir("usr").file("usr/a", "x").hardlink("usr/b", "usr/a").build());
    assertTrue(c.findings().isEmpty(), c.findings().toString());
  }

  @Test
  void merged_whiteoutOfNothing_isWarningOnly() throws IOException {
    Checked c = check(RawTar.tar().file("a", "x").build(), RawTar.tar().whiteout("b").opaque("emptydir").build());
    Finding f = c.find("whiteout hides nothing");
    assertFalse(f.blocking());
    assertTrue(c.has("opaque whiteout hides nothing"));
  }

  @Test
  void merged_whiteoutAndOpaque_hideLowerEntries() throws IOException {
    Checked c = check(
        RawTar.tar().dir("d").file("d/old", "x").file("gone", 04755, new byte[] {1}).build(),
        RawTar.tar().whiteout("gone").opaque("d").file("d/new", "y").build());
    assertTrue(c.findings().isEmpty(), c.findings().toString());
    FileFact setuid = c.facts().stream().filter(f -> f.kind() == FileFact.Kind.SETUID).findFirst().orElseThrow();
    assertFalse(setuid.visible(), "deleted by layer 2");
    assertEquals(2, c.merged().counts().files() + c.merged().counts().directories());
  }

  @Test
  void scan_malformedWhiteouts_areFailures() throws IOException {
    Checked c = check(RawTar.tar().file(".wh.", "").file("d/.wh.x", "not empty").build());
    assertTrue(c.find("names no file").blocking());
    assertTrue(c.find("not an empty regular file").blocking());
  }

  @Test
  void facts_setuidSetgidDevicesLargeFiles() throws IOException {
    Checked c = check(RawTar.tar().dir("usr").file("usr/su", 04755, new byte[] {1}).file("usr/wall", 02755, new byte[] {1})
        .dir("dev").charDevice("dev/mem", 1, 1).file("big", 0644, new byte[2000]).build());
    List<FileFact.Kind> kinds = c.facts().stream().filter(FileFact::visible).map(FileFact::kind).toList();
    assertTrue(kinds.contains(FileFact.Kind.SETUID));
    assertTrue(kinds.contains(FileFact.Kind.SETGID));
    assertTrue(kinds.contains(FileFact.Kind.DEVICE));
    assertTrue(kinds.contains(FileFact.Kind.LARGE_FILE));
  }

  @Test
  void facts_worldWritable_onlyOutsideStickyDirectories() throws IOException {
    Checked c = check(RawTar.tar().dir("tmp", 01777).file("tmp/shared", 0666, new byte[0]).dir("open", 0777)
        .file("open/bad", 0666, new byte[0]).build());
    List<String> paths = c.facts().stream().filter(f -> f.kind() == FileFact.Kind.WORLD_WRITABLE).map(FileFact::path).sorted().toList();
    assertEquals(List.of("/open", "/open/bad"), paths);
  }

  @Test
  void facts_secretInDeletedFile_stillReportedAsHidden() throws IOException {
    Checked c = check(
        RawTar.tar().dir("root").file("root/id_rsa", io.jscan.verifier.TestSecrets.PEM).build(),
        RawTar.tar().dir("root").whiteout("root/id_rsa").build());
    FileFact secret = c.facts().stream().filter(f -> f.kind() == FileFact.Kind.SECRET).findFirst().orElseThrow();
    assertEquals("/root/id_rsa", secret.path());
    assertEquals(1, secret.layer());
    assertFalse(secret.visible());
  }

  @Test
  void scan_entryLimit_stopsRecordingWithFinding() throws IOException {
    RawTar t = RawTar.tar();
    for (int i = 0; i < 20; i++) {
      t.file("f" + i, "x");
    }
    byte[] tar = t.build();
    LayerContents c = new LayerScanner(ScanLimits.defaults().withMaxEntries(10), new AtomicLong())
        .scan(new ByteArrayInputStream(tar), 1, Digest.sha256(tar));
    assertFalse(c.complete());
    assertTrue(c.findings().stream().anyMatch(f -> f.message().contains("more than 10 tar entries")));
  }

  @Test
  void merged_symlinkLoop_isNoEscapeAndDoesNotHang() throws IOException {
    Checked c = check(RawTar.tar().symlink("a", "b").symlink("b", "a").symlink("self", "self/x").build());
    assertTrue(c.findings().isEmpty(), c.findings().toString());
  }

  // ---- issue 16: the layer as the runtime reads it

  @Test
  void scan_setuidHiddenBehindAGlobalPaxHeader_isFoundAndTheHeaderIsAFailure() throws IOException {
    // a POSIX reader applies the global size to "decoy" and reads the setuid file as its content
    Checked c = check(HostileTar.tar()
        .globalPax(HostileTar.records("size", "1536", "comment", "x"))
        .file("decoy", "x")
        .file("usr/bin/hidden", 04755, new byte[] {1})
        .end().build());
    FileFact setuid = c.facts().stream().filter(f -> f.kind() == FileFact.Kind.SETUID).findFirst().orElseThrow();
    assertEquals("/usr/bin/hidden", setuid.path());
    assertTrue(setuid.visible());
    Finding f = c.find("global PAX header at byte 0 sets size");
    assertTrue(f.blocking());
    assertEquals(1, layer(f));
  }

  @Test
  void scan_manyGlobalPaxHeadersBeyondThoseChecked_areAFailure() throws IOException {
    HostileTar t = HostileTar.tar();
    for (int i = 0; i < 20; i++) {
      t.globalPax(HostileTar.records("comment", "c" + i));
    }
    t.globalPax(HostileTar.records("path", "etc/shadow"));
    Checked c = check(t.file("a", "a").end().build());
    assertTrue(c.find("21 global PAX headers: more than jscan checks the records of").blocking());
  }

  @Test
  void scan_globalPaxHeaderWithOnlyAComment_passes() throws IOException {
    // what git archive writes
    Checked c = check(HostileTar.tar().globalPax(HostileTar.records("comment", "3f4ff3ca")).file("a", "a").end().build());
    assertTrue(c.findings().isEmpty(), c.findings().toString());
  }

  @Test
  void scan_gnuSparseName_findingsNameThePathTheRuntimeCreates() throws IOException {
    byte[] map = java.util.Arrays.copyOf("1\n0\n1\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 513);
    map[512] = 1;
    Checked c = check(HostileTar.tar()
        .pax(HostileTar.records("GNU.sparse.major", "1", "GNU.sparse.minor", "0", "GNU.sparse.name", "usr/bin/sparse-su",
            "GNU.sparse.realsize", "4096"))
        .header(HostileTar.header('0', "GNUSparseFile.0/harmless", map.length).mode(04755)).data(map)
        .end().build());
    FileFact setuid = c.facts().stream().filter(f -> f.kind() == FileFact.Kind.SETUID).findFirst().orElseThrow();
    assertEquals("/usr/bin/sparse-su", setuid.path());
    assertEquals(4096, setuid.size());
  }

  @Test
  void scan_entryOfATypeNoRuntimeExtracts_isAFailureNamingIt() throws IOException {
    Checked c = check(HostileTar.tar().header(HostileTar.header('7', "opt/contiguous", 1)).data("c").end().build());
    Finding f = c.find("type '7' (contiguous file), which container runtimes refuse to extract");
    assertTrue(f.blocking());
    assertEquals("/opt/contiguous", path(f));
  }

  @Test
  void scan_regularFileNamedWithASlash_isAFileAsTheRuntimeExtractsIt() throws IOException {
    Checked c = check(HostileTar.tar().header(HostileTar.header('0', "etc/cron.d/", 5).mode(04755)).data("files").end().build());
    FileFact setuid = c.facts().stream().filter(f -> f.kind() == FileFact.Kind.SETUID).findFirst().orElseThrow();
    assertEquals("/etc/cron.d", setuid.path());
  }

  @Test
  void scan_zeroBlockFollowedByAHeader_isMalformed() throws IOException {
    Checked c = check(HostileTar.tar().file("a", "a").raw(new byte[512]).file("b", "b").end().build());
    assertTrue(c.find("malformed tar: a zero block followed by a header").blocking());
  }
}
