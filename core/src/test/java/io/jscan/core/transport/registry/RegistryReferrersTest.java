package io.jscan.core.transport.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.image.Image;
import io.jscan.core.image.StaticImage;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.IndexManifest;
import io.jscan.core.oci.Manifest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.OciException;
import io.jscan.core.oci.json.OciJson;
import io.jscan.core.testing.TestImages;
import io.jscan.core.testing.TestRegistry;
import io.jscan.core.transport.ImageName;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OCI 1.1 referrers against a real distribution registry. Distribution 2.8 has no referrers API
 * (it answers 404), so what these tests exercise against it is the referrers tag schema fallback:
 * the {@code sha256-<hex>} index.
 */
class RegistryReferrersTest {
  @TempDir static Path registryDir;
  static TestRegistry registry;

  @BeforeAll
  static void startRegistry() throws Exception {
    registry = TestRegistry.start(registryDir);
  }

  @AfterAll
  static void stopRegistry() {
    if (registry != null) {
      registry.close();
    }
  }

  private static ImageName name(String repoAndTag) {
    return ImageName.parse(registry.host() + "/" + repoAndTag);
  }

  private static StaticImage referrer(Descriptor subject, String artifactType, String content) {
    return StaticImage.builder()
        .artifactType(artifactType)
        .blob(artifactType, content.getBytes(StandardCharsets.UTF_8), Map.of())
        .subject(subject.bare())
        .annotation("test.note", content)
        .build();
  }

  @Test
  void staticImage_emptyConfigArtifact_hasTheSpecShape() throws Exception {
    Image subject = TestImages.withLayers("s");
    StaticImage a = referrer(subject.descriptor(), "application/vnd.example+json", "{\"a\":1}");
    Manifest m = OciJson.parseManifest(a.manifestBytes(), "referrer", Optional.empty());
    assertEquals(MediaTypes.OCI_EMPTY, m.config().mediaType());
    assertEquals(2, m.config().size());
    assertEquals(Digest.sha256("{}"), m.config().digest());
    assertEquals(Optional.of("application/vnd.example+json"), m.artifactType());
    assertEquals(subject.digest(), m.subject().orElseThrow().digest());
    assertEquals(Digest.sha256(a.manifestBytes()), a.digest());
    assertThrows(OciException.class, a::layers);
  }

  @Test
  void referrers_registryWithoutApi_fallsBackToTheTagSchemaIndex() throws Exception {
    RegistryClient client = new RegistryClient(RegistryOptions.defaults());
    Image subject = TestImages.withLayers("subject of referrers");
    ImageName repo = name("referrers/app:1");
    client.push(subject, repo);

    RegistryClient.Referrers none = client.referrers(repo, subject.digest());
    assertFalse(none.fromApi(), "distribution 2.8 has no referrers API");
    assertTrue(none.descriptors().isEmpty());

    StaticImage first = referrer(subject.descriptor(), "application/vnd.example.one+json", "{\"n\":1}");
    StaticImage second = referrer(subject.descriptor(), "application/vnd.example.two+json", "{\"n\":2}");
    Descriptor listed = client.pushReferrer(first, repo);
    client.pushReferrer(second, repo);
    client.pushReferrer(first, repo); // pushing again does not list it twice

    RegistryClient.Referrers found = client.referrers(repo, subject.digest());
    assertEquals(List.of(first.digest(), second.digest()), found.descriptors().stream().map(Descriptor::digest).toList());
    Descriptor d = found.descriptors().get(0);
    assertEquals(Optional.of("application/vnd.example.one+json"), d.artifactType());
    assertEquals("{\"n\":1}", d.annotations().get("test.note"));
    assertEquals(listed, d);

    // the fallback index is an ordinary OCI index under sha256-<hex>, and each referrer is fetchable by digest
    String tag = RegistryClient.referrersTag(subject.digest());
    assertEquals("sha256-" + subject.digest().encoded(), tag);
    RegistryClient.FetchedManifest index = client.fetchManifest(repo, tag);
    assertEquals(MediaTypes.OCI_INDEX, index.descriptor().mediaType());
    IndexManifest parsed = OciJson.parseIndex(index.bytes(), "index", Optional.empty());
    assertEquals(2, parsed.manifests().size());
    assertArrayEquals(first.manifestBytes(), client.fetchManifest(repo, first.digest().toString()).bytes());
  }

  @Test
  void fetchManifestIfPresent_unknownTag_isEmpty() throws Exception {
    RegistryClient client = new RegistryClient(RegistryOptions.defaults());
    assertTrue(client.fetchManifestIfPresent(name("referrers/none:1"), "sha256-" + "0".repeat(64) + ".sig").isEmpty());
  }

  @Test
  void nextPage_followsOnlyRelativeRegistryPaths() {
    assertEquals(Optional.of("/v2/a/referrers/sha256:x?n=1"),
        RegistryClient.nextPage(List.of("</v2/a/referrers/sha256:x?n=1>; rel=\"next\"")));
    assertEquals(Optional.empty(), RegistryClient.nextPage(List.of("<https://evil.example/v2/a>; rel=\"next\"")));
    assertEquals(Optional.empty(), RegistryClient.nextPage(List.of("</v2/a>; rel=\"prev\"")));
  }
}
