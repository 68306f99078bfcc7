package io.jscan.server;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A least-recently-used map with an optional time to live. Synchronized: the critical sections are
 * a hash lookup and a link update, far below what a thousand requests a second can contend on.
 */
final class BoundedCache<K, V> {
  private final int maxEntries;
  private final long ttlNanos;
  private final LinkedHashMap<K, Entry<V>> map;

  private record Entry<V>(V value, long storedNanos) {}

  /** @param ttlNanos how long an entry is served; {@link Long#MAX_VALUE} for as long as it stays */
  BoundedCache(int maxEntries, long ttlNanos) {
    if (maxEntries < 1 || ttlNanos < 1) {
      throw new IllegalArgumentException("a cache holds at least one entry for some time");
    }
    this.maxEntries = maxEntries;
    this.ttlNanos = ttlNanos;
    this.map = new LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<K, Entry<V>> eldest) {
        return size() > BoundedCache.this.maxEntries;
      }
    };
  }

  synchronized Optional<V> get(K key) {
    Entry<V> e = map.get(key);
    if (e == null) {
      return Optional.empty();
    }
    if (System.nanoTime() - e.storedNanos() >= ttlNanos) {
      map.remove(key);
      return Optional.empty();
    }
    return Optional.of(e.value());
  }

  /** A value and how long ago it was stored. */
  record Aged<V>(V value, long ageNanos) {}

  /** As {@link #get}, with the entry's age (to refresh it before it expires). */
  synchronized Optional<Aged<V>> getAged(K key) {
    Entry<V> e = map.get(key);
    if (e == null) {
      return Optional.empty();
    }
    long age = System.nanoTime() - e.storedNanos();
    if (age >= ttlNanos) {
      map.remove(key);
      return Optional.empty();
    }
    return Optional.of(new Aged<>(e.value(), age));
  }

  synchronized void put(K key, V value) {
    map.put(key, new Entry<>(value, System.nanoTime()));
  }

  synchronized int size() {
    return map.size();
  }

  synchronized void clear() {
    map.clear();
  }
}
