package io.jscan.builder;

import static io.jscan.builder.testing.TestBuilds.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.jscan.builder.provenance.SlsaProvenance;
import io.jscan.builder.testing.TestBases;
import io.jscan.builder.testing.TestBuilds;
import io.jscan.core.image.Image;
import io.jscan.core.oci.Digest;
import io.jscan.core.testing.ProvenanceSchema;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.store.LocalStore;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SLSA v1 provenance of a build: shape, parameters, dependencies, and determinism apart from the run. */
class ProvenanceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] PAYLOAD = "downloaded payload\n".getBytes(StandardCharsets.UTF_8);

  @TempDir Path tmp;
  private LocalStore store;
  private HttpServer server;
  private String url;
  private Image base;
  private Path context;

  @BeforeEach
  void setUp() throws Exception {
    store = LocalStore.open(tmp.resolve("home"));
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/tool.bin", exchange -> {
      exchange.sendResponseHeaders(200, PAYLOAD.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(PAYLOAD);
      }
    });
    server.start();
    url = "http://127.0.0.1:" + server.getAddress().getPort() + "/tool.bin";
    Path layout = tmp.resolve("base");
    base = TestBases.write(layout);
    context = TestBuilds.context(tmp.resolve("ctx"), Map.of(
        "app.txt", "app\n",
        "Dockerfile", String.join("\n",
            "ARG FLAVOUR=plain",
            "FROM oci:" + layout + ":" + TestBases.REF + " AS build",
            "ADD --checksum=" + Digest.sha256(PAYLOAD) + " " + url + " /opt/",
            "FROM build AS final",
            "COPY app.txt /app/",
            "LABEL flavour=${FLAVOUR}",
            "")));
  }

  @AfterEach
  void tearDown() {
    server.stop(0);
    store.close();
  }

  private BuildRequest requestWithArgs() {
    return request(context)
        .withTags(List.of(ImageName.parse("registry.example/team/app:1"), ImageName.parse("registry.example/team/app:latest")))
        .withBuildArgs(Map.of("FLAVOUR", "spicy"))
        .withTarget("final")
        .withLabels(Map.of("org.opencontainers.image.source", "https://example.com/app"));
  }

  private static SlsaProvenance.Run run(String id, Instant start) {
    return new SlsaProvenance.Run(SlsaProvenance.DEFAULT_BUILDER_ID, "9.9.9", id, start, start.plusSeconds(3));
  }

  @Test
  void provenance_ofBuildFromBaseWithAddUrl_matchesSchemaAndListsEveryInput() throws Exception {
    BuildRequest req = requestWithArgs();
    BuildResult result = TestBuilds.build(store, req);
    byte[] statement = SlsaProvenance.statement(req, result, run("id-1", Instant.parse("2026-03-01T10:00:00Z")));

    assertEquals(List.of(), ProvenanceSchema.problems(statement));
    JsonNode root = JSON.readTree(statement);
    assertEquals("https://in-toto.io/Statement/v1", root.get("_type").asText());
    assertEquals("https://slsa.dev/provenance/v1", root.get("predicateType").asText());
    // one subject per repository (tags move, the digest binds)
    assertEquals(1, root.get("subject").size());
    assertEquals("registry.example/team/app", root.at("/subject/0/name").asText());
    assertEquals(result.manifestDigest().encoded(), root.at("/subject/0/digest/sha256").asText());

    JsonNode def = root.at("/predicate/buildDefinition");
    assertEquals(SlsaProvenance.BUILD_TYPE, def.get("buildType").asText());
    JsonNode ext = def.get("externalParameters");
    assertEquals(req.dockerfileName(), ext.at("/dockerfile/path").asText());
    assertEquals(Digest.sha256(Files.readAllBytes(context.resolve("Dockerfile"))).encoded(), ext.at("/dockerfile/digest/sha256").asText());
    assertEquals("final", ext.get("target").asText());
    assertEquals("linux/amd64", ext.get("platform").asText());
    assertEquals("spicy", ext.at("/buildArgs/FLAVOUR").asText());
    assertEquals("https://example.com/app", ext.at("/labels/org.opencontainers.image.source").asText());
    assertEquals(TestBuilds.EPOCH, ext.get("sourceDateEpoch").asLong());
    assertEquals("gzip", ext.get("compression").asText());
    assertEquals(result.contextDigest().encoded(), ext.at("/context/digest/sha256").asText());

    JsonNode deps = def.get("resolvedDependencies");
    assertEquals(3, deps.size(), deps.toString());
    JsonNode image = deps.get(0);
    assertFalse(image.has("uri"), "an oci: base has no URL: " + image);
    assertEquals(base.digest().encoded(), image.at("/digest/sha256").asText());
    assertEquals(base.digest().toString(), image.at("/annotations/imageDigest").asText());
    assertTrue(image.at("/annotations/finalBase").asBoolean(), "the final stage's chain starts from it: " + image);
    assertEquals("build", image.at("/annotations/usedBy/0/stage").asText());
    assertEquals("FROM", image.at("/annotations/usedBy/0/use").asText());
    assertEquals("context", deps.get(1).get("name").asText());
    assertEquals(result.contextDigest().encoded(), deps.get(1).at("/digest/sha256").asText());
    assertEquals(url, deps.get(2).get("uri").asText());
    assertEquals(Digest.sha256(PAYLOAD).encoded(), deps.get(2).at("/digest/sha256").asText());

    JsonNode details = root.at("/predicate/runDetails");
    assertEquals(SlsaProvenance.DEFAULT_BUILDER_ID, details.at("/builder/id").asText());
    assertEquals("9.9.9", details.at("/builder/version/jscan").asText());
    assertEquals("id-1", details.at("/metadata/invocationId").asText());
    assertEquals("2026-03-01T10:00:00Z", details.at("/metadata/startedOn").asText());
    assertEquals("2026-03-01T10:00:03Z", details.at("/metadata/finishedOn").asText());
    assertEquals(result.configDigest().encoded(), details.at("/byproducts/0/digest/sha256").asText());
  }

  @Test
  void provenance_ofTwoBuildsOfTheSameInputs_differsOnlyInInvocationIdAndTimes() throws Exception {
    BuildRequest req = requestWithArgs();
    BuildResult first = TestBuilds.build(store, req);
    BuildResult second = TestBuilds.build(store, req.withNoCache(true));
    assertEquals(first.manifestDigest(), second.manifestDigest());
    ObjectNode a = (ObjectNode) JSON.readTree(SlsaProvenance.statement(req, first, run("id-a", Instant.parse("2026-03-01T10:00:00Z"))));
    ObjectNode b = (ObjectNode) JSON.readTree(SlsaProvenance.statement(req, second, run("id-b", Instant.parse("2027-05-06T07:08:09Z"))));
    assertNotEquals(a, b);
    for (ObjectNode n : List.of(a, b)) {
      ObjectNode metadata = (ObjectNode) n.at("/predicate/runDetails/metadata");
      List<String> fields = new ArrayList<>();
      metadata.fieldNames().forEachRemaining(fields::add);
      assertEquals(List.of("invocationId", "startedOn", "finishedOn"), fields);
      metadata.removeAll();
    }
    assertEquals(a, b, "everything but the run's id and times depends only on the inputs");
  }

  @Test
  void provenance_ofBuildWithoutName_namesTheSubjectByItsDigest() throws Exception {
    Path plain = TestBuilds.context(tmp.resolve("plain"), Map.of("Dockerfile", "FROM scratch\nLABEL a=b\n"));
    BuildRequest req = request(plain);
    BuildResult result = TestBuilds.build(store, req);
    JsonNode root = JSON.readTree(SlsaProvenance.statement(req, result, run("x", Instant.EPOCH)));
    assertEquals(result.manifestDigest().toString(), root.at("/subject/0/name").asText());
    assertEquals(1, root.at("/predicate/buildDefinition/resolvedDependencies").size(), "scratch reads no image: only the context");
    assertEquals(List.of(), ProvenanceSchema.problems(SlsaProvenance.statement(req, result, run("x", Instant.EPOCH))));
  }

  @Test
  void run_withBuilderIdThatIsNotAUri_isRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> new SlsaProvenance.Run("my laptop", "1", "x", Instant.EPOCH, Instant.EPOCH));
    assertThrows(IllegalArgumentException.class,
        () -> new SlsaProvenance.Run(SlsaProvenance.DEFAULT_BUILDER_ID, "1", "x", Instant.EPOCH.plusSeconds(1), Instant.EPOCH));
  }
}
