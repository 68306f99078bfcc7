package io.jscan.verifier.policy;

import java.util.Locale;

/**
 * What admission ({@code jscan serve}) does with an image it could not verify: the registry was
 * unreachable or answered errors, or the request's deadline passed first. {@link #DENY} is the
 * default, because an image nobody could check must not run just because a registry was down (fail
 * closed, as Sigstore's policy-controller and Kyverno's {@code failurePolicy: Fail} do). {@link
 * #ALLOW} admits it with a warning. Integrity failures are not "could not verify": they always deny.
 */
public enum FailureMode {
  DENY,
  ALLOW;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static FailureMode parse(String text) {
    for (FailureMode m : values()) {
      if (m.label().equals(text)) {
        return m;
      }
    }
    throw new IllegalArgumentException("unknown failureMode " + io.jscan.core.text.Printable.excerpt(text, io.jscan.core.text.FileExcerpts.MAX) + " (expected deny or allow)");
  }
}
