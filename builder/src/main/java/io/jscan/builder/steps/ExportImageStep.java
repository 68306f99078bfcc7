package io.jscan.builder.steps;

import io.jscan.core.JscanException;
import io.jscan.core.image.Image;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.OciException;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.ImageReference;
import io.jscan.core.transport.ImageReference.DockerArchiveReference;
import io.jscan.core.transport.ImageReference.OciLayoutReference;
import io.jscan.core.transport.ImageReference.StoreReference;
import io.jscan.builder.BuildRequest;
import io.jscan.core.transport.dockerarchive.DockerArchive;
import io.jscan.core.transport.dockerarchive.DockerArchiveWriter;
import io.jscan.core.transport.ocilayout.OciLayout;
import io.jscan.core.transport.store.LocalStore;
import io.jscan.core.transport.store.StoreEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Hands the finished image to its sink: the local store under the {@code -t} names (the default),
 * an OCI layout ({@code oci:DIR[:REF]}) or a docker-archive ({@code docker-archive:FILE[:NAME:TAG]}).
 *
 * <p>Runs only after every stage succeeded, so a failed build changes no name. Every sink writes
 * blobs first and its index last, atomically (the archive is a temp file renamed into place). An
 * image the store already has under every requested name is not written again: an unchanged
 * rebuild leaves the store as it was.
 */
public final class ExportImageStep {
  private ExportImageStep() {}

  /** What was written: the image as the sink holds it (read back lazily), and the names it holds it under (full form). */
  public record Exported(Image image, List<String> names) {}

  /** Writes {@code image} where the session's request says. */
  public static Exported apply(Image image, BuildSession session) throws JscanException {
    return export(image, session.request(), session.store());
  }

  /**
   * Writes {@code image} to the request's output (or {@code store} under its tags) and reads it back
   * from there, so the returned image no longer depends on the build's temp files.
   */
  public static Exported export(Image image, BuildRequest request, LocalStore store) throws JscanException {
    List<ImageName> tags = request.tags();
    Optional<ImageReference> output = request.output();
    if (output.isEmpty() || output.get() instanceof StoreReference) {
      List<ImageName> names = new ArrayList<>(tags);
      if (output.isPresent()) {
        ((StoreReference) output.get()).name().ifPresent(names::add);
      }
      List<String> written = toStore(image, store, names);
      return new Exported(store.layout().image(image.digest()), written);
    }
    if (output.get() instanceof OciLayoutReference oci) {
      if (oci.digest().isPresent()) {
        throw OciException.badInput("--output " + oci, "cannot write to a digest; name the image (oci:DIR:REF)");
      }
      // the store's records prove the layers this build made or pulled: nothing is decompressed again
      OciLayout layout = OciLayout.create(oci.directory()).withDiffIdRecords(store.diffIdRecords());
      List<String> names = new ArrayList<>();
      if (oci.refName().isPresent()) {
        names.add(oci.refName().get());
      } else {
        tags.forEach(t -> names.add(t.toString()));
      }
      if (names.isEmpty()) {
        layout.write(image, Optional.empty());
      }
      for (String n : names) {
        layout.write(image, Optional.of(n));
      }
      return new Exported(layout.image(image.digest()), names);
    }
    DockerArchiveReference archive = (DockerArchiveReference) output.get();
    List<ImageName> names = archive.name().map(List::of).orElse(tags);
    DockerArchiveWriter.write(archive.file(), List.of(new DockerArchiveWriter.Item(image, names)), request.platform(), store.diffIdRecords());
    Image written = (Image) DockerArchive.read(archive.file(), names.isEmpty() ? Optional.empty() : Optional.of(names.get(0)));
    return new Exported(written, names.stream().map(ImageName::toString).toList());
  }

  private static List<String> toStore(Image image, LocalStore store, List<ImageName> names) throws OciException {
    Descriptor top = image.descriptor();
    List<StoreEntry> entries = store.list();
    boolean upToDate;
    if (names.isEmpty()) {
      upToDate = entries.stream().anyMatch(e -> e.descriptor().digest().equals(top.digest()));
    } else {
      upToDate = names.stream().allMatch(n -> entries.stream()
          .anyMatch(e -> e.name().isPresent() && e.name().get().equals(n) && e.descriptor().digest().equals(top.digest())));
    }
    if (!upToDate) {
      store.write(image, names);
    }
    return names.stream().map(ImageName::toString).toList();
  }
}
