package io.jscan.cli;

import io.jscan.signing.SigningException;
import io.jscan.signing.key.PasswordSource;
import java.io.Console;
import java.util.Arrays;
import java.util.Map;

/**
 * Key passwords: {@code JSCAN_PASSWORD}, then cosign's {@code COSIGN_PASSWORD} (an empty value is a
 * valid, empty password, as in cosign), else a no-echo prompt on the terminal.
 */
final class Passwords {
  static final String JSCAN_PASSWORD = "JSCAN_PASSWORD";
  static final String COSIGN_PASSWORD = "COSIGN_PASSWORD";

  private Passwords() {}

  /** For decrypting a key: asked once, only if the key is encrypted. */
  static PasswordSource forReading(Map<String, String> env, String keyPath) {
    return () -> {
      char[] fromEnv = fromEnvironment(env);
      if (fromEnv != null) {
        return fromEnv;
      }
      return prompt("Enter password for private key " + keyPath + ": ");
    };
  }

  /** For a new key: from the environment, or typed twice on the terminal. */
  static char[] forNewKey(Map<String, String> env) throws SigningException {
    char[] fromEnv = fromEnvironment(env);
    if (fromEnv != null) {
      return fromEnv;
    }
    char[] first = prompt("Enter password for private key: ");
    char[] second = prompt("Enter password for private key again: ");
    try {
      if (!Arrays.equals(first, second)) {
        throw SigningException.badInput("reading password", "the passwords do not match");
      }
      return first.clone();
    } finally {
      Arrays.fill(first, '\0');
      Arrays.fill(second, '\0');
    }
  }

  private static char[] fromEnvironment(Map<String, String> env) {
    for (String name : new String[] {JSCAN_PASSWORD, COSIGN_PASSWORD}) {
      String v = env.get(name);
      if (v != null) {
        return v.toCharArray();
      }
    }
    return null;
  }

  private static char[] prompt(String message) throws SigningException {
    Console console = System.console();
    if (console == null) {
      throw SigningException.badInput("reading password", "no terminal to prompt on; set " + JSCAN_PASSWORD + " or " + COSIGN_PASSWORD);
    }
    char[] pw = console.readPassword("%s", message);
    if (pw == null) {
      throw SigningException.badInput("reading password", "no password entered");
    }
    return pw;
  }
}
