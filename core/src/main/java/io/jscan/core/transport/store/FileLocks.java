package io.jscan.core.transport.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Shared/exclusive locks on a file that hold across processes (fcntl locks through
 * {@link FileChannel#lock}) and across threads of this JVM.
 *
 * <p>Both levels are needed: OS file locks belong to the process, so two threads of one JVM would
 * not exclude each other (and Java refuses overlapping locks with an exception); and on Linux,
 * closing <em>any</em> channel to a file drops every lock the process holds on it. So each lock
 * file has one JVM-wide read/write lock, and one OS lock held through one channel for as long as
 * any thread of this JVM holds the lock: exclusively for a writer, shared for readers (the last
 * reader releases it). No other channel to a lock file is ever opened.
 */
final class FileLocks {
  private FileLocks() {}

  /** A held lock; {@link #close} releases it. */
  interface Held extends AutoCloseable {
    @Override
    void close() throws IOException;
  }

  private static final class State {
    final ReentrantReadWriteLock jvm = new ReentrantReadWriteLock(true);
    int sharedHolders;
    FileChannel sharedChannel;
    FileLock sharedLock;
  }

  private static final ConcurrentHashMap<Path, State> STATES = new ConcurrentHashMap<>();

  private static State state(Path file) {
    return STATES.computeIfAbsent(file.toAbsolutePath().normalize(), p -> new State());
  }

  static Held exclusive(Path file) throws IOException {
    State s = state(file);
    s.jvm.writeLock().lock();
    FileChannel channel = null;
    try {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
      FileLock lock = channel.lock(0, Long.MAX_VALUE, false);
      FileChannel held = channel;
      return () -> {
        try {
          lock.release();
          held.close();
        } finally {
          s.jvm.writeLock().unlock();
        }
      };
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        channel.close();
      }
      s.jvm.writeLock().unlock();
      throw e;
    }
  }

  static Held shared(Path file) throws IOException {
    State s = state(file);
    s.jvm.readLock().lock();
    try {
      synchronized (s) {
        if (s.sharedHolders == 0) {
          FileChannel channel =
              FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
          try {
            s.sharedLock = channel.lock(0, Long.MAX_VALUE, true);
          } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
          }
          s.sharedChannel = channel;
        }
        s.sharedHolders++;
      }
    } catch (IOException | RuntimeException e) {
      s.jvm.readLock().unlock();
      throw e;
    }
    return () -> {
      try {
        synchronized (s) {
          if (--s.sharedHolders == 0) {
            try {
              s.sharedLock.release();
            } finally {
              s.sharedChannel.close();
              s.sharedLock = null;
              s.sharedChannel = null;
            }
          }
        }
      } finally {
        s.jvm.readLock().unlock();
      }
    };
  }
}
