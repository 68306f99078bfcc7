package io.jscan.signing.key;

import io.jscan.signing.SigningException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One PEM block (RFC 7468 "textual encoding"): a label such as {@code PUBLIC KEY} and the DER (or,
 * for cosign keys, JSON) bytes between the BEGIN and END lines.
 */
public record PemBlock(String type, byte[] bytes) {
  private static final Pattern BEGIN = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----");

  public PemBlock {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(bytes, "bytes");
    if (type.isBlank()) {
      throw new IllegalArgumentException("PEM type is empty");
    }
    bytes = bytes.clone();
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  /** Encodes as Go's {@code pem.Encode} does: 64-column base64 lines, a newline after END. */
  public String encode() {
    StringBuilder out = new StringBuilder();
    out.append("-----BEGIN ").append(type).append("-----\n");
    String b64 = Base64.getEncoder().encodeToString(bytes);
    for (int i = 0; i < b64.length(); i += 64) {
      out.append(b64, i, Math.min(b64.length(), i + 64)).append('\n');
    }
    out.append("-----END ").append(type).append("-----\n");
    return out.toString();
  }

  /** All blocks in {@code text}, in order; text outside blocks is ignored, as PEM readers do. */
  public static List<PemBlock> parseAll(byte[] text, String source) throws SigningException {
    String s = new String(text, StandardCharsets.UTF_8);
    List<PemBlock> blocks = new ArrayList<>();
    Matcher begin = BEGIN.matcher(s);
    int from = 0;
    while (begin.find(from)) {
      String type = begin.group(1);
      String endMarker = "-----END " + type + "-----";
      int end = s.indexOf(endMarker, begin.end());
      if (end < 0) {
        throw SigningException.badInput("reading PEM " + source, "no \"" + endMarker + "\" line after BEGIN " + type);
      }
      String body = s.substring(begin.end(), end);
      if (body.contains(":")) {
        // RFC 1421 encapsulated headers (Proc-Type, DEK-Info) mark legacy OpenSSL encryption,
        // which cosign never writes and we do not implement
        throw SigningException.badInput("reading PEM " + source, "PEM headers (legacy OpenSSL encryption) are not supported in " + type);
      }
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(body.replaceAll("\\s+", ""));
      } catch (IllegalArgumentException e) {
        throw SigningException.badInput("reading PEM " + source, "the " + type + " block is not valid base64");
      }
      if (der.length == 0) {
        throw SigningException.badInput("reading PEM " + source, "the " + type + " block is empty");
      }
      blocks.add(new PemBlock(type, der));
      from = end + endMarker.length();
    }
    return blocks;
  }

  /** The single block of a file; refuses none or several, so a key file means one key. */
  public static PemBlock parseOne(byte[] text, String source) throws SigningException {
    List<PemBlock> blocks = parseAll(text, source);
    if (blocks.isEmpty()) {
      throw SigningException.badInput("reading PEM " + source, "no PEM block found");
    }
    if (blocks.size() > 1) {
      throw SigningException.badInput("reading PEM " + source, "expected one PEM block, found " + blocks.size());
    }
    return blocks.get(0);
  }
}
