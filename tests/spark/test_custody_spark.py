"""A Spark ML fit is signed like a tracked run: the attestation reaches Atlas, sits beside the
saved model folder, and a model saved twice is attested again (the latest is checked)."""

from __future__ import annotations

import base64
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from ml_support import pipeline, write_training_parquet

from atlas_ml.cli.main import cli
from atlas_ml.client import AtlasClient
from atlas_ml.custody import CustodyStatus, check_run
from atlas_ml.custody.bundle import bundle_path
from atlas_ml.delivery import Spool, push
from atlas_ml.naming import training_run_name
from atlas_ml.spark import capture_ml, release_ml

pytestmark = [pytest.mark.spark, pytest.mark.atlas]


def test_listener_spark_ml_fit_saved_twice_is_signed_and_checks_signed_ok(
    spark: Any, atlas_client: AtlasClient, project_types: None, signing: Any, tmp_path: Path
) -> None:
    data = write_training_parquet(spark, tmp_path / "train_parquet")
    spool = tmp_path / "spool"
    name = f"listener-signed-{uuid.uuid4().hex[:8]}"
    capture_ml(spark, spool=spool, pipeline=name, team="ml-platform", deliver_at_exit=False)
    try:
        model = pipeline().fit(spark.read.parquet(str(data)).where("amount > 2"))
        model.save(str(tmp_path / "model"))
        model.write().overwrite().save(str(tmp_path / "model-copy"))
    finally:
        release_ml()
    report = push(atlas_client, Spool(spool))
    assert (report.rejected, report.remaining) == (0, 0), report
    run_id = next(qn for qn in report.guids if qn.startswith(f"{name}.run."))

    result = check_run(atlas_client, run_id, settings=signing.settings())

    assert result.status is CustodyStatus.SIGNED_OK, result.to_dict()
    assert result.sequence == 2 and "2 attestations" in " ".join(result.notes)
    bundle = bundle_path(tmp_path / "model-copy")
    envelope = json.loads(bundle.read_text().splitlines()[-1])
    statement = json.loads(base64.b64decode(envelope["payload"]))
    assert len(statement["subject"]) == 2  # both saved folders are model versions of the run
    [folder] = [a for a in statement["predicate"]["artifacts"] if a["name"] == "model-copy"]
    assert any(r["name"].startswith("metadata/") for r in folder["resources"])
    outcome = CliRunner().invoke(cli, ["attest", "verify", str(tmp_path / "model")])
    assert outcome.exit_code == 0, outcome.output
    assert run_id == training_run_name(name, run_id.split(".run.")[1].split("@")[0], "primary")
