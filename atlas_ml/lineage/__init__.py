"""Read side: find entities and show the lineage Atlas holds for them."""

from atlas_ml.lineage.resolve import TargetNotFound, TypesNotInstalled, resolve_target, ui_url
from atlas_ml.lineage.show import show_upstream
from atlas_ml.lineage.tree import upstream_tree

__all__ = [
    "TargetNotFound",
    "TypesNotInstalled",
    "resolve_target",
    "show_upstream",
    "ui_url",
    "upstream_tree",
]
