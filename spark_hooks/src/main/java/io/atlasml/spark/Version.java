package io.atlasml.spark;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * The listener's version, reported in the processing_engine facet. It is atlas-ml's version,
 * stamped into the jar as {@code version.txt} when atlas-ml builds it (one source:
 * atlas_ml/_version.py).
 */
final class Version {
  static final String VALUE = read();

  private Version() {}

  private static String read() {
    try (InputStream in = Version.class.getResourceAsStream("version.txt")) {
      if (in == null) {
        return "unknown";
      }
      // Java 8 bytecode for Spark 3.5: no InputStream.readAllBytes
      String line =
          new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
      return line == null ? "unknown" : line.trim();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
