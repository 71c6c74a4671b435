"""Mirror an atlas-ml training run into MLflow, so either UI leads to the other.

The MLflow run gets the parameters, metrics and model artifact, and every input dataset as an
``mlflow.log_input`` whose digest is atlas-ml's fingerprint (its first 36 characters: MLflow's
limit; the whole one is the ``atlas_ml.fingerprint`` tag) and whose ``atlas_ml.guid`` tag is the
dataset version's Atlas guid. The run's tags name the Atlas training run (``atlas_ml.run_id``,
``atlas_ml.guid``); the Atlas training run and model versions get ``mlflowRunId`` and
``mlflowRunUri`` back. Called after delivery, so the guids exist; without them (Atlas away)
MLflow still gets everything but the guid tags.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from atlas_ml.fingerprints.artifacts import ModelArtifact
from atlas_ml.fingerprints.datasets import DatasetRecord
from atlas_ml.mlflow_sync.annotate import set_attributes
from atlas_ml.mlflow_sync.importer import MIRRORED_TAG
from atlas_ml.naming import (
    dataset_version_name,
    model_version_name,
    openlineage_location,
    training_run_name,
    version_location,
)
from atlas_ml.typedefs.names import MODEL_VERSION_TYPE, TRAINING_RUN_TYPE

if TYPE_CHECKING:
    from atlas_ml.client import AtlasClient


class MirroredModel(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def artifact(self) -> ModelArtifact: ...

    @property
    def steps(self) -> Mapping[str, str]: ...


class MirroredDelivery(Protocol):
    @property
    def guids(self) -> Mapping[str, str]: ...


class MirroredRun(Protocol):
    """What the mirror reads of a run (a :class:`~atlas_ml.tracking.run.TrainingRun`); named
    here so that importing from and mirroring into MLflow does not import capture."""

    @property
    def run_id(self) -> str: ...

    @property
    def pipeline(self) -> str: ...

    @property
    def team(self) -> str | None: ...

    @property
    def status(self) -> str: ...

    @property
    def parameters(self) -> Mapping[str, Any]: ...

    @property
    def metrics(self) -> Mapping[str, float]: ...

    @property
    def inputs(self) -> Sequence[DatasetRecord]: ...

    @property
    def models(self) -> Sequence[MirroredModel]: ...

    @property
    def delivery(self) -> MirroredDelivery | None: ...


DIGEST_LENGTH = 36
"""MLflow stores a dataset digest in 36 characters."""
PARAM_LENGTH = 6000


def mirror_run(run: MirroredRun, atlas: AtlasClient | None, tracking_uri: str | None = None) -> str:
    """Create the MLflow run for ``run``; returns its MLflow run id."""
    from mlflow.entities import Dataset, DatasetInput, InputTag, Metric, Param
    from mlflow.tracking import MlflowClient

    mlflow = MlflowClient(tracking_uri=tracking_uri)
    namespace = atlas.config.namespace if atlas is not None else None
    guids = dict(run.delivery.guids) if run.delivery is not None else {}
    experiment = mlflow.get_experiment_by_name(run.pipeline)
    experiment_id = (
        experiment.experiment_id if experiment else mlflow.create_experiment(run.pipeline)
    )
    run_qn = training_run_name(run.pipeline, run.run_id, namespace) if namespace else None
    tags = {MIRRORED_TAG: run.run_id, "mlflow.runName": f"{run.pipeline} {run.run_id[:8]}"}
    if run_qn and run_qn in guids:
        tags.update({"atlas_ml.training_run": run_qn, "atlas_ml.guid": guids[run_qn]})
    if run.team:
        tags["atlas_ml.team"] = run.team
    created = mlflow.create_run(experiment_id, tags=tags)
    run_id = created.info.run_id
    stamp = int(time.time() * 1000)
    mlflow.log_batch(
        run_id,
        metrics=[Metric(k, float(v), stamp, 0) for k, v in run.metrics.items()],
        params=[Param(str(k), str(v)[:PARAM_LENGTH]) for k, v in _parameters(run).items()],
    )
    inputs = []
    for record in run.inputs:
        guid = guids.get(_version_name(record, namespace)) if namespace else None
        input_tags = [InputTag("mlflow.data.context", record.role or "train")]
        input_tags.append(InputTag("atlas_ml.fingerprint", record.fingerprint))
        if guid:
            input_tags.append(InputTag("atlas_ml.guid", guid))
        source = {"uri": record.location} if record.location else {"atlas_ml": record.name}
        digest = record.fingerprint.removeprefix("sha256:")[:DIGEST_LENGTH]
        dataset = Dataset(
            name=record.name,
            digest=digest,
            source_type="local" if record.location else "code",
            source=json.dumps(source),
        )
        inputs.append(DatasetInput(dataset=dataset, tags=input_tags))
    if inputs:
        mlflow.log_inputs(run_id, datasets=inputs)
    for model in run.models:
        mlflow.log_artifact(run_id, str(model.artifact.path), artifact_path=f"model/{model.name}")
    mlflow.set_terminated(run_id, status="FAILED" if run.status == "FAILED" else "FINISHED")
    if atlas is not None and run_qn and run_qn in guids:
        _link_back(atlas, run, run_qn, run_id, experiment_id, mlflow.tracking_uri)
    return run_id


def _parameters(run: MirroredRun) -> dict[str, Any]:
    parameters = dict(run.parameters)
    for model in run.models:
        parameters.update({f"{model.name}.{k}": v for k, v in model.steps.items()})
    return parameters


def _version_name(record: DatasetRecord, namespace: str) -> str:
    """The qualifiedName the mapping gives ``record``'s dataset version."""
    if record.location is None:
        base = f"memory:{record.name}"
    else:
        base = version_location(*openlineage_location(record.location), namespace)
    return dataset_version_name(base, record.fingerprint, namespace, record.derivation)


def _link_back(
    atlas: AtlasClient,
    run: MirroredRun,
    run_qn: str,
    run_id: str,
    experiment_id: str,
    tracking_uri: str,
) -> None:
    uri = f"{tracking_uri}#/experiments/{experiment_id}/runs/{run_id}"
    set_attributes(
        atlas,
        TRAINING_RUN_TYPE,
        run_qn,
        {"mlflowRunId": run_id, "mlflowRunUri": uri, "mlflowExperiment": run.pipeline},
    )
    for model in run.models:
        name = model_version_name(model.name, model.artifact.sha256, atlas.config.namespace)
        set_attributes(
            atlas,
            MODEL_VERSION_TYPE,
            name,
            {
                "mlflowRunId": run_id,
                "mlflowModelUri": f"runs:/{run_id}/model/{model.name}/{model.artifact.path.name}",
            },
        )
