"""Datasets of an event: the physical entity, its dataset version, model versions."""

from __future__ import annotations

import json
from typing import Any

from atlas_ml.events import CLASSIFICATIONS, DATASET_VERSION, FILE_STATUS, MODEL_VERSION
from atlas_ml.mapping.changes import AtlasChanges, ClassificationRequest
from atlas_ml.mapping.relational import map_jdbc_table
from atlas_ml.mapping.times import epoch_millis
from atlas_ml.naming import (
    PhysicalDataset,
    dataset_version_name,
    location_label,
    model_name,
    model_version_name,
    openlineage_dataset,
    partition_root,
    transform_name,
    version_fingerprint,
    version_location,
)
from atlas_ml.typedefs.names import (
    COMPLIANCE_METADATA,
    DATASET_VERSION_TYPE,
    HDFS_PATH_TYPE,
    MODEL_TYPE,
    MODEL_VERSION_TYPE,
    MODEL_VERSIONS_RELATIONSHIP,
    RDBMS_TABLE_TYPE,
    TRANSFORM_TYPE,
)

IN_MEMORY_NAMESPACES = {"memory", "atlasml-memory"}
COMPLIANCE = COMPLIANCE_METADATA
"""Business metadata holding a model's compliance facts (see :mod:`atlas_ml.compliance`)."""
# Pointer kinds of atlas_ml.fingerprints.pointers -> the atlasml_version_kind enum.
_VERSION_KINDS = {
    "delta": "DELTA",
    "iceberg": "ICEBERG",
    "hudi": "HUDI",
    "dvc": "DVC",
    "git": "GIT",
    "files": "NONE",
    "file": "NONE",
}


def _version_attributes(
    facet: dict[str, Any], qualified_name: str, label: str, fingerprint: str, event_time: str
) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "qualifiedName": qualified_name,
        "name": f"{label}@{fingerprint.replace('sha256:', '')[:12]}",
        "contentHash": facet.get("contentHash"),
        "manifestRootHash": facet.get("manifestRootHash"),
        "fingerprints": facet.get("fingerprints"),
        "rowCount": facet.get("rowCount"),
        "schemaFingerprint": facet.get("schemaFingerprint"),
        "schemaJson": json.dumps(facet["schema"], sort_keys=True) if facet.get("schema") else None,
        "uri": facet.get("uri"),
        "format": facet.get("format"),
        "versionPointer": facet.get("versionPointer"),
        "versionKind": _VERSION_KINDS.get(str(facet.get("versionKind")).lower(), "OTHER")
        if facet.get("versionKind")
        else None,
        "origin": facet.get("origin"),
        "licence": facet.get("licence"),
        "fileSha256": facet.get("fileSha256"),
        "description": facet.get("description"),
        "capturedTime": epoch_millis(facet.get("capturedTime") or event_time),
        "mlflowDigest": facet.get("mlflowDigest"),
        "mlflowSource": facet.get("mlflowSource"),
        "mlflowName": facet.get("mlflowName"),
    }
    return {key: value for key, value in attributes.items() if value is not None}


def map_dataset(
    dataset: dict[str, Any],
    changes: AtlasChanges,
    namespace: str,
    event_time: str,
    *,
    read: bool = False,
    lowercase_paths: bool = False,
) -> dict[str, Any]:
    """Add the entities for one OpenLineage dataset; returns the reference lineage uses.

    A dataset with an ``atlasml_datasetVersion`` facet becomes a dataset version; when it also
    has a physical location, the physical entity is added and an INGEST transform connects it
    to the version, so lineage runs physical data -> version -> consumers without a gap.
    A dataset with ``atlasml_modelVersion`` becomes a model version under its model.
    A partition folder that is ``read`` is linked to its table's folder (see
    :func:`_map_partition`). ``lowercase_paths``: see :mod:`atlas_ml.naming.case`.
    """
    facets = dataset.get("facets") or {}
    ol_namespace, ol_name = dataset["namespace"], dataset["name"]
    in_memory = ol_namespace in IN_MEMORY_NAMESPACES

    if MODEL_VERSION in facets:
        reference = _map_model_version(facets[MODEL_VERSION], changes, namespace, event_time)
        _map_classifications(facets, changes, MODEL_VERSION_TYPE, reference)
        return reference

    physical = None
    if not in_memory:
        physical = openlineage_dataset(ol_namespace, ol_name, namespace, lowercase_paths)
    physical_ref = None
    if physical is not None and physical.type_name == RDBMS_TABLE_TYPE:
        physical_ref = map_jdbc_table(ol_namespace, ol_name, changes, namespace)
    elif physical is not None:
        attributes = {**physical.entity()["attributes"], **_file_status(physical, facets)}
        physical_ref = changes.add(physical.type_name, attributes)
        if read:
            _map_partition(
                ol_namespace, ol_name, physical, physical_ref, changes, namespace, lowercase_paths
            )

    version = facets.get(DATASET_VERSION)
    if not version or not (
        version.get("contentHash") or version.get("manifestRootHash") or version.get("mlflowDigest")
    ):
        if physical_ref is None:
            raise ValueError(
                f"in-memory dataset {ol_name!r} has no {DATASET_VERSION} fingerprint to name it by"
            )
        _map_classifications(facets, changes, physical.type_name, physical_ref)  # type: ignore[union-attr]
        return physical_ref

    base = version_location(ol_namespace, ol_name, namespace) if physical else f"memory:{ol_name}"
    if version.get("contentHash") or version.get("manifestRootHash"):
        fingerprint = version_fingerprint(
            version.get("contentHash"), version.get("manifestRootHash")
        )
    else:  # known only to MLflow (mlflow.log_input): named by MLflow's digest
        fingerprint = str(version["mlflowDigest"])
    version_qn = dataset_version_name(base, fingerprint, namespace, version.get("derivedFrom"))
    label = location_label(ol_name)
    attributes = _version_attributes(version, version_qn, label, fingerprint, event_time)
    if physical_ref is not None:
        attributes["snapshotOf"] = physical_ref
    version_ref = changes.add(DATASET_VERSION_TYPE, attributes)

    if physical is not None and physical_ref is not None:
        ingest_qn = transform_name(
            "snapshot", label, [physical.qualified_name], [version_qn], namespace
        )
        changes.add(
            TRANSFORM_TYPE,
            {
                "qualifiedName": ingest_qn,
                "name": f"snapshot {label}",
                "stepKind": "INGEST",
                "reasoning": "Captures the exact content of the physical data that was read.",
                "inputs": [physical_ref],
                "outputs": [version_ref],
            },
        )
        # Classifications of raw data go on the physical data: lineage carries them on.
        _map_classifications(facets, changes, physical.type_name, physical_ref)
    else:
        _map_classifications(facets, changes, DATASET_VERSION_TYPE, version_ref)
    return version_ref


def _file_status(physical: PhysicalDataset, facets: dict[str, Any]) -> dict[str, Any]:
    """``isFile``, ``fileSize``, ``modifiedTime``, ``numberOfReplicas`` of an ``hdfs_path``
    from the ``atlasml_fileStatus`` facet (Atlas's HDFS model; other path types lack them)."""
    status = facets.get(FILE_STATUS) or {}
    if physical.type_name != HDFS_PATH_TYPE or not status:
        return {}
    attributes = {
        "isFile": status.get("isFile"),
        "fileSize": status.get("fileSize"),
        "modifiedTime": epoch_millis(status.get("modifiedTime")),
        "numberOfReplicas": status.get("numberOfReplicas"),
    }
    return {key: value for key, value in attributes.items() if value is not None}


def _map_partition(
    ol_namespace: str,
    ol_name: str,
    physical: PhysicalDataset,
    physical_ref: dict[str, Any],
    changes: AtlasChanges,
    namespace: str,
    lowercase_paths: bool,
) -> None:
    """Link a partition folder that was read (``sales/year=2024``) to its table's folder.

    The table's writers wrote the folder ``sales``, and Atlas knows no path hierarchy: without
    this link, lineage from a model trained on one partition stops at the partition folder,
    and "what used this data" asked of ``sales`` misses that model. The link is a transform
    from the table to the partition, so classifications set on the table flow on as well.
    """
    root_name = partition_root(ol_name)
    if root_name is None or not physical.is_path:
        return
    root = openlineage_dataset(ol_namespace, root_name, namespace, lowercase_paths)
    root_ref = changes.add(root.type_name, root.entity()["attributes"])
    table, partition = location_label(root_name), ol_name[len(root_name) :].strip("/")
    changes.add(
        TRANSFORM_TYPE,
        {
            "qualifiedName": transform_name(
                "partition", table, [root.qualified_name], [physical.qualified_name], namespace
            ),
            "name": f"partition {partition} of {table}",
            "stepKind": "OTHER",
            "reasoning": "A partition folder is part of its table's data: the table's writers "
            "wrote it.",
            "inputs": [root_ref],
            "outputs": [physical_ref],
        },
    )


def _map_model_version(
    facet: dict[str, Any], changes: AtlasChanges, namespace: str, event_time: str
) -> dict[str, Any]:
    model = facet["model"]
    team = facet.get("team")
    model_attributes = {"qualifiedName": model_name(model, namespace), "name": model}
    model_attributes |= {k: facet[k] for k in ("task", "team") if facet.get(k) is not None}
    if team is not None:
        model_attributes["owner"] = team
    model_ref = changes.add(MODEL_TYPE, model_attributes)
    locations = [str(u) for u in facet.get("artifactLocations") or []]
    if facet.get("artifactUri") and facet["artifactUri"] not in locations:
        locations.insert(0, str(facet["artifactUri"]))
    attributes = {
        "qualifiedName": model_version_name(model, facet["artifactSha256"], namespace),
        "name": f"{model}@{facet['artifactSha256'][:12]}",
        "artifactSha256": facet["artifactSha256"],
        "artifactUri": facet.get("artifactUri"),
        "artifactLocations": locations or None,
        "framework": facet.get("framework"),
        "frameworkVersion": facet.get("frameworkVersion"),
        "versionNumber": facet.get("versionNumber"),
        "registeredTime": epoch_millis(facet.get("registeredTime") or event_time),
        "stage": facet.get("stage"),
        "mlflowRunId": facet.get("mlflowRunId"),
        "mlflowModelUri": facet.get("mlflowModelUri"),
        "mlflowRegisteredModel": facet.get("mlflowRegisteredModel"),
        "mlflowVersion": facet.get("mlflowVersion"),
        "mlflowAliases": facet.get("mlflowAliases"),
        "team": team,
        "owner": team,
    }
    version_ref = changes.add(
        MODEL_VERSION_TYPE,
        {k: v for k, v in attributes.items() if v is not None},
        relationships={"model": {**model_ref, "relationshipType": MODEL_VERSIONS_RELATIONSHIP}},
    )
    compliance = facet.get("compliance")
    if isinstance(compliance, dict) and compliance:
        for type_name, reference in (
            (MODEL_TYPE, model_ref),
            (MODEL_VERSION_TYPE, version_ref),
        ):
            changes.set_business_metadata(type_name, reference, COMPLIANCE, compliance)
    return version_ref


def _map_classifications(
    facets: dict[str, Any], changes: AtlasChanges, type_name: str, reference: dict[str, Any]
) -> None:
    entity = next(e for e in changes.entities if e["guid"] == reference["guid"])
    qualified_name = entity["attributes"]["qualifiedName"]
    for item in (facets.get(CLASSIFICATIONS) or {}).get("classifications", []):
        changes.classifications.append(
            ClassificationRequest(
                type_name=type_name,
                qualified_name=qualified_name,
                name=item["name"],
                attributes=item.get("attributes") or {},
                propagate=item.get("propagate", True),
            )
        )
