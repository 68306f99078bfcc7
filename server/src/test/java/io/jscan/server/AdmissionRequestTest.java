package io.jscan.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AdmissionRequestTest {
  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static final String OK = "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u-1\","
      + "\"kind\":{\"group\":\"apps\",\"version\":\"v1\",\"kind\":\"Deployment\"},\"resource\":{\"group\":\"apps\",\"version\":\"v1\",\"resource\":\"deployments\"},"
      + "\"namespace\":\"shop\",\"operation\":\"CREATE\",\"userInfo\":{\"username\":\"alice\"},\"object\":{\"metadata\":{\"generateName\":\"api-\"}},"
      + "\"dryRun\":true}}";

  @Test
  void parse_lineSeparatorWhereAValueBelongs_failsWithOneLine() {
    // found by AdmissionReviewFuzzTest: Jackson's complaint quoted the U+2028 raw
    // (in UTF-16, which Jackson detects; in UTF-8 it names the byte instead of the character)
    BadReviewException e = assertThrows(BadReviewException.class,
        () -> AdmissionRequest.parse("[\u2028]".getBytes(StandardCharsets.UTF_16BE)));

    assertTrue(e.getMessage().startsWith("malformed JSON at line 1, column 2: "), e.getMessage());
    assertTrue(e.getMessage().contains("\\u2028") && e.getMessage().indexOf('\u2028') < 0, e.getMessage());
  }

  @Test
  void parse_kindWithControlCharacters_isNamedEscaped() {
    BadReviewException e = assertThrows(BadReviewException.class,
        () -> AdmissionRequest.parse(utf8("{\"kind\":\"Admission\\nReview\\u001b[2J\"}")));

    assertEquals("kind is \"Admission\\nReview\\x1b[2J\", expected AdmissionReview", e.getMessage());
  }

  @Test
  void parse_readsTheFieldsTheWebhookUses() throws Exception {
    AdmissionRequest r = AdmissionRequest.parse(utf8(OK));
    assertEquals("u-1", r.uid());
    assertEquals(new AdmissionRequest.GroupVersionKind("apps", "v1", "Deployment"), r.kind());
    assertEquals("deployments", r.resource().kind());
    assertEquals("shop", r.namespace());
    assertEquals(Optional.of("alice"), r.username());
    assertTrue(r.dryRun());
    assertEquals("shop/api-*", r.objectName());
  }

  static Stream<Arguments> bad() {
    return Stream.of(
        Arguments.of("[]", "the body is not a JSON object (expected an AdmissionReview)"),
        Arguments.of(OK.replace("\"AdmissionReview\"", "\"Pod\""), "kind is \"Pod\", expected AdmissionReview"),
        Arguments.of(OK.replace("admission.k8s.io/v1", "admission.k8s.io/v2"),
            "apiVersion is \"admission.k8s.io/v2\", expected admission.k8s.io/v1 or admission.k8s.io/v1beta1"),
        Arguments.of(OK.replace("\"uid\":\"u-1\"", "\"uid\":7"), "request.uid is not a string"),
        Arguments.of(OK.replace(",\"object\":{\"metadata\":{\"generateName\":\"api-\"}}", ""), "request.object is missing for CREATE"),
        Arguments.of(OK.replace("\"dryRun\":true", "\"dryRun\":\"yes\""), "request.dryRun is not a boolean"),
        Arguments.of(OK.replace("\"kind\":{\"group\":\"apps\",\"version\":\"v1\",\"kind\":\"Deployment\"},", ""), "request.kind is missing"),
        Arguments.of("[".repeat(300) + "]".repeat(300), "malformed JSON"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("bad")
  void parse_unanswerableBody_namesWhatIsWrong(String body, String expected) {
    BadReviewException e = assertThrows(BadReviewException.class, () -> AdmissionRequest.parse(utf8(body)));
    assertTrue(e.getMessage().startsWith(expected), e.getMessage());
  }

  @Test
  void response_denial_hasStatus403AndNoPatch() throws Exception {
    byte[] json = new AdmissionResponse("admission.k8s.io/v1", "u-1", false, Optional.of("no"), List.of("w"), List.of()).toJson();
    JsonNode r = WebhookHarness.JSON.readTree(json);
    assertEquals("{\"uid\":\"u-1\",\"allowed\":false,\"status\":{\"code\":403,\"reason\":\"Forbidden\",\"message\":\"no\"},\"warnings\":[\"w\"]}",
        r.get("response").toString());
    assertThrows(IllegalArgumentException.class, () -> new AdmissionResponse("v", "u", false, Optional.of("no"), List.of(),
        List.of(AdmissionResponse.PatchOperation.replace("/spec/containers/0/image", "x"))));
  }

  @Test
  void response_patch_isBase64OfAJsonPatchArray() throws Exception {
    AdmissionResponse a = new AdmissionResponse("admission.k8s.io/v1", "u-2", true, Optional.empty(), List.of(),
        List.of(AdmissionResponse.PatchOperation.replace("/spec/containers/0/image", "app:1@sha256:" + "b".repeat(64))));
    JsonNode r = WebhookHarness.JSON.readTree(a.toJson()).get("response");
    assertEquals("JSONPatch", r.get("patchType").asText());
    assertEquals("[{\"op\":\"replace\",\"path\":\"/spec/containers/0/image\",\"value\":\"app:1@sha256:" + "b".repeat(64) + "\"}]",
        new String(Base64.getDecoder().decode(r.get("patch").asText()), StandardCharsets.UTF_8));
    assertFalse(r.has("status"));
  }
}
