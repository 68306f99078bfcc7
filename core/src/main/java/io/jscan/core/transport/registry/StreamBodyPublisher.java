package io.jscan.core.transport.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A request body read from a stream in large buffers. The JDK's {@code BodyPublishers.ofInputStream}
 * reads 16 KiB at a time, and every buffer costs a trip through the client's pipeline; blobs are
 * large, so this one reads {@value #BUFFER} bytes at a time. Demand is honoured with the usual
 * lock-free drain loop (Reactive Streams rule 3.3: {@code request} may be called from
 * {@code onNext}).
 */
final class StreamBodyPublisher implements HttpRequest.BodyPublisher {
  static final int BUFFER = 512 * 1024;

  /** Opens the body; called once per subscription (a retry subscribes again). */
  interface Source {
    InputStream open() throws IOException;
  }

  private final Source source;
  private final long length;

  StreamBodyPublisher(Source source, long length) {
    this.source = source;
    this.length = length;
  }

  @Override
  public long contentLength() {
    return length;
  }

  @Override
  public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
    subscriber.onSubscribe(new Subscription(subscriber));
  }

  private final class Subscription implements Flow.Subscription {
    private final Flow.Subscriber<? super ByteBuffer> subscriber;
    private final AtomicLong demand = new AtomicLong();
    private final AtomicInteger wip = new AtomicInteger();
    private volatile boolean done;
    private InputStream in;

    Subscription(Flow.Subscriber<? super ByteBuffer> subscriber) {
      this.subscriber = subscriber;
    }

    @Override
    public void request(long n) {
      if (n <= 0) {
        cancel();
        subscriber.onError(new IllegalArgumentException("non-positive request"));
        return;
      }
      demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
      drain();
    }

    private void drain() {
      if (wip.getAndIncrement() != 0) {
        return;
      }
      do {
        while (!done && demand.get() > 0) {
          try {
            if (in == null) {
              in = source.open();
            }
            byte[] buffer = new byte[BUFFER];
            int n = in.readNBytes(buffer, 0, buffer.length);
            if (n <= 0) {
              done = true;
              close();
              subscriber.onComplete();
              break;
            }
            demand.decrementAndGet();
            subscriber.onNext(ByteBuffer.wrap(buffer, 0, n));
          } catch (IOException | UncheckedIOException e) {
            done = true;
            close();
            subscriber.onError(e instanceof UncheckedIOException u ? u.getCause() : e);
            break;
          }
        }
      } while (wip.decrementAndGet() != 0);
    }

    @Override
    public void cancel() {
      done = true;
      if (wip.getAndIncrement() == 0) {
        close();
        wip.decrementAndGet();
      }
    }

    private void close() {
      if (in != null) {
        try {
          in.close();
        } catch (IOException ignored) {
          // done with it
        }
      }
    }
  }
}
