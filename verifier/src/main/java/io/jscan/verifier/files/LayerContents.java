package io.jscan.verifier.files;

import io.jscan.core.oci.Digest;
import io.jscan.verifier.Finding;
import java.util.List;

/**
 * What scanning one layer's tar produced: the findings about the tar itself, the file facts, and
 * the compact entry list the merged-filesystem checks apply in layer order.
 */
public final class LayerContents {
  final int position;
  final Digest digest;
  final List<EntryMeta> entries;
  private final List<FileFact> facts;
  private final List<Finding> findings;
  private final long entryCount;
  private final boolean complete;

  LayerContents(int position, Digest digest, List<EntryMeta> entries, List<FileFact> facts, List<Finding> findings, long entryCount, boolean complete) {
    this.position = position;
    this.digest = digest;
    this.entries = entries;
    this.facts = List.copyOf(facts);
    this.findings = List.copyOf(findings);
    this.entryCount = entryCount;
    this.complete = complete;
  }

  /** The layer's position in the manifest, from 1. */
  public int position() {
    return position;
  }

  public Digest digest() {
    return digest;
  }

  /** Setuid files, devices, secrets... as seen in this layer alone. */
  public List<FileFact> facts() {
    return facts;
  }

  /** Integrity findings about the tar (malformed, unsafe paths, duplicates, bad whiteouts). */
  public List<Finding> findings() {
    return findings;
  }

  /** Tar entries read. */
  public long entryCount() {
    return entryCount;
  }

  /** Whether the whole tar was read (false after a format error or a limit). */
  public boolean complete() {
    return complete;
  }
}
