"""``hdfs_path`` entities say what the file system says (issue 13, defect 3): a plain file is
``isFile=true`` with its ``fileSize`` and ``modifiedTime``, a folder ``isFile=false``, as
Atlas's HDFS model (``fs_path``, mirroring Hadoop's ``FileStatus``) defines them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fidelity_support import entity, titanic_copy, train_on

from atlas_ml.client import AtlasClient
from atlas_ml.delivery import Spool
from atlas_ml.tracking import training_run

pytestmark = pytest.mark.atlas


def test_a_plain_file_is_an_hdfs_path_with_isfile_its_size_and_modification_time(
    atlas_client: AtlasClient, project_types: None, unique: str, tmp_path: Path
) -> None:
    csv = titanic_copy(tmp_path / "titanic.csv", unique)
    os.utime(csv, (1_700_000_000.25, 1_700_000_000.25))

    train_on(atlas_client, csv, unique, tmp_path / "spool")

    path = entity(atlas_client, "hdfs_path", f"file:{csv}@{atlas_client.config.namespace}")
    assert path["attributes"]["isFile"] is True
    assert path["attributes"]["fileSize"] == csv.stat().st_size
    assert path["attributes"]["modifiedTime"] == 1_700_000_000_250


def test_a_folder_is_an_hdfs_path_that_is_not_a_file(
    atlas_client: AtlasClient, project_types: None, unique: str, tmp_path: Path
) -> None:
    folder = tmp_path / "parts"
    titanic_copy(folder / "part-0.csv", unique)
    titanic_copy(folder / "part-1.csv", f"{unique}-1")

    with training_run(unique, client=atlas_client, spool=Spool(tmp_path / "spool")) as run:
        run.use(folder, role="train")
    assert run.delivery is not None and run.delivery.delivered == 1

    path = entity(atlas_client, "hdfs_path", f"file:{folder}@{atlas_client.config.namespace}")
    assert path["attributes"]["isFile"] is False
    assert path["attributes"]["modifiedTime"] == int(folder.stat().st_mtime * 1000)
