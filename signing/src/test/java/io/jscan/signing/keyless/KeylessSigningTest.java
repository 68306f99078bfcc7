package io.jscan.signing.keyless;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sigstore.trustroot.Service;
import dev.sigstore.trustroot.SigstoreSigningConfig;
import io.jscan.core.FailureKind;
import io.jscan.core.oci.Digest;
import io.jscan.core.testing.Conformance;
import io.jscan.signing.SigningException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keyless signing up to the network boundary: Sigstore cannot be reached from the build machine,
 * so these tests check the configuration handed to Sigstore Java, the token handling, and that an
 * unreachable service gives a clear error (exercised against a closed loopback port).
 */
class KeylessSigningTest {
  @TempDir Path dir;

  /** An unsigned but well-formed JWT with the claims Sigstore Java reads (iss, sub). */
  private static String jwt() {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String header = b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String payload = b64.encodeToString("{\"iss\":\"https://issuer.example\",\"sub\":\"dev@example.com\",\"email\":\"dev@example.com\",\"aud\":\"sigstore\"}".getBytes(StandardCharsets.UTF_8));
    return header + "." + payload + "." + b64.encodeToString(new byte[] {1, 2, 3});
  }

  private static URI closedLoopbackPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return URI.create("http://127.0.0.1:" + s.getLocalPort());
    }
  }

  private KeylessOptions custom(URI fulcio, URI rekor, Optional<URI> tsa) {
    Path root = Conformance.dir("sigstore").resolve("trusted-roots/public-good_sigstore-java-snapshot.json");
    return new KeylessOptions(Optional.of(fulcio), Optional.of(rekor), tsa, Optional.of(root), Optional.empty(), Optional.empty(), Optional.empty());
  }

  @Test
  void signingConfig_customUrls_selectsThemAsApiV1Services() {
    URI fulcio = URI.create("https://fulcio.internal.example");
    URI rekor = URI.create("https://rekor.internal.example");
    URI tsa = URI.create("https://tsa.internal.example/api/v1/timestamp");
    SigstoreSigningConfig config = KeylessSigning.signingConfig(custom(fulcio, rekor, Optional.of(tsa))).orElseThrow();
    assertEquals(fulcio, Service.select(config.getCas(), List.of(1)).orElseThrow().getUrl());
    assertEquals(rekor, Service.select(config.getTLogs(), List.of(1)).orElseThrow().getUrl());
    assertEquals(tsa, Service.select(config.getTsas(), List.of(1)).orElseThrow().getUrl());
  }

  @Test
  void signingConfig_publicGood_isLeftToTuf() {
    assertTrue(KeylessOptions.publicGood().isPublicGood());
    assertTrue(KeylessSigning.signingConfig(KeylessOptions.publicGood()).isEmpty());
  }

  @Test
  void options_customUrlsWithoutTrustRoot_areRefused() {
    assertThrows(IllegalArgumentException.class, () -> new KeylessOptions(Optional.of(URI.create("https://f")), Optional.of(URI.create("https://r")),
        Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()));
    assertThrows(IllegalArgumentException.class, () -> new KeylessOptions(Optional.of(URI.create("https://f")), Optional.empty(),
        Optional.empty(), Optional.of(dir), Optional.empty(), Optional.empty(), Optional.empty()));
  }

  @Test
  void identityToken_fromEnvironmentOrFile_isRead() throws Exception {
    String token = jwt();
    assertEquals(token, IdentityTokens.resolve(Optional.empty(), Map.of("SIGSTORE_ID_TOKEN", token + "\n")));
    Path file = Files.writeString(dir.resolve("token"), token + "\n");
    assertEquals(token, IdentityTokens.resolve(Optional.of(file), Map.of()));
  }

  @Test
  void identityToken_missingOrMalformed_isBadInputWithoutEchoingIt() throws Exception {
    SigningException missing = assertThrows(SigningException.class, () -> IdentityTokens.resolve(Optional.empty(), Map.of()));
    assertEquals(FailureKind.BAD_INPUT, missing.kind());
    assertTrue(missing.getMessage().contains("SIGSTORE_ID_TOKEN"), missing.getMessage());
    Path file = Files.writeString(dir.resolve("token"), "secret-but-not-a-jwt");
    SigningException bad = assertThrows(SigningException.class, () -> IdentityTokens.resolve(Optional.of(file), Map.of()));
    assertEquals(FailureKind.BAD_INPUT, bad.kind());
    assertFalse(bad.getMessage().contains("secret-but-not-a-jwt"), bad.getMessage());
  }

  @Test
  void sign_unreachableFulcio_isUnexpectedAndSaysNetworkIsNeeded() throws Exception {
    URI closed = closedLoopbackPort();
    SigningException e = assertThrows(SigningException.class,
        () -> KeylessSigning.sign(custom(closed, closed, Optional.empty()), jwt(), Digest.sha256("artifact")));
    assertEquals(FailureKind.UNEXPECTED, e.kind(), e.getMessage());
    assertTrue(e.getMessage().contains("cannot reach Fulcio " + closed), e.getMessage());
    assertTrue(e.getMessage().contains("needs network access"), e.getMessage());
  }

  @Test
  void sign_sha512Digest_isRefused() {
    Digest sha512 = new Digest("sha512", "a".repeat(128));
    SigningException e = assertThrows(SigningException.class, () -> KeylessSigning.sign(KeylessOptions.publicGood(), jwt(), sha512));
    assertEquals(FailureKind.BAD_INPUT, e.kind());
  }
}
