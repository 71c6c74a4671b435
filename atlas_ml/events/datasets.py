"""A dataset version record as an OpenLineage dataset carrying atlas-ml's facets."""

from __future__ import annotations

import json
from typing import Any

from atlas_ml.events.facets import (
    CLASSIFICATIONS,
    DATASET_VERSION,
    FILE_STATUS,
    Classification,
    ClassificationsFacet,
    DatasetVersionFacet,
    SchemaField,
    facet,
)
from atlas_ml.events.model import Dataset, FacetLike, SchemaDatasetFacet
from atlas_ml.fingerprints.datasets import DatasetRecord
from atlas_ml.naming import openlineage_location

IN_MEMORY_NAMESPACE = "memory"
"""OpenLineage namespace of data that lives only in a process (no location to read again)."""


def as_dataset(record: DatasetRecord) -> Dataset:
    """``record`` as an OpenLineage dataset: ``namespace``/``name`` from its location (or
    ``memory`` and its name), its fingerprints in ``atlasml_datasetVersion``, its schema, and
    its classifications."""
    logical, manifest = record.logical, record.manifest
    fingerprints: dict[str, Any] = {}
    if manifest is not None:
        fingerprints["manifest"] = manifest.to_dict()
    if logical is not None:
        fingerprints["logical"] = logical.to_dict()
    schema = [SchemaField(n, t) for n, t in logical.schema] if logical else None
    version = DatasetVersionFacet(
        contentHash=logical.content_hash if logical else None,
        manifestRootHash=manifest.root_hash if manifest else None,
        rowCount=logical.row_count if logical else None,
        schemaFingerprint=logical.schema_fingerprint if logical else None,
        schema=schema,
        fingerprints=json.dumps(fingerprints, sort_keys=True),
        uri=record.location,
        format=record.data_format,
        versionPointer=record.pointer.get("version") if record.pointer else None,
        versionKind=record.pointer.get("kind") if record.pointer else None,
        role=record.role,
        origin=record.origin,
        licence=record.licence,
        description=record.description,
        derivedFrom=record.derivation,
        fileSha256=record.file_sha256,
    )
    facets: dict[str, FacetLike] = {DATASET_VERSION: version}
    if record.file_status is not None and record.location is not None:
        facets[FILE_STATUS] = facet(FILE_STATUS, **record.file_status.fields())
    if schema is not None:
        facets[SchemaDatasetFacet.NAME] = SchemaDatasetFacet(fields=schema)
    if record.classifications:
        facets[CLASSIFICATIONS] = ClassificationsFacet(
            classifications=[Classification(**c) for c in record.classifications]
        )
    if record.location is None:
        return Dataset(namespace=IN_MEMORY_NAMESPACE, name=record.name, facets=facets)
    namespace, name = openlineage_location(record.location)
    return Dataset(namespace=namespace, name=name, facets=facets)


def as_openlineage(record: DatasetRecord) -> dict[str, Any]:
    """The JSON of :func:`as_dataset`."""
    return as_dataset(record).to_dict()
