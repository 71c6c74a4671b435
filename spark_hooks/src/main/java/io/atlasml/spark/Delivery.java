package io.atlasml.spark;

import java.io.File;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands events from the listener bus to a daemon writer thread through a bounded queue. The
 * listener bus never waits: when the queue is full the event is dropped and counted, and the
 * count travels in the next events and in a log line. Events go to the spool directory (one
 * file each, written atomically) or to an HTTP endpoint, falling back to the spool on failure.
 */
final class Delivery {
  private static final Logger LOG = LoggerFactory.getLogger("io.atlasml.spark");
  private static volatile Delivery instance;

  final Settings settings;
  private final BlockingQueue<Event> queue;
  private final AtomicLong pending = new AtomicLong();
  final AtomicLong dropped = new AtomicLong();
  final AtomicLong delivered = new AtomicLong();
  final AtomicLong spooledAfterHttpFailure = new AtomicLong();
  private final AtomicBoolean warnedDrop = new AtomicBoolean();
  private final AtomicBoolean warnedSpool = new AtomicBoolean();
  private final AtomicBoolean warnedHttp = new AtomicBoolean();

  static final class Event {
    final String fileName;
    final String json;

    Event(String fileName, String json) {
      this.fileName = fileName;
      this.json = json;
    }
  }

  private Delivery(Settings settings) {
    this.settings = settings;
    this.queue = new ArrayBlockingQueue<>(settings.queueCapacity);
    Thread writer = new Thread(this::run, "atlas-ml-lineage-writer");
    writer.setDaemon(true);
    writer.start();
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> flush(settings.flushTimeoutMs), "atlas-ml-lineage-flush"));
  }

  /** The one delivery of this JVM (Spark may create the listener more than once). */
  static Delivery get(Settings settings) {
    Delivery d = instance;
    if (d == null) {
      synchronized (Delivery.class) {
        d = instance;
        if (d == null) {
          d = new Delivery(settings);
          instance = d;
          LOG.info(
              "atlas-ml lineage listener: transport={}, spool={}",
              settings.transport,
              settings.spoolDir.getAbsolutePath());
        }
      }
    }
    return d;
  }

  /** Queues an event without ever waiting; returns false (and counts) when it was dropped. */
  boolean offer(Event event) {
    pending.incrementAndGet();
    if (queue.offer(event)) {
      return true;
    }
    pending.decrementAndGet();
    long n = dropped.incrementAndGet();
    if (warnedDrop.compareAndSet(false, true)) {
      LOG.warn(
          "atlas-ml: lineage queue full (capacity {}): dropping events rather than slowing the job;"
              + " raise spark.atlasml.queue.capacity. Dropped so far: {}",
          settings.queueCapacity,
          n);
    }
    return false;
  }

  /** Delivers everything queued, in the caller's thread, waiting at most {@code timeoutMs}. */
  void flush(long timeoutMs) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    Event e;
    while ((e = queue.poll()) != null) {
      deliver(e);
      pending.decrementAndGet();
    }
    while (pending.get() > 0 && System.currentTimeMillis() < deadline) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    if (dropped.get() > 0) {
      LOG.warn(
          "atlas-ml: {} lineage events delivered, {} dropped because the queue (capacity {}) was"
              + " full",
          delivered.get(),
          dropped.get(),
          settings.queueCapacity);
    }
  }

  private void run() {
    while (true) {
      try {
        Event e = queue.poll(1, TimeUnit.SECONDS);
        if (e != null) {
          try {
            deliver(e);
          } finally {
            pending.decrementAndGet();
          }
        }
      } catch (InterruptedException ie) {
        return;
      } catch (Throwable t) {
        // keep the writer alive whatever happens; deliver() reports its own failures
      }
    }
  }

  private void deliver(Event e) {
    try {
      if ("http".equals(settings.transport) && post(e)) {
        delivered.incrementAndGet();
        return;
      }
      if ("http".equals(settings.transport)) {
        spooledAfterHttpFailure.incrementAndGet();
      }
      spool(e);
      delivered.incrementAndGet();
    } catch (Throwable t) {
      if (warnedSpool.compareAndSet(false, true)) {
        LOG.warn(
            "atlas-ml: cannot write lineage events to the spool directory {} ({}); lineage of this"
                + " application is lost. Set spark.atlasml.spool.dir to a writable directory.",
            settings.spoolDir.getAbsolutePath(),
            t.toString());
      }
    }
  }

  private boolean post(Event e) {
    HttpURLConnection c = null;
    try {
      c = (HttpURLConnection) new URL(settings.httpUrl).openConnection();
      c.setConnectTimeout(settings.httpTimeoutMs);
      c.setReadTimeout(settings.httpTimeoutMs);
      c.setRequestMethod("POST");
      c.setDoOutput(true);
      c.setRequestProperty("Content-Type", "application/json");
      if (!settings.httpApiKey.isEmpty()) {
        c.setRequestProperty("Authorization", "Bearer " + settings.httpApiKey);
      }
      try (OutputStream out = c.getOutputStream()) {
        out.write(e.json.getBytes(StandardCharsets.UTF_8));
      }
      int status = c.getResponseCode();
      if (status >= 200 && status < 300) {
        return true;
      }
      warnHttp("HTTP " + status);
      return false;
    } catch (Throwable t) {
      warnHttp(t.toString());
      return false;
    } finally {
      if (c != null) {
        c.disconnect();
      }
    }
  }

  private void warnHttp(String reason) {
    if (warnedHttp.compareAndSet(false, true)) {
      LOG.warn(
          "atlas-ml: cannot POST lineage events to {} ({}); keeping them in the spool {} for"
              + " replay.",
          settings.httpUrl,
          reason,
          settings.spoolDir.getAbsolutePath());
    }
  }

  private void spool(Event e) throws Exception {
    File dir = settings.spoolDir;
    Files.createDirectories(dir.toPath());
    Path tmp = Files.createTempFile(dir.toPath(), "." + e.fileName, ".tmp");
    Files.write(tmp, e.json.getBytes(StandardCharsets.UTF_8));
    Files.move(
        tmp,
        dir.toPath().resolve(e.fileName),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }
}
