package io.jscan.builder.steps;

import io.jscan.builder.BuildException;
import io.jscan.builder.context.ContentHashCache;
import io.jscan.builder.context.ContextSnapshot;
import io.jscan.core.JscanException;
import io.jscan.dockerfile.ignore.DockerIgnore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Walks the build context once, with {@code .dockerignore} applied (the file beside the
 * Dockerfile, {@code Dockerfile.dockerignore}, wins over the context's), and hashes its files,
 * reusing the digests of files whose status did not change since the last build of this context.
 */
public final class SnapshotContextStep {
  private SnapshotContextStep() {}

  public static ContextSnapshot apply(BuildSession session) throws JscanException {
    Path context = session.request().context();
    if (!Files.isDirectory(context)) {
      throw BuildException.badInput("build context " + context, Files.exists(context) ? "not a directory" : "no such directory");
    }
    try {
      DockerIgnore ignore = DockerIgnore.load(context, session.request().dockerfile());
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
}
