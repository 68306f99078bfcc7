package io.jscan.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsTest {
  @Test
  void scrape_everyFamilyHasHelpThenTypeAndSeriesNamedAfterIt() {
    Metrics m = new Metrics();
    m.requests.inc("validate", "200");
    m.latency.observe(0.003, "validate");
    String text = m.scrape();
    String[] lines = text.split("\n");
    String family = null;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.startsWith("# HELP ")) {
        family = line.split(" ")[2];
        assertTrue(lines[i + 1].startsWith("# TYPE " + family + " "), "TYPE follows HELP: " + lines[i + 1]);
      } else if (!line.startsWith("# ")) {
        assertTrue(line.startsWith(family), line + " belongs to " + family);
        assertTrue(line.matches("[a-z_]+(\\{[a-z_]+=\"[^\"]*\"(,[a-z_]+=\"[^\"]*\")*\\})? -?[0-9.e+Inf]+"), "sample syntax: " + line);
      }
    }
    assertTrue(text.endsWith("\n"), "the exposition ends with a newline");
  }

  @Test
  void histogram_bucketsAreCumulativeAndEndAtInfWithSumAndCount() {
    Metrics m = new Metrics();
    m.latency.observe(0.0004, "mutate");  // first bucket
    m.latency.observe(0.004, "mutate");   // le 0.005
    m.latency.observe(12, "mutate");      // past the last bound: +Inf only
    String text = m.scrape();
    assertTrue(text.contains("jscan_admission_request_duration_seconds_bucket{endpoint=\"mutate\",le=\"0.0005\"} 1\n"), text);
    assertTrue(text.contains("jscan_admission_request_duration_seconds_bucket{endpoint=\"mutate\",le=\"0.0025\"} 1\n"), text);
    assertTrue(text.contains("jscan_admission_request_duration_seconds_bucket{endpoint=\"mutate\",le=\"0.005\"} 2\n"), text);
    assertTrue(text.contains("jscan_admission_request_duration_seconds_bucket{endpoint=\"mutate\",le=\"10\"} 2\n"), text);
    assertTrue(text.contains("jscan_admission_request_duration_seconds_bucket{endpoint=\"mutate\",le=\"+Inf\"} 3\n"), text);
    assertTrue(text.contains("jscan_admission_request_duration_seconds_sum{endpoint=\"mutate\"} 12.0044\n"), text);
    assertTrue(text.contains("jscan_admission_request_duration_seconds_count{endpoint=\"mutate\"} 3\n"), text);
    assertEquals(3, m.latency.count("mutate"));
  }

  @Test
  void counterWithoutLabels_isExposedAtZeroFromTheStart() {
    assertTrue(new Metrics().scrape().contains("\njscan_admission_deadline_exceeded_total 0\n"));
  }

  @Test
  void labelValues_areEscaped() {
    Metrics m = new Metrics();
    m.cacheHits.inc("we\"ird\\\n");
    assertTrue(m.scrape().contains("jscan_cache_hits_total{cache=\"we\\\"ird\\\\\\n\"} 1\n"), m.scrape());
  }

  @Test
  void gauge_isReadAtScrapeTime() {
    Metrics m = new Metrics();
    int[] value = {1};
    m.gauge("jscan_test_gauge", "A test gauge.", () -> value[0]);
    value[0] = 7;
    assertTrue(m.scrape().contains("# TYPE jscan_test_gauge gauge\njscan_test_gauge 7\n"));
    assertEquals("jscan_test_gauge", m.names().get(m.names().size() - 1));
  }

  @Test
  void format_plainDecimals() {
    assertEquals(List.of("0.0005", "10", "2.5", "+Inf"),
        List.of(Metrics.format(0.0005), Metrics.format(10), Metrics.format(2.5), Metrics.format(Double.POSITIVE_INFINITY)));
  }
}
