package io.jscan.verifier.policy;

import java.util.Collection;
import java.util.List;

/**
 * A policy's {@code match} section: which admission requests the policy applies to in {@code jscan
 * serve}. A policy with a match section applies where both lists match; a policy without one is a
 * default, applied to images no match section selected. {@code jscan verify} applies every policy
 * it is given and ignores this section (a CI job has no namespace).
 *
 * @param namespaces glob patterns ({@code *}, {@code ?}) on the request's namespace; empty means
 *     every namespace
 * @param images glob patterns on the image: as written in the pod spec, its normalised name
 *     ({@code docker.io/library/nginx:1.25}), its repository ({@code docker.io/library/nginx}) or
 *     its short form ({@code nginx:1.25}); empty means every image
 */
public record PolicyMatch(List<String> namespaces, List<String> images) {
  public PolicyMatch {
    namespaces = List.copyOf(namespaces);
    images = List.copyOf(images);
    if (namespaces.isEmpty() && images.isEmpty()) {
      // a match section that matches everything is a default policy written confusingly
      throw new IllegalArgumentException("match needs namespaces or images");
    }
  }

  /** Whether a request in {@code namespace} for an image known by {@code imageNames} is matched. */
  public boolean matches(String namespace, Collection<String> imageNames) {
    if (!namespaces.isEmpty() && namespaces.stream().noneMatch(p -> BuiltinRules.glob(p, namespace))) {
      return false;
    }
    return images.isEmpty() || imageNames.stream().anyMatch(n -> images.stream().anyMatch(p -> BuiltinRules.glob(p, n)));
  }
}
