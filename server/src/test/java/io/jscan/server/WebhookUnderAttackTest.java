package io.jscan.server;

import static io.jscan.server.WebhookHarness.await;
import static io.jscan.server.WebhookHarness.container;
import static io.jscan.server.WebhookHarness.review;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jscan.core.testing.FaultProxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The webhook under attack (issue 16), over HTTPS through the real webhook with images in a real
 * registry: reviews that name hundreds of images on a registry that never answers (a
 * {@link FaultProxy} that stalls every request) must not keep other pods from being answered, and
 * containers whose image is not an image reference are denied, in every workload kind.
 *
 * <p>"Answered within the timeout" is checked against the request timeout with slack: a
 * correctness check (the answer came from the webhook's verdict, not its deadline), not a benchmark.
 */
class WebhookUnderAttackTest {
  @TempDir Path dir;
  WebhookHarness h;
  FaultProxy stalled;

  @BeforeEach
  void create() throws Exception {
    h = WebhookHarness.create(dir);
    stalled = FaultProxy.inFrontOf(h.registry);
    stalled.add(new FaultProxy.Rule("*", "/", 100_000, new FaultProxy.Stall()));
  }

  @AfterEach
  void close() {
    if (stalled != null) {
      stalled.close(); // the verifications stalled on it end now
    }
    if (h != null) {
      h.close();
    }
  }

  /** {@code n} containers whose distinct images are in the stalling registry. */
  List<String> stalledContainers(String prefix, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(container(prefix + "-" + i, "\"" + stalled.host() + "/" + prefix + "/app-" + i + ":1\""));
    }
    return out;
  }

  static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /** A pod of the healthy registry's good image, in the default namespace: allowed, and soon. */
  void normalPodIsAnsweredMeanwhile(List<CompletableFuture<JsonNode>> attack) throws Exception {
    long start = System.nanoTime();
    JsonNode normal = h.reviewPod("/validate", "default", h.registry.host() + "/good:1");
    double took = seconds(start);
    assertTrue(normal.path("allowed").asBoolean(), normal.toString());
    assertTrue(took < ServeOptions.DEFAULT_REQUEST_TIMEOUT.toSeconds() - 1, "the normal pod was answered after " + took + " s");
    for (CompletableFuture<JsonNode> a : attack) {
      assertFalse(a.isDone(), "the normal pod was answered while the attack still waited on the stalled registry");
    }
  }

  @Test
  void validate_300ImagesOnAStallingRegistryInOneReview_aNormalPodOnAHealthyRegistryIsAnsweredMeanwhile() throws Exception {
    h.start(o -> o.withMaxImagesPerReview(300));
    CompletableFuture<JsonNode> attack = h.answerAsync("/validate", review("Pod", "default", "attack", stalledContainers("one", 300)));
    await("the stalled registry to be asked", Duration.ofSeconds(20), () -> !stalled.requests().isEmpty());

    normalPodIsAnsweredMeanwhile(List.of(attack));
    // and again, from the cache or not: the attack still holds no more than its share
    normalPodIsAnsweredMeanwhile(List.of(attack));

    JsonNode denied = attack.get(60, TimeUnit.SECONDS);
    assertFalse(denied.path("allowed").asBoolean(), denied.toString());
    String message = denied.path("status").path("message").asText();
    assertTrue(message.startsWith("jscan: image " + stalled.host() + "/one/app-0:1 (container one-0): could not be verified: "), message);
    // the images that did not start before the review was answered were never fetched
    assertTrue(stalled.requests().size() <= 8, "the stalled registry was asked " + stalled.requests().size() + " times: " + stalled.requests());
  }

  /** Five reviews of 60 images each (under the limit), all on the stalling registry: its share of the workers is all they get. */
  @Test
  void validate_manyReviewsOnAStallingRegistry_aNormalPodOnAHealthyRegistryIsAnsweredMeanwhile() throws Exception {
    h.start(o -> o);
    List<CompletableFuture<JsonNode>> attack = new ArrayList<>();
    for (int r = 0; r < 5; r++) {
      attack.add(h.answerAsync("/validate", review("Deployment", "default", "attack-" + r, stalledContainers("many" + r, 60))));
    }
    await("the stalled registry to be asked", Duration.ofSeconds(20), () -> !stalled.requests().isEmpty());

    normalPodIsAnsweredMeanwhile(attack);

    for (CompletableFuture<JsonNode> a : attack) {
      JsonNode denied = a.get(60, TimeUnit.SECONDS);
      assertFalse(denied.path("allowed").asBoolean(), denied.toString());
      assertTrue(denied.path("status").path("message").asText().contains("could not be verified"), denied.toString());
    }
  }

  @Test
  void validate_reviewNamingMoreImagesThanTheLimit_isDeniedWithTheReason_beforeAnyIsFetched() throws Exception {
    h.start(o -> o);
    int images = ServeOptions.DEFAULT_MAX_IMAGES_PER_REVIEW + 1;
    long start = System.nanoTime();
    JsonNode r = h.answer("/validate", review("Pod", "default", "big", stalledContainers("big", images)));
    assertFalse(r.path("allowed").asBoolean(), r.toString());
    assertEquals(403, r.path("status").path("code").asInt(), r.toString());
    assertEquals("jscan: the Pod names " + images + " images; jscan serve verifies at most " + ServeOptions.DEFAULT_MAX_IMAGES_PER_REVIEW
        + " in one request (--max-images)", r.path("status").path("message").asText());
    assertTrue(seconds(start) < 5, "answered after " + seconds(start) + " s");
    assertEquals(List.of(), stalled.requests(), "nothing was fetched");
    assertEquals(1, h.server.metrics().overImageLimit.get());
    // the same images, as many as the limit allows, are looked at (and get the failure mode: the registry stalls)
    JsonNode atLimit = h.answer("/validate", review("Pod", "default", "limit",
        stalledContainers("big", ServeOptions.DEFAULT_MAX_IMAGES_PER_REVIEW)));
    assertTrue(atLimit.path("status").path("message").asText().contains("could not be verified"), atLimit.toString());
  }

  /** An image field that names no image is denied, naming the container and why, in every kind the webhook reads. */
  @Test
  void validateAndMutate_malformedImages_areDeniedPerContainer_inEveryWorkloadKind() throws Exception {
    h.start(o -> o);
    String good = "\"" + h.registry.host() + "/good:1@" + h.goodDigest + "\"";
    List<String> containers = List.of(
        container("good", good),
        container("empty", "\"\""),
        container("number", "42"),
        "{\"name\": \"missing\"}",
        container("object", "{\"name\": \"nginx\"}"),
        container("list", "[\"nginx\"]"),
        container("blank", "\" \""),
        container("invalid", "\"UPPER/Case:1\""));
    for (String kind : WebhookHarness.SPEC_OF_KIND.keySet()) {
      for (String endpoint : List.of("/validate", "/mutate")) {
        // prod requires a signature by cosign.pub: nothing unsigned, let alone unreadable, may pass
        JsonNode r = h.answer(endpoint, review(kind, "prod", "malformed", containers));
        assertFalse(r.path("allowed").asBoolean(), kind + " " + endpoint + ": " + r);
        String message = r.path("status").path("message").asText();
        for (String expected : List.of(
            "image \"\" (container empty): not a valid image reference: the image is empty",
            "image 42 (container number): not a valid image reference: the image is a JSON number, not a string",
            "image (missing) (container missing): not a valid image reference: the container has no image",
            "image {\"name\":\"nginx\"} (container object): not a valid image reference: the image is a JSON object, not a string",
            "image [\"nginx\"] (container list): not a valid image reference: the image is a JSON array, not a string",
            "image \" \" (container blank): not a valid image reference: the image is only whitespace",
            "image UPPER/Case:1 (container invalid): not a valid image reference: ")) {
          assertTrue(message.contains(expected), kind + " " + endpoint + ": no \"" + expected + "\" in " + message);
        }
        assertFalse(r.has("patch"), "nothing is patched in a denied request: " + r);
      }
    }
  }

  /** A namespace no policy applies to with --no-match allow still refuses a container no node could pull. */
  @Test
  void validate_malformedImageWhereNoPolicyApplies_isDeniedAnyway() throws Exception {
    h.start(o -> o.withNoMatch(io.jscan.verifier.policy.FailureMode.ALLOW).withPolicySpecs(List.of(h.policies.resolve("20-prod.yaml").toString())));
    JsonNode r = h.answer("/validate", review("Pod", "elsewhere", "odd", List.of(container("web", "7"))));
    assertFalse(r.path("allowed").asBoolean(), r.toString());
    assertEquals("jscan: image 7 (container web): not a valid image reference: the image is a JSON number, not a string",
        r.path("status").path("message").asText());
  }
}
