package io.jscan.cli;

import io.jscan.core.image.Artifact;
import io.jscan.core.oci.OciException;
import io.jscan.signing.oci.Attachments;
import io.jscan.signing.oci.SignatureStore;
import java.util.List;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/**
 * What {@code push}, {@code pull} and {@code build --push} share about the signatures,
 * attestations and attachments of the image they copy ({@link Attachments#carry}): {@code
 * --skip-attachments}, a line per attachment carried, and a failure that says the image itself got
 * there.
 */
final class CarriedAttachments {
  @Option(
      names = "--skip-attachments",
      description = "Do not carry the image's signatures, attestations, SBOMs and other referrers (carried by default, as cosign copy does).")
  boolean skip;

  /**
   * Carries what is attached to {@code artifact} from {@code from} to {@code to} (which has the
   * image now), saying what on {@code log}.
   *
   * @param failed how a failure is named ({@code push registry.example/app:1})
   * @param done what happened to the image itself, for that failure ({@code pushed})
   */
  static void carry(SignatureStore from, SignatureStore to, Artifact artifact, String failed, String done, Consumer<String> log)
      throws OciException {
    List<Attachments.Carried> carried;
    try {
      carried = Attachments.carry(from, to, artifact);
    } catch (OciException e) {
      // the image is complete where it went; rerunning carries what is missing (nothing is lost or doubled)
      throw new OciException(e.kind(), failed, "the image was " + done + ", but carrying its signatures, attestations and"
          + " attachments failed (rerun to finish, or --skip-attachments): " + e.getMessage(), e);
    }
    for (Attachments.Carried c : carried) {
      log.accept(c.describe());
    }
  }
}
