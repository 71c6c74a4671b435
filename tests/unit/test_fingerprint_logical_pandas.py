"""Logical fingerprint of pandas data: canonical encoding, multiset sums, localisation."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from atlas_ml.fingerprints.logical import FingerprintError, LogicalFingerprint, compare
from atlas_ml.fingerprints.logical_pandas import fingerprint_arrow, fingerprint_pandas

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "data" / "fingerprints"
EXAMPLES = ROOT / "examples" / "data"

EDGE_SCHEMA = pa.schema(
    [
        ("id", pa.int32()),
        ("score", pa.float64()),
        ("label", pa.string()),
        ("price", pa.decimal128(10, 2)),
        ("seen_at", pa.timestamp("us", tz="UTC")),
        ("day", pa.date32()),
        ("flag", pa.bool_()),
        ("blob", pa.binary()),
    ]
)
UTC = timezone.utc
NEW_YEAR = datetime(2024, 1, 1, tzinfo=UTC)
BEFORE_EPOCH = datetime(1969, 12, 31, 23, 59, 59, 500000, tzinfo=UTC)
LATER = datetime(2030, 6, 1, 12, tzinfo=UTC)
UNICODE = "日本語 ünïcödé " * 5
FIRST = (1, 1.5, "plain", Decimal("1.50"), NEW_YEAR, date(2024, 1, 1), True, b"\x00\x01")
EDGE_ROWS = [
    FIRST,
    (2, -0.0, "", Decimal("-3.00"), BEFORE_EPOCH, date(1960, 2, 29), False, b""),
    (3, float("nan"), None, None, None, None, None, None),
    (None, None, UNICODE, Decimal("12345678.90"), LATER, date(2030, 6, 1), True, b"x" * 40),
    FIRST,  # a duplicate row
]


def edge_frame() -> pd.DataFrame:
    """The edge cases, with Arrow dtypes so that NaN and null stay distinct in pandas."""
    table = pa.Table.from_pylist(
        [dict(zip(EDGE_SCHEMA.names, r, strict=True)) for r in EDGE_ROWS], EDGE_SCHEMA
    )
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def titanic() -> pd.DataFrame:
    return pd.read_csv(EXAMPLES / "titanic.csv")


def golden(name: str) -> LogicalFingerprint:
    return LogicalFingerprint.from_dict(json.loads((GOLDEN / f"{name}.json").read_text()))


@pytest.mark.parametrize("name", ["titanic", "housing"])
def test_example_csv_matches_its_golden_fingerprint(name: str) -> None:
    assert fingerprint_pandas(pd.read_csv(EXAMPLES / f"{name}.csv")) == golden(name)


def test_edge_cases_match_their_golden_fingerprint() -> None:
    assert fingerprint_pandas(edge_frame()) == golden("edge_cases")


def test_row_order_and_chunking_do_not_change_the_fingerprint() -> None:
    df = titanic()
    shuffled = df.sample(frac=1.0, random_state=3).reset_index(drop=True)
    assert fingerprint_pandas(shuffled, chunk_rows=97) == fingerprint_pandas(df)


def test_duplicate_rows_count_as_a_multiset() -> None:
    a = pd.DataFrame({"x": [1, 1, 2]})
    b = pd.DataFrame({"x": [1, 2, 2]})
    once = pd.DataFrame({"x": [1, 2]})
    hashes = {fingerprint_pandas(f).content_hash for f in (a, b, once)}
    assert len(hashes) == 3
    doubled = pd.DataFrame({"x": [1, 1]})
    assert fingerprint_pandas(doubled).content_hash != "0" * 32


def test_negative_zero_and_every_nan_payload_are_normalised() -> None:
    other_nan = np.array([0x7FF8000000000123], dtype=np.uint64).view(np.float64)[0]
    a = pa.table({"v": pa.array([0.0, float("nan")], pa.float64())})
    b = pa.table({"v": pa.array([-0.0, other_nan], pa.float64())})
    assert fingerprint_arrow(a).content_hash == fingerprint_arrow(b).content_hash


def test_null_differs_from_empty_string_nan_and_zero() -> None:
    def content(values: list[object], dtype: pa.DataType) -> str:
        return fingerprint_arrow(pa.table({"v": pa.array(values, dtype)})).content_hash

    assert content([None], pa.string()) != content([""], pa.string())
    assert content([None], pa.float64()) != content([float("nan")], pa.float64())
    assert content([None], pa.int64()) != content([0], pa.int64())


def test_numpy_float_nan_is_missing_as_pandas_treats_it() -> None:
    numpy_backed = pd.DataFrame({"v": [1.0, np.nan]})
    nullable = pd.DataFrame({"v": pd.array([1.0, None], dtype="Float64")})
    assert fingerprint_pandas(numpy_backed) == fingerprint_pandas(nullable)


def test_changing_one_cell_moves_only_that_columns_hash() -> None:
    df = titanic()
    changed = df.copy()
    changed.loc[10, "Fare"] = changed.loc[10, "Fare"] + 0.01
    before, after = fingerprint_pandas(df), fingerprint_pandas(changed)
    result = compare(before, after)
    assert result.changed_columns == ["Fare"]
    assert not result.content_equal
    assert result.row_count_delta == 0
    assert result.schema_equal


def test_compare_reports_row_count_and_schema_changes() -> None:
    df = titanic()
    smaller = df.drop(columns=["Cabin"]).iloc[:-5].assign(Pclass=lambda d: d.Pclass.astype(str))
    result = compare(fingerprint_pandas(df), fingerprint_pandas(smaller))
    assert result.row_count_delta == -5
    assert result.removed_columns == ["Cabin"]
    assert result.type_changes == {"Pclass": ("int64", "string")}
    assert not result.identical


def test_integer_widths_and_equal_decimals_share_one_logical_value() -> None:
    narrow = pd.DataFrame({"n": np.array([1, 2], dtype=np.int16)})
    wide = pd.DataFrame({"n": np.array([1, 2], dtype=np.int64)})
    assert fingerprint_pandas(narrow) == fingerprint_pandas(wide)
    scale2 = pa.table({"d": pa.array([Decimal("1.50")], pa.decimal128(10, 2))})
    scale4 = pa.table({"d": pa.array([Decimal("1.5000")], pa.decimal128(10, 4))})
    wide = pa.table({"d": pa.array([Decimal("1.5")], pa.decimal128(38, 18))})
    # pandas infers precision and scale from the values, so they are not part of the schema
    assert fingerprint_arrow(scale2) == fingerprint_arrow(scale4) == fingerprint_arrow(wide)
    assert fingerprint_arrow(scale2).schema == [("d", "decimal")]


def test_repeated_text_hashed_through_a_dictionary_gives_the_same_fingerprint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from atlas_ml.fingerprints import logical_pandas

    rng = np.random.default_rng(7)
    rows = 5000
    categories = np.array(["NEAR BAY", "<1H OCEAN", "日本", "", None], dtype=object)
    df = pd.DataFrame(
        {
            "category": pd.Series(categories[rng.integers(0, 5, rows)], dtype="string"),
            "unique": pd.Series([f"row-{i}" for i in range(rows)], dtype="string"),
            "all_null": pd.Series([None] * rows, dtype="string"),
            "price": pa.array(
                [Decimal("1.50"), Decimal("0E-10"), None][i % 3] for i in range(rows)
            ).to_pandas(types_mapper=pd.ArrowDtype),
        }
    )
    decisions: list[tuple[int, bool]] = []
    decide = logical_pandas._repeats_values

    def spy(array: pa.Array, logical_type: str) -> bool:
        decisions.append((len(array), decide(array, logical_type)))
        return decisions[-1][1]

    monkeypatch.setattr(logical_pandas, "_repeats_values", spy)
    through_dictionary = fingerprint_pandas(df, chunk_rows=2048)
    assert decisions == [(2048, True), (2048, False), (2048, True), (2048, True)]
    monkeypatch.setattr(logical_pandas, "_repeats_values", lambda array, logical_type: False)
    assert fingerprint_pandas(df, chunk_rows=2048) == through_dictionary
    assert fingerprint_pandas(df) == through_dictionary


def test_tiny_decimals_are_hashed_as_plain_text_not_scientific_notation() -> None:
    from atlas_ml.fingerprints.logical import cell_seed
    from atlas_ml.fingerprints.xxh64_reference import xxh64

    # Arrow prints these as 1E-10 and 0E-10; Spark and the encoding use plain text
    values = [Decimal("0.0000000001"), Decimal("0E-10"), None, Decimal("2.5000000000")]
    table = pa.table({"d": pa.array(values, pa.decimal128(20, 10))})
    seed = cell_seed("decimal(20,10)")
    expected = [xxh64(text.encode(), seed) for text in ("0.0000000001", "0", "2.5")]
    null = fingerprint_arrow(pa.table({"d": pa.array([None], pa.decimal128(20, 10))}))
    column_sum = (sum(expected) + int(null.columns["d"], 16)) % (1 << 64)
    assert fingerprint_arrow(table).columns["d"] == f"{column_sum:016x}"


def test_timestamps_are_instants_whatever_their_time_zone() -> None:
    instant = datetime(2024, 3, 1, 12, tzinfo=timezone.utc)
    utc = pd.DataFrame({"t": pd.Series([instant]).dt.tz_convert("UTC")})
    paris = pd.DataFrame({"t": pd.Series([instant]).dt.tz_convert("Europe/Paris")})
    naive = pd.DataFrame({"t": [instant.replace(tzinfo=None)]})
    assert fingerprint_pandas(utc) == fingerprint_pandas(paris)
    assert fingerprint_pandas(naive).schema == [("t", "timestamp_ntz")]
    shifted = pd.DataFrame({"t": pd.Series([instant + timedelta(microseconds=1)])})
    assert fingerprint_pandas(shifted).content_hash != fingerprint_pandas(utc).content_hash


def test_empty_frame_keeps_its_schema_and_has_zero_content() -> None:
    empty = titanic().iloc[:0]
    result = fingerprint_pandas(empty)
    assert result.row_count == 0
    assert result.content_hash == "0" * 32
    assert result.schema_fingerprint == fingerprint_pandas(titanic()).schema_fingerprint


def test_fingerprint_round_trips_through_json() -> None:
    result = fingerprint_pandas(edge_frame())
    assert LogicalFingerprint.from_dict(json.loads(json.dumps(result.to_dict()))) == result


def test_unsupported_and_ambiguous_inputs_get_clear_errors() -> None:
    with pytest.raises(FingerprintError, match=r"'tags'.*nested"):
        fingerprint_arrow(pa.table({"tags": pa.array([[1, 2]])}))
    with pytest.raises(FingerprintError, match=r"duplicate column names \['a'\]"):
        fingerprint_pandas(pd.DataFrame([[1, 2]], columns=["a", "a"]))
    with pytest.raises(FingerprintError, match=r"'mixed'.*mixed"):
        fingerprint_pandas(pd.DataFrame({"mixed": pd.Series([1, "a"], dtype=object)}))


UINT64_EDGES = [0, 5, 2**63 - 1, 2**63, 2**64 - 1]


def test_uint64_above_int64_max_hashes_as_decimal_and_never_as_a_negative_int64() -> None:
    unsigned = fingerprint_pandas(pd.DataFrame({"x": np.array([2**64 - 1, 2**63], np.uint64)}))
    signed = fingerprint_pandas(pd.DataFrame({"x": np.array([-1, -(2**63)], np.int64)}))
    assert unsigned.content_hash != signed.content_hash
    assert unsigned.schema == [("x", "decimal")]
    # Spark reads Parquet UINT_64 as decimal(20,0): the same values hash the same way
    nullable = pd.DataFrame({"x": pd.array([*UINT64_EDGES, None], dtype="UInt64")})
    as_decimal = pa.table({"x": pa.array([*map(Decimal, UINT64_EDGES), None], pa.decimal128(20))})
    assert fingerprint_pandas(nullable) == fingerprint_arrow(as_decimal)


def test_uint64_through_the_dictionary_path_equals_decimal() -> None:
    values = np.array(UINT64_EDGES * 400, np.uint64)  # 2000 rows, few distinct: a dictionary
    as_decimal = pa.table({"x": pa.array([Decimal(int(v)) for v in values], pa.decimal128(20))})
    assert fingerprint_pandas(pd.DataFrame({"x": values})) == fingerprint_arrow(as_decimal)


def test_object_column_without_values_is_string_as_spark_reads_it() -> None:
    header_only = pd.read_csv(io.StringIO("name,city\n"))
    assert fingerprint_pandas(header_only).schema == [("name", "string"), ("city", "string")]
    all_none = pd.DataFrame({"name": pd.Series([None, None], dtype=object)})
    as_string = pa.table({"name": pa.array([None, None], pa.string())})
    assert fingerprint_pandas(all_none) == fingerprint_arrow(as_string)
