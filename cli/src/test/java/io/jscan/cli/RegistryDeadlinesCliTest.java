package io.jscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.image.Image;
import io.jscan.core.testing.FaultProxy;
import io.jscan.core.testing.TestImages;
import io.jscan.core.testing.TestRegistry;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.registry.RegistryClient;
import io.jscan.core.transport.registry.RegistryOptions;
import io.jscan.core.transport.store.LocalStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command that reaches a registry returns within its deadline when the registry stalls
 * (issue 16: {@code verify --timeout 10s} ran for 406 s against a registry that never answered; a
 * layer trickled a byte at a time held {@code pull} with no limit at all): exit 1 (a registry
 * failure, not bad input), one line naming the registry and the limit that passed. The registries
 * that stall are a {@link FaultProxy} in front of a real one. "Within" is the limit plus generous
 * slack: a correctness check, not a benchmark.
 */
class RegistryDeadlinesCliTest {
  static final double SLACK_SECONDS = 4;

  @TempDir Path tmp;
  TestRegistry registry;
  FaultProxy proxy;
  Map<String, String> env;
  Image image;

  record Result(int code, String out, String err, double seconds) {
    /** The one line standard error holds (progress aside). */
    String error() {
      List<String> lines = err.lines().filter(l -> l.startsWith("jscan: ")).toList();
      assertEquals(1, lines.size(), "one error line in: " + err);
      return lines.get(0);
    }
  }

  @BeforeEach
  void start() throws Exception {
    registry = TestRegistry.start(tmp.resolve("registry"));
    proxy = FaultProxy.inFrontOf(registry);
    System.setProperty(LocalStore.HOME_PROPERTY, tmp.resolve("home").toString());
    env = new HashMap<>(System.getenv());
    env.remove("JSCAN_TIMEOUT");
    env.remove(RegistryOptions.READ_TIMEOUT_ENV);
    env.remove(RegistryOptions.CONNECT_TIMEOUT_ENV);
    env.put("DOCKER_CONFIG", tmp.resolve("docker").toString());
    env.put("COSIGN_PASSWORD", "deadline-test");
    image = TestImages.withLayers("a layer the registry will trickle ".repeat(100));
    new RegistryClient(RegistryOptions.defaults()).push(image, ImageName.parse(registry.host() + "/team/app:1"));
  }

  @AfterEach
  void stop() {
    System.clearProperty(LocalStore.HOME_PROPERTY);
    proxy.close();
    registry.close();
  }

  Result jscan(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    long start = System.nanoTime();
    int code = Jscan.run(new PrintWriter(out), new PrintWriter(err), env, args);
    return new Result(code, out.toString(), err.toString(), (System.nanoTime() - start) / 1e9);
  }

  /** The image's name through the proxy. */
  String viaProxy() {
    return proxy.host() + "/team/app:1";
  }

  void stallEverything() {
    proxy.add(new FaultProxy.Rule("*", "/", 100_000, new FaultProxy.Stall()));
  }

  void trickleBlobs() {
    proxy.add(new FaultProxy.Rule("GET", "/blobs/sha256:", 100_000, new FaultProxy.TrickleResponse(Duration.ofMillis(200))));
  }

  /** Exit 1 within {@code limit} seconds (plus slack), one line naming the proxy's registry and {@code deadline}. */
  void failsInTime(Result r, double limit, String deadline) {
    assertEquals(1, r.code(), r.err() + r.out());
    String line = r.error();
    // "passed while waiting for", or, between retries, "passes before another attempt could be made"
    assertTrue(line.contains(deadline + " pass"), line);
    assertTrue(line.contains("registry " + proxy.host()), line);
    assertTrue(r.seconds() < limit + SLACK_SECONDS, "returned after " + r.seconds() + " s: " + line);
    assertTrue(!r.err().contains("\tat "), "no stack trace: " + r.err());
  }

  @Test
  void pull_registryThatNeverAnswers_exit1AtTheTimeout() {
    stallEverything();
    Result r = jscan("pull", "-q", "--timeout", "3s", viaProxy());
    failsInTime(r, 3, "--timeout 3s");
    assertEquals("jscan: registry " + proxy.host() + ": GET /v2/: --timeout 3s passed while waiting for registry " + proxy.host(), r.error());
  }

  @Test
  void pull_layerTrickledAByteAtATime_exit1AtTheTimeout_nothingStored() throws Exception {
    trickleBlobs();
    Result r = jscan("pull", "-q", "--timeout", "3s", viaProxy());
    failsInTime(r, 3, "--timeout 3s");
    try (LocalStore store = LocalStore.openDefault()) {
      assertTrue(store.resolve(io.jscan.core.transport.ImageReference.StoreReference.byDigest(image.digest())).isEmpty(), "nothing stored");
    }
  }

  @Test
  void pull_timeoutFromTheEnvironment_isNamedAsSuch() {
    stallEverything();
    env.put("JSCAN_TIMEOUT", "2s");
    failsInTime(jscan("pull", "-q", viaProxy()), 2, "JSCAN_TIMEOUT=2s");
  }

  /** A read timeout ends each attempt; the retries then run into the whole-operation deadline, and the line says both. */
  @Test
  void pull_readTimeoutEndsEachAttempt_andTheTimeoutTheRetries() {
    stallEverything();
    Result r = jscan("pull", "-q", "--read-timeout", "500ms", "--timeout", "4s", viaProxy());
    failsInTime(r, 4, "--timeout 4s");
    assertTrue(r.error().contains("registry " + proxy.host() + " sent nothing for 500ms (the read timeout, --read-timeout)"), r.error());
  }

  @Test
  void push_registryThatNeverAnswers_exit1AtTheTimeout() throws Exception {
    try (LocalStore store = LocalStore.openDefault()) {
      store.write(image, List.of(ImageName.parse(viaProxy())));
    }
    stallEverything();
    failsInTime(jscan("push", "-q", "--timeout", "3s", viaProxy()), 3, "--timeout 3s");
  }

  @Test
  void verify_layerTrickledAByteAtATime_exit1AtTheTimeout() {
    trickleBlobs();
    Result r = jscan("verify", "--timeout", "3s", "docker://" + viaProxy());
    failsInTime(r, 3, "--timeout 3s");
  }

  @Test
  void verify_registryThatNeverAnswers_exit1AtTheTimeout_forANameTheStoreLacks() {
    stallEverything();
    failsInTime(jscan("verify", "--timeout", "3s", viaProxy()), 3, "--timeout 3s");
  }

  @Test
  void inspect_registryThatNeverAnswers_exit1AtTheTimeout() {
    stallEverything();
    failsInTime(jscan("inspect", "--timeout", "3s", viaProxy()), 3, "--timeout 3s");
  }

  @Test
  void sbom_layerTrickledAByteAtATime_exit1AtTheTimeout() {
    trickleBlobs();
    failsInTime(jscan("sbom", "--timeout", "3s", "docker://" + viaProxy()), 3, "--timeout 3s");
  }

  @Test
  void signAndAttest_registryThatNeverAnswers_exit1AtTheTimeout() throws Exception {
    assertEquals(0, jscan("generate-key-pair", "--output-key-prefix", tmp.resolve("cosign").toString()).code());
    Path predicate = Files.writeString(tmp.resolve("predicate.json"), "{\"buildType\": \"test\"}");
    stallEverything();
    failsInTime(jscan("sign", "--timeout", "3s", "--key", tmp.resolve("cosign.key").toString(), "docker://" + viaProxy()), 3, "--timeout 3s");
    failsInTime(jscan("attest", "--timeout", "3s", "--key", tmp.resolve("cosign.key").toString(), "--predicate", predicate.toString(),
        "--type", "slsaprovenance", "docker://" + viaProxy()), 3, "--timeout 3s");
  }

  /** A build's base image pull has the timeout from its start ($JSCAN_TIMEOUT: build has no flag for it). */
  @Test
  void build_baseImageTrickledAByteAtATime_exit1AtTheTimeout() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("hello.txt"), "hello\n");
    Files.writeString(ctx.resolve("Dockerfile"), "FROM " + viaProxy() + "\nCOPY hello.txt /\n");
    trickleBlobs();
    env.put("JSCAN_TIMEOUT", "3s");
    failsInTime(jscan("build", "-q", ctx.toString()), 3, "JSCAN_TIMEOUT=3s");
  }

  @Test
  void badDurations_areUsageErrors_exit2() {
    List<Result> results = new ArrayList<>();
    results.add(jscan("pull", "--timeout", "soon", viaProxy()));
    results.add(jscan("pull", "--read-timeout", "0", viaProxy()));
    results.add(jscan("pull", "--connect-timeout", "3 s", viaProxy()));
    env.put(RegistryOptions.READ_TIMEOUT_ENV, "forever");
    results.add(jscan("pull", viaProxy()));
    env.remove(RegistryOptions.READ_TIMEOUT_ENV);
    env.put("JSCAN_TIMEOUT", "-1s");
    results.add(jscan("verify", "docker://" + viaProxy()));
    for (Result r : results) {
      assertEquals(2, r.code(), r.err());
      String line = r.error();
      assertTrue(line.contains("expected a duration such as 500ms, 30s, 5m or 1h") || line.contains("must be more than 0"), line);
    }
    assertEquals(List.of(), proxy.requests(), "nothing was asked of the registry");
  }
}
