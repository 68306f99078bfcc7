package io.jscan.builder.steps;

import io.jscan.builder.BuildException;
import io.jscan.builder.context.ContentHashCache;
import io.jscan.builder.context.ContextSnapshot;
import io.jscan.core.JscanException;
import io.jscan.core.transport.registry.ImageLock;
import io.jscan.dockerfile.ignore.DockerIgnore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Walks the build context once, with {@code .dockerignore} applied (the file beside the
 * Dockerfile, {@code Dockerfile.dockerignore}, wins over the context's), and hashes its files,
 * reusing the digests of files whose status did not change since the last build of this context.
 *
 * <p>The {@code jscan.lock} beside the Dockerfile is always left out: jscan writes it during the
 * first build, so if {@code COPY .} could see it the first and the second build of the same inputs
 * would differ. It is a build input already (the base digests it pins), never image content.
 */
public final class SnapshotContextStep {
  private SnapshotContextStep() {}

  public static ContextSnapshot apply(BuildSession session) throws JscanException {
    Path context = session.request().context();
    if (!Files.isDirectory(context)) {
      throw BuildException.badInput("build context " + context, Files.exists(context) ? "not a directory" : "no such directory");
    }
    try {
      DockerIgnore ignore = withoutLockFile(DockerIgnore.load(context, session.request().dockerfile()), context,
          session.request().dockerfile());
      ContentHashCache hashes = session.cacheEnabled()
          ? ContentHashCache.load(session.builderDir().resolve("context-hashes"), context, session.store().tempDir())
          : ContentHashCache.disabled();
      long start = System.nanoTime();
      ContextSnapshot snapshot = ContextSnapshot.take(context, ignore, hashes);
      session.context(snapshot);
      session.log("context: " + snapshot.fileCount() + " files, " + snapshot.hashedFiles() + " read, the others unchanged ("
          + (System.nanoTime() - start) / 1_000_000 + " ms)");
      return snapshot;
    } catch (IOException e) {
      throw BuildException.io("reading the build context " + context, e);
    }
  }

  /** Adds the lock file's path as the last pattern, so no {@code !} pattern can bring it back. */
  static DockerIgnore withoutLockFile(DockerIgnore ignore, Path context, Path dockerfile) throws JscanException {
    Path contextDir = context.toAbsolutePath().normalize();
    Path lock = dockerfile.toAbsolutePath().normalize().resolveSibling(ImageLock.FILE_NAME);
    if (!lock.startsWith(contextDir)) {
      return ignore;
    }
    String relative = contextDir.relativize(lock).toString().replace('\\', '/');
    // escape the pattern metacharacters of .dockerignore (Go's filepath.Match syntax)
    String literal = relative.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
    List<String> patterns = new ArrayList<>(ignore.patterns());
    patterns.add(literal);
    return DockerIgnore.of(patterns);
  }
}
