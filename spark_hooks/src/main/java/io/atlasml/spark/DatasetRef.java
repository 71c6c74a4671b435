package io.atlasml.spark;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A dataset named the way OpenLineage names datasets: {@code namespace} is where the data lives
 * (a file system, bucket, database server, metastore), {@code name} is its path or table there.
 */
final class DatasetRef {
  final String namespace;
  final String name;
  /** A catalog table that this physical dataset backs ({@code db.table}), if known. */
  String table;
  /** Namespace of {@link #table} ({@code hive://host:port} or the catalog name). */
  String tableNamespace;
  /** Columns as (name, type) pairs, if known. */
  List<String[]> schema = new ArrayList<>();
  String dataSourceUri;
  /**
   * What the file system says about the path, when the plan knows it without a call to the file
   * system (Spark's file index has listed it already): null when unknown. Written as the
   * {@code atlasml_fileStatus} facet, which becomes {@code hdfs_path.isFile/fileSize/...}.
   */
  Boolean isFile;

  Long fileSize;
  Long modifiedTime;
  Integer replicas;

  DatasetRef(String namespace, String name) {
    this.namespace = namespace;
    this.name = name;
  }

  String key() {
    return namespace + "|" + name;
  }

  /**
   * Names a file-system location as OpenLineage's naming spec does: {@code file} + absolute
   * path; an object store's {@code s3://bucket} / {@code gs://bucket} + key without the leading
   * slash ({@code s3a}/{@code s3n} data is {@code s3} data); {@code scheme://authority} + path
   * otherwise ({@code hdfs://nn:port}; ADLS keeps its {@code container@account}). User info
   * (credentials) is dropped. Python's {@code atlas_ml.naming.openlineage_location} follows the
   * same rule: tests/data/naming/object_stores.json holds the cases both are checked against.
   */
  static DatasetRef fromUri(URI uri) {
    String scheme = uri.getScheme() == null ? "file" : uri.getScheme().toLowerCase(Locale.ROOT);
    String path = uri.getPath() == null ? uri.toString() : uri.getPath();
    if (path.length() > 1 && path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    DatasetRef ref;
    if ("file".equals(scheme)) {
      ref = new DatasetRef("file", path);
    } else if (scheme.equals("s3") || scheme.equals("s3a") || scheme.equals("s3n")) {
      ref = new DatasetRef("s3://" + withoutUserInfo(uri.getAuthority()), stripLeadingSlash(path));
    } else if ("gs".equals(scheme)) {
      ref = new DatasetRef("gs://" + withoutUserInfo(uri.getAuthority()), stripLeadingSlash(path));
    } else if (uri.getAuthority() == null) {
      ref = new DatasetRef(scheme, path);
    } else if (scheme.startsWith("abfs") || scheme.startsWith("wasb")) {
      // abfss://container@account.dfs.core.windows.net: the "user info" is the container
      ref = new DatasetRef(scheme + "://" + uri.getAuthority(), path);
    } else {
      ref = new DatasetRef(scheme + "://" + withoutUserInfo(uri.getAuthority()), path);
    }
    ref.dataSourceUri = ref.namespace;
    return ref;
  }

  static DatasetRef fromPath(String path) {
    try {
      return fromUri(new org.apache.hadoop.fs.Path(path).toUri());
    } catch (Throwable e) {
      return new DatasetRef("file", path);
    }
  }

  /**
   * Names a JDBC table. Credentials never leave this method: user info in the authority and
   * every {@code ;key=value} / {@code ?key=value} property of the URL are dropped (they can carry
   * user and password), and the caller never passes the user/password options in.
   */
  static DatasetRef fromJdbc(String url, String table) {
    String namespace = sanitizeJdbcUrl(url);
    String name = table == null ? "" : table.trim();
    String scheme = namespace.contains(":") ? namespace.substring(0, namespace.indexOf(':')) : "";
    if ("postgresql".equals(scheme) || "postgres".equals(scheme)) {
      namespace = "postgres" + namespace.substring(scheme.length());
    }
    int slash = namespace.indexOf("//") >= 0 ? namespace.indexOf('/', namespace.indexOf("//") + 2) : -1;
    if (slash > 0) {
      String database = namespace.substring(slash + 1);
      namespace = namespace.substring(0, slash);
      if (!database.isEmpty()) {
        name = database + "." + name;
      }
    }
    DatasetRef ref = new DatasetRef(namespace, name);
    ref.dataSourceUri = namespace;
    return ref;
  }

  static String sanitizeJdbcUrl(String url) {
    if (url == null) {
      return "jdbc";
    }
    String u = url.trim();
    if (u.regionMatches(true, 0, "jdbc:", 0, 5)) {
      u = u.substring(5);
    }
    int cut = indexOfAny(u, ';', '?', '&');
    if (cut >= 0) {
      u = u.substring(0, cut);
    }
    int authority = u.indexOf("//");
    if (authority >= 0) {
      int at = u.indexOf('@', authority);
      int end = u.indexOf('/', authority + 2);
      if (at > 0 && (end < 0 || at < end)) {
        u = u.substring(0, authority + 2) + u.substring(at + 1);
      }
    }
    return u;
  }

  private static int indexOfAny(String s, char... chars) {
    int best = -1;
    for (char c : chars) {
      int i = s.indexOf(c);
      if (i >= 0 && (best < 0 || i < best)) {
        best = i;
      }
    }
    return best;
  }

  private static String withoutUserInfo(String authority) {
    if (authority == null) {
      return "";
    }
    int at = authority.lastIndexOf('@');
    return at >= 0 ? authority.substring(at + 1) : authority;
  }

  private static String stripLeadingSlash(String p) {
    return p.startsWith("/") ? p.substring(1) : p;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DatasetRef && key().equals(((DatasetRef) o).key());
  }

  @Override
  public int hashCode() {
    return Objects.hash(namespace, name);
  }
}
