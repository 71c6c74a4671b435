"""A file's sha256 and file-system status travel from capture to the Atlas entities."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from atlas_ml.events import DATASET_VERSION, FILE_STATUS
from atlas_ml.events.datasets import as_openlineage
from atlas_ml.events.run_events import run_event
from atlas_ml.fingerprints.datasets import describe_path
from atlas_ml.mapping import map_event

pytestmark = pytest.mark.unit


def _mapped(location: Path) -> dict[str, dict[str, object]]:
    record = describe_path(location, logical=False)
    event = run_event(
        "COMPLETE", "p.step", "6e3c1b7e-58a4-4a53-9d44-9c5b0f3b0a11", {}, [record], []
    )
    changes = map_event(event, "prod")
    return {e["typeName"]: e["attributes"] for e in changes.entities}


def test_a_single_file_version_carries_the_file_sha256_and_its_path_is_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATLAS_ML_CACHE", str(tmp_path / "cache"))
    data = tmp_path / "x.csv"
    data.write_bytes(b"a,b\n1,2\n")

    mapped = _mapped(data)

    assert (
        mapped["atlasml_dataset_version"]["fileSha256"] == hashlib.sha256(b"a,b\n1,2\n").hexdigest()
    )
    assert mapped["hdfs_path"]["isFile"] is True
    assert mapped["hdfs_path"]["fileSize"] == 8
    assert mapped["hdfs_path"]["modifiedTime"] == data.stat().st_mtime_ns // 1_000_000


def test_a_folder_of_several_files_has_no_file_sha256_and_is_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATLAS_ML_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "parts"
    folder.mkdir()
    (folder / "a.csv").write_text("a\n1\n")
    (folder / "b.csv").write_text("a\n2\n")

    facets = as_openlineage(describe_path(folder, logical=False))["facets"]
    mapped = _mapped(folder)

    assert "fileSha256" not in facets[DATASET_VERSION]
    assert facets[FILE_STATUS]["isFile"] is False and "fileSize" not in facets[FILE_STATUS]
    assert mapped["hdfs_path"]["isFile"] is False
