package io.jscan.builder;

import static io.jscan.builder.testing.TestBuilds.request;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.builder.testing.TestBuilds;
import io.jscan.core.FailureKind;
import io.jscan.core.JscanException;
import io.jscan.core.testing.TestRegistry;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.store.LocalStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input: one-line errors naming the Dockerfile line (or the path), bad-input kind (exit 2),
 * and no name in the store changed.
 */
class BadInputTest {
  @TempDir Path tmp;
  LocalStore store;
  Path home;
  byte[] indexBefore;

  @BeforeEach
  void storeWithOneImage() throws Exception {
    home = tmp.resolve("home");
    store = LocalStore.open(home);
    Path ok = TestBuilds.context(tmp.resolve("ok"), Map.of("Dockerfile", "FROM scratch\nLABEL ok=1\n"));
    TestBuilds.build(store, request(ok).withTags(List.of(ImageName.parse("app:1"))));
    indexBefore = Files.readAllBytes(home.resolve("index.json"));
  }

  @AfterEach
  void close() {
    store.close();
  }

  /** Builds a context whose Dockerfile is {@code dockerfile}, tagging app:1; returns the failure. */
  JscanException failure(String dockerfile, Map<String, String> files) throws Exception {
    Path ctx = TestBuilds.context(tmp.resolve("ctx-" + System.nanoTime()), files);
    Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
    JscanException e = assertThrows(JscanException.class,
        () -> TestBuilds.build(store, request(ctx).withTags(List.of(ImageName.parse("app:1")))));
    assertEquals(FailureKind.BAD_INPUT, e.kind(), e.getMessage());
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    assertArrayEquals(indexBefore, Files.readAllBytes(home.resolve("index.json")), "a failed build changes no name");
    return e;
  }

  @Test
  void build_runAsUnknownUser_namesTheLineAndTheUserBeforeRunningAnything() throws Exception {
    List<String> before = TestBuilds.fileList(home);
    JscanException e = failure("FROM scratch\nUSER builder\nRUN echo hi\n", Map.of());
    assertEquals("Dockerfile:3: unable to find user builder: no matching entries in passwd file", e.getMessage());
    assertEquals(before, TestBuilds.fileList(home), "nothing written at all: the user is resolved before the runtime is needed");
  }

  @Test
  void build_runInsecure_isRefusedAtItsLine() throws Exception {
    JscanException e = failure("FROM scratch\nRUN --security=insecure echo hi\n", Map.of());
    assertEquals("Dockerfile:2: RUN --security=insecure is not supported (jscan grants no extra privileges to a build)",
        e.getMessage());
  }

  @Test
  void build_missingSource_namesTheLineAndThePath() throws Exception {
    JscanException e = failure("FROM scratch\n\nCOPY nothere.txt /x\n", Map.of());
    assertEquals("Dockerfile:3: COPY source \"nothere.txt\" not found in the build context", e.getMessage());
  }

  @Test
  void build_sourceExcludedByDockerignore_saysSo() throws Exception {
    JscanException e = failure("FROM scratch\nCOPY secret.txt /x\n", Map.of("secret.txt", "s", ".dockerignore", "secret.txt\n"));
    assertEquals("Dockerfile:2: COPY source \"secret.txt\" is excluded by .dockerignore", e.getMessage());
  }

  @Test
  void build_sourceOutsideTheContext_isRefused() throws Exception {
    JscanException e = failure("FROM scratch\nCOPY ../outside.txt /x\n", Map.of());
    assertEquals("Dockerfile:2: COPY source \"../outside.txt\" is outside the build context", e.getMessage());
  }

  @Test
  void build_symlinkPointingOutsideTheContext_isNeverFollowedOut() throws Exception {
    JscanException abs = failure("FROM scratch\nCOPY evil /x\n", Map.of("evil", "-> /etc/passwd"));
    assertTrue(abs.getMessage().startsWith("Dockerfile:2: COPY source \"evil\" is a symbolic link that points outside the build context"),
        abs.getMessage());
    JscanException rel = failure("FROM scratch\nCOPY dir/evil /x\n", Map.of("dir/evil", "-> ../../../etc/passwd"));
    assertTrue(rel.getMessage().contains("points outside the build context"), rel.getMessage());
  }

  @Test
  void build_unknownStageOrImage_isBadInputNamingTheLine() throws Exception {
    // names the store lacks and a registry that answers says it does not know: the user's input.
    // (A registry that cannot be reached is not: that is exit 1, as for pull; a name on Docker
    // Hub would depend on this machine's network, so the registry is a local one.)
    try (TestRegistry registry = TestRegistry.start(tmp.resolve("registry"))) {
      String host = registry.host();
      JscanException from = failure("FROM scratch\nCOPY --from=" + host + "/nosuchstage /x /x\n", Map.of());
      assertTrue(from.getMessage().startsWith("Dockerfile:2: COPY --from " + host + "/nosuchstage:latest: "), from.getMessage());
      JscanException base = failure("FROM " + host + "/nosuchimage:1\n", Map.of());
      assertTrue(base.getMessage().startsWith("Dockerfile:1: FROM " + host + "/nosuchimage:1: "), base.getMessage());
    }
    Path ctx = TestBuilds.context(tmp.resolve("t"), Map.of("Dockerfile", "FROM scratch AS a\n"));
    JscanException target = assertThrows(JscanException.class, () -> TestBuilds.build(store, request(ctx).withTarget("b")));
    assertEquals("Dockerfile:1: target stage \"b\" could not be found", target.getMessage());
  }

  @Test
  void build_addUrlWithoutChecksum_isRefusedAsNotReproducible() throws Exception {
    JscanException e = failure("FROM scratch\nADD https://example.com/tool.tar.gz /opt/\n", Map.of());
    assertTrue(e.getMessage().startsWith("Dockerfile:2: ADD https://example.com/tool.tar.gz has no --checksum=sha256:...: "), e.getMessage());
    assertTrue(e.getMessage().contains("could not be reproducible"), e.getMessage());
  }

  @Test
  void build_malformedDockerfileOrFlags_nameTheLine() throws Exception {
    assertEquals("Dockerfile:2: unknown instruction: COPPY",
        failure("FROM scratch\nCOPPY a /a\n", Map.of()).getMessage().replaceAll(" \\(did you mean.*\\)", ""));
    assertTrue(failure("FROM scratch\nCOPY --chmod=999 a /a\n", Map.of("a", "a")).getMessage().startsWith("Dockerfile:2: invalid chmod"));
    assertTrue(failure("FROM scratch\nSTOPSIGNAL SIGNOPE\n", Map.of()).getMessage().startsWith("Dockerfile:2: invalid signal"));
  }
}
