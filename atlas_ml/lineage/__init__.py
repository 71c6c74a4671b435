"""Read side: find entities and read the lineage Atlas holds for them."""

from atlas_ml.lineage.read import Lineage, read_lineage
from atlas_ml.lineage.resolve import (
    AmbiguousTarget,
    TargetNotFound,
    TypesNotInstalled,
    resolve_target,
    ui_url,
)

__all__ = [
    "AmbiguousTarget",
    "Lineage",
    "TargetNotFound",
    "TypesNotInstalled",
    "read_lineage",
    "resolve_target",
    "ui_url",
]
