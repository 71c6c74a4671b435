package io.atlasml.spark;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Column-level lineage of one write: which input columns each output column was computed from
 * (DIRECT: IDENTITY, TRANSFORMATION, AGGREGATION) and which input columns influenced the rows
 * without being copied (INDIRECT: JOIN, FILTER, GROUP_BY, SORT, WINDOW, CONDITIONAL), following
 * the OpenLineage column lineage facet.
 *
 * <p>It follows expression ids: every attribute of a leaf relation is an origin; Project,
 * Aggregate, Window, Generate, Expand and Union create new ids from old ones, Deduplicate turns
 * its non-key columns into aggregations; every other node passes ids through unchanged, so
 * unknown unary nodes cost nothing and lose nothing.
 */
final class ColumnLineage {
  private static final String[] DIRECT_RANK = {"IDENTITY", "TRANSFORMATION", "AGGREGATION"};
  private static final java.util.Set<String> MASKING =
      new java.util.HashSet<>(
          java.util.Arrays.asList("Sha1", "Sha2", "Md5", "Murmur3Hash", "XxHash64", "Crc32"));

  /** One input column and how it reached an output column (or the dataset as a whole). */
  static final class InputField {
    final DatasetRef dataset;
    final String field;
    /** "TYPE/SUBTYPE" -> masking */
    final Map<String, Boolean> transformations = new LinkedHashMap<>();

    InputField(DatasetRef dataset, String field) {
      this.dataset = dataset;
      this.field = field;
    }

    String key() {
      return dataset.key() + "|" + field;
    }
  }

  /** Origins of each expression id: input column key -> (direct subtype, masking). */
  private final Map<Object, Map<String, Origin>> origins = new HashMap<>();
  private final Map<String, InputField> indirect = new LinkedHashMap<>();
  private final int budget;
  private int visited;
  boolean truncated;

  private static final class Origin {
    final DatasetRef dataset;
    final String field;
    final int rank;
    final boolean masking;

    Origin(DatasetRef dataset, String field, int rank, boolean masking) {
      this.dataset = dataset;
      this.field = field;
      this.rank = rank;
      this.masking = masking;
    }
  }

  ColumnLineage(int nodeBudget) {
    this.budget = nodeBudget;
  }

  /**
   * Registers the columns of a leaf relation as origins; a relation over several datasets (a
   * glob matching several files) makes each column come from the same column of each.
   */
  void relation(Object plan, List<DatasetRef> datasets) {
    for (Object attr : Reflect.list(Reflect.call(plan, "output"))) {
      Object id = Reflect.call(attr, "exprId");
      String name = Reflect.string(Reflect.call(attr, "name"));
      if (id != null && name != null) {
        Map<String, Origin> m = new LinkedHashMap<>();
        for (DatasetRef dataset : datasets) {
          m.put(dataset.key() + "|" + name, new Origin(dataset, name, 0, false));
        }
        origins.put(id, m);
      }
    }
  }

  /** Accounts for one (already visited children) plan node. */
  void node(Object plan) {
    if (++visited > budget) {
      truncated = true;
      return;
    }
    String kind = Reflect.name(plan);
    switch (kind) {
      case "Project":
        named(Reflect.call(plan, "projectList"));
        break;
      case "Aggregate":
        named(Reflect.call(plan, "aggregateExpressions"));
        indirectFrom(Reflect.call(plan, "groupingExpressions"), "GROUP_BY");
        break;
      case "Window":
        named(Reflect.call(plan, "windowExpressions"));
        indirectFrom(Reflect.call(plan, "partitionSpec"), "WINDOW");
        indirectFrom(Reflect.call(plan, "orderSpec"), "WINDOW");
        break;
      case "Join":
        indirectFrom(Reflect.call(plan, "condition"), "JOIN");
        break;
      case "Intersect":
      case "Except":
        // a semi (anti) join on every column: both sides decide which rows remain
        for (Object kid : Reflect.children(plan)) {
          indirectFrom(Reflect.call(kid, "output"), "JOIN");
        }
        break;
      case "Deduplicate":
        deduplicate(plan);
        break;
      case "Distinct":
        indirectFrom(Reflect.call(plan, "output"), "GROUP_BY");
        break;
      case "Filter":
        indirectFrom(Reflect.call(plan, "condition"), "FILTER");
        break;
      case "Sort":
        indirectFrom(Reflect.call(plan, "order"), "SORT");
        break;
      case "Union":
        union(plan);
        break;
      case "Generate":
        generate(plan);
        break;
      case "Expand":
        expand(plan);
        break;
      default:
        break;
    }
  }

  /** Lineage of the given output attributes, named by the written column names. */
  Map<String, List<InputField>> fields(List<Object> outputAttrs, List<String> outputNames) {
    Map<String, List<InputField>> out = new LinkedHashMap<>();
    for (int i = 0; i < outputAttrs.size(); i++) {
      Object attr = outputAttrs.get(i);
      String name =
          i < outputNames.size() ? outputNames.get(i) : Reflect.string(Reflect.call(attr, "name"));
      Map<String, Origin> o = origins.get(Reflect.call(attr, "exprId"));
      if (name == null || o == null || o.isEmpty()) {
        continue;
      }
      List<InputField> inputs = new ArrayList<>();
      for (Origin origin : o.values()) {
        InputField f = new InputField(origin.dataset, origin.field);
        f.transformations.put("DIRECT/" + DIRECT_RANK[origin.rank], origin.masking);
        inputs.add(f);
      }
      out.put(name, inputs);
    }
    return out;
  }

  List<InputField> datasetLevel() {
    return new ArrayList<>(indirect.values());
  }

  private void named(Object namedExpressions) {
    for (Object ne : Reflect.list(namedExpressions)) {
      if (!"Alias".equals(Reflect.name(ne))) {
        continue; // a bare attribute keeps its id and its origins
      }
      Object id = Reflect.call(ne, "exprId");
      Object child = withoutNoOpCasts(Reflect.call(ne, "child"));
      boolean bare = isAttribute(child);
      Map<String, Origin> result = new LinkedHashMap<>();
      collect(child, bare ? 0 : 1, false, result);
      if (id != null) {
        origins.put(id, result);
      }
    }
  }

  /** Walks an expression: direct references feed {@code into}, predicates become INDIRECT. */
  private void collect(Object expr, int rank, boolean masking, Map<String, Origin> into) {
    if (expr == null) {
      return;
    }
    String kind = Reflect.name(expr);
    if (isAttribute(expr)) {
      Map<String, Origin> o = origins.get(Reflect.call(expr, "exprId"));
      if (o != null) {
        for (Origin origin : o.values()) {
          String key = origin.dataset.key() + "|" + origin.field;
          int r = Math.max(rank, origin.rank);
          Origin prev = into.get(key);
          if (prev == null || prev.rank < r) {
            into.put(key, new Origin(origin.dataset, origin.field, r, masking || origin.masking));
          }
        }
      }
      return;
    }
    if ("WindowSpecDefinition".equals(kind)) {
      // its partition and order columns shape the rows, they are not copied into the value
      indirectFrom(Reflect.call(expr, "partitionSpec"), "WINDOW");
      indirectFrom(Reflect.call(expr, "orderSpec"), "WINDOW");
      return;
    }
    List<Object> children = Reflect.children(expr);
    if ("AggregateExpression".equals(kind)) {
      rank = 2;
    } else if (MASKING.contains(kind)) {
      masking = true;
    } else if ("If".equals(kind) && !children.isEmpty()) {
      indirectFrom(children.get(0), "CONDITIONAL");
      children = children.subList(1, children.size());
    } else if ("CaseWhen".equals(kind)) {
      for (Object branch : Reflect.list(Reflect.call(expr, "branches"))) {
        if (branch instanceof scala.Tuple2) {
          indirectFrom(((scala.Tuple2<?, ?>) branch)._1(), "CONDITIONAL");
          collect(((scala.Tuple2<?, ?>) branch)._2(), Math.max(rank, 1), masking, into);
        }
      }
      collect(Reflect.unwrap(Reflect.call(expr, "elseValue")), Math.max(rank, 1), masking, into);
      return;
    }
    for (Object c : children) {
      collect(c, Math.max(rank, 1), masking, into);
    }
  }

  private void indirectFrom(Object expressions, String subtype) {
    List<Object> exprs = Reflect.list(expressions);
    if (exprs.isEmpty() && expressions != null && !(expressions instanceof scala.Option)) {
      exprs = java.util.Collections.singletonList(expressions);
    }
    for (Object e : exprs) {
      Map<String, Origin> refs = new LinkedHashMap<>();
      collect(e, 1, false, refs);
      for (Origin o : refs.values()) {
        InputField f =
            indirect.computeIfAbsent(
                o.dataset.key() + "|" + o.field, k -> new InputField(o.dataset, o.field));
        f.transformations.put("INDIRECT/" + subtype, o.masking);
      }
    }
  }

  /**
   * dropDuplicates(keys): the keys group the rows, and every other column keeps the value of
   * one row of its group (Spark runs it as {@code first()}), an aggregation.
   */
  private void deduplicate(Object plan) {
    List<Object> keys = Reflect.list(Reflect.call(plan, "keys"));
    indirectFrom(Reflect.call(plan, "keys"), "GROUP_BY");
    java.util.Set<Object> keyIds = new java.util.HashSet<>();
    for (Object k : keys) {
      keyIds.add(Reflect.call(k, "exprId"));
    }
    for (Object attr : Reflect.list(Reflect.call(plan, "output"))) {
      Object id = Reflect.call(attr, "exprId");
      if (!keyIds.contains(id)) {
        Map<String, Origin> picked = new LinkedHashMap<>();
        collect(attr, 2, false, picked);
        origins.put(id, picked);
      }
    }
  }

  /**
   * Drops casts to the type the value already has: a view casts every column to its declared
   * type, which leaves a column copied through it unchanged.
   */
  private static Object withoutNoOpCasts(Object expr) {
    while ("Cast".equals(Reflect.name(expr))) {
      Object child = Reflect.call(expr, "child");
      Object type = Reflect.call(expr, "dataType");
      if (type == null || !type.equals(Reflect.call(child, "dataType"))) {
        break;
      }
      expr = child;
    }
    return expr;
  }

  private void union(Object plan) {
    List<Object> kids = Reflect.children(plan);
    if (kids.isEmpty()) {
      return;
    }
    List<Object> first = Reflect.list(Reflect.call(kids.get(0), "output"));
    List<Object> unionOut = Reflect.list(Reflect.call(plan, "output"));
    for (int i = 0; i < first.size(); i++) {
      Map<String, Origin> merged = new LinkedHashMap<>();
      for (Object kid : kids) {
        List<Object> out = Reflect.list(Reflect.call(kid, "output"));
        if (i < out.size()) {
          collect(out.get(i), 0, false, merged);
        }
      }
      origins.put(Reflect.call(first.get(i), "exprId"), merged);
      if (i < unionOut.size()) {
        origins.put(Reflect.call(unionOut.get(i), "exprId"), merged);
      }
    }
  }

  private void generate(Object plan) {
    Map<String, Origin> refs = new LinkedHashMap<>();
    collect(Reflect.call(plan, "generator"), 1, false, refs);
    for (Object attr : Reflect.list(Reflect.call(plan, "generatorOutput"))) {
      origins.put(Reflect.call(attr, "exprId"), refs);
    }
  }

  private void expand(Object plan) {
    List<Object> out = Reflect.list(Reflect.call(plan, "output"));
    List<Object> projections = Reflect.list(Reflect.call(plan, "projections"));
    for (int i = 0; i < out.size(); i++) {
      Map<String, Origin> merged = new LinkedHashMap<>();
      for (Object projection : projections) {
        List<Object> exprs = Reflect.list(projection);
        if (i < exprs.size()) {
          collect(exprs.get(i), isAttribute(exprs.get(i)) ? 0 : 1, false, merged);
        }
      }
      Object id = Reflect.call(out.get(i), "exprId");
      if (!origins.containsKey(id)) {
        origins.put(id, merged);
      }
    }
  }

  private static boolean isAttribute(Object expr) {
    return "AttributeReference".equals(Reflect.name(expr));
  }
}
