"""Spark computes the same logical fingerprints as pandas (the goldens) with built-ins only."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from atlas_ml.fingerprints.logical import LogicalFingerprint
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


@pytest.mark.parametrize("name", ["titanic", "housing"])
def test_spark_fingerprint_of_example_csv_equals_pandas_golden(spark, name: str) -> None:  # type: ignore[no-untyped-def]
    df = spark.read.csv(
        str(EXAMPLES / f"{name}.csv"), header=True, schema=CSV_SCHEMAS[name], escape='"'
    )
    assert fingerprint_spark(df) == golden(name)


def test_spark_fingerprint_of_edge_cases_equals_pandas_golden(spark) -> None:  # type: ignore[no-untyped-def]
    df = spark.createDataFrame(EDGE_ROWS, EDGE_DDL)
    assert fingerprint_spark(df) == golden("edge_cases")


def test_spark_fingerprint_ignores_partitioning_and_empty_frames_keep_schema(spark) -> None:  # type: ignore[no-untyped-def]
    df = spark.createDataFrame(EDGE_ROWS, EDGE_DDL)
    assert fingerprint_spark(df.repartition(3)) == golden("edge_cases")
    empty = fingerprint_spark(df.limit(0))
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
    assert fingerprint_spark(df) == golden("titanic")
    assert plans == [((0, -1),), logical_spark._NARROW_LIMBS]
