package io.jscan.sbom.cataloger;

import io.jscan.sbom.fs.FileMeta;
import io.jscan.sbom.fs.FileTree;
import io.jscan.sbom.fs.Selector;
import io.jscan.sbom.model.Location;
import io.jscan.sbom.model.Package;
import io.jscan.sbom.model.PackageMetadata;
import io.jscan.sbom.model.PackageType;
import io.jscan.sbom.model.Purl;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Go modules compiled into executables, from the build info the Go linker embeds
 * ({@link GoBuildInfo}): the main module, every dependency module (with replacements), and the
 * Go standard library as {@code stdlib}.
 */
public final class GoBinaryCataloger implements Cataloger {
  /** Go binaries larger than this are not read into memory (no real binary comes close). */
  private static final long MAX_BINARY = 1L << 30;

  static final Selector BINARIES = Selector.containing(
      "go-binaries", f -> f.isExecutable() && f.size() > 64 && f.size() < MAX_BINARY, GoBuildInfo.MAGIC, 16);

  @Override
  public String name() {
    return "go-module-binary-cataloger";
  }

  @Override
  public List<Selector> selectors() {
    return List.of(BINARIES);
  }

  @Override
  public void catalog(FileTree tree, CatalogContext context) throws IOException {
    for (FileMeta file : tree.select(BINARIES)) {
      byte[] binary;
      try (InputStream in = tree.open(file)) {
        binary = in.readAllBytes();
      }
      Optional<GoBuildInfo.Info> info;
      try {
        info = GoBuildInfo.read(binary);
      } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
        context.warn(file.absolutePath(), "damaged Go build info: " + e.getMessage() + "; no Go modules from this binary");
        continue;
      }
      if (info.isEmpty()) {
        continue;
      }
      add(info.get(), file, context);
    }
  }

  private static void add(GoBuildInfo.Info info, FileMeta file, CatalogContext context) {
    Location location = new Location(file.absolutePath(), file.layer());
    Optional<Package> main = info.main().map(m -> context.add(module(m, true, info, location, file.layer())));
    List<Package> deps = new ArrayList<>();
    for (GoBuildInfo.Module dep : info.deps()) {
      deps.add(context.add(module(dep, false, info, location, file.layer())));
    }
    String goVersion = info.goVersion();
    String stdlibVersion = goVersion.startsWith("go") ? goVersion.substring(2) : goVersion;
    // "go1.22.1 X:boringcrypto": experiments after a space are not part of the version
    stdlibVersion = stdlibVersion.split(" ")[0];
    Package stdlib = context.add(new Package(
        "stdlib", Optional.of(goVersion.split(" ")[0]), PackageType.GO_MODULE,
        Optional.of(Purl.of("golang", List.of(), "stdlib", Optional.of(stdlibVersion), Map.of())),
        List.of(), List.of(), List.of(location), file.layer(),
        PackageMetadata.GoModule.of(goVersion, false, Optional.empty(), Optional.empty(), Map.of())));
    if (main.isPresent()) {
      for (Package dep : deps) {
        context.dependsOn(main.get(), dep);
      }
      context.dependsOn(main.get(), stdlib);
    }
  }

  private static Package module(GoBuildInfo.Module m, boolean isMain, GoBuildInfo.Info info, Location location, int layer) {
    // a replaced module's code is the replacement's; a replacement by a local directory
    // (./dir, ../dir, /dir) has no version of its own, so the module keeps its path and version
    GoBuildInfo.Module effective = m.replacement().filter(r -> !isLocalPath(r.path())).orElse(m);
    String path = effective == m ? m.path() : effective.path();
    Optional<String> version = Optional.of(effective.version()).filter(v -> !v.isEmpty());
    return new Package(
        path, version, PackageType.GO_MODULE, Optional.of(purl(path, version)), List.of(), List.of(), List.of(location), layer,
        PackageMetadata.GoModule.of(
            info.goVersion(), isMain, effective.sum(),
            // Go records "(devel)" as the version of a directory replacement: no version at all
            m.replacement().map(r -> r.path() + (r.version().isEmpty() || r.version().equals("(devel)") ? "" : "@" + r.version())),
            isMain ? info.settings() : Map.of()));
  }

  private static boolean isLocalPath(String path) {
    return path.startsWith("./") || path.startsWith("../") || path.startsWith("/") || path.equals(".") || path.equals("..");
  }

  /** {@code pkg:golang/github.com/org/name@v1.2.3}: the module path's last element is the name. */
  static Purl purl(String modulePath, Optional<String> version) {
    String[] parts = modulePath.split("/");
    List<String> namespace = new ArrayList<>();
    for (int i = 0; i < parts.length - 1; i++) {
      if (!parts[i].isEmpty()) {
        namespace.add(parts[i]);
      }
    }
    return Purl.of("golang", namespace, parts[parts.length - 1], version, Map.of());
  }
}
