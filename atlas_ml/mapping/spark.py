"""Spark listener events: a ``spark_process`` per root SQL execution under its
``spark_application``, a ``spark_column_lineage`` per output column, and links to the Hive
tables the data belongs to.

Column lineage entities are named ``<spark_process qualifiedName>:<column>`` (with the output
dataset's name before the column when one execution writes several datasets); their inputs
are the datasets the column's values come from, their output the written dataset, and their
description the field-level mapping with OpenLineage's transformation types, e.g.
``double_amount <- file:/data/customers.amount [DIRECT/TRANSFORMATION]``.

A dataset whose ``symlinks`` facet names a catalog table also gets the ``hive_table``
``db.table@<namespace>`` (database ``default`` when the identifier has none) as an input or
output of the process. The Hive hook owns those entities, so they are optional references:
delivery keeps only the ones Atlas already has (see
:meth:`atlas_ml.mapping.changes.AtlasChanges.reference`), and the path entity carries the
lineage either way.
"""

from __future__ import annotations

from typing import Any

from atlas_ml.mapping.changes import AtlasChanges
from atlas_ml.naming import hive_table, openlineage_dataset
from atlas_ml.typedefs.names import (
    PROVENANCE_METADATA,
    SPARK_APPLICATION_TYPE,
    SPARK_COLUMN_LINEAGE_TYPE,
    SPARK_PROCESS_COLUMN_LINEAGES_RELATIONSHIP,
    SPARK_PROCESS_TYPE,
)

PROVENANCE = PROVENANCE_METADATA
"""Business metadata of who owns a Spark job and which code ran it (``spark.atlasml.team``,
``.owner``, ``.code.reference``, ``.code.revision``, carried in the ``atlasml_spark`` facet)."""
PROVENANCE_FIELDS = ("team", "owner", "codeReference", "codeRevision")

# Catalogs whose tables the Hive hook records (Spark's session catalog is the Hive metastore
# when Spark runs with Hive support).
_HIVE_CATALOGS = ("hive", "spark_catalog")


def map_spark(
    event: dict[str, Any],
    facet: dict[str, Any],
    changes: AtlasChanges,
    namespace: str,
    inputs: list[dict[str, Any]],
    outputs: list[dict[str, Any]],
    lowercase_paths: bool = False,
) -> None:
    """Add the process, its application, its column lineage and its Hive table links."""
    app_id = facet.get("applicationId") or event["job"]["namespace"]
    app_name = facet.get("appName") or app_id
    provenance = {k: str(facet[k]) for k in PROVENANCE_FIELDS if facet.get(k)}
    owner = {"owner": provenance.get("owner") or provenance.get("team")}
    owned = {k: v for k, v in owner.items() if v}
    application = changes.add(
        SPARK_APPLICATION_TYPE,
        {"qualifiedName": f"{app_id}@{namespace}", "name": app_name, **owned},
    )
    execution = facet.get("rootExecutionId", event["run"]["runId"])
    process_name = f"{app_id}-{execution}@{namespace}"
    process = changes.add(
        SPARK_PROCESS_TYPE,
        {
            "qualifiedName": process_name,
            "name": event["job"]["name"],
            "executionId": str(execution),
            "currUser": facet.get("user"),
            "details": facet.get("plan"),
            "application": application,
            "inputs": inputs + _table_links(event.get("inputs", []), changes, namespace),
            "outputs": outputs + _table_links(event.get("outputs", []), changes, namespace),
            **owned,
        },
    )
    if provenance:
        for type_name, reference in (
            (SPARK_APPLICATION_TYPE, application),
            (SPARK_PROCESS_TYPE, process),
        ):
            changes.set_business_metadata(type_name, reference, PROVENANCE, provenance)
    datasets = _references_by_identity(event, inputs, outputs)
    several = len(event.get("outputs", [])) > 1
    for dataset, reference in zip(event.get("outputs", []), outputs, strict=True):
        lineage = (dataset.get("facets") or {}).get("columnLineage") or {}
        for column, mapping in (lineage.get("fields") or {}).items():
            prefix = f"{dataset['name']}." if several else ""
            _column_lineage(
                f"{process_name}:{prefix}{column}",
                column,
                mapping.get("inputFields") or [],
                reference,
                process,
                datasets,
                changes,
                namespace,
                lowercase_paths,
            )


def _references_by_identity(
    event: dict[str, Any], inputs: list[dict[str, Any]], outputs: list[dict[str, Any]]
) -> dict[tuple[str, str], dict[str, Any]]:
    identities = [(d["namespace"], d["name"]) for d in event.get("inputs", [])]
    identities += [(d["namespace"], d["name"]) for d in event.get("outputs", [])]
    return dict(zip(identities, inputs + outputs, strict=True))


def _column_lineage(
    qualified_name: str,
    column: str,
    sources: list[dict[str, Any]],
    output: dict[str, Any],
    process: dict[str, Any],
    datasets: dict[tuple[str, str], dict[str, Any]],
    changes: AtlasChanges,
    namespace: str,
    lowercase_paths: bool,
) -> None:
    if not sources:
        return  # a literal or generated column: no data flows into it
    feeding: list[dict[str, Any]] = []
    described: list[str] = []
    for source in sources:
        identity = (source["namespace"], source["name"])
        reference = datasets.get(identity)
        if reference is None:
            physical = openlineage_dataset(*identity, namespace, lowercase_paths)
            reference = changes.add(physical.type_name, physical.entity()["attributes"])
            datasets[identity] = reference
        if reference not in feeding:
            feeding.append(reference)
        kinds = ", ".join(
            f"{t.get('type', '?')}/{t.get('subtype', '?')}"
            + ("/masked" if t.get("masking") else "")
            for t in source.get("transformations") or []
        )
        described.append(f"{_display(identity)}.{source.get('field')} [{kinds or 'unknown'}]")
    changes.add(
        SPARK_COLUMN_LINEAGE_TYPE,
        {
            "qualifiedName": qualified_name,
            "name": column,
            "description": f"{column} <- " + "; ".join(described),
            "inputs": feeding,
            "outputs": [output],
        },
        relationships={
            "process": {**process, "relationshipType": SPARK_PROCESS_COLUMN_LINEAGES_RELATIONSHIP}
        },
    )


def _display(identity: tuple[str, str]) -> str:
    ol_namespace, name = identity
    return f"file:{name}" if ol_namespace == "file" else f"{ol_namespace.rstrip('/')}/{name}"


def _table_links(
    datasets: list[dict[str, Any]], changes: AtlasChanges, namespace: str
) -> list[dict[str, Any]]:
    links: list[dict[str, Any]] = []
    for dataset in datasets:
        symlinks = (dataset.get("facets") or {}).get("symlinks") or {}
        for identifier in symlinks.get("identifiers") or []:
            if identifier.get("type", "TABLE") != "TABLE":
                continue
            if not str(identifier.get("namespace", "")).startswith(_HIVE_CATALOGS):
                continue
            database, _, table = str(identifier["name"]).rpartition(".")
            entity = hive_table(database or "default", table, namespace)
            reference = changes.reference(entity.type_name, entity.qualified_name)
            if reference not in links:
                links.append(reference)
    return links
