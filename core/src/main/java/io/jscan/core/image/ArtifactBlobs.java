package io.jscan.core.image;

import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.Manifest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.OciException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Every blob an artifact references, in the order a sink should write them: children before the
 * documents that point at them (layers and config, then the manifest; images, then their index).
 * A sink that writes in this order never holds a manifest whose blobs are missing, whenever it is
 * interrupted. Each blob appears once.
 */
public final class ArtifactBlobs {
  private ArtifactBlobs() {}

  /** Opens one blob's content, verified against its descriptor as it is read. */
  @FunctionalInterface
  public interface Opener {
    InputStream open() throws OciException;
  }

  /** One blob to copy. */
  public record Blob(Descriptor descriptor, Opener opener) {
    public InputStream open() throws OciException {
      return opener.open();
    }
  }

  public static List<Blob> of(Artifact artifact) throws OciException {
    List<Blob> result = new ArrayList<>();
    collect(artifact, result, new HashSet<>());
    return result;
  }

  private static void collect(Artifact artifact, List<Blob> out, Set<Digest> seen) throws OciException {
    Descriptor top = artifact.descriptor();
    if (seen.contains(top.digest())) {
      return;
    }
    if (artifact instanceof Image image) {
      Manifest m = image.manifest();
      for (Descriptor layer : m.layers()) {
        if (seen.add(layer.digest())) {
          out.add(new Blob(layer, () -> image.openBlob(layer)));
        }
      }
      Descriptor config = m.config();
      if (seen.add(config.digest())) {
        out.add(new Blob(config, () -> image.openBlob(config)));
      }
    } else {
      ImageIndex index = (ImageIndex) artifact;
      for (Descriptor child : index.index().manifests()) {
        if (!MediaTypes.isManifestOrIndex(child.mediaType())) {
          throw OciException.badInput(
              "index " + top.digest(), "cannot copy child " + child.digest() + " of unknown media type " + child.mediaType());
        }
        collect(index.child(child), out, seen);
      }
    }
    if (seen.add(top.digest())) {
      byte[] bytes = artifact.manifestBytes();
      out.add(new Blob(top, () -> new ByteArrayInputStream(bytes)));
    }
  }
}
