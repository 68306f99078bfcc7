package io.jscan.builder.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jscan.core.JscanException;
import io.jscan.core.image.Image;
import io.jscan.core.image.Layer;
import io.jscan.core.oci.ImageConfig.History;
import io.jscan.core.oci.OciException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import io.jscan.core.tar.TarEntry;
import io.jscan.core.tar.TarReader;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Finds where two images that should be identical first differ: the first layer whose digest
 * differs and, inside it, the first tar entry (name, header field or content) that differs; or
 * the config field; or the manifest.
 */
public final class ImageComparison {
  private ImageComparison() {}

  /** One line saying where {@code a} and {@code b} first differ; empty when their manifests are identical. */
  public static Optional<String> firstDifference(Image a, Image b) throws JscanException {
    if (a.digest().equals(b.digest())) {
      return Optional.empty();
    }
    List<Layer> la = a.layers();
    List<Layer> lb = b.layers();
    List<String> createdBy = layerHistory(a);
    for (int i = 0; i < Math.min(la.size(), lb.size()); i++) {
      Layer x = la.get(i);
      Layer y = lb.get(i);
      if (x.descriptor().digest().equals(y.descriptor().digest())) {
        continue;
      }
      String which = "layer " + (i + 1) + (i < createdBy.size() ? " (" + createdBy.get(i) + ")" : "");
      if (x.diffId().equals(y.diffId())) {
        return Optional.of(which + ": the same tar compressed to different bytes (" + x.descriptor().digest() + " vs "
            + y.descriptor().digest() + ")");
      }
      return Optional.of(which + ": " + firstTarDifference(x, y).orElse("the tars differ after their last entry"));
    }
    if (la.size() != lb.size()) {
      return Optional.of("the images have " + la.size() + " and " + lb.size() + " layers");
    }
    if (!a.manifest().config().digest().equals(b.manifest().config().digest())) {
      return Optional.of("the image configs differ: " + jsonDifference(a.configBytes(), b.configBytes()));
    }
    return Optional.of("the manifests differ: " + jsonDifference(a.manifestBytes(), b.manifestBytes()));
  }

  /** created_by of the history entries that made layers, in layer order. */
  private static List<String> layerHistory(Image image) throws OciException {
    List<String> out = new ArrayList<>();
    for (History h : image.config().history()) {
      if (!h.emptyLayer()) {
        out.add(h.createdBy().orElse(""));
      }
    }
    return out;
  }

  /** The first entry where two layer tars differ, as "first differing file /path: what". */
  static Optional<String> firstTarDifference(Layer a, Layer b) throws OciException {
    try (InputStream ia = a.openUncompressed();
        InputStream ib = b.openUncompressed()) {
      TarReader ta = new TarReader(new BufferedInputStream(ia, 65536));
      TarReader tb = new TarReader(new BufferedInputStream(ib, 65536));
      while (true) {
        TarEntry ea = ta.next().orElse(null);
        TarEntry eb = tb.next().orElse(null);
        if (ea == null && eb == null) {
          return Optional.empty();
        }
        if (ea == null || eb == null) {
          TarEntry extra = ea == null ? eb : ea;
          return Optional.of("first differing file /" + extra.name() + ": only in the " + (ea == null ? "second" : "first")
              + " build");
        }
        String path = "/" + ea.name();
        if (!ea.name().equals(eb.name())) {
          return Optional.of("first differing file " + path + " (the other build has /" + eb.name() + " there)");
        }
        Optional<String> header = headerDifference(ea, eb);
        if (header.isPresent()) {
          return Optional.of("first differing file " + path + ": " + header.get());
        }
        if (!contentEquals(ta.content(), tb.content())) {
          return Optional.of("first differing file " + path + ": content");
        }
      }
    } catch (IOException e) {
      throw OciException.reading("comparing layers " + a.descriptor().digest() + " and " + b.descriptor().digest(), e);
    }
  }

  private static Optional<String> headerDifference(TarEntry a, TarEntry b) {
    if (a.type() != b.type()) {
      return Optional.of(a.typeDescription() + " vs " + b.typeDescription());
    }
    if (a.mode() != b.mode()) {
      return Optional.of("mode " + Long.toOctalString(a.mode()) + " vs " + Long.toOctalString(b.mode()));
    }
    if (a.uid() != b.uid() || a.gid() != b.gid()) {
      return Optional.of("owner " + a.uid() + ":" + a.gid() + " vs " + b.uid() + ":" + b.gid());
    }
    if (!a.userName().equals(b.userName()) || !a.groupName().equals(b.groupName())) {
      return Optional.of("owner names " + a.userName() + ":" + a.groupName() + " vs " + b.userName() + ":" + b.groupName());
    }
    if (a.mtimeSeconds() != b.mtimeSeconds() || a.mtimeNanos() != b.mtimeNanos()) {
      return Optional.of("mtime " + a.modTime() + " vs " + b.modTime());
    }
    if (a.size() != b.size()) {
      return Optional.of("size " + a.size() + " vs " + b.size());
    }
    if (!a.linkName().equals(b.linkName())) {
      return Optional.of("link target " + a.linkName() + " vs " + b.linkName());
    }
    if (!a.extraPaxRecords().equals(b.extraPaxRecords())) {
      return Optional.of("PAX headers " + a.extraPaxRecords() + " vs " + b.extraPaxRecords());
    }
    return Optional.empty();
  }

  private static boolean contentEquals(InputStream a, InputStream b) throws IOException {
    byte[] x = new byte[65536];
    byte[] y = new byte[65536];
    while (true) {
      int n = a.readNBytes(x, 0, x.length);
      int m = b.readNBytes(y, 0, y.length);
      if (n != m || !Arrays.equals(x, 0, n, y, 0, m)) {
        return false;
      }
      if (n == 0) {
        return true;
      }
    }
  }

  /** The first JSON path whose values differ. */
  static String jsonDifference(byte[] a, byte[] b) {
    try {
      ObjectMapper m = new ObjectMapper();
      return firstJsonDifference(m.readTree(a), m.readTree(b), "").orElse("(same JSON, different bytes)");
    } catch (IOException e) {
      return "(not JSON)";
    }
  }

  private static Optional<String> firstJsonDifference(JsonNode a, JsonNode b, String path) {
    if (a.equals(b)) {
      return Optional.empty();
    }
    if (a.isObject() && b.isObject()) {
      TreeSet<String> names = new TreeSet<>();
      a.fieldNames().forEachRemaining(names::add);
      b.fieldNames().forEachRemaining(names::add);
      for (String n : names) {
        JsonNode x = a.get(n);
        JsonNode y = b.get(n);
        if (x == null || y == null) {
          return Optional.of(path + "." + n + " present in only one");
        }
        Optional<String> d = firstJsonDifference(x, y, path + "." + n);
        if (d.isPresent()) {
          return d;
        }
      }
    }
    if (a.isArray() && b.isArray()) {
      Iterator<JsonNode> ia = a.elements();
      Iterator<JsonNode> ib = b.elements();
      for (int i = 0; ia.hasNext() && ib.hasNext(); i++) {
        Optional<String> d = firstJsonDifference(ia.next(), ib.next(), path + "[" + i + "]");
        if (d.isPresent()) {
          return d;
        }
      }
    }
    return Optional.of((path.isEmpty() ? "." : path) + ": " + a + " vs " + b);
  }
}
