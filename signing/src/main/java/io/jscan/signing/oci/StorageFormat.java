package io.jscan.signing.oci;

/** How a signature or attestation is stored next to the image. */
public enum StorageFormat {
  /**
   * cosign's tag convention (SIGNATURE_SPEC.md): a layer appended to the manifest tagged {@code
   * sha256-<hex>.sig} (simple-signing payload, signature in the layer's annotation) or {@code
   * .att} (a DSSE envelope). Every cosign version reads it.
   */
  COSIGN_TAG,
  /**
   * A Sigstore bundle v0.3 as an OCI 1.1 referrer of the image (artifactType {@code
   * application/vnd.dev.sigstore.bundle.v0.3+json}), as cosign 3 writes it; registries without the
   * referrers API get the referrers tag schema's {@code sha256-<hex>} index.
   */
  BUNDLE_REFERRER
}
