package io.jscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.testing.ExternalTool;
import io.jscan.core.testing.RepoPaths;
import io.jscan.core.transport.store.LocalStore;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dogfooding: jscan's own image, made by {@code deploy/image/build.sh} (jlink runtime, the C
 * libraries it links, {@code jscan build} of {@code deploy/image/Dockerfile}), signed by the build,
 * its SBOM attested, passes {@code jscan verify --policy strict --key}, the README's recipe.
 *
 * <p>The one stand-in is the jar: Maven makes the shaded {@code jscan.jar} in its package phase,
 * after the tests, so the image gets a small jar made here ({@code JSCAN_JAR}) and build.sh runs
 * jscan from the test classpath ({@code JSCAN}). Everything else is what a release build does.
 */
class OwnImageTest {
  @TempDir Path dir;

  record Run(int code, String out, String err) {}

  private final Map<String, String> env = new HashMap<>();

  private Run jscan(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Jscan.run(new PrintWriter(out, true), new PrintWriter(err, true), env, args);
    return new Run(code, out.toString(), err.toString());
  }

  @AfterEach
  void tearDown() {
    System.clearProperty(LocalStore.HOME_PROPERTY);
  }

  @Test
  void ownImage_builtByBuildShSignedAndSbomAttested_passesStrictWithTheKey_andFailsItWithout() throws Exception {
    ExternalTool.require("ldd");
    Path home = dir.resolve("home");
    System.setProperty(LocalStore.HOME_PROPERTY, home.toString());
    env.put("COSIGN_PASSWORD", "dogfood");
    assertEquals(0, jscan("generate-key-pair", "--output-key-prefix", dir.resolve("cosign").toString()).code());
    Path context = dir.resolve("image-context");
    Path sbom = dir.resolve("sbom");

    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path launcher = dir.resolve("jscan");
    Files.writeString(launcher, "#!/bin/sh\nexec '" + java + "' -cp '" + System.getProperty("java.class.path") + "' io.jscan.cli.Main \"$@\"\n");
    Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
    ProcessBuilder build = new ProcessBuilder("bash", RepoPaths.repoRoot().resolve("deploy/image/build.sh").toString(),
        "-t", "jscan:dev", "--sbom-dir", sbom.toString(), "--sign", "--key", dir.resolve("cosign.key").toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("build.log").toFile());
    build.environment().putAll(Map.of("JSCAN", launcher.toString(), "JSCAN_JAR", standInJar().toString(),
        "JSCAN_IMAGE_CONTEXT", context.toString(), "JSCAN_HOME", home.toString(), "COSIGN_PASSWORD", "dogfood",
        "JAVA_HOME", System.getProperty("java.home")));
    Process p = build.start();
    assertTrue(p.waitFor(10, TimeUnit.MINUTES), "build.sh finishes");
    String log = Files.readString(dir.resolve("build.log"));
    assertEquals(0, p.exitValue(), log);
    assertTrue(log.contains("signed sha256:"), log);

    // jscan:dev is Docker Hub's name, which this machine cannot ask: the store's copy, on purpose
    Run attested = jscan("attest", "jscan:dev", "--local", "--key", dir.resolve("cosign.key").toString(),
        "--predicate", sbom.resolve("sbom.cdx.json").toString(), "--type", "cyclonedx");
    assertEquals(0, attested.code(), attested.err());

    Run strict = jscan("verify", "jscan:dev", "--policy", "strict", "--key", dir.resolve("cosign.pub").toString(),
        "--dockerfile", context.resolve("Dockerfile").toString());
    assertEquals(0, strict.code(), strict.out() + strict.err());
    for (String rule : new String[] {"integrity", "base-not-latest", "maintainer", "non-root-user", "base-pinned", "no-setuid", "no-secrets",
        "signature-required", "sbom-required"}) {
      assertTrue(strict.out().contains("✔ strict/" + rule + "  passed"), rule + ":\n" + strict.out());
    }

    // strict's signature rules have no keys of their own: without --key nothing is trusted (fail closed)
    Run untrusted = jscan("verify", "jscan:dev", "--policy", "strict", "--dockerfile", context.resolve("Dockerfile").toString());
    assertEquals(4, untrusted.code(), untrusted.out() + untrusted.err());
    assertTrue(untrusted.out().contains("✖ strict/signature-required  failed"), untrusted.out());
  }

  /** A small runnable-looking jar in place of the shaded one (see the class comment). */
  private Path standInJar() throws Exception {
    Path jar = dir.resolve("jscan.jar");
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "io.jscan.cli.Main");
    try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, manifest)) {
      ZipEntry readme = new ZipEntry("STAND-IN.txt");
      readme.setTime(0);
      j.putNextEntry(readme);
      j.write("stands in for the shaded jscan.jar, which Maven makes after the tests\n".getBytes(StandardCharsets.UTF_8));
      j.closeEntry();
    }
    return jar;
  }
}
