package io.jscan.core.transport.registry;

/**
 * What a registry login gives: a user name and a password, or an identity token (an OAuth2
 * refresh token that Docker stores instead of the password for some registries).
 *
 * <p>{@link #toString()} never shows the secret, so a credential that ends up in a log line or an
 * exception message by mistake still does not leak.
 */
public record Credentials(String username, String secret, Kind kind) {

  /** How the secret is used. */
  public enum Kind {
    /** Sent as HTTP basic auth, or to the token server as basic auth (Docker token spec). */
    PASSWORD,
    /** An OAuth2 refresh token, sent to the token server as {@code grant_type=refresh_token}. */
    IDENTITY_TOKEN
  }

  /**
   * The user name docker-credential-helpers return with an identity token (docker-credential-helpers
   * {@code credentials.Credentials}: "&lt;token&gt;" marks the secret as an identity token).
   */
  public static final String IDENTITY_TOKEN_USER = "<token>";

  public Credentials {
    if (kind == null) {
      throw new IllegalArgumentException("credentials need a kind");
    }
    if (username == null || (kind == Kind.PASSWORD && username.isEmpty())) {
      throw new IllegalArgumentException("credentials need a user name");
    }
    if (username.contains(":") && kind == Kind.PASSWORD) {
      // RFC 7617: the user-id of basic auth cannot contain a colon
      throw new IllegalArgumentException("a user name cannot contain ':'");
    }
    if (secret == null || secret.isEmpty()) {
      throw new IllegalArgumentException("credentials need a password or token");
    }
  }

  public static Credentials password(String username, String password) {
    return new Credentials(username, password, Kind.PASSWORD);
  }

  public static Credentials identityToken(String username, String token) {
    return new Credentials(username, token, Kind.IDENTITY_TOKEN);
  }

  @Override
  public String toString() {
    return "Credentials[username=" + username + ", kind=" + kind + ", secret=<redacted>]";
  }
}
