package io.jscan.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jscan.core.image.Image;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.testing.TarBuilder;
import io.jscan.core.testing.TestRegistry;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.registry.RegistryClient;
import io.jscan.core.transport.registry.RegistryOptions;
import io.jscan.signing.key.KeyAlgorithm;
import io.jscan.signing.key.KeyFiles;
import io.jscan.signing.key.Keys;
import io.jscan.signing.key.SigningKey;
import io.jscan.signing.oci.ImageSigner;
import io.jscan.signing.oci.RegistrySignatureStore;
import io.jscan.signing.oci.SigningMethod;
import io.jscan.signing.oci.StorageFormat;
import io.jscan.verifier.TestImage;
import io.jscan.verifier.Verifier;
import io.jscan.verifier.VerifierOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * What the webhook tests share: a real registry with the test images, policies on disk, a CA and
 * a server certificate, the server on a free loopback port, and an HTTPS client that trusts only
 * the test CA (as the API server trusts only the webhook's caBundle).
 */
final class WebhookHarness implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  /** Applied to every image whose namespace has no policy of its own. */
  static final String DEFAULT_POLICY = """
      apiVersion: jscan.io/v1
      kind: Policy
      name: default
      rules:
        - id: integrity
        - id: non-root-user
        - id: maintainer
          mode: warn
      """;
  /** Namespace prod: a signature by the key in cosign.pub (beside the policy, as in a ConfigMap) required. */
  static final String PROD_POLICY = """
      apiVersion: jscan.io/v1
      kind: Policy
      name: prod
      match:
        namespaces: [prod]
      rules:
        - id: integrity
        - id: non-root-user
        - id: signature-required
          parameters:
            keys: [cosign.pub]
      """;
  /** Namespace lenient: admits what cannot be verified, with a warning. */
  static final String LENIENT_POLICY = """
      apiVersion: jscan.io/v1
      kind: Policy
      name: lenient
      match:
        namespaces: [lenient]
      failureMode: allow
      rules:
        - id: non-root-user
      """;

  final Path dir;
  final TestRegistry registry;
  final Path policies;
  final TestCerts certs;
  final Path cert;
  final Path key;
  final Digest goodDigest;
  /** The key whose public half is policies/cosign.pub, the one prod trusts. */
  final SigningKey signingKey;
  final int unreachablePort;
  final StringWriter logged = new StringWriter();
  final Verifier verifier;
  WebhookServer server;
  HttpClient client;

  private WebhookHarness(Path dir) throws Exception {
    this.dir = dir;
    registry = TestRegistry.start(dir.resolve("registry"));
    RegistryClient push = new RegistryClient(RegistryOptions.defaults());
    Image good = TestImage.image().user("65534").label("org.opencontainers.image.authors", "shop team")
        .layer(TarBuilder.tar().file("app/run.sh", "echo good").build()).build();
    Image root = TestImage.image().label("org.opencontainers.image.authors", "shop team")
        .layer(TarBuilder.tar().file("app/run.sh", "echo root").build()).build();
    Image noMaintainer = TestImage.image().user("65534").layer(TarBuilder.tar().file("app/run.sh", "echo anonymous").build()).build();
    goodDigest = push.push(good, ImageName.parse(registry.host() + "/good:1")).digest();
    push.push(root, ImageName.parse(registry.host() + "/root:1"));
    push.push(noMaintainer, ImageName.parse(registry.host() + "/no-maintainer:1"));
    unreachablePort = TestRegistry.freePort();
    policies = Files.createDirectories(dir.resolve("policies"));
    Files.writeString(policies.resolve("10-default.yaml"), DEFAULT_POLICY);
    Files.writeString(policies.resolve("20-prod.yaml"), PROD_POLICY);
    Files.writeString(policies.resolve("30-lenient.yaml"), LENIENT_POLICY);
    signingKey = Keys.generate(KeyAlgorithm.ECDSA_P256);
    KeyFiles.writePublicKey(policies.resolve("cosign.pub"), signingKey.publicKey());
    certs = TestCerts.authority();
    cert = dir.resolve("tls.crt");
    key = dir.resolve("tls.key");
    certs.write(certs.issue("jscan-webhook"), cert, key);
    verifier = new Verifier(VerifierOptions.defaults().withParallelism(2));
  }

  static WebhookHarness create(Path dir) throws Exception {
    return new WebhookHarness(dir);
  }

  /** Starts the server with the defaults of {@code jscan serve} on a free loopback port, changed by {@code tune}. */
  WebhookHarness start(UnaryOperator<ServeOptions> tune) throws Exception {
    ServeOptions options = tune.apply(
        ServeOptions.defaults(List.of(policies.toString()), cert, key).withListen("127.0.0.1", 0).withReloadInterval(Duration.ofMillis(200)));
    RegistryClient registryClient = new RegistryClient(WebhookServer.forAdmission(RegistryOptions.defaults()));
    server = WebhookServer.start(options, verifier, registryClient, new ServerLog(new PrintWriter(logged, true)));
    client = newClient();
    return this;
  }

  /**
   * Signs {@code name} (REPOSITORY:TAG in the test registry) with {@code key} where cosign would:
   * the {@code sha256-<hex>.sig} tag of its repository.
   */
  void sign(String name, SigningKey key) throws Exception {
    ImageName image = ImageName.parse(registry.host() + "/" + name);
    sign(image, new RegistryClient(RegistryOptions.defaults()).resolve(image), key);
  }

  /**
   * Signs {@code subject} (a manifest or index digest) with {@code key} in {@code repository} (any
   * registry), where cosign would: with jscan's signing library, straight to the registry.
   */
  static void sign(ImageName repository, Descriptor subject, SigningKey key) throws Exception {
    ImageSigner.sign(new RegistrySignatureStore(new RegistryClient(RegistryOptions.defaults()), repository), subject,
        new SigningMethod.WithKey(key.signer()), StorageFormat.COSIGN_TAG, Map.of());
  }

  /** Stops the server (if one runs), so that the next {@link #start} makes a new one. */
  void stopServer() {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  HttpClient newClient() throws Exception {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(certs.clientContext())
        .connectTimeout(Duration.ofSeconds(5)).build();
  }

  URI uri(String path) {
    return URI.create("https://127.0.0.1:" + server.port() + path);
  }

  /** A fixture from {@code src/test/resources/admission/} with its placeholders filled in. */
  String fixture(String name) throws IOException {
    try (InputStream in = WebhookHarness.class.getResourceAsStream("/admission/" + name)) {
      if (in == null) {
        throw new IOException("no fixture " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .replace("${REGISTRY}", registry.host())
          .replace("${GOOD_DIGEST}", goodDigest.toString())
          .replace("${UNREACHABLE}", "127.0.0.1:" + unreachablePort);
    }
  }

  HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Posts a fixture and returns {@code response} of the AdmissionReview answered (status 200 asserted). */
  JsonNode review(String path, String fixture) throws IOException, InterruptedException {
    return answer(path, fixture(fixture));
  }

  /**
   * Posts {@code pod-create-unsigned-in-prod.json} with its namespace and its container's image
   * replaced, and returns the answer's {@code response}.
   */
  JsonNode reviewPod(String path, String namespace, String image) throws IOException, InterruptedException {
    return answer(path, podReview(namespace, image));
  }

  /**
   * As {@link #reviewPod}, without waiting for the answer: the review is under way when this
   * returns (for requests that must overlap).
   */
  CompletableFuture<JsonNode> reviewPodAsync(String path, String namespace, String image) throws IOException {
    return answerAsync(path, podReview(namespace, image));
  }

  /** Posts a review without waiting for the answer; the future gives {@code response} of the answer (status 200 asserted). */
  CompletableFuture<JsonNode> answerAsync(String path, String body) {
    return client.sendAsync(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
          assertEquals(200, r.statusCode(), r.body());
          try {
            return JSON.readTree(r.body()).get("response");
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
  }

  /** Where each kind the webhook reads keeps its pod spec (as PodImages has them), for {@link #review(String, String, String, List)}. */
  static final Map<String, String> SPEC_OF_KIND = Map.of(
      "Pod", "spec",
      "ReplicationController", "spec.template.spec",
      "Deployment", "spec.template.spec",
      "ReplicaSet", "spec.template.spec",
      "StatefulSet", "spec.template.spec",
      "DaemonSet", "spec.template.spec",
      "Job", "spec.template.spec",
      "CronJob", "spec.jobTemplate.spec.template.spec");

  /**
   * A CREATE review of a {@code kind} (one of {@link #SPEC_OF_KIND}, in its API group) named
   * {@code name} in {@code namespace} whose pod spec has {@code containers} (JSON objects, as written).
   */
  static String review(String kind, String namespace, String name, List<String> containers) throws IOException {
    String group = switch (kind) {
      case "Pod", "ReplicationController" -> "";
      case "Job", "CronJob" -> "batch";
      default -> "apps";
    };
    String version = group.isEmpty() ? "v1" : group + "/v1";
    String spec = "{\"containers\": [" + String.join(", ", containers) + "]}";
    String[] path = SPEC_OF_KIND.get(kind).split("\\.");
    for (int i = path.length - 1; i >= 1; i--) {
      spec = "{\"" + path[i] + "\": " + spec + "}";
    }
    String object = "{\"kind\": \"" + kind + "\", \"apiVersion\": \"" + version + "\", \"metadata\": {\"name\": \"" + name
        + "\", \"namespace\": \"" + namespace + "\"}, \"" + path[0] + "\": " + spec + "}";
    ObjectNode review = (ObjectNode) JSON.readTree("""
        {"kind": "AdmissionReview", "apiVersion": "admission.k8s.io/v1", "request": {
          "uid": "%s", "kind": {"group": "%s", "version": "v1", "kind": "%s"},
          "resource": {"group": "%s", "version": "v1", "resource": "%ss"},
          "name": "%s", "namespace": "%s", "operation": "CREATE",
          "userInfo": {"username": "kubernetes-admin"}, "object": %s, "oldObject": null, "dryRun": false}}
        """.formatted(java.util.UUID.randomUUID(), group, kind, group, kind.toLowerCase(java.util.Locale.ROOT), name, namespace, object));
    return review.toString();
  }

  /** A container named {@code name} with {@code imageJson} as its image field, written as JSON ({@code "\"nginx:1\""}, {@code 42}). */
  static String container(String name, String imageJson) {
    return "{\"name\": \"" + name + "\", \"image\": " + imageJson + "}";
  }

  /** {@code pod-create-unsigned-in-prod.json} with its namespace and its container's image replaced. */
  String podReview(String namespace, String image) throws IOException {
    ObjectNode review =
        (ObjectNode) JSON.readTree(fixture("pod-create-unsigned-in-prod.json"));
    ObjectNode request = (ObjectNode) review.get("request");
    request.put("namespace", namespace);
    ((ObjectNode) request.at("/object/metadata")).put("namespace", namespace);
    ((ObjectNode) request.at("/object/spec/containers/0")).put("image", image);
    return review.toString();
  }

  /** Posts a review and returns {@code response} of the AdmissionReview answered (status 200 asserted). */
  JsonNode answer(String path, String body) throws IOException, InterruptedException {
    HttpResponse<String> r = post(path, body);
    assertEquals(200, r.statusCode(), r.body());
    JsonNode answer = JSON.readTree(r.body());
    assertEquals("admission.k8s.io/v1", answer.path("apiVersion").asText(), r.body());
    assertEquals("AdmissionReview", answer.path("kind").asText(), r.body());
    assertEquals(JSON.readTree(body).path("request").path("uid").asText(), answer.path("response").path("uid").asText(), "uid echoed");
    return answer.get("response");
  }

  /** The JSONPatch of an answer, decoded. */
  static JsonNode patch(JsonNode response) throws IOException {
    assertEquals("JSONPatch", response.path("patchType").asText(), response.toString());
    return JSON.readTree(Base64.getDecoder().decode(response.path("patch").asText()));
  }

  /** The warnings of an answer. */
  static List<String> warnings(JsonNode response) {
    List<String> out = new java.util.ArrayList<>();
    response.path("warnings").forEach(w -> out.add(w.asText()));
    return out;
  }

  String log() {
    return logged.toString();
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
    verifier.close();
    registry.close();
  }

  /** Waits (polling every 50 ms) until {@code condition} holds, failing after {@code within}. */
  static void await(String what, Duration within, BooleanSupplier condition) throws InterruptedException {
    Instant end = Instant.now().plus(within);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(end)) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }
}
