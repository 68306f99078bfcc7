package io.jscan.signing.key;

import io.jscan.signing.SigningException;

/**
 * Where the password of an encrypted key comes from (an environment variable, a prompt). Asked only
 * when the key file is actually encrypted, so reading a plain key never prompts.
 */
@FunctionalInterface
public interface PasswordSource {
  char[] password() throws SigningException;

  static PasswordSource of(char[] password) {
    char[] copy = password.clone();
    return () -> copy.clone();
  }

  /** For callers that hold only unencrypted keys: an encrypted one is refused with BAD_INPUT. */
  static PasswordSource none() {
    return () -> {
      throw SigningException.badInput("reading private key", "the key is encrypted and no password was given");
    };
  }
}
