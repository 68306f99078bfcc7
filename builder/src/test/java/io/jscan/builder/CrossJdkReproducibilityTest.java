package io.jscan.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jscan.builder.testing.Subprocess;
import io.jscan.builder.testing.TestBuilds;
import io.jscan.core.testing.ExternalTool;
import io.jscan.core.testing.RepoPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample built by the <em>other</em> JDK (Temurin 25 when the tests run on 17, OpenJDK 17 when
 * they run on 25), in another process with umask 077, another time zone and locale, from a copy of
 * the context created in reverse order with other mtimes, gives the golden digest this JVM gets.
 */
class CrossJdkReproducibilityTest {
  static final Path TEMURIN_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");
  static final Path OPENJDK_17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64/bin/java");

  @TempDir Path tmp;

  static Path otherJdk() {
    Path other = Runtime.version().feature() >= 25 ? OPENJDK_17 : TEMURIN_25;
    if (!Files.isExecutable(other)) {
      String message = "the other JDK is not installed at " + other + " (run-tests installs both)";
      if (ExternalTool.inCi()) {
        Assertions.fail(message + "; CI=true, so it is a failure");
      }
      Assumptions.abort(message);
    }
    return other;
  }

  @Test
  void build_sampleWithTheOtherJdkUmaskTimeZoneAndLocale_givesTheSameDigest() throws Exception {
    Path other = otherJdk();
    Path forward = SampleBuildTest.copy(RepoPaths.testdata("sample"), tmp.resolve("forward"), false,
        Instant.parse("2019-05-05T05:05:05Z"), "rw-r--r--");
    Path reversed = SampleBuildTest.copy(RepoPaths.testdata("sample"), tmp.resolve("reversed"), true,
        Instant.parse("2033-03-03T03:03:03.333Z"), "rw-------");
    Map<String, String> here = Map.of("SOURCE_DATE_EPOCH", Long.toString(TestBuilds.EPOCH), "TZ", "UTC", "LANG", "C.UTF-8");
    Map<String, String> there = Map.of("SOURCE_DATE_EPOCH", Long.toString(TestBuilds.EPOCH), "TZ", "Pacific/Kiritimati",
        "LANG", "de_DE.UTF-8", "LC_ALL", "de_DE.UTF-8");

    Subprocess.Result a = Subprocess.run(Subprocess.buildMainCommand(Subprocess.currentJava(), "022",
        Subprocess.args(tmp.resolve("home-a").toString(), forward.toString())), here, tmp.resolve("log-a"), 300);
    Subprocess.Result b = Subprocess.run(Subprocess.buildMainCommand(other, "077",
        Subprocess.args(tmp.resolve("home-b").toString(), reversed.toString(), "--no-cache")), there, tmp.resolve("log-b"), 300);
    assertEquals(0, a.exitCode(), a.stderr());
    assertEquals(0, b.exitCode(), b.stderr());
    assertEquals(a.lastLine(), b.lastLine(), "same digest on " + Runtime.version() + " and " + other);
    assertEquals(SampleBuildTest.golden().toString(), b.lastLine());
  }
}
