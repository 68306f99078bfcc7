package io.jscan.core.transport.store;

import io.jscan.core.oci.Descriptor;
import io.jscan.core.transport.ImageName;
import java.util.Optional;

/**
 * One entry of the store's index.json: a manifest or index, and the name it is kept under
 * (none for an image loaded without a tag, which the store keeps by digest until removed).
 */
public record StoreEntry(Optional<ImageName> name, Descriptor descriptor) {}
