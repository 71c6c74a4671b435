"""Runs, the steps they ran and the evaluations of their models, as Atlas entities.

- a training run (``atlasml_trainingRun``) -> ``atlasml_training_run``, with the role each
  input played (``inputRoles``: input qualifiedName -> train/test/...);
- a pipeline run (``atlasml_pipelineRun``) -> ``atlasml_pipeline_run``;
- a step (``atlasml_transform`` with OpenLineage's ``parent`` facet) -> its transform names its
  run (relationship ``atlasml_transform_run``) and is named by that run too, so a later run of
  the same step over the same data is a step of its own and never re-points an earlier run's
  step; the run is created as a stub when the step arrives first (it always does: a run's
  terminal event follows its steps), which that event then completes;
- an evaluation (``atlasml_evaluation``) -> ``atlasml_evaluation`` whose inputs are the model
  version and the evaluation data, linked to the model version.
"""

from __future__ import annotations

from typing import Any

from atlas_ml.events import DATASET_VERSION
from atlas_ml.mapping.changes import AtlasChanges
from atlas_ml.mapping.times import epoch_millis
from atlas_ml.naming import evaluation_name, pipeline_run_name, training_run_name
from atlas_ml.typedefs.names import (
    EVALUATION_MODEL_VERSION_RELATIONSHIP,
    EVALUATION_TYPE,
    MODEL_VERSION_TYPE,
    PIPELINE_RUN_TYPE,
    TRAINING_RUN_TYPE,
    TRANSFORM_RUN_RELATIONSHIP,
)

RUN_TYPES = {"training": TRAINING_RUN_TYPE, "pipeline": PIPELINE_RUN_TYPE}
_RUN_NAMES = {"training": training_run_name, "pipeline": pipeline_run_name}


def stringify(values: dict[str, Any] | None) -> dict[str, str] | None:
    if not values:
        return None
    return {str(key): str(value) for key, value in values.items()}


def present(attributes: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in attributes.items() if value is not None}


def run_attributes(
    event: dict[str, Any], facet: dict[str, Any], namespace: str, kind: str, status: str
) -> dict[str, Any]:
    """The attributes a training or pipeline run shares: what ran, how, who, when, outcome."""
    pipeline = facet.get("pipeline") or event["job"]["name"]
    run_id = event["run"]["runId"]
    return present(
        {
            "qualifiedName": _RUN_NAMES[kind](pipeline, run_id, namespace),
            "name": f"{pipeline} run {run_id[:8]}",
            "description": facet.get("reasoning"),
            "parameters": stringify(facet.get("parameters")),
            "metrics": {k: float(v) for k, v in (facet.get("metrics") or {}).items()} or None,
            "codeReference": facet.get("codeReference"),
            "codeRevision": facet.get("codeRevision"),
            "codeDirty": facet.get("codeDirty"),
            "environment": stringify(facet.get("environment")),
            "operator": facet.get("operator"),
            "owner": facet.get("team"),
            "team": facet.get("team"),
            "startTime": epoch_millis(facet.get("startTime")),
            "endTime": epoch_millis(facet.get("endTime") or event["eventTime"]),
            "status": facet.get("status") or status,
        }
    )


def input_roles(
    event: dict[str, Any], changes: AtlasChanges, inputs: list[dict[str, Any]]
) -> dict[str, str] | None:
    """qualifiedName of each input -> the role it played in the run (train, test, ...)."""
    names = {e["guid"]: e["attributes"]["qualifiedName"] for e in changes.entities}
    roles = {}
    for dataset, reference in zip(event.get("inputs", []), inputs, strict=True):
        role = ((dataset.get("facets") or {}).get(DATASET_VERSION) or {}).get("role")
        name = names.get(reference.get("guid"))
        if role and name:
            roles[name] = str(role)
    return roles or None


def map_pipeline_run(
    event: dict[str, Any],
    facet: dict[str, Any],
    changes: AtlasChanges,
    namespace: str,
    inputs: list[dict[str, Any]],
    outputs: list[dict[str, Any]],
    status: str,
) -> None:
    attributes = run_attributes(event, facet, namespace, "pipeline", status)
    changes.add(PIPELINE_RUN_TYPE, {**attributes, "inputs": inputs, "outputs": outputs})


def step_run(
    event: dict[str, Any], facet: dict[str, Any], changes: AtlasChanges, namespace: str
) -> tuple[str | None, dict[str, Any] | None]:
    """The run a step belongs to (OpenLineage ``parent`` facet): its id, and the relationship
    attribute that ties the step to it; (None, None) for a step of no recorded run."""
    parent = (event["run"].get("facets") or {}).get("parent") or {}
    run_id = (parent.get("run") or {}).get("runId")
    pipeline = (parent.get("job") or {}).get("name") or facet.get("pipeline")
    kind = facet.get("runKind")
    if not run_id or not pipeline or kind not in RUN_TYPES:
        return None, None
    type_name = RUN_TYPES[kind]
    run = changes.add(
        type_name,
        {
            "qualifiedName": _RUN_NAMES[kind](pipeline, run_id, namespace),
            "name": f"{pipeline} run {run_id[:8]}",
        },
    )
    return run_id, {**run, "relationshipType": TRANSFORM_RUN_RELATIONSHIP}


def step_attributes(facet: dict[str, Any]) -> dict[str, Any]:
    """What a step records beyond its wiring: team and the code that ran."""
    return present(
        {
            "team": facet.get("team"),
            "codeFingerprint": facet.get("codeFingerprint"),
            "codeSource": facet.get("codeSource"),
            "codeLocation": facet.get("codeLocation"),
        }
    )


def map_evaluation(
    event: dict[str, Any],
    facet: dict[str, Any],
    changes: AtlasChanges,
    namespace: str,
    inputs: list[dict[str, Any]],
) -> None:
    model_versions = [r for r in inputs if r.get("typeName") == MODEL_VERSION_TYPE]
    data = [r for r in inputs if r.get("typeName") != MODEL_VERSION_TYPE]
    names = {e["guid"]: e["attributes"] for e in changes.entities}
    pipeline = facet.get("pipeline") or event["job"]["name"]
    role = facet.get("datasetRole")
    on = ", ".join(str(names[r["guid"]].get("name")) for r in data if r["guid"] in names)
    attributes = present(
        {
            "qualifiedName": evaluation_name(pipeline, event["run"]["runId"], namespace),
            "name": f"{facet.get('model') or pipeline} evaluated on {on or role or 'data'}",
            "description": f"{role} data" if role else None,
            "metrics": {k: float(v) for k, v in (facet.get("metrics") or {}).items()} or None,
            "datasetRole": role,
            "team": facet.get("team"),
            "evaluator": facet.get("evaluator"),
            "evaluatedTime": epoch_millis(facet.get("evaluatedTime") or event["eventTime"]),
            "criteria": facet.get("criteria"),
            "passed": facet.get("passed"),
            "codeReference": facet.get("codeReference"),
            "codeRevision": facet.get("codeRevision"),
            "owner": facet.get("team"),
        }
    )
    relationships = None
    if model_versions:
        relationships = {
            "modelVersion": {
                **model_versions[0],
                "relationshipType": EVALUATION_MODEL_VERSION_RELATIONSHIP,
            }
        }
    changes.add(
        EVALUATION_TYPE,
        {**attributes, "inputs": inputs, "outputs": []},
        relationships=relationships,
    )
