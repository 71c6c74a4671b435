"""Read side: find entities and read the lineage Atlas holds for them."""

from atlas_ml.lineage.by_content import BadDigest, ContentMatch, SameContent
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
    "BadDigest",
    "ContentMatch",
    "Lineage",
    "SameContent",
    "TargetNotFound",
    "TypesNotInstalled",
    "read_lineage",
    "resolve_target",
    "ui_url",
]
