package io.jscan.server;

import io.jscan.core.io.InputLimit;
import io.jscan.core.oci.Digest;
import io.jscan.signing.SigningException;
import io.jscan.signing.key.KeyFiles;
import io.jscan.signing.key.Keys;
import io.jscan.signing.oci.TrustPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The public keys {@code jscan serve --key} names, as last read: whom the signature and attestation
 * rules that name no keys of their own trust.
 *
 * <p>They are trust material like a policy's own {@code keys}, and change the same way: a key in a
 * Secret volume is replaced in place when the Secret is rotated. So {@link PolicyStore} watches
 * them with the policies and loads them into each generation, and a verdict that judged evidence
 * names the digests of the files it trusted ({@link LoadedPolicies.SelectionKey}): a replaced key
 * is a different input, never a cache hit.
 *
 * @param files each key file as given, in order, with the sha256 of exactly the bytes parsed (what
 *     the reload compares with the disk, and what cached verdicts are keyed by)
 * @param trust the keys, each named by its file (the name reports give a signer)
 */
public record ServerKeys(Map<Path, Digest> files, TrustPolicy trust) {
  public ServerKeys {
    files = Collections.unmodifiableMap(new LinkedHashMap<>(files));
    Objects.requireNonNull(trust, "trust");
    if (files.size() != trust.keys().size()) {
      throw new IllegalArgumentException("one trusted key per key file");
    }
  }

  /** No {@code --key}: rules without keys of their own trust nobody (fail closed). */
  public static ServerKeys none() {
    return new ServerKeys(Map.of(), TrustPolicy.none());
  }

  /**
   * Reads the key files.
   *
   * @throws SigningException a file that is missing or not a PEM public key (bad input, naming it)
   */
  public static ServerKeys load(List<Path> paths) throws SigningException {
    Map<Path, Digest> files = new LinkedHashMap<>();
    List<TrustPolicy.TrustedKey> keys = new ArrayList<>();
    for (Path path : paths) {
      if (files.containsKey(path)) {
        continue; // named twice: one key, trusted once
      }
      byte[] pem = KeyFiles.read(path, InputLimit.KEY, "the public key");
      keys.add(new TrustPolicy.TrustedKey(path.toString(), Keys.parsePublicKey(pem, path.toString())));
      files.put(path, Digest.sha256(pem));
    }
    return new ServerKeys(files, TrustPolicy.ofKeys(keys));
  }
}
