"""A tracked pandas/scikit-learn pipeline lands in Atlas as one connected, classified graph."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner
from sklearn.linear_model import LogisticRegression

from atlas_ml.cli.lineage import command as lineage_command
from atlas_ml.client import AtlasClient
from atlas_ml.delivery import Spool
from atlas_ml.tracking import TrainingRun, training_run

pytestmark = pytest.mark.atlas

ROOT = Path(__file__).resolve().parents[2]


def _titanic_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "titanic_example", ROOT / "examples" / "titanic" / "train.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TITANIC = _titanic_example()


def _train(run: TrainingRun, csv: Path) -> None:
    train, test = TITANIC.prepare(run, csv)
    run.use(train, role="train")
    run.use(test, role="test")
    features = [c for c in train.columns if c != "Survived"]
    model = LogisticRegression(max_iter=500).fit(train[features], train["Survived"])
    run.log_metrics(accuracy=model.score(test[features], test["Survived"]))
    run.log_model(model, name="titanic-test", directory=csv.parent / "model")


def _run_pipeline(
    client: AtlasClient, csv: Path, spool: Spool, infer_copies: bool = True
) -> TrainingRun:
    with training_run(
        "titanic-test", team="qa", client=client, spool=spool, infer_copies=infer_copies
    ) as run:
        _train(run, csv)
    assert run.delivery is not None and run.delivery.remaining == 0
    assert run.delivery.rejected == 0, list(spool.rejected_dir.glob("*.error"))
    return run


def _entity(client: AtlasClient, type_name: str, qualified_name: str) -> dict[str, Any]:
    return client.entities.get_by_unique_attribute(type_name, qualified_name)["entity"]


@pytest.fixture
def titanic_csv(tmp_path: Path) -> Path:
    target = tmp_path / "data" / "titanic.csv"
    target.parent.mkdir()
    shutil.copy(ROOT / "examples" / "data" / "titanic.csv", target)
    return target


def _lineage_cli(client: AtlasClient, *args: str) -> str:
    """``atlas-ml lineage ARGS`` against ``client``'s Atlas: its output, after exit code 0."""
    config = client.config
    connection = ["--url", config.url, "--user", str(config.username)]
    outcome = CliRunner(env={"COLUMNS": "400"}).invoke(
        lineage_command,
        [*args, *connection, "--password", str(config.password)],
        catch_exceptions=False,
    )
    assert outcome.exit_code == 0, outcome.output
    return outcome.output


def _model_version_guid(run: TrainingRun) -> str:
    assert run.delivery is not None
    sha = run.models[0].artifact.sha256
    return next(
        g for qn, g in run.delivery.guids.items() if qn.startswith(f"titanic-test#{sha[:16]}")
    )


def test_model_version_lineage_reaches_the_raw_csv_through_every_step(
    atlas_client: AtlasClient, project_types: None, titanic_csv: Path, tmp_path: Path
) -> None:
    run = _run_pipeline(atlas_client, titanic_csv, Spool(tmp_path / "spool"))
    model_version = _model_version_guid(run)

    graph = atlas_client.lineage.get(model_version, direction="INPUT", depth=20)
    upstream = [graph.entity(g) for g in graph.upstream(model_version)]
    names = {(e["typeName"], e["attributes"]["name"]) for e in upstream}
    for step in ("clean", "encode", "split"):
        assert ("atlasml_transform", f"titanic-test.{step}") in names
    raw_path = f"file:{titanic_csv}@primary"
    raw = graph.guid_of(raw_path)
    assert raw is not None, "the raw CSV is not in the model version's lineage"
    assert graph.entity(raw)["typeName"] == "hdfs_path"
    assert graph.paths(raw, model_version), "no data-flow path from the raw CSV to the model"


def test_lineage_downstream_of_the_raw_csv_names_the_model_version_it_trained(
    atlas_client: AtlasClient, project_types: None, titanic_csv: Path, tmp_path: Path
) -> None:
    run = _run_pipeline(atlas_client, titanic_csv, Spool(tmp_path / "spool"))
    output = _lineage_cli(atlas_client, "--downstream", str(titanic_csv))
    lines = output.splitlines()
    assert lines[0].startswith(f"{titanic_csv} hdfs_path")
    model_version = f"titanic-test@{run.models[0].artifact.sha256[:12]} atlasml_model_version"
    assert any(model_version in line for line in lines), output

    # The name the tree prints can be pasted back as the target.
    printed = f"titanic-test@{run.models[0].artifact.sha256[:12]}"
    again = _lineage_cli(atlas_client, printed)
    assert f"detailPage/{_model_version_guid(run)}" in again


def test_a_saved_model_path_finds_the_model_version_of_the_bytes_there_now(
    atlas_client: AtlasClient,
    project_types: None,
    titanic_csv: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import pandas as pd

    from atlas_ml.cli.verify import command as verify_command

    config = atlas_client.config
    connection = ["--url", config.url, "--user", str(config.username)]

    def cli(command: Any, target: Path) -> Any:
        return CliRunner(env={"COLUMNS": "400"}).invoke(
            command,
            [str(target), *connection, "--password", str(config.password)],
            catch_exceptions=False,
        )

    def shown(target: Path) -> str:
        outcome = cli(lineage_command, target)
        assert outcome.exit_code == 0, outcome.output
        return outcome.output

    def log(path: Path, spool: str) -> TrainingRun:
        with training_run("titanic-test", client=atlas_client, spool=Spool(tmp_path / spool)) as r:
            r.use(titanic_csv, role="train")
            r.log_model(path, name="titanic-test")
        return r

    first = _run_pipeline(atlas_client, titanic_csv, Spool(tmp_path / "spool"))
    artifact = first.models[0].artifact.path
    assert f"detailPage/{_model_version_guid(first)}" in shown(artifact)
    kept = tmp_path / "kept.joblib"
    shutil.copy(artifact, kept)

    # A later run saves other bytes to the same file: the path now means the new version.
    frame = pd.read_csv(titanic_csv)
    features = frame[["Pclass", "SibSp", "Parch"]]
    with training_run("titanic-test", client=atlas_client, spool=Spool(tmp_path / "s2")) as run:
        run.use(titanic_csv, role="train")
        model = LogisticRegression(C=0.01).fit(features, frame["Survived"])
        run.log_model(model, name="titanic-test", directory=artifact.parent)
    second = _model_version_guid(run)
    assert run.models[0].artifact.path == artifact
    assert f"detailPage/{second}" in shown(artifact)

    # The first version's bytes logged again from elsewhere: its artifactUri stays where they
    # were first saved (by this or an earlier test) and the new place joins its
    # artifactLocations; put back where the second version was saved, they still name the
    # first version.
    def recorded() -> dict[str, Any]:
        version = atlas_client.entities.get(_model_version_guid(first))["entity"]
        return dict(version["attributes"])

    first_saved = recorded()["artifactUri"]
    assert _model_version_guid(log(kept, "s3")) == _model_version_guid(first)
    assert recorded()["artifactUri"] == first_saved
    assert kept.as_uri() in recorded()["artifactLocations"]
    shutil.copy(kept, artifact)
    assert f"detailPage/{_model_version_guid(first)}" in shown(artifact)

    # Bytes that match no version: the one saved there, and a warning.
    alone = tmp_path / "alone.joblib"
    alone.write_bytes(kept.read_bytes() + f"only {tmp_path}".encode())
    third = _model_version_guid(log(alone, "s4"))
    with alone.open("ab") as handle:  # bytes of this test only: no earlier run has them
        handle.write(b" tampered")
    with caplog.at_level("WARNING", logger="atlas_ml.lineage.resolve"):
        outcome = cli(lineage_command, alone)
    assert f"detailPage/{third}" in outcome.output
    assert "match no recorded model version" in caplog.text

    # Two versions first saved there and neither matches: both commands list them.
    shared = tmp_path / "shared.joblib"
    for spool in ("s5", "s6"):
        shared.write_bytes(kept.read_bytes() + f"{spool} {tmp_path}".encode())
        log(shared, spool)
    with shared.open("ab") as handle:
        handle.write(b" tampered")
    for command in (lineage_command, verify_command):
        outcome = cli(command, shared)
        assert outcome.exit_code != 0
        assert f"2 model versions were saved to {shared.as_uri()}" in outcome.output


def test_pii_on_the_raw_csv_propagates_to_the_step_that_drops_its_columns_and_no_further(
    atlas_client: AtlasClient, project_types: None, titanic_csv: Path, tmp_path: Path
) -> None:
    run = _run_pipeline(atlas_client, titanic_csv, Spool(tmp_path / "spool"))
    assert run.delivery is not None
    clean = next(g for qn, g in run.delivery.guids.items() if qn.startswith("titanic-test.clean#"))
    step = atlas_client.entities.get(clean)["entity"]
    pii = [c for c in step.get("classifications", []) if c["typeName"] == "PII"]
    assert pii, "PII did not propagate from the raw data to the step that read it"
    assert pii[0]["attributes"]["columns"] == ["Name", "Ticket", "Cabin"]
    assert pii[0]["entityGuid"] != step["guid"], "expected a propagated classification"
    # The run trained on the cleaned data only (its model version's bytes are shared with the
    # other tests' runs, some of which train on the raw CSV itself).
    training = atlas_client.entities.get(
        run.delivery.guids[f"titanic-test.run.{run.run_id}@primary"]
    )
    assert "PII" not in {c["typeName"] for c in training["entity"].get("classifications", [])}
    model_version = atlas_client.entities.get(_model_version_guid(run))["entity"]
    assert model_version["attributes"]["versionNumber"] >= 1


def test_rerun_reuses_dataset_versions_and_a_changed_csv_yields_a_new_one(
    atlas_client: AtlasClient, project_types: None, titanic_csv: Path, tmp_path: Path
) -> None:
    spool = Spool(tmp_path / "spool")
    first = _run_pipeline(atlas_client, titanic_csv, spool)

    def registered(run: TrainingRun) -> int:
        version = atlas_client.entities.get(_model_version_guid(run))["entity"]
        return int(version["attributes"]["registeredTime"])

    first_registered = registered(first)
    second = _run_pipeline(atlas_client, titanic_csv, spool)
    assert first.run_id != second.run_id
    # The same artifact bytes: one model version, registered when it first appeared.
    assert _model_version_guid(second) == _model_version_guid(first)
    assert registered(second) == first_registered
    assert first.delivery is not None and second.delivery is not None

    def versions(run: TrainingRun) -> dict[str, str]:
        assert run.delivery is not None
        return {
            qn: g
            for qn, g in run.delivery.guids.items()
            if "#" in qn and (qn.startswith("file:") or qn.startswith("memory:"))
        }

    assert versions(first) == versions(second), "unchanged data must reuse dataset versions"
    runs = [qn for qn in second.delivery.guids if ".run." in qn]
    assert runs == [f"titanic-test.run.{second.run_id}@primary"]
    _entity(atlas_client, "atlasml_training_run", f"titanic-test.run.{first.run_id}@primary")

    lines = titanic_csv.read_text().splitlines(keepends=True)
    titanic_csv.write_text("".join(lines[:-1]))
    third = _run_pipeline(atlas_client, titanic_csv, spool)
    raw_versions = {qn for qn in versions(third) if qn.startswith("file:")}
    assert raw_versions.isdisjoint(versions(first)), "changed CSV must be a new dataset version"
    new_raw = _entity(atlas_client, "atlasml_dataset_version", raw_versions.pop())
    assert new_raw["attributes"]["rowCount"] == 890


def test_equal_data_made_from_another_source_stays_out_of_a_runs_lineage(
    atlas_client: AtlasClient, project_types: None, titanic_csv: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "copy" / "titanic.csv"
    copy.parent.mkdir()
    shutil.copy(titanic_csv, copy)  # byte-identical, so every prepared frame is equal too
    spool = Spool(tmp_path / "spool")
    # Only what the runs read: no inferred COPY steps from the other tests' classified files
    # with these same bytes (tests/atlas/test_inferred_copies.py covers those).
    first = _run_pipeline(atlas_client, titanic_csv, spool, infer_copies=False)
    second = _run_pipeline(atlas_client, copy, spool, infer_copies=False)
    assert first.delivery is not None and second.delivery is not None

    def in_memory(run: TrainingRun) -> set[str]:
        assert run.delivery is not None
        return {qn for qn in run.delivery.guids if qn.startswith("memory:")}

    assert in_memory(first) and in_memory(first).isdisjoint(in_memory(second))
    run_guid = first.delivery.guids[f"titanic-test.run.{first.run_id}@primary"]
    graph = atlas_client.lineage.get(run_guid, direction="INPUT", depth=20)
    sources = {
        graph.entity(g)["attributes"]["qualifiedName"]
        for g in graph.upstream(run_guid)
        if graph.entity(g)["typeName"] == "hdfs_path"
    }
    assert sources == {f"file:{titanic_csv}@primary"}


def test_a_failing_training_run_is_recorded_as_failed_listed_downstream_of_its_data_and_reraised(
    atlas_client: AtlasClient, project_types: None, titanic_csv: Path, tmp_path: Path
) -> None:
    spool = Spool(tmp_path / "spool")
    with (
        pytest.raises(ZeroDivisionError),
        training_run("titanic-test", client=atlas_client, spool=spool) as run,
    ):
        run.use(titanic_csv, role="train")
        run.log_params(learning_rate=0.1)
        _ = 1 / 0
    assert run.status == "FAILED"
    recorded = _entity(
        atlas_client, "atlasml_training_run", f"titanic-test.run.{run.run_id}@primary"
    )
    assert recorded["attributes"]["status"] == "FAILED"
    assert recorded["attributes"]["parameters"] == {"learning_rate": "0.1"}
    assert [i["typeName"] for i in recorded["attributes"]["inputs"]] == ["atlasml_dataset_version"]

    # Atlas's lineage API leaves out a process without outputs; `--downstream` adds it back,
    # so "which runs read this file" includes the failed one.
    downstream = _lineage_cli(atlas_client, "--downstream", str(titanic_csv))
    assert f"{recorded['attributes']['name']} atlasml_training_run FAILED" in downstream, downstream


def test_atlas_down_keeps_events_and_a_later_push_delivers_them_once(
    atlas_client: AtlasClient,
    project_types: None,
    titanic_csv: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from atlas_ml.client import AtlasClient as Client
    from atlas_ml.config import AtlasConfig
    from atlas_ml.delivery import push

    spool = Spool(tmp_path / "spool")
    unreachable = Client(AtlasConfig(url="http://127.0.0.1:9", retries=0, connect_timeout=1))
    with training_run("titanic-test", client=unreachable, spool=spool) as run:
        _train(run, titanic_csv)
    assert run.status == "SUCCEEDED", "Atlas being down must not fail the training run"
    assert "atlas-ml push" in capsys.readouterr().err
    pending = spool.pending()
    assert len(pending) == 4, "three steps and the training run wait in the spool"

    report = push(atlas_client, spool)
    assert (report.delivered, report.rejected, report.remaining) == (4, 0, 0)
    run_name = f"titanic-test.run.{run.run_id}@primary"
    assert report.guids[run_name]

    for path in (spool.delivered_dir).glob("*.json"):
        path.rename(spool.root / path.name)
    again = push(atlas_client, spool)
    assert again.delivered == 4
    assert again.guids[run_name] == report.guids[run_name], "a replay must not duplicate"
    found = list(
        atlas_client.search.basic(
            type_name="atlasml_training_run",
            entity_filters={
                "attributeName": "qualifiedName",
                "operator": "eq",
                "attributeValue": run_name,
            },
        )
    )
    assert len(found) == 1


def test_a_classification_atlas_lacks_sets_the_event_aside_and_says_how_to_retry(
    atlas_client: AtlasClient,
    project_types: None,
    titanic_csv: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import pandas as pd

    spool = Spool(tmp_path / "spool")
    with training_run("titanic-test", client=atlas_client, spool=spool) as run:
        raw = run.dataset(titanic_csv).classify("AtlasMlTestNoSuchClassification")
        frame = pd.read_csv(titanic_csv)
        run.step("load", inputs=[raw], outputs=[frame], reason="read the CSV")
        run.use(frame, role="train")
    assert run.status == "SUCCEEDED", "a refused event must not fail the training run"
    assert run.delivery is not None
    assert (run.delivery.rejected, run.delivery.remaining) == (1, 0)
    err = capsys.readouterr().err
    assert "Given classification AtlasMlTestNoSuchClassification was invalid" in err
    assert f"--spool {spool.root} --retry-rejected" in err
    [error_file] = spool.rejected_dir.glob("*.error")
    assert "AtlasMlTestNoSuchClassification" in error_file.read_text()
