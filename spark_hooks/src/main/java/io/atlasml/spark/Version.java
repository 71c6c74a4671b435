package io.atlasml.spark;

/** The listener's version, reported in the processing_engine facet. */
final class Version {
  static final String VALUE = "0.1.0";

  private Version() {}
}
