"""Events of any OpenLineage producer (Airflow, openlineage-spark, dbt, ...) as Atlas entities.

atlas-ml's own events (training runs, transforms, its Spark listener) carry ``atlasml_*``
facets and are mapped by :mod:`atlas_ml.mapping.events`; every other event lands here:

- a run is one ``atlasml_openlineage_run`` (a ``Process``) named by its job and runId: its
  START, RUNNING, COMPLETE, FAIL and ABORT events all map to that one entity, and delivery
  folds each into what Atlas already has (:func:`fold_run`): inputs and outputs accumulate,
  a late START never turns a finished run back into a running one;
- inputs are recorded from every event (a run that started has read them); outputs only from
  COMPLETE and OTHER events: a failed or aborted run's outputs were never written;
- the parent run facet links a run to the run that started it (Airflow DAG run -> task runs,
  Spark application -> its actions), as ``parentRun``/``childRuns``;
- the columnLineage facet of an output becomes one ``atlasml_openlineage_column_lineage``
  per column;
- datasets are named by :mod:`atlas_ml.naming.openlineage`; ``symlinks`` naming a catalog
  table and ``hive://`` datasets link the Hive hook's ``hive_table`` when Atlas has it;
- a DatasetEvent records its dataset, a JobEvent the lineage it declares for its job.
"""

from __future__ import annotations

from typing import Any

from atlas_ml.events.facets import PRODUCER
from atlas_ml.mapping.changes import AtlasChanges
from atlas_ml.mapping.relational import map_jdbc_table
from atlas_ml.mapping.spark import _table_links
from atlas_ml.mapping.times import epoch_millis
from atlas_ml.naming.openlineage import (
    COLUMN_LINEAGE_TYPE,
    RUN_TYPE,
    column_lineage_name,
    hive_link,
    job_name,
    openlineage_data,
    run_name,
    s3_bucket,
)
from atlas_ml.typedefs.names import (
    OPENLINEAGE_DATASET_TYPE,
    OPENLINEAGE_RUN_CHILDREN_RELATIONSHIP,
    OPENLINEAGE_RUN_COLUMN_LINEAGES_RELATIONSHIP,
    RDBMS_TABLE_TYPE,
)

_STATES = {"START": "RUNNING", "RUNNING": "RUNNING", "COMPLETE": "COMPLETE"}
_STATES.update({"FAIL": "FAIL", "ABORT": "ABORT"})
FINAL_STATES = frozenset({"COMPLETE", "FAIL", "ABORT"})
_WRITES_OUTPUTS = frozenset({"COMPLETE", "OTHER"})


def is_atlas_ml_event(event: dict[str, Any]) -> bool:
    """Whether atlas-ml itself made the event (its producer URI or an ``atlasml_*`` facet)."""
    if str(event.get("producer", "")).startswith(PRODUCER):
        return True
    run = event.get("run")
    facets = (run.get("facets") if isinstance(run, dict) else None) or {}
    if any(str(name).startswith("atlasml_") for name in facets):
        return True
    for dataset in [*(event.get("inputs") or []), *(event.get("outputs") or [])]:
        if any(str(name).startswith("atlasml_") for name in (dataset.get("facets") or {})):
            return True
    return False


def _millis(value: Any) -> int | None:
    """Epoch millis of an ISO-8601 time; None for a time this Python cannot read (a producer's
    nanoseconds on Python 3.10), which only costs the attribute, never the event."""
    try:
        return epoch_millis(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _present(attributes: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in attributes.items() if value not in (None, "", [])}


def map_openlineage_event(event: dict[str, Any], namespace: str) -> AtlasChanges:
    """Entities for an event of any OpenLineage producer (validated by the caller)."""
    changes = AtlasChanges()
    if "run" not in event and "dataset" in event:
        _dataset(event["dataset"], changes, namespace)
        return changes
    event_type = event.get("eventType", "OTHER") if "run" in event else "OTHER"
    inputs = [_dataset(d, changes, namespace) for d in event.get("inputs") or []]
    outputs: list[dict[str, Any]] = []
    written: list[dict[str, Any]] = []
    if event_type in _WRITES_OUTPUTS:
        written = list(event.get("outputs") or [])
        outputs = [_dataset(d, changes, namespace) for d in written]
    links = _table_links([*(event.get("inputs") or [])], changes, namespace)
    out_links = _table_links(written, changes, namespace) if written else []
    links += _hive_links(event.get("inputs") or [], changes, namespace)
    out_links += _hive_links(written, changes, namespace)

    job = event["job"]
    job_facets = job.get("facets") or {}
    run = event.get("run")
    attributes = _job_attributes(job, job_facets)
    if run is None:
        qualified_name = job_name(job["namespace"], job["name"], namespace)
        attributes.update(qualifiedName=qualified_name, name=job["name"])
    else:
        qualified_name = run_name(job["namespace"], job["name"], run["runId"], namespace)
        attributes.update(_run_attributes(event, event_type, run.get("facets") or {}))
        attributes.update(qualifiedName=qualified_name)
    attributes["inputs"] = inputs + links
    if event_type in _WRITES_OUTPUTS:
        attributes["outputs"] = outputs + out_links
    relationships = None
    parent = _parent(run.get("facets") or {} if run else {}, changes, namespace)
    if parent is not None:
        relationships = {"parentRun": {**parent, "relationshipType": _CHILDREN}}
    process = changes.add(RUN_TYPE, _present(attributes), relationships)
    changes.folded.add((RUN_TYPE, qualified_name))
    _column_lineage(written, outputs, event, process, qualified_name, changes, namespace)
    return changes


_CHILDREN = OPENLINEAGE_RUN_CHILDREN_RELATIONSHIP
_S3_CONTAINER = "aws_s3_v2_container_contained"
_COLUMNS = OPENLINEAGE_RUN_COLUMN_LINEAGES_RELATIONSHIP


def _job_attributes(job: dict[str, Any], facets: dict[str, Any]) -> dict[str, Any]:
    job_type = facets.get("jobType") or {}
    kind = "/".join(
        str(job_type[key])
        for key in ("processingType", "integration", "jobType")
        if job_type.get(key)
    )
    owners = [o.get("name") for o in (facets.get("ownership") or {}).get("owners") or []]
    return {
        "jobNamespace": job["namespace"],
        "jobName": job["name"],
        "jobType": kind or None,
        "description": (facets.get("documentation") or {}).get("description"),
        "owner": ", ".join(str(o) for o in owners if o) or None,
        "sqlQuery": (facets.get("sql") or {}).get("query"),
        "sourceCodeLocation": (facets.get("sourceCodeLocation") or {}).get("url"),
    }


def _run_attributes(
    event: dict[str, Any], event_type: str, facets: dict[str, Any]
) -> dict[str, Any]:
    run_id = event["run"]["runId"]
    nominal = facets.get("nominalTime") or {}
    engine = facets.get("processing_engine") or {}
    state = _STATES.get(event_type)
    attributes: dict[str, Any] = {
        "name": f"{event['job']['name']} run {run_id[:8]}",
        "runId": run_id,
        "producer": event.get("producer"),
        "state": state,
        "nominalStartTime": _millis(nominal.get("nominalStartTime")),
        "nominalEndTime": _millis(nominal.get("nominalEndTime")),
        "processingEngine": " ".join(
            str(engine[key]) for key in ("name", "version") if engine.get(key)
        )
        or None,
        "errorMessage": (facets.get("errorMessage") or {}).get("message"),
    }
    if event_type == "START":
        attributes["startTime"] = _millis(event.get("eventTime"))
    if state in FINAL_STATES:
        attributes["endTime"] = _millis(event.get("eventTime"))
    return attributes


def _parent(facets: dict[str, Any], changes: AtlasChanges, namespace: str) -> dict[str, Any] | None:
    """The run that started this one (parent run facet), as a reference. Only its identity is
    written, so the parent's own events (before or after this one) keep their attributes."""
    parent = facets.get("parent") or {}
    run, job = parent.get("run") or {}, parent.get("job") or {}
    if not run.get("runId") or not job.get("namespace") or not job.get("name"):
        return None
    qualified_name = run_name(job["namespace"], job["name"], run["runId"], namespace)
    return changes.add(
        RUN_TYPE,
        {
            "qualifiedName": qualified_name,
            "name": f"{job['name']} run {str(run['runId'])[:8]}",
            "runId": run["runId"],
            "jobNamespace": job["namespace"],
            "jobName": job["name"],
        },
    )


def _dataset(dataset: dict[str, Any], changes: AtlasChanges, namespace: str) -> dict[str, Any]:
    """Add one OpenLineage dataset; returns the reference lineage uses."""
    ol_namespace, ol_name = dataset["namespace"], dataset["name"]
    physical = openlineage_data(ol_namespace, ol_name, namespace)
    if physical.type_name == RDBMS_TABLE_TYPE:
        table = map_jdbc_table(ol_namespace, ol_name, changes, namespace)
        if table is not None:
            return table
    facets = dataset.get("facets") or {}
    attributes = dict(physical.entity()["attributes"])
    if physical.type_name == OPENLINEAGE_DATASET_TYPE:
        attributes["datasetType"] = (facets.get("datasetType") or {}).get("datasetType")
        attributes["description"] = (facets.get("documentation") or {}).get("description")
    relationships = None
    bucket = s3_bucket(physical, namespace)
    if bucket is not None:
        container = changes.add(bucket.type_name, bucket.entity()["attributes"])
        relationships = {"container": {**container, "relationshipType": _S3_CONTAINER}}
    return changes.add(physical.type_name, _present(attributes), relationships)


def _hive_links(
    datasets: list[dict[str, Any]], changes: AtlasChanges, namespace: str
) -> list[dict[str, Any]]:
    links: list[dict[str, Any]] = []
    for dataset in datasets:
        table = hive_link(dataset["namespace"], dataset["name"], namespace)
        if table is not None:
            reference = changes.reference(table.type_name, table.qualified_name)
            if reference not in links:
                links.append(reference)
    return links


def _column_lineage(
    written: list[dict[str, Any]],
    outputs: list[dict[str, Any]],
    event: dict[str, Any],
    process: dict[str, Any],
    run: str,
    changes: AtlasChanges,
    namespace: str,
) -> None:
    """One entity per output column with input fields: its inputs are the datasets the
    values come from, its output the dataset written, its description the field mapping."""
    several = len(written) > 1
    for dataset, output in zip(written, outputs, strict=True):
        lineage = (dataset.get("facets") or {}).get("columnLineage") or {}
        for column, mapping in (lineage.get("fields") or {}).items():
            sources = mapping.get("inputFields") or []
            if not sources:
                continue  # a literal or generated column: no data flows into it
            feeding: list[dict[str, Any]] = []
            described: list[str] = []
            for source in sources:
                reference = _dataset(source, changes, namespace)
                if reference not in feeding:
                    feeding.append(reference)
                kinds = ", ".join(
                    f"{t.get('type', '?')}/{t.get('subtype', '?')}"
                    + ("/masked" if t.get("masking") else "")
                    for t in source.get("transformations") or []
                )
                where = _display(str(source["namespace"]), str(source["name"]))
                described.append(f"{where}.{source.get('field')} [{kinds or 'unknown'}]")
            changes.add(
                COLUMN_LINEAGE_TYPE,
                {
                    "qualifiedName": column_lineage_name(
                        run, dataset["name"] if several else None, column
                    ),
                    "name": column,
                    "column": column,
                    "description": f"{column} <- " + "; ".join(described),
                    "inputs": feeding,
                    "outputs": [output],
                },
                relationships={"run": {**process, "relationshipType": _COLUMNS}},
            )


def _display(ol_namespace: str, ol_name: str) -> str:
    """A dataset as a column lineage description names it: ``file:/d/x``, ``hdfs://nn/d/x``,
    ``postgres://db:5432/shop.public.orders``."""
    if ol_namespace == "file":
        return f"file:{ol_name}"
    return f"{ol_namespace.rstrip('/')}/{ol_name.lstrip('/')}"


def fold_run(current: dict[str, Any] | None, entity: dict[str, Any]) -> None:
    """Fold what Atlas has for a run (``current``, or None) into the run ``entity`` about to
    be sent, in place: Atlas replaces list attributes, so the inputs and outputs Atlas has are
    kept beside the event's; a run that is final stays final when a START or RUNNING event
    arrives late; its start time is the earliest seen."""
    if current is None:
        return
    attributes = entity["attributes"]
    known = current.get("attributes") or {}
    related = current.get("relationshipAttributes") or {}
    for side in ("inputs", "outputs"):
        earlier = [
            {"guid": r["guid"], "typeName": r["typeName"]}
            for r in related.get(side) or known.get(side) or []
            if isinstance(r, dict) and r.get("guid") and r.get("relationshipStatus") != "DELETED"
        ]
        if side in attributes:
            attributes[side] = earlier + attributes[side]
    if known.get("state") in FINAL_STATES and attributes.get("state") == "RUNNING":
        del attributes["state"]
    start = known.get("startTime")
    if start and attributes.get("startTime") and start < attributes["startTime"]:
        del attributes["startTime"]
