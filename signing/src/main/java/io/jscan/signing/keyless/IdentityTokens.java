package io.jscan.signing.keyless;

import io.jscan.core.io.InputLimit;
import io.jscan.signing.SigningException;
import io.jscan.signing.key.KeyFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The OIDC identity token keyless signing presents to Fulcio: from {@code SIGSTORE_ID_TOKEN} (as
 * cosign and the sigstore clients read it in CI) or a file ({@code --identity-token FILE}).
 */
public final class IdentityTokens {
  public static final String ENV = "SIGSTORE_ID_TOKEN";
  // a JWS compact serialization: three base64url parts (RFC 7515 section 7.1)
  private static final Pattern JWT = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");

  private IdentityTokens() {}

  public static Optional<String> fromEnvironment(Map<String, String> env) throws SigningException {
    String token = env.get(ENV);
    if (token == null || token.isBlank()) {
      return Optional.empty();
    }
    return Optional.of(validate(token.trim(), ENV));
  }

  public static String fromFile(Path file) throws SigningException {
    return validate(new String(KeyFiles.read(file, InputLimit.IDENTITY_TOKEN, "the identity token"), StandardCharsets.UTF_8).trim(), file.toString());
  }

  /** The token from the file if given, else the environment; BAD_INPUT if neither has one. */
  public static String resolve(Optional<Path> file, Map<String, String> env) throws SigningException {
    if (file.isPresent()) {
      return fromFile(file.get());
    }
    return fromEnvironment(env)
        .orElseThrow(() -> SigningException.badInput("keyless signing", "no identity token: set " + ENV + " or give a token file"));
  }

  private static String validate(String token, String source) throws SigningException {
    if (!JWT.matcher(token).matches()) {
      // never echo the token: it is a bearer credential
      throw SigningException.badInput("reading identity token " + source, "not a JWT (expected three base64url parts separated by dots)");
    }
    return token;
  }
}
