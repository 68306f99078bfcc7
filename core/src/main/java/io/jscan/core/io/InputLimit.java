package io.jscan.core.io;

import java.util.Locale;

/**
 * How much jscan reads of each kind of input it holds in memory whole: the one home of these
 * limits, listed in the README's "Input limits" table (a test keeps the two the same).
 *
 * <p>Why limits at all: a whole-file read of a file the user (or a Dockerfile, a policy, an image)
 * names is otherwise as large as the file, so a symlink to {@code /dev/zero} or a sparse 3 GB file
 * ends in {@code OutOfMemoryError}. Each limit is far above any real file of its kind; where
 * another tool defines one (BuildKit's secrets, distribution's manifests), it is that tool's.
 * Files are read through {@link BoundedFiles}, which also refuses anything but a regular file.
 */
public enum InputLimit {
  /** {@code build -f}, {@code CONTEXT/Dockerfile}, {@code dockerfile parse|lint}, {@code verify --dockerfile}, standard input. */
  DOCKERFILE("Dockerfile", "the Dockerfile", 4L << 20),
  /** {@code .dockerignore} or {@code <Dockerfile>.dockerignore}. */
  DOCKERIGNORE(".dockerignore", "the .dockerignore file", 1L << 20),
  /** {@code jscan.lock} beside the Dockerfile. */
  IMAGE_LOCK("jscan.lock", "the image lock file", 4L << 20),
  /** One policy file ({@code --policy FILE} or a file of a policy directory). */
  POLICY("policy file", "the policy file", 1L << 20),
  /** All the policy files of one {@code --policy DIR} together. */
  POLICY_DIRECTORY("policy directory", "the policy directory", 16L << 20),
  /** PEM public or private keys and certificates: {@code --key}, keys a policy names, {@code serve --key}. */
  KEY("key or certificate", "the key", 1L << 20),
  /** {@code verify-blob --signature}. */
  SIGNATURE("signature", "the signature", 1L << 20),
  /** {@code --identity-token}. */
  IDENTITY_TOKEN("identity token", "the identity token", 1L << 20),
  /** {@code --trusted-root}, {@code --signing-trusted-root}, {@code --tuf-root}, a policy's trusted root. */
  TRUSTED_ROOT("trusted root or TUF root", "the trusted root", 16L << 20),
  /** {@code verify-bundle --bundle}. A bundle can carry a whole attestation (an SBOM). */
  BUNDLE("Sigstore bundle", "the bundle", 64L << 20),
  /** {@code attest --predicate}. */
  PREDICATE("attestation predicate", "the predicate", 64L << 20),
  /** {@code sign-blob FILE}, {@code verify-blob FILE}: the signature schemes there take the whole message. */
  SIGNED_BLOB("blob signed or verified whole", "the file", 128L << 20),
  /** {@code build --secret id=…,src=FILE}: BuildKit's limit (session/secrets, MaxSecretSize = 500 KiB). */
  SECRET("build secret", "the secret", 500L << 10),
  /** {@code $DOCKER_CONFIG/config.json}, {@code ~/.docker/config.json}, {@code REGISTRY_AUTH_FILE}. */
  REGISTRY_CONFIG("registry credentials file", "the registry credentials file", 4L << 20),
  /** What a {@code docker-credential-*} helper prints. */
  CREDENTIAL_HELPER_OUTPUT("credential helper output", "the credential helper's output", 1L << 20),
  /** {@code login --password-stdin}. */
  PASSWORD("password on standard input", "the password", 64L << 10),
  /** {@code serve --tls-cert} and {@code --tls-key}. */
  TLS_FILE("TLS certificate or key", "the TLS file", 1L << 20),
  /**
   * An image manifest or index, from any source (and an OCI layout's {@code index.json}, a docker
   * archive's {@code manifest.json}): distribution's registries cap manifests at 4 MiB.
   */
  MANIFEST("manifest, index, index.json, manifest.json", "the manifest", 8L << 20),
  /** A manifest or index fetched from a registry: distribution's own limit. */
  REGISTRY_MANIFEST("manifest or index from a registry", "the manifest", 4L << 20),
  /** An image config: history and env can be long, never this long. */
  IMAGE_CONFIG("image config", "the image config", 64L << 20),
  /** One layer of a cosign signature manifest (the simple-signing payload). */
  SIGNATURE_LAYER("signature payload", "the signature payload", 64L << 20),
  /** One in-toto statement attached to an image (OCI referrers), read whole to be parsed. */
  ATTACHED_STATEMENT("attached statement", "the statement", 32L << 20),
  /** An OCI layout's {@code oci-layout} file ({@code {"imageLayoutVersion": "1.0.0"}}). */
  OCI_LAYOUT_HEADER("oci-layout", "the oci-layout file", 64L << 10),
  /** One entry of the local store's layer cache. */
  LAYER_CACHE_ENTRY("layer cache entry", "the layer cache entry", 1L << 20),
  /** The build context's hash cache (local store); over the limit it is ignored, as a damaged one is. */
  CONTEXT_HASH_CACHE("context hash cache", "the context hash cache", 256L << 20);

  private final String label;
  private final String what;
  private final long bytes;

  InputLimit(String label, String what, long bytes) {
    this.label = label;
    this.what = what;
    this.bytes = bytes;
  }

  /** The input's name in the README table (the start of its first cell, before any parenthesis). */
  public String label() {
    return label;
  }

  /** What is read, for "reading …" in messages ({@code the Dockerfile}). */
  public String what() {
    return what;
  }

  /** The most bytes jscan reads of this input. */
  public long bytes() {
    return bytes;
  }

  /** The limit as the README writes it: {@code 4 MiB}, {@code 500 KiB}. */
  public String human() {
    return human(bytes);
  }

  /** {@code n} bytes in the largest binary unit that divides it: {@code 4 MiB}, {@code 500 KiB}, {@code 17 bytes}. */
  public static String human(long n) {
    String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    long v = n;
    while (u < units.length - 1 && v >= 1024 && v % 1024 == 0) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%d %s", v, units[u]);
  }
}
