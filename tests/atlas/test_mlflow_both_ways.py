"""MLflow both ways against a real local MLflow (sqlite backend): an ``mlflow.sklearn.autolog()``
run of the housing model with a logged dataset and a registered model version imported into
Atlas (idempotently), an atlas-ml training run mirrored into MLflow, and imported runs signed
(chain of custody) once however often they are imported."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import mlflow
import pandas as pd
import pytest
import requests
from click.testing import CliRunner
from mlflow.tracking import MlflowClient
from sklearn.linear_model import LinearRegression

from atlas_ml.cli.import_cmd import command as import_command
from atlas_ml.cli.main import cli
from atlas_ml.client import AtlasClient
from atlas_ml.custody import CustodyStatus, check_chain, check_run
from atlas_ml.custody.chain import ChainLog
from atlas_ml.delivery import Spool
from atlas_ml.naming import training_run_name
from atlas_ml.tracking import training_run

pytestmark = pytest.mark.atlas

HOUSING = Path(__file__).resolve().parents[2] / "examples" / "data" / "housing.csv"
FEATURES = ["median_income", "housing_median_age", "total_rooms"]


@pytest.fixture(scope="module")
def tracking_uri(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("mlflow")
    return f"sqlite:///{folder}/mlflow.db"


def _experiment(uri: str, name: str, folder: Path) -> str:
    client = MlflowClient(tracking_uri=uri)
    return client.create_experiment(name, artifact_location=(folder / "artifacts").as_uri())


def _atlas(client: AtlasClient, type_name: str, qualified_name: str) -> dict[str, Any]:
    return client.entities.get_by_unique_attribute(type_name, qualified_name)["entity"]


def _import(client: AtlasClient, uri: str, experiment: str, *more: str) -> Any:
    arguments = ["--tracking-uri", uri, "--experiment", experiment, "--url", client.config.url]
    return CliRunner().invoke(import_command, ["mlflow", *arguments, *more])


def test_an_autologged_mlflow_run_and_its_registered_version_are_imported_once(
    atlas_client: AtlasClient,
    project_types: None,
    unique: str,
    tmp_path: Path,
    tracking_uri: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ATLAS_ML_SPOOL", str(tmp_path / "spool"))
    csv = tmp_path / "housing.csv"
    pd.read_csv(HOUSING, nrows=500).to_csv(csv, index=False)
    experiment_id = _experiment(tracking_uri, unique, tmp_path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", tracking_uri)  # set_tracking_uri would leak it
    mlflow.sklearn.autolog()
    try:
        with mlflow.start_run(experiment_id=experiment_id) as active:
            frame = pd.read_csv(csv)
            dataset = mlflow.data.from_pandas(frame, source=str(csv), name="housing")
            mlflow.log_input(dataset, context="training")
            LinearRegression().fit(frame[FEATURES], frame["median_house_value"])
    finally:
        mlflow.sklearn.autolog(disable=True)
    run_id = active.info.run_id
    registered = mlflow.register_model(f"runs:/{run_id}/model", f"{unique}-housing")
    MlflowClient(tracking_uri).set_registered_model_alias(
        registered.name, "champion", registered.version
    )

    first = _import(atlas_client, tracking_uri, unique)
    second = _import(atlas_client, tracking_uri, unique)

    assert first.exit_code == 0, first.output
    assert "imported 1 run(s), 2 dataset(s), 1 model version(s)" in first.output
    assert second.exit_code == 0, second.output
    namespace = atlas_client.config.namespace
    run = _atlas(atlas_client, "atlasml_training_run", training_run_name(unique, run_id, namespace))
    attributes = run["attributes"]
    assert attributes["mlflowRunId"] == run_id
    assert attributes["mlflowExperiment"] == unique
    assert attributes["mlflowRunUri"].endswith(f"/runs/{run_id}")
    assert attributes["parameters"]["fit_intercept"] == "True"
    assert "training_r2_score" in attributes["metrics"]
    assert attributes["status"] == "SUCCEEDED"
    # autolog logs the training arrays as a dataset too; ours is the CSV
    inputs = [atlas_client.entities.get(i["guid"])["entity"] for i in attributes["inputs"]]
    (version,) = [v for v in inputs if v["attributes"].get("mlflowDigest") == dataset.digest]
    assert version["attributes"]["mlflowDigest"] == dataset.digest
    assert version["attributes"]["uri"].removeprefix("file:") == str(csv)
    snapshot = atlas_client.entities.get(version["relationshipAttributes"]["snapshotOf"]["guid"])
    assert snapshot["entity"]["attributes"]["path"].removeprefix("file:") == str(csv).lower()
    (model,) = attributes["outputs"]
    model_version = atlas_client.entities.get(model["guid"])["entity"]["attributes"]
    assert model_version["mlflowRegisteredModel"] == f"{unique}-housing"
    assert model_version["mlflowVersion"] == str(registered.version)
    assert model_version["mlflowAliases"] == ["champion"]
    assert model_version["mlflowModelUri"] == f"models:/{unique}-housing/{registered.version}"
    runs = list(
        atlas_client.search.basic(
            "atlasml_training_run",
            entity_filters={
                "attributeName": "mlflowRunId",
                "operator": "eq",
                "attributeValue": run_id,
            },
        )
    )
    assert len(runs) == 1  # the second import added nothing


def test_a_training_run_with_mlflow_true_is_mirrored_with_fingerprints_and_guids(
    atlas_client: AtlasClient,
    project_types: None,
    unique: str,
    tmp_path: Path,
    tracking_uri: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", tracking_uri)
    csv = tmp_path / "housing.csv"
    pd.read_csv(HOUSING, nrows=300).to_csv(csv, index=False)
    spool = Spool(tmp_path / "spool")
    _experiment(tracking_uri, unique, tmp_path)  # else MLflow stores artifacts in ./mlruns

    with training_run(unique, client=atlas_client, spool=spool, mlflow=True) as run:
        train = run.use(csv, role="train")
        frame = pd.read_csv(csv)
        model = LinearRegression().fit(frame[FEATURES], frame["median_house_value"])
        run.log_params(fit_intercept=True)
        run.log_metrics(r2=model.score(frame[FEATURES], frame["median_house_value"]))
        run.log_model(model, name=unique, directory=tmp_path / "model")

    client = MlflowClient(tracking_uri)
    (mirrored,) = client.search_runs(
        [client.get_experiment_by_name(unique).experiment_id],
        filter_string=f"tags.`atlas_ml.run_id` = '{run.run_id}'",
    )
    assert mirrored.data.params["fit_intercept"] == "True"
    assert mirrored.data.metrics["r2"] == pytest.approx(run.metrics["r2"])
    (logged,) = mirrored.inputs.dataset_inputs
    tags = {t.key: t.value for t in logged.tags}
    assert logged.dataset.digest == train.fingerprint[:36]
    assert tags["atlas_ml.fingerprint"] == train.fingerprint
    assert run.delivery is not None
    version_guid = next(
        g for q, g in run.delivery.guids.items() if q.startswith(f"{train.location}#")
    )
    assert tags["atlas_ml.guid"] == version_guid
    assert [a.path for a in client.list_artifacts(mirrored.info.run_id, f"model/{unique}")]
    namespace = atlas_client.config.namespace
    atlas_run = _atlas(
        atlas_client, "atlasml_training_run", training_run_name(unique, run.run_id, namespace)
    )
    assert atlas_run["attributes"]["mlflowRunId"] == mirrored.info.run_id
    assert mirrored.data.tags["atlas_ml.guid"] == atlas_run["guid"]

    imported = _import(atlas_client, tracking_uri, unique)
    assert imported.exit_code == 0, imported.output
    assert "imported 0 run(s)" in imported.output and "1 run(s) mirrored" in imported.output


def test_imported_mlflow_runs_are_signed_once_chained_and_an_edit_in_atlas_is_tampered(
    atlas_client: AtlasClient,
    project_types: None,
    signing: Any,
    unique: str,
    tmp_path: Path,
    tracking_uri: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ATLAS_ML_SPOOL", str(tmp_path / "spool"))
    team = f"{unique}-team"
    csv = tmp_path / "housing.csv"
    pd.read_csv(HOUSING, nrows=200).to_csv(csv, index=False)
    experiment_id = _experiment(tracking_uri, unique, tmp_path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", tracking_uri)  # set_tracking_uri would leak it
    run_ids = []
    for alpha in ("0.5", "2.0"):
        with mlflow.start_run(experiment_id=experiment_id) as active:
            frame = pd.read_csv(csv)
            dataset = mlflow.data.from_pandas(frame, source=str(csv), name="housing")
            mlflow.log_input(dataset, context="training")
            model = LinearRegression().fit(frame[FEATURES], frame["median_house_value"])
            mlflow.log_params({"alpha": alpha, "features": ",".join(FEATURES)})
            mlflow.log_metric("r2", model.score(frame[FEATURES], frame["median_house_value"]))
            mlflow.sklearn.log_model(model, artifact_path="model")
        run_ids.append(active.info.run_id)
    registered = mlflow.register_model(f"runs:/{run_ids[1]}/model", f"{unique}-housing")

    first = _import(atlas_client, tracking_uri, unique, "--team", team)
    assert first.exit_code == 0, first.output
    assert "imported 2 run(s)" in first.output and "2 run(s) signed" in first.output
    namespace = atlas_client.config.namespace
    names = [training_run_name(unique, run_id, namespace) for run_id in run_ids]
    settings = signing.settings()
    # MLflow lists the newest run first, and the import signs in that order
    results = [check_run(atlas_client, name, settings=settings) for name in names]
    assert [r.status for r in results] == [CustodyStatus.SIGNED_OK] * 2, results
    assert sorted(r.sequence for r in results) == [1, 2] and {r.team for r in results} == {team}

    again = _import(atlas_client, tracking_uri, unique, "--team", team)
    assert again.exit_code == 0, again.output
    log = list(ChainLog(signing.log_dir).entries(team, signing.public.key_id))
    assert len(log) == 2  # the re-import signed nothing new
    for name in names:
        run = _atlas(atlas_client, "atlasml_training_run", name)
        assert len(run["relationshipAttributes"]["attestations"]) == 1
    chain = check_chain(atlas_client, team, settings=settings)
    assert chain.status is CustodyStatus.SIGNED_OK and chain.chains[0].length == 2

    version = _atlas(atlas_client, "atlasml_training_run", names[1])["attributes"]["outputs"][0]
    model_version = atlas_client.entities.get(version["guid"])["entity"]["attributes"]
    assert model_version["mlflowVersion"] == str(registered.version)
    verified = _verify(atlas_client, model_version["qualifiedName"])
    assert [(c["subject"], c["status"]) for c in verified["custody"]] == [(names[1], "SIGNED-OK")]

    # An insider edits the imported run's parameter through Atlas's REST API.
    config = atlas_client.config
    parameters = _atlas(atlas_client, "atlasml_training_run", names[1])["attributes"]["parameters"]
    response = requests.put(
        f"{config.url}/api/atlas/v2/entity/uniqueAttribute/type/atlasml_training_run",
        params={"attr:qualifiedName": names[1]},
        json={
            "entity": {
                "typeName": "atlasml_training_run",
                "attributes": {"parameters": {**parameters, "alpha": "0.0"}},
            }
        },
        auth=(str(config.username), str(config.password)),
        timeout=60,
    )
    assert response.status_code == 200, response.text
    tampered = check_run(atlas_client, names[1], settings=settings)
    assert tampered.status is CustodyStatus.TAMPERED
    [finding] = tampered.findings
    assert (finding.field, finding.signed, finding.current) == ("parameters[alpha]", "2.0", "0.0")
    verified = _verify(atlas_client, model_version["qualifiedName"])
    assert [c["status"] for c in verified["custody"]] == ["TAMPERED"]
    assert check_run(atlas_client, names[0], settings=settings).status is CustodyStatus.SIGNED_OK


def _verify(client: AtlasClient, target: str) -> Any:
    config = client.config
    login = [
        "--url",
        config.url,
        "--user",
        str(config.username),
        "--password",
        str(config.password),
    ]
    outcome = CliRunner().invoke(cli, ["verify", target, "--json", "--no-write-back", *login])
    return json.loads(outcome.output)
