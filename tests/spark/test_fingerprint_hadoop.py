"""Manifests read through the Spark driver's Hadoop client equal the local manifests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from listener_support import mount_viewfs

from atlas_ml.fingerprints import ManifestError, build_manifest
from atlas_ml.fingerprints.cache import DigestCache
from atlas_ml.fingerprints.hadoop import (
    EXECUTOR_THRESHOLD_ENV,
    build_hadoop_manifest,
    is_local_location,
)

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


def test_hadoop_manifest_reads_unchanged_files_from_the_digest_cache(
    spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from atlas_ml.fingerprints import hadoop

    data = _dataset(tmp_path / "data")
    uri = mount_viewfs(spark, "fingerprints-cache", "data", data)
    with DigestCache(tmp_path / "digests.sqlite3") as cache:
        first = build_hadoop_manifest(uri, spark, cache=cache)

        def no_read(*args: Any) -> str:
            raise AssertionError("an unchanged file was read again")

        monkeypatch.setattr(hadoop, "_sha256", no_read)
        assert build_hadoop_manifest(uri, spark, cache=cache) == first
        monkeypatch.undo()
        (data / "b.csv").write_bytes(b"changed")  # new size and mtime: read again
        changed = build_hadoop_manifest(uri, spark, cache=cache)
    assert changed.root_hash != first.root_hash
    assert changed.root_hash == build_manifest(data, cache=False).root_hash


def test_hadoop_manifest_refuses_data_above_the_size_limit_after_listing_only(
    spark: Any, tmp_path: Path
) -> None:
    from atlas_ml.fingerprints.hadoop import ManifestTooLargeError

    uri = mount_viewfs(spark, "fingerprints-large", "data", _dataset(tmp_path / "data"))
    with pytest.raises(ManifestTooLargeError, match="25,608 bytes in 2 files"):
        build_hadoop_manifest(uri, spark, max_bytes=1000, cache=False)


def test_verify_recomputes_the_manifest_of_non_local_data_through_spark(
    spark: Any, tmp_path: Path
) -> None:
    from atlas_ml.verify.recompute import recompute

    data = _dataset(tmp_path / "data")
    uri = mount_viewfs(spark, "fingerprints-verify", "data", data)
    now = recompute(uri)
    assert now.error is None and now.record is not None and now.record.manifest is not None
    assert now.record.manifest.root_hash == build_manifest(data, cache=False).root_hash
    gone = recompute(uri + "/missing")
    assert gone.record is None and "viewfs://fingerprints-verify/data/missing" in str(gone.error)


def test_verify_of_an_unreachable_hadoop_location_names_the_hadoop_error(spark: Any) -> None:
    from atlas_ml.verify.recompute import recompute

    now = recompute("hdfs://no-such-namenode.invalid:8020/data/t.csv")
    assert now.record is None
    assert "hdfs://no-such-namenode.invalid:8020/data/t.csv: cannot read it through Hadoop" in (
        now.error or ""
    )


def _many_files(root: Path, count: int) -> Path:
    for index in range(count):
        folder = root / f"day={index % 7}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"part-{index:04d}.csv").write_bytes(bytes([index % 251]) * (100 + index * 37))
    (root / "_SUCCESS").write_text("")
    return root


def test_executor_manifest_of_many_files_has_the_root_hash_of_the_local_manifest(
    spark: Any, tmp_path: Path
) -> None:
    data = _many_files(tmp_path / "table", 120)
    uri = mount_viewfs(spark, "executors", "table", data)
    jobs_before = len(spark.sparkContext.statusTracker().getJobIdsForGroup())

    remote = build_hadoop_manifest(uri, spark, cache=False, on_executors=True)

    local = build_manifest(data, cache=False)
    assert len(remote.entries) == 120
    assert remote.entries == local.entries
    assert remote.root_hash == local.root_hash
    # the digests came from a Spark job, not from the driver's threads
    assert len(spark.sparkContext.statusTracker().getJobIdsForGroup()) > jobs_before


def test_manifests_above_the_threshold_are_digested_on_the_executors_by_themselves(
    spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _many_files(tmp_path / "big", 20)
    uri = mount_viewfs(spark, "threshold", "big", data)
    tracker = spark.sparkContext.statusTracker()

    monkeypatch.setenv(EXECUTOR_THRESHOLD_ENV, str(10**12))
    before = len(tracker.getJobIdsForGroup())
    below = build_hadoop_manifest(uri, spark, cache=False)
    assert len(tracker.getJobIdsForGroup()) == before  # read by the driver: no job

    monkeypatch.setenv(EXECUTOR_THRESHOLD_ENV, "1")
    above = build_hadoop_manifest(uri, spark, cache=False)
    assert len(tracker.getJobIdsForGroup()) > before
    assert above == below


def test_executor_manifests_fill_and_use_the_digest_cache(spark: Any, tmp_path: Path) -> None:
    data = _many_files(tmp_path / "cached", 10)
    uri = mount_viewfs(spark, "cached", "cached", data)
    tracker = spark.sparkContext.statusTracker()
    with DigestCache(tmp_path / "digests.sqlite") as cache:
        first = build_hadoop_manifest(uri, spark, cache=cache, on_executors=True)
        before = len(tracker.getJobIdsForGroup())
        again = build_hadoop_manifest(uri, spark, cache=cache, on_executors=True)
    assert again == first
    assert len(tracker.getJobIdsForGroup()) == before  # every digest came from the cache
