"""Judging one dataset version: recorded fingerprints against the data as it is now."""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from atlas_ml.events.datasets import as_openlineage
from atlas_ml.fingerprints import build_manifest, fingerprint_pandas
from atlas_ml.fingerprints.datasets import DatasetRecord, describe_path
from atlas_ml.mapping.changes import AtlasChanges
from atlas_ml.mapping.datasets import map_dataset
from atlas_ml.verify import RecordedVersion, Status, compare_version, judge_in_memory, recompute
from atlas_ml.verify.recompute import Recomputed

pytestmark = pytest.mark.unit

TITANIC = Path(__file__).resolve().parents[2] / "examples" / "data" / "titanic.csv"


def recorded_as_atlas_holds_it(record: DatasetRecord, guid: str = "g-1") -> RecordedVersion:
    """The dataset version entity the mapper sends to Atlas for ``record``."""
    changes = AtlasChanges()
    reference = map_dataset(as_openlineage(record), changes, "primary", "2025-01-01T00:00:00Z")
    entity = next(e for e in changes.entities if e["guid"] == reference["guid"])
    return RecordedVersion.from_entity({**entity, "guid": guid})


@pytest.fixture
def titanic(tmp_path: Path) -> Path:
    path = tmp_path / "titanic.csv"
    shutil.copyfile(TITANIC, path)
    return path


def test_untouched_file_is_verified_on_bytes_and_rows(titanic: Path) -> None:
    recorded = recorded_as_atlas_holds_it(describe_path(titanic))

    result = compare_version(recorded, recompute(recorded.uri or ""))

    assert result.status is Status.VERIFIED
    assert result.summary == "1 file(s) byte-identical, 891 rows identical"
    assert result.findings == []


def test_one_flipped_byte_names_the_file_and_the_column_it_is_in(titanic: Path) -> None:
    recorded = recorded_as_atlas_holds_it(describe_path(titanic))
    data = bytearray(titanic.read_bytes())
    data[data.index(b"Braund")] = ord("X")
    titanic.write_bytes(bytes(data))

    result = compare_version(recorded, recompute(recorded.uri or ""))

    assert result.status is Status.CHANGED
    assert result.manifest_diff is not None
    assert [old.path for old, _ in result.manifest_diff.modified] == ["titanic.csv"]
    assert "file titanic.csv modified (60302 -> 60302 bytes)" in result.findings
    assert "columns whose values changed: Name" in result.findings
    assert result.row_count == (891, 891)


def test_a_deleted_row_shows_as_row_count_891_to_890(titanic: Path) -> None:
    recorded = recorded_as_atlas_holds_it(describe_path(titanic))
    lines = titanic.read_text().splitlines(keepends=True)
    titanic.write_text("".join(lines[:10] + lines[11:]))

    result = compare_version(recorded, recompute(recorded.uri or ""))

    assert result.status is Status.CHANGED
    assert "row count 891 -> 890" in result.findings
    assert result.row_count == (891, 890)
    assert "values changed in every column (12), as adding or removing rows does" in (
        result.findings
    )


def test_rewritten_bytes_with_the_same_rows_are_changed_but_say_the_rows_are_equal(
    titanic: Path,
) -> None:
    recorded = recorded_as_atlas_holds_it(describe_path(titanic))
    titanic.write_bytes(titanic.read_bytes() + b"\n")

    result = compare_version(recorded, recompute(recorded.uri or ""))

    assert result.status is Status.CHANGED
    assert result.logical is not None and result.logical.identical
    assert any("rows, values and schema are identical" in f for f in result.findings)


def test_a_vanished_file_is_unrecoverable(titanic: Path) -> None:
    recorded = recorded_as_atlas_holds_it(describe_path(titanic))
    titanic.unlink()

    result = compare_version(recorded, recompute(recorded.uri or ""))

    assert result.status is Status.UNRECOVERABLE
    assert result.summary == f"{recorded.uri} no longer exists"


def test_a_location_this_machine_cannot_read_is_unrecoverable_with_the_reason(
    titanic: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)  # no Spark here: no Hadoop client
    recorded = replace(
        recorded_as_atlas_holds_it(describe_path(titanic)), uri="hdfs://nn:8020/data/t.csv"
    )

    result = compare_version(recorded, recompute(recorded.uri or ""))

    assert result.status is Status.UNRECOVERABLE
    assert "hdfs://nn:8020/data/t.csv is read through Spark's Hadoop client" in result.summary
    assert "atlas-ml[spark]" in result.summary


def test_a_parquet_file_that_no_longer_parses_is_changed_by_its_bytes(tmp_path: Path) -> None:
    path = tmp_path / "points.parquet"
    pd.DataFrame({"x": [1, 2, 3]}).to_parquet(path)
    recorded = recorded_as_atlas_holds_it(describe_path(path))
    path.write_bytes(b"not parquet any more")

    now = recompute(recorded.uri or "")
    result = compare_version(recorded, now)

    assert now.record is not None and now.record.logical is None
    assert result.status is Status.CHANGED
    assert result.findings[0].startswith("file points.parquet modified")
    assert any("no longer parses as parquet" in note for note in result.notes)


def test_only_a_root_hash_recorded_still_detects_change_without_naming_files(
    titanic: Path,
) -> None:
    full = recorded_as_atlas_holds_it(describe_path(titanic))
    recorded = replace(full, manifest=None, logical=None, content_hash=None)
    titanic.write_bytes(titanic.read_bytes() + b"\n")
    old, new = full.manifest_root_hash or "", build_manifest(titanic, cache=False).root_hash

    result = compare_version(recorded, recompute(recorded.uri or ""))

    assert result.status is Status.CHANGED
    assert result.findings == [
        f"file manifest root hash {old[:12]} -> {new[:12]} (no per-file record to say which files)"
    ]


def test_a_version_with_no_recorded_fingerprint_is_unrecoverable(titanic: Path) -> None:
    recorded = replace(
        recorded_as_atlas_holds_it(describe_path(titanic)),
        manifest=None,
        logical=None,
        content_hash=None,
        manifest_root_hash=None,
    )

    result = compare_version(recorded, recompute(recorded.uri or ""))

    assert result.status is Status.UNRECOVERABLE
    assert "no fingerprint" in result.summary


def test_a_delta_table_that_moved_on_is_noted_with_time_travel_advice(titanic: Path) -> None:
    record = describe_path(titanic)
    recorded = replace(
        recorded_as_atlas_holds_it(record), version_kind="DELTA", version_pointer="3"
    )
    now = replace(record, pointer={"kind": "delta", "version": "5"})

    result = compare_version(recorded, Recomputed(now))

    assert result.status is Status.VERIFIED
    assert result.pointer == {"kind": "DELTA", "recorded": "3", "current": "5", "movedOn": True}
    assert any("Delta table has moved on: recorded version 3, now 5" in n for n in result.notes)
    assert any("VERSION AS OF 3" in n for n in result.notes)


def test_rehash_reads_bytes_again_when_size_and_mtime_were_kept(titanic: Path) -> None:
    recorded = recorded_as_atlas_holds_it(describe_path(titanic))
    stat = titanic.stat()
    data = bytearray(titanic.read_bytes())
    data[data.index(b"Braund")] = ord("X")
    titanic.write_bytes(bytes(data))
    os.utime(titanic, ns=(stat.st_atime_ns, stat.st_mtime_ns))

    result = compare_version(recorded, recompute(recorded.uri or "", rehash=True))

    assert result.status is Status.CHANGED
    assert "file titanic.csv modified (60302 -> 60302 bytes)" in result.findings


def _in_memory(name: str) -> RecordedVersion:
    return RecordedVersion(
        guid=f"g-{name}",
        qualified_name=f"memory:{name}#1@primary",
        name=name,
        uri=None,
        content_hash="ab" * 16,
    )


def test_in_memory_data_made_from_verified_files_is_derived(titanic: Path) -> None:
    recorded = recorded_as_atlas_holds_it(describe_path(titanic))
    source = compare_version(recorded, recompute(recorded.uri or ""))

    result = judge_in_memory(_in_memory("clean"), [source], {source.version.guid: ["clean"]})

    assert result.status is Status.DERIVED
    assert result.summary == (
        f"not independently checkable (in-memory); derived from {recorded.name} (VERIFIED) by clean"
    )


def test_in_memory_data_whose_source_changed_cannot_be_vouched_for(titanic: Path) -> None:
    recorded = recorded_as_atlas_holds_it(describe_path(titanic))
    titanic.write_bytes(titanic.read_bytes() + b"\n")
    source = compare_version(recorded, recompute(recorded.uri or ""))

    result = judge_in_memory(_in_memory("clean"), [source])

    assert result.status is Status.UNRECOVERABLE
    assert f"{recorded.name} (CHANGED)" in result.summary


def test_in_memory_data_with_no_recorded_source_is_unrecoverable() -> None:
    result = judge_in_memory(_in_memory("features"), [])

    assert result.status is Status.UNRECOVERABLE
    assert "no file-backed dataset version upstream" in result.summary


def test_in_memory_data_without_a_source_within_the_depth_read_points_at_depth() -> None:
    result = judge_in_memory(_in_memory("features"), [], depth=1)

    assert result.status is Status.UNRECOVERABLE
    assert "within the 1 dataset hop(s) of lineage read (a larger --depth may reach one)" in (
        result.summary
    )


def test_an_added_column_is_not_reported_as_values_moved_between_rows(titanic: Path) -> None:
    recorded = recorded_as_atlas_holds_it(describe_path(titanic))
    frame = pd.read_csv(titanic)
    frame["Extra"] = 1
    frame.to_csv(titanic, index=False)

    result = compare_version(recorded, recompute(recorded.uri or ""))

    assert result.status is Status.CHANGED
    assert "columns added: Extra" in result.findings
    assert not any("moved between rows" in f for f in result.findings), result.findings


def test_a_logical_fingerprint_another_engine_recorded_does_not_change_identical_bytes(
    titanic: Path,
) -> None:
    record = describe_path(titanic)
    assert record.logical is not None
    # Spark's CSV reader (escape "\") parses some quoted names differently from pandas.
    frame = pd.read_csv(titanic)
    frame.loc[0, "Name"] = frame.loc[0, "Name"] + "\\"
    spark_logical = replace(fingerprint_pandas(frame), engine="spark")
    recorded = recorded_as_atlas_holds_it(replace(record, logical=spark_logical))

    result = compare_version(recorded, recompute(recorded.uri or ""))

    assert result.status is Status.VERIFIED, result.findings
    assert result.summary == "1 file(s) byte-identical"
    assert result.findings == []
    assert any(
        "recorded by spark" in note and "columns whose values changed: Name" in note
        for note in result.notes
    ), result.notes


def test_changed_bytes_and_rows_recorded_by_another_engine_say_which_engine(
    titanic: Path,
) -> None:
    record = describe_path(titanic)
    assert record.logical is not None
    recorded = recorded_as_atlas_holds_it(
        replace(record, logical=replace(record.logical, engine="spark"))
    )
    lines = titanic.read_text().splitlines(keepends=True)
    titanic.write_text("".join(lines[:-1]))

    result = compare_version(recorded, recompute(recorded.uri or ""))

    assert result.status is Status.CHANGED
    assert "row count 891 -> 890" in result.findings
    assert any("recorded by spark" in note for note in result.notes), result.notes


def test_a_file_replaced_by_a_directory_is_changed_with_the_files_that_came_and_went(
    titanic: Path,
) -> None:
    recorded = recorded_as_atlas_holds_it(describe_path(titanic))
    parts = titanic.read_text().splitlines(keepends=True)
    titanic.unlink()
    titanic.mkdir()
    (titanic / "part-00000.csv").write_text("".join(parts[:400]))
    (titanic / "part-00001.csv").write_text("".join(parts[:1] + parts[400:]))

    result = compare_version(recorded, recompute(recorded.uri or ""))

    assert result.status is Status.CHANGED, result.summary
    assert "file titanic.csv removed" in result.findings
    assert any(f.startswith("file part-00000.csv added") for f in result.findings)
    assert any(f.startswith("file part-00001.csv added") for f in result.findings)


def test_a_directory_replaced_by_a_file_is_changed_with_the_files_that_came_and_went(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "points.parquet"
    folder.mkdir()
    pd.DataFrame({"x": [1, 2]}).to_parquet(folder / "part-00000.parquet")
    pd.DataFrame({"x": [3]}).to_parquet(folder / "part-00001.parquet")
    recorded = recorded_as_atlas_holds_it(describe_path(folder))
    shutil.rmtree(folder)
    pd.DataFrame({"x": [1, 2, 3]}).to_parquet(folder)

    result = compare_version(recorded, recompute(recorded.uri or ""))

    assert result.status is Status.CHANGED, result.summary
    assert "file part-00000.parquet removed" in result.findings
    assert "file part-00001.parquet removed" in result.findings
    assert any(f.startswith("file points.parquet added") for f in result.findings)
