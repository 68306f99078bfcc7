package io.jscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jscan.core.image.Image;
import io.jscan.core.testing.FaultProxy;
import io.jscan.core.testing.TarBuilder;
import io.jscan.core.testing.TestRegistry;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.registry.RegistryClient;
import io.jscan.core.transport.registry.RegistryOptions;
import io.jscan.verifier.TestImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServeCommandTest {
  private static final String POLICY = "apiVersion: jscan.io/v1\nkind: Policy\nname: default\nrules:\n  - id: integrity\n  - id: non-root-user\n";

  record Result(int code, String out, String err) {}

  static Result jscan(String... args) {
    return jscanWith(Map.of(), args);
  }

  static Result jscanWith(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Jscan.run(new PrintWriter(out), new PrintWriter(err), env, args);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void serve_withoutCertificate_usageError() {
    Result r = jscan("serve", "--policy", "baseline", "--tls-key", "k.pem");
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("jscan: missing required option: '--tls-cert=CERT'"), r.err());
  }

  @Test
  void serve_policyThatDoesNotLoad_exit2NamingTheFile(@TempDir Path dir) throws Exception {
    Path certs = ServeProcess.certificates(dir.resolve("certs"));
    Path bad = Files.writeString(dir.resolve("bad.yaml"), POLICY.replace("non-root-user", "non-root"));
    Result r = jscan("serve", "--policy", bad.toString(), "--tls-cert", certs.resolve("tls.crt").toString(),
        "--tls-key", certs.resolve("tls.key").toString(), "--port", "0", "--address", "127.0.0.1");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().startsWith("jscan: " + bad + ":6: rule non-root: not a built-in rule"), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
  }

  @Test
  void serve_keyOfAnotherCertificate_exit2(@TempDir Path dir) throws Exception {
    Path one = ServeProcess.certificates(dir.resolve("one"));
    Path two = ServeProcess.certificates(dir.resolve("two"));
    Result r = jscan("serve", "--policy", "baseline", "--tls-cert", one.resolve("tls.crt").toString(),
        "--tls-key", two.resolve("tls.key").toString(), "--port", "0");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().startsWith("jscan: " + two.resolve("tls.key") + ": the private key does not belong to the certificate"), r.err());
  }

  @Test
  void serve_badDuration_exit2() {
    Result r = jscan("serve", "--policy", "baseline", "--tls-cert", "c", "--tls-key", "k", "--timeout", "soon");
    assertEquals(2, r.code());
    assertEquals("jscan: --timeout: expected a duration such as 500ms, 30s, 5m or 1h, got \"soon\"\n", r.err());
  }

  @Test
  void serve_keyFileMissing_exit2NamingIt(@TempDir Path dir) throws Exception {
    Path certs = ServeProcess.certificates(dir.resolve("certs"));
    Path policy = Files.writeString(dir.resolve("policy.yaml"), POLICY);
    Result r = jscan("serve", "--policy", policy.toString(), "--key", dir.resolve("nope.pub").toString(),
        "--tls-cert", certs.resolve("tls.crt").toString(), "--tls-key", certs.resolve("tls.key").toString(), "--port", "0", "--address", "127.0.0.1");
    assertEquals(2, r.code(), r.err());
    assertEquals("jscan: " + dir.resolve("nope.pub") + ": reading the public key: no such file\n", r.err());
  }

  /**
   * The real process with {@code --key}: a policy's {@code signature-required} without keys of its
   * own trusts the server's key, so an image signed by {@code jscan sign --key} is admitted in
   * prod and an unsigned one is not.
   */
  @Test
  void serve_withKey_admitsWhatJscanSignSignedWithIt_andDeniesTheUnsigned(@TempDir Path dir) throws Exception {
    Path policy = Files.writeString(dir.resolve("prod.yaml"), "apiVersion: jscan.io/v1\nkind: Policy\nname: prod\nmatch:\n  namespaces: [prod]\n"
        + "rules:\n  - id: integrity\n  - id: signature-required\n");
    Map<String, String> env = Map.of("COSIGN_PASSWORD", "test-password", "DOCKER_CONFIG", dir.resolve("docker").toString());
    assertEquals(0, jscanWith(env, "generate-key-pair", "--output-key-prefix", dir.resolve("cosign").toString()).code());
    try (TestRegistry registry = TestRegistry.start(dir.resolve("registry"))) {
      RegistryClient push = new RegistryClient(RegistryOptions.defaults());
      push.push(TestImage.image().user("65534").layer(TarBuilder.tar().file("app", "signed").build()).build(),
          ImageName.parse(registry.host() + "/app:signed"));
      push.push(TestImage.image().user("65534").layer(TarBuilder.tar().file("app", "unsigned").build()).build(),
          ImageName.parse(registry.host() + "/app:unsigned"));
      Result signed = jscanWith(env, "sign", "--key", dir.resolve("cosign.key").toString(), "docker://" + registry.host() + "/app:signed");
      assertEquals(0, signed.code(), signed.err());

      try (ServeProcess serve = ServeProcess.start(dir, Map.of(), "--policy", policy.toString(), "--key", dir.resolve("cosign.pub").toString())) {
      JsonNode ok = serve.review("prod", registry.host() + "/app:signed");
      assertTrue(ok.path("allowed").asBoolean(), ok.toString());
      JsonNode denied = serve.review("prod", registry.host() + "/app:unsigned");
      assertFalse(denied.path("allowed").asBoolean(), denied.toString());
      assertTrue(denied.path("status").path("message").asText().startsWith("jscan: image " + registry.host()
          + "/app:unsigned (container app): signature-required (policy prod): no signature found"), denied.toString());
      }
    }
  }

  /**
   * The user's scenario of issue 15, end to end: an image whose label says {@code debian:12} and
   * whose provenance, attested with {@code jscan attest --key} (and signed), lists a builder stage's untagged
   * {@code golang}. {@code jscan verify docker://IMAGE --key cosign.pub} fails baseline's
   * base-not-latest on the provenance (and passes on the label without the key); {@code jscan serve
   * --policy baseline --key cosign.pub} denies the pod with the same finding, although baseline has
   * no signature rule.
   */
  @Test
  void serve_baselineWithKey_judgesSignedProvenanceAsVerifyWithTheKeyDoes(@TempDir Path dir) throws Exception {
    Map<String, String> env = Map.of("COSIGN_PASSWORD", "test-password", "DOCKER_CONFIG", dir.resolve("docker").toString(),
        "JSCAN_HOME", dir.resolve("home").toString());
    assertEquals(0, jscanWith(env, "generate-key-pair", "--output-key-prefix", dir.resolve("cosign").toString()).code());
    // a builder stage's golang written without a tag or digest: it follows latest however base-not-latest reads it
    Path predicate = Files.writeString(dir.resolve("provenance.json"), """
        {"buildDefinition": {"buildType": "https://jscan.io/buildtypes/dockerfile/v1", "externalParameters": {},
          "resolvedDependencies": [
            {"uri": "pkg:docker/docker.io/library/golang?platform=linux%2Famd64", "annotations": {"finalBase": false}},
            {"uri": "pkg:docker/docker.io/library/debian@12?platform=linux%2Famd64",
             "digest": {"sha256": "DIGEST"}, "annotations": {"finalBase": true}}]},
         "runDetails": {"builder": {"id": "https://jscan.io/builders/cli/v1"}}}
        """.replace("DIGEST", "b".repeat(64)));
    try (TestRegistry registry = TestRegistry.start(dir.resolve("registry"))) {
      String image = registry.host() + "/app:1";
      new RegistryClient(RegistryOptions.defaults()).push(TestImage.image().user("65534").label("org.opencontainers.image.authors", "shop team")
          .label("org.opencontainers.image.base.name", "docker.io/library/debian:12").layer(TarBuilder.tar().file("app", "go").build()).build(),
          ImageName.parse(image));
      Result attested = jscanWith(env, "attest", "--key", dir.resolve("cosign.key").toString(), "--predicate", predicate.toString(),
          "--type", "slsaprovenance", "docker://" + image);
      assertEquals(0, attested.code(), attested.err());
      Result signed = jscanWith(env, "sign", "--key", dir.resolve("cosign.key").toString(), "docker://" + image); // verify --key requires it
      assertEquals(0, signed.code(), signed.err());

      Result withoutKey = jscanWith(env, "verify", "docker://" + image);
      assertEquals(0, withoutKey.code(), withoutKey.out() + withoutKey.err());
      Result verified = jscanWith(env, "verify", "docker://" + image, "--key", dir.resolve("cosign.pub").toString(), "--output", "json");
      assertEquals(3, verified.code(), verified.out() + verified.err());
      List<String> verifyFindings = new java.util.ArrayList<>();
      for (JsonNode findings : new ObjectMapper().readTree(verified.out()).findValues("findings")) {
        findings.forEach(f -> {
          if (f.path("rule").asText().equals("base-not-latest")) {
            verifyFindings.add(f.path("message").asText());
          }
        });
      }
      assertEquals(1, verifyFindings.size(), verified.out());
      assertTrue(verifyFindings.get(0).contains("docker.io/library/golang"), verifyFindings.get(0));

      try (ServeProcess serve = ServeProcess.start(dir, Map.of(), "--policy", "baseline", "--key", dir.resolve("cosign.pub").toString())) {
      JsonNode denied = serve.review("shop", image);
      assertFalse(denied.path("allowed").asBoolean(), denied.toString());
      assertEquals("jscan: image " + image + " (container app): base-not-latest (policy baseline): " + verifyFindings.get(0),
          denied.path("status").path("message").asText(), "the webhook's verdict is verify's");
      }
    }
  }

  /**
   * The reported surprise, end to end: an image built into the local store, pushed, then signed by
   * its name (no docker://) is signed in the registry, where the webhook looks, and so admitted.
   */
  @Test
  void serve_admitsAnImageBuiltPushedThenSignedByName(@TempDir Path dir) throws Exception {
    Path policy = Files.writeString(dir.resolve("prod.yaml"), "apiVersion: jscan.io/v1\nkind: Policy\nname: prod\nmatch:\n  namespaces: [prod]\n"
        + "rules:\n  - id: integrity\n  - id: signature-required\n");
    Map<String, String> env = Map.of("COSIGN_PASSWORD", "test-password", "DOCKER_CONFIG", dir.resolve("docker").toString());
    assertEquals(0, jscanWith(env, "generate-key-pair", "--output-key-prefix", dir.resolve("cosign").toString()).code());
    Path context = Files.createDirectories(dir.resolve("context"));
    Files.writeString(context.resolve("app"), "built here\n");
    Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY app /\nUSER 65534\n");
    System.setProperty(io.jscan.core.transport.store.LocalStore.HOME_PROPERTY, dir.resolve("home").toString());
    try (TestRegistry registry = TestRegistry.start(dir.resolve("registry"))) {
      String image = registry.host() + "/team/app:1";
      assertEquals(0, jscanWith(env, "build", "-q", "-t", image, context.toString()).code());
      assertEquals(0, jscanWith(env, "push", "-q", image).code());
      Result signed = jscanWith(env, "sign", "--key", dir.resolve("cosign.key").toString(), image);
      assertEquals(0, signed.code(), signed.err());
      assertTrue(signed.err().contains(" in the registry (docker://" + registry.host() + "/team/app:sha256-"), signed.err());

      try (ServeProcess serve = ServeProcess.start(dir, Map.of(), "--policy", policy.toString(), "--key", dir.resolve("cosign.pub").toString())) {
      JsonNode admitted = serve.review("prod", image);
      assertTrue(admitted.path("allowed").asBoolean(), admitted.toString());
      }
    } finally {
      System.clearProperty(io.jscan.core.transport.store.LocalStore.HOME_PROPERTY);
    }
  }

  /**
   * The real process: SIGTERM while a request waits for a slow registry; the request is answered,
   * then the process ends (143, the JVM's status for SIGTERM) and says so in its log.
   */
  @Test
  void serve_sigtermWithARequestInFlight_answersItThenExits(@TempDir Path dir) throws Exception {
    Path policy = Files.writeString(dir.resolve("policy.yaml"), POLICY);
    try (TestRegistry registry = TestRegistry.start(dir.resolve("registry"));
        FaultProxy slow = FaultProxy.inFrontOf(registry)) {
      Image image = TestImage.image().user("65534").layer(TarBuilder.tar().file("app", "x").build()).build();
      new RegistryClient(RegistryOptions.defaults()).push(image, ImageName.parse(registry.host() + "/app:1"));
      slow.add(new FaultProxy.Rule("GET", "/v2/app/manifests/1$", 1, new FaultProxy.Action(() -> sleep(2000))));

      try (ServeProcess serve = ServeProcess.start(dir, Map.of(), "--policy", policy.toString(), "--drain-delay", "500ms", "--stop-timeout", "15s")) {
        Process p = serve.process();
        Path stderr = serve.log();
        int listening = serve.port();
        HttpClient client = serve.client();
        String review = "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"sigterm-1\","
            + "\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},\"resource\":{\"group\":\"\",\"version\":\"v1\",\"resource\":\"pods\"},"
            + "\"namespace\":\"default\",\"operation\":\"CREATE\",\"userInfo\":{\"username\":\"test\"},\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\","
            + "\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"" + slow.host() + "/app:1\"}]}},\"dryRun\":false}}";
        CompletableFuture<HttpResponse<String>> inFlight = client.sendAsync(
            HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + listening + "/validate")).POST(HttpRequest.BodyPublishers.ofString(review)).build(),
            HttpResponse.BodyHandlers.ofString());
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (slow.requests().stream().noneMatch(r -> r.startsWith("GET /v2/app/manifests/1")) && System.nanoTime() < end) {
          Thread.sleep(20);
        }
        p.destroy(); // SIGTERM, while the registry holds the request's manifest for 2 s
        HttpResponse<String> answered = inFlight.get(30, TimeUnit.SECONDS);
        assertEquals(200, answered.statusCode(), answered.body());
        JsonNode response = new ObjectMapper().readTree(answered.body()).path("response");
        assertEquals("sigterm-1", response.path("uid").asText());
        assertTrue(response.path("allowed").asBoolean(), answered.body());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "exits after the drain");
        String log = Files.readString(stderr);
        assertEquals(143, p.exitValue(), log);
        assertTrue(log.contains("jscan serve: shutting down: not ready; serving for 500ms, then up to 15s for requests in flight (1 now)"), log);
        assertTrue(log.contains("jscan serve: stopped"), log);
      }
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

}
