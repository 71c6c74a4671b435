"""``verify`` of a Spark ML model trained on a Delta or Iceberg table that Spark itself wrote
(delta-spark / iceberg-spark-runtime from Maven Central): after Spark appends, the version the
model trained on is read back by time travel and VERIFIED; after Spark's VACUUM /
expire_snapshots it is UNRECOVERABLE, naming the retention setting.

Each scenario's Spark part runs as jobs in processes of their own (table_job.py), whose
sessions load the table format's runtime; the session the other Spark tests share has none,
and only one SparkContext can live in a process. The training job records its fit through
``atlas_ml.spark.attach`` and delivers to Atlas when it exits, as a user's job does.

Marked ``spark35``: only the Spark 3.5 pass (spark_hooks/test-spark35.sh) runs these; on Spark
4.x they are deselected (tests/spark/conftest.py says why).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from atlas_ml.client import AtlasClient
from atlas_ml.fingerprints.artifacts import artifact_digest
from atlas_ml.naming import model_version_name, normalise_location
from atlas_ml.paths import cache_dir
from atlas_ml.verify import Status, VersionResult, verify

pytestmark = [pytest.mark.spark, pytest.mark.atlas, pytest.mark.spark35]

JOB = Path(__file__).with_name("table_job.py")


def _spark_job(
    client: AtlasClient, table_format: str, table: Path, model: Path, name: str, *steps: str
) -> None:
    """Run ``steps`` of table_job.py in one Spark session of its own (fails with its stderr)."""
    env = {
        **os.environ,
        "ATLAS_URL": client.config.url,
        "ATLAS_ML_SPOOL": str(model.parent / "spool"),
    }
    ivy = cache_dir() / "ivy"  # Spark's Ivy: the runtime jars are downloaded once
    args = [table_format, str(table), str(ivy), str(model), name, *steps]
    done = subprocess.run(
        [sys.executable, str(JOB), *args],
        capture_output=True,
        text=True,
        timeout=1200,
        env=env,
        check=False,
    )
    finished = [s for s in steps if f"STEP DONE {s} " in done.stdout]
    assert done.returncode == 0 and finished == list(steps), done.stdout + done.stderr[-4000:]


def _model_version(client: AtlasClient, name: str, model: Path) -> str:
    return model_version_name(name, artifact_digest(model), client.config.namespace)


def _only(results: list[VersionResult]) -> VersionResult:
    (result,) = results
    return result


def _recorded_status(client: AtlasClient, result: VersionResult) -> str:
    entity = client.entities.get_by_unique_attribute(
        "atlasml_dataset_version", result.version.qualified_name
    )
    return str(entity["entity"]["attributes"]["verificationStatus"])


def test_spark_written_delta_version_0_verifies_after_an_append_and_not_after_vacuum(
    atlas_client: AtlasClient, project_types: None, unique: str, tmp_path: Path
) -> None:
    table, model, name = tmp_path / "houses", tmp_path / "model", f"{unique}-spark-delta"
    _spark_job(atlas_client, "delta", table, model, name, "write", "train", "append")
    model_version = _model_version(atlas_client, name, model)

    kept = _only(verify(atlas_client, model_version).results)

    assert kept.status is Status.VERIFIED, kept.to_dict()
    assert kept.version.uri == normalise_location(table)  # the table, not an in-memory frame
    assert (kept.version.version_kind, kept.version.version_pointer) == ("DELTA", "0")
    assert kept.row_count == (200, 200)
    assert any(
        "moved on to 1" in note and "Delta version 0 back by time travel through deltalake" in note
        for note in kept.notes
    ), kept.notes
    assert _recorded_status(atlas_client, kept) == "VERIFIED"

    _spark_job(atlas_client, "delta", table, model, name, "overwrite", "vacuum")
    report = verify(atlas_client, model_version)

    gone = _only(report.results)
    assert gone.status is Status.UNRECOVERABLE, gone.to_dict()
    assert "Delta version 0 is listed but its data files are gone (VACUUM removed" in gone.summary
    assert "delta.deletedFileRetentionDuration" in gone.summary
    assert report.exit_code == 2
    assert _recorded_status(atlas_client, gone) == "UNRECOVERABLE"


def test_spark_written_iceberg_snapshot_verifies_after_an_append_and_not_after_expiry(
    atlas_client: AtlasClient, project_types: None, unique: str, tmp_path: Path
) -> None:
    table = tmp_path / "warehouse" / "ml" / "houses"  # in a Hadoop catalog at tmp/warehouse
    model, name = tmp_path / "model", f"{unique}-spark-iceberg"
    _spark_job(atlas_client, "iceberg", table, model, name, "write", "train", "append")
    first = json.loads((table / "metadata" / "v1.metadata.json").read_text())
    model_version = _model_version(atlas_client, name, model)

    kept = _only(verify(atlas_client, model_version).results)

    assert kept.status is Status.VERIFIED, kept.to_dict()
    assert kept.version.uri == normalise_location(table)
    assert kept.version.version_kind == "ICEBERG"
    assert kept.version.version_pointer == str(first["current-snapshot-id"])
    assert kept.row_count == (200, 200)
    assert any(
        f"read the recorded Iceberg snapshot {first['current-snapshot-id']} back by time travel "
        "through pyiceberg" in note
        for note in kept.notes
    ), kept.notes
    assert _recorded_status(atlas_client, kept) == "VERIFIED"

    _spark_job(atlas_client, "iceberg", table, model, name, "expire")
    report = verify(atlas_client, model_version)

    gone = _only(report.results)
    assert gone.status is Status.UNRECOVERABLE, gone.to_dict()
    assert f"Iceberg snapshot {first['current-snapshot-id']} of " in gone.summary
    assert "has been expired" in gone.summary
    assert "history.expire.max-snapshot-age-ms" in gone.summary
    assert report.exit_code == 2
    assert _recorded_status(atlas_client, gone) == "UNRECOVERABLE"
