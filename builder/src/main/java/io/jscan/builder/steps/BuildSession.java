package io.jscan.builder.steps;

import io.jscan.builder.BaseImageSource;
import io.jscan.builder.BuildRequest;
import io.jscan.builder.BuildResult.Download;
import io.jscan.builder.BuildResult.ResolvedImage;
import io.jscan.builder.context.ContextSnapshot;
import io.jscan.builder.layer.LayerListings;
import io.jscan.builder.run.RunSupport;
import io.jscan.core.image.Image;
import io.jscan.core.image.Layer;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.OciException;
import io.jscan.core.transport.store.LayerCache;
import io.jscan.core.transport.store.LocalStore;
import io.jscan.dockerfile.Dockerfile;
import io.jscan.dockerfile.build.BuildPlan;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What the steps of one build share: the request, the store (layer cache, base images), the
 * context snapshot, the images of finished stages, and a work directory for unfinished layers.
 *
 * <p>The work directory lies in the store's per-process temp directory, on the store's file
 * system: if the build is killed, the next process that opens the store removes it.
 */
public final class BuildSession {
  /** The builder's own files inside the store's private directory (context hashes, layer listings). */
  static final String BUILDER_DIR = ".jscan/builder";

  private final BuildRequest request;
  private final LocalStore store;
  private final BaseImageSource images;
  private final Dockerfile dockerfile;
  private final BuildPlan plan;
  private final Path workDir;
  private final LayerListings listings;
  private final Consumer<String> log;
  private final Map<Integer, Image> stageImages = new HashMap<>();
  private final Map<Integer, Optional<ResolvedImage>> stageRoots = new HashMap<>();
  private final List<ResolvedImage> resolved = new ArrayList<>();
  private final java.util.LinkedHashSet<Download> downloads = new java.util.LinkedHashSet<>();
  private ContextSnapshot context;
  private int built;
  private int reused;
  private int stepCounter;
  private RunSupport runSupport;

  public BuildSession(
      BuildRequest request, LocalStore store, BaseImageSource images, Dockerfile dockerfile, BuildPlan plan, Consumer<String> log) {
    this.request = request;
    this.store = store;
    this.images = images;
    this.dockerfile = dockerfile;
    this.plan = plan;
    this.workDir = store.tempDir().resolve("build-" + java.util.UUID.randomUUID());
    this.listings = new LayerListings(Optional.of(builderDir().resolve("listings")), store.tempDir());
    this.log = log;
  }

  public BuildRequest request() {
    return request;
  }

  public LocalStore store() {
    return store;
  }

  public BaseImageSource images() {
    return images;
  }

  public Dockerfile dockerfile() {
    return dockerfile;
  }

  public BuildPlan plan() {
    return plan;
  }

  /** Where layers are written before they go into the store or the output. */
  public Path workDir() {
    return workDir;
  }

  /** The builder's directory in the store's private area. */
  public Path builderDir() {
    return store.home().resolve(BUILDER_DIR);
  }

  public LayerListings listings() {
    return listings;
  }

  public void log(String line) {
    log.accept(line);
  }

  /** A number for the next step's progress line ({@code #N}, as BuildKit's plain progress numbers its vertices). */
  public int nextStepNumber() {
    return ++stepCounter;
  }

  /** The number of the step being applied. */
  public int currentStepNumber() {
    return stepCounter;
  }

  /** What RUN steps share (the runtime, this process's run directory, extracted layers); made on first use. */
  public RunSupport runSupport() {
    if (runSupport == null) {
      runSupport = new RunSupport(store.home(), request.run().runtime(), request.run().rootMode(), log);
    }
    return runSupport;
  }

  /** Removes what RUN steps left (the process's run directory); the build is over. */
  public void closeRunSupport() {
    if (runSupport != null) {
      try {
        runSupport.close();
      } catch (java.io.IOException e) {
        log.accept("could not remove the RUN directory: " + e.getMessage());
      }
      runSupport = null;
    }
  }

  public ContextSnapshot context() {
    return context;
  }

  void context(ContextSnapshot snapshot) {
    this.context = snapshot;
  }

  /** The build's reference time in seconds. */
  public long epochSeconds() {
    return request.sourceDateEpoch().seconds();
  }

  public boolean cacheEnabled() {
    return !request.noCache();
  }

  /** The cached layer for {@code key}, unless the cache is off. */
  Optional<Layer> cachedLayer(Digest key) throws OciException {
    if (!cacheEnabled()) {
      return Optional.empty();
    }
    return store.layerCache().lookup(key).map(LayerCache.CachedLayer::layer);
  }

  /**
   * Puts a freshly written layer into the cache: its blob file (in the work directory, on the
   * store's file system) is moved into the store, not copied. Returns the layer to use.
   */
  Layer cacheLayer(Digest key, Layer written) throws OciException {
    if (!cacheEnabled()) {
      return written;
    }
    return store.layerCache().adopt(key, written, workDir.resolve(written.descriptor().digest().encoded())).layer();
  }

  void countBuilt() {
    built++;
  }

  void countReused() {
    reused++;
  }

  public int layersBuilt() {
    return built;
  }

  public int layersReused() {
    return reused;
  }

  /** Records the image a finished stage produced, and the image its chain of bases starts from. */
  public void finishStage(int index, Image image, Optional<ResolvedImage> root) {
    stageImages.put(index, image);
    stageRoots.put(index, root);
  }

  /** The image of a finished stage. */
  public Image stageImage(int index) {
    Image image = stageImages.get(index);
    if (image == null) {
      throw new IllegalStateException("stage " + index + " was not built before it was used");
    }
    return image;
  }

  /** The image the chain of bases of a finished stage starts from (empty for scratch). */
  Optional<ResolvedImage> stageRoot(int index) {
    return stageRoots.getOrDefault(index, Optional.empty());
  }

  void resolvedImage(ResolvedImage image) {
    resolved.add(image);
  }

  /** Every image the build read, in the order it read them. */
  public List<ResolvedImage> resolvedImages() {
    return List.copyOf(resolved);
  }

  /** Records a URL an ADD depends on (whether its layer is built or comes from the cache). */
  void download(Download download) {
    downloads.add(download);
  }

  /** Every URL the build's ADD instructions depend on, in the order they were met, each once. */
  public List<Download> downloads() {
    return List.copyOf(downloads);
  }
}
