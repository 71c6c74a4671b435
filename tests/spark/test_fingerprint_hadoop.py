"""Manifests read through the Spark driver's Hadoop client equal the local manifests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from listener_support import mount_viewfs

from atlas_ml.fingerprints import ManifestError, build_manifest
from atlas_ml.fingerprints.hadoop import build_hadoop_manifest, is_local_location

pytestmark = pytest.mark.spark


def _dataset(root: Path) -> Path:
    (root / "part=1").mkdir(parents=True)
    (root / "part=1" / "a.csv").write_text("x,y\n1,2\n")
    (root / "b.csv").write_bytes(bytes(range(256)) * 100)
    (root / "_SUCCESS").write_text("")
    (root / ".b.csv.crc").write_text("crc")
    (root / "_temporary").mkdir()
    (root / "_temporary" / "c.csv").write_text("half written")
    return root


def test_hadoop_manifest_of_a_viewfs_uri_equals_the_local_manifest_of_its_files(
    spark: Any, tmp_path: Path
) -> None:
    data = _dataset(tmp_path / "data")
    uri = mount_viewfs(spark, "fingerprints", "data", data)

    remote = build_hadoop_manifest(uri, spark)
    local = build_manifest(data, cache=False)
    assert remote.entries == local.entries
    assert [e.path for e in remote.entries] == ["b.csv", "part=1/a.csv"]
    assert remote.root_hash == local.root_hash
    assert remote.root == uri
    single = build_hadoop_manifest(f"{uri}/b.csv", spark)
    assert single.root_hash == build_manifest(data / "b.csv", cache=False).root_hash


def test_hadoop_manifest_of_a_missing_uri_names_the_location(spark: Any, tmp_path: Path) -> None:
    uri = mount_viewfs(spark, "fingerprints-missing", "gone", tmp_path / "gone")
    with pytest.raises(ManifestError, match="viewfs://fingerprints-missing/gone"):
        build_hadoop_manifest(uri, spark)


@pytest.mark.parametrize(
    ("location", "local"),
    [
        ("/data/x", True),
        ("relative/x", True),
        ("file:///data/x", True),
        ("hdfs://nn:8020/data/x", False),
        ("s3a://bucket/x", False),
        ("viewfs://cluster/x", False),
    ],
)
def test_local_locations_are_paths_and_file_uris_only(location: str, local: bool) -> None:
    assert is_local_location(location) is local
