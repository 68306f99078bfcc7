package io.jscan.signing.oci;

import io.jscan.core.FailureKind;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.OciException;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.ImageReference;
import io.jscan.core.transport.ImageReference.DockerArchiveReference;
import io.jscan.core.transport.ImageReference.OciLayoutReference;
import io.jscan.core.transport.ImageReference.RegistryReference;
import io.jscan.core.transport.ImageReference.StoreReference;
import io.jscan.core.transport.Transports;
import io.jscan.core.transport.registry.RegistryClient;
import io.jscan.core.transport.registry.RegistryException;
import io.jscan.core.transport.store.LocalStore;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The copies of an image a command writes signatures, attestations and attachments to, and where
 * it reads them from: the one place that decides, for {@code sign}, {@code attest}, {@code push},
 * {@code pull} and {@code build}, what a reference's "places" are. ({@link SignatureStores} finds
 * the one place {@code verify} reads, by the rules of {@link Transports#read}.)
 *
 * <p><b>Signing a name</b> ({@code registry.example/app:1}, {@code registry.example/app@sha256:…}):
 * cosign signs the digest the registry's tag names, in the registry; jscan also has the local
 * store, which may hold the same name. So both are asked:
 * <ul>
 *   <li>the registry and the store have the same digest: both copies are signed (the registry's
 *       first), with one signature (see {@link ImageSigner#sign(List, Descriptor, SigningMethod,
 *       StorageFormat, java.util.Map)});
 *   <li>only the registry has it: the registry's copy, as cosign does;
 *   <li>only the store has it (the registry answers that it has no such manifest: never pushed):
 *       the store's copy, with a note that it is local only and that {@code jscan push} carries
 *       it;
 *   <li>their digests differ: refused (bad input) with both digests. Signing the registry's digest
 *       would vouch for an image the user may not have built; signing only the local one would
 *       leave the registry unsigned, which is the very surprise this class exists to prevent. The
 *       user says which: {@code docker://NAME} (the registry's, as cosign), {@code --local} (the
 *       store's), or {@code NAME@sha256:…};
 *   <li>the store has it but the registry cannot say (unreachable, refused credentials): refused
 *       (the registry's own failure kind: exit 1 unreachable, 2 refused), nothing signed. A
 *       signature silently left local is what makes a cluster deny an image the user thinks is
 *       signed; {@code --local} signs the store's copy on purpose (offline).
 * </ul>
 * A short name ({@code app:1}, {@code team/app:1}: no registry host written) that the local store
 * has means the local image, as for docker, podman and {@code jscan verify}: only the store's copy
 * is signed, and the registry (Docker Hub) is not asked.
 * Explicit transports keep meaning exactly their place: {@code docker://NAME} the registry, {@code
 * oci:DIR[:REF]} the layout, a bare {@code sha256:…} the store (it names no registry); a
 * docker-archive has no place for signatures.
 */
public final class ImagePlaces {
  private ImagePlaces() {}

  /** What a command does to the places, for its messages. */
  public enum Action {
    SIGN("signing", "signed", "signature"),
    ATTEST("attesting", "attested", "attestation");

    private final String doing;
    private final String done;
    private final String product;

    Action(String doing, String done, String product) {
      this.doing = doing;
      this.done = done;
      this.product = product;
    }

    /** {@code signed}, {@code attested}. */
    public String done() {
      return done;
    }
  }

  /** What kind of place a copy is in. */
  public enum Kind {
    REGISTRY,
    STORE,
    LAYOUT
  }

  /**
   * One copy of an image.
   *
   * @param kind where it is
   * @param image how messages name the copy ({@code registry.example/app}, {@code oci:DIR})
   * @param subject the manifest the copy has (what is signed)
   * @param signatures the place's signature store
   */
  public record Place(Kind kind, String image, Descriptor subject, SignatureStore signatures) {
    public Place {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(image, "image");
      Objects.requireNonNull(subject, "subject");
      Objects.requireNonNull(signatures, "signatures");
    }

    /** {@code in the registry}, {@code in the local store}, {@code in oci:DIR}: how a message says where. */
    public String where() {
      return switch (kind) {
        case REGISTRY -> "in the registry";
        case STORE -> "in the local store";
        case LAYOUT -> "in " + signatures.location();
      };
    }

    /** {@code registry.example/app@sha256:…}: the signed manifest, as a message names it. */
    public String pinned() {
      return image + "@" + subject.digest();
    }
  }

  /**
   * What a {@code sign} or {@code attest} writes to: the places (all with the same digest).
   *
   * @param localOnly when only the local store's copy is written and the image has a registry: why,
   *     for the user ({@code registry host has no host/app:1; jscan push carries the signature there})
   */
  public record Targets(Descriptor subject, List<Place> places, Optional<String> localOnly) {
    public Targets {
      places = List.copyOf(places);
      if (places.isEmpty()) {
        throw new IllegalArgumentException("no place to sign in");
      }
      for (Place p : places) {
        if (!p.subject().digest().equals(subject.digest())) {
          throw new IllegalArgumentException("places with different digests: " + subject.digest() + ", " + p.subject().digest());
        }
      }
    }

    /** The places' signature stores, in order (the registry first). */
    public List<SignatureStore> stores() {
      return places.stream().map(Place::signatures).toList();
    }
  }

  /**
   * The places {@code ref} names for writing signatures and attestations (see the class comment).
   *
   * @param localOnly the user asked for the local store's copy only ({@code --local}): no
   *     registry is asked; {@code ref} must be a store name or digest the store has
   * @param action what the command does, for messages
   */
  public static Targets toSign(ImageReference ref, Transports transports, boolean localOnly, Action action) throws OciException {
    LocalStore store = transports.store();
    if (localOnly) {
      if (!(ref instanceof StoreReference local)) {
        throw OciException.badInput("--local", "means the local store's copy; " + ref + " names " + placeOf(ref) + ", not the local store");
      }
      Descriptor d = store.resolve(local).orElseThrow(() -> OciException.badInput("image " + ref, "not in the local store " + store.home()));
      Place p = storePlace(store, local, d);
      return new Targets(d, List.of(p), Optional.of("--local was given; jscan push carries the " + action.product + " to the registry"));
    }
    if (ref instanceof OciLayoutReference oci) {
      Descriptor d = pinned(ref, transports.read(ref).descriptor());
      SignatureStore s = SignatureStores.forReference(ref, transports);
      return new Targets(d, List.of(new Place(Kind.LAYOUT, s.location(), d, s)), Optional.empty());
    }
    if (ref instanceof RegistryReference remote) {
      Descriptor d = transports.registry().resolve(remote.name());
      return new Targets(d, List.of(registryPlace(transports.registry(), remote.name(), d)), Optional.empty());
    }
    if (ref instanceof DockerArchiveReference) {
      throw OciException.badInput("image " + ref, "a docker-archive has no place for signatures; use the local store, an oci: layout or a registry");
    }
    StoreReference local = (StoreReference) ref;
    Optional<Descriptor> inStore = store.resolve(local);
    if (local.name().isEmpty()) {
      Descriptor d = inStore.orElseThrow(() -> OciException.badInput("image " + ref, "not in the local store " + store.home()));
      return new Targets(d, List.of(storePlace(store, local, d)),
          Optional.of("a digest names no registry; jscan push carries the " + action.product + " to the registry"));
    }
    ImageName name = local.name().get();
    if (!local.hostWritten() && inStore.isPresent()) {
      // a short name (app:1, team/app:1) means the local image, as docker and podman read it and as
      // verify does (Transports#compare): Docker Hub is not asked, so signing a local build works
      // offline; the registry copy is written only when the user writes its host
      return new Targets(inStore.get(), List.of(storePlace(store, local, inStore.get())), Optional.of(
          "a short name means the local image (write its registry host, e.g. docker.io/" + name.path() + ", to sign the registry's"
              + " copy too); jscan push carries the " + action.product + " there"));
    }
    Optional<Descriptor> inRegistry;
    try {
      inRegistry = transports.registry().fetchManifestIfPresent(name, reference(name)).map(RegistryClient.FetchedManifest::descriptor);
    } catch (RegistryException e) {
      if (inStore.isEmpty()) {
        // as Transports.read: a name that is nowhere to be had is bad input (content that does not
        // match its digest stays an integrity failure)
        throw new OciException(e.kind() == FailureKind.INTEGRITY ? e.kind() : FailureKind.BAD_INPUT, "image " + name,
            "not in the local store " + store.home() + ", and from the registry: " + e.getMessage(), e);
      }
      // fail closed: the user named a registry image, and a signature silently left local is what
      // makes a cluster deny an image its owner believes signed
      throw new OciException(e.kind(), action.doing + " " + name,
          "the local store has it, but whether registry " + name.domain() + " has it cannot be told (" + e.getMessage()
              + "); nothing was " + action.done + ". For the local store's copy only, add --local (jscan push then carries the "
              + action.product + ")", e);
    }
    if (inStore.isEmpty() && inRegistry.isEmpty()) {
      throw OciException.badInput("image " + name,
          "not in the local store " + store.home() + ", and registry " + name.domain() + " has no " + shown(name));
    }
    if (inStore.isEmpty()) {
      return new Targets(inRegistry.get(), List.of(registryPlace(transports.registry(), name, inRegistry.get())), Optional.empty());
    }
    Place stored = storePlace(store, local, inStore.get());
    if (inRegistry.isEmpty()) {
      return new Targets(inStore.get(), List.of(stored), Optional.of(
          "registry " + name.domain() + " has no " + shown(name) + "; jscan push carries the " + action.product + " there"));
    }
    Digest remote = inRegistry.get().digest();
    Digest mine = inStore.get().digest();
    if (!remote.equals(mine)) {
      throw OciException.badInput(action.doing + " " + name,
          "the local store's copy (" + mine + ") is not the registry's (" + remote + "); nothing was " + action.done
              + ". Say which: docker://" + name + " for the registry's (as cosign), --local for the local store's (jscan push"
              + " then publishes it with its " + action.product + "), or " + name.repository() + "@sha256:… by digest");
    }
    return new Targets(inRegistry.get(), List.of(registryPlace(transports.registry(), name, inRegistry.get()), stored), Optional.empty());
  }

  /**
   * Where a {@code push} (or copy) of {@code source} reads the image's signatures, attestations and
   * attachments: the place the image itself is read from, a store name meaning the local store only
   * (a push never falls back to the registry). Empty for a docker-archive, which holds none.
   *
   * @param destination the name the image is pushed to: the repository a store image without a
   *     name is looked up under (its referrers are found by digest whatever the name)
   */
  public static Optional<SignatureStore> source(ImageReference source, Transports transports, ImageName destination) throws OciException {
    if (source instanceof DockerArchiveReference) {
      return Optional.empty();
    }
    if (source instanceof StoreReference local) {
      if (local.name().isPresent()) {
        return Optional.of(new StoreSignatureStore(transports.store(), local.name().get()));
      }
      Optional<ImageName> named = transports.store().namesOf(local.digest().orElseThrow()).stream()
          .filter(ImageName::isValid).map(ImageName::parse).findFirst();
      return Optional.of(new StoreSignatureStore(transports.store(), named.orElse(destination)));
    }
    return Optional.of(SignatureStores.forReference(source, transports));
  }

  /** The registry repository of {@code name}, holding {@code subject}. */
  public static Place registryPlace(RegistryClient client, ImageName name, Descriptor subject) {
    return new Place(Kind.REGISTRY, name.repository(), subject, new RegistrySignatureStore(client, name));
  }

  /** The local store's copy of {@code subject}, under the repository {@code ref} names (or, for a digest, the image's first name). */
  private static Place storePlace(LocalStore store, StoreReference ref, Descriptor subject) throws OciException {
    SignatureStore s = ref.name().isPresent() ? new StoreSignatureStore(store, ref.name().get()) : SignatureStores.forReference(ref, new Transports(store));
    return new Place(Kind.STORE, s.dockerReference(), subject, s);
  }

  /** {@code host/repo:tag} or {@code host/repo@sha256:…}. */
  private static String shown(ImageName name) {
    return name.repository() + name.digest().map(d -> "@" + d).orElseGet(() -> ":" + name.tag().orElseThrow());
  }

  private static String reference(ImageName name) {
    return name.digest().map(Digest::toString).orElseGet(() -> name.tag().orElseThrow());
  }

  /** {@code subject}, checked against the digest the reference pins, if it pins one. */
  private static Descriptor pinned(ImageReference ref, Descriptor subject) throws OciException {
    Optional<Digest> pin = ref instanceof OciLayoutReference oci ? oci.digest() : Optional.empty();
    if (pin.isPresent() && !pin.get().equals(subject.digest())) {
      throw OciException.integrity("image " + ref, "the reference pins " + pin.get() + " but the source has " + subject.digest());
    }
    return subject;
  }

  private static String placeOf(ImageReference ref) {
    if (ref instanceof RegistryReference) {
      return "the registry";
    }
    if (ref instanceof OciLayoutReference) {
      return "an OCI layout";
    }
    return "a docker-archive";
  }
}
