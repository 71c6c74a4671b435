"""Read side: find entities and show the lineage Atlas holds for them."""

from atlas_ml.lineage.resolve import (
    AmbiguousTarget,
    TargetNotFound,
    TypesNotInstalled,
    resolve_target,
    ui_url,
)
from atlas_ml.lineage.show import show_lineage
from atlas_ml.lineage.tree import downstream_tree, upstream_tree

__all__ = [
    "AmbiguousTarget",
    "TargetNotFound",
    "TypesNotInstalled",
    "downstream_tree",
    "resolve_target",
    "show_lineage",
    "ui_url",
    "upstream_tree",
]
