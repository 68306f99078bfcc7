package io.jscan.sbom.format;

import io.jscan.core.text.Printable;
import io.jscan.sbom.model.Package;
import io.jscan.sbom.model.Sbom;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A table for people: {@code NAME VERSION TYPE LAYER}, one package a line, columns aligned. LAYER
 * is the layer's number from 1, the lowest layer, as {@code jscan verify} and {@code jscan
 * inspect} number layers.
 * Warnings are not part of it (the command line prints them on standard error).
 */
public final class TableWriter {
  private TableWriter() {}

  public static void write(Sbom sbom, OutputStream out) throws IOException {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"NAME", "VERSION", "TYPE", "LAYER"});
    for (Package p : sbom.packages()) {
      // names and versions come from the image's package databases: escaped, so none acts on a terminal
      rows.add(new String[] {Printable.escape(p.name()), Printable.escape(p.version().orElse("")), p.type().id(), String.valueOf(p.layerNumber())});
    }
    int[] widths = new int[4];
    for (String[] r : rows) {
      for (int i = 0; i < 4; i++) {
        widths[i] = Math.max(widths[i], r[i].length());
      }
    }
    PrintWriter w = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < 4; i++) {
        line.append(r[i]);
        if (i < 3) {
          line.append(" ".repeat(widths[i] - r[i].length() + 2));
        }
      }
      w.print(line.toString().stripTrailing());
      w.print('\n');
    }
    if (sbom.packages().isEmpty()) {
      w.print("(no packages found)\n");
    }
    w.flush();
  }
}
