package io.atlasml.spark;

/**
 * How the listener names data, callable from outside the package: the Spark tests call it
 * through py4j to hold the JVM and Python to one naming rule (tests/data/naming/).
 */
public final class Naming {
  private Naming() {}

  /** {@code {namespace, name}} of a file-system or object-store location, as events carry it. */
  public static String[] openLineageName(String location) {
    DatasetRef ref = DatasetRef.fromPath(location);
    return new String[] {ref.namespace, ref.name};
  }
}
