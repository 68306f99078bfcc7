package io.jscan.verifier.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecretScannerTest {
  static final String PEM_BODY = io.jscan.verifier.TestSecrets.PEM_BODY;
  static final String PEM = io.jscan.verifier.TestSecrets.PEM;

  private static List<SecretScanner.Match> scan(String content, int chunk) {
    SecretScanner s = new SecretScanner();
    byte[] b = content.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < b.length; i += chunk) {
      s.update(b, i, Math.min(chunk, b.length - i));
    }
    return s.finish();
  }

  @Test
  void finish_pemPrivateKey_reportsTypeAndLineNotTheKey() {
    List<SecretScanner.Match> found = scan("line one\nline two\n" + PEM, 1 << 20);
    assertEquals(1, found.size());
    SecretScanner.Match m = found.get(0);
    assertEquals(SecretType.PRIVATE_KEY, m.type());
    assertEquals("RSA private key", m.detail());
    assertEquals(3, m.line());
    assertTrue(m.fingerprint().matches("sha256:[0-9a-f]{16}"), m.fingerprint());
    assertFalse(m.toString().contains("MIIEowIBAAKCAQEA"));
  }

  @Test
  void finish_keySplitAcrossReads_stillFound() {
    String padding = "x".repeat(SecretScanner.CHUNK - 7) + "\n";
    for (int chunk : new int[] {1, 3, 511, 4096, 65536}) {
      List<SecretScanner.Match> found = scan(padding + PEM, chunk);
      assertEquals(1, found.size(), "chunk " + chunk);
      assertEquals(2, found.get(0).line(), "chunk " + chunk);
    }
  }

  @Test
  void scanWhole_findsWhatStreamingFinds_andTheScannerStreamsAgainAfterwards() {
    String content = "x".repeat(SecretScanner.CHUNK - 7) + "\n" + PEM + "aws_secret_access_key = "
        + "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzzzzzzzzz\n" + "y".repeat(3 * SecretScanner.CHUNK) + "\nAKIAZZZZZZZZZZZZZZZZ\n";
    byte[] b = content.getBytes(StandardCharsets.UTF_8);
    byte[] held = java.util.Arrays.copyOf(b, b.length + 100); // a held buffer is larger than the file
    java.util.Arrays.fill(held, b.length, held.length, (byte) 'A');
    SecretScanner s = new SecretScanner();
    List<SecretScanner.Match> whole = s.scanWhole(held, b.length);
    assertEquals(scan(content, 4096), whole);
    assertEquals(3, whole.size(), whole::toString);
    s.update(b, 0, b.length);
    assertEquals(whole, s.finish(), "the window is back in use");
  }

  @Test
  void finish_keyMentionedInSourceCode_notReported() {
    String code = "if (line.startsWith(\"-----BEGIN RSA PRIVATE KEY-----\")) { parse(); }\n";
    assertTrue(scan(code, 4096).isEmpty());
  }

  @Test
  void finish_keyInJsonWithEscapedNewlines_found() {
    String json = "{\"private_key\": \"-----BEGIN PRIVATE KEY-----\\n" + PEM_BODY.replace("\n", "\\n") + "-----END PRIVATE KEY-----\\n\"}";
    List<SecretScanner.Match> found = scan(json, 4096);
    assertEquals(1, found.size());
    assertEquals("private key", found.get(0).detail());
  }

  @Test
  void finish_awsKeys_foundButDocumentedExamplesSkipped() {
    List<SecretScanner.Match> found = scan("id=AKIA" + "Q3EGRTZ2KPLM7WXY\nexample=AKIAIOSFODNN7EXAMPLE\n"
        + "aws_secret_access_key = Zx8" + "kP2mQ9rT4vW7yB1nC3eF6hJ0lS5uA8dG2iK4o\n", 4096);
    assertEquals(List.of(SecretType.AWS_ACCESS_KEY_ID, SecretType.AWS_SECRET_ACCESS_KEY), found.stream().map(SecretScanner.Match::type).toList());
    assertEquals(1, found.get(0).line());
    assertEquals(3, found.get(1).line());
  }

  @Test
  void finish_tokens_foundWithWordBoundaries() {
    String tokens = "GH=ghp_" + "a".repeat(36) + "\n"
        + "lab glpat-" + "b".repeat(20) + "\n"
        + "slack xoxb-" + "1234567890-abc" + "\n"
        + "notatoken xghp_" + "c".repeat(36) + "\n";
    List<SecretType> types = scan(tokens, 7).stream().map(SecretScanner.Match::type).toList();
    assertEquals(List.of(SecretType.GITHUB_TOKEN, SecretType.GITLAB_TOKEN, SecretType.SLACK_TOKEN), types);
  }

  @Test
  void fingerprint_differsBetweenSecretsAndIsStable() {
    String a = scan(PEM, 4096).get(0).fingerprint();
    String again = scan("prefix\n" + PEM, 13).get(0).fingerprint();
    String other = scan(PEM.replace("MIIEow", "MIIEox"), 4096).get(0).fingerprint();
    assertEquals(a, again);
    assertNotEquals(a, other);
  }
}
