"""Import MLflow runs into Atlas: training runs, the datasets they logged, their model versions.

Each MLflow run becomes an OpenLineage event with atlas-ml's facets, written to the spool and
pushed like any training run, so the mapping and naming are the ones captured runs use:

- the run -> ``atlasml_training_run`` named by the experiment and the MLflow run id (a re-import
  is the same entity: idempotent), with params, metrics, tags (as environment), user, source
  code and commit, times and status, and ``mlflowRunId``/``mlflowRunUri``/``mlflowExperiment``;
- each ``mlflow.log_input`` dataset -> a dataset version named by its location (the source's
  path or URI, linked to the physical data there) or its MLflow name, and MLflow's digest;
- each registered model version of the run -> ``atlasml_model_version`` named by the sha256 of
  its artifacts (downloaded from MLflow), with registry name, version, aliases and stage.

Runs that atlas-ml itself mirrored into MLflow (tag ``atlas_ml.run_id``) are in Atlas already:
they are skipped, and only their registry facts are written onto their model versions.

With a signing key configured, each imported run is signed as a captured run is at its end
(chain of custody, :class:`atlas_ml.custody.attest.ImportSigner`), chained under ``team``;
a re-import of an unchanged run carries the attestation signed the first time.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from atlas_ml.client import AtlasClient
from atlas_ml.custody.attest import ImportSigner
from atlas_ml.custody.settings import CustodySettings
from atlas_ml.delivery import DeliveryReport, Spool
from atlas_ml.delivery.atlas import push
from atlas_ml.events.datasets import IN_MEMORY_NAMESPACE
from atlas_ml.events.facets import DATASET_VERSION, MODEL_VERSION, TRAINING_RUN, facet
from atlas_ml.events.run_events import run_event
from atlas_ml.fingerprints.artifacts import artifact_digest
from atlas_ml.mlflow_sync.annotate import set_attributes
from atlas_ml.naming import model_version_name, openlineage_location
from atlas_ml.typedefs.names import MODEL_VERSION_TYPE

log = logging.getLogger(__name__)

MIRRORED_TAG = "atlas_ml.run_id"
"""Tag the mirror puts on MLflow runs it creates (value: atlas-ml's run id)."""
_STATUS = {"FINISHED": "SUCCEEDED", "FAILED": "FAILED", "KILLED": "KILLED", "RUNNING": "RUNNING"}
_STAGES = {"none": "NONE", "staging": "STAGING", "production": "PRODUCTION", "archived": "ARCHIVED"}
_SOURCE_KEYS = ("uri", "path", "url", "location")


@dataclass
class ImportReport:
    runs: int = 0
    skipped_mirrored: int = 0
    datasets: int = 0
    model_versions: int = 0
    signed: int = 0
    """Imported runs carrying an attestation (signed now, or again as first signed)."""
    delivery: DeliveryReport | None = None
    problems: list[str] = field(default_factory=list)


def iso_millis(millis: int | None) -> str | None:
    if not millis:
        return None
    return datetime.fromtimestamp(millis / 1000, tz=timezone.utc).isoformat(timespec="milliseconds")


def import_mlflow(
    atlas: AtlasClient,
    tracking_uri: str,
    *,
    experiment: str | None = None,
    since: datetime | None = None,
    spool: Spool | None = None,
    on_run: Callable[[str], None] | None = None,
    team: str | None = None,
    custody: CustodySettings | None = None,
) -> ImportReport:
    """Import every run (of ``experiment``, started at or after ``since``) into Atlas, as
    runs of ``team``, signed with ``custody``'s key (default: the config file's), if any."""
    from mlflow.tracking import MlflowClient

    # MLflow's download progress bar would go to stdout, where the command prints its summary
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    mlflow = MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
    report = ImportReport()
    spool = spool or Spool()
    signer = _signer(atlas.config.namespace, custody, report)
    with tempfile.TemporaryDirectory(prefix="atlas-ml-mlflow-") as scratch:
        for exp, run in _runs(mlflow, experiment, since):
            if on_run is not None:
                on_run(run.info.run_id)
            # search results lack aliases: read each version whole
            versions = [
                mlflow.get_model_version(v.name, v.version)
                for v in mlflow.search_model_versions(f"run_id = '{run.info.run_id}'")
            ]
            found = (_model_version(mlflow, v, Path(scratch), report) for v in versions)
            outputs = [output for output in found if output is not None]
            if MIRRORED_TAG in run.data.tags:
                report.skipped_mirrored += 1
                _annotate_mirrored(atlas, outputs, report)
                continue
            inputs = [_dataset(item) for item in run.inputs.dataset_inputs or []]
            report.datasets += len(inputs)
            report.model_versions += len(outputs)
            event = _run_event(tracking_uri, exp, run, inputs, outputs, team)
            _sign(signer, event, team, report)
            spool.write(event)
            report.runs += 1
    report.delivery = push(atlas, spool)
    return report


def _runs(mlflow: Any, experiment: str | None, since: datetime | None) -> Iterator[tuple[Any, Any]]:
    experiments = mlflow.search_experiments(
        filter_string=f"name = '{experiment}'" if experiment else None
    )
    if experiment and not experiments:
        raise LookupError(f"no MLflow experiment named {experiment!r}")
    by_id = {e.experiment_id: e for e in experiments}
    filters = f"attributes.start_time >= {int(since.timestamp() * 1000)}" if since else ""
    token = None
    while True:
        page = mlflow.search_runs(
            list(by_id), filter_string=filters, max_results=500, page_token=token
        )
        for run in page:
            yield by_id[run.info.experiment_id], run
        token = page.token
        if not token:
            return


def _run_uri(tracking_uri: str, run: Any) -> str:
    return f"{tracking_uri}#/experiments/{run.info.experiment_id}/runs/{run.info.run_id}"


def _run_event(
    tracking_uri: str,
    experiment: Any,
    run: Any,
    inputs: list[dict[str, Any]],
    outputs: list[dict[str, Any]],
    team: str | None = None,
) -> dict[str, Any]:
    tags = {k: v for k, v in run.data.tags.items() if not k.startswith("mlflow.log-model")}
    status = _STATUS.get(run.info.status, "SUCCEEDED")
    run_facet = facet(
        TRAINING_RUN,
        pipeline=experiment.name,
        parameters=dict(run.data.params),
        metrics={k: float(v) for k, v in run.data.metrics.items()},
        codeReference=tags.get("mlflow.source.name"),
        codeRevision=tags.get("mlflow.source.git.commit"),
        environment={k: v for k, v in tags.items() if not k.startswith("mlflow.source")},
        operator=run.info.user_id or tags.get("mlflow.user"),
        team=team,
        reasoning=tags.get("mlflow.note.content"),
        startTime=iso_millis(run.info.start_time),
        endTime=iso_millis(run.info.end_time),
        status=status,
        mlflowRunId=run.info.run_id,
        mlflowRunUri=_run_uri(tracking_uri, run),
        mlflowExperiment=experiment.name,
    )
    ended = iso_millis(run.info.end_time or run.info.start_time)
    return run_event(
        "FAIL" if status == "FAILED" else "COMPLETE",
        job_name=experiment.name,
        run_id=run.info.run_id,
        run_facets={TRAINING_RUN: run_facet},
        inputs=[],
        outputs=outputs if status != "FAILED" else [],
        event_time=ended.replace("+00:00", "Z") if ended else None,
    ) | {"inputs": inputs}


def _signer(
    namespace: str, settings: CustodySettings | None, report: ImportReport
) -> ImportSigner | None:
    """The signer of this import; None (runs imported UNSIGNED) without a usable key."""
    try:
        signer = ImportSigner(namespace, settings)
    except Exception as exc:  # a configured key that cannot be used
        report.problems.append(f"runs imported UNSIGNED: the signing key cannot be used ({exc})")
        return None
    return signer if signer.key is not None else None


def _sign(
    signer: ImportSigner | None, event: dict[str, Any], team: str | None, report: ImportReport
) -> None:
    if signer is None:
        return
    try:
        signer.sign(event, team)
        report.signed += 1
    except Exception as exc:  # the run is still imported, unsigned
        report.problems.append(
            f"MLflow run {event['run']['runId']} imported UNSIGNED: could not sign its record "
            f"({exc})"
        )


def _dataset(item: Any) -> dict[str, Any]:
    """An OpenLineage dataset for one ``mlflow.log_input``: at its source when it has one."""
    dataset = item.dataset
    tags = {t.key: t.value for t in item.tags or []}
    location = _source_location(dataset.source)
    version = facet(
        DATASET_VERSION,
        mlflowDigest=dataset.digest,
        mlflowSource=dataset.source,
        mlflowName=dataset.name,
        role=tags.get("mlflow.data.context"),
        uri=location,
        schemaFingerprint=None,
    )
    if location is None:
        return {
            "namespace": IN_MEMORY_NAMESPACE,
            "name": f"mlflow/{dataset.name}",
            "facets": {DATASET_VERSION: version},
        }
    namespace, name = openlineage_location(location)
    return {"namespace": namespace, "name": name, "facets": {DATASET_VERSION: version}}


def _source_location(source: str | None) -> str | None:
    """The path or URI a dataset source names (MLflow keeps the source as JSON)."""
    try:
        parsed = json.loads(source or "")
    except ValueError:
        return None
    if not isinstance(parsed, dict):
        return None
    for key in _SOURCE_KEYS:
        value = parsed.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _model_version(
    mlflow: Any, version: Any, scratch: Path, report: ImportReport
) -> dict[str, Any] | None:
    """The OpenLineage output of one registered model version, named by its artifacts' digest."""
    import mlflow as mlflow_module

    try:
        uri = mlflow.get_model_version_download_uri(version.name, version.version)
        target = scratch / f"{version.name}-{version.version}"
        target.mkdir(parents=True, exist_ok=True)
        local = mlflow_module.artifacts.download_artifacts(
            artifact_uri=uri, dst_path=str(target), tracking_uri=mlflow.tracking_uri
        )
        digest = artifact_digest(Path(local))
    except Exception as exc:  # an artifact store this machine cannot read
        report.problems.append(
            f"model {version.name} version {version.version}: artifacts not readable ({exc}); "
            "not imported"
        )
        return None
    stage = _STAGES.get(str(version.current_stage or "none").lower(), "NONE")
    body = facet(
        MODEL_VERSION,
        model=version.name,
        artifactSha256=digest,
        artifactUri=uri,
        stage=stage,
        registeredTime=iso_millis(version.creation_timestamp),
        mlflowRunId=version.run_id,
        mlflowModelUri=f"models:/{version.name}/{version.version}",
        mlflowRegisteredModel=version.name,
        mlflowVersion=str(version.version),
        mlflowAliases=sorted(version.aliases or []),
    )
    return {
        "namespace": "mlflow",
        "name": f"{version.name}/{version.version}",
        "facets": {MODEL_VERSION: body},
    }


def _annotate_mirrored(
    atlas: AtlasClient, outputs: list[dict[str, Any]], report: ImportReport
) -> None:
    """Registry facts onto the model versions of a run atlas-ml recorded and mirrored."""
    keys = (
        "stage",
        "mlflowRunId",
        "mlflowModelUri",
        "mlflowRegisteredModel",
        "mlflowVersion",
        "mlflowAliases",
    )
    for output in outputs:
        body = output["facets"][MODEL_VERSION]
        name = model_version_name(body["model"], body["artifactSha256"], atlas.config.namespace)
        attributes = {k: body[k] for k in keys if body.get(k) is not None}
        try:
            set_attributes(atlas, MODEL_VERSION_TYPE, name, attributes)
            report.model_versions += 1
        except Exception as exc:
            report.problems.append(f"{name}: registry facts not written ({exc})")
