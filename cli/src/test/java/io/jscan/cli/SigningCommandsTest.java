package io.jscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.oci.Digest;
import io.jscan.core.testing.Conformance;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** generate-key-pair, sign-blob, verify-blob and verify-bundle through {@link Jscan#run}. */
class SigningCommandsTest {
  @TempDir Path dir;

  record Run(int code, String out, String err) {}

  private Run jscan(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Jscan.run(new PrintWriter(out, true), new PrintWriter(err, true), env, args);
    return new Run(code, out.toString(), err.toString());
  }

  private Run jscan(String... args) {
    return jscan(Map.of(), args);
  }

  private static Map<String, String> password(String name, String value) {
    Map<String, String> env = new HashMap<>();
    env.put(name, value);
    return env;
  }

  private Path conformance(String relative) {
    return Conformance.dir("sigstore").resolve(relative);
  }

  @Test
  void generateKeyPair_withPasswordFromEnvironment_writesBothFiles() throws Exception {
    Run r = jscan(password("JSCAN_PASSWORD", "s3cret"), "generate-key-pair", "--output-key-prefix", dir.resolve("release").toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("release.key") && r.out().contains("release.pub"), r.out());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("release.key"))));
    assertTrue(Files.readString(dir.resolve("release.key")).startsWith("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----"));
  }

  @Test
  void generateKeyPair_noPasswordAndNoTerminal_isUsageError() {
    Run r = jscan(Map.of(), "generate-key-pair", "--output-key-prefix", dir.resolve("k").toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("JSCAN_PASSWORD"), r.err());
    assertFalse(Files.exists(dir.resolve("k.key")));
  }

  @Test
  void generateKeyPair_existingKey_isRefusedWithoutForce() throws Exception {
    Map<String, String> env = password("COSIGN_PASSWORD", "");
    assertEquals(0, jscan(env, "generate-key-pair", "--output-key-prefix", dir.resolve("k").toString()).code());
    String before = Files.readString(dir.resolve("k.key"));
    Run again = jscan(env, "generate-key-pair", "--output-key-prefix", dir.resolve("k").toString());
    assertEquals(2, again.code());
    assertTrue(again.err().contains("already exists"), again.err());
    assertEquals(before, Files.readString(dir.resolve("k.key")));
  }

  @Test
  void signBlobThenVerifyBlob_roundTripsAndDetectsTampering() throws Exception {
    Map<String, String> env = password("COSIGN_PASSWORD", "pw");
    assertEquals(0, jscan(env, "generate-key-pair", "--output-key-prefix", dir.resolve("cosign").toString()).code());
    Path file = Files.writeString(dir.resolve("artifact.txt"), "release notes\n");
    Run signed = jscan(env, "sign-blob", "--key", dir.resolve("cosign.key").toString(),
        "--output-signature", dir.resolve("artifact.sig").toString(), file.toString());
    assertEquals(0, signed.code(), signed.err());
    assertEquals(Files.readString(dir.resolve("artifact.sig")), signed.out().trim());

    Run ok = jscan("verify-blob", "--key", dir.resolve("cosign.pub").toString(), "--signature", dir.resolve("artifact.sig").toString(), file.toString());
    assertEquals(0, ok.code(), ok.err());
    assertEquals("Verified OK", ok.out().trim());

    Files.writeString(file, "release notes, edited\n");
    Run bad = jscan("verify-blob", "--key", dir.resolve("cosign.pub").toString(), "--signature", dir.resolve("artifact.sig").toString(), file.toString());
    assertEquals(4, bad.code(), bad.err());
    assertEquals("", bad.out());
    assertEquals(1, bad.err().strip().lines().count(), bad.err());
    assertTrue(bad.err().contains("does not verify"), bad.err());
    assertFalse(bad.err().contains("\tat "), "no stack trace without --debug");
  }

  @Test
  void signBlob_wrongPassword_isUsageError() throws Exception {
    assertEquals(0, jscan(password("JSCAN_PASSWORD", "right"), "generate-key-pair", "--output-key-prefix", dir.resolve("cosign").toString()).code());
    Path file = Files.writeString(dir.resolve("f"), "x");
    Run r = jscan(password("JSCAN_PASSWORD", "wrong"), "sign-blob", "--key", dir.resolve("cosign.key").toString(), file.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("wrong password"), r.err());
  }

  @Test
  void verifyBlob_malformedPublicKey_isUsageError() throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "x");
    Path sig = Files.writeString(dir.resolve("sig"), "MEUCIQ==");
    Run r = jscan("verify-blob", "--key", conformance("conformance/managed-key-wrong-key_fail/key.pub").toString(), "--signature", sig.toString(), file.toString());
    assertEquals(2, r.code(), r.err());
  }

  @Test
  void verifyBundle_managedKeyHappyPath_exitsZero() {
    Run r = jscan("verify-bundle",
        "--bundle", conformance("conformance/managed-key-happy-path/bundle.sigstore.json").toString(),
        "--artifact", conformance("conformance/a.txt").toString(),
        "--key", conformance("conformance/managed-key-happy-path/key.pub").toString(),
        "--trusted-root", conformance("trusted-roots/public-good_sigstore-java-snapshot.json").toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("Verified OK: sha256:"), r.out());
    assertTrue(r.out().contains("log index 771488337"), r.out());
  }

  @Test
  void verifyBundle_keylessWithIdentity_exitsZero() {
    Run r = jscan("verify-bundle",
        "--bundle", conformance("conformance/happy-path-v0.3/bundle.sigstore.json").toString(),
        "--artifact", conformance("conformance/a.txt").toString(),
        "--certificate-identity", "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main",
        "--certificate-oidc-issuer", "https://token.actions.githubusercontent.com",
        "--trusted-root", conformance("trusted-roots/public-good_sigstore-java-snapshot.json").toString());
    assertEquals(0, r.code(), r.err());
  }

  @Test
  void verifyBundle_keylessWrongIdentityRegexp_exitsFourWithOneLineReason() {
    Run r = jscan("verify-bundle",
        "--bundle", conformance("cosign/oci-attestation.sigstore.json").toString(),
        "--digest", "sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4",
        "--certificate-identity-regexp", "wrong",
        "--certificate-oidc-issuer-regexp", ".*",
        "--trusted-root", conformance("cosign/trusted_root_pgi.json").toString());
    assertEquals(4, r.code(), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains("No provided certificate identities matched"), r.err());
  }

  @Test
  void verifyBundle_emptyIdentityAndIssuerRegexps_isUsageError_notAnySigner() {
    // the empty pattern matches every signer; cosign reads an empty value as none and refuses
    Run r = jscan("verify-bundle",
        "--bundle", conformance("cosign/oci-attestation.sigstore.json").toString(),
        "--digest", "sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4",
        "--certificate-identity-regexp", "",
        "--certificate-oidc-issuer-regexp", "",
        "--trusted-root", conformance("cosign/trusted_root_pgi.json").toString());
    assertEquals(2, r.code(), r.out() + r.err());
    assertEquals("", r.out());
    assertTrue(r.err().contains("--certificate-identity-regexp is empty"), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
  }

  @Test
  void verifyBundle_blankExactIssuer_isUsageError() {
    Run r = jscan("verify-bundle",
        "--bundle", conformance("cosign/oci-attestation.sigstore.json").toString(),
        "--digest", "sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4",
        "--certificate-identity", "cody@soyland.com",
        "--certificate-oidc-issuer", " ",
        "--trusted-root", conformance("cosign/trusted_root_pgi.json").toString());
    assertEquals(2, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("--certificate-oidc-issuer is empty"), r.err());
  }

  @Test
  void verifyBundle_attestationForOtherDigest_exitsFour() {
    Run r = jscan("verify-bundle",
        "--bundle", conformance("cosign/oci-attestation.sigstore.json").toString(),
        "--digest", Digest.sha256("another image").toString(),
        "--certificate-identity", "cody@soyland.com",
        "--certificate-oidc-issuer", "https://github.com/login/oauth",
        "--trusted-root", conformance("cosign/trusted_root_pgi.json").toString());
    assertEquals(4, r.code(), r.err());
  }

  @Test
  void verifyBundle_malformedBundle_exitsTwo() {
    Run r = jscan("verify-bundle",
        "--bundle", conformance("conformance/bundle-malformed-json_fail/bundle.sigstore.json").toString(),
        "--artifact", conformance("conformance/a.txt").toString(),
        "--key", conformance("conformance/managed-key-happy-path/key.pub").toString(),
        "--trusted-root", conformance("trusted-roots/public-good_sigstore-java-snapshot.json").toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("not valid JSON"), r.err());
  }

  @Test
  void verifyBundle_bothKeyAndIdentity_isUsageError() {
    Run r = jscan("verify-bundle", "--bundle", "b", "--artifact", "a", "--key", "k", "--certificate-identity", "x",
        "--certificate-oidc-issuer", "y", "--trusted-root", "r");
    assertEquals(2, r.code(), r.err());
  }

  @Test
  void verifyBundle_jscanBundleWithoutLog_needsInsecureIgnoreTlog() throws Exception {
    Map<String, String> env = password("COSIGN_PASSWORD", "pw");
    assertEquals(0, jscan(env, "generate-key-pair", "--output-key-prefix", dir.resolve("cosign").toString()).code());
    Path file = Files.writeString(dir.resolve("a.txt"), "hello\n");
    assertEquals(0, jscan(env, "sign-blob", "--key", dir.resolve("cosign.key").toString(), "--bundle", dir.resolve("a.sigstore.json").toString(), file.toString()).code());
    String[] args = {"verify-bundle", "--bundle", dir.resolve("a.sigstore.json").toString(), "--artifact", file.toString(),
        "--key", dir.resolve("cosign.pub").toString(), "--trusted-root", conformance("trusted-roots/public-good_sigstore-java-snapshot.json").toString()};
    Run strict = jscan(args);
    assertEquals(4, strict.code(), strict.err());
    assertTrue(strict.err().contains("no transparency log entry"), strict.err());
    String[] lenient = java.util.Arrays.copyOf(args, args.length + 1);
    lenient[args.length] = "--insecure-ignore-tlog";
    Run ok = jscan(lenient);
    assertEquals(0, ok.code(), ok.err());
  }
}
