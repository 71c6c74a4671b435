"""Map one OpenLineage run event to the Atlas entities that record it."""

from __future__ import annotations

from typing import Any

from atlas_ml.events import (
    EVALUATION,
    PIPELINE_RUN,
    SPARK,
    TRAINING_RUN,
    TRANSFORM,
    VALIDATION,
    validate_event,
)
from atlas_ml.events.facets import CUSTODY
from atlas_ml.mapping.changes import AtlasChanges
from atlas_ml.mapping.custody import map_attestation
from atlas_ml.mapping.datasets import map_dataset
from atlas_ml.mapping.openlineage import is_atlas_ml_event, map_openlineage_event
from atlas_ml.mapping.runs import (
    input_roles,
    map_evaluation,
    map_pipeline_run,
    run_attributes,
    step_attributes,
    step_run,
    stringify,
)
from atlas_ml.mapping.spark import map_spark
from atlas_ml.mapping.times import epoch_millis
from atlas_ml.mapping.validation import map_validation
from atlas_ml.naming import transform_name
from atlas_ml.typedefs.names import TRAINING_RUN_TYPE, TRANSFORM_TYPE

# START/RUNNING events only announce work; the terminal event carries its full lineage.
TERMINAL_EVENT_TYPES = {"COMPLETE", "FAIL", "ABORT", "OTHER"}
_FAILED_EVENT_TYPES = {"FAIL", "ABORT"}
_RUN_STATUS = {"COMPLETE": "SUCCEEDED", "FAIL": "FAILED", "ABORT": "KILLED", "OTHER": "SUCCEEDED"}


def _names(changes: AtlasChanges, references: list[dict[str, Any]]) -> list[str]:
    by_guid = {e["guid"]: e["attributes"]["qualifiedName"] for e in changes.entities}
    return [by_guid[reference["guid"]] for reference in references]


def map_event(
    event: dict[str, Any], namespace: str, *, lowercase_paths: bool = False
) -> AtlasChanges:
    """Entities (linked by placeholder guids) and classifications for ``event``.

    ``lowercase_paths``: ``atlas.hook.hive.hdfs_path.convert_to_lowercase`` (see
    :mod:`atlas_ml.naming.case`). Raises :class:`~atlas_ml.events.EventError` for a malformed
    event.
    """
    validate_event(event)
    if not is_atlas_ml_event(event) or "run" not in event:
        # Airflow, openlineage-spark, dbt, ...; and DatasetEvents/JobEvents, which have no run
        return map_openlineage_event(event, namespace)
    changes = AtlasChanges()
    event_type = event.get("eventType", "OTHER")
    if event_type not in TERMINAL_EVENT_TYPES:
        return changes
    run_facets = event["run"].get("facets") or {}
    if event_type in _FAILED_EVENT_TYPES and not {TRAINING_RUN, PIPELINE_RUN} & set(run_facets):
        # A failed write or step produced no data, so it is no lineage (as with Atlas's own
        # hooks); a failed training run is still recorded, as FAILED.
        return changes
    event_time = event["eventTime"]
    changes.infer_copies = all(
        (run_facets.get(name) or {}).get("inferCopies", True) is not False
        for name in (TRAINING_RUN, TRANSFORM)
    )
    lower = lowercase_paths
    inputs = [
        map_dataset(d, changes, namespace, event_time, read=True, lowercase_paths=lower)
        for d in event.get("inputs", [])
    ]
    outputs = [
        map_dataset(d, changes, namespace, event_time, lowercase_paths=lower)
        for d in event.get("outputs", [])
    ]
    job = event["job"]
    common = {"inputs": inputs, "outputs": outputs}

    if TRAINING_RUN in run_facets:
        facet = run_facets[TRAINING_RUN]
        attributes = {
            **run_attributes(event, facet, namespace, "training", _RUN_STATUS[event_type]),
            "framework": facet.get("framework"),
            "frameworkVersion": facet.get("frameworkVersion"),
            "inputRoles": input_roles(event, changes, inputs),
            "mlflowRunId": facet.get("mlflowRunId"),
            "mlflowRunUri": facet.get("mlflowRunUri"),
            "mlflowExperiment": facet.get("mlflowExperiment"),
        }
        run_ref = changes.add(TRAINING_RUN_TYPE, {**_present(attributes), **common})
        run_id = event["run"]["runId"]
        map_attestation(run_facets.get(CUSTODY), changes, namespace, run_ref, outputs, run_id)
    elif PIPELINE_RUN in run_facets:
        map_pipeline_run(
            event,
            run_facets[PIPELINE_RUN],
            changes,
            namespace,
            inputs,
            outputs,
            _RUN_STATUS[event_type],
        )
    elif EVALUATION in run_facets:
        map_evaluation(event, run_facets[EVALUATION], changes, namespace, inputs)
    elif SPARK in run_facets:
        map_spark(event, run_facets[SPARK], changes, namespace, inputs, outputs, lower)
    elif VALIDATION in run_facets:
        map_validation(event, run_facets[VALIDATION], changes, namespace, inputs)
    else:
        facet = run_facets.get(TRANSFORM) or {}
        pipeline = facet.get("pipeline") or job["namespace"]
        step = job["name"].removeprefix(pipeline + ".")
        run_id, run = step_run(event, facet, changes, namespace)
        attributes = {
            "qualifiedName": transform_name(
                pipeline, step, _names(changes, inputs), _names(changes, outputs), namespace, run_id
            ),
            "name": f"{pipeline}.{step}",
            "stepKind": facet.get("stepKind", "OTHER"),
            "reasoning": facet.get("reasoning"),
            "description": facet.get("reasoning"),
            "codeReference": facet.get("codeReference"),
            "codeRevision": facet.get("codeRevision"),
            "parameters": stringify(facet.get("parameters")),
            "startTime": epoch_millis(facet.get("startTime")),
            "endTime": epoch_millis(facet.get("endTime") or event_time),
            **step_attributes(facet),
        }
        changes.add(
            TRANSFORM_TYPE,
            {**_present(attributes), **common},
            relationships={"run": run} if run else None,
        )
    return changes


def _present(attributes: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in attributes.items() if value is not None}
