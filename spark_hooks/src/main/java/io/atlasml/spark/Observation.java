package io.atlasml.spark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What one SQL execution wrote and read, before executions of the same root are merged. */
final class Observation {
  long executionId;
  /** Simple name of the write node, e.g. InsertIntoHadoopFsRelationCommand. */
  String command;
  String mode;
  String format;
  DatasetRef output;
  /** True when the output is a catalog table whose location this execution did not know. */
  boolean tableOnly;
  final Map<String, DatasetRef> inputs = new LinkedHashMap<>();
  final List<String> inMemorySources = new ArrayList<>();
  Map<String, List<ColumnLineage.InputField>> fieldLineage = new LinkedHashMap<>();
  List<ColumnLineage.InputField> datasetLineage = new ArrayList<>();
  boolean lineageTruncated;
  Long rowCount;
  Long bytes;
  Long files;
  /** Time spent reading this execution's plan on the listener bus. */
  long readNanos;

  boolean writes() {
    return output != null;
  }
}
