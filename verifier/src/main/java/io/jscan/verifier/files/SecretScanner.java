package io.jscan.verifier.files;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Finds secrets in a stream of file content without holding the file: content is scanned in a
 * window of {@link #CHUNK} bytes plus {@link #LOOKAHEAD} bytes carried over, so a secret that spans
 * two reads is still seen, and memory stays constant whatever the file size.
 *
 * <p>Patterns are anchored on a fixed prefix (PEM armour, AWS key id prefixes, token prefixes that
 * GitHub, GitLab, Slack, Google, Stripe and npm put on their credentials) and checked for length and
 * alphabet, with word boundaries. PEM private keys must be followed by a base64 body, so source code
 * that merely mentions {@code -----BEGIN RSA PRIVATE KEY-----} is not reported. Documented example
 * credentials (AWS's {@code …EXAMPLE} keys) are skipped.
 *
 * <p>A match never carries the secret: only its type, line and a fingerprint (the first 16 hex
 * digits of the SHA-256 of the secret), which tells two findings of the same secret apart without
 * revealing it. One scanner is used for one file at a time ({@link #reset()} between files).
 */
public final class SecretScanner {
  /** Longest stretch a pattern examines after its first byte. */
  static final int LOOKAHEAD = 512;
  static final int CHUNK = 64 * 1024;
  /** Reports per file beyond this are dropped (a file of generated keys would flood the report). */
  static final int MAX_MATCHES_PER_FILE = 20;

  /** One secret found: never the value itself. */
  public record Match(SecretType type, String detail, int line, String fingerprint) {
    public Match {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(detail, "detail");
      Objects.requireNonNull(fingerprint, "fingerprint");
    }
  }

  private static final boolean[] TRIGGER = new boolean[256];
  private static final boolean[] ALNUM = new boolean[256];
  private static final boolean[] UPPER_DIGIT = new boolean[256];
  private static final boolean[] BASE64 = new boolean[256];
  private static final boolean[] GOOGLE = new boolean[256];
  private static final boolean[] SLACK = new boolean[256];
  private static final boolean[] GITLAB = new boolean[256];
  private static final boolean[] PAT = new boolean[256];
  private static final boolean[] AWS_SECRET = new boolean[256];

  static {
    for (char c : "\n-Aagxsn".toCharArray()) {
      TRIGGER[c] = true;
    }
    for (int c = 0; c < 256; c++) {
      boolean upper = c >= 'A' && c <= 'Z';
      boolean lower = c >= 'a' && c <= 'z';
      boolean digit = c >= '0' && c <= '9';
      ALNUM[c] = upper || lower || digit;
      UPPER_DIGIT[c] = upper || digit;
      BASE64[c] = ALNUM[c] || c == '+' || c == '/' || c == '=';
      GOOGLE[c] = ALNUM[c] || c == '_' || c == '-';
      SLACK[c] = ALNUM[c] || c == '-';
      GITLAB[c] = ALNUM[c] || c == '_' || c == '-';
      PAT[c] = ALNUM[c] || c == '_';
      AWS_SECRET[c] = ALNUM[c] || c == '+' || c == '/';
    }
  }

  private static final byte[] PEM_BEGIN = ascii("-----BEGIN ");
  private static final byte[] PRIVATE_KEY = ascii("PRIVATE KEY");
  private static final byte[] AWS_SECRET_NAME = ascii("aws_secret_access_key");
  private static final byte[] EXAMPLE = ascii("EXAMPLE");
  private static final byte[] BLOCK_SUFFIX = ascii(" BLOCK");
  private static final byte[] DASHES = ascii("-----");
  private static final byte[] GITHUB_PAT = ascii("github_pat_");
  private static final byte[] GLPAT = ascii("glpat-");
  private static final byte[] SK_LIVE = ascii("sk_live_");

  private final byte[] window = new byte[CHUNK + LOOKAHEAD + 1];
  /** What the patterns read: the window, or a whole file's content ({@link #scanWhole}). */
  private byte[] buf = window;
  private int len;
  private int scanFrom;
  private int line = 1;
  private final List<Match> matches = new ArrayList<>();

  /** Starts a new file. */
  public void reset() {
    len = 0;
    scanFrom = 0;
    line = 1;
    matches.clear();
  }

  /** Feeds the next bytes of the current file. */
  public void update(byte[] b, int off, int n) {
    while (n > 0) {
      int k = Math.min(n, buf.length - len);
      System.arraycopy(b, off, buf, len, k);
      len += k;
      off += k;
      n -= k;
      if (len == buf.length) {
        scan(false);
      }
    }
  }

  /**
   * Scans a whole file held in memory, {@code content[0..length)}, in place (no copy into the
   * window): what {@link #reset()}, {@link #update} and {@link #finish()} would find.
   */
  public List<Match> scanWhole(byte[] content, int length) {
    reset();
    buf = content;
    len = length;
    try {
      scan(true);
      return List.copyOf(matches);
    } finally {
      buf = window;
      reset();
    }
  }

  /** Ends the current file and returns what was found in it. */
  public List<Match> finish() {
    scan(true);
    List<Match> result = List.copyOf(matches);
    reset();
    return result;
  }

  private void scan(boolean eof) {
    int limit = eof ? len : len - LOOKAHEAD;
    byte[] b = buf;
    for (int i = scanFrom; i < limit; i++) {
      int c = b[i] & 0xff;
      if (!TRIGGER[c]) {
        continue;
      }
      if (c == '\n') {
        line++;
        continue;
      }
      if (matches.size() < MAX_MATCHES_PER_FILE) {
        tryMatch(i, c);
      }
    }
    scanFrom = limit;
    if (!eof) {
      // keep the look-ahead and one byte before it (for the word-boundary test)
      int keepFrom = Math.max(0, limit - 1);
      System.arraycopy(b, keepFrom, b, 0, len - keepFrom);
      len -= keepFrom;
      scanFrom -= keepFrom;
    }
  }

  private void tryMatch(int i, int c) {
    switch (c) {
      case '-' -> privateKey(i);
      case 'A' -> {
        if (!awsAccessKey(i) && !googleKey(i)) {
          awsSecret(i);
        }
      }
      case 'a' -> awsSecret(i);
      case 'g' -> {
        if (!githubToken(i)) {
          gitlabToken(i);
        }
      }
      case 'x' -> slackToken(i);
      case 's' -> stripeKey(i);
      case 'n' -> npmToken(i);
      default -> {}
    }
  }

  // ------------------------------------------------------------------ patterns

  private boolean privateKey(int i) {
    if (!startsWith(i, PEM_BEGIN)) {
      return false;
    }
    int labelStart = i + PEM_BEGIN.length;
    int p = indexOf(PRIVATE_KEY, labelStart, Math.min(len, labelStart + 24 + PRIVATE_KEY.length));
    if (p < 0) {
      return false;
    }
    for (int k = labelStart; k < p; k++) {
      byte x = buf[k];
      if (!(x >= 'A' && x <= 'Z') && x != ' ') {
        return false;
      }
    }
    String label = new String(buf, labelStart, p - labelStart, StandardCharsets.US_ASCII).trim();
    int q = p + PRIVATE_KEY.length;
    if (startsWith(q, BLOCK_SUFFIX)) {
      q += 6;
    }
    if (!startsWith(q, DASHES)) {
      return false;
    }
    q += 5;
    // the body: base64 lines, possibly after RFC 1421 headers (Proc-Type, DEK-Info); newlines may be
    // real or written as the two characters \n (keys embedded in JSON, such as service-account files)
    MessageDigest sha = sha256();
    int body = 0;
    int headers = 0;
    int k = q;
    while (k < len && k < q + LOOKAHEAD - 40 && body < 64) {
      int x = buf[k] & 0xff;
      if (x == '\r' || x == '\n') {
        k++;
      } else if (x == '\\' && k + 1 < len && (buf[k + 1] == 'n' || buf[k + 1] == 'r')) {
        k += 2;
      } else if (BASE64[x]) {
        int start = k;
        while (k < len && BASE64[buf[k] & 0xff]) {
          k++;
        }
        if (k < len && buf[k] == ':' && body == 0 && headers < 4) {
          headers++;
          while (k < len && buf[k] != '\n' && !(buf[k] == '\\' && k + 1 < len && buf[k + 1] == 'n')) {
            k++;
          }
          continue;
        }
        sha.update(buf, start, k - start);
        body += k - start;
      } else {
        break;
      }
    }
    if (body < 40) {
      return false;
    }
    String detail = label.isEmpty() ? "private key" : label + " private key";
    report(SecretType.PRIVATE_KEY, detail, sha);
    return true;
  }

  private boolean awsAccessKey(int i) {
    if (i + 20 > len || wordBefore(i, UPPER_DIGIT)) {
      return false;
    }
    byte b1 = buf[i + 1];
    byte b2 = buf[i + 2];
    byte b3 = buf[i + 3];
    boolean prefix =
        (b1 == 'K' && b2 == 'I' && b3 == 'A')
            || (b1 == 'S' && b2 == 'I' && b3 == 'A')
            || (b1 == 'B' && b2 == 'I' && b3 == 'A')
            || (b1 == 'C' && b2 == 'C' && b3 == 'A');
    if (!prefix || !run(i + 4, 16, UPPER_DIGIT) || (i + 20 < len && UPPER_DIGIT[buf[i + 20] & 0xff])) {
      return false;
    }
    if (endsWith(i + 20, EXAMPLE)) {
      return false; // AWS's documented example key id
    }
    report(SecretType.AWS_ACCESS_KEY_ID, "AWS access key id", i, 20);
    return true;
  }

  private boolean googleKey(int i) {
    if (!(i + 39 <= len && buf[i + 1] == 'I' && buf[i + 2] == 'z' && buf[i + 3] == 'a') || wordBefore(i, GOOGLE)) {
      return false;
    }
    if (!run(i + 4, 35, GOOGLE) || (i + 39 < len && GOOGLE[buf[i + 39] & 0xff])) {
      return false;
    }
    report(SecretType.GOOGLE_API_KEY, "Google API key", i, 39);
    return true;
  }

  private boolean awsSecret(int i) {
    if (!startsWithIgnoreCase(i, AWS_SECRET_NAME) || wordBefore(i, PAT)) {
      return false;
    }
    int k = i + AWS_SECRET_NAME.length;
    k = skip(k, " \t\"'");
    if (k < len && buf[k] == ':' && k + 1 < len && buf[k + 1] == '=') {
      k++;
    }
    if (k >= len || (buf[k] != '=' && buf[k] != ':')) {
      return false;
    }
    k = skip(k + 1, " \t\"'>");
    if (k + 40 > len || !run(k, 40, AWS_SECRET) || (k + 40 < len && AWS_SECRET[buf[k + 40] & 0xff])) {
      return false;
    }
    if (indexOf(EXAMPLE, k, k + 40) >= 0) {
      return false; // AWS's documented example secret
    }
    report(SecretType.AWS_SECRET_ACCESS_KEY, "AWS secret access key", k, 40);
    return true;
  }

  private boolean githubToken(int i) {
    if (i + 2 > len || buf[i + 1] != 'h' || wordBefore(i, ALNUM)) {
      return false;
    }
    if (startsWith(i, GITHUB_PAT)) {
      int start = i + 11;
      if (start + 82 <= len && run(start, 82, PAT) && !(start + 82 < len && PAT[buf[start + 82] & 0xff])) {
        report(SecretType.GITHUB_TOKEN, "GitHub fine-grained token", i, 93);
        return true;
      }
      return false;
    }
    if (i + 40 > len) {
      return false;
    }
    byte kind = buf[i + 2];
    if ((kind == 'p' || kind == 'o' || kind == 'u' || kind == 's' || kind == 'r') && buf[i + 3] == '_'
        && run(i + 4, 36, ALNUM) && !(i + 40 < len && ALNUM[buf[i + 40] & 0xff])) {
      report(SecretType.GITHUB_TOKEN, "GitHub token", i, 40);
      return true;
    }
    return false;
  }

  private boolean gitlabToken(int i) {
    if (!startsWith(i, GLPAT) || wordBefore(i, ALNUM) || i + 26 > len) {
      return false;
    }
    if (!run(i + 6, 20, GITLAB)) {
      return false;
    }
    int end = i + 26;
    while (end < len && end < i + 6 + 64 && GITLAB[buf[end] & 0xff]) {
      end++;
    }
    report(SecretType.GITLAB_TOKEN, "GitLab personal access token", i, end - i);
    return true;
  }

  private boolean slackToken(int i) {
    if (i + 15 > len || buf[i + 1] != 'o' || buf[i + 2] != 'x' || wordBefore(i, ALNUM)) {
      return false;
    }
    byte kind = buf[i + 3];
    if (!(kind == 'b' || kind == 'a' || kind == 'p' || kind == 'r' || kind == 's') || buf[i + 4] != '-') {
      return false;
    }
    int end = i + 5;
    while (end < len && end < i + 5 + 120 && SLACK[buf[end] & 0xff]) {
      end++;
    }
    if (end - (i + 5) < 10) {
      return false;
    }
    report(SecretType.SLACK_TOKEN, "Slack token", i, end - i);
    return true;
  }

  private boolean stripeKey(int i) {
    if (!startsWith(i, SK_LIVE) || wordBefore(i, ALNUM)) {
      return false;
    }
    int end = i + 8;
    while (end < len && end < i + 8 + 128 && ALNUM[buf[end] & 0xff]) {
      end++;
    }
    if (end - (i + 8) < 24) {
      return false;
    }
    report(SecretType.STRIPE_SECRET_KEY, "Stripe secret key", i, end - i);
    return true;
  }

  private boolean npmToken(int i) {
    if (i + 40 > len || buf[i + 1] != 'p' || buf[i + 2] != 'm' || buf[i + 3] != '_' || wordBefore(i, ALNUM)) {
      return false;
    }
    if (!run(i + 4, 36, ALNUM) || (i + 40 < len && ALNUM[buf[i + 40] & 0xff])) {
      return false;
    }
    report(SecretType.NPM_TOKEN, "npm access token", i, 40);
    return true;
  }

  // ------------------------------------------------------------------ helpers

  private void report(SecretType type, String detail, int start, int length) {
    MessageDigest sha = sha256();
    sha.update(buf, start, length);
    report(type, detail, sha);
  }

  private void report(SecretType type, String detail, MessageDigest sha) {
    String fingerprint = "sha256:" + HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    matches.add(new Match(type, detail, line, fingerprint));
  }

  private boolean wordBefore(int i, boolean[] word) {
    return i > 0 && word[buf[i - 1] & 0xff];
  }

  private boolean run(int from, int count, boolean[] alphabet) {
    if (from + count > len) {
      return false;
    }
    for (int k = from; k < from + count; k++) {
      if (!alphabet[buf[k] & 0xff]) {
        return false;
      }
    }
    return true;
  }

  private int skip(int k, String chars) {
    while (k < len && chars.indexOf(buf[k]) >= 0) {
      k++;
    }
    return k;
  }

  private boolean startsWith(int i, byte[] lit) {
    if (i + lit.length > len) {
      return false;
    }
    for (int k = 0; k < lit.length; k++) {
      if (buf[i + k] != lit[k]) {
        return false;
      }
    }
    return true;
  }

  private boolean startsWithIgnoreCase(int i, byte[] lowerLit) {
    if (i + lowerLit.length > len) {
      return false;
    }
    for (int k = 0; k < lowerLit.length; k++) {
      int x = buf[i + k];
      if (x >= 'A' && x <= 'Z') {
        x += 'a' - 'A';
      }
      if (x != lowerLit[k]) {
        return false;
      }
    }
    return true;
  }

  private boolean endsWith(int end, byte[] lit) {
    return end - lit.length >= 0 && startsWith(end - lit.length, lit);
  }

  private int indexOf(byte[] lit, int from, int to) {
    for (int k = from; k + lit.length <= to; k++) {
      if (startsWith(k, lit)) {
        return k;
      }
    }
    return -1;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("JCA lacks SHA-256", e);
    }
  }
}
