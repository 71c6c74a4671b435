package io.atlasml.spark;

import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads one execution's analyzed plan: the write at its root, the relations it reads, and the
 * column lineage between them. Everything is matched by node class name and read by reflection
 * (see {@link Reflect}); nothing here launches a Spark job (no {@code inputFiles()}).
 */
final class PlanReader {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("io.atlasml.spark");

  static final Set<String> WRITES =
      new HashSet<>(
          Arrays.asList(
              "InsertIntoHadoopFsRelationCommand",
              "CreateDataSourceTableAsSelectCommand",
              "SaveAsV1TableCommand",
              "SaveIntoDataSourceCommand",
              "InsertIntoDataSourceCommand",
              "InsertIntoHiveTable",
              "CreateHiveTableAsSelectCommand",
              "OptimizedCreateHiveTableAsSelectCommand",
              "InsertIntoHiveDirCommand",
              "AppendData",
              "OverwriteByExpression",
              "OverwritePartitionsDynamic",
              "CreateTableAsSelect",
              "ReplaceTableAsSelect"));

  private static final Set<String> IN_MEMORY =
      new HashSet<>(Arrays.asList("LogicalRDD", "LocalRelation", "Range", "ExternalRDD"));

  /** Physical write nodes whose SQL metrics count the rows, bytes and files written. */
  private static final Set<String> WRITE_EXECS =
      new HashSet<>(
          Arrays.asList(
              "DataWritingCommandExec",
              "AppendDataExec",
              "AppendDataExecV1",
              "OverwriteByExpressionExec",
              "OverwriteByExpressionExecV1",
              "OverwritePartitionsDynamicExec"));

  private final Settings settings;
  /** The session of the execution being read (read() runs on one thread at a time). */
  private Object session;

  PlanReader(Settings settings) {
    this.settings = settings;
  }

  /** The observation of a write, or null when the plan's root writes nothing (count, collect). */
  Observation read(Object queryExecution, long executionId) {
    Object plan = Reflect.call(queryExecution, "analyzed");
    String root = Reflect.name(plan);
    if (!WRITES.contains(root)) {
      return null;
    }
    session = Reflect.call(queryExecution, "sparkSession");
    Observation obs = new Observation();
    obs.executionId = executionId;
    obs.command = root;
    Object query = Reflect.first(plan, "query");
    describeWrite(plan, root, obs);
    if (obs.output == null) {
      return null;
    }
    if (query != null) {
      try {
        readQuery(plan, query, obs);
      } catch (Throwable t) {
        obs.lineageTruncated = true; // a plan we cannot follow still reports the write
        LOG.debug("atlas-ml: could not follow the query of execution {}", executionId, t);
      }
    }
    try {
      statistics(queryExecution, obs);
    } catch (Throwable t) {
      // statistics are a bonus; the write itself is still reported
    }
    return skipped(obs) ? null : obs;
  }

  /**
   * Whether Spark skipped the write: mode Ignore on a path that already existed returns before
   * the write job, so no file is written, while a real write always writes one (an empty one
   * for no rows). A partitioned write of no rows to a new path writes none either and is not
   * recorded: it left an empty directory.
   */
  private static boolean skipped(Observation obs) {
    return "InsertIntoHadoopFsRelationCommand".equals(obs.command)
        && "Ignore".equals(obs.mode)
        && Long.valueOf(0).equals(obs.files);
  }

  /** Inputs, output schema and column lineage from the query a write consumes. */
  private void readQuery(Object plan, Object query, Observation obs) {
    ColumnLineage lineage = new ColumnLineage(settings.lineageNodeBudget);
    walk(query, obs, lineage);
    List<Object> outAttrs = Reflect.list(Reflect.call(query, "output"));
    List<String> names = new ArrayList<>();
    for (Object n : Reflect.list(Reflect.call(plan, "outputColumnNames"))) {
      names.add(String.valueOf(n));
    }
    if (obs.output != null && obs.output.schema.isEmpty()) {
      for (int i = 0; i < outAttrs.size(); i++) {
        Object a = outAttrs.get(i);
        String name = i < names.size() ? names.get(i) : Reflect.string(Reflect.call(a, "name"));
        obs.output.schema.add(new String[] {name, typeName(Reflect.call(a, "dataType"))});
      }
    }
    if (!lineage.truncated) {
      obs.fieldLineage = lineage.fields(outAttrs, names);
      obs.datasetLineage = lineage.datasetLevel();
    }
    obs.lineageTruncated = lineage.truncated;
  }

  private void describeWrite(Object plan, String kind, Observation obs) {
    obs.mode = Reflect.string(Reflect.call(plan, "mode"));
    switch (kind) {
      case "InsertIntoHadoopFsRelationCommand":
        {
          obs.format = formatName(Reflect.call(plan, "fileFormat"));
          Object path = Reflect.call(plan, "outputPath");
          obs.output = path == null ? null : DatasetRef.fromPath(path.toString());
          if (obs.output != null) {
            obs.output.isFile = Boolean.FALSE; // Spark writes a folder of part files
          }
          Object table = Reflect.unwrap(Reflect.call(plan, "catalogTable"));
          if (obs.output != null && table != null) {
            linkTable(obs.output, table);
          }
          break;
        }
      case "CreateDataSourceTableAsSelectCommand":
      case "SaveAsV1TableCommand":
      case "CreateHiveTableAsSelectCommand":
      case "OptimizedCreateHiveTableAsSelectCommand":
      case "InsertIntoHiveTable":
        {
          Object table = Reflect.first(plan, "table", "tableDesc");
          obs.output = tableDataset(table, obs);
          obs.format = Reflect.string(Reflect.call(table, "provider"));
          if (obs.format == null && kind.contains("Hive")) {
            obs.format = "hive";
          }
          if ("InsertIntoHiveTable".equals(kind)) {
            obs.mode = Boolean.TRUE.equals(Reflect.call(plan, "overwrite")) ? "Overwrite" : "Append";
          }
          break;
        }
      case "SaveIntoDataSourceCommand":
        {
          Map<String, String> options = Reflect.stringMap(Reflect.call(plan, "options"));
          Object source = Reflect.call(plan, "dataSource");
          obs.format = shortSourceName(source);
          obs.output = optionsDataset(options, obs.format);
          break;
        }
      case "InsertIntoDataSourceCommand":
        {
          Object relation = Reflect.call(plan, "logicalRelation");
          obs.output = first(relationDatasets(relation));
          obs.mode = Boolean.TRUE.equals(Reflect.call(plan, "overwrite")) ? "Overwrite" : "Append";
          break;
        }
      case "AppendData":
      case "OverwriteByExpression":
      case "OverwritePartitionsDynamic":
        {
          Object table = Reflect.call(plan, "table");
          obs.output = v2Dataset(table);
          obs.mode = "AppendData".equals(kind) ? "Append" : "Overwrite";
          obs.format = "v2";
          break;
        }
      case "CreateTableAsSelect":
      case "ReplaceTableAsSelect":
        {
          Object name = Reflect.first(plan, "name", "tableName");
          Object ident = Reflect.first(name, "identifier");
          Object catalog = Reflect.first(name, "catalog");
          String table = ident != null ? ident.toString() : String.valueOf(name);
          String cat = catalog == null ? "spark_catalog" : Reflect.string(Reflect.call(catalog, "name"));
          obs.output = new DatasetRef(settings.tableNamespace(cat), table);
          obs.tableOnly = true;
          obs.mode = "CreateTableAsSelect".equals(kind) ? "ErrorIfExists" : "Overwrite";
          obs.format = "v2";
          break;
        }
      default:
        break;
    }
  }

  /** Post-order walk of the query: inputs from leaves, lineage from every node. */
  private void walk(Object root, Observation obs, ColumnLineage lineage) {
    Deque<Object[]> stack = new ArrayDeque<>();
    Map<Object, Boolean> seen = new IdentityHashMap<>();
    stack.push(new Object[] {root, Boolean.FALSE});
    int nodes = 0;
    while (!stack.isEmpty()) {
      Object[] top = stack.pop();
      Object node = top[0];
      if (Boolean.TRUE.equals(top[1])) {
        lineage.node(node);
        continue;
      }
      if (seen.put(node, Boolean.TRUE) != null || ++nodes > settings.lineageNodeBudget) {
        lineage.truncated |= nodes > settings.lineageNodeBudget;
        continue;
      }
      String kind = Reflect.name(node);
      List<DatasetRef> leaf = leafDatasets(node, kind);
      if (!leaf.isEmpty()) {
        for (DatasetRef input : leaf) {
          obs.inputs.putIfAbsent(input.key(), input);
        }
        lineage.relation(node, leaf);
        continue;
      }
      if (IN_MEMORY.contains(kind)) {
        obs.inMemorySources.add(kind);
        continue;
      }
      stack.push(new Object[] {node, Boolean.TRUE});
      List<Object> kids = new ArrayList<>(Reflect.children(node));
      Collections.reverse(kids);
      for (Object k : kids) {
        stack.push(new Object[] {k, Boolean.FALSE});
      }
    }
  }

  /** The datasets a leaf node reads (empty for anything that is not a relation). */
  private List<DatasetRef> leafDatasets(Object node, String kind) {
    switch (kind) {
      case "LogicalRelation":
        return relationDatasets(node);
      case "HiveTableRelation":
        return listOf(tableDataset(Reflect.call(node, "tableMeta"), null));
      case "DataSourceV2Relation":
        return listOf(v2Dataset(node));
      case "DataSourceV2ScanRelation":
        return listOf(v2Dataset(Reflect.call(node, "relation")));
      default:
        return Collections.emptyList();
    }
  }

  private static List<DatasetRef> listOf(DatasetRef ref) {
    return ref == null ? Collections.<DatasetRef>emptyList() : Collections.singletonList(ref);
  }

  private static DatasetRef first(List<DatasetRef> refs) {
    return refs.isEmpty() ? null : refs.get(0);
  }

  /**
   * The datasets of a LogicalRelation: a file relation read from several paths (a glob, a list
   * of paths) is one dataset per root path, each a source of every column; a catalog table is
   * one dataset, its location, whatever partition directories it lists.
   */
  private List<DatasetRef> relationDatasets(Object logicalRelation) {
    Object relation = Reflect.call(logicalRelation, "relation");
    String kind = Reflect.name(relation);
    DatasetRef ref = null;
    if ("HadoopFsRelation".equals(kind)) {
      Object location = Reflect.call(relation, "location");
      List<Object> roots = Reflect.list(Reflect.call(location, "rootPaths"));
      Object table = Reflect.unwrap(Reflect.call(logicalRelation, "catalogTable"));
      if (table == null && roots.size() > 1) {
        List<DatasetRef> refs = new ArrayList<>();
        for (Object root : roots) {
          DatasetRef each = DatasetRef.fromPath(root.toString());
          schemaOf(Reflect.call(relation, "schema"), each);
          refs.add(each);
        }
        return refs;
      }
      if (roots.size() == 1) {
        ref = DatasetRef.fromPath(roots.get(0).toString());
        fileStatus(location, roots.get(0), ref);
      }
      if (table != null) {
        if (ref == null) {
          ref = tableDataset(table, null);
        } else {
          linkTable(ref, table);
        }
      }
      schemaOf(Reflect.call(relation, "schema"), ref);
    } else if ("JDBCRelation".equals(kind)) {
      Object options = Reflect.call(relation, "jdbcOptions");
      ref =
          DatasetRef.fromJdbc(
              Reflect.string(Reflect.call(options, "url")),
              Reflect.string(Reflect.call(options, "tableOrQuery")));
      schemaOf(Reflect.call(relation, "schema"), ref);
    } else if (relation != null) {
      Object table = Reflect.unwrap(Reflect.call(logicalRelation, "catalogTable"));
      ref = table != null ? tableDataset(table, null) : new DatasetRef("spark", kind);
      schemaOf(Reflect.call(relation, "schema"), ref);
    }
    return listOf(ref);
  }

  /**
   * Whether the one root path of a file relation is a file, and its length, modification time and
   * replication, from the statuses Spark's {@code InMemoryFileIndex} listed when the relation was
   * created: no call to the file system. Other file indexes (catalog tables, Delta) may list
   * lazily, so they are left alone.
   */
  private static void fileStatus(Object fileIndex, Object root, DatasetRef ref) {
    if (!"InMemoryFileIndex".equals(Reflect.name(fileIndex))) {
      return;
    }
    Object leafFiles = Reflect.call(fileIndex, "leafFiles");
    Object size = Reflect.call(leafFiles, "size");
    if (!(size instanceof Integer)) {
      return;
    }
    ref.isFile = Boolean.FALSE;
    if ((Integer) size != 1) {
      return;
    }
    Object entry = Reflect.list(leafFiles).get(0);
    if (!(entry instanceof scala.Tuple2) || !root.equals(((scala.Tuple2<?, ?>) entry)._1())) {
      return;
    }
    Object status = ((scala.Tuple2<?, ?>) entry)._2();
    if (!(status instanceof org.apache.hadoop.fs.FileStatus)) {
      return;
    }
    org.apache.hadoop.fs.FileStatus file = (org.apache.hadoop.fs.FileStatus) status;
    ref.isFile = file.isFile();
    ref.fileSize = file.getLen();
    ref.modifiedTime = file.getModificationTime();
    if (!"file".equals(ref.namespace)) {
      ref.replicas = (int) file.getReplication(); // a local file system has no replicas
    }
  }

  private DatasetRef optionsDataset(Map<String, String> options, String format) {
    Map<String, String> lower = new java.util.HashMap<>();
    for (Map.Entry<String, String> e : options.entrySet()) {
      lower.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue());
    }
    if (lower.containsKey("url") && "jdbc".equals(format)) {
      String table = lower.containsKey("dbtable") ? lower.get("dbtable") : lower.get("query");
      return DatasetRef.fromJdbc(lower.get("url"), table);
    }
    if (lower.containsKey("path")) {
      return DatasetRef.fromPath(lower.get("path"));
    }
    if (lower.containsKey("table")) {
      return new DatasetRef(format == null ? "spark" : format, lower.get("table"));
    }
    return new DatasetRef(format == null ? "spark" : format, "unknown");
  }

  private DatasetRef tableDataset(Object catalogTable, Observation obs) {
    if (catalogTable == null) {
      return null;
    }
    Object storage = Reflect.call(catalogTable, "storage");
    Object location = Reflect.unwrap(Reflect.call(storage, "locationUri"));
    DatasetRef ref;
    if (location instanceof URI) {
      ref = DatasetRef.fromUri((URI) location);
      linkTable(ref, catalogTable);
    } else {
      ref = new DatasetRef(settings.tableNamespace("spark_catalog"), tableName(catalogTable));
      ref.table = ref.name;
      ref.tableNamespace = ref.namespace;
      if (obs != null) {
        obs.tableOnly = true;
      }
    }
    schemaOf(Reflect.call(catalogTable, "schema"), ref);
    return ref;
  }

  private void linkTable(DatasetRef ref, Object catalogTable) {
    ref.table = tableName(catalogTable);
    ref.tableNamespace = settings.tableNamespace("spark_catalog");
  }

  /**
   * {@code db.table}. A write names its table as the user typed it ({@code saveAsTable("t")})
   * while the commands it runs name it {@code default.t}: a name without a database is
   * qualified with the session's current one, which is how Spark resolved it.
   */
  private String tableName(Object catalogTable) {
    Object id = Reflect.call(catalogTable, "identifier");
    String table = Reflect.string(Reflect.call(id, "table"));
    String db = Reflect.string(Reflect.call(id, "database"));
    if (db == null) {
      db = currentDatabase();
    }
    return db == null ? table : db + "." + table;
  }

  private String currentDatabase() {
    Object catalog = Reflect.call(Reflect.call(session, "sessionState"), "catalog");
    return Reflect.string(Reflect.call(catalog, "getCurrentDatabase"));
  }

  private DatasetRef v2Dataset(Object relation) {
    if (relation == null) {
      return null;
    }
    Object table = Reflect.call(relation, "table");
    Map<String, String> props = new java.util.HashMap<>();
    Object javaProps = Reflect.call(table, "properties");
    if (javaProps instanceof Map) {
      for (Map.Entry<?, ?> e : ((Map<?, ?>) javaProps).entrySet()) {
        props.put(String.valueOf(e.getKey()), String.valueOf(e.getValue()));
      }
    }
    String name = Reflect.string(Reflect.call(table, "name"));
    Object jdbc = Reflect.call(table, "jdbcOptions");
    DatasetRef ref;
    if (jdbc != null) {
      // a JDBCTableCatalog table: named by its database, as the V1 JDBC source names it, so
      // that both APIs meet on one rdbms table in Atlas
      Object ident = Reflect.unwrap(Reflect.call(relation, "identifier"));
      ref =
          DatasetRef.fromJdbc(
              Reflect.string(Reflect.call(jdbc, "url")), ident != null ? ident.toString() : name);
    } else if (props.get("location") != null) {
      ref = DatasetRef.fromPath(props.get("location"));
      ref.table = name;
      ref.tableNamespace = settings.tableNamespace(catalogName(relation));
    } else {
      Object ident = Reflect.unwrap(Reflect.call(relation, "identifier"));
      ref =
          new DatasetRef(
              settings.tableNamespace(catalogName(relation)),
              ident != null ? ident.toString() : name);
    }
    schemaOf(Reflect.call(table, "schema"), ref);
    return ref;
  }

  private static String catalogName(Object relation) {
    Object catalog = Reflect.unwrap(Reflect.call(relation, "catalog"));
    String name = catalog == null ? null : Reflect.string(Reflect.call(catalog, "name"));
    return name == null ? "spark_catalog" : name;
  }

  private static void schemaOf(Object structType, DatasetRef ref) {
    if (ref == null || structType == null || !ref.schema.isEmpty()) {
      return;
    }
    Object fields = Reflect.call(structType, "fields");
    if (fields instanceof Object[]) {
      for (Object f : (Object[]) fields) {
        ref.schema.add(
            new String[] {
              Reflect.string(Reflect.call(f, "name")), typeName(Reflect.call(f, "dataType"))
            });
      }
    }
  }

  private static String typeName(Object dataType) {
    Object s = Reflect.call(dataType, "simpleString");
    return s == null ? String.valueOf(dataType) : s.toString();
  }

  private static String formatName(Object fileFormat) {
    if (fileFormat == null) {
      return null;
    }
    Object shortName = Reflect.call(fileFormat, "shortName");
    if (shortName != null) {
      return shortName.toString();
    }
    return fileFormat.toString().toLowerCase(Locale.ROOT);
  }

  private static String shortSourceName(Object source) {
    Object shortName = Reflect.call(source, "shortName");
    if (shortName != null) {
      return shortName.toString();
    }
    String n = Reflect.name(source).replace("RelationProvider", "").replace("Provider", "");
    return n.toLowerCase(Locale.ROOT);
  }

  /** Rows, bytes and files written, from the write node's SQL metrics (already computed). */
  private static void statistics(Object queryExecution, Observation obs) {
    Object executed = Reflect.call(queryExecution, "executedPlan");
    Deque<Object> todo = new ArrayDeque<>();
    if (executed != null) {
      todo.push(executed);
    }
    int guard = 0;
    while (!todo.isEmpty() && guard++ < 50) {
      Object node = todo.pop();
      String kind = Reflect.name(node);
      if (WRITE_EXECS.contains(kind)) {
        Map<String, Object> metrics = metrics(Reflect.call(node, "metrics"));
        obs.rowCount = metricValue(metrics.get("numOutputRows"));
        obs.bytes = metricValue(metrics.get("numOutputBytes"));
        obs.files = metricValue(metrics.get("numFiles"));
        return;
      }
      Object inner = null;
      if ("AdaptiveSparkPlanExec".equals(kind)) {
        inner = Reflect.call(node, "executedPlan");
      } else if ("CommandResultExec".equals(kind)) {
        inner = Reflect.call(node, "commandPhysicalPlan");
      } else if (kind.endsWith("QueryStageExec")) {
        inner = Reflect.call(node, "plan"); // AQE's final stage holds the write
      }
      if (inner != null) {
        todo.push(inner);
      }
      for (Object k : Reflect.children(node)) {
        todo.push(k);
      }
    }
  }

  private static Map<String, Object> metrics(Object scalaMap) {
    Map<String, Object> out = new java.util.HashMap<>();
    for (Object entry : Reflect.list(scalaMap)) {
      if (entry instanceof scala.Tuple2) {
        out.put(String.valueOf(((scala.Tuple2<?, ?>) entry)._1()), ((scala.Tuple2<?, ?>) entry)._2());
      }
    }
    return out;
  }

  private static Long metricValue(Object metric) {
    Object v = Reflect.call(metric, "value");
    return v instanceof Number ? ((Number) v).longValue() : null;
  }
}
