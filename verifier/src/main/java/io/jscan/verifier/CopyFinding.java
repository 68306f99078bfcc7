package io.jscan.verifier;

import io.jscan.core.oci.MediaTypes;
import io.jscan.core.transport.ImageCopy;
import io.jscan.core.transport.ImageCopy.RegistryComparison;
import java.util.Optional;

/**
 * The finding a verified copy's comparison with its registry gives ({@link ImageCopy}): a name
 * such as {@code registry.example/app:1} resolves to the local store's image when the store has
 * it, and the registry's tag may name another image (it moved, or this one is not pushed yet).
 *
 * <ul>
 *   <li>the registry's tag names another image: a <b>warning</b> naming both digests;
 *   <li>the registry could not be asked (offline, credentials refused): a <b>warning</b> saying so;
 *   <li>the registry has no such tag (the usual state before a first push): <b>info</b>.
 * </ul>
 *
 * <p>Never blocking: in the CI flow {@code build -t reg/app:1 → verify reg/app:1 → push}, the
 * registry holds an older image or nothing until the push, and an offline gate cannot ask it;
 * failing then would fail every such pipeline. But it is never silent either.
 */
public final class CopyFinding {
  /** The finding's rule id. */
  public static final String RULE = "registry-copy";
  public static final String TITLE = "The verified copy is the registry's";
  public static final String HELP =
      "A name such as registry.example/app:1 is verified from the local store when the store has it. The registry's tag "
          + "may name another image: it moved since the image was built or pulled, or the image is not pushed yet. "
          + "The finding names both digests (warning), says the registry has no such tag (info), or that it could not be "
          + "asked (warning). It never fails verification. Verify docker://NAME to check the registry's copy.";

  private CopyFinding() {}

  /** The finding for a verified {@code copy}, or empty when there is nothing to report. */
  public static Optional<Finding> of(ImageCopy copy) {
    return of(copy, "verified");
  }

  /**
   * As {@link #of(ImageCopy)}, for a command that did something else with the copy ({@code done}:
   * {@code inspected}, {@code catalogued}); such commands print the warnings on standard error.
   */
  public static Optional<Finding> of(ImageCopy copy, String done) {
    Optional<String> message = copy.comparison(done);
    if (message.isEmpty()) {
      return Optional.empty();
    }
    RegistryComparison r = copy.registry();
    Severity severity = r instanceof RegistryComparison.Absent ? Severity.INFO : Severity.WARNING;
    String part = MediaTypes.isIndex(copy.descriptor().mediaType()) ? "index" : "manifest";
    return Optional.of(new Finding(
        RULE, Optional.empty(), severity, Mode.WARN, Category.INTEGRITY, message.get(),
        Optional.of(Location.InImage.part(part, copy.descriptor().digest())), Optional.empty()));
  }
}
