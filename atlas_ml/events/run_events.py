"""Build OpenLineage run events: the envelope every atlas-ml producer in Python emits.

Training runs (:mod:`atlas_ml.tracking`) and Spark ML fits (:mod:`atlas_ml.spark.ml`) record
through the same builders, so an event looks the same whichever of them wrote it. The
builders assemble the typed classes of :mod:`atlas_ml.events.model` and
:mod:`atlas_ml.events.facets` and return their JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from atlas_ml.events.datasets import as_dataset
from atlas_ml.events.facets import MODEL_VERSION, ModelVersionFacet
from atlas_ml.events.model import (
    RUN_EVENT_SCHEMA_URL,
    Dataset,
    EventType,
    FacetLike,
    Job,
    ParentRunFacet,
    Run,
    RunEvent,
)
from atlas_ml.fingerprints.artifacts import ModelArtifact
from atlas_ml.fingerprints.datasets import DatasetRecord
from atlas_ml.naming import openlineage_location

JOB_NAMESPACE = "atlas-ml"
SCHEMA_URL = RUN_EVENT_SCHEMA_URL
PARENT_RUN_SCHEMA_URL = ParentRunFacet.schema_url()


def now() -> str:
    """The current time as OpenLineage writes it (UTC, milliseconds, ``Z``)."""
    return event_time(datetime.now(timezone.utc))


def event_time(moment: datetime | str) -> str:
    """``moment`` as OpenLineage writes times (UTC, milliseconds, ``Z``); a naive datetime
    or string is taken as UTC. Lets runs and steps be backdated (imports, tests)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    utc = moment.astimezone(timezone.utc)
    return utc.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def run_event(
    event_type: EventType,
    job_name: str,
    run_id: str,
    run_facets: Mapping[str, FacetLike],
    inputs: list[DatasetRecord],
    outputs: list[DatasetRecord] | list[dict[str, Any]],
    event_time: str | None = None,
) -> dict[str, Any]:
    """A RunEvent of job ``job_name`` in atlas-ml's namespace; ``outputs`` are records or
    ready OpenLineage datasets (model versions)."""
    written: list[Dataset | dict[str, Any]] = [
        o if isinstance(o, dict) else as_dataset(o) for o in outputs
    ]
    event = RunEvent(
        eventType=event_type,
        eventTime=event_time or now(),
        run=Run(runId=run_id, facets=dict(run_facets)),
        job=Job(namespace=JOB_NAMESPACE, name=job_name),
        inputs=[as_dataset(record) for record in inputs],
        outputs=written,
    )
    return event.to_dict()


def parent_run_facet(run_id: str, job_name: str) -> dict[str, Any]:
    """OpenLineage's ``parent`` facet: the run (of job ``job_name``) a step belongs to."""
    return ParentRunFacet(
        run={"runId": run_id}, job={"namespace": JOB_NAMESPACE, "name": job_name}
    ).to_dict()


def model_version_dataset(
    model: str,
    artifact: ModelArtifact,
    *,
    team: str | None = None,
    locations: list[str] | None = None,
    compliance: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The OpenLineage output dataset of a trained model, with its ``atlasml_modelVersion``:
    the owning ``team``, every location its bytes were saved to (``locations``, the artifact's
    own first) and the model's ``compliance`` facts (see :mod:`atlas_ml.compliance`)."""
    namespace, name = openlineage_location(artifact.uri or artifact.path)
    every = [artifact.location_uri, *(u for u in locations or () if u != artifact.location_uri)]
    version = ModelVersionFacet(
        model=model,
        artifactSha256=artifact.sha256,
        artifactUri=artifact.location_uri,
        artifactLocations=every,
        framework=artifact.framework,
        frameworkVersion=artifact.framework_version,
        team=team,
        compliance=compliance or None,
    )
    return Dataset(namespace=namespace, name=name, facets={MODEL_VERSION: version}).to_dict()
