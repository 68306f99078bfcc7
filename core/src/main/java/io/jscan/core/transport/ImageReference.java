package io.jscan.core.transport;

import io.jscan.core.oci.Digest;
import io.jscan.core.oci.OciException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where an image is: the command line's IMAGE argument, parsed.
 *
 * <ul>
 *   <li>{@code oci:DIR[:REF|@DIGEST]}: an OCI image layout directory; REF is matched against
 *       {@code org.opencontainers.image.ref.name}. As in containers/image, DIR ends at the first
 *       {@code :}, so REF may itself hold colons ({@code oci:/store:docker.io/library/app:1.0}).
 *   <li>{@code docker-archive:FILE[:NAME[:TAG]]}: a {@code docker save} tarball; NAME picks one image
 *       of a multi-image archive and is normalised like any image name.
 *   <li>{@code docker://NAME}: an image in a registry, always (skopeo's spelling); NAME is
 *       normalised as docker does ({@code docker://ubuntu} is Docker Hub's
 *       {@code docker.io/library/ubuntu:latest}).
 *   <li>anything else: by image name ({@code myapp:1.0}, {@code docker.io/library/ubuntu:22.04},
 *       {@code name@sha256:…}) or by manifest digest ({@code sha256:…}). A name resolves in the
 *       local store first and, when the store has no such image, in the registry the name
 *       points at (see {@link Transports#read}); a bare digest only in the store.
 * </ul>
 *
 * <p>Sealed so that every command handles every transport.
 */
public sealed interface ImageReference
    permits ImageReference.OciLayoutReference,
        ImageReference.DockerArchiveReference,
        ImageReference.StoreReference,
        ImageReference.RegistryReference {

  String OCI_PREFIX = "oci:";
  String DOCKER_ARCHIVE_PREFIX = "docker-archive:";
  String REGISTRY_PREFIX = "docker://";

  /** The transport's name as it is written before the colon ({@code oci}, {@code docker-archive}, {@code store}). */
  String transport();

  /** Parses a reference; bad input with a one-line reason when it is malformed. */
  static ImageReference parse(String text) throws OciException {
    if (text == null || text.isBlank()) {
      throw OciException.badInput("image reference", "empty");
    }
    try {
      if (text.startsWith(OCI_PREFIX)) {
        return OciLayoutReference.parseBody(text.substring(OCI_PREFIX.length()));
      }
      if (text.startsWith(DOCKER_ARCHIVE_PREFIX)) {
        return DockerArchiveReference.parseBody(text.substring(DOCKER_ARCHIVE_PREFIX.length()));
      }
      if (text.startsWith(REGISTRY_PREFIX)) {
        return new RegistryReference(ImageName.parse(text.substring(REGISTRY_PREFIX.length())));
      }
      if (text.contains("://")) {
        throw new IllegalArgumentException(
            "unsupported transport (use oci:DIR, docker-archive:FILE, docker://NAME or an image name)");
      }
      if (StoreReference.BARE_DIGEST.matcher(text).matches()) {
        return StoreReference.byDigest(Digest.parse(text));
      }
      return StoreReference.byName(ImageName.parse(text), ImageName.namesRegistryHost(text));
    } catch (IllegalArgumentException e) {
      throw OciException.badInput("image reference \"" + text + "\"", e.getMessage());
    }
  }

  /** An OCI image layout directory, and which of its entries. */
  record OciLayoutReference(Path directory, Optional<String> refName, Optional<Digest> digest)
      implements ImageReference {
    // image-layout.md "org.opencontainers.image.ref.name": component ("/" component)*
    private static final Pattern REF_NAME =
        Pattern.compile("[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*(?:/[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*)*");
    private static final Pattern WITH_DIGEST =
        Pattern.compile("(.+)@([a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+)");

    public OciLayoutReference {
      if (directory == null || directory.toString().isEmpty()) {
        throw new IllegalArgumentException("oci: needs a directory");
      }
      if (refName.isPresent() && !REF_NAME.matcher(refName.get()).matches()) {
        throw new IllegalArgumentException("invalid OCI ref name \"" + refName.get() + "\"");
      }
      if (refName.isPresent() && digest.isPresent()) {
        throw new IllegalArgumentException("give a ref name or a digest, not both");
      }
    }

    static OciLayoutReference parseBody(String body) {
      Matcher m = WITH_DIGEST.matcher(body);
      if (m.matches() && !m.group(1).contains(":")) {
        return new OciLayoutReference(Path.of(m.group(1)), Optional.empty(), Optional.of(Digest.parse(m.group(2))));
      }
      int colon = body.indexOf(':');
      if (colon < 0) {
        return new OciLayoutReference(Path.of(body), Optional.empty(), Optional.empty());
      }
      String ref = body.substring(colon + 1);
      if (ref.isEmpty()) {
        throw new IllegalArgumentException("empty ref name after ':'");
      }
      return new OciLayoutReference(Path.of(body.substring(0, colon)), Optional.of(ref), Optional.empty());
    }

    @Override
    public String transport() {
      return "oci";
    }

    @Override
    public String toString() {
      return OCI_PREFIX + directory + refName.map(r -> ":" + r).orElse("") + digest.map(d -> "@" + d).orElse("");
    }
  }

  /** A {@code docker save} archive, and optionally which of its images. */
  record DockerArchiveReference(Path file, Optional<ImageName> name) implements ImageReference {
    public DockerArchiveReference {
      if (file == null || file.toString().isEmpty()) {
        throw new IllegalArgumentException("docker-archive: needs a file");
      }
      if (name.isPresent() && name.get().digest().isPresent()) {
        throw new IllegalArgumentException("a docker-archive image is named by repository and tag, not digest");
      }
    }

    static DockerArchiveReference parseBody(String body) {
      int colon = body.indexOf(':');
      if (colon < 0) {
        return new DockerArchiveReference(Path.of(body), Optional.empty());
      }
      String name = body.substring(colon + 1);
      if (name.isEmpty()) {
        throw new IllegalArgumentException("empty image name after ':'");
      }
      return new DockerArchiveReference(Path.of(body.substring(0, colon)), Optional.of(ImageName.parse(name)));
    }

    @Override
    public String transport() {
      return "docker-archive";
    }

    @Override
    public String toString() {
      return DOCKER_ARCHIVE_PREFIX + file + name.map(n -> ":" + n.familiar()).orElse("");
    }
  }

  /**
   * An image in the local store: by name, or by manifest digest. Exactly one of the two is present.
   *
   * @param hostWritten whether the name was written with its registry host
   *     ({@code registry.example/app:1}, not {@code app:1}): only then does the user mean a
   *     registry's image too, and {@link Transports#compare} asks that registry whether its copy is
   *     the store's. Names made in code are full names ({@link #byName(ImageName)}).
   */
  record StoreReference(Optional<ImageName> name, Optional<Digest> digest, boolean hostWritten) implements ImageReference {
    static final Pattern BARE_DIGEST = Pattern.compile("[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-f0-9]{32,}");

    public StoreReference {
      if (name.isPresent() == digest.isPresent()) {
        throw new IllegalArgumentException("a store reference is a name or a digest");
      }
      if (hostWritten && name.isEmpty()) {
        throw new IllegalArgumentException("a store reference by digest names no registry host");
      }
    }

    /** A reference by full name (its host counts as written) or by digest. */
    public StoreReference(Optional<ImageName> name, Optional<Digest> digest) {
      this(name, digest, name.isPresent());
    }

    public static StoreReference byName(ImageName name) {
      return byName(name, true);
    }

    public static StoreReference byName(ImageName name, boolean hostWritten) {
      return new StoreReference(Optional.of(name), Optional.empty(), hostWritten);
    }

    public static StoreReference byDigest(Digest digest) {
      return new StoreReference(Optional.empty(), Optional.of(digest), false);
    }

    @Override
    public String transport() {
      return "store";
    }

    @Override
    public String toString() {
      return name.map(ImageName::toString).orElseGet(() -> digest.get().toString());
    }
  }

  /**
   * An image in a registry ({@code docker://NAME}): read straight from it (streamed, verified,
   * not stored) and written to it by a push.
   */
  record RegistryReference(ImageName name) implements ImageReference {
    public RegistryReference {
      java.util.Objects.requireNonNull(name, "name");
    }

    @Override
    public String transport() {
      return "docker";
    }

    @Override
    public String toString() {
      return REGISTRY_PREFIX + name;
    }
  }
}
