package io.jscan.builder.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ContentPrefetcherTest {
  private final ExecutorService pool = Executors.newFixedThreadPool(4);

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  private static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static byte[] read(ContentSource s) throws IOException {
    try (InputStream in = s.open()) {
      return in.readAllBytes();
    }
  }

  @Test
  void source_givesEveryFilesBytesInTheLayersOrder_smallAndLargeAlike() throws IOException {
    List<LayerEntry> entries = new ArrayList<>();
    List<byte[]> contents = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      if (i % 50 == 0) {
        entries.add(LayerEntry.directory("d" + i, 0755, 0, 0));
        contents.add(null);
        continue;
      }
      // every 37th file is larger than what is read ahead: streamed by the writer itself
      int size = i % 37 == 0 ? ContentPrefetcher.SMALL + 10 : i * 13;
      byte[] content = bytes(size, i);
      entries.add(LayerEntry.file("f" + i, 0644, 0, 0, size, ContentSource.ofBytes(content)));
      contents.add(content);
    }
    try (ContentPrefetcher prefetch = new ContentPrefetcher(entries, pool)) {
      for (int i = 0; i < entries.size(); i++) {
        ContentSource s = prefetch.source(i);
        if (contents.get(i) == null) {
          assertNull(s, "a directory has no content");
        } else {
          assertArrayEquals(contents.get(i), read(s), "entry " + i);
        }
      }
    }
  }

  @Test
  void source_ofAFileThatFailsToRead_throwsItsErrorAtThatEntry_afterTheEntriesBefore() throws IOException {
    IOException broken = new IOException("f2 changed during the build");
    List<LayerEntry> entries = List.of(
        LayerEntry.file("f0", 0644, 0, 0, 3, ContentSource.ofBytes(new byte[] {1, 2, 3})),
        LayerEntry.file("f1", 0644, 0, 0, 1, ContentSource.ofBytes(new byte[] {4})),
        LayerEntry.file("f2", 0644, 0, 0, 5, () -> {
          throw broken;
        }));
    try (ContentPrefetcher prefetch = new ContentPrefetcher(entries, pool)) {
      assertArrayEquals(new byte[] {1, 2, 3}, read(prefetch.source(0)));
      assertArrayEquals(new byte[] {4}, read(prefetch.source(1)));
      IOException e = assertThrows(IOException.class, () -> prefetch.source(2));
      assertSame(broken, e);
    }
  }

  @Test
  void source_ofAFileThatGrew_givesOneByteMore_soTheTarWriterRefusesIt() throws IOException {
    byte[] grown = bytes(11, 1);
    List<LayerEntry> entries = List.of(LayerEntry.file("f", 0644, 0, 0, 10, () -> new ByteArrayInputStream(grown)));
    try (ContentPrefetcher prefetch = new ContentPrefetcher(entries, pool)) {
      assertEquals(11, read(prefetch.source(0)).length, "read up to size + 1, not silently cut");
    }
  }

  @Test
  void readAhead_holdsAtMostTheWindow_notTheWholeLayer() throws IOException {
    int fileSize = 200 * 1024;
    int files = 400; // 80 MB, more than twice the window
    AtomicInteger opened = new AtomicInteger();
    List<LayerEntry> entries = new ArrayList<>();
    for (int i = 0; i < files; i++) {
      entries.add(LayerEntry.file("f" + i, 0644, 0, 0, fileSize, () -> {
        opened.incrementAndGet();
        return new ByteArrayInputStream(new byte[fileSize]);
      }));
    }
    try (ContentPrefetcher prefetch = new ContentPrefetcher(entries, pool)) {
      read(prefetch.source(0));
      long maxAhead = ContentPrefetcher.WINDOW / fileSize + 2;
      assertTrue(opened.get() <= maxAhead, opened.get() + " files opened after the first was taken; the window allows " + maxAhead);
    }
  }
}
