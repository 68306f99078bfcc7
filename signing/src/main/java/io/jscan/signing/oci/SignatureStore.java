package io.jscan.signing.oci;

import io.jscan.core.image.Image;
import io.jscan.core.image.Referrers;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.OciException;
import java.util.Optional;

/**
 * Where an image's signatures and attestations live: the image's registry repository, its OCI
 * layout, or the local store. Signing writes through it and verification reads through it, so
 * the same code serves every transport.
 *
 * <p>Two conventions are kept in every store (see {@link Conventions}):
 * <ul>
 *   <li>cosign's tags: a manifest tagged {@code sha256-<hex>.sig} (signatures) or {@code
 *       sha256-<hex>.att} (attestations) in the image's own repository or layout;
 *   <li>OCI 1.1 referrers: a manifest whose {@code subject} is the image, kept as core's
 *       {@link Referrers} keeps them for the transport (the registry's referrers API or, without
 *       one, the index tagged {@code sha256-<hex>}; unnamed typed entries of a layout's or the
 *       store's index.json).
 * </ul>
 *
 * <p>Implementations are safe for concurrent readers; writers of one store are serialised by the
 * caller (a {@code jscan sign} at a time per image), as with cosign.
 */
public interface SignatureStore {

  /** Where this is, for messages and reports ({@code docker://host/repo}, {@code oci:DIR}, {@code store host/repo}). */
  String location();

  /**
   * The repository the simple-signing payload names as {@code critical.identity.docker-reference}
   * (cosign writes the repository without tag or digest).
   */
  String dockerReference();

  /** The manifest under {@code tag}, or empty when there is none. */
  Optional<Image> readTagged(String tag) throws OciException;

  /**
   * The digest of the manifest under {@code tag}, or empty when there is none, without reading it
   * when the place can say so cheaply (a registry answers a {@code HEAD}): copying attachments asks
   * this of tags that are usually absent.
   */
  default Optional<Digest> taggedDigest(String tag) throws OciException {
    Optional<Image> manifest = readTagged(tag);
    return manifest.isEmpty() ? Optional.empty() : Optional.of(manifest.get().digest());
  }

  /** Writes {@code manifest} and its blobs and points {@code tag} at it (replacing what it named). */
  void writeTagged(String tag, Image manifest) throws OciException;

  /**
   * The OCI 1.1 referrers of this place (core's one abstraction for them, whatever the transport):
   * Sigstore bundle signatures and attestations are attached and found through it.
   */
  Referrers referrers();
}
