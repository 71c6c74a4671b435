"""Table versions read through deltalake, pyiceberg and dvc: a dataset version of a table is the
files that version lists, now or by time travel; the hand-written Delta log replay (the
no-dependency fallback) agrees with delta-rs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from deltalake import DeltaTable, write_deltalake
from pyiceberg.catalog.sql import SqlCatalog

from atlas_ml.fingerprints import describe_path
from atlas_ml.fingerprints import tables as tables_module
from atlas_ml.fingerprints.tables import VersionGone, table_version

pytestmark = pytest.mark.unit

ROWS = pd.DataFrame({"id": [1, 2, 3], "city": ["a", "b", "c"]})


@pytest.fixture(autouse=True)
def _own_digest_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATLAS_ML_CACHE", str(tmp_path / "cache"))


def _delta(tmp_path: Path) -> Path:
    table = tmp_path / "t"
    write_deltalake(str(table), ROWS)
    write_deltalake(str(table), ROWS.head(1), mode="append")
    return table


def test_a_delta_dataset_version_is_the_files_of_its_version_not_the_folder(
    tmp_path: Path,
) -> None:
    table = _delta(tmp_path)

    now = describe_path(table)
    then = describe_path(table, version="0")

    assert now.pointer is not None and now.pointer["version"] == "1"
    assert now.logical is not None and now.logical.row_count == 4
    assert then.pointer is not None and then.pointer["version"] == "0"
    assert then.pointer["details"]["current_version"] == "1"
    assert then.logical is not None and then.logical.row_count == 3
    assert then.manifest is not None and len(then.manifest.entries) == 1


def test_the_hand_replayed_delta_log_lists_what_deltalake_lists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = _delta(tmp_path)
    write_deltalake(str(table), ROWS.tail(2), mode="overwrite")
    by_library = [table_version(table, version=str(v)).files for v in range(3)]

    monkeypatch.setattr(tables_module, "library_version", lambda module: None)
    by_hand = [table_version(table, version=str(v)) for v in range(3)]

    assert [v.files for v in by_hand] == by_library
    assert "replayed by atlas-ml" in by_hand[0].reader
    assert len(DeltaTable(str(table)).file_uris()) == len(by_hand[2].files) == 1


def test_a_vacuumed_delta_version_is_gone_with_the_retention_setting(tmp_path: Path) -> None:
    table = _delta(tmp_path)
    write_deltalake(str(table), ROWS.tail(1), mode="overwrite")
    DeltaTable(str(table)).vacuum(
        retention_hours=0, enforce_retention_duration=False, dry_run=False
    )

    with pytest.raises(VersionGone, match=r"delta\.deletedFileRetentionDuration"):
        describe_path(table, version="0")


def test_an_iceberg_snapshot_is_read_back_without_a_catalog(tmp_path: Path) -> None:
    catalog = SqlCatalog(
        "unit", uri=f"sqlite:///{tmp_path}/catalog.db", warehouse=tmp_path.as_uri()
    )
    catalog.create_namespace("ml")
    rows = pa.Table.from_pandas(ROWS, preserve_index=False)
    table = catalog.create_table("ml.rows", schema=rows.schema)
    table.append(rows)
    first = table.current_snapshot().snapshot_id
    table.append(rows.slice(0, 1))
    location = Path(table.location().removeprefix("file://"))

    now = describe_path(location)
    then = describe_path(location, version=str(first))

    assert now.logical is not None and now.logical.row_count == 4
    assert then.logical is not None and then.logical.row_count == 3
    assert then.pointer is not None and then.pointer["version"] == str(first)
    with pytest.raises(VersionGone, match="has been expired"):
        describe_path(location, version="12345")


def test_an_older_dvc_version_is_read_from_the_cache_by_its_md5(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    dvc = [sys.executable, "-m", "dvc"]
    subprocess.run([*dvc, "init", "-q"], cwd=tmp_path, check=True)
    data = tmp_path / "rows.csv"
    ROWS.to_csv(data, index=False)
    subprocess.run([*dvc, "add", "-q", "rows.csv"], cwd=tmp_path, check=True)
    first = describe_path(data)
    ROWS.head(1).to_csv(data, index=False)
    subprocess.run([*dvc, "add", "-q", "rows.csv"], cwd=tmp_path, check=True)

    assert first.pointer is not None
    then = describe_path(data, version=first.pointer["version"])

    assert then.manifest is not None and first.manifest is not None
    assert then.manifest.root_hash == first.manifest.root_hash
    assert then.logical is not None and then.logical.row_count == 3
    assert describe_path(data).logical.row_count == 1  # type: ignore[union-attr]
