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

  /** Writes {@code image}; returns the names it was written under (full form). */
  public static List<String> apply(Image image, BuildSession session) throws JscanException {
    List<ImageName> tags = session.request().tags();
    Optional<ImageReference> output = session.request().output();
    if (output.isEmpty() || output.get() instanceof StoreReference) {
      List<ImageName> names = new ArrayList<>(tags);
      if (output.isPresent()) {
        ((StoreReference) output.get()).name().ifPresent(names::add);
      }
      return toStore(image, session.store(), names);
    }
    if (output.get() instanceof OciLayoutReference oci) {
      if (oci.digest().isPresent()) {
        throw OciException.badInput("--output " + oci, "cannot write to a digest; name the image (oci:DIR:REF)");
      }
      OciLayout layout = OciLayout.create(oci.directory());
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
      return names;
    }
    DockerArchiveReference archive = (DockerArchiveReference) output.get();
    List<ImageName> names = archive.name().map(List::of).orElse(tags);
    DockerArchiveWriter.write(archive.file(), List.of(new DockerArchiveWriter.Item(image, names)), session.request().platform());
    return names.stream().map(ImageName::toString).toList();
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
