package io.atlasml.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/** Builds OpenLineage run events (JSON) for one root SQL execution. */
final class RunEvents {
  static final String PRODUCER = "https://github.com/atlas-ml/atlas-ml/tree/main/spark_hooks";
  static final String SCHEMA_URL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";
  private static final String FACETS = "https://openlineage.io/spec/facets/";
  /** The committed JSON Schema of atlasml_spark (generated from atlas_ml.events.facets). */
  static final String ATLASML_FACET =
      "https://raw.githubusercontent.com/atlas-ml/atlas-ml/main/atlas_ml/events/schemas/atlasml_spark.json";
  /** The committed JSON Schema of atlasml_fileStatus. */
  static final String FILE_STATUS_FACET =
      "https://raw.githubusercontent.com/atlas-ml/atlas-ml/main/atlas_ml/events/schemas/atlasml_fileStatus.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private RunEvents() {}

  /** Same application + root execution -> same run id, so re-delivery is idempotent. */
  static String runId(String appId, long rootExecutionId) {
    return UUID.nameUUIDFromBytes(
            ("atlas-ml:" + appId + ":" + rootExecutionId).getBytes(StandardCharsets.UTF_8))
        .toString();
  }

  static Delivery.Event build(
      Settings s,
      String appId,
      long rootId,
      List<Long> executionIds,
      Observation merged,
      List<Observation> writes,
      String error,
      long endTime,
      long droppedBefore) {
    String runId = runId(appId, rootId);
    String eventType = error == null ? "COMPLETE" : "FAIL";
    ObjectNode e = JSON.createObjectNode();
    e.put("eventType", eventType);
    e.put("eventTime", Instant.ofEpochMilli(endTime).toString());
    e.put("producer", PRODUCER);
    e.put("schemaURL", SCHEMA_URL);

    ObjectNode run = e.putObject("run");
    run.put("runId", runId);
    ObjectNode runFacets = run.putObject("facets");
    ObjectNode engine = facet(runFacets, "processing_engine", "1-1-1/ProcessingEngineRunFacet.json#/$defs/ProcessingEngineRunFacet");
    engine.put("version", s.sparkVersion);
    engine.put("name", "spark");
    engine.put("openlineageAdapterVersion", "atlas-ml-" + Version.VALUE);
    ObjectNode props =
        facetWithUrl(runFacets, "spark_properties", "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunFacet");
    ObjectNode p = props.putObject("properties");
    for (Map.Entry<String, String> kv : s.sparkProperties.entrySet()) {
      p.put(kv.getKey(), kv.getValue());
    }
    if (error != null) {
      ObjectNode err = facet(runFacets, "errorMessage", "1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet");
      err.put("message", error.length() > 4000 ? error.substring(0, 4000) : error);
      err.put("programmingLanguage", "JAVA");
    }
    ObjectNode atlas = facetWithUrl(runFacets, "atlasml_spark", ATLASML_FACET);
    atlas.put("applicationId", appId);
    atlas.put("appName", s.appName);
    for (Map.Entry<String, String> kv : s.provenance.entrySet()) {
      atlas.put(kv.getKey(), kv.getValue());
    }
    atlas.put("rootExecutionId", rootId);
    ArrayNode ids = atlas.putArray("executionIds");
    executionIds.forEach(ids::add);
    ArrayNode w = atlas.putArray("writes");
    for (Observation o : writes) {
      ObjectNode wn = w.addObject();
      wn.put("executionId", o.executionId);
      wn.put("command", o.command);
      wn.put("mode", o.mode);
      wn.put("format", o.format);
      wn.put("planReadMicros", o.readNanos / 1000);
    }
    atlas.put("mode", merged.mode);
    atlas.put("format", merged.format);
    ArrayNode mem = atlas.putArray("inMemorySources");
    merged.inMemorySources.stream().distinct().forEach(mem::add);
    atlas.put("columnLineageTruncated", merged.lineageTruncated);
    ObjectNode delivery = atlas.putObject("delivery");
    delivery.put("droppedEventsBefore", droppedBefore);
    delivery.put("queueCapacity", s.queueCapacity);

    ObjectNode job = e.putObject("job");
    job.put("namespace", s.jobNamespace);
    job.put("name", jobName(s.appName, merged));
    ObjectNode jobType = facet(job.putObject("facets"), "jobType", "2-0-3/JobTypeJobFacet.json#/$defs/JobTypeJobFacet");
    jobType.put("processingType", "BATCH");
    jobType.put("integration", "SPARK");
    jobType.put("jobType", "SQL_JOB");

    ArrayNode inputs = e.putArray("inputs");
    for (DatasetRef in : merged.inputs.values()) {
      dataset(inputs.addObject(), in);
    }
    ArrayNode outputs = e.putArray("outputs");
    ObjectNode out = outputs.addObject();
    ObjectNode outFacets = dataset(out, merged.output);
    columnLineage(outFacets, merged);
    if (merged.mode != null && merged.mode.toLowerCase(Locale.ROOT).contains("overwrite")) {
      facet(outFacets, "lifecycleStateChange", "1-0-1/LifecycleStateChangeDatasetFacet.json#/$defs/LifecycleStateChangeDatasetFacet")
          .put("lifecycleStateChange", "OVERWRITE");
    }
    if (merged.rowCount != null || merged.bytes != null) {
      ObjectNode stats =
          facet(out.putObject("outputFacets"), "outputStatistics", "1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet");
      if (merged.rowCount != null) {
        stats.put("rowCount", merged.rowCount);
      }
      if (merged.bytes != null) {
        stats.put("size", merged.bytes);
      }
      if (merged.files != null) {
        stats.put("fileCount", merged.files);
      }
    }
    String file = String.format(Locale.ROOT, "%013d-%s-%s.json", endTime, runId, eventType);
    try {
      return new Delivery.Event(file, JSON.writeValueAsString(e));
    } catch (Exception ex) {
      throw new IllegalStateException(ex);
    }
  }

  private static ObjectNode dataset(ObjectNode node, DatasetRef ref) {
    node.put("namespace", ref.namespace);
    node.put("name", ref.name);
    ObjectNode facets = node.putObject("facets");
    if (!ref.schema.isEmpty()) {
      ArrayNode fields = facet(facets, "schema", "1-1-1/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet").putArray("fields");
      for (String[] f : ref.schema) {
        fields.addObject().put("name", f[0]).put("type", f[1]);
      }
    }
    if (ref.dataSourceUri != null) {
      facet(facets, "dataSource", "1-0-1/DatasourceDatasetFacet.json#/$defs/DatasourceDatasetFacet")
          .put("name", ref.dataSourceUri)
          .put("uri", ref.dataSourceUri);
    }
    if (ref.isFile != null) {
      ObjectNode status = facetWithUrl(facets, "atlasml_fileStatus", FILE_STATUS_FACET);
      status.put("isFile", ref.isFile);
      if (ref.isFile && ref.fileSize != null) {
        status.put("fileSize", ref.fileSize);
      }
      if (ref.modifiedTime != null) {
        status.put("modifiedTime", Instant.ofEpochMilli(ref.modifiedTime).toString());
      }
      if (ref.replicas != null) {
        status.put("numberOfReplicas", ref.replicas);
      }
    }
    if (ref.table != null && !(ref.table.equals(ref.name) && ref.tableNamespace.equals(ref.namespace))) {
      ArrayNode ids = facet(facets, "symlinks", "1-0-1/SymlinksDatasetFacet.json#/$defs/SymlinksDatasetFacet").putArray("identifiers");
      ids.addObject().put("namespace", ref.tableNamespace).put("name", ref.table).put("type", "TABLE");
    }
    return facets;
  }

  private static void columnLineage(ObjectNode facets, Observation o) {
    if (o.fieldLineage.isEmpty() && o.datasetLineage.isEmpty()) {
      return;
    }
    ObjectNode cl = facet(facets, "columnLineage", "1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet");
    ObjectNode fields = cl.putObject("fields");
    for (Map.Entry<String, List<ColumnLineage.InputField>> f : o.fieldLineage.entrySet()) {
      inputFields(fields.putObject(f.getKey()).putArray("inputFields"), f.getValue());
    }
    if (!o.datasetLineage.isEmpty()) {
      inputFields(cl.putArray("dataset"), o.datasetLineage);
    }
  }

  private static void inputFields(ArrayNode array, List<ColumnLineage.InputField> fields) {
    for (ColumnLineage.InputField in : fields) {
      ObjectNode n = array.addObject();
      n.put("namespace", in.dataset.namespace);
      n.put("name", in.dataset.name);
      n.put("field", in.field);
      ArrayNode ts = n.putArray("transformations");
      for (Map.Entry<String, Boolean> t : in.transformations.entrySet()) {
        String[] parts = t.getKey().split("/", 2);
        ts.addObject()
            .put("type", parts[0])
            .put("subtype", parts[1])
            .put("description", "")
            .put("masking", t.getValue());
      }
    }
  }

  private static ObjectNode facet(ObjectNode parent, String name, String path) {
    return facetWithUrl(parent, name, FACETS + path);
  }

  private static ObjectNode facetWithUrl(ObjectNode parent, String name, String schemaUrl) {
    ObjectNode f = parent.putObject(name);
    f.put("_producer", PRODUCER);
    f.put("_schemaURL", schemaUrl);
    return f;
  }

  /** {@code <app>.<command>.<output>}: stable across runs of the same job. */
  static String jobName(String appName, Observation o) {
    String command = o.command.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    String target = o.output.table != null ? o.output.table : o.output.name;
    int slash = target.lastIndexOf('/');
    if (slash >= 0 && slash < target.length() - 1) {
      target = target.substring(slash + 1);
    }
    return sanitize(appName) + "." + command + "." + sanitize(target);
  }

  private static String sanitize(String s) {
    return s.replaceAll("[^A-Za-z0-9_.]+", "_").toLowerCase(Locale.ROOT);
  }
}
