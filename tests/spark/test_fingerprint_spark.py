"""Spark computes the same logical fingerprints as pandas (the goldens), on both paths.

``method="jvm"`` is atlas-ml's JVM class (the test session has the jar on ``spark.jars``),
``method="sql"`` the Spark built-ins used by sessions without it.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from atlas_ml.fingerprints.logical import FingerprintError, LogicalFingerprint
from atlas_ml.fingerprints.logical_spark import fingerprint_spark

pytestmark = pytest.mark.spark

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "data" / "fingerprints"
EXAMPLES = ROOT / "examples" / "data"

# Same rows as tests/unit/test_fingerprint_logical_pandas.py::EDGE_ROWS.
EDGE_DDL = (
    "id int, score double, label string, price decimal(10,2), seen_at timestamp, "
    "day date, flag boolean, blob binary"
)
UTC = timezone.utc
NEW_YEAR = datetime(2024, 1, 1, tzinfo=UTC)
BEFORE_EPOCH = datetime(1969, 12, 31, 23, 59, 59, 500000, tzinfo=UTC)
LATER = datetime(2030, 6, 1, 12, tzinfo=UTC)
UNICODE = "日本語 ünïcödé " * 5
FIRST = (1, 1.5, "plain", Decimal("1.50"), NEW_YEAR, date(2024, 1, 1), True, bytearray(b"\x00\x01"))
EDGE_ROWS = [
    FIRST,
    (2, -0.0, "", Decimal("-3.00"), BEFORE_EPOCH, date(1960, 2, 29), False, bytearray(b"")),
    (3, float("nan"), None, None, None, None, None, None),
    (
        None,
        None,
        UNICODE,
        Decimal("12345678.90"),
        LATER,
        date(2030, 6, 1),
        True,
        bytearray(b"x" * 40),
    ),
    FIRST,  # a duplicate row
]


# Explicit schemas matching what pandas infers: integers without gaps are int, columns with
# missing numbers or decimals in the text are double. RFC 4180 quoting needs escape='"'.
CSV_SCHEMAS = {
    "titanic": "PassengerId int, Survived int, Pclass int, Name string, Sex string, "
    "Age double, SibSp int, Parch int, Ticket string, Fare double, Cabin string, "
    "Embarked string",
    "housing": "longitude double, latitude double, housing_median_age double, "
    "total_rooms double, total_bedrooms double, population double, households double, "
    "median_income double, median_house_value double, ocean_proximity string",
}


def golden(name: str) -> LogicalFingerprint:
    return LogicalFingerprint.from_dict(json.loads((GOLDEN / f"{name}.json").read_text()))


METHODS = pytest.mark.parametrize("method", ["jvm", "sql"])


@METHODS
@pytest.mark.parametrize("name", ["titanic", "housing"])
def test_spark_fingerprint_of_example_csv_equals_pandas_golden(spark, name: str, method) -> None:  # type: ignore[no-untyped-def]
    df = spark.read.csv(
        str(EXAMPLES / f"{name}.csv"), header=True, schema=CSV_SCHEMAS[name], escape='"'
    )
    assert fingerprint_spark(df, method) == golden(name)


@METHODS
def test_spark_fingerprint_of_edge_cases_equals_pandas_golden(spark, method) -> None:  # type: ignore[no-untyped-def]
    df = spark.createDataFrame(EDGE_ROWS, EDGE_DDL)
    assert fingerprint_spark(df, method) == golden("edge_cases")


@METHODS
def test_spark_fingerprint_ignores_partitioning_and_empty_frames_keep_schema(spark, method) -> None:  # type: ignore[no-untyped-def]
    df = spark.createDataFrame(EDGE_ROWS, EDGE_DDL)
    assert fingerprint_spark(df.repartition(3), method) == golden("edge_cases")
    empty = fingerprint_spark(df.limit(0), method)
    assert (empty.row_count, empty.content_hash) == (0, "0" * 32)
    assert empty.schema_fingerprint == golden("edge_cases").schema_fingerprint


def test_spark_fingerprint_reruns_with_narrow_limbs_when_a_limb_sum_overflows(
    spark: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from atlas_ml.fingerprints import logical_spark

    plans: list[tuple[tuple[int, int], ...]] = []
    lane_sums = logical_spark._lane_sums

    def spy(lanes: Any, names: list[str], limbs: tuple[tuple[int, int], ...]) -> Any:
        plans.append(limbs)
        return lane_sums(lanes, names, limbs)

    # one full-width 64-bit limb: summing 891 random hashes overflows a bigint at once
    monkeypatch.setattr(logical_spark, "_LIMBS", ((0, -1),))
    monkeypatch.setattr(logical_spark, "_lane_sums", spy)
    df = spark.read.csv(
        str(EXAMPLES / "titanic.csv"), header=True, schema=CSV_SCHEMAS["titanic"], escape='"'
    )
    assert fingerprint_spark(df, "sql") == golden("titanic")
    assert plans == [((0, -1),), logical_spark._NARROW_LIMBS]


def test_spark_fingerprint_auto_takes_the_jvm_pass_when_the_session_has_the_jar(
    spark: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from atlas_ml.fingerprints import logical_spark, logical_spark_jvm

    df = spark.createDataFrame(EDGE_ROWS, EDGE_DDL)
    assert logical_spark_jvm.fingerprinter(df) is not None

    def no_sql(*args: Any) -> Any:
        raise AssertionError("the SQL built-ins ran although the JVM class is loaded")

    monkeypatch.setattr(logical_spark, "_sql_sums", no_sql)
    assert fingerprint_spark(df) == golden("edge_cases")


def test_spark_fingerprint_falls_back_to_built_ins_without_the_jvm_class(
    spark: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from atlas_ml.fingerprints import logical_spark_jvm

    # what a session started without atlas-ml's jar (or with an older one) looks like
    monkeypatch.setattr(logical_spark_jvm, "JVM_CLASS", "io.atlasml.spark.NoSuchFingerprint")
    df = spark.createDataFrame(EDGE_ROWS, EDGE_DDL)
    assert logical_spark_jvm.fingerprinter(df) is None
    assert fingerprint_spark(df) == golden("edge_cases")
    with pytest.raises(FingerprintError, match=r"spark\.jars.*method='sql'"):
        fingerprint_spark(df, "jvm")


# Types the goldens do not cover, each with a null: both paths must agree with Arrow's.
OTHER_DDL = "tiny tinyint, small smallint, single float, wall timestamp_ntz, nothing void"
OTHER_ROWS = [
    (-128, -32768, -0.0, datetime(1969, 7, 20, 20, 17, 40), None),
    (127, 32767, float("nan"), datetime(2024, 2, 29, 23, 59, 59, 999999), None),
    (None, None, None, None, None),
    (0, 1, 1.25, datetime(1970, 1, 1), None),
]


@METHODS
def test_spark_fingerprint_of_narrow_ints_float_ntz_and_void_equals_arrow(
    spark: Any, method: str
) -> None:
    import pyarrow as pa

    from atlas_ml.fingerprints.logical_pandas import fingerprint_arrow

    df = spark.createDataFrame(OTHER_ROWS, OTHER_DDL)
    columns = list(zip(*OTHER_ROWS, strict=True))
    table = pa.table(
        {
            "tiny": pa.array(columns[0], pa.int8()),
            "small": pa.array(columns[1], pa.int16()),
            "single": pa.array(columns[2], pa.float32()),
            "wall": pa.array(columns[3], pa.timestamp("us")),
            "nothing": pa.array(columns[4], pa.null()),
        }
    )
    expected = fingerprint_arrow(table)
    assert fingerprint_spark(df, method) == expected
    assert expected.columns["single"] != expected.columns["tiny"]


# Decimal text must never switch to scientific notation (1E-10) on either side.
DECIMALS = ["0.0000000001", "0E-10", "100.0000000000", "-12345678.9000000000", "1.5"]


@METHODS
def test_spark_fingerprint_of_tiny_zero_and_large_decimals_equals_arrow(
    spark: Any, method: str
) -> None:
    import pyarrow as pa

    from atlas_ml.fingerprints.logical_pandas import fingerprint_arrow, fingerprint_pandas

    values = [Decimal(text) for text in DECIMALS]
    df = spark.createDataFrame([(value,) for value in values], "amount decimal(20,10)")
    table = pa.table({"amount": pa.array(values, pa.decimal128(20, 10))})
    assert fingerprint_spark(df, method) == fingerprint_arrow(table)
    # toPandas gives Decimal objects, whose precision pyarrow infers (not 20): same schema
    assert fingerprint_spark(df, method) == fingerprint_pandas(df.toPandas())


@METHODS
def test_spark_fingerprint_reads_column_names_with_dots_spaces_backticks_and_case(
    spark: Any, method: str
) -> None:
    import pandas as pd

    from atlas_ml.fingerprints.logical_pandas import fingerprint_pandas

    names = ["a.b", "wall clock", "tick`s", "A.B"]
    rows = [(1, datetime(2024, 1, 1), "x", 7), (2, datetime(1960, 2, 29, 12), None, 8)]
    df = spark.createDataFrame(
        rows, "`a.b` bigint, `wall clock` timestamp_ntz, `tick``s` string, `A.B` bigint"
    )
    expected = fingerprint_pandas(pd.DataFrame(rows, columns=names).astype({"tick`s": "string"}))
    assert df.columns == names
    assert fingerprint_spark(df, method) == expected


@METHODS
def test_spark_fingerprint_of_parquet_uint64_equals_pandas_and_arrow(
    spark: Any, method: str, tmp_path: Path
) -> None:
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    from atlas_ml.fingerprints.logical_pandas import fingerprint_arrow, fingerprint_pandas

    values = [0, 5, 2**63 - 1, 2**63, 2**64 - 1]
    # pandas reads a uint64 column with nulls as float64 (like any int column with nulls),
    # so only Arrow sees the null one
    pq.write_table(
        pa.table(
            {"x": pa.array(values, pa.uint64()), "y": pa.array([*values[1:], None], pa.uint64())}
        ),
        tmp_path / "u.parquet",
    )
    df = spark.read.parquet(str(tmp_path / "u.parquet"))
    assert [f.dataType.simpleString() for f in df.schema.fields] == ["decimal(20,0)"] * 2
    assert fingerprint_spark(df, method) == fingerprint_arrow(pq.read_table(tmp_path / "u.parquet"))
    unsigned = df.select("x")
    expected = fingerprint_pandas(pd.read_parquet(tmp_path / "u.parquet", columns=["x"]))
    assert expected.schema == [("x", "decimal")]
    assert fingerprint_spark(unsigned, method) == expected


@METHODS
def test_spark_fingerprint_of_header_only_csv_equals_pandas(
    spark: Any, method: str, tmp_path: Path
) -> None:
    import pandas as pd

    from atlas_ml.fingerprints.logical_pandas import fingerprint_pandas

    (tmp_path / "empty.csv").write_text("name,city\n")
    df = spark.read.csv(str(tmp_path / "empty.csv"), header=True, inferSchema=True)
    expected = fingerprint_pandas(pd.read_csv(tmp_path / "empty.csv"))
    assert expected.schema == [("name", "string"), ("city", "string")]
    assert fingerprint_spark(df, method) == expected
