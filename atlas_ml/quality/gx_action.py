"""A Great Expectations 1.x Checkpoint action that records each validation result in Atlas.

    checkpoint = gx.Checkpoint(name="housing", validation_definitions=[definition],
                               actions=[AtlasMLAction(name="atlas", dataset="data/housing.csv")])

Importing this module imports Great Expectations (the ``quality`` extra).
"""

from __future__ import annotations

from typing import Any, Literal

from great_expectations.checkpoint import ValidationAction

from atlas_ml.quality.record import record


class AtlasMLAction(ValidationAction):
    """Record every validation result of the checkpoint run as provenance of ``dataset``."""

    type: Literal["atlas_ml"] = "atlas_ml"
    dataset: str
    """Path or URI of the data the checkpoint validates (what its batch reads)."""
    deliver: bool = True

    def run(self, checkpoint_result: Any, action_context: Any = None) -> dict[str, Any]:
        recorded = [
            record(result, dataset=self.dataset, deliver=self.deliver)
            for result in checkpoint_result.run_results.values()
        ]
        return {
            "atlas_ml": [
                {
                    "suite": r.summary.suite,
                    "success": r.summary.success,
                    "delivered": bool(r.delivery and r.delivery.delivered),
                }
                for r in recorded
            ]
        }
