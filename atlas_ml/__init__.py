"""atlas-ml: Apache Atlas as the system of record for ML training-data lineage and provenance."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["__version__", "training_run"]


def __getattr__(name: str) -> Any:
    # Lazy so that ``import atlas_ml`` (and the CLI) stays fast and dependency-light.
    if name == "training_run":
        from atlas_ml.tracking import training_run

        return training_run
    raise AttributeError(f"module 'atlas_ml' has no attribute {name!r}")
