package io.jscan.core.transport;

import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.Platform;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Which copy of an image a reference resolved to ({@link Transports#resolve}), and, for a copy
 * in the local store, how it compares with the registry's copy of the same name
 * ({@link Transports#compare}). A name can mean two different images: the local store keeps the
 * image a tag named when it was built or pulled, while the registry's tag may have moved since (or
 * the image may not be pushed yet). Commands that read by name say which one they read.
 *
 * @param origin where the copy is
 * @param location the store's directory, the registry repository, the layout entry ({@code DIR:REF},
 *     {@code DIR@DIGEST}) or the archive ({@code FILE[:NAME:TAG]}), as written
 * @param name the image name it was found under, when it has one
 * @param descriptor the copy's top manifest or index
 * @param registry how it compares with the registry's copy
 */
public record ImageCopy(Origin origin, String location, Optional<ImageName> name, Descriptor descriptor, RegistryComparison registry) {

  public ImageCopy {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(descriptor, "descriptor");
    Objects.requireNonNull(registry, "registry");
    if (origin != Origin.STORE && !(registry instanceof RegistryComparison.NotCompared)) {
      throw new IllegalArgumentException("only a copy in the local store is compared with its registry");
    }
  }

  /** Where a copy is. */
  public enum Origin {
    STORE("store", "the local store"),
    REGISTRY("registry", "the registry"),
    OCI_LAYOUT("oci-layout", "the OCI layout"),
    DOCKER_ARCHIVE("docker-archive", "the docker-archive");

    private final String id;
    private final String label;

    Origin(String id, String label) {
      this.id = id;
      this.label = label;
    }

    /** As JSON reports write it. */
    public String id() {
      return id;
    }

    /** As messages write it ({@code the local store}). */
    public String label() {
      return label;
    }
  }

  /** How a store copy compares with what its name's registry holds under the same name. */
  public sealed interface RegistryComparison {
    /** Not compared; {@code reason} says why (a short name, a digest, not a store copy). */
    record NotCompared(String reason) implements RegistryComparison {
      public NotCompared {
        Objects.requireNonNull(reason, "reason");
      }
    }

    /** The registry's tag names the same manifest or index. */
    record Same(ImageName name, Digest digest) implements RegistryComparison {}

    /**
     * The registry's tag names an index that lists the store's image: a pull of one platform
     * stores that platform's image under the name (as {@code skopeo copy} without {@code --all}).
     */
    record InIndex(ImageName name, Digest index, Optional<Platform> platform) implements RegistryComparison {}

    /** The registry's tag names another image (it moved, or the store's image is not pushed yet). */
    record Differs(ImageName name, Digest digest) implements RegistryComparison {}

    /** The registry has nothing under the name (404: not pushed yet, or no such repository). */
    record Absent(ImageName name) implements RegistryComparison {}

    /** The registry could not be asked: unreachable, refused the credentials, kept failing. */
    record Unavailable(ImageName name, String detail) implements RegistryComparison {
      public Unavailable {
        Objects.requireNonNull(detail, "detail");
      }
    }
  }

  /** A copy not compared with any registry. */
  public static ImageCopy uncompared(Origin origin, String location, Optional<ImageName> name, Descriptor descriptor, String reason) {
    return new ImageCopy(origin, location, name, descriptor, new RegistryComparison.NotCompared(reason));
  }

  public ImageCopy withRegistry(RegistryComparison comparison) {
    return new ImageCopy(origin, location, name, descriptor, comparison);
  }

  /** Where the copy is, in a few words: {@code the local store (/home/ci/.jscan)}, {@code the registry (host/app)}. */
  public String where() {
    return switch (origin) {
      case STORE, REGISTRY -> origin.label() + " (" + location + ")";
      case OCI_LAYOUT, DOCKER_ARCHIVE -> origin.label() + " " + location;
    };
  }

  /**
   * Which copy, in one line: {@code the local store's 127.0.0.1:5000/app:1 (/home/ci/.jscan), sha256:…}.
   */
  public String describe() {
    String named = name.map(n -> " " + n).orElse("");
    return switch (origin) {
      case STORE -> "the local store's" + (named.isEmpty() ? " image" : named) + " (" + location + "), " + descriptor.digest();
      case REGISTRY -> "the registry's" + (named.isEmpty() ? " " + location : named) + ", " + descriptor.digest();
      case OCI_LAYOUT, DOCKER_ARCHIVE -> origin.label() + " " + location + ", " + descriptor.digest();
    };
  }

  /**
   * The comparison with the registry in one line, {@code done} being what the command did with
   * the copy ({@code verified}, {@code inspected}, {@code catalogued}); empty when there is nothing
   * to say (not a store copy, or the same image).
   */
  public Optional<String> comparison(String done) {
    String ours = "the local store's copy";
    RegistryComparison r = registry;
    if (r instanceof RegistryComparison.Differs d) {
      return Optional.of("the local store's " + d.name() + " is " + descriptor.digest() + "; the registry's " + d.name() + " is "
          + d.digest() + ": " + done + " " + ours + ", not the registry's");
    }
    if (r instanceof RegistryComparison.Absent a) {
      return Optional.of("the registry has no " + a.name() + " (not pushed yet?): " + done + " " + ours + ", " + descriptor.digest());
    }
    if (r instanceof RegistryComparison.Unavailable u) {
      return Optional.of("could not compare with the registry's " + u.name() + ": " + u.detail() + "; " + done + " " + ours + ", "
          + descriptor.digest());
    }
    return Optional.empty();
  }

  /** What the comparison found, in a few words, for a line beside {@link #describe()}. */
  public String comparisonSummary() {
    RegistryComparison r = registry;
    if (r instanceof RegistryComparison.NotCompared n) {
      return "not compared with a registry: " + n.reason();
    }
    if (r instanceof RegistryComparison.Same s) {
      return "the registry's " + s.name() + " is the same image";
    }
    if (r instanceof RegistryComparison.InIndex i) {
      return "the registry's " + i.name() + " is the index " + i.index() + ", which lists this image"
          + i.platform().map(p -> " (" + p + ")").orElse("");
    }
    if (r instanceof RegistryComparison.Differs d) {
      return "the registry's " + d.name() + " is another image, " + d.digest();
    }
    if (r instanceof RegistryComparison.Absent a) {
      return "the registry has no " + a.name();
    }
    RegistryComparison.Unavailable u = (RegistryComparison.Unavailable) r;
    return "could not compare with the registry's " + u.name() + ": " + u.detail();
  }

  /** The copy as JSON reports write it (an ordered map of strings and maps). */
  public Map<String, Object> toJson() {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("source", origin.id());
    o.put("location", location);
    name.ifPresent(n -> o.put("name", n.toString()));
    o.put("digest", descriptor.digest().toString());
    o.put("mediaType", descriptor.mediaType());
    Map<String, Object> c = new LinkedHashMap<>();
    RegistryComparison r = registry;
    if (r instanceof RegistryComparison.NotCompared n) {
      c.put("status", "not-compared");
      c.put("reason", n.reason());
    } else if (r instanceof RegistryComparison.Same s) {
      c.put("status", "same");
      c.put("name", s.name().toString());
      c.put("digest", s.digest().toString());
    } else if (r instanceof RegistryComparison.InIndex i) {
      c.put("status", "in-index");
      c.put("name", i.name().toString());
      c.put("digest", i.index().toString());
      i.platform().ifPresent(p -> c.put("platform", p.toString()));
    } else if (r instanceof RegistryComparison.Differs d) {
      c.put("status", "differs");
      c.put("name", d.name().toString());
      c.put("digest", d.digest().toString());
    } else if (r instanceof RegistryComparison.Absent a) {
      c.put("status", "absent");
      c.put("name", a.name().toString());
    } else {
      RegistryComparison.Unavailable u = (RegistryComparison.Unavailable) r;
      c.put("status", "unavailable");
      c.put("name", u.name().toString());
      c.put("detail", u.detail());
    }
    o.put("registry", c);
    return o;
  }
}
