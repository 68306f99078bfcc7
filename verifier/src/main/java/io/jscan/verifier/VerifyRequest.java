package io.jscan.verifier;

import io.jscan.core.Deadline;
import io.jscan.core.oci.Digest;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.ImageReference;
import io.jscan.dockerfile.Dockerfile;
import io.jscan.verifier.policy.PolicySet;
import java.util.Objects;
import java.util.Optional;

/**
 * One verification: what the user named and how to judge it.
 *
 * @param reference the image reference as written (reports show it)
 * @param name the image's name, when the reference has one (for allowed-registries and exceptions)
 * @param expectedDigest the manifest or index digest the reference pins, checked against what the
 *     source resolved
 * @param policies the policies to apply
 * @param dockerfile a Dockerfile to lint and take the base image from ({@code --dockerfile})
 * @param platforms which images of an index to verify
 * @param deadline when to give up (an admission webhook's timeout)
 */
public record VerifyRequest(
    String reference,
    Optional<ImageName> name,
    Optional<Digest> expectedDigest,
    PolicySet policies,
    Optional<Dockerfile> dockerfile,
    Platforms platforms,
    Deadline deadline) {
  public VerifyRequest {
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(expectedDigest, "expectedDigest");
    Objects.requireNonNull(policies, "policies");
    Objects.requireNonNull(dockerfile, "dockerfile");
    Objects.requireNonNull(platforms, "platforms");
    Objects.requireNonNull(deadline, "deadline");
  }

  /** A request for {@code ref} with the policies, default platform selection and no deadline. */
  public static VerifyRequest of(ImageReference ref, PolicySet policies) {
    return new VerifyRequest(ref.toString(), nameOf(ref), digestOf(ref), policies, Optional.empty(), Platforms.defaults(), Deadline.none());
  }

  public VerifyRequest withDockerfile(Dockerfile d) {
    return new VerifyRequest(reference, name, expectedDigest, policies, Optional.of(d), platforms, deadline);
  }

  public VerifyRequest withPlatforms(Platforms p) {
    return new VerifyRequest(reference, name, expectedDigest, policies, dockerfile, p, deadline);
  }

  public VerifyRequest withDeadline(Deadline d) {
    return new VerifyRequest(reference, name, expectedDigest, policies, dockerfile, platforms, d);
  }

  /** The digest a reference pins: {@code name@sha256:…}, {@code sha256:…}, {@code docker://name@sha256:…} or {@code oci:DIR@sha256:…}. */
  public static Optional<Digest> digestOf(ImageReference ref) {
    if (ref instanceof ImageReference.StoreReference s) {
      return s.digest().or(() -> s.name().flatMap(ImageName::digest));
    }
    if (ref instanceof ImageReference.OciLayoutReference o) {
      return o.digest();
    }
    if (ref instanceof ImageReference.RegistryReference r) {
      return r.name().digest();
    }
    return Optional.empty();
  }

  /** The image name a reference carries, if any. */
  public static Optional<ImageName> nameOf(ImageReference ref) {
    if (ref instanceof ImageReference.StoreReference s) {
      return s.name();
    }
    if (ref instanceof ImageReference.DockerArchiveReference a) {
      return a.name();
    }
    if (ref instanceof ImageReference.OciLayoutReference o) {
      return o.refName().filter(ImageName::isValid).map(ImageName::parse);
    }
    if (ref instanceof ImageReference.RegistryReference r) {
      return Optional.of(r.name());
    }
    return Optional.empty();
  }
}
