"""Directories Spark writes (part files, _SUCCESS, .crc) fingerprint like one file of the rows."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

import pytest

from atlas_ml.fingerprints.datasets import describe_path

pytestmark = pytest.mark.spark

TITANIC = Path(__file__).resolve().parents[2] / "examples" / "data" / "titanic.csv"


def one_file(spark_dir: Path, target: Path) -> Path:
    """The only part file of a coalesce(1) write, copied out as a plain file."""
    (part,) = [p for p in spark_dir.iterdir() if p.name.startswith("part-")]
    shutil.copyfile(part, target)
    return target


def titanic(spark: Any) -> Any:
    return spark.read.csv(str(TITANIC), header=True, inferSchema=True, escape='"')


def test_spark_csv_directory_with_headers_fingerprints_like_one_csv_file(
    spark: Any, tmp_path: Path
) -> None:
    df = titanic(spark)
    df.repartition(4).write.csv(str(tmp_path / "parts.csv"), header=True)
    df.coalesce(1).write.csv(str(tmp_path / "single"), header=True)
    parts = describe_path(tmp_path / "parts.csv")
    assert len(parts.manifest.entries) == 4  # type: ignore[union-attr]
    assert parts.logical is not None and parts.logical.row_count == 891
    assert parts.logical == describe_path(one_file(tmp_path / "single", tmp_path / "t.csv")).logical


def test_spark_json_directory_fingerprints_like_one_jsonl_file(spark: Any, tmp_path: Path) -> None:
    df = titanic(spark)
    df.repartition(3).write.json(str(tmp_path / "parts.json"))
    df.coalesce(1).write.json(str(tmp_path / "single"))
    parts = describe_path(tmp_path / "parts.json")
    assert parts.logical is not None and parts.logical.row_count == 891
    one = one_file(tmp_path / "single", tmp_path / "t.jsonl")
    assert parts.logical == describe_path(one).logical


def test_spark_csv_directory_without_headers_records_the_manifest_only(
    spark: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    titanic(spark).repartition(3).write.csv(str(tmp_path / "out.csv"))  # header=false
    with caplog.at_level(logging.WARNING):
        record = describe_path(tmp_path / "out.csv")
    assert record.logical is None
    assert record.manifest is not None and len(record.manifest.entries) == 3
    assert "recorded its file manifest only" in caplog.text
