"""File manifests: which files count, canonical root hash, digest cache, diff."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import pytest

from atlas_ml.fingerprints.cache import DigestCache
from atlas_ml.fingerprints.manifest import (
    UnsupportedSchemeError,
    build_manifest,
    diff_manifests,
    sha256_file,
)

pytestmark = pytest.mark.unit


def make_table(root: Path) -> Path:
    """A Spark-style output directory with bookkeeping files next to the data."""
    (root / "year=2024").mkdir(parents=True)
    (root / "part-00001.parquet").write_bytes(b"second part")
    (root / "part-00000.parquet").write_bytes(b"first part")
    (root / "year=2024" / "part-00000.parquet").write_bytes(b"partitioned")
    (root / "_SUCCESS").write_bytes(b"")
    (root / ".part-00000.parquet.crc").write_bytes(b"crc")
    (root / "part-00000.parquet.crc").write_bytes(b"crc")
    (root / "_temporary" / "0").mkdir(parents=True)
    (root / "_temporary" / "0" / "part-9.parquet").write_bytes(b"uncommitted")
    (root / ".hidden").mkdir()
    (root / ".hidden" / "x").write_bytes(b"x")
    return root


def test_manifest_lists_only_data_files_sorted_by_relative_posix_path(tmp_path: Path) -> None:
    manifest = build_manifest(make_table(tmp_path / "t"), cache=False)
    assert [e.path for e in manifest.entries] == [
        "part-00000.parquet",
        "part-00001.parquet",
        "year=2024/part-00000.parquet",
    ]
    first = manifest.entries[0]
    assert first.size == len(b"first part")
    assert first.sha256 == hashlib.sha256(b"first part").hexdigest()


def test_root_hash_is_sha256_of_the_documented_json_lines_listing(tmp_path: Path) -> None:
    manifest = build_manifest(make_table(tmp_path / "t"), cache=False)
    listing = b"".join(
        json.dumps([e.path, e.size, e.sha256], separators=(",", ":")).encode() + b"\n"
        for e in manifest.entries
    )
    assert manifest.root_hash == hashlib.sha256(listing).hexdigest()


def test_root_hash_is_stable_across_runs_and_worker_counts(tmp_path: Path) -> None:
    table = make_table(tmp_path / "t")
    one = build_manifest(table, workers=1, cache=False)
    many = build_manifest(table, workers=4, cache=False)
    assert one.root_hash == many.root_hash
    assert one == many


def test_flipping_one_byte_changes_root_hash_and_diff_names_the_file(tmp_path: Path) -> None:
    table = make_table(tmp_path / "t")
    before = build_manifest(table, cache=False)
    target = table / "year=2024" / "part-00000.parquet"
    data = bytearray(target.read_bytes())
    data[3] ^= 0x01
    target.write_bytes(bytes(data))
    after = build_manifest(table, cache=False)
    assert after.root_hash != before.root_hash
    diff = diff_manifests(before, after)
    assert [old.path for old, _ in diff.modified] == ["year=2024/part-00000.parquet"]
    assert not diff.added and not diff.removed


def test_diff_reports_added_and_removed_files(tmp_path: Path) -> None:
    table = make_table(tmp_path / "t")
    before = build_manifest(table, cache=False)
    (table / "part-00001.parquet").unlink()
    (table / "part-00002.parquet").write_bytes(b"new")
    diff = diff_manifests(before, build_manifest(table, cache=False))
    assert [e.path for e in diff.added] == ["part-00002.parquet"]
    assert [e.path for e in diff.removed] == ["part-00001.parquet"]
    assert diff.summary() == "1 added, 1 removed"
    assert diff_manifests(before, before).unchanged


class CountingHasher:
    """``sha256_file`` that remembers which files it read."""

    def __init__(self) -> None:
        self.reads: list[str] = []

    def __call__(self, path: Path) -> str:
        self.reads.append(path.name)
        return sha256_file(path)


def test_cache_hit_avoids_rereading_unchanged_files(tmp_path: Path) -> None:
    table = make_table(tmp_path / "t")
    hasher = CountingHasher()

    with DigestCache(tmp_path / "cache.sqlite3") as cache:
        first = build_manifest(table, cache=cache, hasher=hasher)
        assert len(hasher.reads) == 3
        second = build_manifest(table, cache=cache, hasher=hasher)
        assert len(hasher.reads) == 3
        assert second == first
        changed = table / "part-00001.parquet"
        changed.write_bytes(b"second part, rewritten")
        third = build_manifest(table, cache=cache, hasher=hasher)
    assert hasher.reads[3:] == ["part-00001.parquet"]
    assert third.root_hash != first.root_hash


def test_bytes_restored_with_their_old_size_and_mtime_are_read_again(tmp_path: Path) -> None:
    """cp -a or touch -d can give new bytes the old (size, mtime); the ctime gives them away."""
    table = make_table(tmp_path / "t")
    part = table / "part-00001.parquet"
    hasher = CountingHasher()

    with DigestCache(tmp_path / "cache.sqlite3") as cache:
        first = build_manifest(table, cache=cache, hasher=hasher)
        old = part.stat()
        tampered = bytes(b ^ 1 for b in part.read_bytes())
        time.sleep(0.05)  # a later ctime even where file times tick every 10 ms (HZ=100)
        part.write_bytes(tampered)
        os.utime(part, ns=(old.st_atime_ns, old.st_mtime_ns))
        assert (part.stat().st_size, part.stat().st_mtime_ns) == (old.st_size, old.st_mtime_ns)
        second = build_manifest(table, cache=cache, hasher=hasher)
    assert hasher.reads[3:] == ["part-00001.parquet"]
    assert second.root_hash != first.root_hash


def test_default_cache_lives_under_the_atlas_ml_cache_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATLAS_ML_CACHE", str(tmp_path / "cache"))
    build_manifest(make_table(tmp_path / "t"))
    assert (tmp_path / "cache" / "fingerprints" / "file-digests.sqlite3").is_file()


def test_single_file_and_file_uri_give_the_same_manifest(tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    data.write_text("a,b\n1,2\n")
    by_path = build_manifest(data, cache=False)
    by_uri = build_manifest(data.as_uri(), cache=False)
    assert [e.path for e in by_path.entries] == ["data.csv"]
    assert by_uri == by_path


def test_unsupported_scheme_is_named_in_the_error() -> None:
    with pytest.raises(UnsupportedSchemeError, match="'hdfs' scheme is not supported"):
        build_manifest("hdfs://namenode:8020/data/events", cache=False)


def test_manifest_survives_a_round_trip_through_json(tmp_path: Path) -> None:
    manifest = build_manifest(make_table(tmp_path / "t"), cache=False)
    from atlas_ml.fingerprints.manifest import FileManifest

    assert FileManifest.from_dict(json.loads(json.dumps(manifest.to_dict()))) == manifest


def test_example_dataset_digest_matches_its_provenance_record() -> None:
    root = Path(__file__).resolve().parents[2] / "examples" / "data" / "titanic.csv"
    manifest = build_manifest(os.fspath(root), cache=False)
    assert manifest.entries[0].sha256 == (
        "4a437fde05fe5264e1701a7387ac6fb75393772ba38bb2c9c566405af5af4bd7"
    )


def symlinked_images(tmp_path: Path) -> Path:
    """``ds/cats`` is a real folder, ``ds/dogs`` a link to a folder kept elsewhere."""
    (tmp_path / "store" / "dogs").mkdir(parents=True)
    (tmp_path / "store" / "dogs" / "d1.png").write_bytes(b"dog")
    (tmp_path / "ds" / "cats").mkdir(parents=True)
    (tmp_path / "ds" / "cats" / "c1.png").write_bytes(b"cat")
    (tmp_path / "ds" / "dogs").symlink_to(tmp_path / "store" / "dogs")
    return tmp_path / "ds"


def test_manifest_follows_symlinked_directories_so_a_change_under_one_is_seen(
    tmp_path: Path,
) -> None:
    data = symlinked_images(tmp_path)
    before = build_manifest(data, cache=False)
    assert [e.path for e in before.entries] == ["cats/c1.png", "dogs/d1.png"]
    (tmp_path / "store" / "dogs" / "d1.png").write_bytes(b"another dog")
    diff = diff_manifests(before, build_manifest(data, cache=False))
    assert [old.path for old, _ in diff.modified] == ["dogs/d1.png"]


def test_dangling_symlink_is_left_out_with_a_warning_naming_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = symlinked_images(tmp_path)
    (data / "broken.png").symlink_to(tmp_path / "nowhere.png")
    manifest = build_manifest(data, cache=False)
    assert [e.path for e in manifest.entries] == ["cats/c1.png", "dogs/d1.png"]
    assert "broken.png: dangling symbolic link" in caplog.text
    # repairing the link shows up as an added file
    (tmp_path / "nowhere.png").write_bytes(b"found")
    diff = diff_manifests(manifest, build_manifest(data, cache=False))
    assert [e.path for e in diff.added] == ["broken.png"]


def test_symlink_cycle_is_not_followed_but_two_links_to_one_folder_are_both_listed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = symlinked_images(tmp_path)
    (data / "cats" / "loop").symlink_to(data)
    (data / "puppies").symlink_to(tmp_path / "store" / "dogs")
    manifest = build_manifest(data, cache=False)
    assert [e.path for e in manifest.entries] == ["cats/c1.png", "dogs/d1.png", "puppies/d1.png"]
    assert "loop: symbolic link to an enclosing directory" in caplog.text
