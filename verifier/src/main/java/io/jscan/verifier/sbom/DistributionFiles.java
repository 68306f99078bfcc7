package io.jscan.verifier.sbom;

import io.jscan.sbom.fs.FileMeta;
import io.jscan.sbom.fs.FileTree;
import io.jscan.sbom.fs.TreePaths;
import io.jscan.sbom.model.FileDigest;
import io.jscan.sbom.model.OwnedFile;
import io.jscan.sbom.model.Package;
import io.jscan.sbom.model.PackageType;
import io.jscan.sbom.model.Sbom;
import io.jscan.verifier.files.FileFact;
import io.jscan.verifier.files.PackagedFile;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which secrets sit in a file a distribution package installed, unchanged: a key compiled into a
 * library as test data (GnuTLS's), not one the image's builder added. Such a secret fact gets its
 * {@link FileFact#packaged()} set, and {@code no-secrets} does not report it unless asked to.
 *
 * <p>The package database is itself part of the image, and whoever built the image could have
 * written it, so a file counts as the distribution's only when every one of these holds:
 *
 * <ul>
 *   <li>it is the copy the final merged filesystem shows (a file deleted or replaced by a later
 *       layer is judged by its bytes in its own layer, which no final record describes);
 *   <li>its content was hashed while it streamed by (files of at most 4 MiB, in md5, sha1 and
 *       sha256; see {@code LayerScanner}) and equals the checksum recorded for its path;
 *   <li>the record comes from the database the package manager itself keeps in the final
 *       filesystem: dpkg's {@code var/lib/dpkg/status} (which lists the package as installed) with
 *       the package's {@code info/PKG.md5sums} or its {@code Conffiles} field, apk-tools'
 *       {@code lib/apk/db/installed} ({@code Z:} sha1 checksums), rpm's {@code rpmdb.sqlite} (file
 *       digests). Distroless-style {@code status.d/} records are written by image build tools, not
 *       by dpkg, and do not count;
 *   <li>the file was written by the layer that installed that version of the package (a later
 *       layer that writes a package's path is the builder's doing, even with the same bytes).
 * </ul>
 *
 * <p>A builder who rewrites the database in the same layer as the file can still hide a key this
 * way (policies/README.md says so); {@code includePackageFiles: true} reports these secrets anyway.
 * Paths are compared after symlinks are followed in the merged tree, so a record of
 * {@code /lib/x86_64-linux-gnu/...} matches the file at {@code /usr/lib/x86_64-linux-gnu/...} of a
 * merged-{@code /usr} system, as dpkg's own path handling would.
 */
public final class DistributionFiles {
  private static final String DPKG_STATUS = "/var/lib/dpkg/status";
  private static final String APK_INSTALLED = "/lib/apk/db/installed";

  private DistributionFiles() {}

  /** Whether any fact could be a distribution's file: a visible secret whose content was hashed. */
  public static boolean anyToJudge(List<FileFact> facts) {
    return facts.stream().anyMatch(DistributionFiles::candidate);
  }

  private static boolean candidate(FileFact f) {
    return f.kind() == FileFact.Kind.SECRET && f.visible() && !f.contentDigests().isEmpty();
  }

  /**
   * {@code facts} with each secret in a distribution package's unchanged file marked with that
   * package; other facts as they were.
   *
   * @param sbom the packages catalogued from {@code tree} (the image's final merged filesystem)
   */
  public static List<FileFact> mark(List<FileFact> facts, Sbom sbom, FileTree tree) {
    Set<String> wanted = new HashSet<>();
    Set<String> wantedNames = new HashSet<>();
    for (FileFact f : facts) {
      if (candidate(f)) {
        wanted.add(f.path());
        wantedNames.add(name(f.path()));
      }
    }
    if (wanted.isEmpty()) {
      return facts;
    }
    Map<String, List<Record>> records = records(sbom, tree, wanted, wantedNames);
    List<FileFact> out = new ArrayList<>(facts.size());
    for (FileFact f : facts) {
      out.add(candidate(f) ? f.withPackaged(match(f, records.getOrDefault(f.path(), List.of()))) : f);
    }
    return out;
  }

  /** A checksum a package manager recorded for a path, and the package it belongs to. */
  private record Record(Package owner, String manager, FileDigest digest) {}

  private static Optional<PackagedFile> match(FileFact f, List<Record> records) {
    for (Record r : records) {
      // layers: the fact's position counts from 1, the package's index from 0
      if (r.owner.layer() != f.layer() - 1 || !f.contentDigests().contains(r.digest)) {
        continue;
      }
      return Optional.of(new PackagedFile(
          r.manager, r.owner.name(), r.owner.version(), r.owner.primaryLocation().path(), r.digest.algorithm()));
    }
    return Optional.empty();
  }

  /**
   * The recorded checksums of the paths in {@code wanted}, from trusted databases only. A recorded
   * path that is not itself in the tree is resolved through the tree's symlinks (merged /usr), but
   * only when its last component could be one of the wanted files.
   */
  private static Map<String, List<Record>> records(Sbom sbom, FileTree tree, Set<String> wanted, Set<String> wantedNames) {
    Map<String, List<Record>> out = new HashMap<>();
    for (Package p : sbom.packages()) {
      Optional<String> manager = manager(p);
      if (manager.isEmpty()) {
        continue;
      }
      for (OwnedFile file : p.files()) {
        if (file.digest().isEmpty() || !wantedNames.contains(name(file.path()))) {
          continue;
        }
        String path = file.path();
        if (!wanted.contains(path)) {
          if (tree.stat(path).isPresent()) {
            continue; // recorded at a path of its own, which holds no secret
          }
          Optional<FileMeta> resolved = tree.resolve(path);
          if (resolved.isEmpty() || !wanted.contains(resolved.get().absolutePath())) {
            continue;
          }
          path = resolved.get().absolutePath();
        }
        out.computeIfAbsent(path, k -> new ArrayList<>()).add(new Record(p, manager.get(), file.digest().get()));
      }
    }
    return out;
  }

  /**
   * The package manager whose own database listed {@code p}, or empty when the record is not one a
   * package manager wrote (a language package, dpkg's {@code status.d/} as distroless writes it).
   */
  private static Optional<String> manager(Package p) {
    String database = p.primaryLocation().path();
    if (p.type() == PackageType.DEB && database.equals(DPKG_STATUS)) {
      return Optional.of("dpkg");
    }
    if (p.type() == PackageType.APK && database.equals(APK_INSTALLED)) {
      return Optional.of("apk");
    }
    if (p.type() == PackageType.RPM) {
      return Optional.of("rpm"); // the rpm cataloger reads only rpm's own rpmdb.sqlite
    }
    return Optional.empty();
  }

  private static String name(String path) {
    return path.substring(TreePaths.parent(path).length() + 1);
  }
}
