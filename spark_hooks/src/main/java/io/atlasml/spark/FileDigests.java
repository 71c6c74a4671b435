package io.atlasml.spark;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;

/**
 * The sha256 of many files, read inside Spark tasks through Hadoop's {@code FileSystem}.
 *
 * <p>A platform's training tables are terabytes on HDFS or S3: digesting every byte on the
 * driver is bounded by one machine. Here each task opens its files on an executor, with the
 * driver's Hadoop configuration (credentials, file system settings) sent along, and streams
 * them through SHA-256; only the digests travel back. Python builds the manifest (relative
 * paths, sorting, root hash) from them, exactly as for files it hashed itself, so the root hash
 * is the same wherever the bytes were read.
 */
public final class FileDigests {
  /** Bumped when the contract with Python changes; Python checks it before using the class. */
  public static final String VERSION = "1";

  private static final int BUFFER = 1 << 20;

  private FileDigests() {}

  /**
   * The sha256 (hex) of every file, one task per group.
   *
   * @param groups each element is one task's files, as newline-separated fully qualified paths
   * @return lines {@code "<sha256 hex>\t<path>"}, in no particular order
   */
  public static List<String> sha256(JavaSparkContext context, String[] groups) {
    HashMap<String, String> settings = new HashMap<>();
    for (Map.Entry<String, String> entry : context.hadoopConfiguration()) {
      settings.put(entry.getKey(), entry.getValue());
    }
    Broadcast<HashMap<String, String>> hadoop = context.broadcast(settings);
    try {
      return context
          .parallelize(Arrays.asList(groups), Math.max(1, groups.length))
          .mapPartitions(new DigestTask(hadoop))
          .collect();
    } finally {
      hadoop.destroy();
    }
  }

  /** One task: every file of its groups, read and digested in turn. */
  private static final class DigestTask implements FlatMapFunction<Iterator<String>, String> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<HashMap<String, String>> hadoop;

    DigestTask(Broadcast<HashMap<String, String>> hadoop) {
      this.hadoop = hadoop;
    }

    @Override
    public Iterator<String> call(Iterator<String> groups) throws IOException {
      Configuration conf = new Configuration(false);
      for (Map.Entry<String, String> entry : hadoop.value().entrySet()) {
        conf.set(entry.getKey(), entry.getValue());
      }
      List<String> lines = new ArrayList<>();
      byte[] buffer = new byte[BUFFER];
      while (groups.hasNext()) {
        for (String name : groups.next().split("\n")) {
          if (!name.isEmpty()) {
            Path path = new Path(name);
            lines.add(hex(digest(path.getFileSystem(conf), path, buffer)) + "\t" + name);
          }
        }
      }
      return lines.iterator();
    }
  }

  private static byte[] digest(FileSystem fs, Path path, byte[] buffer) throws IOException {
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IOException("this JVM has no SHA-256", e);
    }
    try (InputStream in = fs.open(path)) {
      int read;
      while ((read = in.read(buffer)) > 0) {
        sha256.update(buffer, 0, read);
      }
    }
    return sha256.digest();
  }

  private static String hex(byte[] bytes) {
    StringBuilder text = new StringBuilder(bytes.length * 2);
    for (byte b : bytes) {
      text.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
    }
    return text.toString();
  }
}
