"""Native version pointers read from Delta, Iceberg, DVC and lakeFS metadata."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from atlas_ml.fingerprints.pointers import PointerError, VersionPointer, detect_pointer

pytestmark = pytest.mark.unit


def write_delta_commit(log: Path, version: int, actions: list[dict[str, object]]) -> None:
    log.mkdir(parents=True, exist_ok=True)
    lines = "\n".join(json.dumps(a) for a in actions)
    (log / f"{version:020d}.json").write_text(lines + "\n")


def test_delta_pointer_is_latest_commit_with_its_commit_info(tmp_path: Path) -> None:
    table = tmp_path / "events"
    log = table / "_delta_log"
    write_delta_commit(
        log,
        0,
        [
            {"commitInfo": {"timestamp": 1700000000000, "operation": "CREATE TABLE"}},
            {"metaData": {"id": "4f9c-table-id", "format": {"provider": "parquet"}}},
            {"add": {"path": "part-0.parquet", "size": 10}},
        ],
    )
    write_delta_commit(
        log,
        1,
        [
            {
                "commitInfo": {
                    "timestamp": 1700000360000,
                    "operation": "WRITE",
                    "userName": "etl",
                    "engineInfo": "Apache-Spark/4.0.0 Delta-Lake/4.0.0",
                }
            },
            {"add": {"path": "part-1.parquet", "size": 12}},
        ],
    )
    (log / "00000000000000000001.crc").write_text("{}")
    pointer = detect_pointer(table)
    assert pointer.kind == "delta"
    assert pointer.version == "1"
    assert pointer.timestamp == "2023-11-14T22:19:20+00:00"
    assert pointer.details["operation"] == "WRITE"
    assert pointer.details["user"] == "etl"
    assert pointer.details["table_id"] == "4f9c-table-id"


def test_iceberg_pointer_is_current_snapshot_of_newest_metadata(tmp_path: Path) -> None:
    metadata = tmp_path / "tbl" / "metadata"
    metadata.mkdir(parents=True)
    old = {"table-uuid": "u-1", "current-snapshot-id": 1, "snapshots": [{"snapshot-id": 1}]}
    (metadata / "00001-aaaa.metadata.json").write_text(json.dumps(old))
    new = {
        "table-uuid": "u-1",
        "current-snapshot-id": 22,
        "snapshots": [
            {"snapshot-id": 1, "timestamp-ms": 1},
            {
                "snapshot-id": 22,
                "timestamp-ms": 1700000000000,
                "summary": {"operation": "append"},
            },
        ],
    }
    (metadata / "00002-bbbb.metadata.json").write_text(json.dumps(new))
    pointer = detect_pointer(tmp_path / "tbl")
    assert (pointer.kind, pointer.version) == ("iceberg", "22")
    assert pointer.details["operation"] == "append"
    assert pointer.details["metadata_file"] == "00002-bbbb.metadata.json"
    assert pointer.timestamp == "2023-11-14T22:13:20+00:00"


def test_dvc_pointer_reads_the_dir_md5_of_a_tracked_directory(tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    (tmp_path / "images.dvc").write_text(
        "outs:\n"
        "- md5: a304afb96060aad90176268345e10355.dir\n"
        "  size: 4096\n"
        "  nfiles: 3\n"
        "  hash: md5\n"
        "  path: images\n"
    )
    by_data = detect_pointer(tmp_path / "images")
    by_file = detect_pointer(tmp_path / "images.dvc")
    assert by_data == by_file
    assert by_data.kind == "dvc"
    assert by_data.version == "a304afb96060aad90176268345e10355.dir"
    assert by_data.details["nfiles"] == 3


def test_lakefs_branch_is_parsed_but_reported_unresolved() -> None:
    pointer = detect_pointer("lakefs://ml-data/main/users/behavior/")
    assert pointer.kind == "lakefs"
    assert pointer.version == "main"
    assert pointer.resolved is False
    assert pointer.details["repository"] == "ml-data"
    assert pointer.details["path"] == "users/behavior/"


def test_lakefs_commit_id_ref_counts_as_resolved() -> None:
    commit = "c" * 64
    assert detect_pointer(f"lakefs://ml-data/{commit}/x.parquet").resolved is True


def test_raw_directory_pointer_moves_when_a_data_file_changes(tmp_path: Path) -> None:
    (tmp_path / "part-0.csv").write_text("a\n")
    (tmp_path / "_SUCCESS").write_text("")
    before = detect_pointer(tmp_path)
    assert before.kind == "directory"
    assert before.details["files"] == 1
    (tmp_path / "part-0.csv").write_text("a,b\n")
    assert detect_pointer(tmp_path).version != before.version


def test_raw_file_pointer_is_size_and_mtime(tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    data.write_text("a\n")
    pointer = detect_pointer(data.as_uri())
    stat = data.stat()
    assert pointer.kind == "file"
    assert pointer.version == f"{stat.st_size}:{stat.st_mtime_ns}"
    assert VersionPointer.from_dict(json.loads(json.dumps(pointer.to_dict()))) == pointer


def test_unknown_scheme_and_missing_path_get_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(PointerError, match="'s3' scheme"):
        detect_pointer("s3://bucket/key")
    with pytest.raises(PointerError, match="no such file"):
        detect_pointer(tmp_path / "absent")


def test_delta_log_without_commits_is_reported(tmp_path: Path) -> None:
    (tmp_path / "_delta_log").mkdir()
    with pytest.raises(PointerError, match="no commit files"):
        detect_pointer(tmp_path)
