package io.jscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jscan.core.testing.ExternalTool;
import io.jscan.core.testing.GitRepo;
import io.jscan.core.testing.SharedBases;
import io.jscan.core.testing.TestFiles;
import io.jscan.core.testing.TestRegistry;
import io.jscan.core.transport.store.LocalStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15's scenario, as a newcomer runs it: the tutorial's Dockerfile ({@code FROM
 * <registry>/debian:latest}, MAINTAINER, {@code RUN apt-get …}, COPY, EXPOSE, CMD) in a git work
 * tree, FROM a real Debian minbase served by a local registry; built, verified with baseline,
 * {@code --dockerfile} and {@code dockerfile lint}, pushed, signed and attested by name, verified
 * with strict, and judged by {@code jscan serve} over HTTPS. Then the user does what the findings
 * say (pins the base by digest), and the same journey passes.
 *
 * <p>The right answers: baseline fails on the {@code latest} base (although the build recorded the
 * digest it resolved) and passes the maintainer; strict fails only for real reasons (the base, root,
 * Debian's setuid binaries), not for GnuTLS's test keys, not for a missing signature or SBOM once
 * they were made, and not for an image "56 years old"; the webhook denies what verify fails and
 * admits the pinned, signed image, in its own repository only.
 */
class TutorialScenarioTest {
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
    System.setProperty(LocalStore.HOME_PROPERTY, tmp.resolve("home").toString());
    env = new HashMap<>(System.getenv());
    // no SOURCE_DATE_EPOCH: the newcomer does not know it; the git commit dates the image
    env.remove("SOURCE_DATE_EPOCH");
    env.put("DOCKER_CONFIG", tmp.resolve("docker").toString());
    env.put("COSIGN_PASSWORD", "tutorial");
    registry = TestRegistry.start(tmp.resolve("registry"));
  }

  @AfterEach
  void stop() throws Exception {
    System.clearProperty(LocalStore.HOME_PROPERTY);
    if (registry != null) {
      registry.close();
    }
    TestFiles.deleteTree(tmp.resolve("home")); // the Debian root extracted for RUN: see TestFiles
  }

  Run jscan(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Jscan.run(new PrintWriter(out), new PrintWriter(err), env, args);
    return new Run(code, out.toString(), err.toString());
  }

  Run ok(String... args) {
    Run r = jscan(args);
    assertEquals(0, r.code(), String.join(" ", args) + ":\n" + r.out() + r.err());
    return r;
  }

  /** skopeo, a tool jscan did not write: copies the Debian layout to the registry, or says a manifest digest. */
  private static String skopeo(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(ExternalTool.require("skopeo").toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "skopeo timed out");
    assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
    return out.strip();
  }

  /** Each rule's status in a JSON report (one image) or a lint report, by rule id. */
  private static Map<String, String> statuses(JsonNode rules) {
    Map<String, String> out = new TreeMap<>();
    for (JsonNode r : rules) {
      out.put(r.get("rule").asText(), r.get("status").asText());
    }
    return out;
  }

  private static List<String> failed(Map<String, String> statuses) {
    return statuses.entrySet().stream().filter(e -> e.getValue().equals("failed")).map(Map.Entry::getKey).sorted().toList();
  }

  private static List<JsonNode> findings(JsonNode report, String rule) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode list : report.findValues("findings")) {
      StreamSupport.stream(list.spliterator(), false).filter(f -> f.path("rule").asText().equals(rule)).forEach(out::add);
    }
    return out;
  }

  private static String tutorial(String from) {
    return String.join("\n",
        "FROM " + from,
        "MAINTAINER John Doe <john.doe@example.com>",
        "RUN apt-get update && apt-get install -y curl",
        "COPY index.html /var/www/html/",
        "EXPOSE 80",
        "CMD [\"/usr/bin/httpd\", \"-f\", \"/var/www/html/index.html\"]",
        "");
  }

  @Test
  void tutorial_latestBase_failsBaselineEverywhere_thenPinnedSignedImageIsAdmitted() throws Exception {
    TutorialBuildTest.requireRoot();
    SharedBases.Base debian = SharedBases.debian();
    String debianLatest = registry.host() + "/debian:latest";
    skopeo("copy", "-q", "--dest-tls-verify=false", debian.ociReference(), "docker://" + debianLatest);
    String debianDigest = skopeo("inspect", "--tls-verify=false", "--format", "{{.Digest}}", "docker://" + debianLatest);
    ok("generate-key-pair", "--output-key-prefix", tmp.resolve("cosign").toString());
    Path key = tmp.resolve("cosign.key");
    Path pub = tmp.resolve("cosign.pub");

    // the tutorial, in a git work tree committed yesterday
    Path ctx = Files.createDirectories(tmp.resolve("tutorial"));
    Files.writeString(ctx.resolve("Dockerfile"), tutorial(debianLatest));
    Files.writeString(ctx.resolve("index.html"), "<h1>hello from jscan</h1>\n");
    long yesterday = Instant.now().getEpochSecond() - 86_400;
    String commit = GitRepo.commitAll(ctx, tmp.resolve("git-home"), yesterday);
    Path dockerfile = ctx.resolve("Dockerfile");

    String image = registry.host() + "/tutorial:1";
    Run build = ok("build", "-t", image, "--sbom-dir", tmp.resolve("sbom").toString(), ctx.toString());
    assertTrue(build.err().contains("SOURCE_DATE_EPOCH=" + yesterday + " from the last git commit (" + commit.substring(0, 7)), build.err());
    JsonNode inspected = ok("inspect", image, "--output", "json").json();
    assertEquals(Instant.ofEpochSecond(yesterday).toString(), inspected.findValue("created").asText(), "dated by the commit, not 1970");

    // baseline on all three paths: the latest base fails whatever digest the build resolved; the maintainer passes
    Run verify = jscan("verify", image, "--output", "json");
    assertEquals(3, verify.code(), verify.out() + verify.err());
    Map<String, String> baseline = statuses(verify.json().at("/images/0/rules"));
    assertEquals(List.of("base-not-latest"), failed(baseline), baseline.toString());
    assertEquals("passed", baseline.get("maintainer"), baseline.toString());
    assertTrue(findings(verify.json(), "base-not-latest").get(0).path("message").asText().contains(debianLatest + " "),
        verify.out());
    assertEquals("store", verify.json().at("/subject/copy/source").asText(), "the report names the copy it verified: " + verify.out());
    Run text = jscan("verify", image, "--dockerfile", dockerfile.toString());
    assertEquals(3, text.code(), text.out() + text.err());
    assertTrue(text.out().contains("✖ baseline/base-not-latest  failed"), text.out());
    assertTrue(text.out().contains("✔ baseline/maintainer  passed"), text.out());
    assertTrue(text.out().contains("FAILED (policy violations): 1 error,"), "DL4000 is a warning, not an error:\n" + text.out());
    Run lint = jscan("dockerfile", "lint", dockerfile.toString(), "--policy", "baseline", "--output", "json");
    Map<String, String> linted = statuses(lint.json().get("rules"));
    assertEquals("failed", linted.get("base-not-latest"), lint.out());
    assertEquals("passed", linted.get("maintainer"), lint.out());

    // pushed, then signed and attested by name: in the registry, where the cluster looks
    ok("push", image);
    Run signed = ok("sign", "--key", key.toString(), image);
    assertTrue(signed.err().contains(" in the registry ("), signed.err());
    assertTrue(signed.err().contains(" in the local store"), signed.err());
    ok("attest", "--key", key.toString(), "--predicate", tmp.resolve("sbom").resolve("sbom.cdx.json").toString(), "--type", "cyclonedx", image);

    // strict fails only for real reasons: the base (latest, not pinned), root, Debian's setuid binaries;
    // not GnuTLS's test keys, not the signature or SBOM
    for (String copy : List.of(image, "docker://" + image)) {
      Run strict = jscan("verify", copy, "--policy", "strict", "--key", pub.toString(), "--output", "json");
      assertEquals(3, strict.code(), strict.out() + strict.err());
      Map<String, String> s = statuses(strict.json().at("/images/0/rules"));
      assertEquals(List.of("base-not-latest", "base-pinned", "no-setuid", "non-root-user"), failed(s), copy + ": " + s);
      assertEquals("passed", s.get("no-secrets"), s.toString());
      assertEquals("passed", s.get("signature-required"), s.toString());
      assertEquals("passed", s.get("sbom-required"), s.toString());
    }
    Run strictText = jscan("verify", "docker://" + image, "--policy", "strict", "--key", pub.toString());
    assertTrue(strictText.out().contains(pub.toString()), "the text report says which key verified:\n" + strictText.out());

    // the pinned Dockerfile: what base-pinned's message says to write
    Path pinnedCtx = Files.createDirectories(tmp.resolve("pinned"));
    Files.writeString(pinnedCtx.resolve("Dockerfile"), tutorial(registry.host() + "/debian@" + debianDigest));
    Files.writeString(pinnedCtx.resolve("index.html"), "<h1>hello from jscan</h1>\n");
    GitRepo.commitAll(pinnedCtx, tmp.resolve("git-home"), yesterday);
    String pinned = registry.host() + "/tutorial:2";
    Run rebuilt = ok("build", "-t", pinned, "--sbom-dir", tmp.resolve("sbom2").toString(), pinnedCtx.toString());
    assertTrue(rebuilt.err().contains("from cache"), "the same Debian layers: the RUN comes from the cache\n" + rebuilt.err());
    ok("push", pinned);
    ok("sign", "--key", key.toString(), pinned);
    ok("attest", "--key", key.toString(), "--predicate", tmp.resolve("sbom2").resolve("sbom.cdx.json").toString(), "--type", "cyclonedx", pinned);
    Run pinnedVerify = jscan("verify", pinned, "--output", "json");
    assertEquals(0, pinnedVerify.code(), pinnedVerify.out() + pinnedVerify.err());
    Run pinnedStrict = jscan("verify", pinned, "--policy", "strict", "--key", pub.toString(), "--output", "json");
    assertEquals(List.of("no-setuid", "non-root-user"), failed(statuses(pinnedStrict.json().at("/images/0/rules"))),
        pinnedStrict.out());
    Map<String, String> pinnedLint = statuses(jscan("dockerfile", "lint", pinnedCtx.resolve("Dockerfile").toString(), "--policy", "strict",
        "--output", "json").json().get("rules"));
    assertEquals("passed", pinnedLint.get("base-not-latest"), pinnedLint.toString());
    assertEquals("passed", pinnedLint.get("base-pinned"), pinnedLint.toString());
    // the same digest in a repository where nobody signed it
    String unsigned = registry.host() + "/copies/tutorial:2";
    ok("push", "--skip-attachments", pinned, unsigned);

    // the cluster: baseline, a signature by our key, and an image younger than 30 days
    // the key sits beside the policy, as in the ConfigMap of deploy/kubernetes
    Path policy = Files.writeString(tmp.resolve("cluster.yaml"), String.join("\n",
        "apiVersion: jscan.io/v1",
        "kind: Policy",
        "name: cluster",
        "rules:",
        "  - id: integrity",
        "  - id: base-not-latest",
        "  - id: maintainer",
        "  - id: image-age",
        "    parameters: {maxDays: 30}",
        "  - id: signature-required",
        "    parameters:",
        "      keys: [" + pub.getFileName() + "]",
        ""));
    // the request deadline is not what this scenario is about (WebhookUnderAttackTest and the
    // deadline tests are): a generous one, so that a busy machine reading the Debian layer for the
    // first time cannot turn the verdict into "could not be verified"
    try (ServeProcess serve = ServeProcess.start(Files.createDirectories(tmp.resolve("serve-run")), Map.of(), "--policy", policy.toString(),
        "--timeout", "120s")) {
      JsonNode latest = serve.review("default", image);
      assertFalse(latest.path("allowed").asBoolean(), latest.toString());
      String message = latest.path("status").path("message").asText();
      assertTrue(message.startsWith("jscan: image " + image + " (container app): base-not-latest (policy cluster): "), message);
      assertFalse(message.contains("signature-required") || message.contains("image-age") || message.contains("maintainer"), message);

      JsonNode admitted = serve.review("default", pinned);
      assertTrue(admitted.path("allowed").asBoolean(), admitted.toString());
      JsonNode mutated = serve.review("/mutate", "default", pinned);
      assertTrue(mutated.path("allowed").asBoolean(), mutated.toString());
      String patch = new String(java.util.Base64.getDecoder().decode(mutated.path("patch").asText()), StandardCharsets.UTF_8);
      assertTrue(patch.contains(pinned + "@sha256:"), "what runs is what was checked: " + patch);

      // same digest, asked right after the signed repository's verdict was cached: its own repository decides
      JsonNode copy = serve.review("default", unsigned);
      assertFalse(copy.path("allowed").asBoolean(), copy.toString());
      assertTrue(copy.path("status").path("message").asText().contains("signature-required (policy cluster): no signature found"),
          copy.toString());
    }
  }
}
