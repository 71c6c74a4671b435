package io.atlasml.spark;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reflective access to Spark plan nodes. Node classes, field names and Scala collection types
 * differ between Spark 3.5 (Scala 2.12) and 4.x (Scala 2.13), and optional modules (spark-hive,
 * Delta, Iceberg) may be absent; reading them by name keeps one source tree for every line and
 * turns a missing method into "unknown" instead of a NoSuchMethodError on the listener bus.
 */
final class Reflect {
  private static final Map<String, Optional<Method>> METHODS = new ConcurrentHashMap<>();

  private Reflect() {}

  static String name(Object o) {
    return o == null ? "" : o.getClass().getSimpleName();
  }

  /** Calls the public no-argument method {@code method} or returns null if it has none or fails. */
  static Object call(Object target, String method) {
    if (target == null) {
      return null;
    }
    Class<?> type = target.getClass();
    Optional<Method> found =
        METHODS.computeIfAbsent(
            type.getName() + '#' + method,
            k -> {
              try {
                Method m = type.getMethod(method);
                m.setAccessible(true);
                return Optional.of(m);
              } catch (Throwable e) {
                return Optional.empty();
              }
            });
    if (!found.isPresent()) {
      return null;
    }
    try {
      return found.get().invoke(target);
    } catch (Throwable e) {
      return null;
    }
  }

  /** The first of several candidate methods that answers (names changed between lines). */
  static Object first(Object target, String... methods) {
    for (String m : methods) {
      Object v = unwrap(call(target, m));
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  /** Unwraps a {@code scala.Option}; other values pass through. */
  static Object unwrap(Object value) {
    if (value instanceof scala.Option) {
      scala.Option<?> opt = (scala.Option<?>) value;
      return opt.isDefined() ? opt.get() : null;
    }
    return value;
  }

  /** The elements of a Scala or Java collection as a Java list (empty for anything else). */
  static List<Object> list(Object value) {
    if (value == null) {
      return Collections.emptyList();
    }
    List<Object> out = new ArrayList<>();
    if (value instanceof scala.collection.Iterable) {
      scala.collection.Iterator<?> it = ((scala.collection.Iterable<?>) value).iterator();
      while (it.hasNext()) {
        out.add(it.next());
      }
    } else if (value instanceof Iterable) {
      for (Object o : (Iterable<?>) value) {
        out.add(o);
      }
    } else if (value instanceof scala.Option) {
      Object v = unwrap(value);
      if (v != null) {
        out.add(v);
      }
    }
    return out;
  }

  /** A Scala {@code Map[String, String]} (e.g. data source options) as a Java map. */
  static Map<String, String> stringMap(Object scalaMap) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Object entry : list(scalaMap)) {
      if (entry instanceof scala.Tuple2) {
        scala.Tuple2<?, ?> t = (scala.Tuple2<?, ?>) entry;
        out.put(String.valueOf(t._1()), String.valueOf(t._2()));
      }
    }
    return out;
  }

  static String string(Object value) {
    Object v = unwrap(value);
    return v == null ? null : v.toString();
  }

  /** Children of a plan or expression node. */
  static List<Object> children(Object node) {
    return list(call(node, "children"));
  }
}
