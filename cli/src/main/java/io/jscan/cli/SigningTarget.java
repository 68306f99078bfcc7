package io.jscan.cli;

import io.jscan.core.oci.OciException;
import io.jscan.core.transport.ImageReference;
import io.jscan.core.transport.Transports;
import io.jscan.signing.oci.ImagePlaces;
import io.jscan.signing.oci.Stored;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * What {@code sign} and {@code attest} share: {@code --local}, the places a reference names for
 * writing ({@link ImagePlaces#toSign}: the registry's copy and the local store's), and the lines
 * that say where each signature went: the stored locations on standard output (one per place, for
 * scripts), a sentence per place on standard error.
 */
final class SigningTarget {
  @Option(
      names = "--local",
      description = {"Only the local store's copy (no registry is asked; offline); jscan push carries the signature to the registry later.",
          "Without it a name written with its registry host that the registry has is signed there too, and a registry that cannot be asked"
              + " is an error."})
  boolean localOnly;

  ImagePlaces.Targets resolve(ImageReference ref, Transports transports, ImagePlaces.Action action) throws OciException {
    return ImagePlaces.toSign(ref, transports, localOnly, action);
  }

  /**
   * Prints what was stored where.
   *
   * @param what before the image in the sentence: {@code signed}, {@code attested https://slsa.dev/provenance/v1 for}
   * @param stored one per place, in the places' order
   */
  static void report(PrintWriter out, PrintWriter err, String what, ImagePlaces.Targets targets, List<Stored> stored) {
    for (Stored s : stored) {
      out.println(what + " " + targets.subject().digest() + ": " + s.location());
    }
    out.flush();
    for (int i = 0; i < stored.size(); i++) {
      ImagePlaces.Place p = targets.places().get(i);
      String line = "jscan: " + what + " " + p.pinned() + " " + p.where();
      err.println(targets.localOnly().isPresent()
          ? line + " only (" + stored.get(i).location() + "): " + targets.localOnly().get()
          : line + " (" + stored.get(i).location() + ")");
    }
    err.flush();
  }
}
