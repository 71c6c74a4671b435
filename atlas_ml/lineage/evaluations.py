"""The evaluations of a model version: which exact data it was measured on, with what result.

An evaluation reads the model version (and its data) and writes nothing, so it is not in the
model version's upstream lineage; a regulator reading that lineage still asks how the model
was tested, so the upstream tree shows the evaluations beside the training data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from atlas_ml.client import AtlasClient


@dataclass(frozen=True)
class EvaluationSummary:
    """One ``atlasml_evaluation``: its entity and the dataset versions it was measured on."""

    entity: dict[str, Any]
    datasets: list[dict[str, Any]] = field(default_factory=list)

    @property
    def metrics(self) -> dict[str, float]:
        return dict((self.entity.get("attributes") or {}).get("metrics") or {})

    @property
    def role(self) -> str | None:
        role = (self.entity.get("attributes") or {}).get("datasetRole")
        return str(role) if role else None


def read_evaluations(client: AtlasClient, model_version: dict[str, Any]) -> list[EvaluationSummary]:
    """The live evaluations of ``model_version`` (a full entity, with relationship
    attributes), oldest first."""
    references = (model_version.get("relationshipAttributes") or {}).get("evaluations") or []
    guids = [
        r["guid"]
        for r in references
        if r.get("guid")
        and r.get("entityStatus", "ACTIVE") == "ACTIVE"
        and r.get("relationshipStatus", "ACTIVE") == "ACTIVE"
    ]
    if not guids:
        return []
    evaluations = client.entities.get_bulk(guids)
    inputs = {
        ref["guid"]
        for e in evaluations
        for ref in (e.get("attributes") or {}).get("inputs") or []
        if ref.get("guid") and ref.get("guid") != model_version.get("guid")
    }
    datasets = {e["guid"]: e for e in client.entities.get_bulk(sorted(inputs))}
    found = []
    for evaluation in evaluations:
        used = [
            datasets[ref["guid"]]
            for ref in (evaluation.get("attributes") or {}).get("inputs") or []
            if ref.get("guid") in datasets
        ]
        found.append(EvaluationSummary(evaluation, used))
    return sorted(found, key=lambda s: (s.entity.get("attributes") or {}).get("evaluatedTime") or 0)
