package io.jscan.core.transport.registry;

import io.jscan.core.Deadline;
import io.jscan.core.image.Artifact;
import io.jscan.core.image.Image;
import io.jscan.core.image.Images;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.OciException;
import io.jscan.core.oci.Platform;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.ImageReference.StoreReference;
import io.jscan.core.transport.store.LocalStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Base images by name, pinned: what a build's {@code FROM registry.example.com/base:1} resolves
 * to, recorded in {@link ImageLock} ({@code jscan.lock} beside the Dockerfile) so that later
 * builds use the same digest until the lock is updated on purpose.
 *
 * <ul>
 *   <li>A pinned image is used by its digest: from the local store when it is there, else pulled
 *       by digest (whatever the tag says now), unless the policy is {@link PullPolicy#NEVER}.
 *   <li>A name without a pin is resolved (local store first with {@link PullPolicy#MISSING} and
 *       {@link PullPolicy#NEVER}, the registry otherwise), pulled into the store and pinned.
 *   <li>{@link PullPolicy#ALWAYS} asks the registry what the tag names now and re-pins it.
 *   <li>{@code locked} (the build's {@code --locked}) fails when the lock file is missing, has no
 *       pin for a name and platform, or would change: CI builds exactly what was reviewed.
 * </ul>
 *
 * <p>Images are always read from the local store once resolved, so their layers are verified
 * once and reused by later builds.
 */
public final class PinnedImages {

  /** When a base image is fetched from its registry ({@code --pull}). */
  public enum PullPolicy {
    /** Only when the local store lacks it (the default, as docker build). */
    MISSING,
    /** Ask the registry every time and re-pin the tag. */
    ALWAYS,
    /** Never: the local store must have it. */
    NEVER;

    public static PullPolicy parse(String text) throws OciException {
      try {
        return valueOf(text.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw OciException.badInput("--pull=" + text, "expected missing, always or never");
      }
    }
  }

  private final Path lockFile;
  private final LocalStore store;
  private final RegistryClient client;
  /** Each base image's resolution (and pull) must be done by a deadline made when it starts. */
  private final Supplier<Deadline> perBase;
  /** The client of the resolution under way: {@link #client} with its deadline ({@link #resolve} is synchronized). */
  private RegistryClient registry;
  private final PullPolicy policy;
  private final boolean locked;
  private final ImageLock original;
  private ImageLock lock;

  private PinnedImages(
      Path lockFile, LocalStore store, RegistryClient client, Supplier<Deadline> perBase, PullPolicy policy, boolean locked, ImageLock lock) {
    this.lockFile = lockFile;
    this.store = store;
    this.client = client;
    this.perBase = perBase;
    this.registry = client;
    this.policy = policy;
    this.locked = locked;
    this.original = lock;
    this.lock = lock;
  }

  /** Reads {@code lockFile} (usually {@code DIR/jscan.lock}); with {@code locked} it must exist. */
  public static PinnedImages open(Path lockFile, LocalStore store, RegistryClient registry, PullPolicy policy, boolean locked)
      throws OciException {
    return open(lockFile, store, registry, registry::deadline, policy, locked);
  }

  /**
   * As above; each base image is resolved and pulled by a deadline {@code perBase} makes when that
   * starts (a build's bases are pulled as its stages need them, perhaps after long RUN steps, so
   * one deadline for the whole build would count those too).
   */
  public static PinnedImages open(
      Path lockFile, LocalStore store, RegistryClient registry, Supplier<Deadline> perBase, PullPolicy policy, boolean locked)
      throws OciException {
    Optional<ImageLock> lock = ImageLock.read(lockFile);
    if (locked && lock.isEmpty()) {
      throw OciException.badInput(lockFile.toString(), "no lock file; --locked needs one (build once without --locked to write it)");
    }
    return new PinnedImages(lockFile, store, registry, perBase, policy, locked, lock.orElse(ImageLock.empty()));
  }

  /** The image {@code reference} names for {@code platform}, pinned in the lock. */
  public synchronized Image resolve(ImageName reference, Platform platform) throws OciException {
    registry = client.withDeadline(perBase.get());
    ImageName name = reference;
    Optional<ImageLock.Entry> entry = lock.get(name);
    Optional<Digest> pinnedImage = entry.flatMap(e -> e.forPlatform(platform));
    String what = "base image " + name.familiar() + " for " + platform;
    if (locked && pinnedImage.isEmpty()) {
      // fail closed: --locked means the lock file alone decides what is built
      throw OciException.badInput(what, lockFile.getFileName() + " has no pin for it; --locked allows no new pins");
    }
    if (policy == PullPolicy.ALWAYS && name.digest().isEmpty()) {
      // read once: the manifest that tells the digest is the one pulled (no second fetch by digest)
      Artifact top = registry.read(name);
      Descriptor now = top.descriptor();
      if (locked && entry.isPresent() && !entry.get().digest().equals(now.digest())) {
        throw OciException.badInput(
            what, "the registry now has " + now.digest() + " but " + lockFile.getFileName() + " pins " + entry.get().digest() + " (--locked)");
      }
      Image image = pull(top, Optional.of(platform), name);
      pin(name, now.digest(), entry.filter(e -> e.digest().equals(now.digest())), platform, image.digest());
      return image;
    }
    if (pinnedImage.isPresent()) {
      Digest d = pinnedImage.get();
      Optional<Image> local = storedImage(d);
      if (local.isPresent()) {
        return local.get();
      }
      if (policy == PullPolicy.NEVER) {
        throw OciException.badInput(what, "pinned to " + d + ", which is not in the local store (--pull=never)");
      }
      return pull(name.withDigest(d), Optional.empty(), name);
    }
    if (name.digest().isPresent()) {
      // pinned in the Dockerfile itself
      Optional<Artifact> local = storedArtifact(name.digest().get());
      Artifact artifact;
      if (local.isPresent()) {
        artifact = local.get();
      } else if (policy == PullPolicy.NEVER) {
        throw OciException.badInput(what, "not in the local store (--pull=never)");
      } else {
        return record(name, name.digest().get(), pull(name, platform, name.withoutDigest()), platform);
      }
      return record(name, name.digest().get(), Images.forPlatform(artifact, platform), platform);
    }
    if (entry.isPresent()) {
      // the tag is pinned, this platform not yet: take it from the pinned digest, not the tag
      Digest top = entry.get().digest();
      Optional<Artifact> local = storedArtifact(top);
      if (local.isPresent()) {
        return record(name, top, Images.forPlatform(local.get(), platform), platform);
      }
      if (policy == PullPolicy.NEVER) {
        throw OciException.badInput(what, "pinned to " + top + ", which is not in the local store (--pull=never)");
      }
      return record(name, top, pull(name.withDigest(top), platform, name), platform);
    }
    Optional<Descriptor> stored = store.resolve(StoreReference.byName(name));
    if (stored.isPresent()) {
      Artifact artifact = store.read(StoreReference.byName(name));
      Image image = Images.forPlatform(artifact, platform);
      return record(name, stored.get().digest(), image, platform);
    }
    if (policy == PullPolicy.NEVER) {
      throw OciException.badInput(what, "not in the local store (--pull=never)");
    }
    Artifact top = registry.read(name);
    Image image = pull(top, Optional.of(platform), name);
    return record(name, top.descriptor().digest(), image, platform);
  }

  private Image record(ImageName name, Digest top, Image image, Platform platform) throws OciException {
    pin(name, top, lock.get(name).filter(e -> e.digest().equals(top)), platform, image.digest());
    return image;
  }

  private void pin(ImageName name, Digest top, Optional<ImageLock.Entry> sameTop, Platform platform, Digest image) {
    ImageLock.Entry base = sameTop.orElse(new ImageLock.Entry(top, java.util.Map.of()));
    lock = lock.with(name, base.withPlatform(platform, image));
  }

  private Image pull(ImageName pinned, Platform platform, ImageName storeName) throws OciException {
    return pull(pinned, Optional.of(platform), storeName);
  }

  /** Pulls into the store (named {@code storeName} when it has a tag), then reads it from there. */
  private Image pull(ImageName pinned, Optional<Platform> platform, ImageName storeName) throws OciException {
    return pull(registry.read(pinned), platform, storeName);
  }

  /** Pulls what was read into the store (named {@code storeName} when it has a tag), then reads it from there. */
  private Image pull(Artifact read, Optional<Platform> platform, ImageName storeName) throws OciException {
    List<ImageName> names = storeName.tag().isPresent() && storeName.digest().isEmpty() ? List.of(storeName) : List.of();
    Artifact pulled = registry.pull(read, store, platform, names);
    Optional<Image> image = storedImage(pulled.descriptor().digest());
    if (image.isPresent()) {
      return image.get();
    }
    throw OciException.badInput("base image " + storeName.withDigest(read.descriptor().digest()), "is an index, not an image; pin a platform's image");
  }

  private Optional<Artifact> storedArtifact(Digest digest) throws OciException {
    StoreReference ref = StoreReference.byDigest(digest);
    if (store.resolve(ref).isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(store.read(ref));
  }

  private Optional<Image> storedImage(Digest digest) throws OciException {
    Optional<Artifact> a = storedArtifact(digest);
    return a.filter(Image.class::isInstance).map(Image.class::cast);
  }

  /** The lock as it stands (with every pin made so far). */
  public synchronized ImageLock lock() {
    return lock;
  }

  /** Whether pins were added or changed. */
  public synchronized boolean changed() {
    return !lock.equals(original);
  }

  /** Writes the lock file when pins changed (never with {@code locked}, which fails instead). */
  public synchronized void save() throws OciException {
    if (changed() && !locked) {
      lock.write(lockFile);
    }
  }
}
