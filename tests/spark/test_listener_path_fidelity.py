"""The JVM listener's paths in Atlas (issue 13, defects 1 and 3): paths differing only in case
stay two ``hdfs_path`` entities, and what Spark's file index knows about a path (a plain file,
its length and modification time; a written folder) reaches ``isFile``/``fileSize``/
``modifiedTime``. Test names carry ``listener`` so that the Spark 3.5 run covers them too."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from listener_support import Event, wait_for_events, writes_to

from atlas_ml.client import AtlasClient
from atlas_ml.delivery import Spool, push

pytestmark = [pytest.mark.spark, pytest.mark.atlas]


def _deliver(
    client: AtlasClient, lineage_spool: Path, target: Path, matches: Callable[[Event], bool]
) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for event_file in sorted(lineage_spool.glob("*.json")):
        if matches(json.loads(event_file.read_text())):
            shutil.copy(event_file, target / event_file.name)
    report = push(client, Spool(target))
    assert report.rejected == 0 and report.remaining == 0 and report.delivered > 0, report


def _hdfs_path(client: AtlasClient, location: Path) -> dict[str, Any]:
    name = f"file:{location}@{client.config.namespace}"
    found: dict[str, Any] = client.entities.get_by_unique_attribute("hdfs_path", name)["entity"]
    return found


def test_listener_writes_to_paths_differing_in_case_are_two_hdfs_paths_that_are_folders(
    spark: Any, lineage_spool: Path, atlas_client: AtlasClient, project_types: None, tmp_path: Path
) -> None:
    csv = tmp_path / "In.csv"
    csv.write_text("id,name\n1,ann\n2,bob\n")
    upper, lower = tmp_path / "Out" / "x", tmp_path / "out" / "x"
    frame = spark.read.csv(str(csv), header=True)
    frame.write.parquet(str(upper))
    frame.where("id = '1'").write.parquet(str(lower))
    for out in (upper, lower):
        wait_for_events(lineage_spool, writes_to(out))

    def either(event: Event) -> bool:
        return writes_to(upper)(event) or writes_to(lower)(event)

    _deliver(atlas_client, lineage_spool, tmp_path / "spool", either)

    written = [_hdfs_path(atlas_client, out) for out in (upper, lower)]
    assert written[0]["guid"] != written[1]["guid"]
    assert [w["attributes"]["isFile"] for w in written] == [False, False]
    source = _hdfs_path(atlas_client, csv)
    assert source["attributes"]["isFile"] is True
    assert source["attributes"]["fileSize"] == csv.stat().st_size
    assert source["attributes"]["modifiedTime"] == csv.stat().st_mtime_ns // 1_000_000
