package io.jscan.core.transport.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.FailureKind;
import io.jscan.core.image.Image;
import io.jscan.core.oci.OciException;
import io.jscan.core.testing.ForwardingServer;
import io.jscan.core.testing.TestImages;
import io.jscan.core.testing.TestRegistry;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.store.LocalStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credentials go to the registry's own origin (and its token realm) only. The registry here is a
 * real distribution registry with basic auth, reached through a forwarding server that plays a
 * registry handing out upload locations on another host, and sending blob downloads to another
 * host; that other host (a second forwarding server on another loopback address, authorizing
 * requests by itself as a storage front end with signed URLs would) records what it receives.
 */
class CredentialScopeTest {
  static final String USER = "scope-user";
  static final String PASSWORD = "sc0pe-Secret-never-elsewhere";
  static final String BASIC = "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));

  @TempDir static Path dir;
  static TestRegistry registry;
  @TempDir Path tmp;
  ForwardingServer front;
  ForwardingServer elsewhere;

  @BeforeAll
  static void startRegistry() throws Exception {
    registry = TestRegistry.startWithBasicAuth(dir.resolve("registry"), USER, PASSWORD);
  }

  @AfterAll
  static void stopRegistry() {
    if (registry != null) {
      registry.close();
    }
  }

  @BeforeEach
  void startServers() throws Exception {
    // the other host: a different loopback address and port, so a different origin by host too
    elsewhere = ForwardingServer.to(registry, "127.0.0.2").addingHeaders(Map.of("Authorization", BASIC));
    front = ForwardingServer.to(registry, "127.0.0.1");
  }

  @AfterEach
  void stopServers() {
    front.close();
    elsewhere.close();
  }

  static RegistryClient client(long chunkSize) {
    return new RegistryClient(RegistryOptions.defaults().withRetry(RegistryRoundTripTest.FAST).withChunkSize(chunkSize)
        .withCredentials(r -> Optional.of(Credentials.password(USER, PASSWORD))));
  }

  ImageName viaFront(String s) {
    return ImageName.parse(front.host() + "/" + s);
  }

  static boolean isUpload(ForwardingServer.Seen s) {
    return s.pathAndQuery().contains("/blobs/uploads/");
  }

  static boolean isBlobGet(ForwardingServer.Seen s) {
    return s.method().equals("GET") && s.pathAndQuery().matches("/v2/.+/blobs/sha256:[0-9a-f]{64}");
  }

  void assertNothingElsewhereCarriedCredentials() {
    for (ForwardingServer.Seen s : elsewhere.seen()) {
      assertTrue(s.header("Authorization").isEmpty(), s + " carried " + s.header("Authorization").orElse(""));
    }
  }

  @Test
  void push_uploadLocationOnAnotherHost_isSentThereWithoutCredentials() throws Exception {
    front.movingLocations(CredentialScopeTest::isUpload, elsewhere.origin());
    Image image = TestImages.withLayers("monolithic upload");
    client(RegistryOptions.defaults().chunkSize()).push(image, viaFront("private/mono:1"));

    List<ForwardingServer.Seen> there = elsewhere.seen();
    assertTrue(there.stream().anyMatch(s -> s.method().equals("PUT") && isUpload(s)), "the uploads went to the other host: " + there);
    assertNothingElsewhereCarriedCredentials();
    // the registry itself did get them (else nothing above proves the credentials were in use)
    assertTrue(front.seen().stream().anyMatch(s -> s.header("Authorization").equals(Optional.of(BASIC))), front.seen().toString());
    assertEquals(image.digest(), client(RegistryOptions.defaults().chunkSize()).read(viaFront("private/mono:1")).descriptor().digest());
  }

  @Test
  void push_chunkedUploadOnAnotherHost_patchesAndPutsWithoutCredentials() throws Exception {
    front.movingLocations(CredentialScopeTest::isUpload, elsewhere.origin());
    Image image = TestImages.withRandomLayers(7, 200_000, 150_000);
    client(64 * 1024).push(image, viaFront("private/chunked:1"));

    List<ForwardingServer.Seen> there = elsewhere.seen();
    assertTrue(there.stream().anyMatch(s -> s.method().equals("PATCH")), "chunks went to the other host: " + there);
    assertTrue(there.stream().anyMatch(s -> s.method().equals("PUT")), there.toString());
    assertNothingElsewhereCarriedCredentials();
  }

  @Test
  void pull_blobRedirectedToAnotherHost_isFollowedWithoutCredentials() throws Exception {
    Image image = TestImages.withLayers("redirected blob");
    client(RegistryOptions.defaults().chunkSize()).push(image, viaFront("private/cdn:1"));
    front.redirecting(CredentialScopeTest::isBlobGet, elsewhere.origin());

    try (LocalStore store = LocalStore.open(tmp.resolve("store"))) {
      client(RegistryOptions.defaults().chunkSize()).pull(viaFront("private/cdn:1"), store, Optional.empty(), List.of(viaFront("private/cdn:1")));
      assertTrue(store.layout().hasBlob(image.manifest().layers().get(0).digest()));
    }
    assertTrue(elsewhere.seen().stream().anyMatch(CredentialScopeTest::isBlobGet), "blobs came from the other host: " + elsewhere.seen());
    assertNothingElsewhereCarriedCredentials();
  }

  @Test
  void anotherHostAskingForCredentials_isRefused_andItsRealmNeverAsked() throws Exception {
    // a host the registry sent the upload to answers 401 with a challenge of its own: following
    // it would send the registry's credentials to a realm that host chose
    ForwardingServer realm = ForwardingServer.to(registry, "127.0.0.2");
    try (realm) {
      elsewhere.answering(s -> Optional.of(new ForwardingServer.Answer(401,
          Map.of("WWW-Authenticate", "Basic realm=\"storage\", Bearer realm=\"" + realm.origin() + "/token\",service=\"storage\""))));
      front.movingLocations(CredentialScopeTest::isUpload, elsewhere.origin());

      OciException e = assertThrows(OciException.class,
          () -> client(RegistryOptions.defaults().chunkSize()).push(TestImages.withLayers("refused elsewhere"), viaFront("private/refused:1")));

      assertEquals(FailureKind.BAD_INPUT, e.kind(), e.getMessage());
      assertTrue(e.getMessage().contains("401 Unauthorized from " + elsewhere.host()), e.getMessage());
      assertFalse(e.getMessage().contains(PASSWORD), e.getMessage());
      assertTrue(realm.seen().isEmpty(), "the other host's realm was asked: " + realm.seen());
      assertNothingElsewhereCarriedCredentials();
    }
  }

  @Test
  void manifestAndHeadRedirectedToAnotherHost_areFollowedWithoutCredentials() throws Exception {
    Image image = TestImages.withLayers("redirected manifest");
    client(RegistryOptions.defaults().chunkSize()).push(image, viaFront("private/man:1"));
    front.redirecting(s -> (s.method().equals("GET") && s.pathAndQuery().contains("/manifests/")) || s.method().equals("HEAD"), elsewhere.origin());

    assertEquals(image.digest(), client(RegistryOptions.defaults().chunkSize()).read(viaFront("private/man:1")).descriptor().digest());
    // a second push of the same image asks HEAD for each blob first
    client(RegistryOptions.defaults().chunkSize()).push(image, viaFront("private/man:1"));

    assertTrue(elsewhere.seen().stream().anyMatch(s -> s.method().equals("GET") && s.pathAndQuery().contains("/manifests/")), elsewhere.seen().toString());
    assertTrue(elsewhere.seen().stream().anyMatch(s -> s.method().equals("HEAD")), elsewhere.seen().toString());
    assertNothingElsewhereCarriedCredentials();
  }
}
