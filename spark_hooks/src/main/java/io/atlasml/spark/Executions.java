package io.atlasml.spark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Groups SQL executions by their root execution and emits one run event when the root ends.
 * {@code saveAsTable} runs three nested executions and a JDBC write two; they share the root's
 * id, so the table identity (from the root) and the path (from the inner file write) end up in
 * one event. Read-only executions (count, collect, show) leave no trace.
 */
final class Executions {
  private static final Logger LOG = LoggerFactory.getLogger("io.atlasml.spark");
  private static final int MAX_TRACKED = 10_000;

  private final Settings settings;
  private final PlanReader reader;
  private final Delivery delivery;
  private final Map<Long, Long> rootOf = bounded();
  private final Map<Long, List<Observation>> pending = bounded();
  private final Map<Long, Boolean> suppressed = bounded();

  Executions(Settings settings) {
    this.settings = settings;
    this.reader = new PlanReader(settings);
    this.delivery = Delivery.get(settings);
  }

  private static <K, V> Map<K, V> bounded() {
    return new LinkedHashMap<K, V>() {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > MAX_TRACKED;
      }
    };
  }

  synchronized void started(long executionId, Long rootExecutionId) {
    if (rootExecutionId != null && rootExecutionId != executionId) {
      rootOf.put(executionId, rootExecutionId);
    }
  }

  /** Mark an execution (and its root, when known) as one that capture was turned off for. */
  synchronized void suppress(String executionId, String rootExecutionId) {
    for (String id : new String[] {executionId, rootExecutionId}) {
      if (id != null && !id.isEmpty()) {
        try {
          suppressed.put(Long.parseLong(id.trim()), Boolean.TRUE);
        } catch (NumberFormatException ignored) {
          // not an execution id: nothing to mark
        }
      }
    }
  }

  synchronized void ended(long executionId, Object queryExecution, String error, long time) {
    Long parent = rootOf.remove(executionId);
    long root = parent == null ? executionId : parent;
    if (suppressed.remove(executionId) != null || suppressed.containsKey(root)) {
      if (root == executionId) {
        pending.remove(root);
      }
      return;
    }
    Observation obs = null;
    long startNanos = System.nanoTime();
    try {
      obs = queryExecution == null ? null : reader.read(queryExecution, executionId);
    } catch (Throwable t) {
      LOG.debug("atlas-ml: could not read the plan of execution {}", executionId, t);
    }
    if (obs != null) {
      obs.readNanos = System.nanoTime() - startNanos;
    }
    List<Observation> seen = pending.get(root);
    if (obs != null) {
      if (seen == null) {
        seen = new ArrayList<>();
        pending.put(root, seen);
      }
      seen.add(obs);
    }
    if (root != executionId) {
      return;
    }
    pending.remove(root);
    if (seen == null || seen.isEmpty()) {
      return;
    }
    Observation merged = merge(seen, executionId);
    List<Long> ids = new ArrayList<>();
    for (Observation o : seen) {
      ids.add(o.executionId);
    }
    delivery.offer(
        RunEvents.build(
            settings, appId(), root, ids, merged, seen, error, time, delivery.dropped.get()));
  }

  void flush() {
    delivery.flush(settings.flushTimeoutMs);
  }

  private String appId() {
    if (!settings.appId.isEmpty()) {
      return settings.appId;
    }
    try {
      return org.apache.spark.SparkEnv.get().conf().get("spark.app.id", "unknown");
    } catch (Throwable t) {
      return "unknown";
    }
  }

  /**
   * One write from the observations of a root: the root's own write names the target (a table),
   * the inner executions that wrote to the same target add its path, schema and statistics.
   */
  static Observation merge(List<Observation> seen, long rootId) {
    Observation primary = seen.get(0);
    for (Observation o : seen) {
      if (o.executionId == rootId) {
        primary = o;
      }
    }
    for (Observation o : seen) {
      if (o == primary || !related(primary, o)) {
        continue;
      }
      if (primary.tableOnly && !o.tableOnly) {
        DatasetRef physical = o.output;
        if (physical.table == null) {
          physical.table = primary.output.table != null ? primary.output.table : primary.output.name;
          physical.tableNamespace =
              primary.output.tableNamespace != null
                  ? primary.output.tableNamespace
                  : primary.output.namespace;
        }
        if (physical.schema.isEmpty()) {
          physical.schema = primary.output.schema;
        }
        primary.output = physical;
        primary.tableOnly = false;
      }
      for (Map.Entry<String, DatasetRef> in : o.inputs.entrySet()) {
        primary.inputs.putIfAbsent(in.getKey(), in.getValue());
      }
      primary.inMemorySources.addAll(o.inMemorySources);
      if (primary.fieldLineage.isEmpty()) {
        primary.fieldLineage = o.fieldLineage;
        primary.datasetLineage = o.datasetLineage;
      }
      primary.lineageTruncated |= o.lineageTruncated;
      if (primary.rowCount == null) {
        primary.rowCount = o.rowCount;
        primary.bytes = o.bytes;
        primary.files = o.files;
      }
    }
    return primary;
  }

  /** Whether an inner execution's write is part of the root's write (same target or its files). */
  private static boolean related(Observation root, Observation o) {
    if (root.output.key().equals(o.output.key())) {
      return true;
    }
    String table = root.output.table != null ? root.output.table : root.output.name;
    if (o.output.table != null) {
      return table != null && sameTable(o.output.table, table);
    }
    return root.tableOnly || root.output.table != null;
  }

  /** Same table, also when one name lacks the database the other was qualified with. */
  private static boolean sameTable(String a, String b) {
    return a.equals(b) || a.endsWith("." + b) || b.endsWith("." + a);
  }
}
