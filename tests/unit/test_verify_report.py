"""The overall outcome of a verification, its exit code, and how it is shown."""

from __future__ import annotations

import hashlib
import json

import pytest

from atlas_ml.client import AtlasClient
from atlas_ml.config import AtlasConfig
from atlas_ml.fingerprints import ManifestDiff, ManifestEntry
from atlas_ml.reports import render_json, render_text
from atlas_ml.verify import (
    Collected,
    RecordedVersion,
    Status,
    Target,
    VerifyReport,
    VersionResult,
)
from atlas_ml.verify.artifact import ArtifactResult, verify_artifact
from atlas_ml.verify.run import verify_collected

pytestmark = pytest.mark.unit


def _version(name: str, uri: str | None = "file:/data/x.csv") -> RecordedVersion:
    qualified_name = f"{uri or 'memory:' + name}#{name}@primary"
    return RecordedVersion(guid=f"guid-{name}", qualified_name=qualified_name, name=name, uri=uri)


def _report(*statuses: Status) -> VerifyReport:
    report = VerifyReport(
        target={
            "guid": "0b1c",
            "typeName": "atlasml_model_version",
            "qualifiedName": "m#1@primary",
            "name": "m@1",
        },
        atlas_url="http://atlas:21000",
        checked_at="2025-01-01T00:00:00+00:00",
    )
    report.results = [
        VersionResult(_version(f"v{i}"), status, f"summary {i}")
        for i, status in enumerate(statuses)
    ]
    return report


@pytest.mark.parametrize(
    ("statuses", "code"),
    [
        ((Status.VERIFIED,), 0),
        ((Status.VERIFIED, Status.DERIVED, Status.DERIVED), 0),
        ((Status.VERIFIED, Status.CHANGED), 1),
        ((Status.CHANGED, Status.UNRECOVERABLE), 1),
        ((Status.VERIFIED, Status.UNRECOVERABLE), 2),
        ((), 2),
    ],
)
def test_exit_code_is_0_verified_1_changed_first_then_2_uncheckable(
    statuses: tuple[Status, ...], code: int
) -> None:
    assert _report(*statuses).exit_code == code


def test_text_lists_every_change_under_a_changed_version() -> None:
    report = _report(Status.VERIFIED, Status.CHANGED)
    changed = report.results[1]
    changed.findings = ["file x.csv modified (10 -> 9 bytes)", "row count 3 -> 2"]
    changed.notes = ["the Delta table has moved on"]

    text = render_text(report)

    assert "model version m#1@primary (guid 0b1c)" in text
    block = text.split("CHANGED        v1  file:/data/x.csv\n", 1)[1]
    assert block.startswith(
        "               file x.csv modified (10 -> 9 bytes)\n"
        "               row count 3 -> 2\n"
        "               note: the Delta table has moved on\n"
    )
    assert text.rstrip().endswith("CHANGED: 1 verified, 1 changed (exit 1)")


def test_text_shows_in_memory_versions_as_such_and_reports_write_back_failures() -> None:
    report = _report(Status.VERIFIED)
    report.results.append(
        VersionResult(_version("clean", uri=None), Status.DERIVED, "derived from v0 (VERIFIED)")
    )
    report.results[0].write_back_error = "HTTP 400"

    text = render_text(report)

    assert (
        "DERIVED        clean  in memory, memory:clean#clean@primary\n"
        "               derived from v0 (VERIFIED)"
    ) in text
    assert "write-back failed: HTTP 400" in text
    assert "could not write the status of 1 version(s)" in text


def test_json_carries_outcome_counts_and_the_manifest_diff() -> None:
    report = _report(Status.CHANGED)
    report.results[0].manifest_diff = ManifestDiff(
        added=[ManifestEntry("part-1.parquet", 5, "cd" * 32)], removed=[], modified=[]
    )
    report.results[0].row_count = (891, 890)

    body = json.loads(render_json(report))

    assert body["outcome"] == "CHANGED"
    assert body["exitCode"] == 1
    assert body["counts"] == {"VERIFIED": 0, "CHANGED": 1, "UNRECOVERABLE": 0, "DERIVED": 0}
    version = body["versions"][0]
    assert version["manifestDiff"]["added"] == ["part-1.parquet"]
    assert version["rowCount"] == {"recorded": 891, "current": 890}
    assert version["status"] == "CHANGED"


def test_recorded_version_reads_the_fingerprint_records_and_names_broken_ones() -> None:
    entity = {
        "guid": "g",
        "attributes": {
            "qualifiedName": "file:/d/x.csv#ab@primary",
            "name": "x.csv@ab",
            "uri": "file:/d/x.csv",
            "rowCount": 3,
            "fingerprints": "{not json",
        },
    }

    version = RecordedVersion.from_entity(entity)

    assert version.row_count == 3
    assert version.manifest is None and version.logical is None
    assert version.problems and "not JSON" in version.problems[0]
    assert not version.in_memory


def test_a_target_with_no_recorded_data_behind_it_cannot_be_verified() -> None:
    target = Target("0b1c", "atlasml_model_version", "m#1@primary", "m@1", entity={})
    client = AtlasClient(AtlasConfig(url="http://atlas.example:21000"))

    report = verify_collected(client, Collected(target, []), write_back=False)

    assert report.exit_code == 2
    assert report.problems == [
        "no dataset version recorded upstream of model version m#1@primary: nothing to verify "
        "(was the data it trained on recorded, e.g. with run.use()?)"
    ]


@pytest.mark.parametrize(
    ("artifact", "code"),
    [(Status.VERIFIED, 0), (Status.CHANGED, 1), (Status.UNRECOVERABLE, 2)],
)
def test_the_model_artifact_counts_like_a_dataset_version_in_the_exit_code(
    artifact: Status, code: int
) -> None:
    report = _report(Status.VERIFIED)
    report.artifact = ArtifactResult("file:/m/model.joblib", artifact, "summary", "ab" * 32)
    assert report.exit_code == code
    assert json.loads(render_json(report))["artifact"]["status"] == artifact.value


def test_an_artifact_file_that_changed_or_vanished_is_found_by_its_digest(tmp_path) -> None:
    model = tmp_path / "model.joblib"
    model.write_bytes(b"weights")
    entity = {
        "attributes": {
            "artifactUri": model.as_uri(),
            "artifactSha256": hashlib.sha256(b"weights").hexdigest(),
        }
    }
    assert verify_artifact(entity).status is Status.VERIFIED
    model.write_bytes(b"weightz")
    assert verify_artifact(entity).status is Status.CHANGED
    model.unlink()
    gone = verify_artifact(entity)
    assert gone.status is Status.UNRECOVERABLE and "no longer exists" in gone.summary
