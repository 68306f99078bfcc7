package io.jscan.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.builder.testing.BuildMain;
import io.jscan.builder.testing.TestBuilds;
import io.jscan.core.testing.ExternalTool;
import io.jscan.core.testing.GitRepo;
import io.jscan.core.transport.store.LocalStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SOURCE_DATE_EPOCH when nobody sets it: the time of the last commit of the git work tree the
 * context is in (git itself is the oracle), else 0, and the build log says which; an explicit
 * value always wins; the same commit gives the same image in any time zone and locale.
 */
class SourceDateEpochTest {
  /** 2020-09-13T12:26:40Z, committed with a +05:30 offset: %ct is UTC seconds whatever the offset. */
  static final long COMMITTED = 1_600_000_000L;

  @TempDir Path tmp;

  @BeforeEach
  void requireGit() {
    ExternalTool.require("git");
  }

  /** The environment the build sees: this machine's PATH, a home without git config. */
  Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", System.getenv("PATH"));
    env.put("HOME", tmp.resolve("home").toString());
    return env;
  }

  String git(Path dir, String... args) throws Exception {
    return GitRepo.git(dir, tmp.resolve("home"), Map.of(), args);
  }

  /** A work tree with a context in {@code sub/ctx}, committed at {@link #COMMITTED}; returns the context. */
  Path committedContext() throws Exception {
    Path repo = Files.createDirectories(tmp.resolve("repo"));
    Path ctx = Files.createDirectories(repo.resolve("sub/ctx"));
    Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY hello.txt /app/\n");
    Files.writeString(ctx.resolve("hello.txt"), "hello\n");
    GitRepo.commitAll(repo, tmp.resolve("home"), COMMITTED);
    return ctx;
  }

  @Test
  void resolve_contextInAGitWorkTree_takesTheLastCommitsTime_andSaysSo() throws Exception {
    Path ctx = committedContext();
    String head = git(ctx, "rev-parse", "HEAD");
    SourceDateEpoch.Resolution r = SourceDateEpoch.resolve(Map.of(), env(), ctx);
    assertEquals(new SourceDateEpoch(COMMITTED, SourceDateEpoch.GIT, Optional.of(head)), r.epoch(), "the committer's time, not the author's");
    assertEquals(Optional.of("SOURCE_DATE_EPOCH=1600000000 from the last git commit (" + head.substring(0, 7) + ") of " + ctx
        + " (uncommitted changes do not move it; set SOURCE_DATE_EPOCH to choose another time)"), r.message());
  }

  @Test
  void resolve_uncommittedChanges_keepTheLastCommitsTime() throws Exception {
    Path ctx = committedContext();
    Files.writeString(ctx.resolve("hello.txt"), "changed\n");
    Files.writeString(ctx.resolve("new.txt"), "untracked\n");
    assertEquals(COMMITTED, SourceDateEpoch.resolve(Map.of(), env(), ctx).epoch().seconds());
  }

  @Test
  void resolve_environmentOrBuildArg_winOverGit_silently() throws Exception {
    Path ctx = committedContext();
    Map<String, String> env = env();
    env.put("SOURCE_DATE_EPOCH", "1700000000");
    SourceDateEpoch.Resolution fromEnv = SourceDateEpoch.resolve(Map.of(), env, ctx);
    assertEquals(new SourceDateEpoch(1700000000L, SourceDateEpoch.ENVIRONMENT), fromEnv.epoch());
    assertEquals(Optional.empty(), fromEnv.message());
    SourceDateEpoch.Resolution fromArg = SourceDateEpoch.resolve(Map.of("SOURCE_DATE_EPOCH", "5"), env, ctx);
    assertEquals(new SourceDateEpoch(5, SourceDateEpoch.BUILD_ARG), fromArg.epoch());
    assertEquals(Optional.empty(), fromArg.message());
  }

  @Test
  void resolve_outsideAGitWorkTree_isZero_andSaysWhy() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("plain"));
    SourceDateEpoch.Resolution r = SourceDateEpoch.resolve(Map.of(), env(), ctx);
    assertEquals(new SourceDateEpoch(0, SourceDateEpoch.DEFAULT_SOURCE), r.epoch());
    assertEquals(Optional.of("SOURCE_DATE_EPOCH=0 (1970-01-01T00:00:00Z): not set, and " + ctx + " is not in a git work tree"), r.message());
  }

  @Test
  void resolve_withoutAGitCommand_isZero_andSaysWhy() throws Exception {
    Path ctx = committedContext();
    Map<String, String> env = env();
    env.put("PATH", Files.createDirectories(tmp.resolve("empty-bin")).toString());
    SourceDateEpoch.Resolution r = SourceDateEpoch.resolve(Map.of(), env, ctx);
    assertEquals(0, r.epoch().seconds());
    assertEquals(Optional.of("SOURCE_DATE_EPOCH=0 (1970-01-01T00:00:00Z): not set, and there is no git command on the PATH"), r.message());
  }

  @Test
  void resolve_workTreeWithoutACommit_isZero_andSaysWhy() throws Exception {
    Path repo = Files.createDirectories(tmp.resolve("fresh"));
    git(repo, "init", "-q");
    SourceDateEpoch.Resolution r = SourceDateEpoch.resolve(Map.of(), env(), repo);
    assertEquals(0, r.epoch().seconds());
    assertEquals(Optional.of("SOURCE_DATE_EPOCH=0 (1970-01-01T00:00:00Z): not set, and " + repo + " is in a git work tree without a commit yet"),
        r.message());
  }

  @Test
  void resolve_gitVariablesOfTheEnvironment_doNotPointAtAnotherRepository() throws Exception {
    Path ctx = committedContext();
    Path other = Files.createDirectories(tmp.resolve("other"));
    git(other, "init", "-q");
    Map<String, String> env = env();
    env.put("GIT_DIR", other.resolve(".git").toString());
    assertEquals(COMMITTED, SourceDateEpoch.resolve(Map.of(), env, ctx).epoch().seconds(), "the context's repository decides");
  }

  @Test
  void resolve_badValues_areBadInput() {
    assertThrows(BuildException.class, () -> SourceDateEpoch.resolve(Map.of("SOURCE_DATE_EPOCH", "yesterday"), env(), tmp));
    assertThrows(BuildException.class, () -> SourceDateEpoch.resolve(Map.of(), Map.of("SOURCE_DATE_EPOCH", "-1"), tmp));
  }

  @Test
  void build_contextInAGitWorkTree_datesConfigHistoryAndFilesAtTheCommit() throws Exception {
    Path ctx = committedContext();
    SourceDateEpoch epoch = SourceDateEpoch.resolve(Map.of(), env(), ctx).epoch();
    try (LocalStore store = LocalStore.open(tmp.resolve("store"))) {
      BuildResult r = TestBuilds.build(store, BuildRequest.of(ctx).withSourceDateEpoch(epoch));
      Instant committed = Instant.ofEpochSecond(COMMITTED);
      assertEquals(committed, r.image().config().created().orElseThrow());
      assertTrue(r.image().config().history().stream().allMatch(h -> h.created().equals(Optional.of(committed))),
          r.image().config().history()::toString);
      assertEquals(List.of("d 755 0:0 0 1600000000 app/", "f 644 0:0 6 1600000000 app/hello.txt"),
          TestBuilds.listing(r.image().layers().get(0)), "file times clamped to the commit");
      assertEquals(epoch, r.sourceDateEpoch());

      BuildResult other = TestBuilds.build(store, BuildRequest.of(ctx).withSourceDateEpoch(new SourceDateEpoch(COMMITTED + 1, "test")));
      assertNotEquals(r.manifestDigest(), other.manifestDigest(), "the cache keys on the value: a second later is another image");
    }
  }

  @Test
  void build_sameCommitInAnotherTimeZoneAndLocale_givesTheSameDigest() throws Exception {
    Path ctx = committedContext();
    String expected;
    try (LocalStore store = LocalStore.open(tmp.resolve("store"))) {
      expected = TestBuilds.build(store, BuildRequest.of(ctx).withSourceDateEpoch(new SourceDateEpoch(COMMITTED, "test")))
          .manifestDigest().toString();
    }
    Map<String, String> kiritimati = Map.of("TZ", "Pacific/Kiritimati", "LANG", "de_DE.UTF-8", "LC_ALL", "de_DE.UTF-8");
    Map<String, String> adak = Map.of("TZ", "America/Adak", "LANG", "C", "LC_ALL", "C");
    for (Map<String, String> place : List.of(kiritimati, adak)) {
      assertEquals(expected, buildElsewhere(ctx, place), "built with " + place);
    }
  }

  /** Builds {@code ctx} with {@link BuildMain} in another JVM whose environment has no SOURCE_DATE_EPOCH and {@code extra}. */
  String buildElsewhere(Path ctx, Map<String, String> extra) throws Exception {
    Path dir = Files.createTempDirectory(tmp, "elsewhere-");
    Path home = dir.resolve("store");
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), BuildMain.class.getName(), home.toString(), ctx.toString());
    pb.environment().remove("SOURCE_DATE_EPOCH");
    pb.environment().keySet().removeIf(k -> k.startsWith("GIT_"));
    pb.environment().putAll(extra);
    Path log = dir.resolve("build.log");
    pb.redirectError(log.toFile());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the build timed out");
    assertEquals(0, p.exitValue(), Files.readString(log));
    List<String> lines = out.strip().lines().toList();
    return lines.get(lines.size() - 1);
  }
}
