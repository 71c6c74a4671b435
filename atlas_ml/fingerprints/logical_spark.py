"""Logical fingerprint of a Spark DataFrame: atlas-ml's JVM pass, or Spark built-ins.

``fingerprint_spark`` uses the JVM class of ``logical_spark_jvm`` when the session loaded
atlas-ml's Spark jar (``spark.jars``), and otherwise the SQL built-ins below, which work in any
session. Both give values bit-identical to ``fingerprint_pandas`` (see
``atlas_ml.fingerprints.logical``).

The built-ins path: every step is a JVM expression (``xxhash64``, bit operations,
``try_sum``), so the whole fingerprint is one scan with map-side partial aggregation and no
shuffle of rows, and no Python workers. Spark has no wrapping 64-bit sum: under ANSI mode (the
Spark 4 default) an overflowing ``bigint`` sum is an error, and without ANSI it wraps silently,
losing the carries that the 128-bit row sum needs. So each 64-bit hash is summed as two
unsigned 32-bit limbs with ``try_sum`` (null on overflow, whatever the ANSI setting): exact up
to 2**31 rows, and sums of random hashes overflow only near 2**32 rows. If a limb sum does
overflow, the job runs a second time with 24/24/16-bit limbs (three sums per hash, exact up to
2**39 rows).
"""

from __future__ import annotations

from typing import Any, Literal

from atlas_ml.fingerprints.logical import (
    NULL_HASH,
    ROW_SEED_HI,
    ROW_SEED_LO,
    TYPE_SEED,
    FingerprintError,
    HashSums,
    LogicalFingerprint,
    as_signed64,
    check_unique_names,
)

_LIMBS = ((0, 0xFFFFFFFF), (32, 0xFFFFFFFF))
_NARROW_LIMBS = ((0, 0xFFFFFF), (24, 0xFFFFFF), (48, 0xFFFF))
_EPOCH_NTZ = "TIMESTAMP_NTZ'1970-01-01 00:00:00'"


def logical_type_of(name: str, data_type: Any) -> str:
    """Map a Spark SQL type onto the shared logical type vocabulary."""
    from pyspark.sql import types as T

    if isinstance(data_type, T.NullType):
        return "null"
    if isinstance(data_type, T.BooleanType):
        return "bool"
    if isinstance(data_type, T.ByteType | T.ShortType | T.IntegerType | T.LongType):
        return "int64"
    if isinstance(data_type, T.FloatType | T.DoubleType):
        return "float64"
    if isinstance(data_type, T.StringType | T.CharType | T.VarcharType):
        return "string"
    if isinstance(data_type, T.BinaryType):
        return "binary"
    if isinstance(data_type, T.DecimalType):
        return "decimal"  # precision and scale are physical: see logical.py
    if isinstance(data_type, T.TimestampNTZType):
        return "timestamp_ntz"
    if isinstance(data_type, T.TimestampType):
        return "timestamp_utc"
    if isinstance(data_type, T.DateType):
        return "date"
    raise FingerprintError(
        f"column {name!r} has type {data_type.simpleString()}, which the logical fingerprint "
        "does not encode (nested, map, interval and variant types are unsupported); drop it "
        "or serialise it with to_json() first"
    )


def _bigint(value: int) -> Any:
    from pyspark.sql import functions as F

    return F.lit(as_signed64(value)).cast("bigint")


def _canonical(name: str, logical_type: str) -> Any:
    """The Spark expression over column ``name`` whose ``xxhash64`` equals the numpy cell hash."""
    from pyspark.sql import functions as F

    column = F.col(name)

    kind = logical_type.split("(", 1)[0]
    if kind in ("int64", "bool"):
        return column.cast("bigint")
    if kind == "float64":
        # + 0.0 turns -0.0 into 0.0; xxhash64 hashes doubleToLongBits, which folds every NaN.
        return column.cast("double") + F.lit(0.0)
    if kind == "decimal":
        text = column.cast("string")
        # Spark 3.x prints |x| < 1E-6 as 1.2E-9 or 0E-10 (Java's BigDecimal.toString): rewrite
        # those as plain text, 0.0000000012 and 0.0000000000.
        exponent = F.regexp_extract(text, r"E-([0-9]+)$", 1).cast("int")
        digits = F.regexp_replace(F.regexp_extract(text, r"^-?([0-9.]+)E", 1), r"[.]", "")
        plain = F.concat(
            F.regexp_extract(text, r"^(-?)", 1),
            F.lit("0."),
            F.call_function("repeat", F.lit("0"), exponent - 1),
            digits,
        )
        text = F.when(text.contains("E"), plain).otherwise(text)
        text = F.regexp_replace(text, r"(\.[0-9]*?)0+$", "$1")
        return F.regexp_replace(text, r"\.$", "")
    if kind == "timestamp_utc":
        return F.unix_micros(column)
    if kind == "timestamp_ntz":
        return F.expr(f"timestampdiff(MICROSECOND, {_EPOCH_NTZ}, {name})")
    if kind == "date":
        return F.unix_date(column).cast("bigint")
    return column


Method = Literal["auto", "jvm", "sql"]


def fingerprint_spark(df: Any, method: Method = "auto") -> LogicalFingerprint:
    """The logical fingerprint of a Spark DataFrame; one job, one scan of the data.

    ``method``: ``"jvm"`` atlas-ml's JVM pass (needs the jar on ``spark.jars``), ``"sql"`` Spark
    built-ins, ``"auto"`` the JVM pass when the session has it.
    """
    from atlas_ml.fingerprints import logical_spark_jvm

    fields = df.schema.fields
    names = [field.name for field in fields]
    check_unique_names(names)
    types = [logical_type_of(field.name, field.dataType) for field in fields]
    if method not in ("auto", "jvm", "sql"):
        raise ValueError(f"method must be 'auto', 'jvm' or 'sql', not {method!r}")
    jvm_class = logical_spark_jvm.fingerprinter(df) if method != "sql" else None
    if jvm_class is not None:
        return logical_spark_jvm.jvm_sums(jvm_class, df, names, types).finish("spark")
    if method == "jvm":
        raise FingerprintError(
            f"this Spark session cannot run {logical_spark_jvm.JVM_CLASS}: start it with "
            "atlas-ml's jar on spark.jars (see `atlas-ml spark conf`), or use method='sql'"
        )
    return _sql_sums(df, names, types).finish("spark")


def _sql_sums(df: Any, names: list[str], types: list[str]) -> HashSums:
    """The sums with Spark built-ins only, for sessions without atlas-ml's jar."""
    from pyspark.sql import functions as F

    # Columns renamed by position: names that differ only in case, or hold dots and
    # backticks, are distinct columns to the fingerprint but ambiguous or paths to Spark SQL.
    positional = df.toDF(*(f"v{i}" for i in range(len(types))))
    cells = []
    for i, kind in enumerate(types):
        column = F.col(f"v{i}")
        base = kind.split("(", 1)[0]
        if base == "null":
            cell = _bigint(NULL_HASH["null"])
        else:
            cell = F.when(column.isNull(), _bigint(NULL_HASH[base])).otherwise(
                F.xxhash64(_bigint(TYPE_SEED[base]), _canonical(f"v{i}", kind))
            )
        cells.append(cell.alias(f"c{i}"))
    hashed = positional.select(*cells)
    cell_cols = [F.col(f"c{i}") for i in range(len(types))]
    lanes = hashed.select(
        F.xxhash64(_bigint(ROW_SEED_HI), *cell_cols).alias("hi"),
        F.xxhash64(_bigint(ROW_SEED_LO), *cell_cols).alias("lo"),
        *cell_cols,
    )
    lane_names = ["hi", "lo", *(f"c{i}" for i in range(len(types)))]
    summed = _lane_sums(lanes, lane_names, _LIMBS) or _lane_sums(lanes, lane_names, _NARROW_LIMBS)
    if summed is None:
        raise FingerprintError("the DataFrame has too many rows (2**39 or more) to fingerprint")
    row_count, total = summed
    sums = HashSums(names=names, types=types, row_count=row_count)
    sums.row_sum = (total["hi"] << 64) + total["lo"]
    sums.column_sums = [total[f"c{i}"] for i in range(len(types))]
    return sums


def _lane_sums(
    lanes: Any, lane_names: list[str], limbs: tuple[tuple[int, int], ...]
) -> tuple[int, dict[str, int]] | None:
    """Row count and exact sum of each 64-bit lane read as unsigned; None if a limb overflowed."""
    from pyspark.sql import functions as F

    aggregates = [F.count(F.lit(1)).alias("n")]
    for lane in lane_names:
        for shift, mask in limbs:
            limb = F.shiftrightunsigned(F.col(lane), shift).bitwiseAND(F.lit(mask).cast("bigint"))
            aggregates.append(F.try_sum(limb).alias(f"{lane}_{shift}"))
    row = lanes.agg(*aggregates).collect()[0]
    row_count = int(row["n"])
    if row_count == 0:  # sums over no rows are null
        return 0, dict.fromkeys(lane_names, 0)
    if any(value is None for value in row[1:]):  # try_sum is null after an overflow
        return None
    return row_count, {
        lane: sum(int(row[f"{lane}_{shift}"]) << shift for shift, _ in limbs) for lane in lane_names
    }
