package io.jscan.server;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;

/**
 * The server's metrics in the Prometheus text exposition format, version 0.0.4
 * (prometheus.io/docs/instrumenting/exposition_formats): each family has one {@code # HELP} and one
 * {@code # TYPE} line, counters end in {@code _total}, a histogram has cumulative {@code _bucket}
 * series with an {@code le} label ending at {@code +Inf}, then {@code _sum} and {@code _count}.
 * Written by hand: a dozen series need no client library, and the hot path only adds to
 * {@link LongAdder}s.
 */
public final class Metrics {
  /** Content-Type of the exposition (Prometheus' text format 0.0.4). */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  /** Latency buckets in seconds: fine below 10 ms (the target), up to the API server's 10 s timeout. */
  static final double[] LATENCY_BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  public final Counter requests = new Counter("jscan_admission_requests_total",
      "HTTP requests by endpoint and response status code.", "endpoint", "code");
  public final Counter decisions = new Counter("jscan_admission_decisions_total",
      "Admission decisions by endpoint and result (allowed, warned: allowed with warnings, denied).", "endpoint", "result");
  public final Histogram latency = new Histogram("jscan_admission_request_duration_seconds",
      "Time from reading an admission request to writing its answer, by endpoint.", LATENCY_BUCKETS, "endpoint");
  public final Counter images = new Counter("jscan_admission_images_total",
      "Images judged, by outcome (passed, violation, unverified_denied, unverified_allowed, no_policy_denied, no_policy_allowed,"
          + " invalid: not an image reference, or content that fails its checks).",
      "outcome");
  public final Counter cacheHits = new Counter("jscan_cache_hits_total",
      "Cache hits by cache (digest: tag to digest, facts: inspected images, evidence: signatures and attestations found in a repository, decision: verdicts).", "cache");
  public final Counter cacheMisses = new Counter("jscan_cache_misses_total", "Cache misses by cache.", "cache");
  public final Counter registryErrors = new Counter("jscan_registry_errors_total",
      "Registry operations that failed after retries, by operation (resolve, read, evidence: signatures and attestations).", "operation");
  public final Counter deadlines = new Counter("jscan_admission_deadline_exceeded_total",
      "Images whose verification had not finished by the request's deadline.");
  public final Counter verifications = new Counter("jscan_verifications_total",
      "Images read and inspected (cache fills), by result (ok, unverifiable).", "result");
  public final Histogram verificationTime = new Histogram("jscan_verification_duration_seconds",
      "Time to read and inspect one image (a cache fill).", new double[] {0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120});
  public final Counter reloads = new Counter("jscan_reloads_total",
      "Reloads of changed files, by what (policies, tls) and result (ok, failed).", "what", "result");
  public final Counter overImageLimit = new Counter("jscan_admission_reviews_over_image_limit_total",
      "Reviews denied because they name more images than --max-images, before any was fetched.");
  private final List<Family> families = new ArrayList<>(List.of(
      requests, decisions, latency, images, cacheHits, cacheMisses, registryErrors, deadlines, verifications, verificationTime, reloads,
      overImageLimit));

  /** Adds a gauge read when the metrics are scraped. */
  public void gauge(String name, String help, DoubleSupplier value) {
    synchronized (families) {
      families.add(new Gauge(name, help, value));
    }
  }

  /** The exposition, families in registration order and series in label order. */
  public String scrape() {
    StringBuilder out = new StringBuilder(4096);
    List<Family> snapshot;
    synchronized (families) {
      snapshot = List.copyOf(families);
    }
    for (Family f : snapshot) {
      out.append("# HELP ").append(f.name).append(' ').append(escapeHelp(f.help)).append('\n');
      out.append("# TYPE ").append(f.name).append(' ').append(f.type()).append('\n');
      f.write(out);
    }
    return out.toString();
  }

  private abstract static class Family {
    final String name;
    final String help;
    final String[] labelNames;

    Family(String name, String help, String... labelNames) {
      this.name = name;
      this.help = help;
      this.labelNames = labelNames.clone();
    }

    abstract String type();

    abstract void write(StringBuilder out);

    List<String> key(String... labelValues) {
      if (labelValues.length != labelNames.length) {
        throw new IllegalArgumentException(name + " takes labels " + Arrays.toString(labelNames));
      }
      return List.of(labelValues);
    }

    void labels(StringBuilder out, List<String> values, String extraName, String extraValue) {
      if (values.isEmpty() && extraName == null) {
        return;
      }
      out.append('{');
      for (int i = 0; i < values.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        out.append(labelNames[i]).append("=\"").append(escapeLabel(values.get(i))).append('"');
      }
      if (extraName != null) {
        if (!values.isEmpty()) {
          out.append(',');
        }
        out.append(extraName).append("=\"").append(extraValue).append('"');
      }
      out.append('}');
    }

    static <V> List<Map.Entry<List<String>, V>> sorted(Map<List<String>, V> series) {
      List<Map.Entry<List<String>, V>> entries = new ArrayList<>(series.entrySet());
      entries.sort((a, b) -> String.join("\u0000", a.getKey()).compareTo(String.join("\u0000", b.getKey())));
      return entries;
    }
  }

  /** A monotonic counter with labels. */
  public static final class Counter extends Family {
    private final Map<List<String>, LongAdder> series = new ConcurrentHashMap<>();

    Counter(String name, String help, String... labelNames) {
      super(name, help, labelNames);
      if (labelNames.length == 0) {
        series.put(List.of(), new LongAdder()); // a counter without labels is exposed from the start at 0
      }
    }

    public void inc(String... labelValues) {
      series.computeIfAbsent(key(labelValues), k -> new LongAdder()).increment();
    }

    /** The current value of one series (0 when it was never incremented). */
    public long get(String... labelValues) {
      LongAdder a = series.get(key(labelValues));
      return a == null ? 0 : a.sum();
    }

    @Override
    String type() {
      return "counter";
    }

    @Override
    void write(StringBuilder out) {
      for (Map.Entry<List<String>, LongAdder> e : sorted(series)) {
        out.append(name);
        labels(out, e.getKey(), null, null);
        out.append(' ').append(e.getValue().sum()).append('\n');
      }
    }
  }

  /** A histogram with fixed buckets and labels. */
  public static final class Histogram extends Family {
    private final double[] bounds;
    private final Map<List<String>, Series> series = new ConcurrentHashMap<>();

    Histogram(String name, String help, double[] bounds, String... labelNames) {
      super(name, help, labelNames);
      this.bounds = bounds.clone();
      for (int i = 1; i < bounds.length; i++) {
        if (bounds[i] <= bounds[i - 1]) {
          throw new IllegalArgumentException("bucket bounds must increase");
        }
      }
    }

    public void observe(double seconds, String... labelValues) {
      Series s = series.computeIfAbsent(key(labelValues), k -> new Series(bounds.length));
      int i = 0;
      while (i < bounds.length && seconds > bounds[i]) {
        i++;
      }
      s.buckets[i].increment(); // counted in its own bucket; write() makes them cumulative
      s.sum.add(seconds);
    }

    /** Observations of one series so far. */
    public long count(String... labelValues) {
      Series s = series.get(key(labelValues));
      if (s == null) {
        return 0;
      }
      long n = 0;
      for (LongAdder b : s.buckets) {
        n += b.sum();
      }
      return n;
    }

    @Override
    String type() {
      return "histogram";
    }

    @Override
    void write(StringBuilder out) {
      for (Map.Entry<List<String>, Series> e : sorted(series)) {
        Series s = e.getValue();
        long cumulative = 0;
        for (int i = 0; i <= bounds.length; i++) {
          cumulative += s.buckets[i].sum();
          out.append(name).append("_bucket");
          labels(out, e.getKey(), "le", i < bounds.length ? format(bounds[i]) : "+Inf");
          out.append(' ').append(cumulative).append('\n');
        }
        out.append(name).append("_sum");
        labels(out, e.getKey(), null, null);
        out.append(' ').append(format(s.sum.sum())).append('\n');
        out.append(name).append("_count");
        labels(out, e.getKey(), null, null);
        out.append(' ').append(cumulative).append('\n');
      }
    }

    private static final class Series {
      final LongAdder[] buckets;
      final DoubleAdder sum = new DoubleAdder();

      Series(int bounds) {
        buckets = new LongAdder[bounds + 1];
        for (int i = 0; i < buckets.length; i++) {
          buckets[i] = new LongAdder();
        }
      }
    }
  }

  private static final class Gauge extends Family {
    private final DoubleSupplier value;

    Gauge(String name, String help, DoubleSupplier value) {
      super(name, help);
      this.value = value;
    }

    @Override
    String type() {
      return "gauge";
    }

    @Override
    void write(StringBuilder out) {
      out.append(name).append(' ').append(format(value.getAsDouble())).append('\n');
    }
  }

  static String format(double v) {
    if (v == Math.rint(v) && !Double.isInfinite(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return Double.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";
    }
    // plain decimals (0.0005, not 5.0E-4): what other exporters write, and easy to read
    return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }

  // the format's escaping: in HELP, backslash and newline; in label values, also the double quote
  private static String escapeHelp(String s) {
    return s.replace("\\", "\\\\").replace("\n", "\\n");
  }

  private static String escapeLabel(String s) {
    return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\"", "\\\"");
  }

  /** For tests: the names of the families, in order. */
  List<String> names() {
    synchronized (families) {
      List<String> out = new ArrayList<>();
      families.forEach(f -> out.add(f.name));
      return Collections.unmodifiableList(out);
    }
  }
}
