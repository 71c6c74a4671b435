"""The ``atlasml_custody`` facet of a training run -> an ``atlasml_attestation`` entity.

The attestation is linked to its training run and to the model versions it signs, and is
named by its payload's sha256 (:func:`atlas_ml.naming.custody.attestation_name`), so every
attestation of a run is kept (a Spark ML model saved again is attested again) and a chain
link is one lookup. A facet that is not a usable attestation is left out with a warning
rather than failing the event: the run's lineage matters more, and the check then reports
the run as UNSIGNED and the next one's link as a gap.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from atlas_ml.mapping.changes import AtlasChanges
from atlas_ml.mapping.times import epoch_millis
from atlas_ml.naming.custody import attestation_name
from atlas_ml.typedefs.names import (
    ATTESTATION_RUN_RELATIONSHIP,
    ATTESTATION_SUBJECTS_RELATIONSHIP,
    ATTESTATION_TYPE,
    MODEL_VERSION_TYPE,
)

log = logging.getLogger("atlas_ml.mapping")

_SHA256 = re.compile(r"[0-9a-f]{64}")


def map_attestation(
    facet: dict[str, Any] | None,
    changes: AtlasChanges,
    namespace: str,
    run_ref: dict[str, Any],
    outputs: list[dict[str, Any]],
    run_id: str,
) -> None:
    """Add the attestation entity for ``facet`` (a training run's custody facet), if any."""
    if not facet:
        return
    envelope, sha = facet.get("envelope"), facet.get("payloadSha256")
    if not isinstance(envelope, dict) or not isinstance(sha, str) or not _SHA256.fullmatch(sha):
        log.warning("training run %s: its custody facet is not an attestation; left out", run_id)
        return
    previous = facet.get("previousSha256")
    sequence = facet.get("sequence")
    team = facet.get("team")
    attributes = {
        "qualifiedName": attestation_name(sha, namespace),
        "name": f"attestation {team} #{sequence} (run {run_id[:8]})",
        "envelope": json.dumps(envelope, separators=(",", ":"), sort_keys=True),
        "payloadSha256": sha,
        "previousSha256": previous if isinstance(previous, str) else None,
        "sequence": sequence if isinstance(sequence, int) else None,
        "team": team if isinstance(team, str) else None,
        "keyId": facet.get("keyId"),
        "predicateType": facet.get("predicateType"),
        "runId": run_id,
        "signedTime": epoch_millis(facet.get("signedTime")),
    }
    models = [o for o in outputs if o.get("typeName") == MODEL_VERSION_TYPE]
    changes.add(
        ATTESTATION_TYPE,
        {k: v for k, v in attributes.items() if v is not None},
        relationships={
            "trainingRun": {**run_ref, "relationshipType": ATTESTATION_RUN_RELATIONSHIP},
            "subjects": [
                {**m, "relationshipType": ATTESTATION_SUBJECTS_RELATIONSHIP} for m in models
            ],
        },
    )
