package io.jscan.server;

import io.jscan.core.io.BoundedFiles;
import io.jscan.core.io.InputFileException;
import io.jscan.core.io.InputLimit;
import io.jscan.core.oci.Digest;
import io.jscan.signing.SigningException;
import io.jscan.verifier.VerifierException;
import io.jscan.verifier.files.ScanLimits;
import io.jscan.verifier.policy.Policy;
import io.jscan.verifier.policy.PolicyLoader;
import io.jscan.verifier.policy.PolicySet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The policies {@code --policy} names, loaded at start and again whenever their files change.
 *
 * <p>Changes are found by content, not by file events: a Kubernetes ConfigMap volume updates by
 * writing a new timestamped directory and swapping the {@code ..data} symlink, so the files the
 * server was given are symlinks whose targets change while their own mtimes do not, and inotify
 * on them sees nothing. Hashing what the paths resolve to every few seconds sees every kind of
 * update (ConfigMap swaps, editors that rename, {@code cp} over the file) for the cost of reading
 * a few kilobytes. The files the policies read (their rules' {@code keys} and {@code trustedRoot})
 * are watched too: a rotated {@code cosign.pub} in the ConfigMap must stop the old key being
 * trusted although no policy file changed. So are the server's own {@code --key} files ({@link
 * ServerKeys}), for the same reason when they come from a Secret volume; they are loaded into the
 * same generation as the policies, so a request never judges with one's old and the other's new
 * version.
 *
 * <p>A new version that does not load (bad YAML, an unknown rule) leaves the old policies in
 * force and is logged once; the server stays ready, because refusing every pod over a typo in a
 * ConfigMap would be worse than keeping yesterday's rules.
 */
public final class PolicyStore {
  private final List<String> specs;
  private final List<Path> keyFiles;
  private final ScanLimits baseLimits;
  private final AtomicReference<LoadedPolicies> current = new AtomicReference<>();
  private volatile Digest loadedFingerprint;
  private volatile Optional<Digest> failedFingerprint = Optional.empty();

  private PolicyStore(List<String> specs, List<Path> keyFiles, ScanLimits baseLimits) {
    this.specs = List.copyOf(specs);
    this.keyFiles = List.copyOf(keyFiles);
    this.baseLimits = baseLimits;
  }

  /**
   * Loads the policies and the {@code --key} files; one that does not load keeps the server from
   * starting (bad input).
   */
  public static PolicyStore load(List<String> specs, List<Path> keyFiles, ScanLimits baseLimits) throws VerifierException, SigningException {
    PolicyStore store = new PolicyStore(specs, keyFiles, baseLimits);
    byte[] files = store.policyFiles();
    ServerKeys keys = ServerKeys.load(keyFiles);
    PolicySet set = PolicyLoader.load(specs);
    LoadedPolicies loaded = LoadedPolicies.of(1, set, keys, baseLimits, Instant.now());
    store.current.set(loaded);
    store.loadedFingerprint = fingerprint(files, asParsed(loaded));
    return store;
  }

  public LoadedPolicies current() {
    return current.get();
  }

  /** What happened at a check for changes. */
  public enum Reload { UNCHANGED, RELOADED, FAILED, STILL_FAILING }

  /**
   * Loads the policies again when their files changed since the last load.
   *
   * @param onFailure told why a changed version did not load (once per distinct content)
   */
  public Reload reloadIfChanged(java.util.function.Consumer<String> onFailure) {
    // the policy files are read before loading and the referenced files' digests are those the
    // loader parsed, so a change made while loading is seen at the next check, never lost
    byte[] files = policyFiles();
    Digest now = fingerprint(files, onDisk(current.get()));
    if (now.equals(loadedFingerprint)) {
      failedFingerprint = Optional.empty();
      return Reload.UNCHANGED;
    }
    if (failedFingerprint.isPresent() && failedFingerprint.get().equals(now)) {
      return Reload.STILL_FAILING;
    }
    try {
      ServerKeys keys = ServerKeys.load(keyFiles);
      PolicySet set = PolicyLoader.load(specs);
      LoadedPolicies old = current.get();
      LoadedPolicies loaded = LoadedPolicies.of(old.generation() + 1, set, keys, baseLimits, Instant.now());
      current.set(loaded);
      loadedFingerprint = fingerprint(files, asParsed(loaded));
      failedFingerprint = Optional.empty();
      return Reload.RELOADED;
    } catch (VerifierException | SigningException | RuntimeException e) {
      failedFingerprint = Optional.of(now);
      onFailure.accept(e.getMessage());
      return Reload.FAILED;
    }
  }

  /** The files the specs name, whether they are loadable or not (shipped policies never change). */
  public List<String> specs() {
    return specs;
  }

  /** sha256 over the policy files, the files the loaded policies read and the --key files, as they are now. */
  Digest fingerprint() {
    return fingerprint(policyFiles(), onDisk(current.get()));
  }

  private static Digest fingerprint(byte[] policyFiles, Map<Path, String> references) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.writeBytes(policyFiles);
    references.forEach((path, digest) -> append(all, "reference " + path + " " + digest + "\n"));
    return Digest.sha256(all.toByteArray());
  }

  /**
   * The files the loaded policies read (keys, trusted roots) and the {@code --key} files, with the
   * digests of the bytes that were parsed.
   */
  private static Map<Path, String> asParsed(LoadedPolicies loaded) {
    Map<Path, String> out = new TreeMap<>();
    for (Policy p : loaded.all().policies()) {
      p.references().forEach((path, digest) -> out.put(path, digest.toString()));
    }
    loaded.serverKeys().files().forEach((path, digest) -> out.put(path, digest.toString()));
    return out;
  }

  /** The same files as they are on disk now; one that cannot be read contributes its error. */
  private static Map<Path, String> onDisk(LoadedPolicies loaded) {
    Map<Path, String> out = new TreeMap<>();
    for (Path path : asParsed(loaded).keySet()) {
      try {
        // bounded by the largest limit of what a policy names (a trusted root); a file that became a FIFO is not opened
        out.put(path, Digest.sha256(BoundedFiles.read(path, InputLimit.TRUSTED_ROOT)).toString());
      } catch (InputFileException e) {
        out.put(path, "unreadable " + e.getMessage());
      }
    }
    return out;
  }

  /**
   * Every policy file's path and content, in the order the loader reads them; a missing or
   * unreadable path contributes its error, so its appearance is a change too.
   */
  private byte[] policyFiles() {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (String spec : specs) {
      Path path = Path.of(spec);
      append(all, "spec " + spec + "\n");
      if (Files.isDirectory(path)) {
        try {
          for (Path f : PolicyLoader.directoryFiles(path)) {
            appendFile(all, f);
          }
        } catch (IOException e) {
          append(all, "unlistable " + e.getMessage() + "\n");
        }
      } else if (Files.exists(path)) {
        appendFile(all, path);
      } else {
        append(all, "absent\n"); // a shipped policy name, or a file that went away
      }
    }
    return all.toByteArray();
  }

  private static void appendFile(ByteArrayOutputStream all, Path f) {
    append(all, "file " + f.getFileName() + "\n");
    try {
      all.writeBytes(BoundedFiles.read(f, InputLimit.POLICY));
    } catch (InputFileException e) {
      append(all, "unreadable " + e.getMessage());
    }
    append(all, "\n");
  }

  private static void append(ByteArrayOutputStream all, String s) {
    all.writeBytes(s.getBytes(StandardCharsets.UTF_8));
  }
}
