"""describe_path reads JSON lines and directories of part files as one table."""

from __future__ import annotations

import logging
from itertools import pairwise
from pathlib import Path

import pandas as pd
import pytest

from atlas_ml.fingerprints import fingerprint_pandas
from atlas_ml.fingerprints.datasets import describe_path

pytestmark = pytest.mark.unit

TITANIC = Path(__file__).resolve().parents[2] / "examples" / "data" / "titanic.csv"
EVENTS = '{"id":1,"kind":"click","value":0.5}\n{"id":2,"kind":"view","value":null}\n'


def spark_style_directory(root: Path, parts: list[bytes], suffix: str) -> Path:
    """Part files next to the bookkeeping Spark writes: _SUCCESS, .crc, an empty part."""
    root.mkdir()
    for index, data in enumerate(parts):
        (root / f"part-{index:05d}-abc-c000{suffix}").write_bytes(data)
        (root / f".part-{index:05d}-abc-c000{suffix}.crc").write_bytes(b"crc")
    (root / f"part-{len(parts):05d}-abc-c000{suffix}").write_bytes(b"")
    (root / "_SUCCESS").write_bytes(b"")
    return root


def titanic_parts(splits: tuple[int, ...]) -> list[bytes]:
    """titanic.csv cut into parts at the given data rows, each part with the header line."""
    header, *rows = TITANIC.read_bytes().splitlines(keepends=True)
    bounds = [0, *splits, len(rows)]
    return [header + b"".join(rows[a:b]) for a, b in pairwise(bounds)]


def test_jsonl_file_is_read_as_json_lines(tmp_path: Path) -> None:
    (tmp_path / "events.jsonl").write_text(EVENTS)
    record = describe_path(tmp_path / "events.jsonl")
    assert record.logical is not None
    assert record.logical.row_count == 2
    assert record.logical == fingerprint_pandas(pd.read_json(tmp_path / "events.jsonl", lines=True))


def test_json_file_holding_json_lines_reads_like_the_jsonl_file_and_a_document_still_reads(
    tmp_path: Path,
) -> None:
    (tmp_path / "events.jsonl").write_text(EVENTS)
    (tmp_path / "events.json").write_text(EVENTS)
    (tmp_path / "doc.json").write_text('[{"id":1,"kind":"click"},{"id":2,"kind":"view"}]')
    assert describe_path(tmp_path / "events.json").logical == (
        describe_path(tmp_path / "events.jsonl").logical
    )
    doc = describe_path(tmp_path / "doc.json").logical
    assert doc == fingerprint_pandas(pd.read_json(tmp_path / "doc.json"))


def test_directory_of_csv_parts_fingerprints_like_the_same_rows_in_one_file(
    tmp_path: Path,
) -> None:
    # rows 3-4 have numeric tickets only: read on its own, that part's Ticket is int64
    out = spark_style_directory(tmp_path / "out.csv", titanic_parts((3, 5, 400)), ".csv")
    record = describe_path(out)
    assert record.data_format == "csv"
    assert [e.path for e in record.manifest.entries if e.size] == [  # type: ignore[union-attr]
        "part-00000-abc-c000.csv",
        "part-00001-abc-c000.csv",
        "part-00002-abc-c000.csv",
        "part-00003-abc-c000.csv",
    ]
    assert record.logical is not None
    assert record.logical == describe_path(TITANIC).logical
    assert record.logical.row_count == 891


def test_csv_parts_without_a_shared_header_record_the_manifest_only_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    headerless = [b"1,a\n2,b\n", b"3,c\n"]  # Spark's df.write.csv default: header=false
    out = spark_style_directory(tmp_path / "out.csv", headerless, ".csv")
    with caplog.at_level(logging.WARNING):
        record = describe_path(out)
    assert record.logical is None and record.data_format is None
    assert record.manifest is not None and len(record.manifest.entries) == 3
    assert "do not all start with one header line" in caplog.text
    assert "recorded its file manifest only" in caplog.text


def test_directory_of_json_line_parts_fingerprints_like_one_jsonl_file(tmp_path: Path) -> None:
    first, second = EVENTS.splitlines(keepends=True)
    out = spark_style_directory(
        tmp_path / "out.json", [first.encode(), second.rstrip("\n").encode()], ".json"
    )
    (tmp_path / "events.jsonl").write_text(EVENTS)
    record = describe_path(out)
    assert record.data_format == "json"
    assert record.logical is not None
    assert record.logical == describe_path(tmp_path / "events.jsonl").logical


def test_directory_mixing_formats_records_the_manifest_only_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    out = spark_style_directory(tmp_path / "out", titanic_parts(()), ".csv")
    (out / "README.md").write_text("columns: see titanic")
    with caplog.at_level(logging.WARNING):
        record = describe_path(out)
    assert record.logical is None
    assert "mixes files of several formats (.csv, .md)" in caplog.text


def test_parquet_directory_reads_the_manifest_files_with_partitions_and_symlinked_folders(
    tmp_path: Path,
) -> None:
    frame = pd.DataFrame({"year": [2023, 2023, 2024], "v": [1.0, 2.0, None], "s": ["a", "b", None]})
    frame.to_parquet(tmp_path / "store", partition_cols=["year"])
    table = tmp_path / "table"
    table.mkdir()
    (table / "year=2023").symlink_to(tmp_path / "store" / "year=2023")
    (table / "year=2024").symlink_to(tmp_path / "store" / "year=2024")
    (table / "broken.parquet").symlink_to(tmp_path / "gone.parquet")
    record = describe_path(table)
    assert record.manifest is not None and len(record.manifest.entries) == 2
    assert record.logical is not None and record.logical.row_count == 3
    assert record.logical == fingerprint_pandas(pd.read_parquet(tmp_path / "store"))


def test_hive_parts_without_a_suffix_take_the_directory_suffix(tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.mkdir()
    (table / "000000_0").write_bytes(TITANIC.read_bytes())
    assert describe_path(table).logical == describe_path(TITANIC).logical
