package io.jscan.verifier;

import io.jscan.core.oci.Platform;
import java.util.Objects;

/** Which images of an index to verify. */
public sealed interface Platforms permits Platforms.Default, Platforms.One, Platforms.All {

  /** The only runnable image of the index, else the host's platform (linux/amd64 on most machines). */
  record Default() implements Platforms {}

  /** The image for one platform ({@code --platform}). */
  record One(Platform platform) implements Platforms {
    public One {
      Objects.requireNonNull(platform, "platform");
    }
  }

  /** Every image of the index, nested indexes included ({@code --all-platforms}). */
  record All() implements Platforms {}

  static Platforms defaults() {
    return new Default();
  }
}
