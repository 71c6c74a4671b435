package io.atlasml.spark;

import java.io.Serializable;
import java.math.BigDecimal;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.XXH64;
import org.apache.spark.sql.execution.QueryExecution;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.CharType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.NullType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;
import org.apache.spark.sql.types.VarcharType;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * The logical fingerprint ({@value #ALGORITHM}) of a query's rows, in one pass in the JVM.
 *
 * <p>{@code atlas_ml.fingerprints.logical_spark} computes the same values with SQL built-ins,
 * where Spark has no wrapping 64-bit sum and each hash must be summed as limbs. Here each task
 * reads its rows once and keeps the 128-bit row sum and the 64-bit column sums in wrapping
 * longs, which is about twice as fast. The encoding's constants (type seeds, null hashes, row
 * seeds) are passed in from Python, their one home; the hashes are Spark's own {@code XXH64},
 * the function behind {@code xxhash64}, so both paths agree bit for bit.
 */
public final class LogicalFingerprint {
  /** The encoding this class implements; Python checks it before using the class. */
  public static final String ALGORITHM = "atlas-logical-v1";

  private static final int INT64 = 0;
  private static final int INT32 = 1;
  private static final int INT16 = 2;
  private static final int INT8 = 3;
  private static final int BOOL = 4;
  private static final int FLOAT64 = 5;
  private static final int FLOAT32 = 6;
  private static final int TEXT = 7;
  private static final int BYTES = 8;
  private static final int DECIMAL = 9;
  private static final int ALWAYS_NULL = 10;

  private LogicalFingerprint() {}

  /**
   * Row count, then the row-hash sum (high word, low word), then one sum per column; every sum
   * is modulo 2**64 per word, read as unsigned by the caller.
   *
   * @param cellSeeds per column, the XXH64 seed of its logical type (after Spark's type literal)
   * @param nullHashes per column, the hash of a null cell of its logical type
   */
  public static long[] sums(
      QueryExecution query, long[] cellSeeds, long[] nullHashes, long rowSeedHi, long rowSeedLo) {
    Encoding encoding =
        new Encoding(query.analyzed().schema(), cellSeeds, nullHashes, rowSeedHi, rowSeedLo);
    List<long[]> partials =
        query.toRdd().toJavaRDD().mapPartitions(new PartitionSums(encoding)).collect();
    long[] total = new long[3 + encoding.columns()];
    for (long[] partial : partials) {
      add(total, partial);
    }
    return total;
  }

  private static void add(long[] total, long[] partial) {
    total[0] += partial[0];
    long low = total[2] + partial[2];
    total[1] += partial[1] + (Long.compareUnsigned(low, partial[2]) < 0 ? 1 : 0);
    total[2] = low;
    for (int c = 3; c < total.length; c++) {
      total[c] += partial[c];
    }
  }

  /** How each column's cells are read and hashed: fixed on the driver, shipped to the tasks. */
  static final class Encoding implements Serializable {
    private static final long serialVersionUID = 1L;

    final int[] readers;
    final int[] precision;
    final int[] scale;
    final long[] cellSeeds;
    final long[] nullHashes;
    final long rowSeedHi;
    final long rowSeedLo;

    Encoding(
        StructType schema, long[] cellSeeds, long[] nullHashes, long rowSeedHi, long rowSeedLo) {
      StructField[] fields = schema.fields();
      if (cellSeeds.length != fields.length || nullHashes.length != fields.length) {
        throw new IllegalArgumentException(
            fields.length + " columns but " + cellSeeds.length + " seeds");
      }
      readers = new int[fields.length];
      precision = new int[fields.length];
      scale = new int[fields.length];
      for (int c = 0; c < fields.length; c++) {
        DataType type = fields[c].dataType();
        readers[c] = reader(fields[c].name(), type);
        if (type instanceof DecimalType) {
          precision[c] = ((DecimalType) type).precision();
          scale[c] = ((DecimalType) type).scale();
        }
      }
      this.cellSeeds = cellSeeds;
      this.nullHashes = nullHashes;
      this.rowSeedHi = rowSeedHi;
      this.rowSeedLo = rowSeedLo;
    }

    int columns() {
      return readers.length;
    }

    private static int reader(String name, DataType type) {
      if (type instanceof LongType
          || type instanceof TimestampType
          || type instanceof TimestampNTZType) {
        return INT64; // timestamps are microseconds since the epoch internally
      }
      if (type instanceof IntegerType || type instanceof DateType) {
        return INT32; // dates are days since the epoch internally
      }
      if (type instanceof ShortType) {
        return INT16;
      }
      if (type instanceof ByteType) {
        return INT8;
      }
      if (type instanceof BooleanType) {
        return BOOL;
      }
      if (type instanceof DoubleType) {
        return FLOAT64;
      }
      if (type instanceof FloatType) {
        return FLOAT32;
      }
      if (type instanceof StringType || type instanceof CharType || type instanceof VarcharType) {
        return TEXT;
      }
      if (type instanceof BinaryType) {
        return BYTES;
      }
      if (type instanceof DecimalType) {
        return DECIMAL;
      }
      if (type instanceof NullType) {
        return ALWAYS_NULL;
      }
      throw new IllegalArgumentException(
          "column " + name + " has type " + type.simpleString() + ", which is not fingerprinted");
    }

    long cell(InternalRow row, int c) {
      if (row.isNullAt(c)) {
        return nullHashes[c];
      }
      long seed = cellSeeds[c];
      switch (readers[c]) {
        case INT64:
          return XXH64.hashLong(row.getLong(c), seed);
        case INT32:
          return XXH64.hashLong(row.getInt(c), seed);
        case INT16:
          return XXH64.hashLong(row.getShort(c), seed);
        case INT8:
          return XXH64.hashLong(row.getByte(c), seed);
        case BOOL:
          return XXH64.hashLong(row.getBoolean(c) ? 1L : 0L, seed);
        case FLOAT64:
          return XXH64.hashLong(canonicalBits(row.getDouble(c)), seed);
        case FLOAT32:
          return XXH64.hashLong(canonicalBits(row.getFloat(c)), seed);
        case TEXT:
          return XXH64.hashUTF8String(row.getUTF8String(c), seed);
        case BYTES:
          return hashBytes(row.getBinary(c), seed);
        case DECIMAL:
          return hashBytes(
              canonicalDecimal(row.getDecimal(c, precision[c], scale[c]).toJavaBigDecimal()),
              seed);
        default:
          return nullHashes[c];
      }
    }
  }

  /** IEEE-754 bits with -0.0 folded into 0.0 and every NaN into the canonical NaN. */
  static long canonicalBits(double value) {
    return value == 0.0 ? 0L : Double.doubleToLongBits(value);
  }

  /** Plain decimal text without trailing fractional zeros, UTF-8: 1.50 gives "1.5". */
  static byte[] canonicalDecimal(BigDecimal value) {
    String text = value.toPlainString();
    if (text.indexOf('.') >= 0) {
      int end = text.length();
      while (text.charAt(end - 1) == '0') {
        end--;
      }
      if (text.charAt(end - 1) == '.') {
        end--;
      }
      text = text.substring(0, end);
    }
    return UTF8String.fromString(text).getBytes();
  }

  private static long hashBytes(byte[] bytes, long seed) {
    return XXH64.hashUnsafeBytes(bytes, Platform.BYTE_ARRAY_OFFSET, bytes.length, seed);
  }

  /** One task's partial sums over its rows. */
  static final class PartitionSums implements FlatMapFunction<Iterator<InternalRow>, long[]> {
    private static final long serialVersionUID = 1L;

    private final Encoding encoding;

    PartitionSums(Encoding encoding) {
      this.encoding = encoding;
    }

    @Override
    public Iterator<long[]> call(Iterator<InternalRow> rows) {
      int columns = encoding.columns();
      long[] sums = new long[3 + columns];
      long count = 0;
      long sumHi = 0;
      long sumLo = 0;
      while (rows.hasNext()) {
        InternalRow row = rows.next();
        long hi = encoding.rowSeedHi;
        long lo = encoding.rowSeedLo;
        for (int c = 0; c < columns; c++) {
          long cell = encoding.cell(row, c);
          hi = XXH64.hashLong(cell, hi);
          lo = XXH64.hashLong(cell, lo);
          sums[3 + c] += cell;
        }
        long low = sumLo + lo;
        sumHi += hi + (Long.compareUnsigned(low, lo) < 0 ? 1 : 0);
        sumLo = low;
        count++;
      }
      sums[0] = count;
      sums[1] = sumHi;
      sums[2] = sumLo;
      return Collections.singletonList(sums).iterator();
    }
  }
}
