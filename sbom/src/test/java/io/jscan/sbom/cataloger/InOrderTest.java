package io.jscan.sbom.cataloger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class InOrderTest {
  @Test
  void map_manyItems_keepsTheListOrder() throws IOException {
    List<Integer> items = IntStream.range(0, 1000).boxed().toList();
    List<String> mapped = InOrder.map(items, i -> {
      if (i % 7 == 0) {
        Thread.onSpinWait(); // uneven items
      }
      return "item " + i;
    });
    assertEquals(items.stream().map(i -> "item " + i).toList(), mapped);
  }

  @Test
  void map_fewItems_runsOnTheCallingThreadOnly() throws IOException {
    Set<String> threads = ConcurrentHashMap.newKeySet();
    List<Integer> mapped = InOrder.map(List.of(3, 1, 2), i -> {
      threads.add(Thread.currentThread().getName());
      return i * 10;
    });
    assertEquals(List.of(30, 10, 20), mapped);
    assertEquals(Set.of(Thread.currentThread().getName()), threads);
  }

  @Test
  void map_itemFailsWithIOException_throwsItUnwrapped() {
    List<Integer> items = IntStream.range(0, 200).boxed().toList();
    IOException e = assertThrows(IOException.class, () -> InOrder.map(items, i -> {
      if (i == 150) {
        throw new IOException("reading item 150: truncated");
      }
      return i;
    }));
    assertEquals("reading item 150: truncated", e.getMessage());
  }

  @Test
  void map_itemFailsWithRuntimeException_throwsIt() {
    List<Integer> items = IntStream.range(0, 200).boxed().toList();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> InOrder.map(items, i -> {
      if (i == 3) {
        throw new IllegalStateException("item 3 is broken");
      }
      return i;
    }));
    assertEquals("item 3 is broken", e.getMessage());
  }
}
