"""A training run with a signing key signs its record as it ends; without one it stays
unsigned; a key that cannot be used never fails the run."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from atlas_ml.custody.bundle import bundle_path
from atlas_ml.custody.chain import ChainLog
from atlas_ml.custody.statement import PREDICATE_TYPE, STATEMENT_TYPE
from atlas_ml.delivery import Spool
from atlas_ml.events.facets import CUSTODY
from atlas_ml.tracking import TrainingRun, training_run

pytestmark = [pytest.mark.unit, pytest.mark.usefixtures("unsigned")]


def _run(tmp_path: Path, team: str | None = "risk", fail: bool = False) -> TrainingRun:
    tmp_path.mkdir(parents=True, exist_ok=True)
    csv = tmp_path / "scores.csv"
    csv.write_text("id,score,label\n1,0.5,0\n2,0.9,1\n3,0.1,0\n")
    spool = Spool(tmp_path / "spool")
    try:
        with training_run("scoring", team=team, reason="why", deliver=False, spool=spool) as run:
            raw = run.dataset(csv, role="raw")
            frame = pd.read_csv(csv)
            (clean,) = run.step(
                "clean",
                inputs=[raw],
                outputs={"clean": frame.dropna()},
                reason="drop incomplete rows",
                params={"how": "any"},
            )
            run.use(clean, role="train")
            run.log_params(max_depth=3)
            run.log_metrics(accuracy=0.75)
            if fail:
                raise RuntimeError("diverged")
            run.log_model({"weights": [1, 2]}, name="scorer", directory=tmp_path / "model")
    except RuntimeError:
        pass
    return run


def _terminal(tmp_path: Path) -> dict[str, Any]:
    events = [json.loads(p.read_text()) for p in Spool(tmp_path / "spool").pending()]
    return next(e for e in events if "atlasml_trainingRun" in e["run"]["facets"])


def _statement(envelope: dict[str, Any]) -> dict[str, Any]:
    return json.loads(base64.b64decode(envelope["payload"]))


def test_without_a_signing_key_the_run_is_recorded_unsigned(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ATLAS_ML_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "none.toml").write_text("")
    run = _run(tmp_path)
    assert run.status == "SUCCEEDED"
    assert CUSTODY not in _terminal(tmp_path)["run"]["facets"]
    assert not bundle_path(run.models[0].artifact.path).exists()


def test_a_signed_run_carries_an_in_toto_statement_about_its_model(tmp_path: Path, signing) -> None:
    run = _run(tmp_path)
    custody = _terminal(tmp_path)["run"]["facets"][CUSTODY]
    statement = _statement(custody["envelope"])
    assert statement["_type"] == STATEMENT_TYPE and statement["predicateType"] == PREDICATE_TYPE
    [subject] = statement["subject"]
    assert subject["name"] == "scorer"
    assert subject["digest"] == {"sha256": run.models[0].artifact.sha256}
    assert custody["keyId"] == signing.public.key_id
    assert custody["sequence"] == 1 and custody.get("previousSha256") is None


def test_the_predicate_names_inputs_steps_and_run_facts_in_slsa_terms(
    tmp_path: Path, signing
) -> None:
    run = _run(tmp_path)
    predicate = _statement(_terminal(tmp_path)["run"]["facets"][CUSTODY]["envelope"])["predicate"]
    build = predicate["buildDefinition"]
    assert build["externalParameters"]["parameters"]["max_depth"] == "3"
    assert build["externalParameters"]["reasoning"] == "why"
    assert "python" in build["internalParameters"]["environment"]
    [train] = build["resolvedDependencies"]
    assert train["name"].startswith("clean@") and "atlasml-content" in train["digest"]
    assert "schemaFingerprint" in train["annotations"]
    assert predicate["runDetails"]["metadata"]["invocationId"] == run.run_id
    records = {r["typeName"]: r for r in predicate["records"]}
    step = records["atlasml_transform"]
    assert step["attributes"]["reasoning"] == "drop incomplete rows"
    assert step["attributes"]["parameters"] == {"how": "any"}
    assert "endTime" not in step["attributes"]  # a repeated step rewrites its times
    raw = next(r for r in predicate["records"] if r["qualifiedName"].startswith("file:"))
    assert raw["attributes"]["manifestRootHash"] and "fingerprints#sha256" in raw["attributes"]
    assert records["atlasml_model_version"]["attributes"]["artifactSha256"] == (
        run.models[0].artifact.sha256
    )
    run_record = predicate["records"][0]
    assert run_record["typeName"] == "atlasml_training_run"
    assert run_record["links"]["inputs"] == [train["annotations"]["atlasQualifiedName"]]


def test_only_the_runs_own_steps_are_signed_not_the_snapshot_transforms(
    tmp_path: Path, signing
) -> None:
    _run(tmp_path)
    records = _statement(_terminal(tmp_path)["run"]["facets"][CUSTODY]["envelope"])["predicate"][
        "records"
    ]
    steps = [r["attributes"]["name"] for r in records if r["typeName"] == "atlasml_transform"]
    assert steps == ["scoring.clean"]


def test_each_attestation_names_the_previous_one_of_its_team(tmp_path: Path, signing) -> None:
    first = _run(tmp_path / "a")
    second = _run(tmp_path / "b")
    other_team = _run(tmp_path / "c", team="pricing")
    entries = list(ChainLog(signing.log_dir).entries("risk", signing.public.key_id))
    assert [e["sequence"] for e in entries] == [1, 2]
    assert entries[1]["previous"] == entries[0]["payloadSha256"]
    facet = _terminal(tmp_path / "b")["run"]["facets"][CUSTODY]
    assert facet["previousSha256"] == entries[0]["payloadSha256"]
    assert _terminal(tmp_path / "c")["run"]["facets"][CUSTODY]["sequence"] == 1
    assert first.run_id != second.run_id != other_team.run_id


def test_the_envelope_is_written_beside_the_model_artifact(tmp_path: Path, signing) -> None:
    run = _run(tmp_path)
    bundle = bundle_path(run.models[0].artifact.path)
    [line] = bundle.read_text().splitlines()
    assert json.loads(line) == _terminal(tmp_path)["run"]["facets"][CUSTODY]["envelope"]


def test_a_failed_run_is_signed_with_its_own_record_as_subject(tmp_path: Path, signing) -> None:
    run = _run(tmp_path, fail=True)
    assert run.status == "FAILED"
    statement = _statement(_terminal(tmp_path)["run"]["facets"][CUSTODY]["envelope"])
    [subject] = statement["subject"]
    assert subject["annotations"]["subjectKind"] == "training-run"
    assert statement["predicate"]["outcome"]["status"] == "FAILED"


def test_a_run_without_a_team_chains_under_default(tmp_path: Path, signing) -> None:
    _run(tmp_path, team=None)
    assert _terminal(tmp_path)["run"]["facets"][CUSTODY]["team"] == "default"


def test_an_unusable_key_leaves_the_run_unsigned_with_one_line_saying_why(
    tmp_path: Path, signing, capsys
) -> None:
    signing.key.chmod(0o644)
    run = _run(tmp_path)
    assert run.status == "SUCCEEDED"
    assert CUSTODY not in _terminal(tmp_path)["run"]["facets"]
    err = capsys.readouterr().err
    assert f"training run {run.run_id} is recorded UNSIGNED" in err and "chmod 600" in err
