"""A small, strict client for the Apache Atlas REST v2 API.

Layers: :mod:`~atlas_ml.config` (where and who), :mod:`.auth`, :mod:`.transport` (session,
timeouts, retries, error mapping), :mod:`.errors`, and one module per endpoint group.
"""

from atlas_ml.client.batching import PlanError, plan_batches
from atlas_ml.client.client import AtlasClient
from atlas_ml.client.entities import UpsertResult
from atlas_ml.client.errors import (
    AtlasAuthError,
    AtlasBadRequest,
    AtlasConflict,
    AtlasError,
    AtlasNotFound,
    AtlasUnavailable,
)
from atlas_ml.client.lineage import LineageGraph

__all__ = [
    "AtlasAuthError",
    "AtlasBadRequest",
    "AtlasClient",
    "AtlasConflict",
    "AtlasError",
    "AtlasNotFound",
    "AtlasUnavailable",
    "LineageGraph",
    "PlanError",
    "UpsertResult",
    "plan_batches",
]
