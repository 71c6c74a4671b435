"""Data-quality validation results as provenance: :func:`record` a Great Expectations result
against the dataset version it validated; :class:`AtlasMLAction` does it from a Checkpoint
(``atlas_ml.quality.gx_action``, imported on first use so that ``record`` needs no GX)."""

from __future__ import annotations

from typing import Any

from atlas_ml.quality.record import RecordedValidation, record
from atlas_ml.quality.results import ValidationSummary, summarize

__all__ = ["AtlasMLAction", "RecordedValidation", "ValidationSummary", "record", "summarize"]


def __getattr__(name: str) -> Any:
    if name == "AtlasMLAction":
        from atlas_ml.quality.gx_action import AtlasMLAction

        return AtlasMLAction
    raise AttributeError(name)
