package io.jscan.cli;

import io.jscan.core.text.Printable;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jscan.core.image.Artifact;
import io.jscan.core.image.Image;
import io.jscan.core.image.ImageIndex;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.OciException;
import io.jscan.core.transport.ImageCopy;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.ImageReference;
import io.jscan.core.transport.ImageReference.DockerArchiveReference;
import io.jscan.core.transport.ImageReference.OciLayoutReference;
import io.jscan.core.transport.ImageReference.StoreReference;
import io.jscan.core.transport.store.LocalStore;
import io.jscan.verifier.CopyFinding;
import io.jscan.verifier.Severity;
import java.io.PrintWriter;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What the image commands share: the local store ({@code -Djscan.home}, {@code $JSCAN_HOME} or
 * {@code ~/.local/share/jscan}, see {@link LocalStore#defaultHome()}), reference parsing, JSON
 * output and human-readable sizes.
 */
final class StoreAccess {
  private StoreAccess() {}

  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** How a command prints its result. */
  enum OutputFormat {
    text,
    json
  }

  static LocalStore openStore() throws OciException {
    return LocalStore.open(LocalStore.defaultHome());
  }

  /** The name a reference carries, when it has one that can tag an image. */
  static Optional<ImageName> nameOf(ImageReference ref) {
    if (ref instanceof StoreReference s) {
      return s.name().filter(n -> n.tag().isPresent()).map(ImageName::withoutDigest);
    }
    if (ref instanceof DockerArchiveReference a) {
      return a.name();
    }
    if (ref instanceof ImageReference.RegistryReference r) {
      return Optional.of(r.name()).filter(n -> n.tag().isPresent()).map(ImageName::withoutDigest);
    }
    if (ref instanceof OciLayoutReference o) {
      // a layout entry named like an image (as in the store's own layout) carries that name
      return o.refName().filter(ImageName::isValid).map(ImageName::parse).filter(n -> n.digest().isEmpty());
    }
    return Optional.empty();
  }

  /**
   * Prints, on standard error, the warning {@code jscan verify} would report for {@code copy}
   * (its registry's tag names another image, or the registry could not be asked), for commands
   * whose output has no place for findings; {@code done} says what the command did with the copy.
   */
  static void warnAboutCopy(PrintWriter err, ImageCopy copy, String done) {
    CopyFinding.of(copy, done).filter(f -> f.severity() != Severity.INFO).ifPresent(f -> err.println("jscan: warning: " + Printable.escape(f.message())));
  }

  /** A store name that can be written: a bare name with a tag. */
  static ImageName targetName(String text) throws OciException {
    ImageReference ref = ImageReference.parse(text);
    if (!(ref instanceof StoreReference s) || s.name().isEmpty()) {
      throw OciException.badInput("target \"" + text + "\"", "expected an image name such as myapp:1.0");
    }
    ImageName name = s.name().get();
    if (name.digest().isPresent()) {
      throw OciException.badInput("target \"" + text + "\"", "a tag name cannot hold a digest");
    }
    return name;
  }

  /** Total bytes of the blobs an artifact references that are at hand (manifests, configs, layers). */
  static long size(Artifact artifact) throws OciException {
    return size(artifact, new HashSet<>());
  }

  private static long size(Artifact artifact, Set<String> seen) throws OciException {
    Descriptor top = artifact.descriptor();
    if (!seen.add(top.digest().toString())) {
      return 0;
    }
    long total = top.size();
    if (artifact instanceof Image image) {
      if (seen.add(image.manifest().config().digest().toString())) {
        total += image.manifest().config().size();
      }
      for (Descriptor layer : image.manifest().layers()) {
        if (seen.add(layer.digest().toString())) {
          total += layer.size();
        }
      }
      return total;
    }
    ImageIndex index = (ImageIndex) artifact;
    for (Descriptor child : index.index().manifests()) {
      if (!MediaTypes.isManifestOrIndex(child.mediaType())) {
        continue;
      }
      try {
        total += size(index.child(child), seen);
      } catch (OciException missing) {
        // a multi-platform index often has only some platforms' blobs at hand
      }
    }
    return total;
  }

  /** Docker's human size: three significant digits, SI units ({@code 12.3kB}). */
  static String humanSize(long bytes) {
    String[] units = {"B", "kB", "MB", "GB", "TB", "PB"};
    double value = bytes;
    int unit = 0;
    while (value >= 1000 && unit < units.length - 1) {
      value /= 1000;
      unit++;
    }
    String number;
    if (value >= 100 || unit == 0) {
      number = String.format(Locale.ROOT, "%.0f", value);
    } else if (value >= 10) {
      number = String.format(Locale.ROOT, "%.1f", value);
    } else {
      number = String.format(Locale.ROOT, "%.2f", value);
    }
    if (number.contains(".")) {
      number = number.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
    return number + units[unit];
  }
}
