package io.jscan.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The webhook as the API server uses it: AdmissionReview fixtures in the API server's exact shape
 * (src/test/resources/admission/README.md) sent over HTTPS on loopback by a real HTTP client that
 * trusts only the test CA, images in a real registry.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdmissionWebhookTest {
  WebhookHarness h;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    h = WebhookHarness.create(dir).start(o -> o.withMaxRequestBytes(256 * 1024));
  }

  @AfterAll
  void stop() {
    if (h != null) {
      h.close();
    }
  }

  @Test
  void validate_podWithCompliantImage_allowsWithoutWarnings() throws Exception {
    JsonNode r = h.review("/validate", "pod-create.json");
    assertTrue(r.path("allowed").asBoolean(), r.toString());
    assertFalse(r.has("status"), r.toString());
    assertFalse(r.has("warnings"), r.toString());
    assertFalse(r.has("patch"), "/validate never patches: " + r);
  }

  @Test
  void validate_podWithRootImage_deniesNamingImageAndRule() throws Exception {
    JsonNode r = h.review("/validate", "pod-create-root-image.json");
    assertFalse(r.path("allowed").asBoolean(), r.toString());
    assertEquals(403, r.path("status").path("code").asInt());
    String message = r.path("status").path("message").asText();
    assertTrue(message.startsWith("jscan: image " + h.registry.host() + "/root:1 (container web): non-root-user (policy default): "), message);
    assertTrue(message.contains("root"), message);
    assertFalse(message.contains("\n"), "one line: " + message);
    assertTrue(h.log().contains("validate denied CREATE Pod shop/web by kubernetes-admin"), h.log());
  }

  @Test
  void validate_imageTextWithTerminalEscapes_isEscapedInTheDenialAndTheLog() throws Exception {
    // kubectl prints the denial raw after "denied the request:", and kubectl logs shows the log:
    // a config's User of "0:<ESC>[2J<ESC>[32m..." must reach neither as a control sequence
    String paint = "\u001b[2J\u001b[32mallowed\u202e";
    io.jscan.core.image.Image image = io.jscan.verifier.TestImage.image().user("0:" + paint)
        .label("org.opencontainers.image.authors", "shop team")
        .layer(io.jscan.core.testing.TarBuilder.tar().file("app/run.sh", "echo paint").build()).build();
    new io.jscan.core.transport.registry.RegistryClient(io.jscan.core.transport.registry.RegistryOptions.defaults())
        .push(image, io.jscan.core.transport.ImageName.parse(h.registry.host() + "/paint:1"));

    JsonNode r = h.reviewPod("/validate", "shop", h.registry.host() + "/paint:1");

    assertFalse(r.path("allowed").asBoolean(), r.toString());
    String message = r.path("status").path("message").asText();
    assertTrue(message.contains("the image runs as root (User 0:\\x1b[2J\\x1b[32mallowed\\u202e)"), message);
    assertFalse(message.contains("\u001b") || message.contains("\u202e"), message);
    assertFalse(h.log().contains("\u001b") || h.log().contains("\u202e"), h.log());
    assertTrue(h.log().contains("\\x1b[2J"), h.log());
  }

  @Test
  void validate_imageWithACorruptLayer_isDeniedAsAnIntegrityFailure_evenWhereFailuresAreAllowed() throws Exception {
    // the registry holds a layer whose bytes match their digest but whose gzip is corrupt (skopeo
    // copies it as it is): not "could not be verified", which failureMode allow would admit
    for (io.jscan.core.testing.CorruptLayers.Defect d : List.of(
        io.jscan.core.testing.CorruptLayers.Defect.FLIPPED_GZIP_BYTE, io.jscan.core.testing.CorruptLayers.Defect.TRUNCATED_GZIP)) {
      Path layout = io.jscan.core.testing.CorruptLayers.layout(d, h.dir.resolve("corrupt-" + d));
      String name = h.registry.host() + "/corrupt-" + d.name().toLowerCase(java.util.Locale.ROOT) + ":1";
      Process p = new ProcessBuilder(io.jscan.core.testing.ExternalTool.require("skopeo").toString(), "copy", "--dest-tls-verify=false",
          "--preserve-digests", "oci:" + layout + ":app", "docker://" + name).redirectErrorStream(true).start();
      String said = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertEquals(0, p.waitFor(), said);
      String layer = io.jscan.core.testing.CorruptLayers.image(d).manifest().layers().get(0).digest().toString();

      for (String namespace : List.of("shop", "lenient")) {
        JsonNode r = h.reviewPod("/validate", namespace, name);
        assertFalse(r.path("allowed").asBoolean(), namespace + ": " + r);
        String message = r.path("status").path("message").asText();
        assertTrue(message.contains("integrity"), message);
        assertTrue(message.contains(layer.substring(0, "sha256:".length() + 12)), message);
      }
    }
  }

  @Test
  void validate_dryRun_answersAsWithoutDryRun() throws Exception {
    JsonNode dry = h.review("/validate", "pod-create-dry-run.json");
    JsonNode real = h.review("/validate", "pod-create-root-image.json");
    assertFalse(dry.path("allowed").asBoolean());
    assertEquals(real.path("status"), dry.path("status"));
    assertTrue(h.log().contains("(dry run)"), h.log());
  }

  @Test
  void validate_imageByDigest_allowedAndMutateLeavesItAlone() throws Exception {
    JsonNode r = h.review("/validate", "pod-create-by-digest.json");
    assertTrue(r.path("allowed").asBoolean(), r.toString());
    JsonNode m = h.review("/mutate", "pod-create-by-digest.json");
    assertTrue(m.path("allowed").asBoolean(), m.toString());
    assertFalse(m.has("patch"), "already pinned: " + m);
    assertFalse(m.has("patchType"), m.toString());
  }

  @Test
  void mutate_podByTag_pinsTheVerifiedDigest() throws Exception {
    JsonNode m = h.review("/mutate", "pod-create.json");
    assertTrue(m.path("allowed").asBoolean(), m.toString());
    JsonNode patch = WebhookHarness.patch(m);
    assertEquals(WebhookHarness.JSON.readTree("[{\"op\":\"replace\",\"path\":\"/spec/containers/0/image\",\"value\":\""
        + h.registry.host() + "/good:1@" + h.goodDigest + "\"}]"), patch);
  }

  @Test
  void validate_severalContainers_allowsWithAWarningForTheWarnModeRule() throws Exception {
    JsonNode r = h.review("/validate", "pod-create-several-containers.json");
    assertTrue(r.path("allowed").asBoolean(), r.toString());
    List<String> warnings = WebhookHarness.warnings(r);
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).startsWith("image " + h.registry.host() + "/no-maintainer:1 (container metrics): maintainer (policy default): "),
        warnings.get(0));
  }

  @Test
  void mutate_severalContainers_patchesEveryContainerListAndTheResultRunsWhatWasVerified() throws Exception {
    String body = h.fixture("pod-create-several-containers.json");
    JsonNode m = h.review("/mutate", "pod-create-several-containers.json");
    assertTrue(m.path("allowed").asBoolean(), m.toString());
    assertFalse(m.has("warnings"), "warnings come from /validate only: " + m);
    JsonNode patch = WebhookHarness.patch(m);
    List<String> paths = new ArrayList<>();
    patch.forEach(op -> {
      assertEquals("replace", op.path("op").asText());
      paths.add(op.path("path").asText());
    });
    assertEquals(List.of("/spec/initContainers/0/image", "/spec/ephemeralContainers/0/image", "/spec/containers/0/image",
        "/spec/containers/1/image").stream().sorted().toList(), paths.stream().sorted().toList());
    JsonNode pod = JsonPatches.apply(WebhookHarness.JSON.readTree(body).path("request").path("object"), patch);
    String good = h.registry.host() + "/good:1@" + h.goodDigest;
    assertEquals(good, pod.at("/spec/initContainers/0/image").asText());
    assertEquals(good, pod.at("/spec/containers/0/image").asText());
    assertEquals(good, pod.at("/spec/ephemeralContainers/0/image").asText());
    assertTrue(pod.at("/spec/containers/1/image").asText().matches(java.util.regex.Pattern.quote(h.registry.host() + "/no-maintainer:1@") + "sha256:[0-9a-f]{64}"),
        pod.toString());
  }

  @Test
  void validate_podWithUnsignedImageInProd_deniesNamingImageAndRule() throws Exception {
    JsonNode r = h.review("/validate", "pod-create-unsigned-in-prod.json");
    assertFalse(r.path("allowed").asBoolean(), r.toString());
    String message = r.path("status").path("message").asText();
    assertTrue(message.startsWith("jscan: image " + h.registry.host() + "/good:1 (container web): signature-required (policy prod): no signature found"),
        message);
    assertFalse(message.contains("policy default"), "prod's match replaces the default policy: " + message);
  }

  @Test
  void validate_unreachableRegistry_deniedByTheDefaultFailureMode() throws Exception {
    JsonNode r = h.review("/validate", "pod-create-unreachable-registry.json");
    assertFalse(r.path("allowed").asBoolean(), r.toString());
    String message = r.path("status").path("message").asText();
    assertTrue(message.startsWith("jscan: image 127.0.0.1:" + h.unreachablePort + "/app:1 (container web): could not be verified: "), message);
    assertTrue(message.endsWith("(failureMode deny: policy default)"), message);
    assertTrue(h.server.metrics().registryErrors.get("resolve") > 0);
    assertTrue(h.log().contains("could not be verified"), h.log());
  }

  @Test
  void validate_unreachableRegistry_allowedWithAWarningWhereTheFailureModeIsAllow() throws Exception {
    JsonNode r = h.review("/validate", "pod-create-unreachable-registry-lenient.json");
    assertTrue(r.path("allowed").asBoolean(), r.toString());
    List<String> warnings = WebhookHarness.warnings(r);
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).startsWith("image 127.0.0.1:" + h.unreachablePort
        + "/app:1 (container web): not verified, admitted because failureMode is allow (policy lenient): "), warnings.get(0));
    JsonNode m = h.review("/mutate", "pod-create-unreachable-registry-lenient.json");
    assertTrue(m.path("allowed").asBoolean());
    assertFalse(m.has("patch"), "nothing verified, nothing pinned: " + m);
  }

  @Test
  void validate_deploymentUpdate_judgesOnlyTheImageThatChanged() throws Exception {
    JsonNode r = h.review("/validate", "deployment-update.json");
    assertFalse(r.path("allowed").asBoolean(), r.toString());
    String message = r.path("status").path("message").asText();
    assertTrue(message.startsWith("jscan: image " + h.registry.host() + "/root:1 (container api): non-root-user (policy default): "), message);
    assertFalse(message.contains("proxy"), "the unchanged container is not judged again: " + message);
  }

  @Test
  void mutate_cronJob_patchesThePodSpecInsideTheJobTemplate() throws Exception {
    JsonNode m = h.review("/mutate", "cronjob-create.json");
    assertTrue(m.path("allowed").asBoolean(), m.toString());
    JsonNode op = WebhookHarness.patch(m).get(0);
    assertEquals("/spec/jobTemplate/spec/template/spec/containers/0/image", op.path("path").asText());
    assertEquals(h.registry.host() + "/good:1@" + h.goodDigest, op.path("value").asText());
  }

  @Test
  void validate_unknownKind_allowedWithAWarningAndLogged() throws Exception {
    JsonNode r = h.review("/validate", "configmap-create-unknown-kind.json");
    assertTrue(r.path("allowed").asBoolean(), r.toString());
    assertEquals(List.of("jscan: v1 ConfigMap is not a kind jscan knows how to read images from; admitted without verification"),
        WebhookHarness.warnings(r));
    assertTrue(h.log().contains("validate CREATE v1 ConfigMap shop/shop-settings: unknown kind, admitted with a warning"), h.log());
  }

  @Test
  void validate_malformedJson_400WithAMessage() throws Exception {
    HttpResponse<String> r = h.post("/validate", "{\"kind\": \"AdmissionReview\", \"apiVersion\": ");
    assertEquals(400, r.statusCode());
    assertTrue(r.body().startsWith("jscan: bad AdmissionReview: malformed JSON at line 1"), r.body());
  }

  @Test
  void validate_reviewWithoutUid_400NamingTheField() throws Exception {
    ObjectNode review = (ObjectNode) WebhookHarness.JSON.readTree(h.fixture("pod-create.json"));
    ((ObjectNode) review.get("request")).remove("uid");
    HttpResponse<String> r = h.post("/validate", review.toString());
    assertEquals(400, r.statusCode());
    assertEquals("jscan: bad AdmissionReview: request.uid is missing or empty\n", r.body());
  }

  @Test
  void validate_oversizedBodyWithContentLength_413() throws Exception {
    HttpResponse<String> r = h.post("/validate", "{\"pad\": \"" + "x".repeat(300 * 1024) + "\"}");
    assertEquals(413, r.statusCode());
    assertTrue(r.body().contains("exceeds the limit of 262144 bytes"), r.body());
  }

  @Test
  void validate_oversizedChunkedBody_413() throws Exception {
    byte[] big = ("{\"pad\": \"" + "x".repeat(300 * 1024) + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    HttpResponse<String> r = h.client.send(HttpRequest.newBuilder(h.uri("/validate")).timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(413, r.statusCode());
    assertTrue(r.body().contains("more than 262144 bytes"), r.body());
  }

  @Test
  void validate_get_405() throws Exception {
    HttpResponse<String> r = h.get("/validate");
    assertEquals(405, r.statusCode());
    assertEquals("POST", r.headers().firstValue("Allow").orElse(""));
  }

  @Test
  void probes_healthzAndReadyzAnswerOk() throws Exception {
    assertEquals(200, h.get("/healthz").statusCode());
    HttpResponse<String> ready = h.get("/readyz");
    assertEquals(200, ready.statusCode());
    assertEquals("ok\n", ready.body());
    assertEquals(404, h.get("/nope").statusCode());
  }

  @Test
  void metrics_afterReviews_countRequestsDecisionsLatencyAndCacheHits() throws Exception {
    h.review("/validate", "pod-create.json");
    h.review("/validate", "pod-create.json"); // the second is answered from the caches
    HttpResponse<String> r = h.get("/metrics");
    assertEquals(200, r.statusCode());
    assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
    String text = r.body();
    assertTrue(text.contains("# TYPE jscan_admission_requests_total counter\n"), text);
    assertTrue(text.matches("(?s).*\njscan_admission_requests_total\\{endpoint=\"validate\",code=\"200\"\\} [1-9]\\d*\n.*"), text);
    assertTrue(text.matches("(?s).*\njscan_admission_decisions_total\\{endpoint=\"validate\",result=\"allowed\"\\} [1-9]\\d*\n.*"), text);
    assertTrue(text.contains("# TYPE jscan_admission_request_duration_seconds histogram\n"), text);
    assertTrue(text.contains("jscan_admission_request_duration_seconds_bucket{endpoint=\"validate\",le=\"+Inf\"} "), text);
    assertTrue(text.matches("(?s).*\njscan_cache_hits_total\\{cache=\"decision\"\\} [1-9]\\d*\n.*"), text);
    assertTrue(text.contains("jscan_policies_loaded 3\n"), text);
    assertTrue(h.server.metrics().cacheHits.get("digest") > 0, "the tag's resolution was reused");
  }
}
