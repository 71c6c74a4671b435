package io.atlasml.spark;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.SparkConf;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerApplicationEnd;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionEnd;
import org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * atlas-ml's Spark listener: one OpenLineage run event per root SQL execution that writes.
 * Register it with {@code spark.extraListeners=io.atlasml.spark.LineageListener}.
 *
 * <p>It never throws into Spark and never blocks the listener bus: plan reading is bounded, and
 * delivery happens on a daemon thread behind a bounded queue. State lives in static singletons
 * because Spark may create the class more than once; only the latest instance does the work, so
 * registering it twice does not duplicate events.
 */
public class LineageListener extends SparkListener {
  private static final Logger LOG = LoggerFactory.getLogger("io.atlasml.spark");
  private static final AtomicBoolean WARNED = new AtomicBoolean();
  private static volatile LineageListener owner;
  private static volatile Executions executions;

  public LineageListener(SparkConf conf) {
    start(conf);
  }

  public LineageListener() {
    SparkConf conf = null;
    try {
      conf = org.apache.spark.SparkEnv.get().conf();
    } catch (Throwable t) {
      conf = new SparkConf();
    }
    start(conf);
  }

  private void start(SparkConf conf) {
    try {
      synchronized (LineageListener.class) {
        executions = new Executions(new Settings(conf));
        owner = this;
      }
    } catch (Throwable t) {
      disabled(t);
    }
  }

  @Override
  public void onOtherEvent(SparkListenerEvent event) {
    if (owner != this) {
      return;
    }
    try {
      Executions ex = executions;
      if (ex == null) {
        return;
      }
      if (event instanceof SparkListenerSQLExecutionStart) {
        SparkListenerSQLExecutionStart s = (SparkListenerSQLExecutionStart) event;
        Object root = Reflect.unwrap(Reflect.call(s, "rootExecutionId"));
        ex.started(s.executionId(), root instanceof Number ? ((Number) root).longValue() : null);
      } else if (event instanceof SparkListenerSQLExecutionEnd) {
        SparkListenerSQLExecutionEnd e = (SparkListenerSQLExecutionEnd) event;
        ex.ended(e.executionId(), Reflect.call(e, "qe"), failure(e), e.time());
      }
    } catch (Throwable t) {
      disabled(t);
    }
  }

  /**
   * Jobs carry their thread's local properties: a job of an execution whose thread had capture
   * turned off ({@link Settings#CAPTURE_PROPERTY}) marks that execution, and its root, as not
   * recorded. Jobs always start before their execution ends, so the mark is there in time.
   */
  @Override
  public void onJobStart(SparkListenerJobStart job) {
    if (owner != this) {
      return;
    }
    try {
      java.util.Properties props = job.properties();
      Executions ex = executions;
      if (ex == null
          || props == null
          || !"off".equalsIgnoreCase(props.getProperty(Settings.CAPTURE_PROPERTY))) {
        return;
      }
      ex.suppress(
          props.getProperty("spark.sql.execution.id"),
          props.getProperty("spark.sql.execution.root.id"));
    } catch (Throwable t) {
      disabled(t);
    }
  }

  /**
   * The error of a failed execution, or null. Spark sets {@code errorMessage} to {@code Some("")}
   * on success in some versions, so an empty message with no {@code executionFailure} is success.
   */
  private static String failure(SparkListenerSQLExecutionEnd e) {
    String message = Reflect.string(Reflect.call(e, "errorMessage"));
    if (message != null && !message.isEmpty()) {
      return message;
    }
    Object thrown = Reflect.unwrap(Reflect.call(e, "executionFailure"));
    return thrown == null ? null : thrown.toString();
  }

  @Override
  public void onApplicationEnd(SparkListenerApplicationEnd end) {
    if (owner != this) {
      return;
    }
    try {
      Executions ex = executions;
      if (ex != null) {
        ex.flush();
      }
    } catch (Throwable t) {
      disabled(t);
    }
  }

  private static void disabled(Throwable t) {
    if (WARNED.compareAndSet(false, true)) {
      LOG.warn(
          "atlas-ml: the lineage listener hit an internal error and may miss events ({}); the"
              + " Spark job is not affected. Spool: {}",
          t.toString(),
          Settings.defaultSpoolDir(),
          t);
    }
  }
}
