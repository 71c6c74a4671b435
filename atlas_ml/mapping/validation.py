"""A data-quality validation event -> an ``atlasml_validation`` Process on its dataset version.

The validation is a Process whose input is the dataset version it judged, and it names that
version again through the ``atlasml_validation_dataset_version`` relationship: lineage shows the
check hanging off the exact data, and the dataset version's ``validations`` relationship
attribute lists every validation of it (how explain/trace/audit find them).
"""

from __future__ import annotations

import hashlib
from typing import Any

from atlas_ml.mapping.changes import AtlasChanges
from atlas_ml.mapping.times import epoch_millis
from atlas_ml.typedefs.names import (
    VALIDATION_DATASET_VERSION_RELATIONSHIP as VALIDATION_RELATIONSHIP,
)
from atlas_ml.typedefs.names import VALIDATION_TYPE


def validation_name(suite: str, dataset_version: str, run_id: str, namespace: str) -> str:
    """``<suite>.validation#<digest of run and dataset version>@<namespace>``: one entity per
    validation run of one dataset version; the same result recorded twice is one entity."""
    digest = hashlib.sha256(f"{run_id}\n{dataset_version}".encode()).hexdigest()[:16]
    return f"{suite}.validation#{digest}@{namespace}"


def map_validation(
    event: dict[str, Any],
    facet: dict[str, Any],
    changes: AtlasChanges,
    namespace: str,
    inputs: list[dict[str, Any]],
) -> None:
    if len(inputs) != 1:
        raise ValueError(f"a validation event needs exactly one input dataset, not {len(inputs)}")
    (version_ref,) = inputs
    version = next(e for e in changes.entities if e["guid"] == version_ref["guid"])
    version_qn = version["attributes"]["qualifiedName"]
    suite = str(facet.get("suite") or "unnamed")
    passed = bool(facet.get("success"))
    attributes = {
        "qualifiedName": validation_name(suite, version_qn, event["run"]["runId"], namespace),
        "name": f"{suite} on {version['attributes'].get('name', version_qn)}: "
        + ("passed" if passed else "FAILED"),
        "suite": suite,
        "success": passed,
        "tool": facet.get("tool"),
        "statistics": {k: float(v) for k, v in (facet.get("statistics") or {}).items()} or None,
        "failedExpectations": list(facet.get("failedExpectations") or []) or None,
        "resultJson": facet.get("resultJson"),
        "validatedTime": epoch_millis(facet.get("validatedTime") or event["eventTime"]),
        "validationId": facet.get("validationId"),
        "dataAsset": facet.get("dataAsset"),
        "inputs": [version_ref],
        "outputs": [],
    }
    changes.add(
        VALIDATION_TYPE,
        {k: v for k, v in attributes.items() if v is not None},
        relationships={
            "datasetVersion": {**version_ref, "relationshipType": VALIDATION_RELATIONSHIP}
        },
    )
