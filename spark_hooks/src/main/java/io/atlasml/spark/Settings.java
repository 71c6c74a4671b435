package io.atlasml.spark;

import java.io.File;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The listener's configuration, read once from the {@code spark.atlasml.*} keys. */
final class Settings {
  static final String PREFIX = "spark.atlasml.";
  private static final Logger LOG = LoggerFactory.getLogger("io.atlasml.spark");

  /**
   * Thread-local Spark property (set with {@code SparkContext.setLocalProperty}) that turns
   * capture off for the executions of that thread while it is {@code "off"}: atlas-ml's own
   * Spark ML save sets it so that a model's internal metadata and data files are not recorded
   * as ETL writes, and users can set it around scratch writes.
   */
  static final String CAPTURE_PROPERTY = "atlasml.capture";

  final String transport;
  final String httpUrl;
  final int httpTimeoutMs;
  final String httpApiKey;
  final File spoolDir;
  final int queueCapacity;
  final long flushTimeoutMs;
  final int lineageNodeBudget;
  final String jobNamespace;
  final String hiveNamespace;
  final String appName;
  final String appId;
  final String master;
  final String sparkVersion;
  final Map<String, String> sparkProperties = new LinkedHashMap<>();
  /**
   * Who owns the job and which code ran it ({@code spark.atlasml.team}, {@code .owner}, {@code
   * .code.reference}, {@code .code.revision}), by event field name; only the keys that are set.
   */
  final Map<String, String> provenance = new LinkedHashMap<>();

  Settings(SparkConf conf) {
    transport = conf.get(PREFIX + "transport", "spool").trim().toLowerCase(java.util.Locale.ROOT);
    String url = conf.get(PREFIX + "http.url", "").trim();
    httpUrl = withoutUserInfo(url);
    if (!httpUrl.equals(url)) {
      LOG.warn(
          "atlas-ml: ignoring the user info in {}http.url ({}): the listener never sends it, and"
              + " Spark shows its conf unredacted in the UI and event logs. Give the endpoint's"
              + " token in {}http.token or ATLAS_ML_HTTP_TOKEN.",
          PREFIX,
          httpUrl,
          PREFIX);
    }
    httpTimeoutMs = (int) conf.getLong(PREFIX + "http.timeout.ms", 5000L);
    httpApiKey = httpToken(conf);
    spoolDir = new File(conf.get(PREFIX + "spool.dir", defaultSpoolDir()));
    queueCapacity = Math.max(1, conf.getInt(PREFIX + "queue.capacity", 1000));
    flushTimeoutMs = conf.getLong(PREFIX + "flush.timeout.ms", 10000L);
    lineageNodeBudget = Math.max(1, conf.getInt(PREFIX + "lineage.maxNodes", 5000));
    jobNamespace = conf.get(PREFIX + "namespace", "spark");
    String metastore = conf.get("spark.hadoop.hive.metastore.uris", "").split(",")[0].trim();
    hiveNamespace =
        conf.get(
            PREFIX + "hive.namespace",
            metastore.isEmpty() ? "" : metastore.replaceFirst("^thrift://", "hive://"));
    appName = conf.get("spark.app.name", "spark");
    appId = conf.get("spark.app.id", "");
    master = conf.get("spark.master", "");
    sparkVersion = org.apache.spark.package$.MODULE$.SPARK_VERSION();
    String[][] provenanceKeys = {
      {"team", "team"}, {"owner", "owner"},
      {"code.reference", "codeReference"}, {"code.revision", "codeRevision"}
    };
    for (String[] key : provenanceKeys) {
      String value = conf.get(PREFIX + key[0], "").trim();
      if (!value.isEmpty()) {
        provenance.put(key[1], value.length() > 1000 ? value.substring(0, 1000) : value);
      }
    }
    for (String key : new String[] {"spark.master", "spark.app.name", "spark.submit.deployMode"}) {
      if (conf.contains(key)) {
        sparkProperties.put(key, conf.get(key));
      }
    }
  }

  /**
   * Namespace of catalog tables: the Hive metastore ({@code hive://host:port}) when one is
   * configured, else the Spark catalog's name ({@code spark_catalog}).
   */
  String tableNamespace(String catalog) {
    if (!hiveNamespace.isEmpty() && "spark_catalog".equals(catalog)) {
      return hiveNamespace;
    }
    return catalog;
  }

  /**
   * The endpoint's bearer token: {@code http.token} (Spark's default {@code
   * spark.redaction.regex} hides keys naming a token), else the driver's {@code
   * ATLAS_ML_HTTP_TOKEN}, else the older {@code http.apiKey}, which Spark does not redact.
   */
  private static String httpToken(SparkConf conf) {
    String token = conf.get(PREFIX + "http.token", "").trim();
    if (token.isEmpty()) {
      String env = System.getenv("ATLAS_ML_HTTP_TOKEN");
      token = env == null ? "" : env.trim();
    }
    if (token.isEmpty()) {
      token = conf.get(PREFIX + "http.apiKey", "").trim();
      if (!token.isEmpty()) {
        LOG.warn(
            "atlas-ml: {}http.apiKey is shown unredacted in the Spark UI and event logs; give the"
                + " token in {}http.token (redacted by Spark) or ATLAS_ML_HTTP_TOKEN instead.",
            PREFIX,
            PREFIX);
      }
    }
    return token;
  }

  /** {@code url} without the {@code user:password@} of its authority. */
  static String withoutUserInfo(String url) {
    int scheme = url.indexOf("://");
    if (scheme < 0) {
      return url;
    }
    int hostStart = scheme + 3;
    int end = url.length();
    for (char c : new char[] {'/', '?', '#'}) {
      int i = url.indexOf(c, hostStart);
      if (i >= 0 && i < end) {
        end = i;
      }
    }
    int at = url.lastIndexOf('@', end - 1);
    return at >= hostStart ? url.substring(0, hostStart) + url.substring(at + 1) : url;
  }

  /**
   * The spool {@code atlas-ml push} reads by default: {@code $ATLAS_ML_SPOOL}, else {@code spool}
   * under atlas-ml's cache.
   */
  static String defaultSpoolDir() {
    String spool = System.getenv("ATLAS_ML_SPOOL");
    if (spool != null && !spool.isEmpty()) {
      return expandHome(spool);
    }
    String root = System.getenv("ATLAS_ML_CACHE");
    if (root == null || root.isEmpty()) {
      String xdg = System.getenv("XDG_CACHE_HOME");
      String base = xdg == null || xdg.isEmpty() ? System.getProperty("user.home") + "/.cache" : xdg;
      root = base + "/atlas-ml";
    }
    return new File(expandHome(root), "spool").getPath();
  }

  private static String expandHome(String path) {
    return path.startsWith("~") ? System.getProperty("user.home") + path.substring(1) : path;
  }
}
