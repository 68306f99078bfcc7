package io.jscan.verifier;

import io.jscan.core.transport.ImageName;
import io.jscan.verifier.files.FileFact;
import io.jscan.verifier.integrity.WalkResult;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the expensive part of verification learned about one image: the integrity walk and the file
 * facts. It depends only on the image's bytes and the scan limits, so a server can cache it by
 * manifest digest and evaluate policies again without reading the layers.
 *
 * @param reference the reference as the user wrote it
 * @param name the image's name, when the reference has one (store names, archive tags)
 * @param walk the integrity walk's result
 * @param base the base image from the image's labels, when they name one
 * @param facts file facts with their visibility in the merged filesystem
 */
public record ImageFacts(String reference, Optional<ImageName> name, WalkResult walk, Optional<BaseImage> base, List<FileFact> facts) {
  public ImageFacts {
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(walk, "walk");
    Objects.requireNonNull(base, "base");
    facts = List.copyOf(facts);
  }
}
