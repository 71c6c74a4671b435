"""What a run records is what an audit can rely on (issue #13): steps tied to their run, team
and code; roles and evaluations; data-preparation runs; model identity and locations; the
model's team; compliance facts; backdated runs. Each against the real Atlas."""

from __future__ import annotations

import hashlib
import inspect
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from sklearn.linear_model import LogisticRegression

from atlas_ml import training_run
from atlas_ml.client import AtlasClient
from atlas_ml.delivery import Spool
from atlas_ml.naming import model_name, model_version_name, training_run_name
from atlas_ml.tracking import TrainingRun

pytestmark = pytest.mark.atlas

ROOT = Path(__file__).resolve().parents[2]


def drop_incomplete_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The code of the 'clean' step the tests record (its source is the fingerprint)."""
    return frame.dropna().reset_index(drop=True)


def _rows(tmp_path: Path, name: str = "raw.csv", count: int = 40, offset: int = 0) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["a,b,label"]
    for i in range(offset, offset + count):
        b = "" if i % 13 == 5 else str((i * 7) % 11)
        lines.append(f"{i % 9},{b},{int((i * 3) % 5 > 1)}")
    path.write_text("\n".join(lines) + "\n")
    return path


def _entity(client: AtlasClient, type_name: str, qualified_name: str) -> dict[str, Any]:
    return client.entities.get_by_unique_attribute(type_name, qualified_name)["entity"]


def _by_guid(client: AtlasClient, guid: str) -> dict[str, Any]:
    return client.entities.get(guid, min_ext_info=True)["entity"]


def _delivered(run: TrainingRun) -> dict[str, str]:
    assert run.delivery is not None and run.delivery.remaining == 0, run.delivery
    assert run.delivery.rejected == 0, run.delivery.first_rejection
    return run.delivery.guids


def _step_guid(run: TrainingRun, step: str) -> str:
    [guid] = [g for qn, g in _delivered(run).items() if qn.startswith(f"{run.pipeline}.{step}#")]
    return guid


def _millis(moment: datetime) -> int:
    return int(moment.replace(tzinfo=timezone.utc).timestamp() * 1000)


def _fit(train: pd.DataFrame) -> LogisticRegression:
    return LogisticRegression(max_iter=200).fit(train[["a", "b"]], train["label"])


def _record_clean_and_train(
    client: AtlasClient,
    tmp_path: Path,
    pipeline: str,
    spool: str,
    code: Any = None,
    **run_options: Any,
) -> TrainingRun:
    csv = _rows(tmp_path)
    with training_run(
        pipeline, team="risk", client=client, spool=Spool(tmp_path / spool), **run_options
    ) as run:
        raw = run.dataset(csv, role="raw")
        clean = drop_incomplete_rows(pd.read_csv(csv))
        run.step(
            "clean",
            inputs=[raw],
            outputs={"clean": clean},
            kind="CLEAN",
            reason="rows without b cannot be used",
            **({"code": code} if code else {}),
        )
        run.use(clean, role="train")
        run.log_model(_fit(clean), name=pipeline, directory=tmp_path / spool / "model")
    return run


# --- 4. steps tied to their run and code ------------------------------------------------------
def test_a_step_names_its_run_its_team_its_times_and_the_code_that_ran_it(
    atlas_client: AtlasClient, project_types: None, tmp_path: Path, unique: str
) -> None:
    run = _record_clean_and_train(
        atlas_client, tmp_path, f"{unique}-steps", "spool", code=drop_incomplete_rows
    )

    step = _by_guid(atlas_client, _step_guid(run, "clean"))
    attributes = step["attributes"]
    run_name = training_run_name(run.pipeline, run.run_id, atlas_client.config.namespace)
    run_guid = _delivered(run)[run_name]
    assert step["relationshipAttributes"]["run"]["guid"] == run_guid
    steps_of_run = _by_guid(atlas_client, run_guid)["relationshipAttributes"]["atlasmlSteps"]
    assert step["guid"] in {s["guid"] for s in steps_of_run}
    assert attributes["team"] == "risk"
    source = inspect.getsource(drop_incomplete_rows)
    assert attributes["codeSource"] == source
    assert attributes["codeFingerprint"] == hashlib.sha256(source.encode()).hexdigest()
    line = inspect.getsourcelines(drop_incomplete_rows)[1]
    assert attributes["codeLocation"] == (
        f"tests/atlas/test_record_fidelity.py:{line} in drop_incomplete_rows()"
    )
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert attributes["codeRevision"] == head
    recorded_run = _by_guid(atlas_client, run_guid)["attributes"]
    assert recorded_run["startTime"] <= attributes["startTime"] <= attributes["endTime"]
    assert attributes["endTime"] <= recorded_run["endTime"]


def test_a_later_run_of_the_same_step_on_the_same_data_never_re_points_the_earlier_runs_step(
    atlas_client: AtlasClient, project_types: None, tmp_path: Path, unique: str
) -> None:
    first = _record_clean_and_train(atlas_client, tmp_path, f"{unique}-again", "first")
    second = _record_clean_and_train(atlas_client, tmp_path, f"{unique}-again", "second")

    namespace = atlas_client.config.namespace
    for run in (first, second):
        step = _by_guid(atlas_client, _step_guid(run, "clean"))
        run_name = training_run_name(run.pipeline, run.run_id, namespace)
        assert step["relationshipAttributes"]["run"]["guid"] == _delivered(run)[run_name]
    assert _step_guid(first, "clean") != _step_guid(second, "clean")


# --- Also: backdating --------------------------------------------------------------------------
def test_a_backdated_run_and_its_steps_are_recorded_at_the_times_given(
    atlas_client: AtlasClient, project_types: None, tmp_path: Path, unique: str
) -> None:
    began, ended = datetime(2025, 3, 3, 9, 0), datetime(2025, 3, 3, 11, 30)
    csv = _rows(tmp_path)
    with training_run(
        f"{unique}-backdated",
        team="imports",
        client=atlas_client,
        spool=Spool(tmp_path / "spool"),
        started_at=began,
        ended_at=ended,
    ) as run:
        raw = run.dataset(csv)
        clean = drop_incomplete_rows(pd.read_csv(csv))
        run.step(
            "clean",
            inputs=[raw],
            outputs={"clean": clean},
            reason="imported from the old platform",
            started_at="2025-03-03T09:05:00Z",
            ended_at=datetime(2025, 3, 3, 9, 20),
        )
        run.use(clean, role="train")
        run.log_model(_fit(clean), name=run.pipeline, directory=tmp_path / "model")

    namespace = atlas_client.config.namespace
    recorded = _entity(
        atlas_client, "atlasml_training_run", training_run_name(run.pipeline, run.run_id, namespace)
    )["attributes"]
    assert (recorded["startTime"], recorded["endTime"]) == (_millis(began), _millis(ended))
    step = _by_guid(atlas_client, _step_guid(run, "clean"))["attributes"]
    assert step["startTime"] == _millis(datetime(2025, 3, 3, 9, 5))
    assert step["endTime"] == _millis(datetime(2025, 3, 3, 9, 20))
    version = _entity(
        atlas_client,
        "atlasml_model_version",
        model_version_name(run.pipeline, run.models[0].artifact.sha256, namespace),
    )["attributes"]
    assert version["registeredTime"] == _millis(ended)


# --- 5. roles and evaluations -------------------------------------------------------------------
def test_the_role_each_input_played_reaches_the_training_run(
    atlas_client: AtlasClient, project_types: None, tmp_path: Path, unique: str
) -> None:
    frame = drop_incomplete_rows(pd.read_csv(_rows(tmp_path)))
    train, validation = frame.iloc[:20], frame.iloc[20:]
    with training_run(
        f"{unique}-roles", client=atlas_client, spool=Spool(tmp_path / "spool")
    ) as run:
        run.step(
            "split",
            inputs=[],
            outputs={"train": train, "validation": validation},
            reason="first 20 rows train, the rest validate early stopping",
        )
        run.use(train, role="train")
        run.use(validation, role="validation")
        run.log_model(_fit(train), directory=tmp_path / "model")

    guids = _delivered(run)
    names = {guid: qn for qn, guid in guids.items()}
    namespace = atlas_client.config.namespace
    recorded = _entity(
        atlas_client, "atlasml_training_run", training_run_name(run.pipeline, run.run_id, namespace)
    )
    roles = recorded["attributes"]["inputRoles"]
    by_role = {role: name for name, role in roles.items()}
    assert set(by_role) == {"train", "validation"}
    inputs = {names[i["guid"]] for i in recorded["relationshipAttributes"]["inputs"]}
    assert set(roles) == inputs
    assert by_role["train"].startswith(f"memory:{run.pipeline}/train#")
    assert by_role["validation"].startswith(f"memory:{run.pipeline}/validation#")


def test_metrics_logged_on_a_dataset_are_an_evaluation_of_the_model_version_on_that_exact_data(
    atlas_client: AtlasClient, project_types: None, tmp_path: Path, unique: str
) -> None:
    frame = drop_incomplete_rows(pd.read_csv(_rows(tmp_path)))
    train, test = frame.iloc[:24], frame.iloc[24:]
    with training_run(
        f"{unique}-eval", team="risk", client=atlas_client, spool=Spool(tmp_path / "spool")
    ) as run:
        run.step("split", inputs=[], outputs={"train": train, "test": test}, reason="holdout")
        run.use(train, role="train")
        model = _fit(train)
        run.log_metrics(accuracy=model.score(test[["a", "b"]], test["label"]), dataset=test)
        run.log_model(model, directory=tmp_path / "model")

    guids = _delivered(run)
    namespace = atlas_client.config.namespace
    version_qn = model_version_name(run.pipeline, run.models[0].artifact.sha256, namespace)
    version = _entity(atlas_client, "atlasml_model_version", version_qn)
    [evaluation_ref] = version["relationshipAttributes"]["evaluations"]
    evaluation = _by_guid(atlas_client, evaluation_ref["guid"])
    assert evaluation["typeName"] == "atlasml_evaluation"
    assert evaluation["relationshipAttributes"]["modelVersion"]["guid"] == version["guid"]
    [test_version] = [g for qn, g in guids.items() if qn.startswith(f"memory:{run.pipeline}/test#")]
    inputs = {i["guid"] for i in evaluation["relationshipAttributes"]["inputs"]}
    assert inputs == {version["guid"], test_version}
    attributes = evaluation["attributes"]
    assert attributes["metrics"] == {"accuracy": run.metrics["accuracy"]}
    assert (attributes["datasetRole"], attributes["team"]) == ("test", "risk")


def test_autolog_records_score_and_predict_on_held_out_data_as_evaluations(
    atlas_client: AtlasClient, project_types: None, tmp_path: Path, unique: str
) -> None:
    csv = _rows(tmp_path, count=60)
    with training_run(
        f"{unique}-autoeval",
        client=atlas_client,
        spool=Spool(tmp_path / "spool"),
        autolog=True,
    ) as run:
        frame = pd.read_csv(csv).dropna()
        train, test = frame.iloc[:40], frame.iloc[40:]
        model = LogisticRegression(max_iter=200).fit(train[["a", "b"]], train["label"])
        model.score(train[["a", "b"]], train["label"])  # a training score: no evaluation
        held_out = model.score(test[["a", "b"]], test["label"])
        predicted = model.predict(test[["a", "b"]])
        run.log_metrics(hit_rate=float((predicted == test["label"]).mean()))

    _delivered(run)
    namespace = atlas_client.config.namespace
    version_qn = model_version_name(run.pipeline, run.models[0].artifact.sha256, namespace)
    version = _entity(atlas_client, "atlasml_model_version", version_qn)
    evaluations = [
        _by_guid(atlas_client, e["guid"])["attributes"]
        for e in version["relationshipAttributes"]["evaluations"]
    ]
    assert sorted((e["metrics"] for e in evaluations), key=str) == sorted(
        [{"accuracy": held_out}, {"hit_rate": run.metrics["hit_rate"]}], key=str
    )
    assert {e["datasetRole"] for e in evaluations} == {"test"}


# --- 6. data-preparation runs -------------------------------------------------------------------
def test_a_pipeline_run_has_its_steps_external_data_as_inputs_and_outputs_and_owns_its_steps(
    atlas_client: AtlasClient, project_types: None, tmp_path: Path, unique: str
) -> None:
    from atlas_ml import pipeline_run
    from atlas_ml.naming import pipeline_run_name

    day1 = _rows(tmp_path, "day1.csv", 30)
    day2 = _rows(tmp_path, "day2.csv", 30, offset=30)
    out = tmp_path / "clickstream.csv"
    with pipeline_run(
        f"{unique}-curation",
        team="web-analytics",
        client=atlas_client,
        spool=Spool(tmp_path / "spool"),
    ) as run:
        events = pd.concat([pd.read_csv(day1), pd.read_csv(day2)], ignore_index=True)
        run.step("union", inputs=[day1, day2], outputs={"events": events}, reason="both days")
        humans = events[events["a"] != 0].reset_index(drop=True)
        run.step("debot", inputs=[events], outputs={"humans": humans}, reason="a=0 is a bot")
        humans.to_csv(out, index=False)
        run.step("sessionise", inputs=[humans], outputs=[out], reason="one file per day range")

    guids = _delivered(run)
    names = {guid: qn for qn, guid in guids.items()}
    namespace = atlas_client.config.namespace
    recorded = _entity(
        atlas_client, "atlasml_pipeline_run", pipeline_run_name(run.pipeline, run.run_id, namespace)
    )
    inputs = sorted(names[i["guid"]] for i in recorded["relationshipAttributes"]["inputs"])
    outputs = [names[o["guid"]] for o in recorded["relationshipAttributes"]["outputs"]]
    assert [name.split("#")[0].rsplit("/", 1)[1] for name in inputs] == ["day1.csv", "day2.csv"]
    assert [name.split("#")[0].rsplit("/", 1)[1] for name in outputs] == ["clickstream.csv"]
    attributes = recorded["attributes"]
    assert (attributes["team"], attributes["status"]) == ("web-analytics", "SUCCEEDED")
    steps = recorded["relationshipAttributes"]["atlasmlSteps"]
    assert sorted(s["displayText"].rsplit(".", 1)[1] for s in steps) == [
        "debot",
        "sessionise",
        "union",
    ]
    for step in steps:
        assert _by_guid(atlas_client, step["guid"])["attributes"]["team"] == "web-analytics"


# --- 7 and 10. model identity, locations, team ---------------------------------------------------
def test_identical_model_bytes_share_a_version_that_keeps_its_first_location_and_every_other(
    atlas_client: AtlasClient, project_types: None, tmp_path: Path, unique: str
) -> None:
    frame = drop_incomplete_rows(pd.read_csv(_rows(tmp_path)))
    model = _fit(frame)
    runs = []
    for team in ("risk", "other"):
        with training_run(
            f"{unique}-identity", team=team, client=atlas_client, spool=Spool(tmp_path / team)
        ) as run:
            run.use(frame, role="train")
            run.log_model(model, name=f"{unique}-model", directory=tmp_path / team)
        _delivered(run)
        runs.append(run)

    first, second = (run.models[0] for run in runs)
    assert first.artifact.sha256 == second.artifact.sha256
    namespace = atlas_client.config.namespace
    version = _entity(
        atlas_client,
        "atlasml_model_version",
        model_version_name(f"{unique}-model", first.artifact.sha256, namespace),
    )["attributes"]
    a, b = (tmp_path / team / f"{unique}-model.joblib" for team in ("risk", "other"))
    assert version["artifactUri"] == a.as_uri()
    assert {a.as_uri(), b.as_uri()} <= set(version["artifactLocations"])
    assert version["team"] == "risk"


def test_log_model_copies_the_artifact_to_a_target_and_records_it_as_its_location(
    atlas_client: AtlasClient, project_types: None, tmp_path: Path, unique: str
) -> None:
    frame = drop_incomplete_rows(pd.read_csv(_rows(tmp_path)))
    with training_run(f"{unique}-target", client=atlas_client, spool=Spool(tmp_path / "s")) as run:
        run.use(frame, role="train")
        recorded = run.log_model(_fit(frame), target=f"{tmp_path}/shared/models/")
    _delivered(run)

    kept = tmp_path / "shared" / "models" / f"{run.pipeline}.joblib"
    assert hashlib.sha256(kept.read_bytes()).hexdigest() == recorded.artifact.sha256
    version = _entity(
        atlas_client,
        "atlasml_model_version",
        model_version_name(run.pipeline, recorded.artifact.sha256, atlas_client.config.namespace),
    )["attributes"]
    assert version["artifactUri"] == kept.as_uri()


def test_the_model_and_its_version_carry_the_team_of_the_run(
    atlas_client: AtlasClient, project_types: None, tmp_path: Path, unique: str
) -> None:
    run = _record_clean_and_train(atlas_client, tmp_path, f"{unique}-team", "spool")

    namespace = atlas_client.config.namespace
    model = _entity(atlas_client, "atlasml_model", model_name(run.pipeline, namespace))
    assert model["attributes"]["team"] == "risk"
    version = _entity(
        atlas_client,
        "atlasml_model_version",
        model_version_name(run.pipeline, run.models[0].artifact.sha256, namespace),
    )
    assert version["attributes"]["team"] == "risk"


def test_log_model_writes_to_a_target_uri_through_fsspec(
    atlas_client: AtlasClient, project_types: None, tmp_path: Path, unique: str
) -> None:
    fsspec = pytest.importorskip("fsspec")  # a dev dependency: this import never skips in CI
    frame = drop_incomplete_rows(pd.read_csv(_rows(tmp_path)))
    target = f"memory://models/{unique}/m.joblib"
    with training_run(f"{unique}-fsspec", client=atlas_client, spool=Spool(tmp_path / "s")) as run:
        run.use(frame, role="train")
        recorded = run.log_model(_fit(frame), target=target)
    _delivered(run)

    stored = fsspec.filesystem("memory").cat(f"/models/{unique}/m.joblib")
    assert hashlib.sha256(stored).hexdigest() == recorded.artifact.sha256
    version = _entity(
        atlas_client,
        "atlasml_model_version",
        model_version_name(run.pipeline, recorded.artifact.sha256, atlas_client.config.namespace),
    )["attributes"]
    assert version["artifactUri"] == target


# --- 12. compliance ---------------------------------------------------------------------------
def _compliance(client: AtlasClient, *args: str) -> Any:
    from atlas_ml.cli.compliance import command as compliance_command

    config = client.config
    connection = ["--url", config.url, "--user", str(config.username)]
    return CliRunner().invoke(
        compliance_command, [*args, *connection, "--password", str(config.password)]
    )


def test_compliance_facts_given_to_the_run_reach_the_model_and_a_later_approval_adds_to_them(
    atlas_client: AtlasClient, project_types: None, tmp_path: Path, unique: str
) -> None:
    run = _record_clean_and_train(
        atlas_client,
        tmp_path,
        f"{unique}-compliance",
        "spool",
        compliance={"purpose": "ranking support tickets", "risk": "limited"},
    )
    namespace = atlas_client.config.namespace
    version = _entity(
        atlas_client,
        "atlasml_model_version",
        model_version_name(run.pipeline, run.models[0].artifact.sha256, namespace),
    )
    model = _entity(atlas_client, "atlasml_model", model_name(run.pipeline, namespace))
    for entity in (model, version):
        assert entity["businessAttributes"]["atlasml_compliance"] == {
            "intendedPurpose": "ranking support tickets",
            "riskCategory": "LIMITED",
        }

    approved = _compliance(
        atlas_client,
        "set",
        version["guid"],
        "--approver",
        "j.doe",
        "--approved-on",
        "2026-12-01",
        "--json",
    )
    assert approved.exit_code == 0, approved.output
    shown = _compliance(
        atlas_client, "show", f"{run.pipeline}@{run.models[0].artifact.sha256[:12]}"
    )
    assert shown.exit_code == 0, shown.output
    assert "approved on:      2026-12-01" in shown.output
    assert "risk category:    LIMITED" in shown.output
    facts = _entity(atlas_client, "atlasml_model_version", version["attributes"]["qualifiedName"])
    assert facts["businessAttributes"]["atlasml_compliance"]["approver"] == "j.doe"

    refused = _compliance(atlas_client, "set", version["guid"], "--approved-on", "soon")
    assert refused.exit_code == 2 and "YYYY-MM-DD" in refused.output
