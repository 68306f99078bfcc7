package io.jscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jscan.core.oci.Digest;
import io.jscan.core.testing.TestRegistry;
import io.jscan.core.transport.store.LocalStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15's regression, the way users reach jscan: an image built FROM a base that a registry
 * serves as {@code base:latest} fails {@code base-not-latest} (and strict's {@code base-pinned})
 * on all three paths, {@code jscan verify IMAGE}, {@code jscan verify IMAGE --dockerfile} and
 * {@code jscan dockerfile lint --policy}, although the build recorded the digest the tag resolved
 * to (the {@code org.opencontainers.image.base.digest} label, jscan.lock). The same Dockerfile with
 * {@code base:1@sha256:…} passes both rules on all three.
 */
class BaseRulesCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  TestRegistry registry;
  Map<String, String> env;

  record Run(int code, String out, String err) {
    JsonNode json() throws Exception {
      return JSON.readTree(out);
    }
  }

  @BeforeEach
  void start() throws Exception {
    registry = TestRegistry.start(tmp.resolve("registry"));
    System.setProperty(LocalStore.HOME_PROPERTY, tmp.resolve("home").toString());
    env = new HashMap<>(System.getenv());
    env.put("DOCKER_CONFIG", tmp.resolve("docker").toString());
    env.put("SOURCE_DATE_EPOCH", "1700000000");
  }

  @AfterEach
  void stop() {
    System.clearProperty(LocalStore.HOME_PROPERTY);
    registry.close();
  }

  Run jscan(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Jscan.run(new PrintWriter(out), new PrintWriter(err), env, args);
    return new Run(code, out.toString().strip(), err.toString());
  }

  private Path context(String name, String dockerfile) throws Exception {
    Path ctx = tmp.resolve(name);
    Files.createDirectories(ctx);
    Files.writeString(ctx.resolve("hello.txt"), "hello from " + name + "\n");
    Files.writeString(ctx.resolve(".dockerignore"), "jscan.lock\n");
    Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
    return ctx;
  }

  /** The base: built by jscan FROM scratch and pushed as base:latest and base:1. */
  private Digest pushBase() throws Exception {
    Path ctx = context("base", "FROM scratch\nCOPY hello.txt /base.txt\n");
    Run build = jscan("build", "-q", "-t", registry.host() + "/base:latest", "-t", registry.host() + "/base:1", "--push", ctx.toString());
    assertEquals(0, build.code(), build.err());
    return Digest.parse(build.out());
  }

  private static Map<String, String> statuses(JsonNode rules) {
    Map<String, String> out = new HashMap<>();
    for (JsonNode r : rules) {
      out.put(r.get("rule").asText(), r.get("status").asText());
    }
    return out;
  }

  private static JsonNode finding(JsonNode report, String rule) {
    for (JsonNode f : report.findValues("findings").stream().flatMap(n -> java.util.stream.StreamSupport.stream(n.spliterator(), false)).toList()) {
      if (f.get("rule").asText().equals(rule)) {
        return f;
      }
    }
    throw new AssertionError("no " + rule + " finding in " + report);
  }

  /** The three paths' statuses of base-not-latest and base-pinned under {@code policy}: verify, verify --dockerfile, lint. */
  private List<Map<String, String>> threePaths(String image, Path dockerfile, String policy) throws Exception {
    Run verify = jscan("verify", "docker://" + image, "--policy", policy, "--output", "json");
    Run withDockerfile = jscan("verify", "docker://" + image, "--policy", policy, "--dockerfile", dockerfile.toString(), "--output", "json");
    Run lint = jscan("dockerfile", "lint", dockerfile.toString(), "--policy", policy, "--output", "json");
    for (Run r : List.of(verify, withDockerfile, lint)) {
      assertTrue(r.out().startsWith("{"), r.out() + r.err());
    }
    return List.of(
        statuses(verify.json().at("/images/0/rules")),
        statuses(withDockerfile.json().at("/images/0/rules")),
        statuses(lint.json().get("rules")));
  }

  @Test
  void baseLatest_failsBaseNotLatestAndBasePinned_onVerify_verifyWithDockerfile_andLint() throws Exception {
    Digest base = pushBase();
    String image = registry.host() + "/app:1";
    Path ctx = context("app", "FROM " + registry.host() + "/base:latest\n"
        + "LABEL org.opencontainers.image.authors=\"John Doe <john@example.com>\"\nCOPY hello.txt /app.txt\nUSER 1000:1000\n");
    Run build = jscan("build", "-q", "-t", image, "--push", ctx.toString());
    assertEquals(0, build.code(), build.err());
    Path dockerfile = ctx.resolve("Dockerfile");

    // baseline: exit 3 on every path, base-not-latest naming the base as written and the digest the build resolved
    Run verify = jscan("verify", "docker://" + image, "--output", "json");
    assertEquals(3, verify.code(), verify.out() + verify.err());
    JsonNode input = verify.json().at("/images/0/input/base");
    assertEquals(registry.host() + "/base:latest", input.get("reference").asText(), input.toString());
    assertTrue(input.get("latest").asBoolean(), input.toString());
    assertEquals(false, input.get("pinned").asBoolean(), input.toString());
    assertEquals(base.toString(), input.get("resolvedDigest").asText(), input.toString());
    assertEquals("base image " + registry.host() + "/base:latest (org.opencontainers.image.base.name label) uses the latest tag (DL3007); the digest "
        + base + " resolved at build time does not pin what the Dockerfile names", finding(verify.json(), "base-not-latest").get("message").asText());
    Run withDockerfile = jscan("verify", "docker://" + image, "--dockerfile", dockerfile.toString());
    assertEquals(3, withDockerfile.code(), withDockerfile.out() + withDockerfile.err());
    assertTrue(withDockerfile.out().contains("✖ baseline/base-not-latest  failed"), withDockerfile.out());
    Run lint = jscan("dockerfile", "lint", dockerfile.toString(), "--policy", "baseline");
    assertEquals(3, lint.code(), lint.out() + lint.err());
    assertTrue(lint.out().contains("✖ baseline/base-not-latest  failed"), lint.out());

    for (String policy : List.of("baseline", "strict")) {
      for (Map<String, String> s : threePaths(image, dockerfile, policy)) {
        assertEquals("failed", s.get("base-not-latest"), policy + ": " + s);
        if (policy.equals("strict")) {
          assertEquals("failed", s.get("base-pinned"), policy + ": " + s);
        }
      }
    }
  }

  @Test
  void baseTaggedAndWrittenWithDigest_passesBothRules_onVerify_verifyWithDockerfile_andLint() throws Exception {
    Digest base = pushBase();
    String image = registry.host() + "/app:2";
    Path ctx = context("app", "FROM " + registry.host() + "/base:1@" + base + "\n"
        + "LABEL org.opencontainers.image.authors=\"John Doe <john@example.com>\"\nCOPY hello.txt /app.txt\nUSER 1000:1000\n");
    Run build = jscan("build", "-q", "-t", image, "--push", ctx.toString());
    assertEquals(0, build.code(), build.err());
    Path dockerfile = ctx.resolve("Dockerfile");

    Run verify = jscan("verify", "docker://" + image, "--output", "json");
    assertEquals(0, verify.code(), verify.out() + verify.err());
    JsonNode input = verify.json().at("/images/0/input/base");
    assertEquals(registry.host() + "/base:1@" + base, input.get("reference").asText(), "base.name keeps the digest written: " + input);
    assertTrue(input.get("pinned").asBoolean(), input.toString());
    assertEquals(base.toString(), input.get("digest").asText(), input.toString());
    assertEquals(0, jscan("verify", "docker://" + image, "--dockerfile", dockerfile.toString()).code());
    Run lint = jscan("dockerfile", "lint", dockerfile.toString(), "--policy", "baseline");
    assertEquals(0, lint.code(), lint.out() + lint.err());

    for (String policy : List.of("baseline", "strict")) {
      for (Map<String, String> s : threePaths(image, dockerfile, policy)) {
        assertEquals("passed", s.get("base-not-latest"), policy + ": " + s);
        if (policy.equals("strict")) {
          assertEquals("passed", s.get("base-pinned"), policy + ": " + s);
        }
      }
    }
  }
}
