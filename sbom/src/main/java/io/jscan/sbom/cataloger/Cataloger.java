package io.jscan.sbom.cataloger;

import io.jscan.sbom.fs.FileTree;
import io.jscan.sbom.fs.Selector;
import java.io.IOException;
import java.util.List;

/**
 * Finds the packages of one ecosystem in a {@link FileTree}. A cataloger reads only files its
 * {@link #selectors()} match; it reports unreadable input as warnings through the context and
 * keeps going, so one corrupt database never costs the rest of the SBOM.
 */
public interface Cataloger {

  /** Short name, as syft names its catalogers ({@code dpkg-db-cataloger}). */
  String name();

  /** The files this cataloger reads. */
  List<Selector> selectors();

  /**
   * Adds what it finds to {@code context}.
   *
   * @throws IOException only when the tree itself cannot be read (not for bad package data)
   */
  void catalog(FileTree tree, CatalogContext context) throws IOException;
}
