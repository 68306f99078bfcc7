package io.jscan.cli;

import io.jscan.builder.BuildException;
import io.jscan.builder.BuildRequest;
import io.jscan.core.JscanException;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.OciException;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.ImageReference;
import io.jscan.core.transport.ImageReference.OciLayoutReference;
import io.jscan.core.transport.ImageReference.StoreReference;
import io.jscan.core.transport.ocilayout.OciLayout;
import io.jscan.core.transport.registry.RegistryClient;
import io.jscan.core.transport.store.LocalStore;
import io.jscan.signing.oci.ImageAttester;
import io.jscan.signing.oci.ImageSigner;
import io.jscan.signing.oci.LayoutSignatureStore;
import io.jscan.signing.oci.RegistrySignatureStore;
import io.jscan.signing.oci.SignatureStore;
import io.jscan.signing.oci.SigningMethod;
import io.jscan.signing.oci.StorageFormat;
import io.jscan.signing.oci.StoreSignatureStore;
import io.jscan.signing.oci.Stored;
import io.jscan.signing.payload.InTotoStatement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Signs a built image, and attaches attestations to it, wherever the build put it: the local
 * store under each {@code -t} repository, the {@code oci:} layout of {@code --output}, and each
 * registry repository {@code --push} sent it to. A docker-archive has no place for signatures.
 *
 * <p>For SBOM and provenance: {@code destinations(...)} once, then {@link #attest} with each
 * statement; that is the whole of attaching a signed attestation.
 */
final class BuildSigning {
  private final List<SignatureStore> destinations;
  private final SigningMethod method;
  private final StorageFormat format;

  BuildSigning(List<SignatureStore> destinations, SigningMethod method, StorageFormat format) {
    this.destinations = List.copyOf(destinations);
    this.method = method;
    this.format = format;
  }

  /** Refuses, before anything is built, a build whose image would have nowhere to keep its signature. */
  static void checkPossible(BuildRequest request, boolean push) throws BuildException {
    Optional<ImageReference> output = request.output();
    boolean toStore = output.isEmpty() || output.get() instanceof StoreReference;
    if (output.isPresent() && output.get() instanceof ImageReference.DockerArchiveReference && !push) {
      throw BuildException.badInput("--sign", "a docker-archive has no place for signatures; build to the store (-t), an oci: layout, or --push");
    }
    if (toStore && request.tags().isEmpty()) {
      throw BuildException.badInput("--sign", "name the image with -t: signatures are stored under the image's repository");
    }
  }

  /** Where the built image's signatures go, after export and push. */
  static List<SignatureStore> destinations(BuildRequest request, LocalStore store, RegistryClient client, boolean pushed) throws OciException {
    List<SignatureStore> out = new ArrayList<>();
    Optional<ImageReference> output = request.output();
    if (output.isEmpty() || output.get() instanceof StoreReference) {
      Map<String, ImageName> repositories = new LinkedHashMap<>();
      for (ImageName t : request.tags()) {
        repositories.putIfAbsent(t.repository(), t);
      }
      for (ImageName n : repositories.values()) {
        out.add(new StoreSignatureStore(store, n));
      }
    } else if (output.get() instanceof OciLayoutReference oci) {
      String dockerReference = oci.refName().filter(ImageName::isValid).map(n -> ImageName.parse(n).repository())
          .orElse(request.tags().isEmpty() ? "oci:" + oci.directory().toAbsolutePath().normalize().getFileName() : request.tags().get(0).repository());
      out.add(new LayoutSignatureStore(OciLayout.open(oci.directory()), dockerReference));
    }
    if (pushed) {
      Map<String, ImageName> repositories = new LinkedHashMap<>();
      for (ImageName t : request.tags()) {
        repositories.putIfAbsent(t.repository(), t);
      }
      for (ImageName n : repositories.values()) {
        out.add(new RegistrySignatureStore(client, n));
      }
    }
    return out;
  }

  /** Signs {@code image} in every destination (one signature for the places whose payloads are the same). */
  List<Stored> sign(Descriptor image) throws JscanException {
    return ImageSigner.sign(destinations, image, method, format, Map.of());
  }

  /**
   * Attaches {@code statement} (an in-toto Statement v1 whose subjects include {@code image}'s
   * digest, as {@link BuildAttachments} makes it) as a signed attestation in every destination:
   * a DSSE envelope over exactly these statement bytes, appended to {@code sha256-<hex>.att}
   * (cosign ATTESTATION_SPEC.md) or stored as a Sigstore bundle referrer.
   *
   * <p>Earlier attestations of the same predicate type in the {@code .att} manifest are dropped, as
   * {@code cosign attest --replace} does: a rebuild of the same digest makes the same SBOM and a
   * newer provenance, and the manifest would otherwise grow by a layer per type on every build.
   */
  List<Stored> attest(Descriptor image, byte[] statement) throws JscanException {
    return ImageAttester.attest(destinations, image, InTotoStatement.parse(statement), method, format, true);
  }
}
